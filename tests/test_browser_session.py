"""In real Chromium: every slide of the Sitzungsmodus (no sidebar), and the report download."""

import re
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
# What each part of each slide must show besides its title (overview, five fields, services).
EXPECTED = [
    ("1a", "Überblick", ["Onlinequote Dezember 2023"]),
    ("1b", "Überblick", ["Umsetzungsstand der Maßnahmen"]),
    ("2", f"Handlungsfeld 1: {FIELDS[0]}", ["Dokumentenmanagementsystem (DMS)", "in Vorbereitung"]),
    ("3a", f"Handlungsfeld 2: {FIELDS[1]}", ["Zentrales Serviceportal"]),
    ("3b", f"Handlungsfeld 2: {FIELDS[1]}", ["Inanspruchnahme der verknüpften Leistungen"]),
    ("3c", f"Handlungsfeld 2: {FIELDS[1]}", []),
    ("4a", f"Handlungsfeld 3: {FIELDS[2]}", ["E-Payment", "Prozessmanagement"]),
    ("4b", f"Handlungsfeld 3: {FIELDS[2]}", ["Zahlen für Dezember 2023"]),
    ("5", f"Handlungsfeld 4: {FIELDS[3]}", ["Moderne Raumkonzepte"]),
    ("6", f"Handlungsfeld 5: {FIELDS[4]}", ["Offene Sprechstunden", "umgesetzt"]),
    ("7", "Ausgewählte Leistungen", SERVICES),
]
CHARTS = {"3b", "3c", "4b", "7"}  # parts with uptake: a chart and German figures


@pytest.fixture
def agenda(demo_db_url):  # noqa: ANN001, ANN201
    """All slides, three services, frozen now (the demo was loaded before)."""
    engine = get_engine(demo_db_url)
    with begin_write(engine) as conn:
        default = session.default_agenda(conn)
        session.save_agenda(conn, session.Agenda(default.items, SERVICES, session.moment()))
        frozen = session.load_agenda(conn).frozen_at
    yield frozen
    with begin_write(engine) as conn:
        session.save_agenda(conn, default)
    engine.dispose()


def test_click_through_every_slide(page, app_url, agenda):  # noqa: ANN001
    page.goto(f"{app_url}/session?praesentation=1")
    wait_for_app(page)
    stand = f"Stand: {agenda:%d.%m.%Y, %H:%M} Uhr"
    expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()
    body = page.locator("body")
    for label, title, shown in EXPECTED:
        page.get_by_text(f"Folie {label} von 7", exact=True).wait_for()
        page.get_by_role("heading", name=title).wait_for()
        wait_for_app(page)
        assert_no_exception(page)
        for text in (stand, *shown):
            expect(body).to_contain_text(text)
        if label in CHARTS:
            expect(page.locator("img.pq-chart").first).to_be_visible()
        if label in ("4b", "7"):
            expect(body).to_contain_text(re.compile(r"\d+,\d %"))
        screenshot(page, f"session-{label}")
        forward = page.get_by_role("button", name="Weiter")
        if label != EXPECTED[-1][0]:
            forward.click()
        else:
            expect(forward).to_be_disabled()
    page.get_by_role("button", name="Zurück").click()
    page.get_by_text("Folie 6 von 7", exact=True).wait_for()
    # A presenter's clicker or the arrow keys also work.
    wait_for_app(page)
    page.keyboard.press("ArrowLeft")
    page.get_by_text("Folie 5 von 7", exact=True).wait_for()
    assert "folie=5" in page.url and "praesentation=1" in page.url


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
    cover = [p.text for p in document.paragraphs[:8]]  # town and unit come first, if set
    assert "Sachstandsbericht Testsitzung" in cover, cover
    assert "Änderungen seit dem letzten Bericht" in [p.text for p in document.paragraphs]
