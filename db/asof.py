"""Figures and measures as they stood at a cut-off: the end of a day (the Stichtag of a
report) or a moment (the Sitzungsmodus frozen at "01.12.2026, 17:02 Uhr").

A cut-off is a `date` (everything loaded by the end of that day counts), a `datetime` (only
what was loaded or recorded before that moment counts) or None (everything, as it is now).
"""

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute

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
    measure_services,
)
from db.queries import UPTAKE_COLUMNS
from db.stops import stops

COUNT_KEY = ["service_id", "month", "channel", "source"]
COUNT_COLUMNS = [*COUNT_KEY, "value"]
MEASURE_COLUMNS = [
    "field_id", "field", "group", "field_position", "measure_id", "measure", "position",
    "responsible", "start", "end", "status", "status_since", "note", "note_date",
]  # fmt: skip
CHANGE_COLUMNS = ["field", "measure", "measure_id", "changed_on", "previous_status", "status"]


Cutoff = date | datetime | None


def end_of_day(cutoff: date) -> datetime:
    """The first moment after the cut-off day: loads before it count, loads from it on don't."""
    return datetime.combine(cutoff + timedelta(days=1), time.min)


def bound(cutoff: Cutoff) -> datetime | None:
    """The first moment that no longer counts: the end of a cut-off day, or the moment itself
    (None: no bound)."""
    if cutoff is None or isinstance(cutoff, datetime):  # a datetime is also a date
        return cutoff
    return end_of_day(cutoff)


def _later_loads(until: datetime) -> Select:
    """Counts loads that were loaded, or undone, at or after the bound."""
    return select(Load.id).where(
        Load.kind == "counts", or_(Load.loaded_at >= until, Load.undone_at >= until)
    )


def counts_as_of(conn: Connection, cutoff: Cutoff) -> FromClause:
    """Every stored count as it stood at the cut-off (None: as it is now), as a selectable
    with monthly_counts' columns (service_id, month, channel, source, value).

    The current counts, except that each key a later load or undo touched is rebuilt from
    the change log: the last event before the bound decides (a load sets its new value, an
    undo puts the old value back, NULL meaning the count did not exist then).
    """
    mc = MonthlyCount.__table__
    until = bound(cutoff)
    if until is None or conn.scalar(_later_loads(until).limit(1)) is None:
        return mc
    cc = CountChange.__table__
    touched = select(*(cc.c[k] for k in COUNT_KEY)).where(cc.c.load_id.in_(_later_loads(until)))
    touched = touched.distinct().cte("touched")

    def events(value: ColumnElement, at: InstrumentedAttribute, step: int) -> Select:
        return (
            select(*(cc.c[k] for k in COUNT_KEY), value.label("value"), at.label("at"),
                   cc.c.load_id, literal(step).label("step"))
            .join(Load, Load.id == cc.c.load_id)
            .join(touched, and_(*(touched.c[k] == cc.c[k] for k in COUNT_KEY)))
            .where(at < until)
        )  # fmt: skip

    both = union_all(
        events(cc.c.new_value, Load.loaded_at, 0), events(cc.c.old_value, Load.undone_at, 1)
    ).subquery("events")
    # The last event per key: latest time, then the later load, then an undo after its load.
    order = (both.c.at.desc(), both.c.load_id.desc(), both.c.step.desc())
    ranked = select(
        *(both.c[k] for k in COUNT_KEY),
        both.c.value,
        func.row_number().over(partition_by=[both.c[k] for k in COUNT_KEY], order_by=order)
        .label("n"),
    ).subquery("ranked")  # fmt: skip
    rebuilt = select(*(ranked.c[k] for k in COUNT_COLUMNS)).where(
        ranked.c.n == 1, ranked.c.value.is_not(None)
    )
    kept = (
        select(*(mc.c[k] for k in COUNT_COLUMNS))
        .outerjoin(touched, and_(*(touched.c[k] == mc.c[k] for k in COUNT_KEY)))
        .where(touched.c.service_id.is_(None))
    )
    return union_all(kept, rebuilt).subquery("counts_as_of")


def uptake_as_of(conn: Connection, cutoff: Cutoff) -> pd.DataFrame:
    """One row per service and month, as the monthly_uptake view showed it at the cut-off."""
    stmt = figures.uptake_select(counts_as_of(conn, cutoff))
    df = pd.DataFrame(
        conn.execute(stmt.order_by(Service.name, stmt.selected_columns.month)).all(),
        columns=UPTAKE_COLUMNS,
    )
    for c in ("total", "online"):
        df[c] = pd.array(df[c], dtype="Int64")
    df["online_share"] = pd.to_numeric(df["online_share"], errors="coerce").astype(float)
    return df


