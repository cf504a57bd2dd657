"""The report's content as a list of neutral blocks, built from a snapshot (German text)."""

import base64
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd

from db import figures
from db import targets as tg
from db.german import format_int, format_month, format_percent, format_points, format_services
from db.labels import STATUS_LABELS
from db.months import add_months, months_between
from report import charts, phrases

SMALL_BASE = figures.SMALL_BASE
CHART_MAX_SERVICES = 4  # measures with more linked services get a table, not a chart


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body, title, subtitle, lead, note, town, unit, spacer
    label: str | None = None  # printed bold before the text


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)  # right-aligned columns
    caption: str | None = None
    # (row, column) -> a traffic-light colour (green, orange, red, gray) for that cell's text,
    # which always says the status in words as well.
    tones: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Figure:
    png: bytes
    caption: str
    alt: str  # what the chart shows, for screen readers (the caption only names it)
    width_cm: float = 16.0


@dataclass
class Logo:
    data: bytes
    mime: str  # image/png or image/jpeg
    alt: str


@dataclass
class PageBreak:
    pass


Block = Heading | Paragraph | Bullets | Table | Figure | Logo | PageBreak

# A share on a small base carries this marker; a note after the block says what it means.
SMALL_MARK = ")*"
SMALL_NOTE = (
    f"* Onlinequote auf Grundlage von weniger als {SMALL_BASE} Anträgen: nur bedingt "
    "aussagekräftig."
)
TONES = {"green", "orange", "red", "gray"}


@dataclass(frozen=True)
class DocumentInfo:
    """What the PDF and the .docx say about themselves (document properties)."""

    title: str
    author: str
    subject: str
    created: datetime  # with its time zone
    language: str = "de-DE"

    @property
    def created_utc(self) -> datetime:
        return self.created.astimezone(UTC).replace(tzinfo=None)


def german_date(iso: str | None) -> str:
    return "–" if not iso else f"{date.fromisoformat(iso[:10]):%d.%m.%Y}"


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "–")


def share_text(share: float | None, total: int | None) -> str:
    """'29,8 %' or, on a small base, '(14,3 %)*'; '–' without a share."""
    if share is None or share != share or not total:
        return "–"
    text = format_percent(share)
    return f"({text})*" if total < SMALL_BASE else text


def _row_share(r: dict) -> str:
    """A stored row's share, or 'unvollständig' where a channel is missing."""
    return share_text(r["online_share"], r["total"]) if r["total"] is not None else "unvollständig"


def _uptake_frame(snapshot: dict) -> pd.DataFrame:
    df = pd.DataFrame(
        snapshot["uptake"],
        columns=["service", "department", "month", "total", "online", "online_share"],
    )
    for c in ("total", "online"):
        df[c] = df[c].astype("Int64")
    df["online_share"] = df["online_share"].astype(float)
    return df


def _states(snapshot: dict, uptake: pd.DataFrame) -> pd.DataFrame:
    """The month states stored with the snapshot; a report stored before they were (version
    1) gets them recomputed from its own months."""
    if "months" in snapshot:
        return pd.DataFrame(snapshot["months"], columns=figures.MONTH_COLUMNS)
    coverage = uptake.assign(complete=uptake["total"].notna())
    return figures.month_states(figures.service_months(coverage))


class _Numbers:
    """Figure and table numbering."""

    def __init__(self) -> None:
        self.figures = 0
        self.tables = 0

    def figure(self, text: str) -> str:
        self.figures += 1
        return f"Abbildung {self.figures}: {text}"

    def table(self, text: str) -> str:
        self.tables += 1
        return f"Tabelle {self.tables}: {text}"


def _service_sentence(row: dict, month: str) -> str:
    """The 2021 report's sentence: '681 Anträge ... davon 203 über das Serviceportal'."""
    name, total, online = row["service"], row["total"], row["online"]
    if total is None:
        month_name = format_month(month, long=True)
        return f"{name}: für {month_name} liegen noch keine vollständigen Zahlen vor."
    return (
        f"{name}: {format_int(total)} Anträge im {format_month(month, long=True)} insgesamt, "
        f"davon {format_int(online)} über das Serviceportal "
        f"({share_text(row['online_share'], total)})."
    )


def _issuer(s: dict) -> dict:
    return s.get("issuer") or {"town": "", "unit": "", "logo": None, "logo_mime": None}


