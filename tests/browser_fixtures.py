"""Browser fixtures: the real app served by `streamlit run`, driven by Debian's Chromium."""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from net import free_port

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT / "tests" / "screenshots"
STARTUP_SECONDS = 60
# Playwright's waiting assertions (expect) wait this long: the machine is shared and a page
# may take a while to render under load.
EXPECT_TIMEOUT_MS = 60_000


def streamlit_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", "dashboard/server.py",
            "--server.headless=true", "--server.address=127.0.0.1", f"--server.port={port}",
            "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]  # fmt: skip


@contextmanager
def serve_app(
    db_url: str,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    command: Callable[[int], list[str]] = streamlit_command,
) -> Iterator[str]:
    """Serve the app (`streamlit run dashboard/server.py`, or command(port)) on a free port
    against db_url; its output (also the log lines of dashboard/server.py) goes to log."""
    port = free_port()
    environ = {**os.environ, "DATABASE_URL": db_url, **(env or {})}
    own_log = log is None  # a file, not a pipe: nobody reads a pipe, and a full one blocks
    if own_log:
        handle, name = tempfile.mkstemp(prefix="portalquote-app-", suffix=".log")
        os.close(handle)
        log = Path(name)
    out = open(log, "wb")  # noqa: SIM115
    proc = subprocess.Popen(command(port), cwd=PROJECT, env=environ, stdout=out,
                            stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                text = log.read_text(errors="replace")
                raise RuntimeError(f"streamlit did not start:\n{text[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        stop(proc)
        out.close()
        if own_log:
            log.unlink(missing_ok=True)


def stop(proc: subprocess.Popen) -> None:
    """End a server the test started: politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def demo_db_url(make_session_db_url) -> str:  # noqa: ANN001
    """A database with the demo data (SQLite or PostgreSQL, see conftest's --db), shared by
    the browser tests of a session."""
    from db import get_engine
    from ingest.demo import load_demo

    url = make_session_db_url("browser_demo")
    engine = get_engine(url)
    load_demo(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def app_url(demo_db_url: str) -> Iterator[str]:
    """The app with demo data, served once per test session."""
    with serve_app(demo_db_url) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} fehlt: apt-get install chromium (make test installiert es)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator:  # noqa: ANN001
    """A fresh German-locale page at projector-like size."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def wait_for_app(pg) -> None:  # noqa: ANN001
    """Wait until Streamlit finished running the page script."""
    pg.wait_for_selector("[data-testid='stApp']")
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    pg.wait_for_timeout(300)


def log_in_browser(pg, url: str, login) -> None:  # noqa: ANN001
    """Open the app and sign in through the sidebar form (login: .username, .password)."""
    pg.goto(url)
    wait_for_app(pg)
    pg.get_by_test_id("stExpander").filter(has_text="Anmelden").locator("summary").click()
    submit_login(pg.get_by_test_id("stSidebar"), login)
    pg.get_by_text("Angemeldet als").wait_for()
    wait_for_app(pg)


def nav_link(pg, title: str):  # noqa: ANN001, ANN201
    """The sidebar's link to a page (page links, see dashboard.navigation.sidebar_links)."""
    return pg.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True)


def nav_titles(pg) -> list[str]:  # noqa: ANN001
    """The titles of the pages the sidebar links to, in order."""
    links = pg.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink")
    links.first.wait_for()
    return [t.strip() for t in links.all_inner_texts()]


def submit_login(container, login) -> None:  # noqa: ANN001
    """Fill in and send the login form inside container (a page or a locator)."""
    page = getattr(container, "page", container)  # a locator knows its page
    form = container.locator("form.pq-login").filter(has=page.get_by_label("Passwort"))
    form.get_by_label("Benutzername").fill(login.username)
    form.get_by_label("Passwort").fill(login.password)
    form.get_by_role("button", name="Anmelden").click()


def screenshot(pg, name: str) -> Path:  # noqa: ANN001
    """Save a screenshot of the main area under tests/screenshots/ (look at it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def assert_no_exception(pg) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    expect(pg.locator("[data-testid='stException']")).to_have_count(0)
