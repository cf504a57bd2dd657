"""Query results turned into German display tables and exports (pure pandas, no Streamlit).

A display table holds German text ("1.234", "29,8 %", "Okt. 2021"); its export twin has the
same rows and columns with numbers as numbers, for CSV and Excel.
"""

import html
import re

import pandas as pd

from dashboard.charts import COVERAGE_STATES, SMALL_BASE, STATUS_ORDER
from db import figures
from db.german import format_int, format_moment, format_month, format_percent, format_services
from db.labels import (
    LOAD_KIND_LABELS,
    LOAD_STATE_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    field_label,
)

SMALL_NOTE = f"weniger als {SMALL_BASE} Anträge"
INCOMPLETE = "unvollständig"
COVERAGE_SYMBOLS = dict(zip(COVERAGE_STATES, ["✓", "½", "–", "/"], strict=True))
MISSING_NAMED = 5  # an incomplete month names this many missing services, then counts


def _int(value: object) -> str:
    return "–" if value is None or pd.isna(value) else format_int(int(value))


def _share(value: object, total: object = None) -> str:
    if value is None or pd.isna(value):
        return INCOMPLETE if total is None or pd.isna(total) else "–"
    return format_percent(float(value))


def month_or_none(value: object) -> str | None:
    """A stored month ('YYYY-MM') or None: missing values come as None, NaN or ''."""
    return value if isinstance(value, str) and value else None


def _month(value: object) -> str:
    month = month_or_none(value)
    return format_month(month) if month else "–"


def is_small(df: pd.DataFrame) -> pd.Series:
    """Rows whose share rests on fewer than SMALL_BASE requests (shown greyed, with a note)."""
    return figures.small_base(df)


def _notes(df: pd.DataFrame) -> list[str]:
    small = is_small(df)
    notes = []
    for is_few, total, online in zip(small, df["total"], df["online"], strict=True):
        if is_few:
            notes.append(SMALL_NOTE)
        elif pd.isna(total) and not pd.isna(online):
            notes.append("nur Online-Zahl gemeldet")
        elif pd.isna(total):
            notes.append("nur Vor-Ort-Zahl gemeldet")
        else:
            notes.append("")
    return notes


def month_table(df: pd.DataFrame) -> pd.DataFrame:
    """Leistung, Fachbereich, Anträge gesamt, davon online, Onlinequote, Quelle, Hinweis."""
    return pd.DataFrame(
        {
            "Leistung": df["service"],
            "Fachbereich": df["department"],
            "Anträge gesamt": df["total"].map(_int),
            "davon online": df["online"].map(_int),
            "Onlinequote": [
                _share(v, t) for v, t in zip(df["online_share"], df["total"], strict=True)
            ],
            "Quelle online": df["online_source"].map(SOURCE_LABELS).fillna("–"),
            "Hinweis": _notes(df),
        }
    )


def counts(values: pd.Series) -> pd.arrays.IntegerArray:
    """Counts for an export: whole numbers, empty where none was reported ("75", never
    "75,0": a missing value must not turn a column into decimals)."""
    return pd.array(values.to_numpy(dtype=object), dtype="Int64")


def month_export(df: pd.DataFrame) -> pd.DataFrame:
    """month_table with numbers as numbers (share in percent, one decimal)."""
    out = month_table(df)
    out["Anträge gesamt"] = counts(df["total"])
    out["davon online"] = counts(df["online"])
    out["Onlinequote"] = (df["online_share"].astype(float) * 100).round(1).to_numpy()
    return out.rename(columns={"Onlinequote": "Onlinequote in %"})


def uptake_table(df: pd.DataFrame) -> pd.DataFrame:
    """Per service and month: Leistung, Monat, gesamt, online, Quote, Quelle, Hinweis."""
    return pd.DataFrame(
        {
            "Leistung": df["service"].to_numpy(),
            "Monat": df["month"].map(format_month).to_numpy(),
            "Anträge gesamt": df["total"].map(_int).to_numpy(),
            "davon online": df["online"].map(_int).to_numpy(),
            "Onlinequote": [
                _share(v, t) for v, t in zip(df["online_share"], df["total"], strict=True)
            ],
            "Quelle online": df["online_source"].map(SOURCE_LABELS).fillna("–").to_numpy(),
            "Hinweis": _notes(df),
        }
    )


