"""Read queries for the dashboard: typed functions returning DataFrames or plain values."""

import pandas as pd
from sqlalchemy import Connection, case, func, select

from db.models import Load, MonthlyCount, Service, Setting, monthly_uptake
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
    return conn.scalar(select(func.max(Load.loaded_at)).where(Load.state != "undone"))


def service_count(conn: Connection) -> int:
    return conn.scalar(select(func.count()).select_from(Service)) or 0


def latest_complete_month(conn: Connection) -> str | None:
    """The newest month in which at least one service has both channels reported."""
    v = monthly_uptake.c
    return conn.scalar(select(func.max(v.month)).where(v.total.is_not(None)))


def online_sources(conn: Connection, month: str | None = None) -> pd.DataFrame:
    """Per service and month, where the online figure came from ('portal' or 'report')."""
    has_portal = func.max(case((MonthlyCount.source == "portal", 1), else_=0))
    stmt = (
        select(Service.name, MonthlyCount.month, has_portal)
        .join(Service, Service.id == MonthlyCount.service_id)
        .where(MonthlyCount.channel == "online")
        .group_by(Service.name, MonthlyCount.month)
    )
    if month:
        stmt = stmt.where(MonthlyCount.month == month)
    df = _frame(conn, stmt, ["service", "month", "portal"])
    df["online_source"] = df.pop("portal").map({1: "portal", 0: "report"})
    return df


def month_overview(conn: Connection, month: str) -> pd.DataFrame:
    """Each service's figures for one month, with the source of the online figure."""
    v = monthly_uptake.c
    stmt = select(*v).where(v.month == month).order_by(v.department, v.service)
    df = _frame(conn, stmt, UPTAKE_COLUMNS)
    return df.merge(online_sources(conn, month), on=["service", "month"], how="left")
