"""Services an admin marked as no longer reported from a month on (page Datenstand)."""

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, delete, select

from db.access import require
from db.models import Department, ReportingStop, Service
from db.months import MONTH_RE
from db.users import Account
from db.writes import bump_data_version

STOP_ROLES = ("admin",)
STOP_COLUMNS = ["service", "department", "from_month", "set_by", "set_at"]


class StopError(ValueError):
    """A mark that cannot be set or removed; the message is German and says why."""


def stops(conn: Connection, before: datetime | None = None) -> dict[str, str]:
    """Service name -> the month from which it is no longer reported (before: only marks set
    before that moment, for figures as of a Stichtag)."""
    stmt = select(Service.name, ReportingStop.from_month).join(
        Service, Service.id == ReportingStop.service_id
    )
    if before is not None:
        stmt = stmt.where(ReportingStop.set_at < before)
    return dict(conn.execute(stmt).all())


def stop_rows(conn: Connection) -> pd.DataFrame:
    """Every mark: service, department, from_month, set_by, set_at (by service name)."""
    stmt = (
        select(Service.name, Department.name, ReportingStop.from_month, ReportingStop.set_by,
               ReportingStop.set_at)
        .join(Service, Service.id == ReportingStop.service_id)
        .join(Department, Department.id == Service.department_id)
        .order_by(Service.name)
    )  # fmt: skip
    return pd.DataFrame(conn.execute(stmt).all(), columns=STOP_COLUMNS)


def _service_id(conn: Connection, service: str) -> int:
    sid = conn.scalar(select(Service.id).where(Service.name == service))
    if sid is None:
        raise StopError(f"Die Leistung „{service}“ gibt es nicht im Leistungskatalog.")
    return sid


def set_stop(conn: Connection, account: Account | None, service: str, from_month: str) -> None:
    """Mark a service as no longer reported from `from_month` on (replaces an earlier mark)."""
    fresh = require(conn, account, *STOP_ROLES)
    if not MONTH_RE.match(from_month or ""):
        raise StopError("Bitte den Monat angeben, ab dem nicht mehr gemeldet wird (z. B. 2024-01).")
    sid = _service_id(conn, service)
    conn.execute(delete(ReportingStop).where(ReportingStop.service_id == sid))
    conn.execute(
        ReportingStop.__table__.insert().values(
            service_id=sid,
            from_month=from_month,
            set_by=fresh.username[:200],
            set_at=datetime.now().replace(microsecond=0),
        )
    )
    # Which months are complete depends on it: every cached figure must be recomputed.
    bump_data_version(conn)


def clear_stop(conn: Connection, account: Account | None, service: str) -> None:
    """The service is expected again in every month."""
    require(conn, account, *STOP_ROLES)
    sid = _service_id(conn, service)
    if not conn.execute(delete(ReportingStop).where(ReportingStop.service_id == sid)).rowcount:
        raise StopError(f"Für „{service}“ ist keine Markierung gesetzt.")
    bump_data_version(conn)
