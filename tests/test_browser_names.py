"""Names from files and forms are plain text on every page: in real Chromium, no page makes
the browser fetch anything from another host, and no name turns into a link or an image."""

from urllib.parse import urlencode, urlparse

import pytest
from accounts import make_accounts
from browser_fixtures import (
    assert_no_exception,
    log_in_browser,
    nav_link,
    screenshot,
    serve_app,
    wait_for_app,
)
from db_builders import HOSTILE_DEPARTMENT, HOSTILE_SERVICES, OUTSIDE, hostile_names
from playwright.sync_api import expect

from db import get_engine, queries
from db.session import load_agenda, slides

pytestmark = pytest.mark.browser
OUTSIDE_HOST = urlparse(OUTSIDE).hostname


@pytest.fixture(scope="module")
def hostile_app(make_session_db_url):  # noqa: ANN001, ANN201
    url = make_session_db_url("browser_names")
    engine = get_engine(url)
    department = hostile_names(engine)
    admin = make_accounts(engine, department)["admin"]
    with engine.connect() as conn:
        measure_ids = list(queries.measures(conn)["measure_id"])
        slide_count = len(slides(conn, load_agenda(conn)))
    engine.dispose()
    with serve_app(url) as base:
        yield base, admin, measure_ids, slide_count


def _addresses(measure_ids: list[int], slide_count: int) -> list[tuple[str, list]]:
    dep = ("fachbereich", HOSTILE_DEPARTMENT)
    return [
        ("", []),
        ("", [dep]),
        ("services", [dep, ("leistung", HOSTILE_SERVICES[0])]),  # the name as subheader
        ("services", [dep, *(("leistung", s) for s in HOSTILE_SERVICES)]),  # as tab labels
        ("measures", [(f"massnahme_{i}", "true") for i in measure_ids]),
        ("coverage", []),
        ("coverage", [dep]),
        ("targets", []),
        *(("session", [("folie", str(n))]) for n in range(1, slide_count + 1)),
    ]


def _no_markup_from_names(page, where: str) -> None:  # noqa: ANN001
    main = page.get_by_test_id("stMain")
    for selector in (f"img[src*='{OUTSIDE_HOST}']", f"a[href*='{OUTSIDE_HOST}']", "script"):
        found = main.locator(selector)
        if found.count():  # say which element, for the message
            where += f": {found.first.evaluate('e => e.parentElement.outerHTML')[:300]}"
        expect(found, where).to_have_count(0)


def test_hostile_names_fetch_nothing_from_another_host(page, hostile_app):  # noqa: ANN001
    base, admin, measure_ids, slide_count = hostile_app
    requests: list[str] = []
    page.context.on("request", lambda r: requests.append(r.url))
    own = urlparse(base).netloc
    for number, (path, params) in enumerate(_addresses(measure_ids, slide_count)):
        page.goto(f"{base}/{path}" + (f"?{urlencode(params)}" if params else ""))
        wait_for_app(page)
        assert_no_exception(page)
        _no_markup_from_names(page, f"{path} {params}")
        if number == 0:
            # Shown as typed, Markdown and HTML characters included.
            expect(page.get_by_test_id("stMain")).to_contain_text(HOSTILE_SERVICES[0])
        screenshot(page, f"names_{number:02d}_{path or 'overview'}")
    # The admin's pages, reached through the navigation (a new address would sign out).
    log_in_browser(page, base, admin)
    for title in ("Sachstandsbericht", "Ladeprotokoll", "Strategie bearbeiten", "Benutzer",
                  "Daten hochladen", "Datenstand"):  # fmt: skip
        nav_link(page, title).click()
        page.get_by_role("heading", name=title).first.wait_for()
        wait_for_app(page)
        assert_no_exception(page)
        _no_markup_from_names(page, title)
        screenshot(page, f"names_admin_{title.split()[0].lower()}")
    page.wait_for_timeout(1000)  # images would have been requested by now
    foreign = sorted(
        {u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
         and urlparse(u).netloc != own}
    )  # fmt: skip
    assert foreign == []
    assert len(requests) > 50  # the pages were there and loaded their own files
