"""Engine settings, schema upgrades and the writers' lock, on SQLite and on PostgreSQL."""

import threading
import time
from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from db_state import holding_write_lock
from sqlalchemy import inspect, select, text

from db import get_engine
from db.engine import (
    MIGRATIONS_DIR,
    SCHEMA_HEAD,
    WRITE,
    current_revision,
    make_engine,
    upgrade,
)
from db.models import Base, MeasureUpdate, Setting


def test_migrations_build_exactly_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        views = inspect(conn).get_view_names()
    assert diff == []
    assert "monthly_uptake" in views


def test_schema_head_is_the_newest_migration(engine):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD
    assert current_revision(engine) == SCHEMA_HEAD


def test_upgrade_twice_changes_nothing(db_url):
    first = get_engine(db_url)
    with first.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    first.dispose()
    again = get_engine(db_url)
    upgrade(again)
    with again.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [(version,)]
    again.dispose()


def test_sqlite_connection_settings(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,  # also on the connection the migration ran on
        "busy_timeout": 30_000,
        "synchronous": 1,  # NORMAL
    }


def test_a_second_writer_waits_for_the_first(engine):
    """Two loads never interleave: the second begins only after the first has committed."""
    started, order = threading.Event(), []

    def second() -> None:
        started.set()
        with engine.connect().execution_options(**WRITE) as conn, conn.begin():
            order.append("second writes")
            value = conn.scalar(select(Setting.value).where(Setting.key == "probe"))
            order.append(f"second sees {value}")

    with holding_write_lock(engine) as conn:
        conn.execute(Setting.__table__.insert().values(key="probe", value="first"))
        worker = threading.Thread(target=second)
        worker.start()
        started.wait(10)
        time.sleep(0.5)  # the second writer is waiting on the lock by now
        order.append("first commits")
    worker.join(30)
    assert order == ["first commits", "second writes", "second sees first"]


def test_readers_do_not_wait_for_a_writer(engine):
    with holding_write_lock(engine) as writer:
        writer.execute(Setting.__table__.insert().values(key="probe", value="uncommitted"))
        with engine.connect() as reader:  # the dashboard, while a load is running
            assert reader.scalar(select(Setting.value).where(Setting.key == "probe")) is None


def test_plain_reads_take_no_write_lock(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with engine.connect() as conn, conn.begin():
        conn.execute(select(Setting.key)).all()
        locks = conn.scalar(
            text(
                "SELECT count(*) FROM pg_locks "
                "WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            )
        )
    assert locks == 0


def test_make_engine_leaves_the_schema_alone(db_url):
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert "alembic_version" not in inspect(conn).get_table_names()
    engine.dispose()


def test_migration_0008_dates_the_existing_measure_updates(db_url):
    """Updates from a load get its time, the strategy editor's the start of their day."""
    from alembic import command

    from db.engine import _alembic_config

    engine = make_engine(db_url)
    with engine.connect() as conn, conn.begin():
        command.upgrade(_alembic_config(conn), "0004")
        conn.execute(text(
            "INSERT INTO loads (id, kind, file_name, checksum, loaded_by, loaded_at, rows, state,"
            " summary) VALUES (1, 'measures', 'm.xlsx', 'x', 'test', :at, 1, 'loaded', '')"
        ), {"at": datetime(2026, 11, 20, 9, 30)})  # fmt: skip
        conn.execute(text(
            "INSERT INTO action_fields (id, name, position) VALUES (1, 'Feld', 1)"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO measures (id, action_field_id, name, status, position) "
            "VALUES (1, 1, 'M', 'planned', 1)"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO measure_updates (measure_id, changed_on, status, changed_by, load_id) "
            "VALUES (1, :loaded, 'planned', 'test', 1), (1, :edited, 'done', 'admin', NULL)"
        ), {"loaded": date(2026, 11, 20), "edited": date(2026, 11, 25)})  # fmt: skip
    upgrade(engine)
    with engine.connect() as conn:
        stamps = conn.execute(
            select(MeasureUpdate.recorded_at).order_by(MeasureUpdate.id)
        ).scalars().all()  # fmt: skip
    engine.dispose()
    assert stamps == [datetime(2026, 11, 20, 9, 30), datetime(2026, 11, 25)]
