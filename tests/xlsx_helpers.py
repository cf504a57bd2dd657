"""Helpers for the ingest tests: writing and loading files, database snapshots, month math."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ingest import IngestError, IngestErrors, load_counts

# Every table a load may write; a refused file must leave all of them as they were.
DATA_TABLES = (
    "departments",
    "services",
    "service_aliases",
    "loads",
    "monthly_counts",
    "count_changes",
    "action_fields",
    "measures",
    "measure_updates",
    "measure_services",
    "settings",
)
REPORT_HEADER = ["Leistung", "Monat", "Anträge gesamt", "davon online"]


def month_from_now(offset: int) -> str:
    """'YYYY-MM' of the month `offset` months after the current one."""
    today = date.today()
    index = today.year * 12 + today.month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """The full contents of every data table, for before/after comparisons."""
    with engine.connect() as conn:
        return {
            table: sorted(
                (tuple(r) for r in conn.execute(text(f"SELECT * FROM {table}"))), key=repr
            )
            for table in DATA_TABLES
        }


def stored_counts(engine: Engine) -> dict[tuple[str, str, str, str], int]:
    """(service name, month, channel, source) -> stored count."""
    sql = text(
        "SELECT s.name, c.month, c.channel, c.source, c.value "
        "FROM monthly_counts c JOIN services s ON s.id = c.service_id"
    )
    with engine.connect() as conn:
        return {(n, m, ch, src): v for n, m, ch, src, v in conn.execute(sql)}


def uptake(engine: Engine) -> dict[tuple[str, str], tuple]:
    """(service, month) -> (total, online, online_share) from the monthly_uptake view."""
    sql = text("SELECT service, month, total, online, online_share FROM monthly_uptake")
    with engine.connect() as conn:
        return {(s, m): (t, o, share) for s, m, t, o, share in conn.execute(sql)}


def error_lines(exc: IngestError | IngestErrors) -> list[str]:
    errors = exc.errors if isinstance(exc, IngestErrors) else [exc]
    return [line for e in errors for line in e.lines()]


def refused(engine: Engine, *files: Path | tuple[bytes, str]) -> list[str]:
    """Load files that must be refused: assert nothing changed, return the problem lines."""
    before = snapshot(engine)
    with pytest.raises(IngestErrors) as info:
        load_counts(engine, list(files), "test")
    assert snapshot(engine) == before, "a refused load must not write anything"
    return error_lines(info.value)
