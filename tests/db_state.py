"""Helpers for the database-level tests: full snapshots, the CLI as a process, write locks."""

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from db.engine import PG_WRITE_LOCK, WRITE

PROJECT = Path(__file__).resolve().parent.parent


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table (the schema version included), sorted: equal means unchanged."""
    with engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        return {
            t: sorted((tuple(r) for r in conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr)
            for t in tables
        }


def cli(
    *args: str, db_url: str, env: dict[str, str] | None = None, nice: bool = False
) -> subprocess.Popen:
    """Start `python -m ingest --db URL ARGS` as its own process (stdout/stderr piped);
    `nice` runs it at the lowest CPU priority, to widen a window a test wants to hit."""
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "--db", db_url, *args],
        cwd=PROJECT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=(lambda: os.nice(19)) if nice else None,
    )


@contextmanager
def holding_write_lock(engine: Engine) -> Iterator[Connection]:
    """Hold the writers' lock (SQLite BEGIN IMMEDIATE / the PostgreSQL advisory lock)."""
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        yield conn


def waiting_writers(engine: Engine) -> int | None:
    """How many sessions wait for the PostgreSQL write lock (None: SQLite can't tell)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        return conn.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND objid = :key AND NOT granted"
            ),
            {"key": PG_WRITE_LOCK},
        )


def writer_active(engine: Engine) -> bool:
    """Whether some other connection holds the writers' lock right now (a load is writing)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return bool(
                conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND objid = :key AND granted"
                    ),
                    {"key": PG_WRITE_LOCK},
                )
            )
    return sqlite_writer_active(engine.url.database)


def sqlite_writer_active(path: str) -> bool:
    """Whether some connection holds the write lock of the SQLite file at path."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:  # "database is locked": a load holds the write lock
        return True
    finally:
        probe.close()


def wait_until(condition, seconds: float, every: float = 0.005) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False
