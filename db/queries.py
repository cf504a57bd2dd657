"""Read queries for the dashboard: typed functions returning DataFrames or plain values."""

import pandas as pd
from sqlalchemy import Connection, Select, func, select

from db import figures
from db.models import (
    ActionField,
    CountChange,
    Department,
    Load,
    Measure,
    MeasureUpdate,
    MonthlyCount,
    Service,
    Setting,
    Target,
    measure_services,
    monthly_uptake,
)
from db.months import add_months, months_between
from db.stops import stops
from db.writes import DATA_VERSION, DEMO_FLAG

UPTAKE_COLUMNS = ["service", "department", "month", "total", "online", "online_share"]


def _frame(conn: Connection, stmt, columns: list[str]) -> pd.DataFrame:  # noqa: ANN001
    return pd.DataFrame(conn.execute(stmt).all(), columns=columns)


def data_version(conn: Connection) -> str:
    """Changes with every load and undo: the key of all cached query results."""
    return conn.scalar(select(Setting.value).where(Setting.key == DATA_VERSION)) or "0"


def is_demo(conn: Connection) -> bool:
    return conn.scalar(select(Setting.value).where(Setting.key == DEMO_FLAG)) == "1"


def last_load_time(conn: Connection):  # noqa: ANN201
    return conn.scalar(
        select(func.max(Load.loaded_at)).where(Load.state.in_(("loaded", "unchanged")))
    )


def service_count(conn: Connection) -> int:
    return conn.scalar(select(func.count()).select_from(Service)) or 0


def service_months(conn: Connection) -> pd.DataFrame:
    """Per service and month: reported, complete, expected (see db.figures.service_months)."""
    return figures.service_months(coverage(conn), stops(conn))


def month_states(conn: Connection) -> pd.DataFrame:
    """Per month: expected services, how many reported both channels, complete or not."""
    return figures.month_states(service_months(conn))


def latest_complete_month(conn: Connection) -> str | None:
    """The newest month in which every expected service has both channels (db.figures)."""
    return figures.latest_complete_month(month_states(conn))


def headline_uptake(conn: Connection, month: str) -> pd.DataFrame:
    """The rows a month's figures rest on: the month, the one before, the one a year before,
    and the later ones (provisional)."""
    return uptake(conn, start=add_months(month, -12))


def headline(conn: Connection, states: pd.DataFrame | None = None) -> figures.Headline | None:
    """The latest complete month's figures with its changes (None while there is none)."""
    states = month_states(conn) if states is None else states
    month = figures.latest_complete_month(states)
    if month is None:
        return None
    return figures.headline(headline_uptake(conn, month), states)


def month_overview(conn: Connection, month: str) -> pd.DataFrame:
    """Each service's figures for one month, with the source of the online figure."""
    df = uptake(conn, start=month, end=month)
    return df.sort_values(["department", "service"], ignore_index=True)


# ---------------------------------------------------------------- dashboard pages (issue 3)

SERVICE_COLUMNS = ["service", "department", "online_since"]
TOTAL_COLUMNS = ["month", "total", "online", "online_share", "services"]
MEASURE_COLUMNS = [
    "measure_id", "group", "field", "field_position", "measure", "position", "status",
    "responsible", "start", "end", "note", "noted_on",
]  # fmt: skip
HISTORY_COLUMNS = ["measure_id", "changed_on", "previous_status", "status", "note", "changed_by"]
EVENT_COLUMNS = ["service", "measure", "changed_on", "previous_status", "status"]
COVERAGE_COLUMNS = ["service", "department", "month", "complete"]
LOAD_COLUMNS = ["id", "kind", "file_name", "loaded_by", "loaded_at", "rows", "state", "summary"]
TARGET_COLUMNS = ["id", "service", "share", "due_month", "created_by", "created_at"]


def _typed_uptake(df: pd.DataFrame) -> pd.DataFrame:
    """Counts as nullable integers, the share as float (NULL stays missing, never 0)."""
    for c in ("total", "online"):
        df[c] = pd.array(df[c], dtype="Int64")
    df["online_share"] = pd.to_numeric(df["online_share"], errors="coerce").astype(float)
    return df


