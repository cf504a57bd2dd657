"""Engine creation with dialect settings, and schema upgrades through Alembic."""

from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

from db import audit
from db.settings import SQLITE_BUSY_TIMEOUT_MS, database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration (tests/test_engine.py checks it against Alembic). Comparing with it
# directly spares every start Alembic's import when the schema is already current.
SCHEMA_HEAD = "0009"
# Execution option: begin the transaction as a writer right away (SQLite BEGIN IMMEDIATE,
# PostgreSQL the advisory lock below), so concurrent loads queue one after the other
# instead of failing on a lock upgrade or racing on the same rows.
WRITE = {"portalquote_write": True}
# PostgreSQL: one writer at a time, like SQLite. Without it, two first loads both find no
# data-version row and both insert it, and a load's recorded "old values" (what undo
# restores) could miss a concurrent load's rows. Released at commit or rollback.
PG_WRITE_LOCK = 4711
# Execution option for small writes of their own rows (login sessions, the login throttle):
# a writer from the start on SQLite like WRITE, but on PostgreSQL without the writers' lock,
# so that a login never waits for a long load there (row locks keep those writes correct).
LIGHT_WRITE = {"portalquote_light_write": True}


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is lazy).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        if cur.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        immediate = options.get("portalquote_write") or options.get("portalquote_light_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    """An engine for the URL (see db.settings.database_url), without touching the schema."""
    url = make_url(database_url(url))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _sqlite_setup(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "postgresql":
            _postgresql_setup(engine)
    audit.install(engine)
    return engine


def _postgresql_setup(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("portalquote_write"):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


def _alembic_config(conn: Connection):  # noqa: ANN202
    from alembic.config import Config  # only when migrating: the import is slow

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration; cheap when it already is."""
    if current_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command

    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # Rebuilding a table in batch mode with foreign keys on would cascade deletes;
            # the pragma only works outside a transaction, hence the raw connection.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            # Several processes may start at once on a fresh database: the write lock
            # (BEGIN IMMEDIATE / advisory lock) lets one migrate while the others wait, and
            # Alembic then finds the schema current for them.
            with conn.execution_options(**WRITE).begin():
                command.upgrade(_alembic_config(conn), "head")
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("Fremdschlüsselprüfung nach der Migration fehlgeschlagen.")
        finally:
            if sqlite:
                # Also after a failure: the pooled connection must not stay without them.
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    """The schema's migration, read from Alembic's version table (None if there is none)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def get_engine(url: str | None = None) -> Engine:
    """An engine with the schema up to date: what the app and the ingest use."""
    engine = make_engine(url)
    upgrade(engine)
    return engine
