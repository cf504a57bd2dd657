"""The monthly cycle in real Chromium: Datenstand's deadlines, the preview, sending reminders."""

from datetime import date

import pytest
from accounts import make_accounts
from browser_fixtures import (
    assert_no_exception,
    log_in_browser,
    screenshot,
    serve_app,
    wait_for_app,
)
from cycle_data import BUERGERBUERO, PUBLIC_URL, SUMMARY_TO, build_today, load_catalog_with_mail
from playwright.sync_api import expect
from smtp_server import smtp_server

from dashboard.cycle_tables import deadline_sentence
from db import get_engine
from db.deadlines import Rules
from db.german import format_month

pytestmark = pytest.mark.browser
WAIT = 60_000  # ms: the machine is shared, browser steps may be slow


@pytest.fixture
def cycle_app(db_url, tmp_path):  # noqa: ANN001, ANN201
    engine = get_engine(db_url)
    load_catalog_with_mail(engine, tmp_path)
    months = build_today(engine)
    logins = make_accounts(engine)
    engine.dispose()
    with smtp_server() as server:
        env = {
            "PORTALQUOTE_SMTP_HOST": server.settings.host,
            "PORTALQUOTE_SMTP_PORT": str(server.settings.port),
            "PORTALQUOTE_SMTP_SECURITY": "none",
            "PORTALQUOTE_MAIL_FROM": server.settings.sender,
            "PORTALQUOTE_PUBLIC_URL": PUBLIC_URL,
            "PORTALQUOTE_MAIL_SUMMARY_TO": SUMMARY_TO,
            "PORTALQUOTE_DEADLINE_WORKDAY": "10",
            "PORTALQUOTE_LAND": "NW",
            "PORTALQUOTE_DEADLINES_FROM": "",
        }
        with serve_app(db_url, env) as url:
            yield url, months, logins, server


def test_datenstand_deadlines_preview_and_sending(cycle_app, page):
    url, months, logins, server = cycle_app
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in_browser(page, url, logins["admin"])
    # Through the navigation: reloading the page would end the login.
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Datenstand").click()
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(deadline_sentence(date.today(), Rules()))).to_be_visible(timeout=WAIT)
    since = format_month(months["first"], long=True)
    heading = page.get_by_role("heading", name=f"Meldefristen seit {since}")
    expect(heading).to_be_visible(timeout=WAIT)
    marks = page.locator("table").filter(has_text="Ø Verspätung")
    row = marks.locator("tr").filter(has_text="FB 3 Standesamt")
    expect(row).to_contain_text("+7 T.", timeout=WAIT)
    expect(marks.locator("tr").filter(has_text="FB 3 Bürgerbüro")).to_contain_text("offen (+")
    chart = page.get_by_test_id("stVegaLiteChart").filter(has=page.locator("canvas, svg")).last
    expect(chart).to_be_visible(timeout=WAIT)
    assert_no_exception(page)
    heading.scroll_into_view_if_needed()
    screenshot(page, "cycle_datenstand_1280")

    page.get_by_test_id("stExpander").filter(has_text="Erinnerungen versenden").locator(
        "summary"
    ).click()
    preview = page.locator("table").filter(has_text="Empfänger")
    expect(preview).to_contain_text(", ".join(BUERGERBUERO), timeout=WAIT)
    expect(preview).to_contain_text("keine E-Mail-Adresse")
    assert server.inbox.received == []
    page.set_viewport_size({"width": 1920, "height": 1080})
    preview.scroll_into_view_if_needed()
    screenshot(page, "cycle_preview_1920")
    page.get_by_role("button", name="1 Erinnerung jetzt senden").click()
    expect(page.get_by_text("Erinnerungslauf beendet.")).to_be_visible(timeout=WAIT)
    log = page.locator("table").filter(has_text="Ausgelöst von")
    expect(log).to_contain_text("gesendet", timeout=WAIT)
    expect(log).to_contain_text(format_month(months["prev"]))
    assert sorted(len(r.rcpt_tos) for r in server.inbox.received) == [1, 2]
    assert_no_exception(page)
    page.get_by_text("Erinnerungslauf beendet.").scroll_into_view_if_needed()
    screenshot(page, "cycle_sent_1920")
