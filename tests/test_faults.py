"""A load killed with SIGKILL in the middle of writing leaves the database exactly as before."""

import csv
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from db_state import cli, snapshot, sqlite_writer_active, wait_until, writer_active
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from db import get_engine
from db.engine import make_engine
from db.models import Load, MonthlyCount
from db.writes import LoadInfo, ServiceRow, apply_services, begin_write
from ingest import load_counts

SERVICES = 3000
MONTHS = 24  # 2019-01 .. 2020-12
# Kill once the load has put this much uncommitted data into the database files: well
# into its write phase (about 10 MB in all), far from its commit.
KILL_AFTER_BYTES = 2 * 2**20
APP_NAME = "portalquote-fault-test"


def _portal_export(path: Path, seed: int) -> Path:
    """A portal export CSV: two applications per service and month, 144,000 rows."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Vorgangsnummer", "Leistung", "Eingangsdatum", "Status"])
        n = 0
        for s in range(SERVICES):
            for m in range(MONTHS):
                for _ in range(rng.randint(1, 3)):
                    n += 1
                    day = rng.randint(1, 28)
                    w.writerow([f"V-{n}", f"Leistung {s:04d}",
                                f"{day:02d}.{m % 12 + 1:02d}.{2019 + m // 12} 10:{n % 60:02d}",
                                "eingegangen"])  # fmt: skip
    return path


@pytest.fixture
def big_engine(engine, tmp_path):  # noqa: ANN001, ANN201
    """A catalog of 3,000 services and one earlier load, so there is something to keep."""
    rows = [ServiceRow(f"Leistung {i:04d}", f"FB {i % 9 + 1}") for i in range(SERVICES)]
    with begin_write(engine) as conn:
        apply_services(conn, rows, LoadInfo("katalog.xlsx", "0" * 64, "test", len(rows)))
    load_counts(engine, [_portal_export(tmp_path / "vorher.csv", seed=1)], "test")
    return engine


def _sqlite_written(path: str) -> int:
    """Bytes in the write-ahead log (truncated before the load starts)."""
    wal = Path(path + "-wal")
    return wal.stat().st_size if wal.exists() else 0


PG_ACTIVITY = text(
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :app "
    "AND backend_xid IS NOT NULL"
)
PG_SIZE = text(
    "SELECT pg_total_relation_size('monthly_counts') + pg_total_relation_size('count_changes')"
)


MIGRATION_KILL_ATTEMPTS = 10


def test_sigkill_while_writing_changes_nothing(big_engine, db_url, tmp_path):
    engine = big_engine
    export = _portal_export(tmp_path / "export.csv", seed=2)
    before = snapshot(engine)
    sqlite = engine.dialect.name == "sqlite"
    url = make_url(db_url)
    if sqlite:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        assert _sqlite_written(url.database) == 0
    else:
        url = url.update_query_dict({"application_name": APP_NAME})
        with engine.connect() as conn:
            size0 = conn.scalar(PG_SIZE)

    proc = cli("counts", str(export),
               db_url=url.render_as_string(hide_password=False))  # fmt: skip
    killed_while_writing = False
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if sqlite:
            writing = _sqlite_written(url.database) > KILL_AFTER_BYTES and (
                sqlite_writer_active(url.database)
            )
        else:
            with engine.connect() as conn:
                writing = bool(conn.scalar(PG_ACTIVITY, {"app": APP_NAME})) and (
                    conn.scalar(PG_SIZE) - size0 > KILL_AFTER_BYTES
                )
        if writing:
            proc.send_signal(signal.SIGKILL)
            killed_while_writing = True
            break
        time.sleep(0.005)
    out, err = proc.communicate(timeout=60)
    assert killed_while_writing, f"the load ended before it could be killed: {out}{err}"
    assert proc.returncode == -signal.SIGKILL

    # Exactly as before, and sound.
    assert snapshot(engine) == before
    if sqlite:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert not conn.exec_driver_sql("PRAGMA foreign_key_check").first()

    # Not locked either: the same file loads now, completely.
    results = load_counts(engine, [export], "test")
    with engine.connect() as conn:
        assert conn.scalar(select(Load.state).where(Load.id == results[0].load_id)) == "loaded"
        portal = conn.scalar(
            select(func.count()).select_from(MonthlyCount).where(MonthlyCount.source == "portal")
        )
    assert portal == SERVICES * MONTHS


def test_sigkill_during_the_first_start_leaves_no_half_schema(make_db_url):
    """Killed while creating the schema: afterwards there is no schema or all of it, and the
    next start completes it.

    The migration takes only some milliseconds, so the first start runs at the lowest CPU
    priority and on fresh databases until one kill has landed inside it; every attempt,
    caught or not, must leave no half schema."""
    caught_migrating = 0
    for attempt in range(MIGRATION_KILL_ATTEMPTS):
        url = make_db_url(f"first_start{attempt}")
        probe = make_engine(url)  # does not touch the schema
        if probe.dialect.name == "sqlite":
            sqlite3.connect(probe.url.database).close()  # an empty file, as a first start finds
        proc = cli("history", db_url=url, nice=True)
        caught = wait_until(lambda e=probe, p=proc: writer_active(e) or p.poll() is not None, 120)
        caught_migrating += caught and proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        with probe.connect() as conn:
            tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
            version = (
                conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
                if inspect(conn).has_table("alembic_version")
                else []
            )
        assert (not tables and not version) or (tables >= {"loads", "monthly_counts"} and version)
        probe.dispose()
        engine = get_engine(url)  # the next start
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM monthly_uptake").scalar() == 0
        engine.dispose()
        if caught_migrating >= 2:
            break
    assert caught_migrating, "no first start could be killed while it was migrating"
