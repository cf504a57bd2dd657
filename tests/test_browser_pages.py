"""What a person sees on each dashboard page in real Chromium (demo data, German locale)."""

import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from accounts import make_accounts
from browser_fixtures import assert_no_exception, screenshot, serve_app, wait_for_app
from playwright.sync_api import expect

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


def main(page):  # noqa: ANN001, ANN201
    return page.locator("[data-testid='stMain']")


def shows(page, *texts: str | re.Pattern) -> None:  # noqa: ANN001
    """Wait until the main area shows every text (Playwright's waiting assertion)."""
    for text in texts:
        expect(main(page)).to_contain_text(text, timeout=60_000)


def table(page, index: int):  # noqa: ANN001, ANN201
    return page.locator("[data-testid='stMain'] table").nth(index)


def charts_drawn(page, count: int) -> None:  # noqa: ANN001
    """At least `count` Vega-Lite charts rendered (canvas or SVG inside each chart element)."""
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts.nth(count - 1).locator("canvas, svg").first).to_be_visible(timeout=60_000)


def full_screenshot(page, name: str) -> None:  # noqa: ANN001
    """Tall viewport so that the whole page is in the picture (the main area scrolls)."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(max(int(height) + 40, 900), 7000)})
    page.wait_for_timeout(800)  # charts re-layout to the new size
    screenshot(page, name)


def test_overview_tiles_chart_and_table(page, app_url):
    open_page(page, app_url, "")
    charts_drawn(page, 2)
    shows(page, "Onlinequote Dez. 2023", "36,3 %", "616 von 1.695 Anträgen online", "±0,0 Pp.",
          "+6,0 Pp.", "Dez. 2022: 30,4 % (504 von 1.659) · 12 Leistungen in beiden Monaten",
          "Jan. 2024 vorläufig: 0 von 12 Leistungen gemeldet")  # fmt: skip
    expect(table(page, 0)).to_contain_text("Personenstandsurkunde")
    expect(table(page, 0)).to_contain_text("41,5 %")
    expect(table(page, 0)).not_to_contain_text("1.695")
    # Was an immediate count once, and failed while the page was still rendering.
    expect(page.get_by_role("button", name="Excel")).to_have_count(1, timeout=60_000)
    expect(page.get_by_role("link", name="Was fehlt: Datenstand")).to_be_visible()
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
    expect(page.get_by_role("tab", name="Anmeldung der Eheschließung")).to_have_count(1)
    expect(table(page, 0)).to_contain_text("29,8 % (203 von 681)")  # the comparison as text
    expect(table(page, 2)).to_contain_text(
        re.compile(r"Okt\. 2021\s+681\s+203\s+29,8 %\s+Monatsmeldung"), use_inner_text=True
    )
    expect(table(page, 1)).to_contain_text("E-Payment")
    # The address keeps the view: the chosen services are in the selection box.
    expect(page.locator("[data-testid='stMultiSelect']")).to_contain_text(
        "Anmeldung der Eheschließung"
    )
    shows(page, "Jan. 2021", "Dez. 2022")
    full_screenshot(page, "page_services")


def test_measures_page_tree_and_roadmap(page, app_url):
    open_page(page, app_url, "measures", [("massnahme_4", "true")])
    charts_drawn(page, 1)
    shows(page, "Digitaler Bürgerservice", "Zentrales Serviceportal", "in Umsetzung",
          "Verantwortlich: Stabsstelle Digitalisierung", "Sachstand vom 15.11.2021")  # fmt: skip
    full_screenshot(page, "page_measures")


def test_coverage_page_grid_and_load_log(page, app_url):
    open_page(page, app_url, "coverage")
    charts_drawn(page, 1)
    shows(page, "Gemeldete Monate je Fachbereich", "Ladeprotokoll", "Letzter vollständiger Monat")
    expect(table(page, 0)).to_contain_text(
        re.compile(r"Jan\. 2024\s+vorläufig\s+0 von 12"), use_inner_text=True
    )
    for cell in ("Jan. 2024", "½", "✓"):
        expect(table(page, 1)).to_contain_text(cell)
    full_screenshot(page, "page_coverage")


def test_targets_page_trend(page, app_url):
    open_page(page, app_url, "targets")
    charts_drawn(page, 1)
    shows(page, "Gesamtziel: alle Leistungen zusammen")
    expect(table(page, 0)).to_contain_text("36,3 %")
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
    shows(page, "Ziel 40 % bis Dez. 2024; beim derzeitigen Trend erreicht im", "(Prognose)",
          "Ziel: erreicht", "Ziel: verzögert")  # fmt: skip
    expect(table(page, 2)).to_contain_text(
        re.compile(r"Personenstandsurkunde\s+50 %\s+Dez\. 2024\s+41,5 %"), use_inner_text=True
    )
    full_screenshot(page, "page_targets_set")

    open_page(page, targets_app, "")
    charts_drawn(page, 2)
    shows(page, "Onlinequote Dez. 2023", re.compile(r"Ziel: (auf Kurs|verzögert)"))
    full_screenshot(page, "page_overview_targets")

    open_page(
        page,
        targets_app,
        "services",
        [("fachbereich", "FB 3 Bürgerservice, Standesamt"), ("leistung", "Personenstandsurkunde")],
    )
    charts_drawn(page, 1)
    shows(page, "Ziel 50 % bis Dez. 2024")
    full_screenshot(page, "page_services_target")
