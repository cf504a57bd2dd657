"""Stored reports: generate a snapshot as of the cut-off date, save it, list and load it."""

import json
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, select

from db.models import Report
from db.text import clean
from db.writes import begin_write
from report.snapshot import build_snapshot

LIST_COLUMNS = ["id", "title", "period_start", "period_end", "cutoff", "created_by", "created_at"]


def list_reports(conn: Connection) -> pd.DataFrame:
    """Stored reports, newest cut-off first."""
    r = Report
    stmt = select(
        r.id, r.title, r.period_start, r.period_end, r.cutoff, r.created_by, r.created_at
    ).order_by(r.cutoff.desc(), r.id.desc())
    return pd.DataFrame(conn.execute(stmt).all(), columns=LIST_COLUMNS)


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


def create_report(
    engine: Engine,
    *,
    title: str,
    period_start: str,
    period_end: str,
    cutoff: date,
    user: str,
    previous_id: int | None = None,
) -> tuple[int, dict]:
    """Read everything as of the cut-off, store it as the report's snapshot; (id, snapshot)."""
    title = " ".join(clean(title).split())
    with begin_write(engine) as conn:
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
        )
        report_id = conn.scalar(
            Report.__table__.insert()
            .values(
                title=title[:300],
                period_start=period_start,
                period_end=period_end,
                cutoff=cutoff,
                previous_report_id=previous_id,
                snapshot=json.dumps(snapshot, ensure_ascii=False),
                created_by=user[:200],
                created_at=now,
            )
            .returning(Report.id)
        )
    return report_id, snapshot