def uptake_export(df: pd.DataFrame) -> pd.DataFrame:
    """uptake_table's rows and columns with numbers as numbers."""
    out = uptake_table(df)
    out["Anträge gesamt"] = counts(df["total"])
    out["davon online"] = counts(df["online"])
    out["Onlinequote"] = (df["online_share"].astype(float) * 100).round(1).to_numpy()
    return out.rename(columns={"Onlinequote": "Onlinequote in %"})


def totals_table(df: pd.DataFrame) -> pd.DataFrame:
    """Sums over all services per month: Monat, gesamt, online, Quote (base), Leistungen."""
    return pd.DataFrame(
        {
            "Monat": df["month"].map(format_month).to_numpy(),
            "Anträge gesamt": df["total"].map(_int).to_numpy(),
            "davon online": df["online"].map(_int).to_numpy(),
            "Onlinequote": df["online_share"].map(_share).to_numpy(),
            "Leistungen mit Zahlen": df["services"].map(_int).to_numpy(),
        }
    )


def projection_table(months: list[str], shares: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"Monat": [format_month(m) for m in months], "Prognose": [_share(s) for s in shares]}
    )


def field_labels(measures: pd.DataFrame) -> pd.Series:
    """'Group › Field' where the strategy has groups above its action fields, else the field."""
    if "group" not in measures.columns:
        return measures["field"]
    return pd.Series(
        [field_label(g, f) for g, f in zip(measures["group"], measures["field"], strict=True)],
        index=measures.index,
    )


def labelled_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """db.figures.status_counts with each field labelled 'Group › Field' (chart and table)."""
    return counts.assign(field=field_labels(counts))[["field", "status", "count"]]


def status_table(counts: pd.DataFrame) -> pd.DataFrame:
    """labelled_counts as a table: one row per field, one column per status, and the sum."""
    fields = list(dict.fromkeys(counts["field"]))
    wide = counts.pivot_table(index="field", columns="status", values="count", aggfunc="sum")
    wide = wide.reindex(index=fields, columns=STATUS_ORDER).fillna(0).astype(int)
    wide.columns = [STATUS_LABELS[s] for s in STATUS_ORDER]
    wide["gesamt"] = wide.sum(axis=1)
    wide.index.name = "Handlungsfeld"
    return wide.reset_index()


