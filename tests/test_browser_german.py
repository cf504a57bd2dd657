"""German on every screen: what Chromium shows and reads out on every page, for every role,
has no English interface word; wrong and oversized files get the app's German message."""

import io
from collections.abc import Iterator

import pytest
from accounts import make_accounts
from browser_fixtures import (
    assert_no_exception,
    log_in_browser,
    screenshot,
    serve_app,
    wait_for_app,
)
from openpyxl import Workbook
from playwright.sync_api import expect
from ui_text import COLLECT, english_words

from dashboard.navigation import PAGES, visible_files
from db import get_engine
from ingest.demo import load_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def german_db(make_session_db_url) -> Iterator[tuple[str, dict]]:  # noqa: ANN001
    url = make_session_db_url("browser_german")
    engine = get_engine(url)
    load_demo(engine)
    logins = make_accounts(engine, "FB 3 Bürgerservice, Bürgerbüro")
    engine.dispose()
    yield url, logins


@pytest.fixture(scope="module")
def german_url(german_db) -> Iterator[str]:  # noqa: ANN001
    with serve_app(german_db[0]) as url:
        yield url


TITLES = {file: title for pages in PAGES.values() for file, title, _icon, _roles in pages}
HEADINGS = {"Barrierefreiheit": "Erklärung zur Barrierefreiheit"}  # where not the link's text


def _go(page, title: str) -> None:  # noqa: ANN001
    """Open a page by its link in the sidebar (a signed-in session stays signed in)."""
    page.locator("[data-testid='stSidebar']").get_by_role("link", name=title, exact=True).click()
    heading = HEADINGS.get(title, title)
    expect(page.locator("[data-testid='stMain'] h1").first).to_have_text(heading)
    wait_for_app(page)


def _english(page, where: str, found: dict) -> None:  # noqa: ANN001
    for kind, text in page.evaluate(COLLECT):
        if words := english_words(text):
            found.setdefault((kind, text[:160]), (where, words))


def _open_popups(page, where: str, found: dict) -> int:  # noqa: ANN001
    """Every select box, multiselect and date field opened once, a chart's toolbar shown;
    how many were opened."""
    main = page.locator("[data-testid='stMain']")
    # React Aria's combo boxes and date fields open by their buttons (German labels: the
    # translation is part of what is tested).
    opener = "button[aria-label='Auswahl öffnen']"
    popups = ((f"[data-testid='stSelectbox'] {opener}", "Auswahl"),
              (f"[data-testid='stMultiSelect'] {opener}", "Mehrfachauswahl"),
              ("[data-testid='stDateInput'] button[aria-haspopup]", "Datum"))  # fmt: skip
    popup = page.locator("[role='listbox'], [role='dialog']").first
    opened = 0
    for selector, label in popups:
        boxes = main.locator(selector)
        for i in range(boxes.count()):
            box = boxes.nth(i)
            if not box.is_visible() or not box.is_enabled():
                continue
            for _attempt in range(2):  # a rerun of the page may close it again at once
                box.click()
                try:
                    expect(popup).to_be_visible(timeout=5_000)
                    break
                except AssertionError:
                    wait_for_app(page)
            else:
                continue
            _english(page, f"{where} ({label} {i + 1} geöffnet)", found)
            page.keyboard.press("Escape")
            expect(popup).to_have_count(0)
            opened += 1
    charts = main.locator("[data-testid='stVegaLiteChart']")
    if charts.count():
        charts.first.hover()
        page.wait_for_timeout(300)
        _english(page, f"{where} (Diagramm)", found)
    return opened


def _crawl(page, files: list[str], role: str, found: dict) -> int:  # noqa: ANN001
    opened = 0
    for file in files:
        _go(page, TITLES[file])
        assert_no_exception(page)
        page.wait_for_timeout(500)  # charts and grids draw after the script ends
        where = f"{role}: {file}"
        _english(page, where, found)
        opened += _open_popups(page, where, found)
    return opened


def _report(found: dict) -> str:
    return "\n".join(f"{where}: {kind} {text!r} {words}" for (kind, text), (where, words)
                     in sorted(found.items(), key=lambda kv: kv[1][0]))  # fmt: skip


