"""A throwaway PostgreSQL server for tests and benchmarks: initdb in a temp dir, 127.0.0.1."""

import ctypes
import itertools
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg
from net import free_port
from sqlalchemy.engine import make_url

# An existing server to use instead of starting one: an admin URL that may create databases.
EXTERNAL_URL_ENV = "PORTALQUOTE_TEST_PG_URL"
BIN_DIR_ENV = "PORTALQUOTE_PG_BIN"
STARTUP_SECONDS = 30
# Durability is pointless for a server that lives as long as one test run.
SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "listen_addresses": "127.0.0.1",
}
_PR_SET_PDEATHSIG = 1


class PostgresNotFound(RuntimeError):
    pass


def find_bin_dir() -> Path:
    """The newest installed PostgreSQL server binaries (Debian: /usr/lib/postgresql/N/bin)."""
    if os.environ.get(BIN_DIR_ENV):
        return Path(os.environ[BIN_DIR_ENV])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.parent.name)] or [0],
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise PostgresNotFound(
        "PostgreSQL server binaries (initdb, postgres) not found: apt-get install postgresql "
        f"(make test does that), or set {BIN_DIR_ENV} or {EXTERNAL_URL_ENV}."
    )


def _run_as() -> str | None:
    """initdb and postgres refuse to run as root: use the postgres (or nobody) account then."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PostgresNotFound("running as root, but there is no postgres or nobody account")


def _die_with_parent() -> None:
    # If the test run is killed, the server must not linger (runs in the child before exec).
    with suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGQUIT)


class PostgresServer:
    """A server reachable at 127.0.0.1:port with trust auth for the user `postgres`."""

    def __init__(self, admin_url: str, proc: subprocess.Popen | None = None,
                 data_dir: Path | None = None) -> None:  # fmt: skip
        self.admin_url = make_url(admin_url).set(drivername="postgresql+psycopg")
        self.proc = proc
        self.data_dir = data_dir
        self._names = itertools.count(1)

    def url(self, database: str) -> str:
        """A SQLAlchemy URL for one database on this server."""
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def _admin(self) -> psycopg.Connection:
        u = self.admin_url
        return psycopg.connect(
            host=u.host, port=u.port, user=u.username, password=u.password,
            dbname=u.database or "postgres", autocommit=True,
        )  # fmt: skip

    def create_database(self, hint: str = "t") -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        safe = re.sub(r"[^a-z0-9_]", "_", hint.lower())[:30]
        name = f"pq_{safe}_{os.getpid()}_{next(self._names)}"
        with self._admin() as conn:
            # FILE_COPY is the faster strategy for a small template (no WAL per block).
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template1 STRATEGY FILE_COPY')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown: disconnect clients, stop
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def _wait_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    u = make_url(url)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            psycopg.connect(
                host=u.host, port=u.port, user=u.username, dbname="postgres", connect_timeout=2
            ).close()
            return
        except psycopg.OperationalError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            text = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start:\n{text[-3000:]}")
        time.sleep(0.1)


def _remove_stale(tmp: Path, min_age_s: float = 3600) -> None:
    """Data dirs left by runs that were killed (their server died with them)."""
    for base in tmp.glob("portalquote-pg-*"):
        pid_file = base / "data" / "postmaster.pid"
        try:
            if time.time() - base.stat().st_mtime < min_age_s:
                continue
            if pid_file.exists():
                os.kill(int(pid_file.read_text().split()[0]), 0)
                continue  # still running: someone else's server
        except ProcessLookupError:
            pass
        except (OSError, ValueError, IndexError):
            continue
        shutil.rmtree(base, ignore_errors=True)


def start_server() -> PostgresServer:
    """initdb into a new temp dir and start postgres on a free port of 127.0.0.1."""
    if os.environ.get(EXTERNAL_URL_ENV):
        return PostgresServer(os.environ[EXTERNAL_URL_ENV])
    bin_dir = find_bin_dir()
    user = _run_as()
    # Under /tmp when the server runs as another user: $TMPDIR may be private to root.
    tmp = Path("/tmp" if user else tempfile.gettempdir())
    _remove_stale(tmp)
    base = Path(tempfile.mkdtemp(prefix="portalquote-pg-", dir=tmp))
    if user:
        pw = pwd.getpwnam(user)
        os.chown(base, pw.pw_uid, pw.pw_gid)
    data = base / "data"
    log = base / "server.log"
    as_user = {"user": user} if user else {}
    try:
        subprocess.run(
            [bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True, cwd=base, **as_user,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"initdb failed:\n{exc.stderr.decode(errors='replace')}") from None
    settings = [a for k, v in SERVER_SETTINGS.items() for a in ("-c", f"{k}={v}")]
    for _attempt in range(3):
        port = free_port()
        with open(log, "ab") as log_fh:
            proc = subprocess.Popen(
                [bin_dir / "postgres", "-D", data, "-p", str(port), "-k", base, *settings],
                stdout=log_fh, stderr=subprocess.STDOUT, cwd=base,
                preexec_fn=_die_with_parent, **as_user,
            )  # fmt: skip
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        try:
            _wait_ready(url, proc, log)
            return PostgresServer(url, proc, base)
        except RuntimeError:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if "could not bind" not in log.read_text(errors="replace"):
                shutil.rmtree(base, ignore_errors=True)
                raise
    shutil.rmtree(base, ignore_errors=True)
    raise RuntimeError("PostgreSQL found no free port")


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