def service_months_as_of(
    conn: Connection, cutoff: Cutoff, uptake: pd.DataFrame | None = None
) -> pd.DataFrame:
    """db.figures.service_months as it stood at the cut-off (uptake: uptake_as_of, if read
    already); the marks "no longer reported" set before the cut-off count."""
    uptake = uptake_as_of(conn, cutoff) if uptake is None else uptake
    coverage = uptake.assign(complete=uptake["total"].notna())
    return figures.service_months(coverage, stops(conn, bound(cutoff)))


def month_states_as_of(
    conn: Connection, cutoff: Cutoff, uptake: pd.DataFrame | None = None
) -> pd.DataFrame:
    return figures.month_states(service_months_as_of(conn, cutoff, uptake))


def _updates(conn: Connection, cutoff: Cutoff) -> pd.DataFrame:
    """Measure updates dated on or before the cut-off day; at a moment, also only those
    recorded before it (a Sachstand entered later, even if dated earlier, does not count)."""
    mu = MeasureUpdate
    stmt = select(mu.id, mu.measure_id, mu.changed_on, mu.status, mu.previous_status, mu.note)
    if isinstance(cutoff, datetime):
        stmt = stmt.where(mu.changed_on <= cutoff.date(), mu.recorded_at < cutoff)
    elif cutoff is not None:
        stmt = stmt.where(mu.changed_on <= cutoff)
    return pd.DataFrame(
        conn.execute(stmt.order_by(mu.changed_on, mu.id)).all(),
        columns=["id", "measure_id", "changed_on", "status", "previous_status", "note"],
    )


def measures_as_of(conn: Connection, cutoff: Cutoff) -> pd.DataFrame:
    """Each measure that existed at the cut-off, with its status and Sachstand then.

    Name, responsible unit and dates are today's (they have no history); status and
    Sachstand come from the last update that counts at the cut-off (_updates).
    """
    af, m = ActionField, Measure
    base = pd.DataFrame(
        conn.execute(
            select(
                af.id, af.name, af.group_name, af.position, m.id, m.name, m.position,
                m.responsible, m.start_month, m.end_month,
            ).join(af, af.id == m.action_field_id)
        ).all(),
        columns=MEASURE_COLUMNS[:10],
    )  # fmt: skip
    updates = _updates(conn, cutoff)
    if base.empty or updates.empty:
        return pd.DataFrame(columns=MEASURE_COLUMNS)
    last = updates.groupby("measure_id").tail(1).set_index("measure_id")
    changed = updates[updates["status"] != updates["previous_status"]]
    since = changed.groupby("measure_id")["changed_on"].max()
    noted = updates[updates["note"].notna() & (updates["note"] != "")]
    note_date = noted.groupby("measure_id")["changed_on"].max()
    df = base[base["measure_id"].isin(last.index)].copy()
    df["status"] = df["measure_id"].map(last["status"])
    df["status_since"] = df["measure_id"].map(since)
    df["note"] = df["measure_id"].map(last["note"])
    df["note_date"] = df["measure_id"].map(note_date)
    df = df.sort_values(["field_position", "field", "position", "measure"], ignore_index=True)
    return df[MEASURE_COLUMNS]


def status_changes(conn: Connection, after: date | None, until: date | None) -> pd.DataFrame:
    """Status changes with after < changed_on <= until (a new measure is no change)."""
    mu, m, af = MeasureUpdate, Measure, ActionField
    stmt = (
        select(af.name, m.name, m.id, mu.changed_on, mu.previous_status, mu.status)
        .join(m, m.id == mu.measure_id)
        .join(af, af.id == m.action_field_id)
        .where(mu.previous_status.is_not(None), mu.previous_status != mu.status)
        .order_by(mu.changed_on, af.position, m.position, mu.id)
    )
    if after is not None:
        stmt = stmt.where(mu.changed_on > after)
    if until is not None:
        stmt = stmt.where(mu.changed_on <= until)
    return pd.DataFrame(conn.execute(stmt).all(), columns=CHANGE_COLUMNS)


def measure_links(conn: Connection) -> pd.DataFrame:
    """Which services each measure is linked to (measure_id, service)."""
    ms = measure_services.c
    stmt = (
        select(ms.measure_id, Service.name)
        .join(Service, Service.id == ms.service_id)
        .order_by(ms.measure_id, Service.name)
    )
    return pd.DataFrame(conn.execute(stmt).all(), columns=["measure_id", "service"])


def services(conn: Connection) -> pd.DataFrame:
    """The service catalog: name, department, online since (YYYY-MM or None)."""
    stmt = (
        select(Service.name, Department.name, Service.online_since)
        .join(Department, Department.id == Service.department_id)
        .order_by(Department.name, Service.name)
    )
    return pd.DataFrame(conn.execute(stmt).all(), columns=["service", "department", "online_since"])