def _title_page(s: dict) -> list[Block]:
    iss = _issuer(s)
    blocks: list[Block] = []
    if iss.get("logo"):
        name = iss.get("town") or iss.get("unit") or "der herausgebenden Stelle"
        blocks.append(Logo(base64.b64decode(iss["logo"]), iss["logo_mime"], f"Logo: {name}"))
    if iss.get("town"):
        blocks.append(Paragraph(iss["town"], "town"))
    if iss.get("unit"):
        blocks.append(Paragraph(iss["unit"], "unit"))
    blocks += [
        Paragraph("", "spacer"),
        Paragraph(s["title"], "title"),
        Paragraph("zur Umsetzung der E-Government-Strategie", "subtitle"),
        Paragraph(
            f"{format_month(s['period_start'], long=True)} bis "
            f"{format_month(s['period_end'], long=True)}",
            "lead",
            label="Berichtszeitraum: ",
        ),
        Paragraph(german_date(s["cutoff"]), "lead", label="Datenstand (Stichtag): "),
        Paragraph(german_date(s["generated_at"]), "lead", label="Erstellt am: "),
    ]
    if s["previous"]:
        prev = s["previous"]
        blocks.append(
            Paragraph(
                f"{prev['title']} (Stichtag {german_date(prev['cutoff'])})",
                "lead",
                label="Vorheriger Bericht: ",
            )
        )
    if s["demo"]:
        blocks.append(
            Paragraph(
                "Dieser Bericht beruht auf Beispieldaten und ist nicht zur Veröffentlichung "
                "bestimmt.",
                "note",
                label="Hinweis: ",
            )
        )
    blocks += [
        PageBreak(),
        Heading("Inhalt dieses Berichts", 1),
        Paragraph(
            "Der Sachstandsbericht folgt den Handlungsfeldern und Maßnahmen der "
            "E-Government-Strategie. Zu jeder Maßnahme nennt er den Umsetzungsstand zum "
            "Stichtag, die Statusänderungen seit dem letzten Bericht und den aktuellen "
            "Sachstand. Die Zahlen zur Inanspruchnahme der Online-Dienste stammen aus den "
            "Monatsmeldungen der Fachbereiche und dem Export des Serviceportals, so wie sie am "
            "Stichtag geladen waren. Der Abschnitt „Änderungen seit dem letzten Bericht“ "
            "fasst zusammen, was sich seitdem verändert hat."
        ),
    ]
    return blocks


def _changes_sentence(fig: figures.MonthFigures) -> str:
    """'Veränderung zum Vormonat: ±0,0 Pp. (12 Leistungen in beiden Monaten), ...'."""
    parts = [
        f"zum {label}: {format_points(change.points)} ({phrases.in_both(change)})"
        for label, change in (("Vormonat", fig.previous), ("Vorjahresmonat", fig.year))
        if change is not None
    ]
    return f" Veränderung der Onlinequote {' und '.join(parts)}." if parts else ""


def _previous_sentence(s: dict, uptake: pd.DataFrame) -> str:
    """The share of the same services in the last report's month, and the change since."""
    prev = s["previous"]
    if not prev or "uptake" not in prev:
        return ""
    then = pd.DataFrame(prev["uptake"], columns=["service", "month", "total", "online"])
    now = uptake[uptake["month"] == s["period_end"]]
    if then.empty or now.empty or (change := figures.compare(now, then)) is None:
        return ""
    return (
        f" Im letzten Bericht ({format_month(prev['period_end'], long=True)}) lag die "
        f"Onlinequote derselben {format_services(change.services)} bei "
        f"{share_text(change.then.share, change.then.total)} ({format_points(change.points)})."
    )


