"""AppTest helpers: the real app.py against a test database, logged in as a test account."""

import os
import re
import time
from pathlib import Path

import lxml.html
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import auth, login_routes
from db import get_engine, logins
from db.settings import session_max_age
from db.writes import begin_write

PROJECT = Path(__file__).resolve().parent.parent
VIEWER_PAGES = ["Übersicht", "Leistungen", "Maßnahmen", "Datenstand", "Ziele", "Sitzungsmodus"]
DEPARTMENT_PAGES = [*VIEWER_PAGES, "Daten hochladen", "Ladeprotokoll"]
ADMIN_PAGES = [*VIEWER_PAGES, "Sachstandsbericht", "Daten hochladen", "Ladeprotokoll",
               "Strategie bearbeiten", "Benutzer"]  # fmt: skip


# AppTest has no browser and so no cookies: its session state stands in for the login
# cookie (the real cookie is set and read in the browser tests and tests/test_login_http.py).
TOKEN_KEY = "_test_login_cookie"


def browser_cookie() -> str | None:
    return st.session_state.get(TOKEN_KEY)


def new_app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A fresh AppTest of app.py on db_url, with caches reset."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(auth, "session_token", browser_cookie)
    st.cache_data.clear()
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.context = {"locale": "de-DE"}
    return at


def sign_in(at: AppTest, db_url: str, username: str, password: str) -> str | None:
    """Log in as the login route does (throttle, password check, new session) and give the
    AppTest the session's cookie; None on success, else the German message."""
    engine = get_engine(db_url)
    try:
        while (result := login_routes.attempt(engine, username, password, "127.0.0.1")).wait:
            time.sleep(result.wait)  # the throttle spaces checks after a failure
    finally:
        engine.dispose()
    if result.token:
        at.session_state[TOKEN_KEY] = result.token
    return result.message


def signed_in(at: AppTest, db_url: str, account_id: int) -> AppTest:
    """Give the AppTest a login session of this account, as a login would (no password:
    for tests that only need to be someone)."""
    engine = get_engine(db_url)
    try:
        with begin_write(engine) as conn:
            at.session_state[TOKEN_KEY] = logins.start(conn, account_id, session_max_age())
    finally:
        engine.dispose()
    return at


def open_with(
    url: str, monkeypatch: pytest.MonkeyPatch, page: str, account_id: int | None = None, **params
) -> AppTest:
    """A fresh session (signed in as account_id, if given) that opens the page's address
    with these query parameters; it must not end in an exception."""
    at = new_app(url, monkeypatch)
    if account_id is not None:
        signed_in(at, url, account_id)
    at.switch_page(f"dashboard/pages/{page}")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def page_names(at: AppTest) -> list[str]:
    """The page scripts the last run's navigation offers (what this user can reach).

    Pages the user may not use are registered only as hidden placeholders (functions, no
    script path) that ask for a login.
    """
    return [p["page_name"] for p in at._registered_pages.values() if p["script_path"]]


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    """Sign in (see sign_in) on the database the app runs on, then run the app."""
    message = sign_in(at, os.environ["DATABASE_URL"], username, password)
    assert message is None, message
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
    """Markdown source without backslash escapes and invisible word joiners (see
    dashboard.escape): the text a person reads."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def html_table(at: AppTest, index: int = 0) -> pd.DataFrame:
    """The index-th table of the page (HTML tables, see dashboard.tables.html_table) as the
    text a person reads, cell by cell."""
    bodies = [h.proto.body for h in at.get("html") if "<table" in h.proto.body]
    doc = lxml.html.fromstring(bodies[index])
    head = [th.text_content() for th in doc.iter("th")]
    rows = [[td.text_content() for td in tr.iter("td")] for tr in doc.iter("tr")]
    return pd.DataFrame([r for r in rows if r], columns=head)
