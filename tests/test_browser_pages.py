"""What a person sees on each dashboard page in real Chromium (demo data, German locale)."""

import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from accounts import make_accounts
from browser_fixtures import assert_no_exception, screenshot, serve_app, wait_for_app

from db import get_engine
from db.targets import save_target
from db.writes import begin_write
from ingest.demo import load_demo

pytestmark = pytest.mark.browser


def open_page(page, app_url: str, path: str, params: list[tuple[str, str]] | None = None):  # noqa: ANN001, ANN201
    query = f"?{urlencode(params)}" if params else ""
    page.goto(f"{app_url}/{path}{query}")
    wait_for_app(page)
    assert_no_exception(page)
    return page


def main_text(page) -> str:  # noqa: ANN001
    return page.locator("[data-testid='stMain']").inner_text()


def charts_drawn(page, count: int) -> None:  # noqa: ANN001
    """Vega-Lite charts rendered (canvas or SVG inside each chart element)."""
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.nth(count - 1).locator("canvas, svg").first.wait_for()
    assert charts.count() >= count


def full_screenshot(page, name: str) -> None:  # noqa: ANN001
    """Tall viewport so that the whole page is in the picture (the main area scrolls)."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(max(int(height) + 40, 900), 7000)})
    page.wait_for_timeout(800)  # charts re-layout to the new size
    screenshot(page, name)


def test_overview_tiles_chart_and_table(page, app_url):
    open_page(page, app_url, "")
    page.get_by_text("Onlinequote Dez. 2023").wait_for()
    charts_drawn(page, 2)
    text = main_text(page)
    assert "36,3 %" in text and "616 von 1.695 Anträgen online" in text
    assert "±0,0 Pp." in text and "+6,0 Pp." in text
    assert "Dez. 2022: 30,4 % (504 von 1.659)" in text
    table = page.locator("[data-testid='stMain'] table").first.inner_text()
    assert "Personenstandsurkunde" in table and "41,5 %" in table and "1.695" not in table
    assert page.get_by_role("button", name="Excel").count() == 1
    full_screenshot(page, "page_overview")


def test_services_page_october_2021(page, app_url):
    open_page(
        page,
        app_url,
        "services",
        [
            ("fachbereich", "FB 3 Bürgerservice, Standesamt"),
            ("leistung", "Personenstandsurkunde"),
            ("leistung", "Anmeldung der Eheschließung"),
            ("zeitraum", "Jan. 2021"),
            ("zeitraum", "Dez. 2022"),
        ],
    )
    charts_drawn(page, 2)  # the comparison and the first tab's chart
    assert page.get_by_role("tab", name="Anmeldung der Eheschließung").count() == 1
    tables = page.locator("[data-testid='stMain'] table")
    assert "29,8 % (203 von 681)" in tables.nth(0).inner_text()  # the comparison as text
    figures = tables.nth(2).inner_text()
    assert re.search(r"Okt\. 2021\s+681\s+203\s+29,8 %\s+Monatsmeldung", figures)
    assert "E-Payment" in tables.nth(1).inner_text()
    # The address keeps the view: the chosen services are in the selection box.
    assert (
        "Anmeldung der Eheschließung" in page.locator("[data-testid='stMultiSelect']").inner_text()
    )
    assert "Jan. 2021" in main_text(page) and "Dez. 2022" in main_text(page)
    full_screenshot(page, "page_services")


def test_measures_page_tree_and_roadmap(page, app_url):
    open_page(page, app_url, "measures", [("massnahme_4", "true")])
    charts_drawn(page, 1)
    text = main_text(page)
    assert "Digitaler Bürgerservice" in text and "Zentrales Serviceportal" in text
    assert "in Umsetzung" in text and "Verantwortlich: Stabsstelle Digitalisierung" in text
    assert "Sachstand vom 15.11.2021" in text
    full_screenshot(page, "page_measures")


def test_coverage_page_grid_and_load_log(page, app_url):
    open_page(page, app_url, "coverage")
    charts_drawn(page, 1)
    text = main_text(page)
    assert "Gemeldete Monate je Fachbereich" in text and "Ladeprotokoll" in text
    grid = page.locator("[data-testid='stMain'] table").first.inner_text()
    assert "Jan. 2024" in grid and "½" in grid and "✓" in grid
    full_screenshot(page, "page_coverage")


def test_targets_page_trend(page, app_url):
    open_page(page, app_url, "targets")
    charts_drawn(page, 1)
    text = main_text(page)
    assert "Gesamtziel: alle Leistungen zusammen" in text
    assert "36,3 %" in page.locator("[data-testid='stMain'] table").first.inner_text()
    full_screenshot(page, "page_targets")


@pytest.fixture(scope="module")
def targets_app(make_session_db_url) -> Iterator[str]:  # noqa: ANN001
    """The demo data with an overall target and two service targets, on its own server."""
    url = make_session_db_url("targets")
    engine = get_engine(url)
    load_demo(engine)
    admin = make_accounts(engine, "FB 3 Bürgerservice, Bürgerbüro")["admin"].account
    with begin_write(engine) as conn:
        save_target(conn, admin, share=0.4, due_month="2024-12")
        save_target(conn, admin, share=0.5, due_month="2024-12", service="Personenstandsurkunde")
        save_target(conn, admin, share=0.6, due_month="2025-06", service="Kita-Platz-Anmeldung")
    engine.dispose()
    with serve_app(url) as app:
        yield app


def test_targets_as_traffic_lights_rules_and_projection(page, targets_app):
    open_page(page, targets_app, "targets")
    charts_drawn(page, 1)
    text = main_text(page)
    assert "Ziel 40 % bis Dez. 2024; beim derzeitigen Trend erreicht im" in text
    assert "(Prognose)" in text and "Ziel: erreicht" in text and "Ziel: verzögert" in text
    targets = page.locator("[data-testid='stMain'] table").nth(2).inner_text()
    assert re.search(r"Personenstandsurkunde\s+50 %\s+Dez\. 2024\s+41,5 %", targets)
    full_screenshot(page, "page_targets_set")

    open_page(page, targets_app, "")
    page.get_by_text("Onlinequote Dez. 2023").wait_for()
    charts_drawn(page, 2)
    assert "Ziel: auf Kurs" in main_text(page) or "Ziel: verzögert" in main_text(page)
    full_screenshot(page, "page_overview_targets")

    open_page(
        page,
        targets_app,
        "services",
        [("fachbereich", "FB 3 Bürgerservice, Standesamt"), ("leistung", "Personenstandsurkunde")],
    )
    charts_drawn(page, 1)
    assert "Ziel 50 % bis Dez. 2024" in main_text(page)
    full_screenshot(page, "page_services_target")
