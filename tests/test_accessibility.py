"""Accessibility in real Chromium (BITV 2.0 / WCAG 2.1 AA): axe-core on every page as every
role, on the demo data and on the empty database; the page language and title on every page.

The figures of each crawl (rule, impact and node count per page) are written to
tests/screenshots/axe-<state>-<role>.json.
"""

import json
import re
import secrets
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from accounts import Login, make_accounts
from axe import describe, run_axe
from browser_fixtures import (
    SCREENSHOTS,
    assert_no_exception,
    log_in_browser,
    screenshot,
    serve_app,
    wait_for_app,
)
from conftest import CATALOG, write_xlsx
from slides import slide_count, slide_labels

from dashboard.navigation import PAGES
from db import get_engine
from db.users import create_user
from db.writes import begin_write
from ingest import load_services
from ingest.demo import load_demo

pytestmark = pytest.mark.browser

DEMO_DEPARTMENT = "FB 3 Bürgerservice, Bürgerbüro"
STANDESAMT = "FB 3 Bürgerservice, Standesamt"
# Moderate or minor violations that cannot be removed, with the reason (none at present).
ACCEPTED: dict[str, str] = {}


HEADINGS = {"accessibility.py": "Erklärung zur Barrierefreiheit"}  # where not the nav title


def _address(file: str) -> str:
    return "" if file == "overview.py" else file.removesuffix(".py")


# Every page's address with the heading its page shows (placeholders show it too).
ADDRESSES = [
    (_address(f), HEADINGS.get(f, t)) for pages in PAGES.values() for f, t, _i, _r in pages
]
# Widget options that change what a page draws, reached through the address (demo data).
VARIANTS = [
    ("", {"fachbereich": STANDESAMT}, "Übersicht"),
    ("services", {"fachbereich": STANDESAMT, "leistung": ["Personenstandsurkunde",
     "Anmeldung der Eheschließung"], "zeitraum": ["Jan. 2021", "Dez. 2023"]}, "Leistungen"),
    ("services", {"fachbereich": "FB 3 Straßenverkehr"}, "Leistungen"),
    ("measures", {"massnahme_4": "true", "massnahme_1": "true"}, "Maßnahmen"),
    ("measures", {"status": "done"}, "Maßnahmen"),
    ("coverage", {"fachbereich": STANDESAMT}, "Datenstand"),
]  # fmt: skip


def slide_variants(labels: list[str]) -> list[tuple[str, dict, str]]:
    """Every part of every slide of the agenda, presented."""
    count = slide_count(labels)
    return [("session", {"praesentation": "1", "folie": label}, f"Folie {label} von {count}")
            for label in labels]  # fmt: skip


def _query(params: dict) -> str:
    return f"?{urlencode(params, doseq=True)}" if params else ""


def shown(pg, expect: str) -> None:  # noqa: ANN001
    """Wait for the page's level-1 heading, or on a slide (which has none) its counter."""
    if expect.startswith("Folie "):
        pg.get_by_text(expect, exact=True).wait_for()
    else:
        pg.get_by_role("heading", name=expect, exact=True, level=1).wait_for()


