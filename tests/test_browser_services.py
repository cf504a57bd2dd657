"""In real Chromium: Leistungen for comparison. Services of two departments in one chart,
chosen through the department; a target due years later leaves the time axis alone; no two
labels of a chart overlap; the marks of the range only, numbered and in one date format; the
default range ends at the latest complete month; counts are whole numbers in the CSV."""

import re
import secrets
from pathlib import Path

import pytest
from browser_fixtures import assert_no_exception, screenshot, serve_app, wait_for_app
from playwright.sync_api import expect

from db import get_engine
from db.targets import save_target
from db.users import create_user
from db.writes import begin_write
from ingest.demo import load_demo

pytestmark = pytest.mark.browser

STANDESAMT, BUERGERBUERO = "FB 3 Bürgerservice, Standesamt", "FB 3 Bürgerservice, Bürgerbüro"
THREE = ["Personenstandsurkunde", "Meldebescheinigung", "Melderegisterauskunft"]
CHIPS = "[data-testid='stMultiSelect'] .react-aria-ComboBox [data-tag]"  # the chosen services

# The visible texts of the charts on the page with their boxes (Vega draws them as SVG).
CHART_TEXTS = """(chart) => [...chart.querySelectorAll('svg text')].filter(t => {
    const s = getComputedStyle(t), r = t.getBoundingClientRect();
    return t.textContent.trim() && r.width > 0 && s.opacity !== '0' && s.fillOpacity !== '0'
      && t.getAttribute('opacity') !== '0';
  }).map(t => { const r = t.getBoundingClientRect();
    return [t.textContent, r.left, r.top, r.right, r.bottom]; })"""


@pytest.fixture(scope="module")
def services_app(make_session_db_url):  # noqa: ANN001, ANN201
    """The demo with a target for Personenstandsurkunde due in 2027 and an overall one."""
    url = make_session_db_url("services_browser")
    engine = get_engine(url)
    load_demo(engine)
    with begin_write(engine) as conn:
        admin = create_user(conn, "ziel-admin", secrets.token_urlsafe(16), "admin")
        save_target(conn, admin, share=0.6, due_month="2027-12", service=THREE[0])
        save_target(conn, admin, share=0.5, due_month="2027-06")
    engine.dispose()
    with serve_app(url) as base:
        yield base


def _choose(page, label: str, option: str) -> None:  # noqa: ANN001
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def _add(page, service: str) -> None:  # noqa: ANN001
    page.locator("[data-testid='stMultiSelect'] input").click()
    page.get_by_role("option", name=service, exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app(page)


def _overlapping(texts: list) -> list:
    found = []
    for i, (a, l1, t1, r1, b1) in enumerate(texts):
        for b, l2, t2, r2, b2 in texts[i + 1 :]:
            if a == b and abs(l1 - l2) < 1 and abs(t1 - t2) < 1:
                continue  # a label and its white halo
            if l1 < r2 - 0.5 and l2 < r1 - 0.5 and t1 < b2 - 0.5 and t2 < b1 - 0.5:
                found.append((a, b))
    return found


def test_services_of_two_departments_in_one_chart(page, services_app):  # noqa: ANN001
    page.goto(f"{services_app}/services")
    wait_for_app(page)
    chips = page.locator(CHIPS)
    expect(chips).to_have_count(1)
    chips.first.locator("button").click()  # start from nothing
    wait_for_app(page)
    _choose(page, "Fachbereich", STANDESAMT)
    _add(page, THREE[0])
    _choose(page, "Fachbereich", BUERGERBUERO)  # the Standesamt's service stays chosen
    _add(page, THREE[1])
    _add(page, THREE[2])
    expect(chips).to_have_count(3)
    for name in THREE:
        expect(chips.filter(has_text=name)).to_have_count(1)
    assert all(f"leistung={name}" in page.url for name in THREE)
    expect(page.get_by_role("heading", name="Onlinequote im Vergleich")).to_be_visible()
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    expect(chart.locator("svg")).to_be_visible()
    # The chart is redrawn after the last choice: wait until its legend has all three.
    for _ in range(60):
        legend = " ".join(t[0] for t in chart.evaluate(CHART_TEXTS))
        if all(name in legend for name in THREE):
            break
        page.wait_for_timeout(500)
    assert all(name in legend for name in THREE), legend
    # The address opens the same view (a shared link).
    again = page.context.new_page()
    again.goto(page.url)
    wait_for_app(again)
    expect(again.locator(CHIPS)).to_have_count(3)
    assert_no_exception(page)
    screenshot(page, "services-compare")


def test_a_service_chart_keeps_its_time_axis_and_its_labels_apart(page, services_app):  # noqa: ANN001
    # From the service's start: "online seit" and two status changes fall into the range.
    page.goto(f"{services_app}/services?leistung={THREE[0]}&zeitraum=Jan.+2021&zeitraum=Dez.+2023")
    wait_for_app(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    expect(chart.locator("svg text").first).to_be_visible()
    page.wait_for_timeout(500)  # Vega lays out its labels after drawing
    texts = chart.evaluate(CHART_TEXTS)
    shown = [t[0] for t in texts]
    assert "Ziel 60 % bis Dez. 2027" in shown
    assert "1" in shown and "2, 3" in shown  # the numbered marks
    # The axis ends with the figures: nothing of 2024 or later but the target's label.
    assert not [t for t in shown if re.search(r"202[4-7]", t) and not t.startswith("Ziel")]
    assert _overlapping(texts) == []
    screenshot(page, "services-detail")
    page.locator("[data-testid='stVegaLiteChart']").first.screenshot(
        path=str(Path(__file__).parent / "screenshots" / "services-detail-chart.png")
    )
    # The marks of the range, by number, in time order, in one date format.
    marks = page.locator("table.pq-table").filter(has_text="Ereignis")
    rows = marks.locator("tbody tr")
    expect(rows).to_have_count(3)
    cells = [rows.nth(i).locator("td, th").all_inner_texts() for i in range(3)]
    assert [c[0] for c in cells] == ["1", "2", "3"]
    assert [c[1] for c in cells] == ["Juni 2021", "Nov. 2021", "Nov. 2021"]
    assert cells[0][2] == "Leistung online verfügbar"
    body = page.locator("body")
    expect(body).to_contain_text("Der Zieltermin Dez. 2027 liegt nach dem gezeigten Zeitraum.")
    assert_no_exception(page)


def test_default_range_ends_at_the_complete_month_and_counts_stay_whole(page, services_app):  # noqa: ANN001
    page.goto(f"{services_app}/services?leistung={THREE[0]}")
    wait_for_app(page)
    thumbs = page.locator("[data-testid='stSlider'] [data-testid='stSliderThumbValue']")
    expect(thumbs).to_have_text(["Jan. 2022", "Dez. 2023"])  # January 2024 is not complete
    # With the incomplete January in the range, the export still has whole counts.
    page.goto(f"{services_app}/services?leistung={THREE[0]}&zeitraum=Jan.+2023&zeitraum=Jan.+2024")
    wait_for_app(page)
    expect(page.locator("body")).to_contain_text("nur ein Antragsweg gemeldet")  # the legend
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV").last.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    january = next(line for line in lines if line.startswith(f"{THREE[0]};Jan. 2024"))
    fields = january.split(";")
    assert fields[2] == "" and re.fullmatch(r"\d+", fields[3]), january
    for line in lines[1:]:  # Anträge gesamt, davon online: whole numbers or empty
        assert all(re.fullmatch(r"\d*", f) for f in line.split(";")[2:4]), line