def _overview(s: dict, uptake: pd.DataFrame, n: _Numbers) -> list[Block]:
    end = s["period_end"]
    fig = figures.month_figures(uptake, _states(s, uptake), end)
    now = fig.current
    blocks: list[Block] = [Heading("Überblick", 1)]
    if now.services:
        text = (
            f"Im {format_month(end, long=True)} wurden bei {now.services} erfassten "
            f"Leistungen insgesamt {format_int(now.total)} Anträge gestellt, davon "
            f"{format_int(now.online)} über das Serviceportal "
            f"({share_text(now.share, now.total)})."
        )
        if not fig.state.complete:
            text += f" Der Monat ist noch nicht vollständig ({phrases.provisional(fig.state)})."
        text += _changes_sentence(fig) + _previous_sentence(s, uptake)
        blocks.append(Paragraph(text))
    else:
        text = (
            f"Für {format_month(end, long=True)} lagen zum Stichtag keine vollständigen "
            "Antragszahlen vor."
        )
        if fig.state.expected:
            text += f" Stand: {phrases.provisional(fig.state)}."
        blocks.append(Paragraph(text))
    measures = pd.DataFrame(
        [
            {"group": f["group"], "field": f["name"], "field_position": i, "status": m["status"]}
            for i, f in enumerate(s["fields"])
            for m in f["measures"]
        ],
        columns=["group", "field", "field_position", "status"],
    )
    counts = figures.status_counts(measures)
    # Only the statuses that occur: fewer, wider columns keep the German headers whole.
    statuses = [k for k in STATUS_LABELS if counts.loc[counts["status"] == k, "count"].sum()]
    rows = [
        [field, *(format_int(c.loc[c["status"] == k, "count"].sum()) for k in statuses),
         format_int(c["count"].sum())]
        for field, c in counts.groupby("field", sort=False)
    ]  # fmt: skip
    if rows:
        rows.append(
            ["Gesamt", *(format_int(counts.loc[counts["status"] == k, "count"].sum())
                         for k in statuses), format_int(counts["count"].sum())]
        )  # fmt: skip
        blocks.append(
            Table(
                ["Handlungsfeld", *(STATUS_LABELS[k] for k in statuses), "gesamt"],
                rows,
                [False] + [True] * (len(statuses) + 1),
                n.table("Maßnahmen je Handlungsfeld nach Status zum Stichtag"),
            )
        )
    if rows:
        blocks += _overdue(s, n)
    return blocks


def _measure_frame(s: dict) -> pd.DataFrame:
    """The snapshot's measures as rows (measure_id, field, measure, status, end, responsible)."""
    return pd.DataFrame(
        [
            {"measure_id": m["id"], "field": f["name"], "measure": m["name"],
             "status": m["status"], "end": m["end"], "responsible": m["responsible"]}
            for f in s["fields"]
            for m in f["measures"]
        ],
        columns=["measure_id", "field", "measure", "status", "end", "responsible"],
    )  # fmt: skip


def _overdue_ids(s: dict) -> set[int]:
    return set(figures.overdue_measures(_measure_frame(s), s["cutoff"][:7])["measure_id"])


def _overdue(s: dict, n: _Numbers) -> list[Block]:
    """The measures whose planned end month has passed at the cut-off and are not done."""
    late = figures.overdue_measures(_measure_frame(s), s["cutoff"][:7])
    blocks: list[Block] = [Heading("Überfällige Maßnahmen", 2)]
    if late.empty:
        blocks.append(
            Paragraph(
                "Keine Maßnahme hat zum Stichtag ihr geplantes Ende überschritten, ohne "
                "umgesetzt zu sein."
            )
        )
        return blocks
    count = len(late)
    blocks.append(
        Paragraph(
            f"{format_int(count)} Maßnahme{'n haben' if count > 1 else ' hat'} zum Stichtag "
            f"{german_date(s['cutoff'])} das geplante Ende überschritten und "
            f"{'sind' if count > 1 else 'ist'} noch nicht umgesetzt."
        )
    )
    blocks.append(
        Table(
            ["Handlungsfeld", "Maßnahme", "Status", "Ende geplant", "Verantwortlich"],
            [
                [
                    r.field,
                    r.measure,
                    status_label(r.status),
                    format_month(r.end),
                    r.responsible or "–",
                ]
                for r in late.itertuples(index=False)
            ],
            [False, False, False, True, False],
            n.table(f"Überfällige Maßnahmen zum Stichtag {german_date(s['cutoff'])}"),
        )  # fmt: skip
    )
    return blocks


