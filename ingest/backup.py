"""`python -m ingest backup FILE`: a consistent copy of the database while the app runs."""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from db.german import format_int

EXIT_OK, EXIT_FAILED = 0, 1
PG_DUMP_TIMEOUT_S = 6 * 3600


class BackupError(Exception):
    """A backup that could not be written; the message is German and says why."""


def backup(engine: Engine, target: str | Path) -> str:
    """Write a backup of the engine's database to target (replaced only when complete)."""
    target = Path(target).expanduser()
    if target.is_dir():
        raise BackupError(f"„{target}“ ist ein Ordner. Bitte einen Dateinamen angeben.")
    if not target.parent.is_dir():
        raise BackupError(f"Den Ordner „{target.parent}“ gibt es nicht.")
    # Written beside the target and renamed at the end: a failed or interrupted backup
    # never leaves a half-written file under the name of a good one.
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        if engine.dialect.name == "sqlite":
            kind = _backup_sqlite(engine, target, partial)
        elif engine.dialect.name == "postgresql":
            kind = _backup_postgresql(engine.url, partial)
        else:
            raise BackupError(
                f"Sicherungen gibt es für SQLite und PostgreSQL, nicht für {engine.dialect.name}. "
                "Bitte das Sicherungswerkzeug der Datenbank verwenden."
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    size = target.stat().st_size
    return f"Sicherung geschrieben: {target} ({kind}, {_size(size)})."


def _size(size: int) -> str:
    if size < 2**20:
        return f"{format_int(max(1, size // 1024))} KB"
    return f"{size / 2**20:.1f} MB".replace(".", ",")


def _backup_sqlite(engine: Engine, target: Path, partial: Path) -> str:
    source = engine.url.database
    if not source or source == ":memory:":
        raise BackupError("Eine Datenbank im Arbeitsspeicher lässt sich nicht sichern.")
    if target.resolve() == Path(source).resolve():
        raise BackupError(
            "Die Sicherung kann nicht die Datenbank selbst überschreiben. Bitte einen anderen "
            "Dateinamen angeben."
        )
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(partial)
        try:
            # One step (pages=-1): a single read transaction, so the copy is one consistent
            # state; in WAL mode the app keeps reading and writing meanwhile.
            raw.driver_connection.backup(dest)
            # A single self-contained file (no -wal beside it); the app turns WAL on again.
            dest.execute("PRAGMA journal_mode=DELETE")
            if dest.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("Die Sicherung ist fehlerhaft geworden. Bitte wiederholen.")
        finally:
            dest.close()
    except sqlite3.Error as exc:
        raise BackupError(f"Die Sicherung ist fehlgeschlagen: {exc}.") from None
    finally:
        raw.close()
    return "SQLite-Datei"


def pg_tool(name: str) -> str:
    """A PostgreSQL client program: on PATH, else the newest under /usr/lib/postgresql."""
    found = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.parent.name)] or [0],
    )
    if found:
        return str(found[-1])
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise BackupError(
        f"Das Programm {name} fehlt. Bitte die PostgreSQL-Clientprogramme installieren "
        "(Debian/Ubuntu: apt-get install postgresql-client)."
    )


def libpq_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore, the password in the environment (not argv,
    where every user of the machine could read it)."""
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    env = {"PGPASSWORD": url.password} if url.password else {}
    for key, value in url.query.items():
        if key in {"sslmode", "sslrootcert", "sslcert", "sslkey"} and isinstance(value, str):
            env[f"PG{key.upper()}"] = value
    return args, env


def _backup_postgresql(url: URL, partial: Path) -> str:
    args, env = libpq_args(url)
    cmd = [pg_tool("pg_dump"), *args, "--format=custom", f"--file={partial}",
           url.database or "postgres"]  # fmt: skip
    try:
        done = subprocess.run(
            cmd, env={**os.environ, **env}, capture_output=True, text=True,
            timeout=PG_DUMP_TIMEOUT_S,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(f"pg_dump ließ sich nicht ausführen: {exc}.") from None
    if done.returncode != 0:
        raise BackupError(f"pg_dump ist fehlgeschlagen: {done.stderr.strip()[-500:]}")
    return "PostgreSQL-Dump, wiederherstellen mit pg_restore"


def main(engine: Engine, target: str) -> int:
    """The command: print what was written, or why not; the exit status."""
    try:
        print(backup(engine, target))
    except BackupError as exc:
        print(f"Keine Sicherung geschrieben. {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
