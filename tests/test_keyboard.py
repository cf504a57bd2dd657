"""Every main task with the keyboard alone, in real Chromium: log in, choose department and
service, change the range, download a table, upload a file and confirm, present the slides.

At every key press the focused element must show the focus (an outline of at least 2 px,
not covered by anything), and Tab must move through the page in the order of the page.
"""

import re
from collections.abc import Iterator

import pytest
from accounts import make_accounts
from browser_fixtures import assert_no_exception, screenshot, serve_app, wait_for_app
from conftest import write_xlsx
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from slides import slide_count, slide_labels
from sqlalchemy import func, select

from db import get_engine
from db.models import MonthlyCount
from ingest.demo import load_demo

pytestmark = pytest.mark.browser

DEPARTMENT = "FB 3 Bürgerservice, Bürgerbüro"
MAX_TABS = 250  # more focus stops than any page has: beyond this, focus is trapped
SKIP_LINK = "Zum Inhalt springen"  # Streamlit's (dashboard/ui_german.py), the first stop

# What the focused element is, whether its focus shows, and where it is in the page.
FOCUS_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  // The outline: on the element or on the box that holds it (a text field's frame, a
  // checkbox's label, the drop zone around a hidden file input): that box must be seen.
  let shown = null;
  for (let n = e, i = 0; n && n !== document.body && i < 4; n = n.parentElement, i++) {
    const s = getComputedStyle(n);
    if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) { shown = n; break; }
  }
  let indicator = shown !== null;
  shown = shown || e;
  // Streamlit's data grid draws its focus on a canvas, as the selected cell; assistive
  // technology learns it from aria-selected on the grid's cells.
  const grid = e.closest('[data-testid="stDataFrame"]');
  if (grid && !e.closest('[data-testid="stElementToolbar"]')) {
    shown = grid;
    indicator = !!grid.querySelector('[role="gridcell"][aria-selected="true"]');
  }
  let transparent = false;
  for (let n = shown; n; n = n.parentElement) {
    if (parseFloat(getComputedStyle(n).opacity) === 0) transparent = true;
  }
  const r = shown.getBoundingClientRect();
  // Covered: at none of five points inside it is the box (or what holds it) on top.
  const points = [[.5, .5], [.25, .5], [.75, .5], [.5, .25], [.5, .75]].map(([fx, fy]) => [
    Math.min(Math.max(r.left + r.width * fx, 0), innerWidth - 1),
    Math.min(Math.max(r.top + r.height * fy, 0), innerHeight - 1)]);
  const covered = !points.some(([x, y]) => {
    const hit = document.elementFromPoint(x, y);
    return hit && (shown.contains(hit) || hit.contains(shown));
  });
  // Where it is against the element focused before it (both kept on window).
  if (e !== window.__pqLast) { window.__pqBefore = window.__pqLast; window.__pqLast = e; }
  const prev = window.__pqBefore;
  const follows = !prev || !prev.isConnected
    || !!(prev.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
  if (!window.__pqFirst || !window.__pqFirst.isConnected) window.__pqFirst = e;
  const text = e.cloneNode(true);  // without what screen readers skip (icons' ligature names)
  text.querySelectorAll('[aria-hidden="true"]').forEach(i => i.remove());
  return {
    tag: e.tagName,
    name: (e.getAttribute('aria-label') || e.labels?.[0]?.textContent || text.textContent
           || e.value || '').trim().slice(0, 80),
    role: e.getAttribute('role') || '', indicator, transparent, covered,
    inView: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
    size: r.width * r.height, follows, first: e === window.__pqFirst,
  };
}"""


def problems(info: dict) -> list[str]:
    """Why a person would not see where the focus is (empty: they do)."""
    return [
        text
        for bad, text in (
            (not info["indicator"], "no focus outline"),
            (info["transparent"], "inside an invisible element"),
            (info["covered"], "covered by another element"),
            (not info["inView"], "outside the window"),
            (info["size"] == 0, "no size"),
        )
        if bad
    ]


def focus(pg) -> dict | None:  # noqa: ANN001
    """The focused element once scrolling and opening animations are over (a second)."""
    info = pg.evaluate(FOCUS_JS)
    for _ in range(4):
        if info is None or not problems(info):
            break
        pg.wait_for_timeout(250)
        info = pg.evaluate(FOCUS_JS)
    return info


def assert_shown(info: dict | None, where: str) -> None:
    """The focus is on an element, and a person sees where."""
    assert info is not None, f"{where}: focus lost (on the page body)"
    found = problems(info)
    assert not found, f"{where}: {info['tag']} „{info['name']}“: {', '.join(found)}"


def press(pg, key: str) -> dict | None:  # noqa: ANN001
    pg.keyboard.press(key)
    return focus(pg)


def tab_to(pg, name: str, *, role: str | None = None, back: bool = False) -> dict:  # noqa: ANN001
    """Tab (or Shift+Tab) until the element named `name` has the focus; every element on
    the way must show its focus."""
    seen = []
    for _ in range(MAX_TABS):
        info = press(pg, "Shift+Tab" if back else "Tab")
        if info is None:  # the address bar, between the end of the page and its start
            continue
        seen.append(info["name"])
        assert_shown(info, f"on the way to „{name}“")
        # A button's name may end in its keyboard shortcut ("Weiter→").
        if info["name"].startswith(name) and (role is None or info["role"] == role):
            return info
    raise AssertionError(f"„{name}“ not reached with the Tab key; passed: {seen[:40]}")


def walk(pg) -> list[dict]:  # noqa: ANN001
    """Tab from where the focus is through the whole page, past its end (the browser's own
    controls) and round to the start, until focus is back where it began; each stop must
    show its focus and come later in the page than the one before."""
    pg.evaluate("() => { window.__pqFirst = window.__pqLast = window.__pqBefore = null; }")
    first = press(pg, "Tab")
    assert_shown(first, "first Tab")
    stops, wrapped = [first], False
    for _ in range(MAX_TABS):
        info = press(pg, "Tab")
        if info is None:  # the browser's own controls, after the end of the page
            wrapped = True
            continue
        if info["first"]:
            return stops  # round trip: no trap, every stop reached
        assert_shown(info, f"after „{stops[-1]['name']}“")
        if not info["follows"] and info["name"] == SKIP_LINK:
            wrapped = True  # from the end straight to the top (Chromium may skip its own UI)
        if wrapped:  # focus left the page only at its end: it comes back at the top
            assert info["name"] == SKIP_LINK, f"focus lost after „{stops[-1]['name']}“"
        else:
            assert info["follows"], (
                f"Tab goes back in the page: „{stops[-1]['name']}“ → „{info['name']}“"
            )
        stops.append(info)
        wrapped = False
    raise AssertionError(f"focus trapped: {MAX_TABS} Tabs without returning to the start")


@pytest.fixture(scope="module")
def keyboard_app(make_session_db_url) -> Iterator[tuple[str, object, dict]]:  # noqa: ANN001
    url = make_session_db_url("keyboard")
    engine = get_engine(url)
    load_demo(engine)
    logins = make_accounts(engine, DEPARTMENT)
    with serve_app(url) as base:
        yield base, engine, logins
    engine.dispose()


def open_by_keyboard(pg, title: str) -> None:  # noqa: ANN001
    """Follow the sidebar link to a page with Tab and Enter."""
    tab_to(pg, title)
    pg.keyboard.press("Enter")
    pg.get_by_role("heading", name=title, level=1).wait_for()
    wait_for_app(pg)


def load(pg, url: str) -> None:  # noqa: ANN001
    """Open an address and wait until the page and its navigation are there."""
    pg.goto(url)
    pg.get_by_role("heading", level=1).first.wait_for()
    pg.get_by_test_id("stPageLink").first.wait_for()
    wait_for_app(pg)


def log_in_by_keyboard(pg, base: str, login) -> None:  # noqa: ANN001
    load(pg, base)
    tab_to(pg, "Anmelden")  # the expander in the sidebar
    pg.keyboard.press("Enter")
    tab_to(pg, "Benutzername")
    pg.keyboard.type(login.username)
    assert_shown(press(pg, "Tab"), "password field")
    pg.keyboard.type(login.password)
    pg.keyboard.press("Enter")  # submits the form
    pg.get_by_text("Angemeldet als").wait_for()
    wait_for_app(pg)


@pytest.mark.parametrize("path", ["", "services", "measures", "coverage", "targets", "session"])
def test_tab_goes_through_every_viewer_page_in_order_and_out_again(page, keyboard_app, path):
    base, _engine, _logins = keyboard_app
    load(page, f"{base}/{path}")
    stops = walk(page)
    names = [s["name"] for s in stops]
    assert "Übersicht" in names and "Barrierefreiheit" in names  # the navigation
    assert (
        page.locator("[tabindex]").evaluate_all("els => els.filter(e => e.tabIndex > 0).length")
        == 0
    )  # no element forces its own place in the order
    assert_no_exception(page)


def test_log_in_by_keyboard(page, keyboard_app):
    base, _engine, logins = keyboard_app
    log_in_by_keyboard(page, base, logins["viewer"])
    assert "Test viewer" in page.get_by_test_id("stSidebar").inner_text()


def test_department_service_range_and_download_by_keyboard(page, keyboard_app, tmp_path):
    base, _engine, _logins = keyboard_app
    load(page, base)
    open_by_keyboard(page, "Leistungen")
    tab_to(page, "Fachbereich", role="combobox")
    page.keyboard.type("Standesamt")
    page.keyboard.press("Enter")
    wait_for_app(page)
    assert "Standesamt" in page.get_by_role("combobox", name="Fachbereich").input_value()
    # A new department starts with its first service; add a second one.
    tab_to(page, "Leistungen", role="combobox")
    page.keyboard.type("Personenstand")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app(page)
    page.get_by_role("tab", name="Personenstandsurkunde").wait_for()
    assert page.get_by_role("tab", name="Anmeldung der Eheschließung").count() == 1
    # The range: the first handle to the first month, the second one month back.
    tab_to(page, "Zeitraum — start")
    page.keyboard.press("Home")
    assert_shown(press(page, "Tab"), "end of the range")
    page.keyboard.press("ArrowLeft")
    # The default range ends with the latest complete month (Dez. 2023), one back: Nov. 2023.
    expect(page).to_have_url(re.compile(r"zeitraum=Jan\.\+2021&zeitraum=Nov\.\+2023"))
    page.get_by_text("Onlinequote im Vergleich, Jan. 2021 bis Nov. 2023").wait_for()
    wait_for_app(page)
    tab_to(page, "CSV")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert "Personenstandsurkunde" in text
    assert text.splitlines()[1].startswith("Jan. 2021;") and "Dez. 2023" not in text
    screenshot(page, "keyboard_services")


def test_upload_and_confirm_by_keyboard(page, keyboard_app, tmp_path):
    base, engine, logins = keyboard_app
    path = write_xlsx(tmp_path / "meldung.xlsx", {"Meldung": [
        ["Leistung", "Monat", "Anträge gesamt", "davon online"],
        ["Meldebescheinigung", "02/2024", 250, 60]]})  # fmt: skip
    with engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(MonthlyCount))
    log_in_by_keyboard(page, base, logins["department"])
    open_by_keyboard(page, "Daten hochladen")
    tab_to(page, "Datei auswählen")  # the file uploader's button opens the file dialog
    for attempt in range(3):  # a rerun of the page under load may swallow the key press
        try:
            with page.expect_file_chooser(timeout=15_000) as chooser:
                page.keyboard.press("Space")
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            assert focus(page)["name"].startswith("Datei auswählen")
    chooser.value.set_files(str(path))
    page.get_by_role("heading", name="Vorschau").wait_for()
    wait_for_app(page)
    tab_to(page, "Jetzt laden (1 Datei)")
    page.keyboard.press("Enter")
    page.get_by_text("Gespeichert.").wait_for()
    wait_for_app(page)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(MonthlyCount)) == before + 2
    assert_no_exception(page)
    screenshot(page, "keyboard_upload")


def test_presentation_by_keyboard(page, keyboard_app):
    base, engine, _logins = keyboard_app
    with engine.connect() as conn:
        labels = slide_labels(conn)
    count = slide_count(labels)

    def at(label: str) -> None:
        page.get_by_text(f"Folie {label} von {count}", exact=True).wait_for()
        wait_for_app(page)

    load(page, f"{base}/session")
    tab_to(page, "Präsentation starten (ohne Seitenleiste, für den Beamer)")
    page.keyboard.press("Enter")
    at(labels[0])
    tab_to(page, "Weiter")
    page.keyboard.press("Enter")
    at(labels[1])
    page.keyboard.press("ArrowRight")  # the presenter's clicker sends arrow keys
    at(labels[2])
    page.keyboard.press("ArrowLeft")
    at(labels[1])
    tab_to(page, "Präsentation beenden")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Sitzungsmodus", level=1).wait_for()
    assert_no_exception(page)


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("department", ["Daten hochladen", "Ladeprotokoll"]),
        ("admin", ["Sachstandsbericht", "Strategie bearbeiten", "Benutzer", "Sitzungsmodus"]),
    ],
)
def test_tab_goes_through_the_pages_that_write_in_order_and_out_again(
    page, keyboard_app, role, titles
):
    base, _engine, logins = keyboard_app
    log_in_by_keyboard(page, base, logins[role])
    for title in titles:
        open_by_keyboard(page, title)
        names = [s["name"] for s in walk(page)]
        assert "Abmelden" in names, title
        assert_no_exception(page)