def measures_table(measures: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """The roadmap as text: field, measure, status, responsible, start, end, services."""
    linked = links.groupby("measure_id")["service"].agg(lambda s: ", ".join(s))
    return pd.DataFrame(
        {
            "Handlungsfeld": field_labels(measures).to_numpy(),
            "Maßnahme": measures["measure"].to_numpy(),
            "Status": measures["status"].map(STATUS_LABELS).to_numpy(),
            "Verantwortlich": [r if isinstance(r, str) else "–" for r in measures["responsible"]],
            "Beginn": measures["start"].map(_month).to_numpy(),
            "Ende": measures["end"].map(_month).to_numpy(),
            "Leistungen": [linked.get(i, "–") for i in measures["measure_id"]],
        }
    )


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """A measure's updates, newest first: Datum, Status (with the change), Sachstand, von."""
    rows = history.iloc[::-1]
    status = [
        STATUS_LABELS.get(s, s)
        if p is None or pd.isna(p) or p == s
        else f"{STATUS_LABELS.get(p, p)} → {STATUS_LABELS.get(s, s)}"
        for p, s in zip(rows["previous_status"], rows["status"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Datum": [f"{d:%d.%m.%Y}" for d in rows["changed_on"]],
            "Status": status,
            "Sachstand": rows["note"].fillna("").to_numpy(),
            "von": rows["changed_by"].to_numpy(),
        }
    )


def _cells(
    service_months: pd.DataFrame, catalog: pd.DataFrame, stops: dict[str, str], months: list[str]
) -> pd.DataFrame:
    """Every catalog service x month with reported, complete, expected (False where the service
    has no entry in db.figures.service_months) and stopped (marked as no longer reported)."""
    names = ["service", "month"]
    grid = pd.MultiIndex.from_product([list(catalog["service"]), months], names=names)
    known = service_months.set_index(names)[["reported", "complete", "expected"]]
    cells = known.reindex(grid, fill_value=False).astype(bool).reset_index()
    cells["stopped"] = [
        s in stops and m >= stops[s] for s, m in zip(cells["service"], cells["month"], strict=True)
    ]
    return cells.merge(catalog[["service", "department"]], on="service", how="left")


def coverage_grid(
    service_months: pd.DataFrame, catalog: pd.DataFrame, stops: dict[str, str], months: list[str]
) -> pd.DataFrame:
    """Every service x month with its state: vollständig, unvollständig (one channel), fehlt,
    or entfällt (marked as no longer reported from an earlier month on, and nothing came)."""
    cells = _cells(service_months, catalog, stops, months)
    cells["state"] = [
        "vollständig" if c else "unvollständig" if r else "entfällt" if gone else "fehlt"
        for r, c, gone in zip(cells["reported"], cells["complete"], cells["stopped"], strict=True)
    ]
    return cells[["service", "month", "state"]]


def department_grid(
    service_months: pd.DataFrame, catalog: pd.DataFrame, stops: dict[str, str], months: list[str]
) -> pd.DataFrame:
    """Every department x month: vollständig (every expected service, or while none is
    expected yet every reporting one, has both channels), unvollständig, fehlt (nothing came),
    entfällt (every service marked as no longer reported), with a 'detail' such as
    '3 von 5 vollständig'."""
    cells = _cells(service_months, catalog, stops, months)
    rows = []
    for (dep, month), c in cells.groupby(["department", "month"], sort=False):
        base = c[c["expected"]] if c["expected"].any() else c[c["reported"] | ~c["stopped"]]
        done = int(base["complete"].sum())
        if c["stopped"].all() and not c["reported"].any():
            state = "entfällt"
        elif not c["reported"].any():
            state = "fehlt"
        elif done == len(base):
            state = "vollständig"
        else:
            state = "unvollständig"
        detail = f"{done} von {len(base)} vollständig"
        if partial := int((base["reported"] & ~base["complete"]).sum()):
            detail += f", {partial} unvollständig"
        rows.append((dep, month, state, detail))
    return pd.DataFrame(rows, columns=["department", "month", "state", "detail"])


def months_table(
    states: pd.DataFrame, service_months: pd.DataFrame, months: list[str], latest: str | None
) -> pd.DataFrame:
    """Per month: Monat, Stand (vollständig, unvollständig, vorläufig after the latest complete
    month), gemeldet ('11 von 12 Leistungen'), and which expected services are missing."""
    by_month = states.set_index("month")
    rows = []
    for month in months:
        if month not in by_month.index:
            continue
        r = by_month.loc[month]
        expected = service_months[(service_months["month"] == month) & service_months["expected"]]
        missing = sorted(expected.loc[~expected["complete"], "service"], key=str.casefold)
        named = ", ".join(missing[:MISSING_NAMED])
        if len(missing) > MISSING_NAMED:
            named += f" und {len(missing) - MISSING_NAMED} weitere"
        if r["complete"]:
            stand = "vollständig"
        elif latest is None or month > latest:
            stand = "vorläufig"
        else:
            stand = "unvollständig"
        rows.append(
            (
                format_month(month),
                stand,
                f"{format_int(int(r['reported']))} von {format_services(int(r['expected']))}",
                named or "–",
            )
        )
    return pd.DataFrame(rows, columns=["Monat", "Stand", "gemeldet", "Es fehlen"])


def grid_table(grid: pd.DataFrame, row: str, row_title: str) -> pd.DataFrame:
    """A coverage grid as a text table: one row per service/department, one column per
    month, the cells ✓ (vollständig), ½ (unvollständig) or – (fehlt)."""
    months = list(dict.fromkeys(grid["month"]))
    wide = grid.pivot(index=row, columns="month", values="state")
    wide = wide.reindex(index=list(dict.fromkeys(grid[row])), columns=months)
    wide = wide.apply(lambda col: col.map(COVERAGE_SYMBOLS))
    wide.columns = [format_month(m) for m in months]
    wide.index.name = row_title
    return wide.reset_index()


def department_loads_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Fachbereich": df["department"].to_numpy(),
            "Leistungen": df["services"].map(_int).to_numpy(),
            "Zuletzt geladen": [
                "noch nie" if v is None or pd.isna(v) else format_moment(v) for v in df["last_load"]
            ],
            "Neuester Monat": df["last_month"].map(_month).to_numpy(),
        }
    )