def services(conn: Connection) -> pd.DataFrame:
    """The service catalog: service, department, online_since (YYYY-MM or None)."""
    stmt = (
        select(Service.name, Department.name, Service.online_since)
        .join(Department, Department.id == Service.department_id)
        .order_by(Department.name, Service.name)
    )
    return _frame(conn, stmt, SERVICE_COLUMNS)


def _uptake_select(service_names: list[str] | None, start: str | None, end: str | None) -> Select:
    """The figures of the monthly_uptake view plus a portal flag, with the filters applied
    to the counts before grouping: the view itself groups every stored count before a
    filter on it can take effect (1.2 s for one service among 6,000). tests/test_queries.py
    checks that both give the same rows."""
    mc = MonthlyCount
    counts = select(mc.service_id, mc.month, mc.channel, mc.source, mc.value)
    if service_names is not None:
        ids = select(Service.id).where(Service.name.in_(service_names))
        counts = counts.where(mc.service_id.in_(ids))
    if start:
        counts = counts.where(mc.month >= start)
    if end:
        counts = counts.where(mc.month <= end)
    stmt = figures.uptake_select(counts.subquery("counts"), with_source=True)
    return stmt.order_by(Service.name, stmt.selected_columns.month)


def uptake(
    conn: Connection,
    service_names: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Rows of monthly_uptake (optionally some services, months start..end) with the source
    of each online figure; sorted by service and month."""
    stmt = _uptake_select(service_names, start, end)
    df = _typed_uptake(_frame(conn, stmt, [*UPTAKE_COLUMNS, "portal"]))
    source = df.pop("portal").map({1: "portal", 0: "report"})
    df["online_source"] = source.where(df["online"].notna())
    return df


def monthly_totals(
    conn: Connection, department: str | None = None, start: str | None = None
) -> pd.DataFrame:
    """Per month (from start on), the sums over all services with both channels reported
    (month, total, online, online_share, services = how many services are in the sum);
    oldest first (db.figures.monthly_sums)."""
    rows = uptake(conn, start=start)
    if department:
        rows = rows[rows["department"] == department]
    return figures.monthly_sums(rows)[TOTAL_COLUMNS]


def complete_series(
    conn: Connection, start: str | None = None, states: pd.DataFrame | None = None
) -> pd.DataFrame:
    """monthly_totals of the complete months only: what charts and projections show."""
    states = month_states(conn) if states is None else states
    return figures.complete_series(uptake(conn, start=start), states)


def measures(conn: Connection) -> pd.DataFrame:
    """Every measure in display order with its group, action field, status, responsible
    unit, start/end month and latest Sachstand (note and the day it was written)."""
    mu = MeasureUpdate
    latest = (
        select(mu.measure_id, func.max(mu.id).label("last_id"))
        .where(mu.note.is_not(None), mu.note != "")
        .group_by(mu.measure_id)
        .subquery()
    )
    af, m = ActionField, Measure
    stmt = (
        select(
            m.id, af.group_name, af.name, af.position, m.name, m.position, m.status,
            m.responsible, m.start_month, m.end_month, mu.note, mu.changed_on,
        )
        .join(af, af.id == m.action_field_id)
        .outerjoin(latest, latest.c.measure_id == m.id)
        .outerjoin(mu, mu.id == latest.c.last_id)
        .order_by(af.position, af.id, m.position, m.id)
    )  # fmt: skip
    return _frame(conn, stmt, MEASURE_COLUMNS)


def measure_history(conn: Connection) -> pd.DataFrame:
    """Every dated status/Sachstand update of every measure, oldest first."""
    mu = MeasureUpdate
    stmt = select(
        mu.measure_id, mu.changed_on, mu.previous_status, mu.status, mu.note, mu.changed_by
    ).order_by(mu.measure_id, mu.changed_on, mu.id)
    return _frame(conn, stmt, HISTORY_COLUMNS)


def measure_links(conn: Connection) -> pd.DataFrame:
    """Which services each measure is linked to (measure_id, service)."""
    ms = measure_services.c
    stmt = (
        select(ms.measure_id, Service.name)
        .join(Service, Service.id == ms.service_id)
        .order_by(ms.measure_id, Service.name)
    )
    return _frame(conn, stmt, ["measure_id", "service"])


def service_events(conn: Connection, service_names: list[str]) -> pd.DataFrame:
    """Status changes of the measures linked to these services (a new measure is no change)."""
    mu, m, ms = MeasureUpdate, Measure, measure_services.c
    stmt = (
        select(Service.name, m.name, mu.changed_on, mu.previous_status, mu.status)
        .join(measure_services, ms.service_id == Service.id)
        .join(m, m.id == ms.measure_id)
        .join(mu, mu.measure_id == m.id)
        .where(
            Service.name.in_(service_names),
            mu.previous_status.is_not(None),
            mu.previous_status != mu.status,
        )
        .order_by(Service.name, mu.changed_on, m.name)
    )
    return _frame(conn, stmt, EVENT_COLUMNS)


def coverage(
    conn: Connection,
    department: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Per service and month with any count: complete (both channels) or not; months
    without any count are absent (missing)."""
    v = monthly_uptake.c
    stmt = select(v.service, v.department, v.month, v.total.is_not(None)).order_by(
        v.department, v.service, v.month
    )
    if department:
        stmt = stmt.where(v.department == department)
    if start:
        stmt = stmt.where(v.month >= start)
    if end:
        stmt = stmt.where(v.month <= end)
    df = _frame(conn, stmt, COVERAGE_COLUMNS)
    df["complete"] = df["complete"].astype(bool)
    return df


def department_loads(conn: Connection) -> pd.DataFrame:
    """Per department: services, the last load that changed its figures, newest month."""
    last_load = (
        select(Service.department_id.label("dep"), func.max(Load.loaded_at).label("at"))
        .select_from(CountChange)
        .join(Load, Load.id == CountChange.load_id)
        .join(Service, Service.id == CountChange.service_id)
        .where(Load.state == "loaded")
        .group_by(Service.department_id)
        .subquery()
    )
    newest = (
        select(Service.department_id.label("dep"), func.max(MonthlyCount.month).label("month"))
        .join(MonthlyCount, MonthlyCount.service_id == Service.id)
        .group_by(Service.department_id)
        .subquery()
    )
    size = (
        select(Service.department_id.label("dep"), func.count().label("n"))
        .group_by(Service.department_id)
        .subquery()
    )
    stmt = (
        select(Department.name, size.c.n, last_load.c.at, newest.c.month)
        .join(size, size.c.dep == Department.id)
        .outerjoin(last_load, last_load.c.dep == Department.id)
        .outerjoin(newest, newest.c.dep == Department.id)
        .order_by(Department.name)
    )
    return _frame(conn, stmt, ["department", "services", "last_load", "last_month"])


def load_log(conn: Connection, limit: int = 50) -> pd.DataFrame:
    """The newest loads (all kinds), newest first."""
    stmt = (
        select(
            Load.id, Load.kind, Load.file_name, Load.loaded_by, Load.loaded_at, Load.rows,
            Load.state, Load.summary,
        )
        .order_by(Load.id.desc())
        .limit(limit)
    )  # fmt: skip
    return _frame(conn, stmt, LOAD_COLUMNS)


def targets(conn: Connection) -> pd.DataFrame:
    """Every target: service (None = all services together), share 0..1, due month."""
    stmt = (
        select(
            Target.id, Service.name, Target.share, Target.due_month, Target.created_by,
            Target.created_at,
        )
        .outerjoin(Service, Service.id == Target.service_id)
        .order_by(Service.name.is_not(None), Service.name, Target.due_month)
    )  # fmt: skip
    return _frame(conn, stmt, TARGET_COLUMNS)


def month_range(conn: Connection) -> list[str]:
    """Every month from the oldest to the newest month with any stored count."""
    first, last = conn.execute(
        select(func.min(MonthlyCount.month), func.max(MonthlyCount.month))
    ).one()
    if first is None:
        return []
    return months_between(first, last)
