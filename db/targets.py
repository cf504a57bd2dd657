"""Target online shares: saving and deleting them, the linear trend projection and the status."""

import math
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, delete, select, update

from db.access import require
from db.figures import complete_series
from db.german import format_month, format_percent
from db.models import Service, Target
from db.months import MONTH_RE
from db.users import Account
from db.writes import bump_data_version

# Who may set targets; the write functions check it again against the stored account.
TARGET_ROLES = ("admin",)
# The trend is fitted to this many latest months with figures.
TREND_MONTHS = 12
MIN_TREND_MONTHS = 3
# A target the trend reaches only after this many months counts as out of reach.
HORIZON_MONTHS = 120


class TargetError(ValueError):
    """A target that cannot be saved; the message is German and says why."""


@dataclass(frozen=True)
class Projection:
    """A straight line through the latest months' shares, continued into the future."""

    slope: float  # change of the share per month (0.01 = one percentage point)
    months: list[str]  # from the last month with figures to the end of the projection
    shares: list[float]
    reach_month: str | None  # first month the line reaches the target; None: not in sight

    @property
    def rising(self) -> bool:
        return self.slope > 0


@dataclass(frozen=True)
class TargetStatus:
    key: str  # reached, on_track, late, off_track, missed, unknown
    label: str  # German, shown beside the colour (never colour alone)
    color: str  # st.badge colour
    icon: str


STATUSES = {
    "reached": TargetStatus("reached", "erreicht", "green", ":material/check_circle:"),
    "on_track": TargetStatus("on_track", "auf Kurs", "green", ":material/trending_up:"),
    "late": TargetStatus("late", "verzögert", "orange", ":material/schedule:"),
    "off_track": TargetStatus("off_track", "nicht auf Kurs", "red", ":material/trending_down:"),
    "missed": TargetStatus("missed", "verfehlt", "red", ":material/error:"),
    "unknown": TargetStatus("unknown", "noch keine Prognose", "gray", ":material/help:"),
}


