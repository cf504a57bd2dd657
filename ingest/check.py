"""`python -m ingest check`: one line for monitoring (Icinga/Nagios): database, schema, loads.

Exit status as monitoring plugins have it: 0 OK, 1 WARNING, 2 CRITICAL. The check only reads:
it never migrates the schema or writes anything.
"""

from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from db import queries
from db.engine import MIGRATIONS_DIR, SCHEMA_HEAD, current_revision, make_engine
from db.german import format_int
from db.settings import database_url

OK, WARNING, CRITICAL = 0, 1, 2
STATE = {OK: "OK", WARNING: "WARNUNG", CRITICAL: "KRITISCH"}
WARN_DAYS, CRIT_DAYS = 45, 75  # a monthly report missed once, twice
NAMED = 3  # departments named in the line; the rest are counted
CONNECT_TIMEOUT_S = 10


def _engine(url: str | None) -> Engine:
    """An engine that neither migrates nor creates anything (SQLite would make a new file)."""
    parsed = make_url(database_url(url))
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).is_file():
        raise FileNotFoundError(f"die Datei {file} fehlt")
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        parsed = parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)})
    return make_engine(parsed.render_as_string(hide_password=False))


def _known_revision(revision: str) -> bool:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for unknown ids
        return False


def _days(delta: pd.Timedelta) -> str:
    days = int(delta.days)
    return "heute" if days == 0 else "vor 1 Tag" if days == 1 else f"vor {format_int(days)} Tagen"


def _names(rows: pd.DataFrame, text) -> str:  # noqa: ANN001
    parts = [text(r) for r in rows.head(NAMED).itertuples()]
    more = len(rows) - NAMED
    return "; ".join(parts) + (f" und {more} weitere" if more > 0 else "")


def loads_status(frame: pd.DataFrame, now: datetime, warn_days: int, crit_days: int):  # noqa: ANN201
    """(status, text, perfdata) for the departments' last loads (queries.department_loads)."""
    if frame.empty:
        return OK, "noch keine Fachbereiche geladen", "fachbereiche=0"
    age = now - pd.to_datetime(frame["last_load"])
    frame = frame.assign(age=age).sort_values("age", ascending=False, na_position="first")
    never = frame[frame["last_load"].isna()]
    late = frame[frame["age"] > pd.Timedelta(days=warn_days)]
    critical = late[late["age"] > pd.Timedelta(days=crit_days)]
    oldest = frame["age"].max()
    oldest_days = int(oldest.days) if pd.notna(oldest) else 0
    perf = (
        f"fachbereiche={len(frame)} ohne_lieferung={len(never)} "
        f"aelteste_lieferung_tage={oldest_days};{warn_days};{crit_days}"
    )
    parts = []
    if len(late):
        parts.append(
            "letzte Lieferung zu alt: " + _names(late, lambda r: f"{r.department} ({_days(r.age)})")
        )
    if len(never):
        parts.append("noch nie geliefert: " + _names(never, lambda r: r.department))
    if not parts:
        newest = frame["age"].min()
        return (
            OK,
            (
                f"{format_int(len(frame))} Fachbereiche, letzte Lieferung {_days(newest)}, "
                f"älteste {_days(oldest)}"
            ),
            perf,
        )
    status = CRITICAL if len(critical) else WARNING
    return status, f"{format_int(len(frame))} Fachbereiche, " + ", ".join(parts), perf


def run(url: str | None, warn_days: int = WARN_DAYS, crit_days: int = CRIT_DAYS,
        now: datetime | None = None) -> tuple[int, str]:  # fmt: skip
    """The status and its one line (without the "PORTALQUOTE <STATUS> - " prefix)."""
    try:
        engine = _engine(url)
    except FileNotFoundError as exc:
        return CRITICAL, f"Datenbank nicht erreichbar ({exc})"
    except Exception as exc:  # a URL that is no URL, an unknown driver
        return CRITICAL, f"Datenbank-Angabe unbrauchbar ({str(exc)[:150]})"
    try:
        revision = current_revision(engine)
        if revision is None:
            return CRITICAL, "Datenbank erreichbar, aber ohne Portalquote-Schema"
        if revision != SCHEMA_HEAD:
            if _known_revision(revision):
                return WARNING, (
                    f"Schema {revision} ist veraltet (aktuell: {SCHEMA_HEAD}); das Dashboard "
                    "bringt es beim nächsten Start auf den neuesten Stand"
                )
            return CRITICAL, (
                f"Schema {revision} ist dieser Portalquote-Version unbekannt (sie erwartet "
                f"{SCHEMA_HEAD}); Software und Datenbank passen nicht zusammen"
            )
        with engine.connect() as conn:
            frame = queries.department_loads(conn)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return CRITICAL, f"Datenbank nicht erreichbar ({(reason or [''])[0][:150]})"
    finally:
        engine.dispose()
    status, text, perf = loads_status(frame, now or datetime.now(), warn_days, crit_days)
    return status, f"Datenbank erreichbar, Schema {revision} aktuell, {text} | {perf}"


def add_parser(sub, common) -> None:  # noqa: ANN001
    """Register `check` on the main parser's subcommands."""
    p = sub.add_parser(
        "check",
        parents=[common],
        help="Zustand für die Überwachung (Icinga/Nagios): Datenbank, Schema, letzte Lieferungen",
        description="Gibt eine Zeile aus; Rückgabewert 0 = OK, 1 = Warnung, 2 = kritisch.",
    )
    p.add_argument(
        "-w", "--warnung", dest="warn_days", type=int, default=WARN_DAYS, metavar="TAGE",
        help="Warnung, wenn die letzte Lieferung eines Fachbereichs älter ist als so viele "
        f"Tage (Standard: {WARN_DAYS})",
    )  # fmt: skip
    p.add_argument(
        "-c", "--kritisch", dest="crit_days", type=int, default=CRIT_DAYS, metavar="TAGE",
        help=f"kritisch ab diesem Alter in Tagen (Standard: {CRIT_DAYS})",
    )  # fmt: skip


def main(url: str | None, warn_days: int, crit_days: int) -> int:
    status, text = run(url, warn_days, crit_days)
    print(f"PORTALQUOTE {STATE[status]} - {text}")
    return status