def _targets(s: dict, uptake: pd.DataFrame, n: _Numbers) -> list[Block]:
    """The targets with their traffic light and the trend projection, as of the period end."""
    goals = s.get("targets") or []
    if not goals:
        return []
    blocks: list[Block] = [
        Heading("Ziele", 1),
        Paragraph(
            "Die Ziele sind so aufgeführt, wie sie bei der Erstellung des Berichts festgelegt "
            f"waren, gemessen an den Zahlen bis {format_month(s['period_end'], long=True)}. Das "
            "Gesamtziel bezieht sich auf die vollständigen Monate über alle Leistungen. Die "
            "Prognose schreibt den linearen Trend der letzten zwölf Monate mit Zahlen fort; sie "
            "ist eine Rechnung, keine Zusage."
        ),
    ]
    evaluated = tg.evaluate_all(
        [(g["service"], g["share"], g["due_month"]) for g in goals], uptake, _states(s, uptake)
    )
    rows, tones = [], {}
    for i, (service, ev) in enumerate(evaluated):
        current = (
            f"{share_text(ev.current, ev.total)} ({format_month(ev.month)})" if ev.month else "–"
        )
        if ev.projection is None:
            forecast = "noch keine Prognose"
        elif ev.projection.reach_month is None:
            forecast = "nicht absehbar"
        else:
            forecast = f"erreicht {format_month(ev.projection.reach_month)}"
        rows.append([service or "Alle Leistungen (Gesamtziel)", format_percent(ev.share, 0),
                     format_month(ev.due_month), current, ev.status.label, forecast])  # fmt: skip
        tones[(i, 4)] = ev.status.color if ev.status.color in TONES else "gray"
    blocks.append(
        Table(
            ["Ziel für", "Zielquote", "bis", "zuletzt", "Stand", "Prognose"],
            rows,
            [False, True, True, True, False, False],
            n.table("Ziele mit Stand (Ampel) und Prognose"),
            tones,
        )
    )
    blocks.append(
        Paragraph(
            "Stand: „erreicht“ und „auf Kurs“ (grün), „verzögert“ (orange: nach dem Trend erst "
            "nach dem Zielmonat erreicht), „nicht auf Kurs“ und „verfehlt“ (rot), „noch keine "
            "Prognose“ (grau: weniger als drei Monate mit Zahlen).",
            "note",
        )
    )
    return blocks


def _measure(
    s: dict, m: dict, changes: list[dict], uptake: pd.DataFrame, n: _Numbers, late: bool
) -> list[Block]:
    blocks: list[Block] = [Heading(m["name"], 2)]
    status = status_label(m["status"])
    if changes:
        steps = "; ".join(
            f"{status_label(c['previous_status'])} → {status_label(c['status'])} "
            f"am {german_date(c['changed_on'])}"
            for c in changes
        )
        status += f" (geändert seit dem letzten Bericht: {steps})"
    else:
        status += " (unverändert seit dem letzten Bericht)"
    blocks.append(Paragraph(status, label="Status: "))
    facts = []
    if m["responsible"]:
        facts.append(f"Verantwortlich: {m['responsible']}")
    if m["start"] or m["end"]:
        start = format_month(m["start"]) if m["start"] else "offen"
        end = format_month(m["end"]) if m["end"] else "offen"
        facts.append(f"Zeitraum: {start} bis {end}" + (" – Ende überschritten" if late else ""))
    if facts:
        blocks.append(Paragraph(" · ".join(facts), "note"))
    if m["note"]:
        blocks.append(Paragraph(m["note"], label=f"Sachstand ({german_date(m['note_date'])}): "))
    services = m["services"]
    if services:
        end = s["period_end"]
        rows = {r["service"]: r for r in s["uptake"] if r["month"] == end}
        if len(services) <= CHART_MAX_SERVICES:
            blocks.append(
                Bullets(
                    [
                        _service_sentence(
                            rows.get(name, {"service": name, "total": None, "online": None}),
                            end,
                        )
                        for name in services
                    ]
                )
            )
            data = uptake[uptake["service"].isin(services)]
            if data["online_share"].notna().any():
                chart = charts.share_lines(data, width=560, height=170)
                blocks.append(
                    Figure(
                        charts.to_png(chart),
                        n.figure(f"Onlinequote der mit „{m['name']}“ verknüpften Leistungen"),
                        _lines_alt(data),
                        15,
                    )
                )
        else:
            blocks.append(
                Paragraph(
                    f"Verknüpft sind {len(services)} Leistungen; ihre Zahlen für "
                    f"{format_month(end, long=True)} stehen im Abschnitt „Inanspruchnahme der "
                    "Online-Dienste“."
                )
            )
    return blocks


