"""`python -m ingest check`: one German line and the exit status of a monitoring plugin."""

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import write_xlsx
from sqlalchemy import text, update

from db.engine import SCHEMA_HEAD, current_revision
from db.models import Load
from db.writes import begin_write
from ingest import check, load_counts

PROJECT = Path(__file__).resolve().parent.parent
HEADER = ["Leistung", "Monat", "Anträge gesamt", "davon online"]


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", "--db", db_url, "check", *args],
                          capture_output=True, text=True, cwd=PROJECT, timeout=120)  # fmt: skip


def _load_all(engine, tmp_path: Path) -> None:  # noqa: ANN001
    rows = [HEADER, *([name, "2026-10", 100, 40] for name in (
        "Personenstandsurkunde", "Meldebescheinigung", "Melderegisterauskunft",
        "Bewohnerparkausweis"))]  # fmt: skip
    load_counts(engine, [write_xlsx(tmp_path / "meldung.xlsx", {"Meldung": rows})], "test")


def _age_loads(engine, days: int) -> None:  # noqa: ANN001
    with begin_write(engine) as conn:
        conn.execute(update(Load).values(loaded_at=datetime.now() - timedelta(days=days)))


def test_states_of_a_town_database(catalog_engine, db_url, tmp_path):
    status, line = check.run(db_url)
    assert status == check.WARNING  # a catalog, but nothing delivered yet
    assert "noch nie geliefert: FB 3 Bürgerbüro; FB 3 Standesamt; FB 3 Straßenverkehr" in line
    _load_all(catalog_engine, tmp_path)
    status, line = check.run(db_url)
    assert status == check.OK, line
    assert line.startswith(f"Datenbank erreichbar, Schema {SCHEMA_HEAD} aktuell, 3 Fachbereiche")
    assert line.endswith("aelteste_lieferung_tage=0;45;75")
    _age_loads(catalog_engine, 50)
    status, line = check.run(db_url)
    assert status == check.WARNING and "FB 3 Bürgerbüro (vor 50 Tagen)" in line
    _age_loads(catalog_engine, 80)
    assert check.run(db_url)[0] == check.CRITICAL
    assert check.run(db_url, warn_days=90, crit_days=120)[0] == check.OK


def test_command_line_prints_one_line_with_the_exit_status(engine, db_url):
    done = _cli(db_url)
    assert done.returncode == check.OK, done.stderr
    assert done.stdout.count("\n") == 1
    assert done.stdout.startswith("PORTALQUOTE OK - Datenbank erreichbar")
    assert "noch keine Fachbereiche" in done.stdout


def test_schema_that_is_old_or_unknown(engine, db_url):
    for revision, status, words in (("0002", check.WARNING, "veraltet"),
                                    ("9999", check.CRITICAL, "unbekannt")):  # fmt: skip
        with begin_write(engine) as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        done = _cli(db_url)
        assert done.returncode == status, done.stdout + done.stderr
        assert words in done.stdout
        assert current_revision(engine) == revision  # the check never migrates


def test_no_database_is_critical_and_nothing_is_created(tmp_path):
    missing = tmp_path / "fehlt.db"
    done = _cli(f"sqlite:///{missing}")
    assert done.returncode == check.CRITICAL
    assert done.stdout.startswith("PORTALQUOTE KRITISCH - Datenbank nicht erreichbar")
    assert not missing.exists()
    sqlite3.connect(tmp_path / "leer.db").close()  # a file, but not Portalquote's
    done = _cli(f"sqlite:///{tmp_path / 'leer.db'}")
    assert done.returncode == check.CRITICAL and "ohne Portalquote-Schema" in done.stdout


def test_unreachable_server_is_critical():
    from net import free_port

    status, line = check.run(f"postgresql+psycopg://x@127.0.0.1:{free_port()}/portalquote")
    assert status == check.CRITICAL and line.startswith("Datenbank nicht erreichbar (")


@pytest.mark.parametrize("url", ["kein-url", "oracle://x@y/z"])
def test_unusable_url_is_critical(url):
    assert check.run(url)[0] == check.CRITICAL


def test_check_opens_no_write_transaction(engine, db_url):
    """It only reads: it works while a load holds the writers' lock."""
    with begin_write(engine):
        assert check.run(db_url)[0] == check.OK
