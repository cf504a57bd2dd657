"""Every figure the pages, slides and report show, computed once (no Streamlit, no German text).

- The online-share rule, as SQL over any set of counts: the monthly_uptake view, the live
  queries (db.queries) and the Stichtag queries (db.asof) all select through uptake_select.
- The complete ("vollständig") month: which services are expected in a month, and whether all
  of them reported both channels.
- The headline of a month (sums over the services with both channels), its changes against
  the previous month and the same month a year earlier over the services both months have,
  the monthly series behind charts and target projections, and the measures' status counts.

Pages, slides and the report only format what these functions return.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Float, FromClause, Select, case, cast, func, select
from sqlalchemy.engine import Dialect

from db.models import STATUSES, Department, MonthlyCount, Service
from db.months import add_months, months_apart, months_between

# A change of shares is rounded to this many decimals (0.001 = 0.1 percentage points, the
# precision every presenter prints), so that all of them show the same digits and sign.
POINTS_DIGITS = 3
# A share from fewer requests swings too much to compare: presenters grey or mark it.
SMALL_BASE = 20

# ---------------------------------------------------------------- the online-share rule


def channel_counts(counts: FromClause, *, with_source: bool = False) -> Select:
    """Per service and month of `counts` (service_id, month, channel, source, value): office
    and online (with_source: also portal, 1 where online came from the portal export).

    The portal export is the authority for online requests: where it has a figure, that one
    counts; otherwise the department's report.
    """
    c = counts.c
    online = c.channel == "online"
    portal = func.max(case((online & (c.source == "portal"), c.value)))
    report = func.max(case((online & (c.source == "report"), c.value)))
    columns = [
        c.service_id.label("service_id"),
        c.month.label("month"),
        func.max(case((c.channel == "office", c.value))).label("office"),
        func.coalesce(portal, report).label("online"),
    ]
    if with_source:
        from_portal = case((online & (c.source == "portal"), 1), else_=0)
        columns.append(func.max(from_portal).label("portal"))
    return select(*columns).group_by(c.service_id, c.month)


def uptake_select(counts: FromClause, *, with_source: bool = False) -> Select:
    """One row per service and month of `counts`: service, department, month, total, online,
    online_share (with_source: also portal, 1 where online came from the portal).

    total = office + online; total and online_share stay NULL while a channel is missing
    (never a made-up 100 %), and online_share also where the total is 0.
    """
    c = channel_counts(counts, with_source=with_source).subquery("channels")
    both = c.c.office.is_not(None) & c.c.online.is_not(None)
    total = c.c.office + c.c.online
    # A plain "/" on a float: SQLAlchemy's own division would add casts of its own.
    share = cast(c.c.online, Float).op("/", return_type=Float)(total.self_group())
    columns = [
        Service.name.label("service"),
        Department.name.label("department"),
        c.c.month.label("month"),
        case((both, total)).label("total"),
        c.c.online.label("online"),
        case((both & (total > 0), share)).label("online_share"),
    ]
    if with_source:
        columns.append(c.c.portal.label("portal"))
    return (
        select(*columns)
        .select_from(c)
        .join(Service, Service.id == c.c.service_id)
        .join(Department, Department.id == Service.department_id)
    )


def view_sql(dialect: Dialect) -> str:
    """The SELECT behind the monthly_uptake view, for this database (migration 0004)."""
    stmt = uptake_select(MonthlyCount.__table__)
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


# ---------------------------------------------------------------- the complete month

SERVICE_MONTH_COLUMNS = ["service", "month", "reported", "complete", "expected"]
MONTH_COLUMNS = ["month", "expected", "reported", "partial", "services", "complete"]


def service_months(coverage: pd.DataFrame, stops: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per service and month from the first to the last month with any count, where the
    service reported something or was expected: reported (any count), complete (both
    channels), expected.

    coverage has one row per service and month with any count (service, month, complete).
    Expected in a month are the services that had both channels in any earlier month; while
    none ever had both, those that reported the month. A service that an admin marked as no
    longer reported from a month on (stops: service -> 'YYYY-MM') is not expected from that
    month on.
    """
    if coverage.empty:
        return pd.DataFrame(columns=SERVICE_MONTH_COLUMNS)
    services = np.array(sorted(set(coverage["service"])), dtype=object)
    months = months_between(str(coverage["month"].min()), str(coverage["month"].max()))
    row = coverage["service"].map({s: i for i, s in enumerate(services)}).to_numpy(int)
    col = coverage["month"].map({m: j for j, m in enumerate(months)}).to_numpy(int)
    reported = np.zeros((len(services), len(months)), dtype=bool)
    complete = np.zeros_like(reported)
    reported[row, col] = True
    complete[row, col] = coverage["complete"].to_numpy(bool)
    # Both channels in some month before this one (shifted by a month: earlier months only).
    before = np.zeros_like(complete)
    before[:, 1:] = np.logical_or.accumulate(complete, axis=1)[:, :-1]
    stops = stops or {}
    end = np.array([months_apart(stops[s], months[0]) if s in stops else len(months)
                    for s in services])  # fmt: skip
    active = np.arange(len(months))[None, :] < end[:, None]
    known = before & active
    # While no (unmarked) service ever had both channels: those that reported the month.
    first = ~known.any(axis=0)
    expected = np.where(first[None, :], reported & active, known)
    i, j = np.nonzero(reported | expected)
    return pd.DataFrame(
        {
            "service": services[i],
            "month": np.array(months, dtype=object)[j],
            "reported": reported[i, j],
            "complete": complete[i, j],
            "expected": expected[i, j],
        }
    )


