"""In real Chromium: the presentation on a projector. Every part of every slide of the demo
agenda fits 1280×720 and 1920×1080 without scrolling, in projector type; mode and slide stay
in the address through buttons, keys, reload and the back button; Vollbild; frozen figures
never change; open pages tell when newer figures were loaded."""

import re
from datetime import datetime, timedelta

import pytest
from browser_fixtures import assert_no_exception, screenshot, serve_app, wait_for_app
from conftest import write_xlsx
from playwright.sync_api import expect

from db import get_engine, session
from db.writes import begin_write
from ingest import load_counts
from ingest.demo import load_demo

pytestmark = pytest.mark.browser

SCREENS = [(1280, 720), (1920, 1080)]
# The demo agenda, as dashboard.slide_plan cuts it for a projector.
LABELS = ["1a", "1b", "2", "3a", "3b", "3c", "4a", "4b", "5", "6", "7a", "7b"]
KEY_FIGURE_PX, BODY_PX, BADGE_PX = 72, 24, 20

# Sizes of what a slide shows, measured in the page: every visible text with its size, the
# key figure, and whether anything scrolls or reaches below the screen.
MEASURE = """() => {
  const slide = document.querySelector('.st-key-pq-slide');
  const main = document.querySelector('.stMainBlockContainer');
  const zoom = parseFloat(getComputedStyle(main).zoom) || 1;
  const texts = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el.checkVisibility()) continue;
    if (el.closest('[data-testid="stIconMaterial"]')) continue;  // icons are glyphs, not text
    const box = el.getBoundingClientRect();
    if (box.width <= 2 || box.height <= 2) continue;  // for screen readers only (captions)
    const px = parseFloat(getComputedStyle(el).fontSize) * zoom;
    texts.push({text: node.textContent.trim().slice(0, 40), px,
                badge: !!el.closest('.stMarkdownBadge')});
  }
  const value = slide.querySelector('.st-key-pq-key-figure [data-testid="stMetricValue"]');
  const scrolling = [...document.querySelectorAll('*')].filter(e => {
    const s = getComputedStyle(e).overflowY;
    return (s === 'auto' || s === 'scroll') && e.scrollHeight > e.clientHeight + 1;
  }).map(e => e.dataset.testid || e.className);
  const bottom = Math.max(...[...document.querySelectorAll(
    '.st-key-pq-slide, .st-key-pq-nav')].map(e => e.getBoundingClientRect().bottom));
  return {texts, keyFigure: value && parseFloat(getComputedStyle(value).fontSize) * zoom,
          scrolling, bottom, height: innerHeight,
          chrome: [...document.querySelectorAll('header[data-testid="stHeader"], ' +
                   '[data-testid="stSidebar"], [data-testid="stElementToolbar"]')]
                  .filter(e => e.checkVisibility()).length};
}"""


def _where(page) -> str:  # noqa: ANN001
    return page.locator(".pq-where").inner_text()


def _settle(page) -> None:  # noqa: ANN001
    wait_for_app(page)
    expect(page.locator(".pq-where")).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.pq-chart')].every(i => i.naturalWidth > 0)"
    )


@pytest.fixture(scope="module")
def frozen_app(make_session_db_url):  # noqa: ANN001, ANN201
    """The app on a demo database of its own, the agenda frozen now: (url, engine)."""
    url = make_session_db_url("presentation")
    engine = get_engine(url)
    load_demo(engine)
    with begin_write(engine) as conn:
        session.freeze(conn)
    with serve_app(url, {"PORTALQUOTE_FRESHNESS_SECONDS": "2"}) as base:
        yield base, engine
    engine.dispose()


@pytest.mark.parametrize("width,height", SCREENS, ids=["1280x720", "1920x1080"])
def test_every_slide_fits_the_projector_in_projector_type(browser, frozen_app, width, height):  # noqa: ANN001
    base, _engine = frozen_app
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{base}/session?praesentation=1&folie=1")
    seen = []
    for label in LABELS:
        expect(page.locator(".pq-where")).to_have_text(f"Folie {label} von 7")
        _settle(page)
        assert_no_exception(page)
        page.mouse.move(width // 2, height // 2)  # a chart's toolbar would show on hover
        m = page.evaluate(MEASURE)
        assert m["chrome"] == 0, label  # no header, sidebar or chart toolbar
        assert m["scrolling"] == [] and m["bottom"] <= m["height"], (label, m["bottom"])
        small = [t for t in m["texts"] if t["px"] < (BADGE_PX if t["badge"] else BODY_PX)]
        assert len(m["texts"]) >= 5 and small == [], (label, small)
        if label == "1a":
            assert m["keyFigure"] >= KEY_FIGURE_PX
            assert any(t["badge"] for t in m["texts"]) is False
        if label == "2":
            assert any(t["badge"] for t in m["texts"])  # the status badges, >= 20 px
        seen.append(label)
        screenshot(page, f"presentation-{width}x{height}-{label}")
        if label != LABELS[-1]:
            page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("button", name="Weiter")).to_be_disabled()
    assert seen == LABELS
    context.close()


