"""In real Chromium: every slide of the Sitzungsmodus (no sidebar), and the report download."""

import re
from datetime import date
from pathlib import Path

import docx
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
from playwright.sync_api import expect

from db import get_engine, session
from db.writes import begin_write
from ingest.demo import FIELDS, load_demo

pytestmark = pytest.mark.browser

SERVICES = ["Personenstandsurkunde", "Meldebescheinigung", "Melderegisterauskunft"]
# What each slide must show besides its title (overview, five fields, services).
EXPECTED = [
    ("Überblick", ["Onlinequote Dezember 2023", "Umsetzungsstand der Maßnahmen"]),
    (f"Handlungsfeld 1: {FIELDS[0]}", ["Dokumentenmanagementsystem (DMS)", "in Vorbereitung"]),
    (
        f"Handlungsfeld 2: {FIELDS[1]}",
        ["Zentrales Serviceportal", "Inanspruchnahme der verknüpften Leistungen"],
    ),
    (f"Handlungsfeld 3: {FIELDS[2]}", ["E-Payment", "Prozessmanagement"]),
    (f"Handlungsfeld 4: {FIELDS[3]}", ["Moderne Raumkonzepte"]),
    (f"Handlungsfeld 5: {FIELDS[4]}", ["Offene Sprechstunden", "umgesetzt"]),
    ("Ausgewählte Leistungen", SERVICES),
]


@pytest.fixture
def agenda(demo_db_url):  # noqa: ANN001, ANN201
    """All slides, three services, frozen at today's date (the demo was loaded today)."""
    engine = get_engine(demo_db_url)
    with begin_write(engine) as conn:
        default = session.default_agenda(conn)
        session.save_agenda(conn, session.Agenda(default.items, SERVICES, date.today()))
    yield
    with begin_write(engine) as conn:
        session.save_agenda(conn, default)
    engine.dispose()


def test_click_through_every_slide(page, app_url, agenda):  # noqa: ANN001
    page.goto(f"{app_url}/session?praesentation=1")
    wait_for_app(page)
    count = len(EXPECTED)
    stichtag = f"Datenstand: Stichtag {date.today():%d.%m.%Y}"
    expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
    body = page.locator("body")
    for number, (title, shown) in enumerate(EXPECTED, start=1):
        page.get_by_text(f"Folie {number} von {count}", exact=True).wait_for()
        page.get_by_role("heading", name=title).wait_for()
        wait_for_app(page)
        assert_no_exception(page)
        for text in (stichtag, *shown):
            expect(body).to_contain_text(text)
        if number in (3, 7):  # slides with uptake: a chart and German figures
            page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
            expect(body).to_contain_text(re.compile(r"\d+,\d %"))
        screenshot(page, f"session-{number}")
        forward = page.get_by_role("button", name="Weiter")
        if number < count:
            forward.click()
        else:
            expect(forward).to_be_disabled()
    page.get_by_role("button", name="Zurück").click()
    page.get_by_text(f"Folie {count - 1} von {count}", exact=True).wait_for()
    # A presenter's clicker or the arrow keys also work.
    page.keyboard.press("ArrowLeft")
    page.get_by_text(f"Folie {count - 2} von {count}", exact=True).wait_for()
    assert "folie=" in page.url


@pytest.fixture(scope="module")
def admin_app(make_session_db_url):  # noqa: ANN001, ANN201
    """The app on its own demo database with a test admin: (url, admin login)."""
    url = make_session_db_url("report_browser")
    engine = get_engine(url)
    load_demo(engine)
    logins = make_accounts(engine, "FB 3 Bürgerservice, Bürgerbüro")
    engine.dispose()
    with serve_app(url) as base:
        yield base, logins["admin"]


def test_admin_generates_and_downloads_the_report(page, admin_app, tmp_path):  # noqa: ANN001
    url, admin = admin_app
    log_in_browser(page, url, admin)
    # Through the navigation: a new page load would start a new (signed-out) session.
    nav_link(page, "Sachstandsbericht").click()
    page.get_by_role("heading", name="Sachstandsbericht").wait_for()
    wait_for_app(page)
    page.get_by_label("Titel").fill("Sachstandsbericht Testsitzung")
    page.get_by_role("button", name="Bericht erzeugen und speichern").click()
    page.get_by_text("wurde erzeugt und gespeichert").wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "report-page")
    with page.expect_download(timeout=60_000) as pdf_download:
        page.get_by_role("button", name="PDF").click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf_download.value.suggested_filename.startswith("Sachstandsbericht_Testsitzung")
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    with page.expect_download(timeout=60_000) as docx_download:
        page.get_by_role("button", name="Word (.docx)").click()
    document = docx.Document(docx_download.value.path())
    assert document.paragraphs[1].text == "Sachstandsbericht Testsitzung"
    assert "Änderungen seit dem letzten Bericht" in [p.text for p in document.paragraphs]