def _fields(s: dict, uptake: pd.DataFrame, n: _Numbers) -> list[Block]:
    blocks: list[Block] = []
    by_measure: dict[int, list[dict]] = {}
    for c in s["status_changes"]:
        by_measure.setdefault(c["measure_id"], []).append(c)
    late = _overdue_ids(s)
    for i, f in enumerate(s["fields"], start=1):
        blocks.append(Heading(f"Handlungsfeld {i} „{f['name']}“", 1))
        if f["group"]:
            blocks.append(Paragraph(f["group"], "note", label="Bereich: "))
        for m in f["measures"]:
            blocks += _measure(s, m, by_measure.get(m["id"], []), uptake, n, m["id"] in late)
    return blocks


def _span(frame: pd.DataFrame) -> str:
    return f"{format_month(frame['month'].min())} bis {format_month(frame['month'].max())}"


def _lines_alt(data: pd.DataFrame) -> str:
    """'Liniendiagramm der Onlinequote je Monat, Nov. 2019 bis Okt. 2021: A von 3,1 % (Nov.
    2019) auf 29,8 % (Okt. 2021); ...'."""
    known = data[data["online_share"].notna()].sort_values("month")
    parts = []
    for service, own in known.groupby("service", sort=False):
        first, last = own.iloc[0], own.iloc[-1]
        parts.append(
            f"{service} von {format_percent(first['online_share'])} "
            f"({format_month(first['month'])}) auf {format_percent(last['online_share'])} "
            f"({format_month(last['month'])})"
        )
    return f"Liniendiagramm der Onlinequote je Monat, {_span(known)}: {'; '.join(parts)}."


def _period_rows(s: dict, uptake: pd.DataFrame) -> list[list[str]]:
    period = figures.service_period(uptake, s["period_start"], s["period_end"])
    return [
        [r.service, format_int(r.total), format_int(r.online),
         share_text(r.online_share, r.total), format_points(r.change)]
        for r in period.itertuples(index=False)
    ]  # fmt: skip


def _uptake(s: dict, uptake: pd.DataFrame, n: _Numbers) -> list[Block]:
    end, start = s["period_end"], s["period_start"]
    blocks: list[Block] = [Heading("Inanspruchnahme der Online-Dienste", 1)]
    if not uptake["total"].notna().any():
        blocks.append(Paragraph("Zum Stichtag lagen für diesen Zeitraum keine Antragszahlen vor."))
        return blocks
    first_chart = uptake["month"].min()
    sums = figures.monthly_sums(uptake)
    low, high = sums.loc[sums["total"].idxmin()], sums.loc[sums["total"].idxmax()]
    last = sums.iloc[-1]
    blocks.append(
        Figure(
            charts.to_png(charts.volume_bars(uptake, width=620, height=200)),
            n.figure(
                f"Anträge je Monat über alle erfassten Leistungen, {format_month(first_chart)} "
                f"bis {format_month(end)}: online und auf anderen Wegen"
            ),
            f"Gestapeltes Säulendiagramm der Anträge je Monat, {_span(sums)}, geteilt in online "
            f"und vor Ort oder andere Wege. Am wenigsten Anträge: {format_int(low['total'])} "
            f"({format_month(low['month'])}), am meisten: {format_int(high['total'])} "
            f"({format_month(high['month'])}); zuletzt {format_int(last['total'])} Anträge, "
            f"davon {format_int(last['online'])} online ({format_month(last['month'])}). Die "
            "Zahlen je Leistung und Monat stehen im Anhang.",
        )
    )
    online_services = uptake.groupby("service")["online"].max()
    online_services = sorted(online_services[online_services.fillna(0) > 0].index)
    if online_services:
        shown = uptake[uptake["service"].isin(online_services)]
        known = shown[shown["online_share"].notna()].sort_values("month")
        latest = known.groupby("service").tail(1).sort_values("service")
        blocks.append(
            Figure(
                charts.to_png(charts.share_facets(shown)),
                n.figure(
                    "Onlinequote je Leistung (nur Leistungen mit Online-Anträgen), alle auf "
                    "derselben Skala"
                ),
                f"Kleine Flächendiagramme der Onlinequote je Monat, eines je Leistung, alle mit "
                f"derselben Skala bis {format_percent(charts.facet_top(shown), 0)}, "
                f"{_span(known)}. Zuletzt: "
                + "; ".join(
                    f"{r.service} {format_percent(r.online_share)} ({format_month(r.month)})"
                    for r in latest.itertuples(index=False)
                )
                + ".",
            )
        )
    month_rows = []
    for r in sorted(
        (r for r in s["uptake"] if r["month"] == end), key=lambda r: (r["department"], r["service"])
    ):
        month_rows.append(
            [
                r["service"],
                r["department"],
                format_int(r["total"]),
                format_int(r["online"]),
                _row_share(r),
            ]
        )
    if month_rows:
        blocks.append(
            Table(
                ["Leistung", "Fachbereich", "Anträge gesamt", "davon online", "Onlinequote"],
                month_rows,
                [False, False, True, True, True],
                n.table(f"Anträge je Leistung im {format_month(end, long=True)}"),
            )
        )
    period = _period_rows(s, uptake)
    if period and start != end:
        blocks.append(
            Table(
                [
                    "Leistung",
                    "Anträge im Zeitraum",
                    "davon online",
                    "Onlinequote",
                    f"Veränderung {format_month(start)} bis {format_month(end)}",
                ],
                period,
                [False, True, True, True, True],
                n.table(
                    f"Berichtszeitraum {format_month(start, long=True)} bis "
                    f"{format_month(end, long=True)}; Veränderung der Onlinequote in "
                    "Prozentpunkten (Pp.)"
                ),
            )
        )
    return blocks


