"""German text alternatives that state a chart's key figures (pure pandas, no Streamlit).

Each function takes the frame and options of its chart builder in dashboard.charts and
returns the figures a screen reader announces with the chart ("Onlinequote Oktober 2021:
Personenstandsurkunde 29,8 % (203 von 681), …"); the full figures stay in the table under
the chart. Figures are only formatted here, never computed anew.
"""

from collections.abc import Callable

import pandas as pd

from dashboard import charts, tables
from db.german import format_base, format_int, format_month, format_percent
from db.labels import DEADLINE_LABELS, STATUS_LABELS

MAX_ITEMS = 12  # named one by one; the rest are counted ("und 28 weitere")


def _share(share: object, online: object, total: object) -> str:
    """'29,8 % (203 von 681)', with a note where the base is small."""
    text = f"{format_percent(float(share))} ({format_base(int(online), int(total))})"
    if float(total) < charts.SMALL_BASE:
        text += f", {tables.SMALL_NOTE}"
    return text


def _listed(items: list[str]) -> str:
    """The first MAX_ITEMS items joined, and how many are left out."""
    shown = "; ".join(items[:MAX_ITEMS])
    rest = len(items) - MAX_ITEMS
    return f"{shown}; und {format_int(rest)} weitere" if rest > 0 else shown


def _period(months: pd.Series) -> str:
    first, last = str(months.min()), str(months.max())
    return (
        format_month(first) if first == last else f"{format_month(first)} bis {format_month(last)}"
    )


def _target(target: tuple[float, str] | None, name: str = "Ziel") -> str:
    if target is None:
        return ""
    return f" {name} {format_percent(target[0], 0)} bis {format_month(target[1])}."


def _projection(projection: pd.DataFrame | None) -> str:
    if projection is None or projection.empty:
        return ""
    last = projection.iloc[-1]
    return f" Prognose für {format_month(str(last['month']))}: {format_percent(last['share'])}."


def share_by_service(
    month: pd.DataFrame, *, target: tuple[float, str] | None = None, **_options: object
) -> str:
    """The services of one month, highest share first (the chart's order)."""
    df = charts.ranked(month)
    if df.empty:
        return "Keine Leistung mit vollständigen Zahlen."
    items = [f"{r.service} {_share(r.online_share, r.online, r.total)}" for r in df.itertuples()]
    head = f"Onlinequote {_period(df['month'])}" if "month" in df.columns else "Onlinequote"
    return f"{head}: {_listed(items)}.{_target(target, 'Gesamtziel')}"


def _series_texts(df: pd.DataFrame, column: str) -> list[str]:
    """Per series: the latest share with its base, and where it started in the period."""
    items = []
    for name, rows in df.groupby(column, sort=False):
        known = rows[rows["online_share"].notna()].sort_values("month")
        if known.empty:
            items.append(f"{name}: keine vollständigen Zahlen")
            continue
        last, first = known.iloc[-1], known.iloc[0]
        latest = _share(last["online_share"], last["online"], last["total"])
        text = f"{name}: {format_month(last['month'])} {latest}"
        if first["month"] != last["month"]:
            text += f", {format_month(first['month'])} {format_percent(first['online_share'])}"
        items.append(text)
    return items


def share_lines(
    uptake: pd.DataFrame,
    *,
    series: str = "service",
    target: tuple[float, str] | None = None,
    projection: pd.DataFrame | None = None,
    target_name: str = "Ziel",
    more: tuple[str, ...] = (),
    **_options: object,
) -> str:
    """Each line's latest share with its base, and its first share in the period (then the
    `more` items, the target and the projection)."""
    if uptake.empty:
        return "Keine Zahlen."
    items = [*_series_texts(uptake, series), *more]
    return (
        f"Onlinequote {_period(uptake['month'])}: {_listed(items)}."
        f"{_target(target, target_name)}{_projection(projection)}"
    )


def uptake(uptake: pd.DataFrame, **options: object) -> str:
    """One service as in share_lines, with its highest share and its incomplete months."""
    known = uptake[uptake["online_share"].notna()]
    more = []
    if len(known) > 2:
        best = known.sort_values(["online_share", "month"], ascending=[False, True]).iloc[0]
        more.append(
            f"höchste Quote {format_percent(best['online_share'])} im {format_month(best['month'])}"
        )
    if missing := len(uptake) - len(known):
        more.append(f"{format_int(missing)} Monat(e) unvollständig")
    return share_lines(uptake, more=tuple(more), **options)


def status(counts: pd.DataFrame, **_options: object) -> str:
    """Measures per action field and status, zero counts left out."""
    items = []
    for field, rows in counts.groupby("field", sort=False):
        parts = [
            f"{format_int(int(r['count']))} {STATUS_LABELS[r['status']]}"
            for _i, r in rows.iterrows()
            if r["count"]
        ]
        if parts:
            items.append(f"{field}: {', '.join(parts)}")
    if not items:
        return "Keine Maßnahmen."
    return f"Maßnahmen je Handlungsfeld: {_listed(items)}."


def roadmap(measures: pd.DataFrame, **_options: object) -> str:
    """Each measure with its status and planned period, in the chart's order."""
    dated = measures.dropna(subset=["start", "end"])
    if dated.empty:
        return "Keine Maßnahme mit Beginn und Ende."
    items = [
        f"{r.measure} ({STATUS_LABELS[r.status]}): {format_month(str(r.start))} bis "
        f"{format_month(str(r.end))}"
        for r in dated.itertuples()
    ]
    return f"Maßnahmen: {_listed(items)}."


def _grid(grid: pd.DataFrame, row: str, states: list[str], head: str) -> str:
    """How many months each row has in each state (states in the legend's order)."""
    if grid.empty:
        return "Keine Monate."
    items = []
    for name, rows in grid.groupby(row, sort=False):
        counts = rows["state"].value_counts()
        parts = [f"{format_int(int(counts[s]))} {s}" for s in states if s in counts]
        items.append(f"{name}: {', '.join(parts)}")
    return f"{head} {_period(grid['month'])}: {_listed(items)}."


def coverage(grid: pd.DataFrame, *, row: str = "service", **_options: object) -> str:
    """How many months each service or department has complete, incomplete, missing."""
    return _grid(grid, row, charts.COVERAGE_STATES, "Gemeldete Monate")


def deadlines(frame: pd.DataFrame, **_options: object) -> str:
    """How many months each department reported on time, late, not yet (the deadline marks)."""
    return _grid(frame, "department", list(DEADLINE_LABELS.values()), "Meldefristen")


TEXTS: dict[Callable, Callable[..., str]] = {
    charts.share_by_service_chart: share_by_service,
    charts.share_lines_chart: share_lines,
    charts.uptake_chart: uptake,
    charts.status_chart: status,
    charts.roadmap_chart: roadmap,
    charts.coverage_chart: coverage,
    charts.deadline_chart: deadlines,
}


def describe(builder: Callable, frame: pd.DataFrame, **options: object) -> str:
    """The key figures of the chart that builder(frame, **options) draws."""
    return TEXTS[builder](frame, **options)
