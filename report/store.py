"""Stored reports: generate a snapshot as of the cut-off date, save, replace, delete, list."""

import json
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, delete, select, update

from db import access, audit
from db.models import Report, ReportLog
from db.text import clean
from db.users import Account
from db.writes import begin_write
from report.issuer import issuer
from report.snapshot import build_snapshot

LIST_COLUMNS = ["id", "title", "period_start", "period_end", "cutoff", "created_by", "created_at"]
LOG_COLUMNS = ["report_id", "title", "cutoff", "action", "done_by", "done_at"]


def normal_title(title: str) -> str:
    """A title as stored: text from a form normalized like text from files, one space."""
    return " ".join(clean(title).split())[:300]


def list_reports(conn: Connection) -> pd.DataFrame:
    """Stored reports, newest cut-off first."""
    r = Report
    stmt = select(
        r.id, r.title, r.period_start, r.period_end, r.cutoff, r.created_by, r.created_at
    ).order_by(r.cutoff.desc(), r.id.desc())
    return pd.DataFrame(conn.execute(stmt).all(), columns=LIST_COLUMNS)


def report_log(conn: Connection, limit: int = 50) -> pd.DataFrame:
    """Who created, replaced or deleted which report, newest first."""
    g = ReportLog
    stmt = (
        select(g.report_id, g.title, g.cutoff, g.action, g.done_by, g.done_at)
        .order_by(g.id.desc())
        .limit(limit)
    )
    return pd.DataFrame(conn.execute(stmt).all(), columns=LOG_COLUMNS)


def load_snapshot(conn: Connection, report_id: int) -> dict:
    text = conn.scalar(select(Report.snapshot).where(Report.id == report_id))
    if text is None:
        raise KeyError(f"Es gibt keinen gespeicherten Bericht Nr. {report_id}.")
    return json.loads(text)


def latest_before(conn: Connection, cutoff: date) -> int | None:
    """The stored report with the latest cut-off before the given one (the 'previous')."""
    return conn.scalar(
        select(Report.id)
        .where(Report.cutoff < cutoff)
        .order_by(Report.cutoff.desc(), Report.id.desc())
        .limit(1)
    )


def same_report(conn: Connection, title: str, cutoff: date) -> int | None:
    """A stored report with this title (ignoring case and spacing) and cut-off, if any."""
    key = normal_title(title).casefold()
    rows = conn.execute(select(Report.id, Report.title).where(Report.cutoff == cutoff)).all()
    return next((rid for rid, t in rows if normal_title(t).casefold() == key), None)


ACTION_WORDS = {"created": "erzeugt", "replaced": "ersetzt", "deleted": "gelöscht"}


def _log(conn: Connection, report_id: int, title: str, cutoff: date, action: str, user: str,
         when: datetime) -> None:  # fmt: skip
    """A line in the report log and, when the transaction commits, an audit line."""
    audit.at_commit(
        conn, f"Bericht Nr. {report_id} „{title}“ (Stichtag {cutoff:%d.%m.%Y}) "
        f"{ACTION_WORDS[action]} durch „{user}“",
    )  # fmt: skip
    conn.execute(
        ReportLog.__table__.insert().values(
            report_id=report_id,
            title=title[:300],
            cutoff=cutoff,
            action=action,
            done_by=user[:200],
            done_at=when,
        )  # fmt: skip
    )


def create_report(
    engine: Engine,
    *,
    title: str,
    period_start: str,
    period_end: str,
    cutoff: date,
    user: str,
    author: str | None = None,
    previous_id: int | None = None,
    replace_id: int | None = None,
) -> tuple[int, dict]:
    """Read everything as of the cut-off, store it as the report's snapshot; (id, snapshot).

    author is the name in the document properties (default: user). replace_id: store it
    in place of that report (same number), which must have the same title and cut-off; if
    it is to be compared with the report it replaces, it is compared with what that one was.
    """
    title = normal_title(title)
    with begin_write(engine) as conn:
        if replace_id is not None and same_report(conn, title, cutoff) != replace_id:
            raise ValueError(
                f"Bericht Nr. {replace_id} hat nicht diesen Titel und Stichtag (oder ist "
                "inzwischen gelöscht); es wurde nichts ersetzt."
            )
        if replace_id is not None and previous_id == replace_id:
            previous_id = conn.scalar(
                select(Report.previous_report_id).where(Report.id == replace_id)
            )
        previous = load_snapshot(conn, previous_id) if previous_id else None
        now = datetime.now().replace(microsecond=0)
        snapshot = build_snapshot(
            conn,
            title=title,
            period_start=period_start,
            period_end=period_end,
            cutoff=cutoff,
            previous=previous,
            previous_id=previous_id,
            generated_at=now,
            issuer=issuer(conn),
            author=author or user,
        )
        values = {
            "title": title,
            "period_start": period_start,
            "period_end": period_end,
            "cutoff": cutoff,
            "previous_report_id": previous_id,
            "snapshot": json.dumps(snapshot, ensure_ascii=False),
            "created_by": user[:200],
            "created_at": now,
        }
        if replace_id is None:
            report_id = conn.scalar(Report.__table__.insert().values(**values).returning(Report.id))
        else:
            conn.execute(update(Report).where(Report.id == replace_id).values(**values))
            report_id = replace_id
        _log(conn, report_id, title, cutoff, "replaced" if replace_id else "created", user, now)
    return report_id, snapshot


def delete_report(engine: Engine, account: Account | None, report_id: int) -> str:
    """Delete a stored report (admins only, checked here); its title. Later reports that
    were compared with it keep what they printed of it (it is in their snapshot)."""
    with access.write_as(engine, account, "admin") as conn:
        row = conn.execute(
            select(Report.title, Report.cutoff).where(Report.id == report_id)
        ).first()
        if row is None:
            raise KeyError(f"Es gibt keinen gespeicherten Bericht Nr. {report_id} (mehr).")
        conn.execute(
            update(Report)
            .where(Report.previous_report_id == report_id)
            .values(previous_report_id=None)
        )
        conn.execute(delete(Report).where(Report.id == report_id))
        now = datetime.now().replace(microsecond=0)
        _log(conn, report_id, row.title, row.cutoff, "deleted", account.username, now)
    return row.title
