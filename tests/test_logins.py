"""Login sessions: tokens kept only as hashes, idle and absolute timeouts, ending them all."""

import hashlib
from datetime import timedelta

from accounts import make_accounts
from sqlalchemy import select

from db import logins
from db.models import LoginSession
from db.writes import begin_write

IDLE, MAX = timedelta(hours=8), timedelta(hours=12)


def test_only_the_hash_of_a_token_is_stored(catalog_engine):
    admin = make_accounts(catalog_engine)["admin"].account
    with begin_write(catalog_engine) as conn:
        token = logins.start(conn, admin.id, MAX)
        stored = conn.execute(select(LoginSession)).one()
    assert len(token) >= 43  # 256 random bits
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(stored._mapping.values())
    with catalog_engine.connect() as conn:
        assert logins.check(conn, token, IDLE, MAX).user_id == admin.id
        assert logins.check(conn, token + "x", IDLE, MAX).reason == logins.UNKNOWN
        assert logins.check(conn, None, IDLE, MAX) == logins.Check(None)


def test_idle_and_absolute_timeouts(catalog_engine):
    admin = make_accounts(catalog_engine)["admin"].account
    t0 = logins.utc_now()
    with begin_write(catalog_engine) as conn:
        token = logins.start(conn, admin.id, MAX, now=t0)
        session_id = logins.check(conn, token, IDLE, MAX, t0).session_id

    def at(delta: timedelta) -> logins.Check:
        with catalog_engine.connect() as conn:
            return logins.check(conn, token, IDLE, MAX, t0 + delta)

    assert at(timedelta(hours=7, minutes=59)).user_id == admin.id
    assert at(timedelta(hours=7, minutes=59)).stale  # worth writing last_seen
    assert at(timedelta(seconds=10)).stale is False
    assert at(timedelta(hours=8, seconds=1)).reason == logins.EXPIRED_IDLE
    # Activity keeps it going, but never past 12 hours.
    for hours in (6, 11):
        with begin_write(catalog_engine) as conn:
            logins.touch(conn, session_id, t0 + timedelta(hours=hours))
    assert at(timedelta(hours=11, minutes=59)).user_id == admin.id
    assert at(timedelta(hours=12, seconds=1)).reason == logins.EXPIRED_MAX


def test_ending_the_sessions_of_an_account(catalog_engine):
    accounts = make_accounts(catalog_engine)
    admin, fb = accounts["admin"].account, accounts["department"].account
    with begin_write(catalog_engine) as conn:
        tokens = [logins.start(conn, fb.id, MAX) for _ in range(3)]
        other = logins.start(conn, admin.id, MAX)
    with begin_write(catalog_engine) as conn:
        assert logins.end_sessions(conn, fb.id, logins.LOGOUT) == 3
        ended = logins.check(conn, tokens[0], IDLE, MAX).session_id
        logins.touch(conn, ended or 0)  # activity does not revive an ended session
    with catalog_engine.connect() as conn:
        assert {logins.check(conn, t, IDLE, MAX).reason for t in tokens} == {logins.LOGOUT}
        assert logins.check(conn, other, IDLE, MAX).user_id == admin.id


def test_single_sign_on_sessions_are_one_per_sign_in(catalog_engine):
    fb = make_accounts(catalog_engine)["department"].account
    signed_in = logins.utc_now() - timedelta(minutes=5)
    token = logins.sso_token("sub-4711", signed_in)
    assert token == logins.sso_token("sub-4711", signed_in)  # the same in every process
    with catalog_engine.connect() as conn:
        assert logins.check(conn, token, IDLE, MAX).reason == logins.UNKNOWN
    with begin_write(catalog_engine) as conn:
        logins.start_sso(conn, fb.id, token, signed_in, MAX)
    with catalog_engine.connect() as conn:
        assert logins.check(conn, token, IDLE, MAX).user_id == fb.id
    # A sign-in at the identity provider 13 hours ago is over, whatever the provider says.
    old = logins.sso_token("sub-4711", signed_in - timedelta(hours=13))
    with begin_write(catalog_engine) as conn:
        logins.start_sso(conn, fb.id, old, signed_in - timedelta(hours=13), MAX)
        assert logins.check(conn, old, IDLE, MAX).reason == logins.EXPIRED_MAX
