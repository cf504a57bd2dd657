"""Who reported which month when: each department's months marked against the deadlines."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Connection, and_, func, select

from db.deadlines import (
    LATE,
    NO_DEADLINE,
    ON_TIME,
    OPEN,
    PENDING,
    Rules,
    closed_months,
    mark,
    month_of,
)
from db.models import CHANNELS, CountChange, Department, Load, MonthlyCount, Service
from db.months import add_months

RECORD_MONTHS = 12  # the record on Datenstand, and how far back reminders look
STATUS_COLUMNS = [
    "department_id", "department", "month", "deadline", "arrived", "state", "days",
    "expected", "complete", "missing",
]  # fmt: skip
RECORD_COLUMNS = ["department_id", "department", ON_TIME, LATE, OPEN, PENDING, "late_days"]


@dataclass(frozen=True)
class Missing:
    """A service without complete figures for a month, and the channels it lacks."""

    service: str
    channels: tuple[str, ...] = field(default=CHANNELS)


def expected_services(conn: Connection, months: list[str]) -> dict[str, pd.DataFrame]:
    """Per month, the services whose figures are expected (service_id, service, department_id,
    department).

    Every service of the catalog is expected in every month.
    HOOK (issue 10): a service an admin marks "no longer reported from month X" is to be left
    out from X on; filter the frame per month here once that mark exists.
    """
    stmt = (
        select(Service.id, Service.name, Department.id, Department.name)
        .join(Department, Department.id == Service.department_id)
        .order_by(Department.name, Service.name)
    )
    catalog = pd.DataFrame(
        conn.execute(stmt).all(), columns=["service_id", "service", "department_id", "department"]
    )
    return {month: catalog for month in months}


def arrivals(conn: Connection, first: str, last: str) -> pd.DataFrame:
    """For every stored count of the months first..last: service_id, month, channel and
    when it first arrived (the earliest load that wrote this count and was not undone).

    A correction loaded later does not move the arrival; an undone load never counts.
    """
    mc, cc = MonthlyCount, CountChange
    stmt = (
        select(mc.service_id, mc.month, mc.channel, func.min(Load.loaded_at))
        .join(
            cc,
            and_(cc.service_id == mc.service_id, cc.month == mc.month,
                 cc.channel == mc.channel, cc.source == mc.source),
        )
        .join(Load, Load.id == cc.load_id)
        .where(mc.month >= first, mc.month <= last, Load.state == "loaded")
        .group_by(mc.service_id, mc.month, mc.channel)
    )  # fmt: skip
    return pd.DataFrame(
        conn.execute(stmt).all(), columns=["service_id", "month", "channel", "arrived"]
    )


def first_month(conn: Connection) -> str | None:
    """Where deadlines begin unless PORTALQUOTE_DEADLINES_FROM says otherwise: the first month
    with any count (no department could report before the town started), or, before any count
    is loaded, the month before the catalog was first loaded."""
    month = conn.scalar(select(func.min(MonthlyCount.month)))
    if month is None:
        loaded = conn.scalar(select(func.min(Load.loaded_at)).where(Load.kind == "services"))
        month = add_months(month_of(loaded), -1) if loaded else None
    return month


def _as_date(value: object) -> date:
    return value.date() if isinstance(value, datetime) else pd.Timestamp(value).date()


def department_status(
    conn: Connection, today: date, rules: Rules, months: list[str] | None = None
) -> pd.DataFrame:
    """Per department and month (default: the RECORD_MONTHS newest ended months): deadline,
    when the month became complete, its mark (state, days), how many services are expected
    and complete, and the Missing ones. Sorted by department, then month."""
    months = months or closed_months(today, RECORD_MONTHS)
    if rules.start is None:
        rules = replace(rules, start=first_month(conn) or months[-1])
    expected = expected_services(conn, months)
    came = arrivals(conn, months[0], months[-1])
    # Per service and month: the channels present and when the later of the two arrived.
    present: dict[tuple[int, str], dict[str, object]] = {}
    for sid, month, channel, arrived in came.itertuples(index=False):
        present.setdefault((sid, month), {})[channel] = arrived
    rows = []
    for month in months:
        deadline = rules.deadline(month)
        for (dep_id, dep), services in expected[month].groupby(
            ["department_id", "department"], sort=False
        ):
            missing, last = [], None
            for sid, name in zip(services["service_id"], services["service"], strict=True):
                channels = present.get((sid, month), {})
                lacking = tuple(c for c in CHANNELS if c not in channels)
                if lacking:
                    missing.append(Missing(name, lacking))
                else:
                    done = max(channels.values())
                    last = done if last is None or done > last else last
            arrived = _as_date(last) if not missing and last is not None else None
            result = mark(deadline, arrived, today)
            state, days = (result.state, result.days) if rules.applies(month) else (NO_DEADLINE, 0)
            rows.append(
                [dep_id, dep, month, deadline, arrived, state, days, len(services),
                 len(services) - len(missing), missing]
            )  # fmt: skip
    df = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    return df.sort_values(["department", "month"], ignore_index=True, key=_name_key)


def _name_key(column: pd.Series) -> pd.Series:
    return column.str.casefold() if column.name == "department" else column


def record(status: pd.DataFrame) -> pd.DataFrame:
    """Per department: how many months were on time, late, open and pending, and the mean
    delay in days of the late ones (None without any)."""
    if status.empty:
        return pd.DataFrame(columns=RECORD_COLUMNS)
    counts = pd.crosstab([status["department_id"], status["department"]], status["state"])
    for state in (ON_TIME, LATE, OPEN, PENDING):
        if state not in counts:
            counts[state] = 0
    late = status[status["state"] == LATE].groupby("department_id")["days"].mean()
    out = counts.reset_index()
    out["late_days"] = out["department_id"].map(late).astype(float)
    out.columns.name = None
    for state in (ON_TIME, LATE, OPEN, PENDING):
        out[state] = out[state].astype(int)
    order = out["department"].str.casefold().argsort(kind="stable")
    return out.iloc[order].reset_index(drop=True)[RECORD_COLUMNS]


def overdue(status: pd.DataFrame) -> pd.DataFrame:
    """The rows of department_status that are open after their deadline."""
    return status[status["state"] == OPEN].reset_index(drop=True)
