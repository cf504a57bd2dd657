"""Login sessions: a random token per browser login, kept in the database only as a hash.

A session ends by itself after an idle time and after an absolute time (db.settings), and
ends at once for every browser and process when the account logs out, is disabled or gets
a new password: each page run checks its token against this table.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, select, update

from db.models import LoginSession

TOKEN_BYTES = 32  # 256 random bits: a hash without salt is safe for such a token
# Why a session is no longer valid (the signed-out page explains it in German).
EXPIRED_IDLE, EXPIRED_MAX, UNKNOWN = "idle", "max", "unknown"
LOGOUT, DISABLED, NEW_PASSWORD = "logout", "disabled", "password"
PASSWORD, SSO = "password", "sso"
# last_seen is written at most this often (and at most every quarter of the idle time), so
# that a page run is a read, not a write.
TOUCH_SECONDS = 60.0


def utc_now() -> datetime:
    """Session times are naive UTC: a change to or from summer time does not move them."""
    return datetime.now(UTC).replace(tzinfo=None)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Check:
    """What a token is worth now: a user id, or the reason it is not valid (any more)."""

    user_id: int | None
    reason: str | None = None
    session_id: int | None = None
    stale: bool = False  # last_seen should be written (see touch)


def start(conn: Connection, user_id: int, max_age: timedelta, now: datetime | None = None) -> str:
    """A new password session for the user; returns the token (shown to nobody but the
    browser's cookie). Also drops sessions that have long expired."""
    now = now or utc_now()
    conn.execute(delete(LoginSession).where(LoginSession.created_at < now - max_age * 2))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    _insert(conn, hash_token(token), user_id, PASSWORD, now, now)
    return token


def _insert(
    conn: Connection, token_hash: str, user_id: int, kind: str, created: datetime, now: datetime
) -> None:
    conn.execute(
        LoginSession.__table__.insert().values(
            token_hash=token_hash, user_id=user_id, kind=kind, created_at=created, last_seen=now
        )
    )


def check(
    conn: Connection,
    token: str | None,
    idle: timedelta,
    max_age: timedelta,
    now: datetime | None = None,
) -> Check:
    """Whether a password session's token is valid now (read only; see touch)."""
    if not token:
        return Check(None)
    row = conn.execute(
        select(LoginSession).where(LoginSession.token_hash == hash_token(token))
    ).first()
    return _judge(row, idle, max_age, now or utc_now())


def _judge(row, idle: timedelta, max_age: timedelta, now: datetime) -> Check:  # noqa: ANN001
    if row is None:
        return Check(None, UNKNOWN)
    if row.ended_at is not None:
        return Check(None, row.end_reason or LOGOUT)
    if now - row.created_at > max_age:
        return Check(None, EXPIRED_MAX)
    if now - row.last_seen > idle:
        return Check(None, EXPIRED_IDLE)
    stale = (now - row.last_seen).total_seconds() > touch_interval(idle)
    return Check(row.user_id, None, row.id, stale)


def touch_interval(idle: timedelta) -> float:
    """Seconds between two writes of last_seen: often enough that activity is never lost."""
    return min(TOUCH_SECONDS, idle.total_seconds() / 4)


def touch(conn: Connection, session_id: int, now: datetime | None = None) -> None:
    """Note activity: the idle time starts again (an ended session stays ended)."""
    conn.execute(
        update(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.ended_at.is_(None))
        .values(last_seen=now or utc_now())
    )


def sso_token(identity: str, signed_in: datetime) -> str:
    """The token of a single sign-on (OIDC) login: the ID token's subject and issue time name
    one sign-in at the identity provider, the same in every tab and process."""
    return f"sso\0{identity}\0{signed_in.isoformat()}"


def start_sso(
    conn: Connection, user_id: int, token: str, signed_in: datetime, max_age: timedelta
) -> None:
    """The session of a single sign-on login, on first sight (it began at signed_in), so that
    it ends like a password session: at logout in any tab, when disabled, after the times."""
    now = utc_now()
    conn.execute(delete(LoginSession).where(LoginSession.created_at < now - max_age * 2))
    _insert(conn, hash_token(token), user_id, SSO, signed_in, now)


def end_sessions(conn: Connection, user_id: int, reason: str, now: datetime | None = None) -> int:
    """End every open session of the account (all browsers, all processes); how many."""
    return conn.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=now or utc_now(), end_reason=reason)
    ).rowcount
