"""The reminder log: what went out to whom and with what result, and which months it named."""

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, select, update

from db.models import Reminder

SENDING, SENT, FAILED = "sending", "sent", "failed"
# A reminder that was sent, or may have been (a run that died while sending): never again.
COUNTED = (SENDING, SENT)
LOG_COLUMNS = [
    "id", "kind", "department", "months", "recipients", "subject", "sent_by", "sent_at",
    "forced", "state", "error",
]  # fmt: skip


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def log_sending(
    conn: Connection,
    *,
    department_id: int | None,
    department: str | None,
    months: list[str],
    missing: str,
    recipients: list[str],
    subject: str,
    user: str,
    forced: bool,
) -> int:
    """Write a reminder (department_id None: the summary) as being sent; its id."""
    return conn.scalar(
        Reminder.__table__.insert()
        .values(
            kind="summary" if department_id is None else "department",
            department_id=department_id,
            department=department[:200] if department else None,
            months=" ".join(months),
            missing=missing,
            recipients=", ".join(recipients),
            subject=subject[:300],
            sent_by=user[:200],
            sent_at=_now(),
            forced=forced,
            state=SENDING,
        )
        .returning(Reminder.id)
    )


def log_result(conn: Connection, reminder_id: int, state: str, error: str | None) -> None:
    """Mark a reminder sent or failed (with the German reason)."""
    conn.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id)
        .values(state=state, error=error, sent_at=_now())
    )


def reminded(conn: Connection) -> dict[int, tuple[set[str], datetime]]:
    """Department id -> the months its counted reminders named, and when the last went out."""
    out: dict[int, tuple[set[str], datetime]] = {}
    for dep_id, months, sent_at in conn.execute(
        select(Reminder.department_id, Reminder.months, Reminder.sent_at).where(
            Reminder.kind == "department",
            Reminder.state.in_(COUNTED),
            Reminder.department_id.is_not(None),
        )
    ):
        seen, last = out.get(dep_id, (set(), sent_at))
        out[dep_id] = (seen | set(months.split()), max(last, sent_at))
    return out


def reminder_log(conn: Connection, limit: int = 50) -> pd.DataFrame:
    """The newest reminders and summaries, newest first."""
    r = Reminder
    stmt = (
        select(r.id, r.kind, r.department, r.months, r.recipients, r.subject, r.sent_by,
               r.sent_at, r.forced, r.state, r.error)
        .order_by(r.id.desc())
        .limit(limit)
    )  # fmt: skip
    df = pd.DataFrame(conn.execute(stmt).all(), columns=LOG_COLUMNS)
    df["forced"] = df["forced"].astype(bool)
    return df
