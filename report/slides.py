"""What the Sitzungsmodus slides show, as German display tables (pure pandas, no Streamlit)."""

import pandas as pd

from db.asof import latest_complete_month
from db.german import format_int, format_month, format_percent, format_points
from db.labels import STATUS_LABELS
from db.months import add_months

RECENT_MONTHS = 12


def _sums(uptake: pd.DataFrame, month: str) -> tuple[int, int] | None:
    rows = uptake[(uptake["month"] == month) & uptake["total"].notna()]
    if rows.empty:
        return None
    return int(rows["total"].sum()), int(rows["online"].sum())


def overview_figures(uptake: pd.DataFrame) -> dict | None:
    """Headline figures of the latest complete month; None when there is none."""
    month = latest_complete_month(uptake)
    if month is None:
        return None
    total, online = _sums(uptake, month)  # type: ignore[misc]
    share = online / total if total else None
    out = {
        "month": format_month(month, long=True),
        "share": format_percent(share),
        "base": f"{format_int(online)} von {format_int(total)} Anträgen",
        "total": format_int(total),
        "online": format_int(online),
        "delta_month": None,
        "delta_year": None,
    }
    for key, back in (("delta_month", 1), ("delta_year", 12)):
        earlier = _sums(uptake, add_months(month, -back))
        if earlier and earlier[0] and share is not None:
            # Rounded first, so a tiny drop shows as "±0,0 Pp." rather than "−0,0 Pp.".
            out[key] = format_points(round(share - earlier[1] / earlier[0], 4))
    return out


def status_counts(measures: pd.DataFrame) -> pd.DataFrame:
    """Handlungsfeld x status: how many measures stand where (German column names)."""
    if measures.empty:
        return pd.DataFrame(columns=["Handlungsfeld"])
    table = pd.crosstab(measures["field"], measures["status"])
    order = list(dict.fromkeys(measures["field"]))
    statuses = [s for s in STATUS_LABELS if s in table.columns]
    table = table.reindex(index=order, columns=statuses, fill_value=0)
    table["gesamt"] = table.sum(axis=1)
    table = table.rename(columns=STATUS_LABELS)
    table.index.name = "Handlungsfeld"
    return table.reset_index()


def field_measures(measures: pd.DataFrame, field_id: int) -> pd.DataFrame:
    """The measures of one Handlungsfeld with status, responsible unit and Sachstand."""
    rows = measures[measures["field_id"] == field_id]
    return pd.DataFrame(
        {
            "Maßnahme": rows["measure"],
            "Status": rows["status"].map(STATUS_LABELS),
            "Verantwortlich": rows["responsible"].fillna("–"),
            "Sachstand": rows["note"].fillna("–"),
        }
    ).reset_index(drop=True)


def linked_services(measures: pd.DataFrame, links: pd.DataFrame, field_id: int) -> list[str]:
    ids = set(measures.loc[measures["field_id"] == field_id, "measure_id"])
    return sorted(set(links.loc[links["measure_id"].isin(ids), "service"]))


def recent(uptake: pd.DataFrame, services: list[str], months: int = RECENT_MONTHS) -> pd.DataFrame:
    """The services' last months up to the latest complete month (for the slide charts)."""
    end = latest_complete_month(uptake)
    if end is None:
        return uptake.iloc[0:0]
    start = add_months(end, -(months - 1))
    keep = uptake["service"].isin(services) & uptake["month"].between(start, end)
    return uptake[keep]


def latest_month(uptake: pd.DataFrame) -> str | None:
    month = latest_complete_month(uptake)
    return format_month(month, long=True) if month else None


def latest(uptake: pd.DataFrame, services: list[str]) -> pd.DataFrame:
    """The services' rows of the latest complete month."""
    month = latest_complete_month(uptake)
    return uptake[(uptake["month"] == month) & uptake["service"].isin(services)]


def service_rows(uptake: pd.DataFrame, services: list[str]) -> pd.DataFrame:
    """The services' figures in the latest complete month, German formats."""
    month = latest_complete_month(uptake)
    rows = uptake[(uptake["month"] == month) & uptake["service"].isin(services)]
    return pd.DataFrame(
        {
            "Leistung": rows["service"],
            "Anträge gesamt": [format_int(v) if pd.notna(v) else "–" for v in rows["total"]],
            "davon online": [format_int(v) if pd.notna(v) else "–" for v in rows["online"]],
            "Onlinequote": [
                format_percent(v) if pd.notna(v) else "unvollständig" for v in rows["online_share"]
            ],
        }
    ).reset_index(drop=True)