@dataclass(frozen=True)
class MonthState:
    """How complete a month is: of the `expected` services, `reported` have both channels
    and `partial` only one; `services` had both channels (expected or not)."""

    month: str
    expected: int
    reported: int
    partial: int
    services: int
    complete: bool


def month_states(service_months: pd.DataFrame) -> pd.DataFrame:
    """Per month (every month from the first to the last): MonthState's fields as columns."""
    sm = service_months
    if sm.empty:
        return pd.DataFrame(columns=MONTH_COLUMNS)
    flags = pd.DataFrame(
        {
            "month": sm["month"],
            "expected": sm["expected"].astype(int),
            "reported": (sm["expected"] & sm["complete"]).astype(int),
            "partial": (sm["expected"] & sm["reported"] & ~sm["complete"]).astype(int),
            "services": sm["complete"].astype(int),
        }
    )
    months = months_between(str(sm["month"].min()), str(sm["month"].max()))
    out = flags.groupby("month").sum().reindex(months, fill_value=0)
    out["complete"] = (out["expected"] > 0) & (out["reported"] == out["expected"])
    return out.rename_axis("month").reset_index()[MONTH_COLUMNS]


def state_of(states: pd.DataFrame, month: str) -> MonthState:
    """One month's state (a month without any figures: nothing expected, nothing reported)."""
    rows = states[states["month"] == month]
    if rows.empty:
        return MonthState(month, 0, 0, 0, 0, False)
    r = rows.iloc[0]
    return MonthState(month, int(r["expected"]), int(r["reported"]), int(r["partial"]),
                      int(r["services"]), bool(r["complete"]))  # fmt: skip


def complete_months(states: pd.DataFrame) -> list[str]:
    return [str(m) for m in states.loc[states["complete"].astype(bool), "month"]]


def latest_complete_month(states: pd.DataFrame) -> str | None:
    """The newest complete month: the month of the headline, projections and default ranges."""
    months = complete_months(states)
    return months[-1] if months else None


def later_months(states: pd.DataFrame, month: str | None) -> list[MonthState]:
    """The months after `month` (all of them, if None): not complete, shown as provisional."""
    later = states if month is None else states[states["month"] > month]
    return [state_of(states, str(m)) for m in later["month"]]


# ---------------------------------------------------------------- headline and changes


@dataclass(frozen=True)
class Sums:
    """Requests of a month summed over `services` services with both channels."""

    month: str
    total: int
    online: int
    services: int

    @property
    def share(self) -> float | None:
        return self.online / self.total if self.total else None

    @property
    def office(self) -> int:
        return self.total - self.online


@dataclass(frozen=True)
class Change:
    """A month against an earlier one, both summed over the same services (those with both
    channels in both months); points = the change of the share, rounded, never -0.0."""

    now: Sums
    then: Sums
    points: float | None

    @property
    def services(self) -> int:
        return self.now.services


@dataclass(frozen=True)
class MonthFigures:
    """A month's sums, its state and its changes against the month before and a year before."""

    month: str
    state: MonthState
    current: Sums
    previous: Change | None
    year: Change | None


@dataclass(frozen=True)
class Headline:
    """The latest complete month's figures and the later, provisional months."""

    figures: MonthFigures
    later: list[MonthState]

    @property
    def month(self) -> str:
        return self.figures.month


