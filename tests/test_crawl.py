"""Every page as each role, every option of every choice widget, on every kind of database.

The databases are the states a town's database will be in (tests/db_builders.py). A run
passes when no page ends in an exception, no page prints a missing value as "nan" or
"None", and a page without figures says in German what to load.
"""

import re
import time
from collections.abc import Iterator

import pytest
from accounts import make_accounts
from app_helpers import new_app, shown, signed_in
from db_builders import STATES
from slides import slide_labels
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from dashboard.navigation import PAGES
from db import get_engine

# Pages and widgets, not the database: the PostgreSQL pass of make test leaves it out.
pytestmark = pytest.mark.crawl
ROLES = ("viewer", "department", "admin")
CHOICE_KINDS = ("selectbox", "multiselect", "radio", "select_slider", "button_group")
# A page's choice widgets are tried one after the other; options of widgets that depend on
# another one (the services of a department) are tried under each of its options. The cap
# keeps one page from taking minutes on a database with many services.
MAX_RUNS_PER_PAGE = 120
MISSING_VALUE = re.compile(r"(?<![\w-])(nan|NaN|None|NaT|<NA>)(?![\w-])")
# What a page without figures says: it names what to load or that nothing is there yet.
EMPTY_HINTS = ("python -m ingest", "noch keine", "Noch keine", "noch kein", "Keine ")


@pytest.fixture(scope="module", params=list(STATES))
def state(request, make_session_db_url) -> Iterator[tuple[str, str, dict]]:  # noqa: ANN001
    """(name, database URL, logins) of one database state, built once for the module."""
    name = request.param
    url = make_session_db_url(f"crawl_{name}")
    engine = get_engine(url)
    department = STATES[name](engine)
    logins = make_accounts(engine, department)
    with engine.connect() as conn:
        labels = slide_labels(conn)
    engine.dispose()
    yield name, url, {**logins, "slides": labels}


def pages_of(role: str) -> list[str]:
    return [file for pages in PAGES.values() for file, _t, _i, roles in pages if role in roles]


def _texts(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title",
                 "header", "subheader"):  # fmt: skip
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.get("metric")]
    parts += [h.proto.body for h in at.get("html")]
    return shown("\n".join(parts))


def _check(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: {at.exception[0].value}"
    text = _texts(at)
    assert not MISSING_VALUE.search(text), f"{where}: {MISSING_VALUE.search(text)[0]!r} shown"
    assert "Traceback" not in text, where


def _choices(at: AppTest) -> list:
    """The choice widgets of the main area and of forms (not the sidebar's login)."""
    found = []
    for kind in CHOICE_KINDS:
        found += [w for w in at.main.get(kind) if not w.disabled]
    return found


def _option_sets(widget) -> list[str | list[str]]:  # noqa: ANN001
    """Labels to try: each option; for several at once also none and as many as allowed;
    for a range both ends at the start, both at the end and the whole range."""
    options = list(widget.options)
    if widget.type == "multiselect":
        most = options[: widget.max_selections or len(options)]
        return [[], *([o] for o in options), most]
    if widget.type == "select_slider" and isinstance(widget.value, list | tuple):
        first, last = options[0], options[-1]
        return [[first, first], [last, last], [first, last]]
    if widget.type == "button_group":
        return [[o] for o in options]
    return options


def choose(widget, labels: str | list[str]) -> None:  # noqa: ANN001
    """Set a choice widget by option label(s), the way the browser sends a choice."""
    state = WidgetState()
    state.id = widget.id
    if isinstance(labels, list):
        state.string_array_value.data[:] = labels
    else:
        state.string_value = labels
    widget.__class__ = type(
        f"Chosen{type(widget).__name__}",
        (type(widget),),
        {"_widget_state": property(lambda _self: state)},
    )


class Crawl:
    """One session on one page: open it, then try the options of its choice widgets."""

    def __init__(self, url: str, monkeypatch, account_id: int, page: str, params: dict):  # noqa: ANN001
        self.url, self.monkeypatch, self.account_id = url, monkeypatch, account_id
        self.page, self.params, self.runs = page, params, 0

    def open(self) -> AppTest:
        at = signed_in(new_app(self.url, self.monkeypatch), self.url, self.account_id)
        at.switch_page(f"dashboard/pages/{self.page}")
        for key, value in self.params.items():
            at.query_params[key] = value
        return self.run(at, "geöffnet")

    def run(self, at: AppTest, what: str) -> AppTest:
        at.run()
        self.runs += 1
        _check(at, f"{self.page} {self.params} {what}")
        return at

    def try_widget(self, at: AppTest, index: int, depth: int) -> AppTest:
        widgets = _choices(at)
        if index >= len(widgets):
            return at
        before = {w.id: list(w.options) for w in widgets}
        for labels in _option_sets(widgets[index]):
            if self.runs >= MAX_RUNS_PER_PAGE:
                return at
            current = _choices(at)
            if index >= len(current):
                break
            label = current[index].label
            choose(current[index], labels)
            at = self.run(at, f"{label} = {labels}")
            if depth == 0:
                # Widgets whose options follow this choice: each of their options too.
                for j, w in enumerate(_choices(at)):
                    if j != index and before.get(w.id) not in (None, list(w.options)):
                        at = self.try_widget(at, j, depth + 1)
        return at

    def crawl(self, widgets: bool = True) -> int:
        at = self.open()
        for index in range(len(_choices(at)) if widgets else 0):
            at = self.try_widget(at, index, 0)
        return self.runs


def _page_params(page: str, labels: list[str]) -> list[dict]:
    if page == "session.py":  # every part of every slide, and the presentation view once
        return [{"folie": label} for label in labels] + [{"praesentation": "1", "folie": "1"}]
    return [{}]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_with_every_option(state, role, monkeypatch):
    name, url, logins = state
    if role not in logins:
        pytest.skip("no department in this database: no department account")
    account_id = logins[role].account.id
    started, per_page = time.perf_counter(), {}
    for page in pages_of(role):
        for n, params in enumerate(_page_params(page, logins["slides"])):
            # Every slide is opened; the widgets (the same on each) are tried on the first.
            crawl = Crawl(url, monkeypatch, account_id, page, params)
            per_page[page] = per_page.get(page, 0) + crawl.crawl(widgets=n == 0)
    runs = sum(per_page.values())
    print(f"\ncrawl {name}/{role}: {runs} page runs in {time.perf_counter() - started:.0f} s",
          per_page)  # fmt: skip


@pytest.mark.parametrize("page", pages_of("admin"))
def test_pages_without_figures_say_what_to_load(page, make_session_db_url, monkeypatch):
    url = make_session_db_url("crawl_empty_texts")
    engine = get_engine(url)
    admin = make_accounts(engine, None)["admin"].account
    engine.dispose()
    at = Crawl(url, monkeypatch, admin.id, page, {}).open()
    text = _texts(at)
    if page in ("upload.py", "loads.py", "users.py", "strategy.py", "accessibility.py"):
        return  # pages to load and edit with (their forms are the empty state), the statement
    assert any(hint in text for hint in EMPTY_HINTS), f"{page}: {text[:400]}"
