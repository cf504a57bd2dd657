"""What each role sees and does in a real browser: login, navigation, upload, refusal, undo."""

from pathlib import Path

import openpyxl
import pytest
from accounts import make_accounts
from browser_fixtures import (
    assert_no_exception,
    log_in_browser,
    nav_link,
    nav_titles,
    screenshot,
    serve_app,
    submit_login,
    wait_for_app,
)
from conftest import write_xlsx
from playwright.sync_api import expect
from sqlalchemy import func, select

from db import get_engine
from db.models import Load, MonthlyCount
from ingest import load_counts
from ingest.demo import load_demo
from ingest.template import FIRST_DATA_ROW

pytestmark = pytest.mark.browser
OWN_DEPARTMENT = "FB 3 Bürgerservice, Bürgerbüro"  # the demo department of the test head
HEADER = ["Leistung", "Monat", "Anträge gesamt", "davon online"]


@pytest.fixture(scope="module")
def roles_db(make_session_db_url):  # noqa: ANN001, ANN201
    """Demo data and the three test accounts, in a database only this module writes to."""
    url = make_session_db_url("roles")
    engine = get_engine(url)
    load_demo(engine)
    logins = make_accounts(engine, OWN_DEPARTMENT)
    yield url, engine, logins
    engine.dispose()


@pytest.fixture(scope="module")
def roles_url(roles_db):  # noqa: ANN001, ANN201
    with serve_app(roles_db[0]) as url:
        yield url


def _nav(page) -> list[str]:  # noqa: ANN001
    # Each link reads "<icon name>\n<title>" (the icon is hidden from screen readers).
    return [t.split("\n")[-1] for t in nav_titles(page)]


def _open(page, title: str) -> None:  # noqa: ANN001
    nav_link(page, title).click()
    page.get_by_role("heading", name=title).wait_for()
    wait_for_app(page)


def _counts(engine) -> tuple:  # noqa: ANN001
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(MonthlyCount)),
            conn.scalar(select(func.sum(MonthlyCount.value))),
            conn.scalar(select(func.count()).select_from(Load)),
        )


def test_visitor_reads_only(page, roles_url):
    page.goto(roles_url)
    page.get_by_role("heading", name="Übersicht").wait_for()
    nav = _nav(page)
    assert "Übersicht" in nav and "Maßnahmen" in nav
    assert not {"Daten hochladen", "Ladeprotokoll", "Benutzer", "Strategie bearbeiten"} & set(nav)
    page.locator("[data-testid='stTable'], [data-testid='stDataFrame'] canvas").first.wait_for()
    assert_no_exception(page)
    screenshot(page, "roles_visitor")


def test_address_of_a_write_page_asks_forlog_in_browser(page, roles_url, roles_db):
    """Typing the address of a write page (or reloading it) does not open it: it asks for a
    login, in German, and after the login the real page is there."""
    page.goto(f"{roles_url}/upload")
    page.get_by_text("Diese Seite ist nur nach Anmeldung zugänglich").wait_for()
    wait_for_app(page)
    expect(page.locator("input[type=file]")).to_have_count(0)
    assert "Daten hochladen" not in _nav(page)
    screenshot(page, "roles_visitor_upload_address")
    submit_login(page.get_by_test_id("stMain"), roles_db[2]["department"])
    page.get_by_text("Angemeldet als").wait_for()
    page.get_by_role("tab", name="Antragszahlen").wait_for()
    wait_for_app(page)
    expect(page.locator("input[type=file]")).to_have_count(1, timeout=60_000)
    assert_no_exception(page)


def test_viewer_account_reads_only(page, roles_url, roles_db):
    log_in_browser(page, roles_url, roles_db[2]["viewer"])
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Angemeldet als Test viewer")
    nav = _nav(page)
    assert "Übersicht" in nav
    assert not {"Daten hochladen", "Ladeprotokoll", "Benutzer", "Strategie bearbeiten"} & set(nav)
    assert_no_exception(page)


def test_department_downloads_template_and_uploads_it(page, roles_url, roles_db, tmp_path):
    url, engine, logins = roles_db
    log_in_browser(page, roles_url, logins["department"])
    nav = _nav(page)
    assert "Daten hochladen" in nav and "Ladeprotokoll" in nav
    assert "Benutzer" not in nav and "Strategie bearbeiten" not in nav
    _open(page, "Daten hochladen")
    # The template, as a department head gets it from the browser.
    page.get_by_role("tab", name="Vorlage herunterladen").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Vorlage herunterladen").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name.startswith("Monatsmeldung_FB-3-Buergerservice-Buergerbuero_")
    wb = openpyxl.load_workbook(template)
    ws = wb["Meldung"]
    names = [ws.cell(FIRST_DATA_ROW + i, 1).value for i in range(2)]
    assert names == ["Meldebescheinigung", "Melderegisterauskunft"]
    ws.cell(FIRST_DATA_ROW, 3, 1234)
    ws.cell(FIRST_DATA_ROW, 4, 321)
    ws.cell(FIRST_DATA_ROW + 1, 3, 80)
    ws.cell(FIRST_DATA_ROW + 1, 4, 9)
    wb.save(template)
    before = _counts(engine)
    page.get_by_role("tab", name="Antragszahlen").click()
    page.locator("input[type=file]").first.set_input_files(str(template))
    page.get_by_role("heading", name="Vorschau").wait_for()
    page.get_by_role("button", name="Jetzt laden (1 Datei)").wait_for()
    page.get_by_test_id("stDataFrame").locator("canvas").first.wait_for()
    wait_for_app(page)
    assert "2 neu, 0 geändert, 0 unverändert" in page.inner_text("body")
    assert _counts(engine) == before  # nothing stored before the confirmation
    screenshot(page, "roles_department_preview")
    page.get_by_role("button", name="Jetzt laden (1 Datei)").click()
    page.get_by_text("Gespeichert.").wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    count, total, loads = _counts(engine)
    assert (count, total, loads) == (before[0] + 4, before[1] + 1234 + 80, before[2] + 1)
    with engine.connect() as conn:
        assert conn.scalar(select(Load.loaded_by).order_by(Load.id.desc())) == "test-fb"
    screenshot(page, "roles_department_loaded")


