"""Login in the app: what each role sees and reaches; login required; sessions; SSO mapping."""

import importlib.util
import time
from datetime import timedelta

import pytest
from accounts import make_accounts
from app_helpers import (
    ADMIN_PAGES,
    DEPARTMENT_PAGES,
    PROJECT,
    TOKEN_KEY,
    VIEWER_PAGES,
    browser_cookie,
    log_in,
    new_app,
    open_page,
    page_names,
    sign_in,
    texts,
)
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest

from dashboard import auth, login_routes
from dashboard.navigation import visible_files
from db.logins import utc_now
from db.models import LoginSession
from db.users import create_user, set_active, set_password
from db.writes import begin_write


@pytest.fixture
def accounts(catalog_engine):  # noqa: ANN001, ANN201
    return make_accounts(catalog_engine)


def test_navigation_per_role():
    assert "upload.py" not in visible_files("viewer")
    assert {"upload.py", "loads.py"} <= set(visible_files("department"))
    assert not {"users.py", "strategy.py"} & set(visible_files("department"))
    assert {"users.py", "strategy.py"} <= set(visible_files("admin"))
    assert visible_files(None) == ["login.py"]


def test_anonymous_visitor_reads_but_cannot_write(catalog_engine, db_url, monkeypatch, accounts):
    at = new_app(db_url, monkeypatch).run()
    assert not at.exception
    assert page_names(at) == VIEWER_PAGES
    for file in ("upload.py", "loads.py", "users.py", "strategy.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"dashboard/pages/{file}")
    # The login form posts to the login route (it sets the cookie); back to this page.
    (form,) = at.sidebar.html
    assert 'action="/anmelden"' in form.value and 'name="passwort"' in form.value
    assert 'name="ziel" value="/"' in form.value


def _login_form_html(at: AppTest) -> str:
    return "".join(h.value for h in at.html)


@pytest.mark.parametrize(
    ("role", "pages"),
    [("admin", ADMIN_PAGES), ("department", DEPARTMENT_PAGES), ("viewer", VIEWER_PAGES)],
)
def test_each_role_logs_in_and_sees_its_pages(
    catalog_engine, db_url, monkeypatch, accounts, role, pages
):
    login = accounts[role]
    at = log_in(new_app(db_url, monkeypatch).run(), login.username, login.password)
    assert not at.exception
    assert page_names(at) == pages
    assert f"Angemeldet als **Test {role}**" in texts(at)
    assert 'action="/abmelden"' in _login_form_html(at)
    # Logging out (what the route does) brings back the public navigation, with a word why.
    login_routes.end_session(catalog_engine, at.session_state[TOKEN_KEY])
    at.run()
    assert page_names(at) == VIEWER_PAGES
    assert "Sie wurden abgemeldet" in texts(at)


def test_wrong_password_and_lock_give_german_messages(catalog_engine, db_url, monkeypatch,
                                                     accounts):  # fmt: skip
    monkeypatch.setattr("db.throttle.SPACING_SECONDS", 0.0)
    at = new_app(db_url, monkeypatch).run()
    assert sign_in(at, db_url, "test-admin", "falsch-falsch-falsch") == login_routes.WRONG
    for _ in range(4):
        sign_in(at, db_url, "test-admin", "falsch-falsch-falsch")
    # Locked now: even the right password is refused for a while.
    message = sign_in(at, db_url, "test-admin", accounts["admin"].password)
    assert message == "Zu viele fehlgeschlagene Anmeldungen. Bitte in 5 Minuten erneut versuchen."
    at.run()
    assert page_names(at) == VIEWER_PAGES


def test_login_can_be_required(catalog_engine, db_url, monkeypatch, accounts):
    monkeypatch.setenv("PORTALQUOTE_REQUIRE_LOGIN", "1")
    at = new_app(db_url, monkeypatch).run()
    assert page_names(at) == ["Anmelden"]
    assert "Bitte melden Sie sich an" in texts(at)
    assert 'action="/anmelden"' in _login_form_html(at)
    with pytest.raises(ValueError):
        at.switch_page("dashboard/pages/overview.py")
    viewer = accounts["viewer"]
    log_in(at, viewer.username, viewer.password)
    assert page_names(at) == VIEWER_PAGES
    assert not at.exception


def test_disabled_account_is_signed_out_at_once(catalog_engine, db_url, monkeypatch, accounts):
    fb = accounts["department"]
    at = log_in(new_app(db_url, monkeypatch).run(), fb.username, fb.password)
    assert page_names(at) == DEPARTMENT_PAGES
    with begin_write(catalog_engine) as conn:
        set_active(conn, fb.username, False)
    at.run()
    assert page_names(at) == VIEWER_PAGES
    assert "Ihr Zugang wurde gesperrt" in texts(at)
    # Enabling it again does not bring the ended session back.
    with begin_write(catalog_engine) as conn:
        set_active(conn, fb.username, True)
    at.run()
    assert page_names(at) == VIEWER_PAGES


def test_new_password_ends_every_session(catalog_engine, db_url, monkeypatch, accounts):
    fb = accounts["department"]
    tabs = [log_in(new_app(db_url, monkeypatch).run(), fb.username, fb.password)
            for _ in range(2)]  # fmt: skip
    admin = log_in(new_app(db_url, monkeypatch).run(), "test-admin", accounts["admin"].password)
    with begin_write(catalog_engine) as conn:
        set_password(conn, fb.username, "ein-ganz-neues-passwort")
    for tab in tabs:
        tab.run()
        assert page_names(tab) == VIEWER_PAGES
        assert "Ihr Passwort wurde geändert" in texts(tab)
    assert page_names(admin.run()) == ADMIN_PAGES  # other accounts keep their sessions


def _idle_of(engine) -> timedelta:  # noqa: ANN001
    with engine.connect() as conn:
        return utc_now() - conn.scalar(select(func.max(LoginSession.last_seen)))


def _wait_for(condition, seconds: float = 10) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def test_sessions_expire_when_idle_and_at_the_latest(catalog_engine, db_url, monkeypatch,
                                                     accounts):  # fmt: skip
    viewer = accounts["viewer"]
    at = log_in(new_app(db_url, monkeypatch).run(), viewer.username, viewer.password)
    assert "Angemeldet als" in texts(at)

    def age(created: timedelta, seen: timedelta) -> None:  # move the session into the past
        with begin_write(catalog_engine) as conn:
            for sid, began, last in conn.execute(
                select(LoginSession.id, LoginSession.created_at, LoginSession.last_seen)
            ).all():
                values = {"created_at": began - created, "last_seen": last - seen}
                conn.execute(update(LoginSession).where(LoginSession.id == sid).values(values))

    age(timedelta(hours=7, minutes=50), timedelta(hours=7, minutes=50))
    assert "Angemeldet als" in texts(at.run())  # 7 h 50 min idle: still valid, and touched
    _wait_for(lambda: _idle_of(catalog_engine) < timedelta(minutes=1))
    age(timedelta(hours=1), timedelta(hours=8, minutes=1))
    at.run()
    assert "Ihre Anmeldung ist abgelaufen (8 Stunden ohne Aktivität)" in texts(at)
    # Kept busy, a login still ends 12 hours after it began.
    at = log_in(new_app(db_url, monkeypatch).run(), viewer.username, viewer.password)
    age(timedelta(hours=12, minutes=1), timedelta(0))
    at.run()
    assert "sie gilt höchstens 12 Stunden" in texts(at)


def test_write_pages_check_the_role_themselves(catalog_engine, db_url, monkeypatch, accounts):
    """Run a write page as the main script, bypassing the navigation: it still refuses."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(auth, "session_token", browser_cookie)
    for file, role in (("upload.py", "viewer"), ("users.py", "department"),
                       ("strategy.py", "department"), ("loads.py", None)):  # fmt: skip
        at = AppTest.from_file(str(PROJECT / "dashboard" / "pages" / file), default_timeout=60)
        if role:
            sign_in(at, db_url, accounts[role].username, accounts[role].password)
        at.run()
        assert not at.exception
        assert "Diese Seite ist nur für Benutzer mit der Rolle" in texts(at)
        assert not at.file_uploader and not at.get("form")


def test_sso_user_is_mapped_to_local_account(catalog_engine, db_url, monkeypatch, accounts):
    with begin_write(catalog_engine) as conn:
        create_user(conn, "fb3@stadt.example", None, "department", "SSO FB",
                    ["FB 3 Bürgerbüro"])  # fmt: skip
    at = new_app(db_url, monkeypatch)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "only-for-this-test",
        "client_id": "portalquote",
        "client_secret": "only-for-this-test",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
    at.run()
    sso_button = next(b for b in at.sidebar.button if b.label == "Mit Single Sign-on anmelden")
    sso_button.click().run()
    assert not at.exception  # never a traceback, also without the sso extra installed
    if importlib.util.find_spec("authlib") is None:
        assert "es fehlt das Paket: pip install -e '.[sso]'" in texts(at)
    signed_in = {"is_logged_in": True, "email": "FB3@stadt.example", "name": "SSO FB",
                 "sub": "4711", "iat": int(time.time())}  # fmt: skip
    at.user = signed_in
    at.run()
    assert page_names(at) == DEPARTMENT_PAGES
    assert "Angemeldet als **SSO FB**" in texts(at)
    # The same sign-in in a second tab; logging out in the first ends it there too.
    tab2 = new_app(db_url, monkeypatch)
    tab2.secrets["auth"], tab2.user = at.secrets["auth"], dict(signed_in)
    assert page_names(tab2.run()) == DEPARTMENT_PAGES
    next(b for b in at.sidebar.button if b.label == "Abmelden").click().run()
    assert page_names(at) == VIEWER_PAGES
    assert page_names(tab2.run()) == VIEWER_PAGES
    assert "Sie wurden abgemeldet" in texts(tab2)
    # An SSO user without a local account only reads.
    at2 = new_app(db_url, monkeypatch)
    at2.secrets["auth"] = at.secrets["auth"]
    at2.user = {"is_logged_in": True, "email": "fremd@example.org"}
    at2.run()
    assert page_names(at2) == VIEWER_PAGES
    assert "nicht freigeschaltet" in texts(at2)


def test_upload_page_as_each_role(catalog_engine, db_url, monkeypatch, accounts):
    fb = accounts["department"]
    at = log_in(new_app(db_url, monkeypatch).run(), fb.username, fb.password)
    open_page(at, "upload.py")
    assert [t.label for t in at.tabs] == ["Antragszahlen", "Vorlage herunterladen"]
    assert "Sie können Zahlen für **FB 3 Bürgerbüro** laden" in texts(at)
    # Template: only its own department to choose.
    assert at.selectbox(key="tpl_department").options == ["FB 3 Bürgerbüro"]
    admin = accounts["admin"]
    at = log_in(new_app(db_url, monkeypatch).run(), admin.username, admin.password)
    open_page(at, "upload.py")
    assert [t.label for t in at.tabs] == [
        "Antragszahlen", "Vorlage herunterladen", "Leistungskatalog", "Maßnahmen",
    ]  # fmt: skip
    assert len(at.selectbox(key="tpl_department").options) == 3


def _restricted_app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(auth, "session_token", browser_cookie)

    def script() -> None:
        from dashboard.auth import restricted_page

        restricted_page("Benutzer", {"admin"})

    return AppTest.from_function(script, default_timeout=60)


def test_address_of_a_forbidden_page_explains_in_german(
    catalog_engine, db_url, monkeypatch, accounts
):
    at = _restricted_app(db_url, monkeypatch).run()
    assert not at.exception
    assert "nur nach Anmeldung zugänglich (Rolle Admin)" in texts(at)
    assert 'action="/anmelden"' in _login_form_html(at)
    at = _restricted_app(db_url, monkeypatch)
    sign_in(at, db_url, "test-fb", accounts["department"].password)
    at.run()
    assert "nur für die Rolle Admin; Sie sind als Fachbereich angemeldet" in texts(at)
    assert not at.html
