"""Logins in real Chromium: they last across reloads, tabs and links; they end everywhere."""

import time
from urllib.parse import quote

import pytest
from accounts import Login, make_accounts
from browser_fixtures import nav_link, screenshot, serve_app, submit_login, wait_for_app
from playwright.sync_api import expect

from db import get_engine
from db.users import set_active
from db.writes import begin_write
from ingest.demo import load_demo

pytestmark = pytest.mark.browser
DEPARTMENT = "FB 3 Bürgerservice, Bürgerbüro"
TIMEOUT = 60_000
# Short session times for the expiry test: 15 seconds idle, a minute at most.
IDLE_MINUTES, MAX_MINUTES = 0.25, 1.0


@pytest.fixture(scope="module")
def site(make_session_db_url):  # noqa: ANN001, ANN201
    url = make_session_db_url("browser_login")
    engine = get_engine(url)
    load_demo(engine)
    logins = make_accounts(engine, DEPARTMENT)
    with serve_app(url) as app_url:
        yield app_url, engine, logins
    engine.dispose()


def _signed_in(page, name: str) -> None:  # noqa: ANN001
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"Angemeldet als {name}",
                                                             timeout=TIMEOUT)  # fmt: skip


def _signed_out(page, notice: str) -> None:  # noqa: ANN001
    expect(page.get_by_text(notice).first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stSidebar")).not_to_contain_text("Angemeldet als")


def _act(page) -> None:  # noqa: ANN001
    """An action in the page (a rerun through the websocket, no reload)."""
    nav_link(page, "Maßnahmen").click()
    page.get_by_role("heading", name="Maßnahmen", exact=True).wait_for(timeout=TIMEOUT)
    nav_link(page, "Übersicht").click()
    page.get_by_role("heading", name="Übersicht", exact=True).wait_for(timeout=TIMEOUT)
    wait_for_app(page)


def _keyboard_login(page, url: str, login) -> None:  # noqa: ANN001
    """Sign in with the keyboard only: open the sidebar's "Anmelden", Tab, type, Enter."""
    page.goto(url)
    wait_for_app(page)
    summary = page.get_by_test_id("stExpander").filter(has_text="Anmelden").locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    name = page.get_by_test_id("stSidebar").get_by_label("Benutzername")
    expect(name).to_be_visible()
    page.keyboard.press("Tab")
    expect(name).to_be_focused()
    page.keyboard.type(login.username)
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("stSidebar").get_by_label("Passwort")).to_be_focused()
    page.keyboard.type(login.password)
    screenshot(page, "login_form")
    page.keyboard.press("Enter")