def points(now: float | None, then: float | None) -> float | None:
    """The change of a share in rounded points (0.0 for a change that rounds to nothing)."""
    if now is None or then is None:
        return None
    return round(now - then, POINTS_DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _complete_rows(uptake: pd.DataFrame, month: str) -> pd.DataFrame:
    return uptake[(uptake["month"] == month) & uptake["total"].notna()]


def _sums(rows: pd.DataFrame, month: str) -> Sums:
    return Sums(month, int(rows["total"].sum()), int(rows["online"].sum()), len(rows))


def sums(uptake: pd.DataFrame, month: str) -> Sums:
    """A month over all its services with both channels (uptake: rows of monthly_uptake)."""
    return _sums(_complete_rows(uptake, month), month)


def compare(now: pd.DataFrame, then: pd.DataFrame) -> Change | None:
    """Two months' rows (service, month, total, online) over the services with both channels
    in both; None when they have none in common."""
    now = now[now["total"].notna()]
    then = then[then["total"].notna()]
    common = set(now["service"]) & set(then["service"])
    if not common:
        return None
    a = _sums(now[now["service"].isin(common)], str(now["month"].iloc[0]))
    b = _sums(then[then["service"].isin(common)], str(then["month"].iloc[0]))
    return Change(a, b, points(a.share, b.share))


def change(uptake: pd.DataFrame, month: str, other: str) -> Change | None:
    return compare(_complete_rows(uptake, month), _complete_rows(uptake, other))


def month_figures(uptake: pd.DataFrame, states: pd.DataFrame, month: str) -> MonthFigures:
    """A month's figures: uptake needs the rows of the month, the month before and the month
    a year before (more rows do no harm)."""
    return MonthFigures(
        month=month,
        state=state_of(states, month),
        current=sums(uptake, month),
        previous=change(uptake, month, add_months(month, -1)),
        year=change(uptake, month, add_months(month, -12)),
    )


def headline(uptake: pd.DataFrame, states: pd.DataFrame) -> Headline | None:
    """The figures of the latest complete month (None while there is none)."""
    month = latest_complete_month(states)
    if month is None:
        return None
    return Headline(month_figures(uptake, states, month), later_months(states, month))


SERIES_COLUMNS = ["month", "total", "online", "online_share", "services"]


def monthly_sums(uptake: pd.DataFrame) -> pd.DataFrame:
    """Per month with any service with both channels: the sums over those services (month,
    total, online, online_share, services); oldest first."""
    rows = uptake[uptake["total"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    g = rows.groupby("month")
    out = pd.DataFrame(
        {
            "total": g["total"].sum().astype("int64"),
            "online": g["online"].sum().astype("int64"),
            "services": g.size().astype("int64"),
        }
    )
    out["online_share"] = (out["online"] / out["total"]).where(out["total"] > 0)
    return out.rename_axis("month").reset_index()[SERIES_COLUMNS]


def complete_series(uptake: pd.DataFrame, states: pd.DataFrame) -> pd.DataFrame:
    """monthly_sums of the complete months only: what charts and target projections show."""
    series = monthly_sums(uptake)
    return series[series["month"].isin(complete_months(states))].reset_index(drop=True)


PERIOD_COLUMNS = ["service", "total", "online", "online_share", "change"]


def service_period(uptake: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """Per service with both channels in some month from start to end: the sums over those
    months (total, online, online_share) and the change of its share from start to end
    (rounded points; None unless it has a share in both)."""
    rows = uptake[uptake["month"].between(start, end) & uptake["total"].notna()]
    out = []
    for service, own in rows.groupby("service", sort=True):
        total, online = int(own["total"].sum()), int(own["online"].sum())
        share = own.set_index("month")["online_share"].dropna()
        first = float(share[start]) if start in share.index else None
        last = float(share[end]) if end in share.index else None
        out.append((service, total, online, online / total if total else None,
                    points(last, first)))  # fmt: skip
    return pd.DataFrame(out, columns=PERIOD_COLUMNS)


# ---------------------------------------------------------------- measures


def status_counts(measures: pd.DataFrame) -> pd.DataFrame:
    """Measures per action field and status (group, field, status, count), every status of
    every field present (0 included), fields in display order."""
    if measures.empty:
        return pd.DataFrame(columns=["group", "field", "status", "count"])
    m = measures
    if "field_position" in m.columns:
        m = m.sort_values("field_position", kind="stable")
    groups = m["group"] if "group" in m.columns else [None] * len(m)
    fields = list(
        dict.fromkeys(
            (g if isinstance(g, str) and g else None, f)
            for g, f in zip(groups, m["field"], strict=True)
        )
    )
    counts = m.groupby(["field", "status"]).size()
    return pd.DataFrame(
        [
            {"group": g, "field": f, "status": s, "count": int(counts.get((f, s), 0))}
            for g, f in fields
            for s in STATUSES
        ]
    )


def overdue_measures(measures: pd.DataFrame, month: str) -> pd.DataFrame:
    """The measures (rows with at least field, measure, status, end) whose planned end month
    lies before `month` and that are not done, with months_over (months since the end
    month); longest overdue first."""
    m = measures[measures["end"].notna() & (measures["status"] != "done")]
    m = m[m["end"].astype(str) < month]
    out = m.assign(months_over=[months_apart(month, str(e)) for e in m["end"]])
    return out.sort_values(["end", "field", "measure"], kind="stable").reset_index(drop=True)


def small_base(uptake: pd.DataFrame) -> pd.Series:
    """Rows whose online share rests on fewer than SMALL_BASE requests."""
    total = pd.to_numeric(uptake["total"], errors="coerce").fillna(0)
    return uptake["online_share"].notna() & (total < SMALL_BASE)