def test_department_upload_of_foreign_services_is_refused(page, roles_url, roles_db, tmp_path):
    url, engine, logins = roles_db
    path = write_xlsx(tmp_path / "fremd.xlsx", {"Meldung": [HEADER,
        ["Meldebescheinigung", "09/2026", 250, 60],
        ["Hundesteueranmeldung", "09/2026", 40, 10]]})  # fmt: skip
    log_in_browser(page, roles_url, logins["department"])
    _open(page, "Daten hochladen")
    before = _counts(engine)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_text("wurde nicht geladen").wait_for()
    wait_for_app(page)
    body = page.inner_text("body")
    assert "„Hundesteueranmeldung“ (FB 2 Finanzen, Steueramt)" in body
    assert "Es wurde nichts gespeichert" in body
    expect(page.get_by_role("button", name="Jetzt laden (1 Datei)")).to_have_count(0)
    assert _counts(engine) == before
    assert_no_exception(page)
    screenshot(page, "roles_department_refused")


def test_admin_sees_everything_and_undoes(page, roles_url, roles_db, tmp_path):
    url, engine, logins = roles_db
    path = write_xlsx(tmp_path / "korrektur.xlsx", {"Meldung": [HEADER,
        ["Hundesteueranmeldung", "08/2026", 40, 10]]})  # fmt: skip
    before = _counts(engine)
    [result] = load_counts(engine, [path], "test-admin")
    log_in_browser(page, roles_url, logins["admin"])
    nav = _nav(page)
    assert {"Daten hochladen", "Ladeprotokoll", "Benutzer", "Strategie bearbeiten"} <= set(nav)
    _open(page, "Benutzer")
    page.get_by_test_id("stDataFrame").locator("canvas").first.wait_for()
    assert "$argon2" not in page.content()
    page.get_by_role("tab", name="Benutzer bearbeiten").click()
    assert page.get_by_role("combobox", name="Benutzer").input_value() == "test-admin"
    screenshot(page, "roles_admin_users")
    _open(page, "Strategie bearbeiten")
    page.get_by_text("Neuer Sachstand").wait_for()
    screenshot(page, "roles_admin_strategy")
    _open(page, "Ladeprotokoll")
    offered = page.get_by_role("combobox", name="Ladevorgang").input_value()
    assert offered.startswith(f"Nr. {result.load_id} – korrektur.xlsx")
    page.get_by_text("Ja, diesen Ladevorgang rückgängig machen").click()
    wait_for_app(page)
    page.get_by_role("button", name="Rückgängig machen").click()
    page.get_by_text(f"Ladevorgang {result.load_id}").first.wait_for()
    page.get_by_test_id("stAlertContentSuccess").wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    assert _counts(engine) == (before[0], before[1], before[2] + 1)
    screenshot(page, "roles_admin_loads")


def test_the_transport_limit_lies_well_above_the_ingest_limit():
    """The upload field lets a file over the ingest's limit through, so that the ingest's
    German message can say so (tests/test_browser_german.py uploads one)."""
    import tomllib

    from db.settings import MAX_FILE_MB

    config = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"
    transport = tomllib.loads(config.read_text())["server"]["maxUploadSize"]
    assert transport >= 4 * MAX_FILE_MB


@pytest.mark.parametrize("kind", ["memory", "dimension"])
def test_a_workbook_that_crashes_the_reader_takes_only_the_worker_down(
    kind, browser, page, roles_url, roles_db, tmp_path
):
    """The file calamine cannot survive (a long text in 200,000 cells, or a far value behind a
    small <dimension>): the page says why in German, the server answers, others work on."""
    import urllib.request

    from workbooks import long_shared_string, with_far_cell

    url, engine, logins = roles_db
    if kind == "memory":
        path = long_shared_string(tmp_path / "absturz.xlsx", 200_000)
        phrase = "Die Datei konnte nicht sicher gelesen werden"
    else:
        path = with_far_cell(tmp_path / "absturz.xlsx", b"XFD1048576", b"A1:D2")
        phrase = "reicht bis Zelle XFD1048576"
    other = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 720})
    viewer = other.new_page()
    viewer.goto(roles_url)
    wait_for_app(viewer)
    log_in_browser(page, roles_url, logins["department"])
    _open(page, "Daten hochladen")
    before = _counts(engine)
    page.locator("input[type=file]").first.set_input_files(str(path))
    expect(page.get_by_text(phrase)).to_be_visible(timeout=90_000)
    expect(page.get_by_text("„absturz.xlsx“ wurde nicht geladen")).to_be_visible()
    expect(page.get_by_role("button", name="Jetzt laden (1 Datei)")).to_have_count(0)
    assert_no_exception(page)
    screenshot(page, f"upload_crashing_workbook_{kind}")
    with urllib.request.urlopen(f"{roles_url}/_stcore/health", timeout=10) as health:
        assert health.status == 200
    # The other session is alive and can still move around.
    nav_link(viewer, "Leistungen").click()
    expect(viewer.get_by_role("heading", name="Leistungen")).to_be_visible(timeout=30_000)
    assert_no_exception(viewer)
    other.close()
    assert _counts(engine)[:2] == before[:2]  # no figure written
