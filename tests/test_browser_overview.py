"""What a person sees on the overview page in a real browser."""

import re

import pytest
from browser_fixtures import assert_no_exception, screenshot, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_overview_in_chromium(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_text("Letzter vollständiger Monat").wait_for()
    assert_no_exception(page)
    expect(page.locator("body")).to_contain_text("Dezember 2023")
    expect(page.locator("table").first).to_contain_text(re.compile(r"\d+,\d %"))
    screenshot(page, "overview")
