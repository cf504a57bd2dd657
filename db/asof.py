"""Figures and measures as they stood at the end of a cut-off day (Stichtag)."""

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Connection, or_, select

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
    monthly_uptake,
)
from db.queries import UPTAKE_COLUMNS

COUNT_KEY = ["service_id", "month", "channel", "source"]
COUNT_COLUMNS = [*COUNT_KEY, "value"]
MEASURE_COLUMNS = [
    "field_id", "field", "group", "field_position", "measure_id", "measure", "position",
    "responsible", "start", "end", "status", "status_since", "note", "note_date",
]  # fmt: skip
CHANGE_COLUMNS = ["field", "measure", "measure_id", "changed_on", "previous_status", "status"]
CHUNK = 500


def end_of_day(cutoff: date) -> datetime:
    """The first moment after the cut-off day: loads before it count, loads from it on don't."""
    return datetime.combine(cutoff + timedelta(days=1), time.min)


def _chunks(items: list, size: int = CHUNK):  # noqa: ANN202
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _later_loads(conn: Connection, bound: datetime) -> list[int]:
    """Counts loads that were loaded, or undone, at or after the bound."""
    return list(
        conn.scalars(
            select(Load.id).where(
                Load.kind == "counts", or_(Load.loaded_at >= bound, Load.undone_at >= bound)
            )
        )
    )


def counts_as_of(conn: Connection, cutoff: date | None) -> pd.DataFrame:
    """Every stored count as it stood at the end of the cut-off day (None: as it is now).

    Current values, with the keys that a later load or undo touched rebuilt from the change
    log: the last event up to the bound decides (a load sets its new value, an undo puts the
    old value back, None meaning the count did not exist).
    """
    current = pd.DataFrame(
        conn.execute(select(*(getattr(MonthlyCount, c) for c in COUNT_COLUMNS))).all(),
        columns=COUNT_COLUMNS,
    )
    if cutoff is None:
        return current
    bound = end_of_day(cutoff)
    later = _later_loads(conn, bound)
    if not later:
        return current
    cc = CountChange
    touched: set[tuple] = set()
    for ids in _chunks(later):
        touched |= set(
            conn.execute(
                select(cc.service_id, cc.month, cc.channel, cc.source).where(cc.load_id.in_(ids))
            ).all()
        )
    months = sorted({k[1] for k in touched})
    rows = []
    for chunk in _chunks(months):
        rows += conn.execute(
            select(
                cc.service_id, cc.month, cc.channel, cc.source, cc.old_value, cc.new_value,
                cc.load_id, Load.loaded_at, Load.undone_at,
            )
            .join(Load, Load.id == cc.load_id)
            .where(cc.month.in_(chunk))
        ).all()  # fmt: skip
    # (time, load id, 0 = load / 1 = undo) orders the events; same-second loads by id.
    last: dict[tuple, tuple[tuple, int | None]] = {}
    for sid, month, channel, source, old, new, load_id, loaded_at, undone_at in rows:
        key = (sid, month, channel, source)
        if key not in touched:
            continue
        events = []
        if loaded_at < bound:
            events.append(((loaded_at, load_id, 0), new))
        if undone_at is not None and undone_at < bound:
            events.append(((undone_at, load_id, 1), old))
        for order, value in events:
            if key not in last or order > last[key][0]:
                last[key] = (order, value)
    keep = ~pd.MultiIndex.from_frame(current[COUNT_KEY]).isin(list(touched))
    rebuilt = pd.DataFrame(
        [(*k, v) for k, (_o, v) in last.items() if v is not None], columns=COUNT_COLUMNS
    )
    out = pd.concat([current[keep], rebuilt], ignore_index=True) if len(rebuilt) else current[keep]
    out = out.astype({"service_id": int, "value": int})
    return out.sort_values(COUNT_KEY, ignore_index=True)


def uptake_from_counts(conn: Connection, counts: pd.DataFrame) -> pd.DataFrame:
    """The monthly_uptake view's rule applied to counts: portal figure wins for online."""
    services = pd.DataFrame(
        conn.execute(
            select(Service.id, Service.name, Department.name).join(
                Department, Department.id == Service.department_id
            )
        ).all(),
        columns=["service_id", "service", "department"],
    )
    if counts.empty:
        return pd.DataFrame(columns=UPTAKE_COLUMNS)
    wide = counts.pivot_table(
        index=["service_id", "month"], columns=["channel", "source"], values="value", aggfunc="max"
    )

    def col(channel: str, source: str | None = None) -> pd.Series:
        cols = [c for c in wide.columns if c[0] == channel and source in (None, c[1])]
        if not cols:
            return pd.Series(float("nan"), index=wide.index)
        return wide[cols].max(axis=1)

    office = col("office")
    online = col("online", "portal").fillna(col("online", "report"))
    total = office + online
    share = (online / total).where(total > 0)
    df = pd.DataFrame({"total": total, "online": online, "online_share": share}).reset_index()
    df = df.merge(services, on="service_id")
    for c in ("total", "online"):
        df[c] = df[c].astype("Int64")
    df["online_share"] = df["online_share"].astype(float)
    return df[UPTAKE_COLUMNS].sort_values(["service", "month"], ignore_index=True)


def uptake_as_of(conn: Connection, cutoff: date | None) -> pd.DataFrame:
    """One row per service and month, as the monthly_uptake view showed it at the cut-off."""
    if cutoff is None or not _later_loads(conn, end_of_day(cutoff)):
        v = monthly_uptake.c
        df = pd.DataFrame(
            conn.execute(select(*v).order_by(v.service, v.month)).all(), columns=UPTAKE_COLUMNS
        )
        for c in ("total", "online"):
            df[c] = df[c].astype("Int64")
        df["online_share"] = df["online_share"].astype(float)
        return df
    return uptake_from_counts(conn, counts_as_of(conn, cutoff))


def latest_complete_month(uptake: pd.DataFrame) -> str | None:
    """The newest month in which at least one service has both channels reported."""
    complete = uptake.loc[uptake["total"].notna(), "month"]
    return None if complete.empty else str(complete.max())


def _updates(conn: Connection, cutoff: date | None) -> pd.DataFrame:
    mu = MeasureUpdate
    stmt = select(mu.id, mu.measure_id, mu.changed_on, mu.status, mu.previous_status, mu.note)
    if cutoff is not None:
        stmt = stmt.where(mu.changed_on <= cutoff)
    return pd.DataFrame(
        conn.execute(stmt.order_by(mu.changed_on, mu.id)).all(),
        columns=["id", "measure_id", "changed_on", "status", "previous_status", "note"],
    )


def measures_as_of(conn: Connection, cutoff: date | None) -> pd.DataFrame:
    """Each measure that existed at the cut-off, with its status and Sachstand then.

    Name, responsible unit and dates are today's (they have no history); status and
    Sachstand come from the last update on or before the cut-off day.
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


def complete_months(conn: Connection) -> list[str]:
    """Months in which at least one service has both channels reported, oldest first."""
    v = monthly_uptake.c
    return list(
        conn.scalars(select(v.month).where(v.total.is_not(None)).distinct().order_by(v.month))
    )
