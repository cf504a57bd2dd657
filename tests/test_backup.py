"""`python -m ingest backup FILE`: a consistent copy while the app reads and a load writes,
and the restore the README describes gives back exactly the same database."""

import os
import shutil
import subprocess
from pathlib import Path

from db_state import cli, snapshot, wait_until, writer_active
from sqlalchemy import select
from sqlalchemy.engine import make_url
from test_faults import SERVICES, _portal_export

from db import get_engine
from db.models import Service
from db.writes import LoadInfo, ServiceRow, apply_services, begin_write
from ingest.backup import libpq_args, pg_tool
from ingest.demo import load_demo


def _restore(backup: Path, url: str) -> None:
    """What the README says: SQLite copy the file into place; PostgreSQL pg_restore."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        shutil.copyfile(backup, u.database)
        return
    args, env = libpq_args(u)
    subprocess.run(
        [pg_tool("pg_restore"), *args, "--no-owner", "--exit-on-error", f"--dbname={u.database}",
         str(backup)],
        env={**os.environ, **env}, check=True, capture_output=True,
    )  # fmt: skip


def _run(*args: str, db_url: str) -> tuple[int, str, str]:
    proc = cli(*args, db_url=db_url)
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def test_backup_and_restore_give_the_same_database(engine, db_url, make_db_url, tmp_path):
    load_demo(engine)
    before = snapshot(engine)
    target = tmp_path / "sicherung.db"
    code, out, err = _run("backup", str(target), db_url=db_url)
    assert code == 0, err
    assert out.startswith(f"Sicherung geschrieben: {target} (")
    assert not list(tmp_path.glob(".*partial"))

    restored_url = make_db_url("restored")
    _restore(target, restored_url)
    restored = get_engine(restored_url)
    assert snapshot(restored) == before
    restored.dispose()
    assert snapshot(engine) == before  # the backup itself changed nothing


def test_backup_while_the_app_reads_and_a_load_writes(engine, db_url, make_db_url, tmp_path):
    rows = [ServiceRow(f"Leistung {i:04d}", f"FB {i % 9 + 1}") for i in range(SERVICES)]
    with begin_write(engine) as conn:
        apply_services(conn, rows, LoadInfo("katalog.xlsx", "0" * 64, "test", len(rows)))
    before = snapshot(engine)
    export = _portal_export(tmp_path / "export.csv", seed=3)

    with engine.connect() as app, app.begin():  # the app, in the middle of reading
        assert app.scalar(select(Service.name).limit(1))
        loader = cli("counts", str(export), db_url=db_url)
        assert wait_until(lambda: writer_active(engine) or loader.poll() is not None, 120)
        code, out, err = _run("backup", str(tmp_path / "sicherung.db"), db_url=db_url)
        assert code == 0, err
    out_l, err_l = loader.communicate(timeout=300)
    assert loader.returncode == 0, err_l
    after = snapshot(engine)
    assert after != before

    restored_url = make_db_url("restored")
    _restore(tmp_path / "sicherung.db", restored_url)
    restored = get_engine(restored_url)
    # One consistent state: before the load or after it, never a part of it.
    assert snapshot(restored) in (before, after)
    restored.dispose()


def test_backup_refusals(engine, db_url, tmp_path):
    code, _, err = _run("backup", str(tmp_path / "fehlt" / "x.db"), db_url=db_url)
    assert code == 1 and "Keine Sicherung geschrieben" in err and "gibt es nicht" in err
    code, _, err = _run("backup", str(tmp_path), db_url=db_url)
    assert code == 1 and "ist ein Ordner" in err
    if engine.dialect.name == "sqlite":
        load_demo(engine)
        before = snapshot(engine)
        code, _, err = _run("backup", make_url(db_url).database, db_url=db_url)
        assert code == 1 and "nicht die Datenbank selbst" in err
        assert snapshot(engine) == before
    assert "Traceback" not in err
