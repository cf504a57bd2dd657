"""One log line per event that matters to the town's IT: logins, loads, undos, user changes.

Lines go to the `portalquote` logger; the web server sends it to stdout (the journal under
systemd). Events inside a database transaction are queued on the connection and written
only when it commits, so a load that fails and rolls back leaves no line claiming it.
Never pass passwords or session tokens here.
"""

import logging
import re

from sqlalchemy import Connection, Engine, event

LOGGER = logging.getLogger("portalquote")
_PENDING = "portalquote_audit"
_ACTOR = "portalquote_actor"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
MAX_LENGTH = 2000


def clean(text: object) -> str:
    """Text from files and forms on one line: control characters (newlines) become a space."""
    return _CONTROL.sub(" ", str(text))[:MAX_LENGTH]


def log(message: str) -> None:
    """Write one line now (for events outside a transaction, such as a refused login)."""
    LOGGER.info(clean(message))


def at_commit(conn: Connection, message: str) -> None:
    """Write one line when the connection's transaction commits (nothing on rollback)."""
    conn.info.setdefault(_PENDING, []).append(message)


def set_actor(conn: Connection, name: str) -> None:
    """Name who acts in this transaction (for events whose functions do not know it)."""
    conn.info[_ACTOR] = name


def by_actor(conn: Connection, message: str) -> str:
    """The message with who acts in this transaction, if that was named."""
    actor = conn.info.get(_ACTOR)
    return f"{message} (durch „{actor}“)" if actor else message


def install(engine: Engine) -> None:
    """Emit queued lines on commit and drop them on rollback (the connection is pooled)."""

    @event.listens_for(engine, "commit")
    def _commit(conn: Connection) -> None:
        conn.info.pop(_ACTOR, None)
        for message in conn.info.pop(_PENDING, []):
            log(message)

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Connection) -> None:
        conn.info.pop(_ACTOR, None)
        conn.info.pop(_PENDING, None)


def configure_stdout() -> None:
    """Send the lines to stdout, one each, once per process (the journal adds the time)."""
    if any(getattr(h, "portalquote", False) for h in LOGGER.handlers):
        return
    import sys

    handler = logging.StreamHandler(sys.stdout)
    handler.portalquote = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s portalquote %(levelname)s %(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