def test_every_page_of_every_role_speaks_german(browser, german_url, german_db):  # noqa: ANN001
    _url, logins = german_db
    found: dict = {}
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 720})
    visitor = context.new_page()
    visitor.goto(german_url)
    wait_for_app(visitor)
    opened = _crawl(visitor, visible_files("viewer"), "Besucher", found)
    context.close()
    for role in ("department", "admin"):
        context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 720})
        page = context.new_page()
        log_in_browser(page, german_url, logins[role])
        opened += _crawl(page, visible_files(role), role, found)
        context.close()
    assert opened >= 20  # the choice widgets of every page were opened
    assert not found, "Englische Wörter auf der Oberfläche:\n" + _report(found)


def test_the_login_page_speaks_german(browser, german_db):  # noqa: ANN001
    url, _logins = german_db
    with serve_app(url, {"PORTALQUOTE_REQUIRE_LOGIN": "1"}) as app:
        context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.goto(app)
        wait_for_app(page)
        expect(page.get_by_label("Passwort", exact=True)).to_be_visible()
        found: dict = {}
        _english(page, "Anmeldeseite", found)
        context.close()
    assert not found, _report(found)


def _workbook() -> bytes:
    wb = Workbook()
    wb.active.append(["Leistung", "Monat", "Anträge gesamt", "davon online"])
    wb.active.append(["Meldebescheinigung", "2023-12", 250, 60])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_wrong_and_oversized_files_reach_the_app_and_get_its_german_message(
    browser, german_url, german_db
):  # noqa: ANN001
    """The upload field takes any file; the ingest refuses with its German message, and the
    field itself speaks German (file chip with a German size)."""
    _url, logins = german_db
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in_browser(page, german_url, logins["department"])
    _go(page, "Daten hochladen")
    field = page.locator("[data-testid='stFileUploader']").first
    expect(field).to_contain_text("Datei auswählen")
    expect(field).to_contain_text("oder hierher ziehen")
    upload = field.locator("input[type=file]")
    upload.set_input_files(
        [{"name": "bericht.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n" * 100}]
    )
    expect(page.get_by_text("„bericht.pdf“ wurde nicht geladen")).to_be_visible()
    expect(page.get_by_text("wird nicht unterstützt").first).to_be_visible()
    chip = page.locator("[data-testid='stFileChip']").first
    expect(chip).to_contain_text("bericht.pdf")
    expect(chip).to_contain_text("\u00a0KB")  # "0,9 KB", not "0.9KB"
    assert "," in chip.inner_text()
    assert_no_exception(page)
    screenshot(page, "upload_wrong_type_german")
    # Over the ingest's limit (20 MB), well under the transport limit (100 MB).
    big = _workbook() + b"\0" * (21 * 2**20)
    _go(page, "Übersicht")
    _go(page, "Daten hochladen")
    page.locator("[data-testid='stFileUploader'] input[type=file]").first.set_input_files(
        [{"name": "zu_gross.xlsx", "buffer": big,
          "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}]
    )  # fmt: skip
    expect(page.get_by_text("„zu_gross.xlsx“ wurde nicht geladen")).to_be_visible(timeout=90_000)
    expect(page.get_by_text("erlaubt sind höchstens 20 MB").first).to_be_visible()
    assert_no_exception(page)
    found: dict = {}
    _english(page, "Upload mit Datei", found)
    screenshot(page, "upload_too_large_german")
    context.close()
    assert not found, _report(found)


def test_every_chart_offers_german_png_and_svg_buttons(browser, german_url):  # noqa: ANN001
    """Under each chart its own PNG and SVG buttons; Streamlit's chart toolbar keeps only
    "Vollbild" (no English "Show data", no "Download as PNG")."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{german_url}/")
    wait_for_app(page)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts.first.locator("canvas, svg").first).to_be_visible()
    count = charts.count()
    assert count >= 2
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_role("button", name="PNG")).to_have_count(count)
    expect(main.get_by_role("button", name="SVG")).to_have_count(count)
    charts.first.hover()
    toolbar = page.locator("[data-testid='stElementToolbar']").first
    expect(toolbar.get_by_role("button", name="Vollbild")).to_be_visible()
    labels = [b.get_attribute("aria-label") or b.inner_text()
              for b in toolbar.get_by_role("button").all()]  # fmt: skip
    assert not any("PNG" in x or "Daten" in x for x in labels), labels
    context.close()
