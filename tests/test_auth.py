"""Login in the app: what each role sees and reaches; throttling; login required; SSO mapping."""

import importlib.util

import pytest
from accounts import make_accounts
from app_helpers import (
    ADMIN_PAGES,
    DEPARTMENT_PAGES,
    HELP,
    PROJECT,
    VIEWER_PAGES,
    log_in,
    new_app,
    open_page,
    page_names,
    texts,
)
from streamlit.testing.v1 import AppTest

from dashboard.auth import MAX_FAILURES, SESSION_KEY, LoginThrottle
from dashboard.navigation import visible_files
from db.users import create_user, set_active
from db.writes import begin_write


@pytest.fixture
def accounts(catalog_engine):  # noqa: ANN001, ANN201
    return make_accounts(catalog_engine)


def test_throttle_locks_a_name_after_repeated_failures():
    now = [1000.0]
    throttle = LoginThrottle(max_failures=3, lock_seconds=60, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.locked_for("fb") == 0
        throttle.failed("fb")
    assert throttle.locked_for("fb") == 60
    assert throttle.locked_for("someone-else") == 0
    now[0] += 61
    assert throttle.locked_for("fb") == 0
    throttle.failed("fb")  # a new series after the lock ran out
    assert throttle.locked_for("fb") == 0
    throttle.succeeded("fb")
    assert throttle._failures == {}
    # Failures long apart never add up to a lock.
    for _ in range(5):
        throttle.failed("slow")
        now[0] += 61
    assert throttle.locked_for("slow") == 0


def test_navigation_per_role():
    assert "upload.py" not in visible_files("viewer")
    assert {"upload.py", "loads.py"} <= set(visible_files("department"))
    assert not {"users.py", "strategy.py"} & set(visible_files("department"))
    assert {"users.py", "strategy.py"} <= set(visible_files("admin"))
    assert visible_files(None) == ["login.py", "accessibility.py"]


def test_anonymous_visitor_reads_but_cannot_write(catalog_engine, db_url, monkeypatch, accounts):
    at = new_app(db_url, monkeypatch).run()
    assert not at.exception
    assert page_names(at) == VIEWER_PAGES
    for file in ("upload.py", "loads.py", "users.py", "strategy.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"dashboard/pages/{file}")
    assert [t.label for t in at.sidebar.text_input] == ["Benutzername", "Passwort"]


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
    # Logging out brings back the public navigation.
    next(b for b in at.sidebar.button if b.label == "Abmelden").click()
    at.run()
    assert page_names(at) == VIEWER_PAGES and SESSION_KEY not in at.session_state


def test_wrong_password_gives_german_message(catalog_engine, db_url, monkeypatch, accounts):
    at = log_in(new_app(db_url, monkeypatch).run(), "test-admin", "falsch-falsch-falsch")
    assert "Benutzername oder Passwort ist falsch" in texts(at)
    assert page_names(at) == VIEWER_PAGES
    for _ in range(MAX_FAILURES):
        log_in(at, "test-admin", "falsch-falsch-falsch")
    # Locked now: even the right password is refused for a while.
    log_in(at, "test-admin", accounts["admin"].password)
    assert "Zu viele fehlgeschlagene Anmeldungen" in texts(at)
    assert page_names(at) == VIEWER_PAGES


def test_login_can_be_required(catalog_engine, db_url, monkeypatch, accounts):
    monkeypatch.setenv("PORTALQUOTE_REQUIRE_LOGIN", "1")
    at = new_app(db_url, monkeypatch).run()
    assert page_names(at) == ["Anmelden", *HELP]  # the accessibility statement is public
    assert "Bitte melden Sie sich an" in texts(at)
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


def test_write_pages_check_the_role_themselves(catalog_engine, db_url, monkeypatch, accounts):
    """Run a write page as the main script, bypassing the navigation: it still refuses."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    for file, role in (("upload.py", "viewer"), ("users.py", "department"),
                       ("strategy.py", "department"), ("loads.py", None)):  # fmt: skip
        at = AppTest.from_file(str(PROJECT / "dashboard" / "pages" / file), default_timeout=60)
        if role:
            at.session_state[SESSION_KEY] = accounts[role].account.id
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
    at.user = {"is_logged_in": True, "email": "FB3@stadt.example", "name": "SSO FB"}
    at.run()
    assert page_names(at) == DEPARTMENT_PAGES
    assert "Angemeldet als **SSO FB**" in texts(at)
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
    assert [t.label for t in at.text_input] == ["Benutzername", "Passwort"]
    at = _restricted_app(db_url, monkeypatch)
    at.session_state[SESSION_KEY] = accounts["department"].account.id
    at.run()
    assert "nur für die Rolle Admin; Sie sind als Fachbereich angemeldet" in texts(at)
    assert not at.text_input