def load_log_table(df: pd.DataFrame, *, with_user: bool) -> pd.DataFrame:
    """The load log; who loaded is shown to signed-in users only."""
    out = pd.DataFrame(
        {
            "Nr.": df["id"].map(_int).to_numpy(),
            "Geladen am": [format_moment(v, unit=False) for v in df["loaded_at"]],
            "Art": df["kind"].map(LOAD_KIND_LABELS).fillna(df["kind"]).to_numpy(),
            "Datei": df["file_name"].to_numpy(),
            "Zeilen": df["rows"].map(_int).to_numpy(),
            "Ergebnis": df["summary"].fillna("").to_numpy(),
            "Stand": df["state"].map(LOAD_STATE_LABELS).fillna(df["state"]).to_numpy(),
        }
    )
    if with_user:
        out.insert(4, "Geladen von", df["loaded_by"].to_numpy())
    return out


def targets_table(rows: list[dict]) -> pd.DataFrame:
    """Targets with their status: Leistung, Ziel, bis, aktuell (base), Status, Prognose."""
    return pd.DataFrame(
        rows,
        columns=["Leistung", "Ziel", "bis", "Aktuelle Quote", "Basis", "Status", "Prognose"],
    )


MARKER_COLUMNS = ["nr", "month", "event"]


def service_markers(
    online_since: object, events: pd.DataFrame, start: str, end: str
) -> pd.DataFrame:
    """The marks on a service's time axis from start to end, in time order and numbered from
    1 (nr, month, event): when it went online, each status change of a linked measure. The
    chart shows the numbers, the table under it (markers_table) says what they mark."""
    rows = []
    if online_since := month_or_none(online_since):
        rows.append((online_since, 0, "Leistung online verfügbar"))
    for on, measure, prev, status in zip(
        events["changed_on"], events["measure"], events["previous_status"], events["status"],
        strict=True,
    ):  # fmt: skip
        change = f"{STATUS_LABELS.get(prev, prev)} → {STATUS_LABELS.get(status, status)}"
        rows.append((f"{on:%Y-%m}", 1, f"Maßnahme „{measure}“: {change}"))
    rows = sorted(r for r in rows if start <= r[0] <= end)
    return pd.DataFrame(
        [(i, month, event) for i, (month, _order, event) in enumerate(rows, start=1)],
        columns=MARKER_COLUMNS,
    )


def markers_table(markers: pd.DataFrame) -> pd.DataFrame:
    """service_markers as text: Nr., Monat, Ereignis (one date format: the month)."""
    return pd.DataFrame(
        {
            "Nr.": markers["nr"].map(_int).to_numpy(),
            "Monat": markers["month"].map(format_month).to_numpy(),
            "Ereignis": markers["event"].to_numpy(),
        }
    )


def projection_frame(projection) -> pd.DataFrame | None:  # noqa: ANN001
    """A db.targets.Projection as the (month, share) frame the chart builders draw."""
    if projection is None:
        return None
    return pd.DataFrame({"month": projection.months, "share": projection.shares})


# A display table as plain HTML: st.table runs its cells through Markdown, which turns names
# from files into links (any URL or e-mail address) and worse; here every cell is escaped text.
# Its styles (class pq-table) are in dashboard/static/portalquote.css.
_N = r"\d{1,3}(\.\d{3})*"
NUMBER_CELL = re.compile(rf"^(–|[+−±]?{_N}(,\d+)?( %| Pp\.)?|{_N} von {_N}|[✓½])$")
GREY_COLUMNS = ("Onlinequote", "Hinweis")