def settled(pg) -> None:  # noqa: ANN001
    """The script has run and every chart is drawn, with its text alternative (axe checks
    what the charts draw)."""
    wait_for_app(pg)
    pg.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                  .every(c => c.querySelector('svg, canvas') && c.getAttribute('aria-label'))""",
        timeout=30_000,
    )
    pg.wait_for_timeout(300)


def go(pg, path: str, params: dict | None = None) -> None:  # noqa: ANN001
    """Open an address inside the running session (as the browser's Back and Forward do):
    a signed-in user stays signed in, unlike with a fresh page load."""
    pg.evaluate(
        """(url) => { history.pushState({}, '', url);
                      window.dispatchEvent(new PopStateEvent('popstate')); }""",
        f"/{path}{_query(params or {})}",
    )


# The text alternative of every chart, and the tables without a caption or header cells
# (Streamlit's data grid, role="grid", has column headers but no caption).
ALTERNATIVES_JS = """() => ({
  charts: [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .map(c => c.getAttribute('aria-label') || ''),
  bare_tables: [...document.querySelectorAll('[data-testid="stMain"] table:not([role="grid"])')]
    .filter(t => !t.caption?.textContent.trim() || !t.querySelector('th'))
    .map(t => t.outerHTML.slice(0, 120)),
})"""


def audit(pg, key: str, figures: dict) -> None:  # noqa: ANN001
    """axe on the page as it stands, its language, title, chart texts and tables, into
    figures."""
    settled(pg)
    assert_no_exception(pg)
    violations = run_axe(pg)
    figures[key] = {
        "violations": {
            v["id"]: {"impact": v["impact"], "nodes": len(v["nodes"])} for v in violations
        },
        "detail": describe(violations),
        "lang": pg.evaluate("() => document.documentElement.lang"),
        "title": pg.title(),
        **pg.evaluate(ALTERNATIVES_JS),
    }


def crawl(pg, base: str, login: Login | None, variants: list[tuple[str, dict, str]]) -> dict:  # noqa: ANN001
    """Every page, then the variants, as the visitor or a signed-in role."""
    figures: dict = {}
    if login is not None:
        log_in_browser(pg, base, login)
    targets = [(path, {}, title) for path, title in ADDRESSES] + variants
    for path, params, expect in targets:
        if login is None:
            pg.goto(f"{base}/{path}{_query(params)}")
        else:
            go(pg, path, params)
        shown(pg, expect)
        audit(pg, f"/{path}{_query(params)}", figures)
        if login is not None:
            assert "Angemeldet als" in pg.get_by_test_id("stSidebar").inner_text(), path
    return figures


def check(figures: dict, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    record = {k: {**v, "detail": None} for k, v in figures.items()}
    (SCREENSHOTS / f"axe-{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False))
    found = {k: v["detail"] for k, v in figures.items() if set(v["violations"]) - set(ACCEPTED)}
    assert not found, "\n".join(f"{k}:\n{d}" for k, d in found.items())
    assert {v["lang"] for v in figures.values()} == {"de"}
    assert not {k: v["bare_tables"] for k, v in figures.items() if v["bare_tables"]}
    # Every chart says its figures (a chart is only drawn where there are some).
    unsaid = {k: v["charts"] for k, v in figures.items()
              if not all(re.search(r"\d", c) for c in v["charts"])}  # fmt: skip
    assert not unsaid, unsaid
    titles = {k: v["title"] for k, v in figures.items()}
    assert all(t.endswith(" – Portalquote") and len(t) > 14 for t in titles.values()), titles


@pytest.fixture(scope="module")
def demo_app(make_session_db_url) -> Iterator[tuple[str, dict]]:  # noqa: ANN001
    url = make_session_db_url("a11y_demo")
    engine = get_engine(url)
    load_demo(engine)
    logins = make_accounts(engine, DEMO_DEPARTMENT)
    with engine.connect() as conn:
        logins["slides"] = slide_labels(conn)
    engine.dispose()
    with serve_app(url) as base:
        yield base, logins


@pytest.fixture(scope="module")
def empty_app(make_session_db_url) -> Iterator[tuple[str, dict]]:  # noqa: ANN001
    """Nothing loaded at all, only an admin and a viewer account (a department account
    needs a department, which comes with the catalog: see catalog_app)."""
    url = make_session_db_url("a11y_empty")
    engine = get_engine(url)
    logins = {}
    with begin_write(engine) as conn:
        for role in ("admin", "viewer"):
            password = secrets.token_urlsafe(16)
            logins[role] = Login(create_user(conn, f"a11y-{role}", password, role), password)
    engine.dispose()
    with serve_app(url) as base:
        yield base, logins


@pytest.fixture(scope="module")
def catalog_app(make_session_db_url, tmp_path_factory) -> Iterator[tuple[str, dict]]:  # noqa: ANN001
    """Only the service catalog: the emptiest database a department head can sign in to."""
    url = make_session_db_url("a11y_catalog")
    engine = get_engine(url)
    path = tmp_path_factory.mktemp("a11y") / "katalog.xlsx"
    load_services(engine, write_xlsx(path, {"Katalog": CATALOG}), "test")
    logins = make_accounts(engine)
    engine.dispose()
    with serve_app(url) as base:
        yield base, logins


@pytest.mark.parametrize(
    ("state", "role"),
    [
        ("demo", "visitor"),
        ("demo", "viewer"),
        ("demo", "department"),
        ("demo", "admin"),
        ("empty", "visitor"),
        ("empty", "viewer"),
        ("empty", "admin"),
        ("catalog", "department"),
    ],
)
def test_axe_finds_nothing_on_any_page(page, request, state, role):
    base, logins = request.getfixturevalue(f"{state}_app")
    login = None if role == "visitor" else logins[role]
    variants = VARIANTS + slide_variants(logins["slides"]) if state == "demo" else []
    figures = crawl(page, base, login, variants if role == "visitor" else [])
    check(figures, f"{state}-{role}")


def test_axe_finds_nothing_where_a_login_is_required(page, make_session_db_url):
    """PORTALQUOTE_REQUIRE_LOGIN=1: the login page, the public statement, and what every
    other address shows before the login."""
    url = make_session_db_url("a11y_login")
    get_engine(url).dispose()
    with serve_app(url, env={"PORTALQUOTE_REQUIRE_LOGIN": "1"}) as base:
        figures: dict = {}
        # The first address is the login page itself (its heading: the app's name).
        for path, title in [("", "Portalquote"), *ADDRESSES[1:]]:
            page.goto(f"{base}/{path}")
            shown(page, title)
            audit(page, f"/{path}", figures)
        check(figures, "login-visitor")


# Records every value the page language takes, from before the first script of the page on.
WATCH_LANG = """
window.__langs = [];
new MutationObserver(() => window.__langs.push(document.documentElement.lang))
  .observe(document, {attributes: true, subtree: true, attributeFilter: ["lang"]});
document.addEventListener("DOMContentLoaded",
  () => window.__langs.push(document.documentElement.lang));
"""


def test_page_language_is_german_from_the_first_paint_on(page, demo_app):
    """The page shell says lang="de" before the app has rendered anything (Streamlit's
    scripts blocked), and nothing sets it back while the app renders and navigates."""
    base, _logins = demo_app
    page.route("**/static/js/**", lambda route: route.abort())
    for path, _title in ADDRESSES:
        page.goto(f"{base}/{path}")
        assert page.evaluate("() => document.documentElement.lang") == "de", path
    assert page.get_by_test_id("stApp").count() == 0  # the shell only: no app rendered
    page.unroute("**/static/js/**")

    page.add_init_script(WATCH_LANG)
    page.goto(base)
    links = [(t, HEADINGS.get(f, t)) for pages in PAGES.values()
             for f, t, _i, roles in pages if "viewer" in roles]  # fmt: skip
    for link, heading in links:
        page.get_by_test_id("stSidebar").get_by_role("link", name=link, exact=True).click()
        shown(page, heading)
        settled(page)
    langs = page.evaluate("() => window.__langs")
    assert langs and set(langs) == {"de"}, langs
    assert page.evaluate("() => document.documentElement.lang") == "de"


# Text that sticks out of the window or is cut off inside its box, outside the parts that
# may scroll sideways (data tables, the data grid, charts: WCAG 1.4.10's two-dimensional
# content).
LOST_JS = """() => {
  const scrolls = e => e.closest('.pq-scroll, [data-testid="stDataFrame"], ' +
                                 '[data-testid="stVegaLiteChart"], [role="tablist"]');
  const lost = [];
  for (const e of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (scrolls(e) || !e.checkVisibility() || !e.textContent.trim()) continue;
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    const cut = e.clientWidth && e.scrollWidth > e.clientWidth + 1
      && !['visible', 'auto', 'scroll'].includes(s.overflowX);
    if ((e.children.length === 0 && r.right > innerWidth + 1) || cut)
      lost.push(`${e.tagName} „${e.textContent.trim().slice(0, 50)}“`);
  }
  const main = document.querySelector('[data-testid="stMain"]');
  return {lost, page: document.documentElement.scrollWidth - innerWidth,
          main: main.scrollWidth - main.clientWidth};
}"""
VIEWER_ADDRESSES = [
    (_address(f), HEADINGS.get(f, t))
    for pages in PAGES.values()
    for f, t, _i, roles in pages
    if "viewer" in roles
]


@pytest.mark.parametrize(
    ("width", "height", "scale", "name"),
    [(320, 640, 1, "320px"), (640, 360, 2, "zoom200")],  # 1280 × 720 at 200 %
)
def test_viewer_pages_reflow_at_320_px_and_200_percent(
    browser, demo_app, width, height, scale, name
):
    """WCAG 1.4.4 and 1.4.10: nothing cut off, no sideways scrolling of the page (tables and
    charts scroll inside their own box); axe-core at this size too. Screenshots (the top of
    each page and two screens further down) in tests/screenshots/reflow-*.png."""
    base, _logins = demo_app
    context = browser.new_context(
        locale="de-DE", viewport={"width": width, "height": height}, device_scale_factor=scale
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    figures: dict = {}
    for path, heading in VIEWER_ADDRESSES:
        page.goto(f"{base}/{path}")
        shown(page, heading)
        audit(page, f"/{path}", figures)
        state = page.evaluate(LOST_JS)
        assert state["page"] <= 0 and state["main"] <= 0, (path, state)
        assert not state["lost"], (path, state["lost"])
        for screen in range(3):
            page.evaluate(
                "(y) => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, y)",
                screen * (height - 40),
            )
            page.wait_for_timeout(300)
            screenshot(page, f"reflow-{name}-{path or 'overview'}-{screen}")
    context.close()
    check(figures, f"reflow-{name}")
