"""What a person sees on the overview page in a real browser."""

import re

import pytest
from browser_fixtures import assert_no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_overview_in_chromium(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_text("Letzter vollständiger Monat").wait_for()
    assert_no_exception(page)
    assert "Dezember 2023" in page.inner_text("body")
    page.locator("table").first.wait_for()
    assert re.search(r"\d+,\d %", page.inner_text("table"))
    screenshot(page, "overview")