def html_table(
    df: pd.DataFrame,
    *,
    caption: str,
    grey: pd.Series | None = None,
    row_header: str | None = None,
) -> str:
    """The table as escaped HTML (class pq-table) with its caption: header cells for the
    columns and, in each row, for the cell that names the row (`row_header`, default the
    first column); numeric columns right-aligned; in the rows flagged in `grey` the share and
    the note greyed (italic, still 6:1 contrast).

    A wide table scrolls sideways inside a region that takes the keyboard focus (named by
    the caption), so that it can be scrolled without a mouse (WCAG 2.1.1, 1.4.10).
    """
    cols = [str(c) for c in df.columns]
    values = [["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
               for v in row] for row in df.itertuples(index=False)]  # fmt: skip
    numeric = [
        any(row[i] for row in values) and all(NUMBER_CELL.match(row[i]) or not row[i]
                                              for row in values)
        for i in range(len(cols))
    ]  # fmt: skip
    flags = list(grey) if grey is not None else [False] * len(values)
    header = cols.index(row_header) if row_header is not None else 0
    num_attr = ' class="num"'
    head = "".join(
        f'<th scope="col"{num_attr if num else ""}>{html.escape(c)}</th>'
        for c, num in zip(cols, numeric, strict=True)
    )
    body = []
    for row, flag in zip(values, flags, strict=True):
        cells = []
        for i, (c, value, num) in enumerate(zip(cols, row, numeric, strict=True)):
            classes = (["num"] if num else []) + (["pq-grey"] if flag and c in GREY_COLUMNS else [])
            attr = f' class="{" ".join(classes)}"' if classes else ""
            tag = "th" if i == header else "td"
            scope = ' scope="row"' if i == header else ""
            cells.append(f"<{tag}{scope}{attr}>{html.escape(value)}</{tag}>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    name = html.escape(caption, quote=True)
    return (
        f'<div class="pq-scroll" role="region" tabindex="0" aria-label="{name}">'
        f'<table class="pq-table" data-testid="stTable"><caption>{name}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def share_matrix(uptake: pd.DataFrame) -> pd.DataFrame:
    """The comparison as text: one row per month, per service its share with the base
    ('29,8 % (203 von 681)'), 'unvollständig' or '–' where nothing was reported."""
    services = list(dict.fromkeys(uptake["service"]))
    months = sorted(set(uptake["month"]))
    cells = {
        (r.service, r.month): (
            f"{format_percent(r.online_share)} ({format_int(int(r.online))} von "
            f"{format_int(int(r.total))})"
            if pd.notna(r.online_share)
            else INCOMPLETE
        )
        for r in uptake.itertuples()
    }
    return pd.DataFrame(
        {
            "Monat": [format_month(m) for m in months],
            **{s: [cells.get((s, m), "–") for m in months] for s in services},
        }
    )


def share_matrix_export(uptake: pd.DataFrame) -> pd.DataFrame:
    """share_matrix's rows and columns with the share in percent as a number."""
    wide = uptake.pivot_table(index="month", columns="service", values="online_share")
    wide = wide.reindex(columns=list(dict.fromkeys(uptake["service"])))
    wide = wide.reindex(sorted(set(uptake["month"])))
    out = (wide * 100).round(1).reset_index(drop=True)
    out.columns = [f"{c} (Onlinequote in %)" for c in out.columns]
    out.insert(0, "Monat", [format_month(m) for m in wide.index])
    return out


def linked_table(month: pd.DataFrame) -> pd.DataFrame:
    """A narrow table of one month: Leistung, Onlinequote, Basis ('83 von 250'), and a
    Hinweis column where a share rests on few requests or a channel is missing."""
    out = pd.DataFrame(
        {
            "Leistung": month["service"].to_numpy(),
            "Onlinequote": [
                _share(v, t) for v, t in zip(month["online_share"], month["total"], strict=True)
            ],
            "Basis": [
                f"{format_int(int(o))} von {format_int(int(t))}" if pd.notna(t) else "–"
                for o, t in zip(month["online"], month["total"], strict=True)
            ],
            "Hinweis": _notes(month),
        }
    )
    return out if out["Hinweis"].any() else out.drop(columns="Hinweis")