def _changes(s: dict, n: _Numbers) -> list[Block]:
    prev = s["previous"]
    blocks: list[Block] = [Heading("Änderungen seit dem letzten Bericht", 1)]
    if prev:
        blocks.append(
            Paragraph(
                f"Verglichen wird mit dem Bericht „{prev['title']}“ (Stichtag "
                f"{german_date(prev['cutoff'])}). Aufgeführt ist, was sich bis zum Stichtag "
                f"{german_date(s['cutoff'])} geändert hat."
            )
        )
    else:
        blocks.append(
            Paragraph(
                "Ein früherer Bericht ist nicht gespeichert; aufgeführt sind die Änderungen "
                f"seit Beginn des Berichtszeitraums ({format_month(s['period_start'], long=True)}"
                f") bis zum Stichtag {german_date(s['cutoff'])}."
            )
        )
    blocks.append(Heading("Statusänderungen", 2))
    if s["status_changes"]:
        blocks.append(
            Table(
                ["Handlungsfeld", "Maßnahme", "bisher", "neu", "geändert am"],
                [
                    [
                        c["field"],
                        c["measure"],
                        status_label(c["previous_status"]),
                        status_label(c["status"]),
                        german_date(c["changed_on"]),
                    ]
                    for c in s["status_changes"]
                ],
                [False, False, False, False, True],
                n.table("Statusänderungen der Maßnahmen"),
            )
        )
    else:
        blocks.append(Paragraph("Keine Maßnahme hat ihren Status geändert."))
    after = s["changes_after"]
    noted = [
        m["name"]
        for f in s["fields"]
        for m in f["measures"]
        if m["note_date"] and after < m["note_date"] <= s["cutoff"]
    ]
    blocks.append(Heading("Neue Sachstände", 2))
    blocks.append(
        Paragraph(f"Neue Sachstände liegen vor zu: {', '.join(noted)}.")
        if noted
        else Paragraph("Es liegen keine neuen Sachstände vor.")
    )
    since = prev["period_end"] if prev else add_months(s["period_start"], -1)
    new_online = sorted(
        (
            x
            for x in s["services"]
            if x["online_since"] and since < x["online_since"] <= s["period_end"]
        ),
        key=lambda x: (x["online_since"], x["service"]),
    )
    blocks.append(Heading("Neu online verfügbare Leistungen", 2))
    blocks.append(
        Bullets(
            [
                f"{x['service']} (seit {format_month(x['online_since'], long=True)})"
                for x in new_online
            ]
        )
        if new_online
        else Paragraph("Im Berichtszeitraum ist keine Leistung neu online gegangen.")
    )
    if prev:
        blocks.append(Heading("Nachträglich geänderte Zahlen", 2))
        if s["corrections"]:
            blocks.append(
                Table(
                    ["Leistung", "Monat", "bisher gesamt / online", "jetzt gesamt / online"],
                    [
                        [
                            c["service"],
                            format_month(c["month"]),
                            f"{format_int(c['old_total'])} / {format_int(c['old_online'])}",
                            f"{format_int(c['new_total'])} / {format_int(c['new_online'])}",
                        ]
                        for c in s["corrections"]
                    ],
                    [False, False, True, True],
                    n.table("Zahlen, die nach dem letzten Bericht berichtigt wurden"),
                )
            )
        else:
            blocks.append(
                Paragraph("Die im letzten Bericht genannten Zahlen sind unverändert geblieben.")
            )
    return blocks


