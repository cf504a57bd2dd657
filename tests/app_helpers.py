"""AppTest helpers: the real app.py against a test database, logged in as a test account."""

import re
from pathlib import Path

import lxml.html
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import auth

PROJECT = Path(__file__).resolve().parent.parent
READING = ["Übersicht", "Leistungen", "Maßnahmen", "Datenstand", "Ziele", "Sitzungsmodus"]
HELP = ["Barrierefreiheit"]  # public, also where a login is required
VIEWER_PAGES = [*READING, *HELP]
DEPARTMENT_PAGES = [*READING, "Daten hochladen", "Ladeprotokoll", *HELP]
ADMIN_PAGES = [*READING, "Sachstandsbericht", "Daten hochladen", "Ladeprotokoll",
               "Strategie bearbeiten", "Benutzer", *HELP]  # fmt: skip


def new_app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A fresh AppTest of app.py on db_url, with caches and the login throttle reset."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(auth, "FAIL_DELAY_SECONDS", 0.0)
    monkeypatch.setattr(auth, "ADDRESS_DELAY_SECONDS", 0.0)
    st.cache_data.clear()
    auth._throttle.clear()
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.context = {"locale": "de-DE"}
    return at


def page_names(at: AppTest) -> list[str]:
    """The page scripts the last run's navigation offers (what this user can reach).

    Pages the user may not use are registered only as hidden placeholders (functions, no
    script path) that ask for a login.
    """
    return [p["page_name"] for p in at._registered_pages.values() if p["script_path"]]


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    """Fill in the login form (sidebar, or the login page when a login is required)."""
    inputs = at.sidebar.text_input if len(at.sidebar.text_input) else at.main.text_input
    inputs[0].input(username)
    inputs[1].input(password)
    buttons = at.sidebar.button if len(at.sidebar.button) else at.main.button
    next(b for b in buttons if b.label == "Anmelden").click()
    return at.run()


def open_page(at: AppTest, file: str) -> AppTest:
    return at.switch_page(f"dashboard/pages/{file}").run()


def texts(at: AppTest) -> str:
    """All messages, markdown and captions of the last run as one text, for assertions.

    Markdown escapes are removed: this is the text a person reads.
    """
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title"):
        parts += [str(e.value) for e in at.get(kind)]
    return shown("\n".join(parts))


def shown(markdown: str) -> str:
    """Markdown source without backslash escapes: the text a person reads."""
    return re.sub(r"\\(.)", r"\1", markdown)


def table(at: AppTest, index: int = 0) -> pd.DataFrame:
    """The index-th table of the page (HTML tables, see dashboard.tables.html_table) as the
    text a person reads, cell by cell (the caption in .attrs["caption"])."""
    bodies = [h.proto.body for h in at.get("html") if "<table" in h.proto.body]
    doc = lxml.html.fromstring(bodies[index])
    head = [th.text_content() for th in doc.iter("th") if th.get("scope") == "col"]
    rows = [[c.text_content() for c in tr.iter("td", "th")] for tr in doc.find(".//tbody")]
    out = pd.DataFrame(rows, columns=head)
    out.attrs["caption"] = "".join(c.text_content() for c in doc.iter("caption"))
    return out
