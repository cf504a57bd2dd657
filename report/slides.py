"""What the Sitzungsmodus slides show, as German display tables (pure pandas, no Streamlit).

The figures come from db.figures; this module only formats them.
"""

import pandas as pd

from db.figures import Headline
from db.german import format_int, format_month, format_percent, format_points
from db.labels import STATUS_LABELS, field_label
from db.months import add_months
from report import phrases

RECENT_MONTHS = 12


def overview_figures(headline: Headline | None) -> dict | None:
    """The headline as the overview slide prints it; None while no month is complete."""
    if headline is None:
        return None
    fig = headline.figures
    cur = fig.current
    return {
        "month": format_month(fig.month, long=True),
        "share": format_percent(cur.share),
        "base": phrases.online_of_total(cur),
        "total": format_int(cur.total),
        "online": format_int(cur.online),
        "delta_month": format_points(fig.previous.points) if fig.previous else "–",
        "delta_year": format_points(fig.year.points) if fig.year else "–",
        "month_basis": phrases.change_caption(fig.previous, cur),
        "year_basis": phrases.change_caption(fig.year, cur),
        "provisional": [phrases.provisional(s) for s in headline.later[-1:]],
    }


def status_table(counts: pd.DataFrame) -> pd.DataFrame:
    """db.figures.status_counts as Handlungsfeld x status (statuses that occur) and gesamt."""
    if counts.empty:
        return pd.DataFrame(columns=["Handlungsfeld"])
    labels = [field_label(g, f) for g, f in zip(counts["group"], counts["field"], strict=True)]
    wide = counts.assign(field=labels).pivot_table(
        index="field", columns="status", values="count", aggfunc="sum", sort=False
    )
    statuses = [s for s in STATUS_LABELS if s in wide.columns and wide[s].sum()]
    table = wide.reindex(index=list(dict.fromkeys(labels)), columns=statuses).astype(int)
    table["gesamt"] = wide.sum(axis=1).astype(int)
    table = table.rename(columns=STATUS_LABELS)
    table.index.name = "Handlungsfeld"
    return table.reset_index()


def linked_services(measures: pd.DataFrame, links: pd.DataFrame, field_id: int) -> list[str]:
    ids = set(measures.loc[measures["field_id"] == field_id, "measure_id"])
    return sorted(set(links.loc[links["measure_id"].isin(ids), "service"]))


def recent(
    uptake: pd.DataFrame, services: list[str], month: str, months: int = RECENT_MONTHS
) -> pd.DataFrame:
    """The services' last months up to `month`, the latest complete one (slide charts)."""
    start = add_months(month, -(months - 1))
    keep = uptake["service"].isin(services) & uptake["month"].between(start, month)
    return uptake[keep]


def latest(uptake: pd.DataFrame, services: list[str], month: str) -> pd.DataFrame:
    """The services' rows of `month`."""
    return uptake[(uptake["month"] == month) & uptake["service"].isin(services)]


def service_rows(uptake: pd.DataFrame, services: list[str], month: str) -> pd.DataFrame:
    """The services' figures in `month`, German formats."""
    rows = latest(uptake, services, month)
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
