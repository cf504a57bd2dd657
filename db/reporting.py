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
from db.models import (
    CHANNELS,
    CountChange,
    Department,
    Load,
    MonthlyCount,
    ReportingStop,
    Service,
)
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


@dataclass(frozen=True)
class Expected:
    """A department and its services."""

    department_id: int
    department: str
    services: list[tuple[int, str]]  # (service id, name), by name


def expected_services(conn: Connection) -> tuple[list[Expected], dict[int, str]]:
    """The departments with their services, and service id -> the month from which it is
    no longer expected.

    A department owes a report for every service of its catalog (also for one that has
    never reported: that is what reminders are for), except the services an admin marked
    "no longer reported from month X" on Datenstand (db.stops): not from X on. (The
    statistics' complete month, db.figures, expects only services that have reported
    before: a new catalog entry must not make every month incomplete.)
    """
    stmt = (
        select(Department.id, Department.name, Service.id, Service.name)
        .join(Service, Service.department_id == Department.id)
        .order_by(Department.name, Department.id, Service.name)
    )
    out: dict[int, Expected] = {}
    for dep_id, dep, sid, name in conn.execute(stmt):
        out.setdefault(dep_id, Expected(dep_id, dep, [])).services.append((sid, name))
    # The same order on every database (collations differ): by name, ignoring case.
    for dep in out.values():
        dep.services.sort(key=lambda s: s[1].casefold())
    stops = dict(conn.execute(select(ReportingStop.service_id, ReportingStop.from_month)).all())
    return sorted(out.values(), key=lambda d: d.department.casefold()), stops


def arrivals(conn: Connection, first: str, last: str) -> dict[tuple[int, str], tuple]:
    """(service id, month) -> (channels present, one present channel, when the later of
    them first arrived), for the months first..last.

    A channel's arrival is the earliest load that wrote its current count and was not
    undone: a correction loaded later does not move it, an undone load never counts.
    """
    mc, cc = MonthlyCount, CountChange
    per_channel = (
        select(
            mc.service_id, mc.month, mc.channel, func.min(Load.loaded_at).label("first"),
        )
        .join(
            cc,
            and_(cc.service_id == mc.service_id, cc.month == mc.month,
                 cc.channel == mc.channel, cc.source == mc.source),
        )
        .join(Load, Load.id == cc.load_id)
        .where(mc.month >= first, mc.month <= last, Load.state == "loaded")
        .group_by(mc.service_id, mc.month, mc.channel)
        .subquery()
    )  # fmt: skip
    c = per_channel.c
    stmt = select(
        c.service_id, c.month, func.count(), func.min(c.channel), func.max(c.first)
    ).group_by(c.service_id, c.month)
    # Straight from the cursor (no DataFrame): 72,000 rows for 6,000 services and a year.
    return {(sid, month): tuple(rest) for sid, month, *rest in conn.execute(stmt)}


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
    return (
        value.date() if isinstance(value, datetime) else datetime.fromisoformat(str(value)).date()
    )


def department_status(
    conn: Connection, today: date, rules: Rules, months: list[str] | None = None
) -> pd.DataFrame:
    """Per department and month (default: the RECORD_MONTHS newest ended months): deadline,
    when the month became complete, its mark (state, days), how many services are expected
    and complete, and the Missing ones. Sorted by department, then month."""
    months = months or closed_months(today, RECORD_MONTHS)
    if rules.start is None:
        rules = replace(rules, start=first_month(conn) or months[-1])
    departments, stops = expected_services(conn)
    came = arrivals(conn, months[0], months[-1])
    rows = []
    for dep in departments:
        for month in months:
            deadline = rules.deadline(month)
            missing, last, expected = [], None, 0
            for sid, name in dep.services:
                if sid in stops and stops[sid] <= month:
                    continue
                expected += 1
                channels, one, arrived = came.get((sid, month), (0, None, None))
                if channels < len(CHANNELS):
                    lacking = tuple(ch for ch in CHANNELS if ch != one)
                    missing.append(Missing(name, lacking))
                elif last is None or arrived > last:
                    last = arrived
            done = _as_date(last) if not missing and last is not None else None
            result = mark(deadline, done, today)
            # Nothing expected (every service no longer reported): no deadline either.
            applies = rules.applies(month) and expected > 0
            state, days = (result.state, result.days) if applies else (NO_DEADLINE, 0)
            rows.append(
                [dep.department_id, dep.department, month, deadline, done, state, days,
                 expected, expected - len(missing), missing]
            )  # fmt: skip
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


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