def month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_at(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def project(
    months: list[str],
    shares: list[float],
    target: float,
    *,
    window: int = TREND_MONTHS,
    until: str | None = None,
) -> Projection | None:
    """Least-squares line through the last `window` (month, share) points.

    reach_month is the first month the line reaches the target (None: not within ten
    years); the drawn line (months, shares) runs from the last month with figures to the
    reach month, at most to `until` (the due month) or a year ahead, whichever is later.

    None when fewer than three months have figures. Gaps between months are respected.
    """
    points = sorted(
        (month_index(m), float(s)) for m, s in zip(months, shares, strict=True) if s == s
    )[-window:]
    if len(points) < MIN_TREND_MONTHS:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx if sxx else 0.0

    def fitted(x: int) -> float:
        return mean_y + slope * (x - mean_x)

    last = points[-1][0]
    reach = None
    if fitted(last) >= target:
        reach = last
    elif slope > 0:
        # Ceiling, with a little slack so that 7.0000001 months (float noise) count as 7.
        steps = math.ceil((target - fitted(last)) / slope - 1e-9)
        if steps <= HORIZON_MONTHS:
            reach = last + int(steps)
    # Draw the line to where the target is reached, but not much past the due month, so
    # that a far-off date does not squeeze the months with figures into a corner.
    limit = max(month_index(until) if until else 0, last + 12)
    end = max(min(reach, limit) if reach is not None else limit, last + 1)
    xs = [last, end]
    return Projection(
        slope=slope,
        months=[month_at(x) for x in xs],
        shares=[min(max(fitted(x), 0.0), 1.0) for x in xs],
        reach_month=month_at(reach) if reach is not None else None,
    )


def status(
    current: float | None,
    target: float,
    due_month: str,
    latest_month: str | None,
    projection: Projection | None,
) -> TargetStatus:
    """Traffic light of a target: reached, on track, late, off track, missed, unknown."""
    if current is not None and current == current and current >= target:
        return STATUSES["reached"]
    if latest_month is not None and latest_month >= due_month:
        return STATUSES["missed"]
    if projection is None:
        return STATUSES["unknown"]
    if projection.reach_month is None:
        return STATUSES["off_track"]
    if projection.reach_month <= due_month:
        return STATUSES["on_track"]
    return STATUSES["late"]


def describe(target: float, due_month: str, projection: Projection | None) -> str:
    """One German sentence about the projection, e.g. for a tile or a table."""
    goal = f"{format_percent(target, 0)} bis {format_month(due_month)}"
    if projection is None:
        return f"Ziel {goal}; für eine Prognose fehlen noch Monate mit Zahlen."
    if projection.reach_month is None:
        return f"Ziel {goal}; beim derzeitigen Trend nicht absehbar erreicht (Prognose)."
    return (
        f"Ziel {goal}; beim derzeitigen Trend erreicht im "
        f"{format_month(projection.reach_month)} (Prognose)."
    )


def _check(share: float, due_month: str) -> None:
    if not (share == share and 0 < share <= 1):
        raise TargetError("Die Zielquote muss größer als 0 % und höchstens 100 % sein.")
    if not MONTH_RE.match(due_month or ""):
        raise TargetError("Bitte den Zielmonat als Monat angeben (z. B. 2025-12).")


def save_target(
    conn: Connection,
    account: Account | None,
    *,
    share: float,
    due_month: str,
    service: str | None = None,
) -> int:
    """Set the target of a service (or, service None, of all services together).

    There is one target per service: saving again replaces it. Only the roles in
    TARGET_ROLES may do this; the account is checked against the database here.
    """
    fresh = require(conn, account, *TARGET_ROLES)
    _check(share, due_month)
    service_id = None
    if service is not None:
        service_id = conn.scalar(select(Service.id).where(Service.name == service))
        if service_id is None:
            raise TargetError(f"Die Leistung „{service}“ gibt es nicht im Leistungskatalog.")
    cond = Target.service_id.is_(None) if service_id is None else Target.service_id == service_id
    existing = conn.scalar(select(Target.id).where(cond).order_by(Target.id).limit(1))
    values = {
        "share": float(share),
        "due_month": due_month,
        "created_by": fresh.username[:200],
        "created_at": datetime.now().replace(microsecond=0),
    }
    if existing is None:
        target_id = conn.scalar(
            Target.__table__.insert().values(service_id=service_id, **values).returning(Target.id)
        )
    else:
        conn.execute(update(Target).where(Target.id == existing).values(**values))
        target_id = existing
    # Targets are part of what pages cache: a new data version refreshes every process.
    bump_data_version(conn)
    return target_id


def delete_target(conn: Connection, account: Account | None, target_id: int) -> None:
    require(conn, account, *TARGET_ROLES)
    if not conn.execute(delete(Target).where(Target.id == target_id)).rowcount:
        raise TargetError(f"Das Ziel Nr. {target_id} gibt es nicht (mehr).")
    bump_data_version(conn)


@dataclass(frozen=True)
class Evaluation:
    """Where a target stands: the latest share with its base, the projection, the status."""

    share: float
    due_month: str
    month: str | None  # the latest month with a share
    current: float | None
    online: int | None
    total: int | None
    projection: Projection | None
    status: TargetStatus

    @property
    def text(self) -> str:
        return describe(self.share, self.due_month, self.projection)


def evaluate(share: float, due_month: str, history: pd.DataFrame) -> Evaluation:
    """A target against a monthly history (month, total, online, online_share)."""
    known = history[history["online_share"].notna()].sort_values("month")
    if known.empty:
        return Evaluation(share, due_month, None, None, None, None, None, STATUSES["unknown"])
    last = known.iloc[-1]
    proj = project(list(known["month"]), list(known["online_share"]), share, until=due_month)
    current = float(last["online_share"])
    return Evaluation(
        share=share,
        due_month=due_month,
        month=str(last["month"]),
        current=current,
        online=int(last["online"]),
        total=int(last["total"]),
        projection=proj,
        status=status(current, share, due_month, str(last["month"]), proj),
    )


def evaluate_all(
    goals: list[tuple[str | None, float, str]], uptake: pd.DataFrame, states: pd.DataFrame
) -> list[tuple[str | None, Evaluation]]:
    """Each target (service, or None for all services together; share; due month) against
    the figures of `uptake` (rows of monthly_uptake): the overall target against the sums of
    the complete months, a service's target against the service's own months."""
    out = []
    for service, share, due in goals:
        if service is None:
            history = complete_series(uptake, states)
        else:
            history = uptake[uptake["service"] == service]
        out.append((service, evaluate(share, due, history)))
    return out