def test_a_login_lasts_across_reload_tabs_bookmarks_and_shared_links(page, site):
    url, engine, logins = site
    fb = logins["department"]
    # A typo first: the login page says so in German and keeps the name and the page.
    _keyboard_login(page, f"{url}/coverage", Login(fb.account, "falsch-falsch"))
    expect(page.get_by_role("alert")).to_have_text(
        "Benutzername oder Passwort ist falsch, oder der Zugang ist gesperrt.", timeout=TIMEOUT
    )
    assert page.evaluate("document.documentElement.lang") == "de"
    screenshot(page, "login_failed")
    expect(page.get_by_label("Benutzername")).to_have_value(fb.username)
    page.get_by_label("Passwort").focus()
    page.keyboard.type(fb.password)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Datenstand", exact=True).wait_for(timeout=TIMEOUT)
    assert page.url == f"{url}/coverage"
    _signed_in(page, "Test department")
    screenshot(page, "login_signed_in")
    cookie = next(c for c in page.context.cookies() if c["name"] == "portalquote_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["value"] not in page.evaluate("document.cookie")  # scripts never see it
    assert cookie["value"] not in page.url
    page.reload()
    _signed_in(page, "Test department")
    # A shared filter link, opened in a new tab (or from a bookmark): same view, still signed in.
    link = f"{url}/services?fachbereich={quote(DEPARTMENT)}&leistung=Melderegisterauskunft"
    tab = page.context.new_page()
    tab.goto(link)
    _signed_in(tab, "Test department")
    expect(tab.get_by_text("Melderegisterauskunft").first).to_be_visible(timeout=TIMEOUT)
    assert tab.url == link
    expect(nav_link(tab, "Daten hochladen")).to_be_visible()
    tab.close()


def test_logout_in_one_tab_ends_the_other_at_its_next_action(page, site):
    url, engine, logins = site
    _keyboard_login(page, url, logins["viewer"])
    _signed_in(page, "Test viewer")
    other = page.context.new_page()
    other.goto(f"{url}/measures")
    _signed_in(other, "Test viewer")
    page.get_by_test_id("stSidebar").get_by_role("button", name="Abmelden").click()
    expect(page.get_by_test_id("stSidebar")).not_to_contain_text("Angemeldet als",
                                                                 timeout=TIMEOUT)  # fmt: skip
    expect(page.get_by_test_id("stExpander").filter(has_text="Anmelden")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "portalquote_session"]
    # The other tab still shows the login until it does something; then it is signed out.
    _act(other)
    _signed_out(other, "Sie wurden abgemeldet")
    screenshot(other, "login_ended_elsewhere")


def test_disabling_and_a_new_password_end_the_session(page, site):
    url, engine, logins = site
    fb, admin = logins["department"], logins["admin"]
    _keyboard_login(page, url, fb)
    _signed_in(page, "Test department")
    with begin_write(engine) as conn:
        set_active(conn, fb.username, False)
    _act(page)
    _signed_out(page, "Ihr Zugang wurde gesperrt")
    with begin_write(engine) as conn:
        set_active(conn, fb.username, True)
    # The admin sets a new password on the Benutzer page, in another browser.
    _keyboard_login(page, url, fb)
    _signed_in(page, "Test department")
    admin_page = page.context.browser.new_context(locale="de-DE").new_page()
    admin_page.goto(url)
    admin_page.get_by_test_id("stExpander").filter(has_text="Anmelden").locator("summary").click()
    submit_login(admin_page.get_by_test_id("stSidebar"), admin)
    _signed_in(admin_page, "Test admin")
    nav_link(admin_page, "Benutzer").click()
    admin_page.get_by_role("tab", name="Benutzer bearbeiten").click()
    admin_page.get_by_role("combobox", name="Benutzer").click()
    admin_page.get_by_role("option", name="test-fb").click()
    expect(admin_page.get_by_role("button", name="„test-fb“ sperren")).to_be_visible()
    wait_for_app(admin_page)
    new_password = "ein-neues-langes-passwort"
    admin_page.get_by_label("Neues Passwort", exact=True).fill(new_password)
    admin_page.get_by_label("Neues Passwort wiederholen").fill(new_password)
    admin_page.get_by_role("button", name="Passwort setzen").click()
    expect(admin_page.get_by_text("Passwort von „test-fb“ neu gesetzt")).to_be_visible(
        timeout=TIMEOUT
    )
    admin_page.context.close()
    _act(page)
    _signed_out(page, "Ihr Passwort wurde geändert")


@pytest.fixture(scope="module")
def short_site(site):  # noqa: ANN001, ANN201
    """The same database served with session times of seconds."""
    env = {
        "PORTALQUOTE_SESSION_IDLE_MINUTES": str(IDLE_MINUTES),
        "PORTALQUOTE_SESSION_MAX_MINUTES": str(MAX_MINUTES),
    }
    with serve_app(str(site[1].url.render_as_string(hide_password=False)), env=env) as url:
        yield url, site[2]


def test_sessions_expire_idle_and_at_the_latest(page, short_site):
    url, logins = short_site
    viewer = logins["viewer"]
    _keyboard_login(page, url, viewer)
    _signed_in(page, "Test viewer")
    began = time.monotonic()
    # Busy for longer than the idle time: still signed in (each action counts).
    while time.monotonic() - began < IDLE_MINUTES * 60 * 1.4:
        time.sleep(3)
        _act(page)
        _signed_in(page, "Test viewer")
    idle_since = time.monotonic()
    time.sleep(IDLE_MINUTES * 60 + 2 - (time.monotonic() - idle_since))
    _act(page)
    _signed_out(page, "Ihre Anmeldung ist abgelaufen (15 Sekunden ohne Aktivität)")
    screenshot(page, "login_expired")
    # Kept busy, a login still ends after the absolute time.
    _keyboard_login(page, url, viewer)
    _signed_in(page, "Test viewer")
    began = time.monotonic()
    while time.monotonic() - began < MAX_MINUTES * 60 + 2:
        time.sleep(3)
        _act(page)
    _signed_out(page, "sie gilt höchstens 1 Minute")