def _appendix(s: dict, n: _Numbers) -> list[Block]:
    months = months_between(s["period_start"], s["period_end"])
    blocks: list[Block] = [PageBreak(), Heading("Anhang: Monatszahlen je Leistung", 1)]
    rows = [
        [
            r["service"],
            format_month(r["month"]),
            format_int(r["total"]),
            format_int(r["online"]),
            _row_share(r),
        ]
        for r in sorted(s["uptake"], key=lambda r: (r["service"], r["month"]))
        if r["month"] in months
    ]
    if not rows:
        blocks.append(Paragraph("Für den Berichtszeitraum liegen keine Antragszahlen vor."))
        return blocks
    blocks.append(
        Table(
            ["Leistung", "Monat", "Anträge gesamt", "davon online", "Onlinequote"],
            rows,
            [False, False, True, True, True],
            n.table(
                "Anträge je Leistung und Monat im Berichtszeitraum (Tabelle zu den Abbildungen)"
            ),
        )
    )
    return blocks


def _notes(s: dict) -> list[Block]:
    return [
        Heading("Hinweise zu den Daten", 1),
        Bullets(
            [
                "Online zählt ein Antrag, der über das Serviceportal gestellt wurde; alle "
                "anderen Wege (Bürgerbüro, Post, Telefon) zählen als vor Ort.",
                "Wo ein Export des Serviceportals vorliegt, ist er für die Online-Zahl "
                "maßgeblich; sonst gilt die Monatsmeldung des Fachbereichs.",
                "Ein Monat, für den nur einer der beiden Wege gemeldet wurde, gilt als "
                "unvollständig und hat keine Onlinequote.",
                phrases.COMPLETE_DEFINITION,
                f"Alle Zahlen und Sachstände geben den Datenstand am Ende des Stichtags "
                f"{german_date(s['cutoff'])} wieder; später geladene Daten sind nicht "
                "berücksichtigt.",
                f"Erstellt mit Portalquote am {german_date(s['generated_at'])}.",
            ]
        ),
    ]


def _texts(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Bullets):
        return block.items
    if isinstance(block, Table):
        return [v for row in block.rows for v in row]
    return []


def marked(block: Block) -> bool:
    """Whether the block prints a share on a small base ('(14,3 %)*')."""
    return any(SMALL_MARK in t for t in _texts(block))


def _footnotes(blocks: list[Block]) -> list[Block]:
    """The note on '*' right after each block that uses the marker, and nowhere else."""
    out: list[Block] = []
    for block in blocks:
        out.append(block)
        if marked(block):
            out.append(Paragraph(SMALL_NOTE, "note"))
    return out


def build_blocks(snapshot: dict) -> list[Block]:
    """The whole report, top to bottom; charts are rendered to PNG here."""
    n = _Numbers()
    uptake = _uptake_frame(snapshot)
    return _footnotes(
        [
            *_title_page(snapshot),
            *_overview(snapshot, uptake, n),
            *_targets(snapshot, uptake, n),
            *_fields(snapshot, uptake, n),
            *_uptake(snapshot, uptake, n),
            *_changes(snapshot, n),
            *_notes(snapshot),
            *_appendix(snapshot, n),
        ]
    )


def generated_at(snapshot: dict) -> datetime:
    """When the report was generated, with its UTC offset (reports stored before version 3
    have none: their time is the server's local time)."""
    return datetime.fromisoformat(snapshot["generated_at"]).astimezone()


def document_info(snapshot: dict) -> DocumentInfo:
    iss = _issuer(snapshot)
    subject = "Sachstandsbericht zur Umsetzung der E-Government-Strategie"
    if iss.get("town"):
        subject += f" – {iss['town']}"
    return DocumentInfo(
        title=snapshot["title"],
        author=snapshot.get("author") or iss.get("unit") or "Portalquote",
        subject=subject,
        created=generated_at(snapshot),
    )
