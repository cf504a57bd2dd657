"""The login and logout routes over real HTTP: cookie, CSRF, redirects, the throttle under
parallel attempts, log lines."""

import re
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from accounts import Login, make_accounts
from browser_fixtures import serve_app
from conftest import CATALOG, write_xlsx
from sqlalchemy import delete, select

from db import get_engine, logins
from db.models import LoginSession, LoginThrottle
from db.throttle import ADDRESS_FAILURES, ADDRESS_SPACING_SECONDS, NAME_FAILURES
from db.writes import begin_write
from ingest import load_services

COOKIE = "portalquote_session"
IDLE, MAX = timedelta(hours=8), timedelta(hours=12)


@pytest.fixture(scope="module")
def site(make_session_db_url, tmp_path_factory):  # noqa: ANN001, ANN201
    """The app on a database with the test catalog and accounts; (url, engine, logins, log)."""
    db_url = make_session_db_url("login_http")
    engine = get_engine(db_url)
    folder = tmp_path_factory.mktemp("login_http")
    load_services(engine, write_xlsx(folder / "katalog.xlsx", {"Katalog": CATALOG}), "test")
    accounts = make_accounts(engine)
    log = folder / "app.log"
    with serve_app(db_url, log=log) as url:
        yield url, engine, accounts, log
    engine.dispose()


@pytest.fixture
def app(site):  # noqa: ANN001, ANN201
    """The site with a fresh throttle (every test comes from 127.0.0.1)."""
    with begin_write(site[1]) as conn:
        conn.execute(delete(LoginThrottle))
    return site


def _post(url: str, path: str, data: dict, origin: str | None = "same", **headers):  # noqa: ANN003, ANN202
    if origin == "same":
        origin = url
    if origin is not None:
        headers["Origin"] = origin
    return requests.post(f"{url}{path}", data=data, headers=headers, allow_redirects=False,
                         timeout=60)  # fmt: skip


def _login(url: str, login, ziel: str = "/", **headers):  # noqa: ANN001, ANN003, ANN202
    data = {"benutzername": login.username, "passwort": login.password, "ziel": ziel}
    return _post(url, "/anmelden", data, **headers)


def _log_lines(log: Path, text: str) -> list[str]:
    return [line for line in log.read_text(errors="replace").splitlines() if text in line]


def test_login_sets_an_httponly_strict_cookie_and_returns(app):
    url, engine, accounts, log = app
    response = _login(url, accounts["department"], "/services?leistung=Meldebescheinigung")
    assert response.status_code == 303
    assert response.headers["location"] == "/services?leistung=Meldebescheinigung"
    cookie = response.headers["set-cookie"]
    token = re.match(rf"{COOKIE}=([^;]+);", cookie).group(1)
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "max-age", "path", "samesite"} <= attributes
    assert "SameSite=strict" in cookie and "Max-Age=43200" in cookie
    assert "secure" not in attributes  # plain http here; behind https it is Secure:
    behind_tls = _login(url, accounts["department"], **{"X-Forwarded-Proto": "https"})
    assert "Secure" in behind_tls.headers["set-cookie"]
    with engine.connect() as conn:
        assert logins.check(conn, token, IDLE, MAX)
        hashes = list(conn.scalars(select(LoginSession.token_hash)))
    assert token not in hashes and logins.hash_token(token) in hashes
    assert token not in log.read_text()  # nothing secret in the journal
    assert accounts["department"].password not in log.read_text()
    assert _log_lines(log, "Anmeldung erfolgreich: „test-fb“ (Fachbereich) von 127.0.0.1")


def test_wrong_password_shows_the_german_login_page_again(app):
    url, engine, accounts, log = app
    wrong = Login(accounts["admin"].account, "falsch-falsch-falsch")
    response = _login(url, wrong, "/upload")
    assert response.status_code == 401 and "set-cookie" not in response.headers
    page = response.text
    assert '<html lang="de">' in page and 'role="alert"' in page
    assert "Benutzername oder Passwort ist falsch" in page
    assert 'value="test-admin"' in page and 'value="/upload"' in page  # the name stays
    assert "falsch-falsch-falsch" not in page
    assert _log_lines(log, "Anmeldung fehlgeschlagen: „test-admin“ von 127.0.0.1")
    # An unknown name is logged as such: what was typed might be a password.
    _post(url, "/anmelden", {"benutzername": "Geheim123!", "passwort": "x"})
    assert _log_lines(log, "Anmeldung fehlgeschlagen: unbekannter Benutzername")
    assert "geheim123" not in log.read_text().casefold()
    empty = _post(url, "/anmelden", {"benutzername": "", "passwort": ""})
    assert empty.status_code == 400 and "Bitte Benutzername und Passwort eingeben" in empty.text