def test_mode_and_slide_stay_in_the_address(page, frozen_app):  # noqa: ANN001
    base, _engine = frozen_app
    page.goto(f"{base}/session")
    wait_for_app(page)
    page.get_by_role(
        "link", name="Präsentation starten (ohne Seitenleiste, für den Beamer)"
    ).click()
    expect(page.locator(".pq-where")).to_have_text("Folie 1a von 7")
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar).to_be_hidden()
    page.get_by_role("button", name="Weiter").click()
    expect(page.locator(".pq-where")).to_have_text("Folie 1b von 7")
    expect(page).to_have_url(re.compile(r"praesentation=1"))
    expect(page).to_have_url(re.compile(r"folie=1b"))
    steps = [("ArrowRight", "2"), ("PageDown", "3a"), ("Space", "3b"), ("PageUp", "3a"),
             ("Shift+Space", "2"), ("End", "7b"), ("ArrowLeft", "7a"), ("Home", "1a"),
             ("ArrowRight", "1b"), ("ArrowRight", "2")]  # fmt: skip
    for key, label in steps:
        _settle(page)
        page.keyboard.press(key)
        expect(page.locator(".pq-where")).to_have_text(f"Folie {label} von 7")
        expect(page).to_have_url(
            re.compile(rf"praesentation=1.*folie={label}|folie={label}.*praesentation=1")
        )
    _settle(page)
    page.reload()
    expect(page.locator(".pq-where")).to_have_text("Folie 2 von 7")
    expect(sidebar).to_be_hidden()
    page.go_back()  # the slide before, still presenting
    expect(page.locator(".pq-where")).to_have_text("Folie 1b von 7")
    expect(sidebar).to_be_hidden()
    expect(page.get_by_role("heading", name="Sitzungsmodus", level=1)).to_have_count(0)
    page.go_forward()
    expect(page.locator(".pq-where")).to_have_text("Folie 2 von 7")
    _settle(page)
    page.get_by_role("link", name="Präsentation beenden").click()
    expect(page.get_by_role("heading", name="Sitzungsmodus", level=1)).to_be_visible()
    assert_no_exception(page)


def test_vollbild_and_no_focus_frame(page, frozen_app):  # noqa: ANN001
    base, _engine = frozen_app
    page.goto(f"{base}/session?praesentation=1&folie=2")
    _settle(page)
    focused = """() => { const e = document.activeElement, s = getComputedStyle(e);
                         return [e.dataset.testid, s.outlineStyle, s.boxShadow]; }"""
    # A click on the slide focuses Streamlit's main area: no frame around it.
    page.get_by_role("heading", name=re.compile("Handlungsfeld 1")).click()
    assert page.evaluate(focused) == ["stMain", "none", "none"]
    page.get_by_role("button", name="Weiter").click()  # by mouse: no ring on the button
    expect(page.locator(".pq-where")).to_have_text("Folie 3a von 7")
    _settle(page)
    assert page.evaluate(focused) == ["stBaseButton-secondary", "none", "none"]
    page.keyboard.press("Tab")  # by keyboard: the focus ring shows where it is
    testid, outline, shadow = page.evaluate(focused)
    assert testid.startswith("stBaseButton") and (outline != "none" or shadow != "none")
    page.get_by_role("button", name="Vollbild").click()
    page.wait_for_function("() => document.fullscreenElement !== null")
    expect(page.locator(".pq-where")).to_have_text("Folie 3a von 7")
    page.get_by_role("button", name="Vollbild").click()
    page.wait_for_function("() => document.fullscreenElement === null")


def _december_load(engine, tmp_path, total: int, online: int) -> None:  # noqa: ANN001
    rows = [["Leistung", "Monat", "Anträge gesamt", "davon online"],
            ["Personenstandsurkunde", "2023-12", total, online]]  # fmt: skip
    load_counts(engine, [write_xlsx(tmp_path / "dezember.xlsx", {"Meldung": rows})], "test")


def test_frozen_slides_never_change_and_open_pages_hear_of_new_figures(
    browser, frozen_app, tmp_path
):  # noqa: ANN001
    """A department loads December during the session: the frozen slides keep their
    figures (and say 'Stand: …'); the Übersicht open elsewhere offers to reload."""
    base, engine = frozen_app
    with engine.connect() as conn:
        frozen = session.load_agenda(conn).frozen_at
    slides = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 720}).new_page()
    slides.goto(f"{base}/session?praesentation=1&folie=1a")
    _settle(slides)
    value = slides.locator(".st-key-pq-key-figure [data-testid='stMetricValue']")
    expect(value).to_have_text("36,3 %")
    expect(slides.locator("body")).to_contain_text(f"Stand: {frozen:%d.%m.%Y, %H:%M} Uhr")
    overview = browser.new_context(locale="de-DE").new_page()
    overview.goto(base)
    wait_for_app(overview)
    expect(overview.get_by_text("36,3 %").first).to_be_visible()
    notice = overview.get_by_role("button", name="Neue Zahlen verfügbar – neu laden")
    expect(notice).to_have_count(0)

    _december_load(engine, tmp_path, 900, 700)
    try:
        slides.keyboard.press("ArrowRight")
        expect(slides.locator(".pq-where")).to_have_text("Folie 1b von 7")
        _settle(slides)
        slides.keyboard.press("ArrowLeft")
        expect(slides.locator(".pq-where")).to_have_text("Folie 1a von 7")
        _settle(slides)
        expect(value).to_have_text("36,3 %")  # as frozen, after the load
        # Elsewhere, within a minute (here: the test server asks every 2 s).
        expect(notice).to_be_visible(timeout=60_000)
        notice.click()
        expect(overview.get_by_text("36,3 %")).to_have_count(0)
        expect(notice).to_have_count(0)
        # Unfrozen, the slides show the new figures: the load did change them.
        with begin_write(engine) as conn:
            session.unfreeze(conn)
        slides.reload()
        _settle(slides)
        expect(value).not_to_have_text("36,3 %")
        expect(slides.locator("body")).to_contain_text("nicht eingefroren")
    finally:
        _december_load(engine, tmp_path, 633, 263)  # the demo's figure again
        with begin_write(engine) as conn:  # after that load (its minute is after a freeze)
            session.freeze(conn, datetime.now() + timedelta(minutes=1))
