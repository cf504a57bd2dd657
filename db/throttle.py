"""The login throttle, in the database: it holds for parallel attempts and across processes.

Password checks for one user name, and for one client address, are spaced in time: a new
check may start only when the previous one for the same name and address is far enough
back. An attempt counts as a failure from the moment it is admitted (and is taken back if
it succeeds), so that attempts running in parallel see each other; twelve parallel
sessions get no more checks than one.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from db.models import LoginThrottle
from db.users import normalize_username

NAME_FAILURES = 5  # failed logins of one user name in a row before it is locked ...
NAME_LOCK_SECONDS = 300.0  # ... for this long
SPACING_SECONDS = 1.0  # after a failure: at most one check a second per name and address
ADDRESS_FAILURES = 20  # failures from one address (over any names) before ...
ADDRESS_SPACING_SECONDS = 5.0  # ... its checks are spaced this far apart
MEMORY_SECONDS = 300.0  # failures further back than this are forgotten


@dataclass(frozen=True)
class Admission:
    """Whether a password check may start now; if not, for how long to wait (a few seconds
    at most, normally) or how long the user name is locked."""

    admitted: bool
    wait: float = 0.0
    locked: float = 0.0


def name_key(username: str) -> str:
    return f"name:{normalize_username(username)[:200]}"


def address_key(address: str) -> str:
    return f"addr:{address[:100]}"


def _insert(conn: Connection):  # noqa: ANN202
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert


def admit(conn: Connection, username: str, address: str, now: float) -> Admission:
    """Admit a password check for the name from the address, or say how long to wait.

    Call inside a short write transaction (db.writes.begin_light_write): rows are locked, so
    two processes never admit two checks into one slot.
    """
    name, addr = name_key(username), address_key(address)
    conn.execute(delete(LoginThrottle).where(
        LoginThrottle.updated < now - MEMORY_SECONDS - NAME_LOCK_SECONDS))  # fmt: skip
    keys = sorted({name, addr})  # one lock order for everyone: no deadlock
    for key in keys:
        conn.execute(
            _insert(conn)(LoginThrottle)
            .values(key=key, failures=0, updated=now, next_attempt=0.0)
            .on_conflict_do_nothing(index_elements=["key"])
        )
    rows = {
        r.key: r
        for r in conn.execute(
            select(LoginThrottle).where(LoginThrottle.key.in_(keys)).with_for_update()
        )
    }
    failures = {k: 0 if now - r.updated > MEMORY_SECONDS else r.failures for k, r in rows.items()}
    if failures[name] >= NAME_FAILURES:
        return Admission(False, locked=rows[name].updated + NAME_LOCK_SECONDS - now)
    wait = max(r.next_attempt for r in rows.values()) - now
    if wait > 0:
        return Admission(False, wait=wait)
    for key in keys:
        spacing = SPACING_SECONDS
        if key == addr and failures[key] >= ADDRESS_FAILURES:
            spacing = ADDRESS_SPACING_SECONDS
        conn.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(failures=failures[key] + 1, updated=now, next_attempt=now + spacing)
        )
    return Admission(True)


def failed(conn: Connection, username: str, address: str, now: float) -> None:
    """The admitted check failed: it stays counted; the failure memory starts now."""
    conn.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key.in_([name_key(username), address_key(address)]))
        .values(updated=now)
    )


def succeeded(conn: Connection, username: str, address: str) -> None:
    """The admitted check succeeded: the name starts afresh, the address forgets this one."""
    conn.execute(delete(LoginThrottle).where(LoginThrottle.key == name_key(username)))
    row = conn.execute(
        select(LoginThrottle).where(LoginThrottle.key == address_key(address)).with_for_update()
    ).first()
    if row is None:
        return
    left = max(row.failures - 1, 0)
    values = {"failures": left} | ({"next_attempt": 0.0} if left == 0 else {})
    conn.execute(update(LoginThrottle).where(LoginThrottle.key == row.key).values(**values))