def test_posts_from_other_sites_are_refused(app):
    url, engine, accounts, log = app
    for origin, extra in (("https://evil.example", {}), (None, {}),
                          ("same", {"Sec-Fetch-Site": "cross-site"})):  # fmt: skip
        response = _login(url, accounts["admin"], origin=origin, **extra)
        assert response.status_code == 403, origin
        assert "set-cookie" not in response.headers
        assert "nicht von dieser Seite" in response.text
    # A form of this server without Origin but with its Referer (older browsers) is fine.
    assert _login(url, accounts["admin"], origin=None, Referer=f"{url}/").status_code == 303


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x", ""]
)
def test_no_redirect_to_other_sites(app, target):
    assert _login(app[0], app[2]["viewer"], target).headers["location"] == "/"


def test_login_page_is_german_and_escapes_what_it_shows(app):
    url = app[0]
    response = requests.get(f"{url}/anmelden", params={"ziel": '/x"><script>alert(1)</script>'},
                            timeout=30)  # fmt: skip
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert '<html lang="de">' in response.text and "<script>" not in response.text
    assert '<label for="pq-page-name">Benutzername</label>' in response.text
    assert 'autocomplete="current-password"' in response.text


def test_logout_ends_every_session_of_the_account(app):
    url, engine, accounts, log = app
    tokens = [
        re.match(rf"{COOKIE}=([^;]+);", _login(url, accounts["viewer"]).headers["set-cookie"])[1]
        for _ in range(2)
    ]
    response = _post(url, "/abmelden", {"ziel": "/measures"}, Cookie=f"{COOKIE}={tokens[0]}")
    assert response.status_code == 303 and response.headers["location"] == "/measures"
    assert f'{COOKIE}=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    with engine.connect() as conn:
        for token in tokens:
            check = logins.check(conn, token, IDLE, MAX)
            assert check.reason == logins.LOGOUT
    (line,) = _log_lines(log, "Abmeldung: „test-viewer“")
    assert int(re.search(r"\((\d+) Sitzungen beendet\)", line)[1]) >= 2
    cross = _post(url, "/abmelden", {}, origin="https://evil.example")
    assert cross.status_code == 403


def _parallel(url: str, names: list[str], address: str) -> list[tuple[float, int, str]]:
    """Wrong passwords for each name, all at once from one address: (seconds, status, page)."""
    results: list[tuple[float, int, str]] = []
    start = time.monotonic()

    def one(name: str) -> None:
        r = _post(url, "/anmelden", {"benutzername": name, "passwort": "falsch-falsch"},
                  **{"X-Forwarded-For": address})  # fmt: skip
        results.append((time.monotonic() - start, r.status_code, r.text))

    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


def test_parallel_attempts_get_no_more_password_checks(app):
    """Twelve parallel sessions once got twelve times the attempts; now the checks from one
    address are spaced a second apart however many run at once."""
    url, engine, accounts, log = app
    before = len(_log_lines(log, "Anmeldung fehlgeschlagen"))
    results = _parallel(url, [f"test-admin-{i}" for i in range(8)], "10.1.1.1")
    assert [status for _, status, _ in results] == [401] * 8
    # The k-th check cannot start before k seconds have passed (a check's own time varies,
    # so its end is what the test can see); without the shared throttle all end at once.
    finished = [t for t, _, _ in results]
    assert all(t >= 0.9 * k for k, t in enumerate(finished)), finished
    assert len(_log_lines(log, "Anmeldung fehlgeschlagen")) - before == 8
    # Another address is not held up by this one.
    started = time.monotonic()
    assert _login(url, accounts["viewer"], **{"X-Forwarded-For": "10.2.2.2"}).status_code == 303
    assert time.monotonic() - started < 5


def test_parallel_guesses_of_one_name_stop_at_the_lock(app):
    url = app[0]
    results = _parallel(url, ["test-admin"] * 8, "10.3.3.3")
    statuses = [status for _, status, _ in results]
    assert statuses.count(401) == NAME_FAILURES, statuses
    assert statuses.count(429) == 8 - NAME_FAILURES
    assert all("Zu viele fehlgeschlagene Anmeldungen" in text
               for _, status, text in results if status == 429)  # fmt: skip


def test_an_address_with_many_failures_waits_five_seconds_per_check(app):
    url, engine = app[0], app[1]
    with begin_write(engine) as conn:
        conn.execute(LoginThrottle.__table__.insert().values(
            key="addr:10.4.4.4", failures=ADDRESS_FAILURES, updated=time.time(),
            next_attempt=0.0))  # fmt: skip
    results = _parallel(url, ["a-1", "a-2", "a-3"], "10.4.4.4")
    finished = [t for t, _, _ in results]
    assert [status for _, status, _ in results] == [401] * 3
    assert finished[2] > 2 * ADDRESS_SPACING_SECONDS - 0.5, finished
