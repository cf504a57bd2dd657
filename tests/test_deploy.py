"""The shipped deployment for real: Debian's nginx with deploy/'s site and a self-signed
certificate, two app processes started with the systemd unit's command line, one real
PostgreSQL; Chromium through https.
"""

import re
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from contextlib import ExitStack
from pathlib import Path

import openpyxl
import pytest
import requests
from accounts import make_accounts
from browser_fixtures import nav_link, screenshot, serve_app, submit_login
from browser_fixtures import wait_for_app as _wait_for_app
from nginx_server import NGINX, SITE, running_nginx
from playwright.sync_api import expect
from slides import slide_count, slide_labels

from db import get_engine, session
from db.settings import MAX_FILE_MB
from db.writes import begin_write
from ingest.demo import load_demo
from ingest.template import FIRST_DATA_ROW

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]
PROJECT = Path(__file__).resolve().parent.parent
UNITS = PROJECT / "deploy" / "systemd"
DEPARTMENT = "FB 3 Bürgerservice, Bürgerbüro"
TIMEOUT = 90_000
# Streamlit's frontend, opened at /<page>, first asks whether /<page> is the app's base path
# (/<page>/_stcore/health, .../host-config); the 404 answers are its own, not the CSP's.
BASE_PATH_PROBE = re.compile(r"^https://[^/]+/[^/]+/_stcore/(health|host-config)$")
PAGES = ["", "services", "measures", "coverage", "targets", "session", "report", "upload",
         "loads", "strategy", "users", "session?praesentation=1&folie=2"]  # fmt: skip


def unit_command(port: int) -> list[str]:
    """The ExecStart of deploy/systemd/portalquote@.service for one port, with this checkout
    and this virtualenv in place of /opt/portalquote."""
    unit = (UNITS / "portalquote@.service").read_text(encoding="utf-8")
    (line,) = re.findall(r"^ExecStart=(.+)$", unit, flags=re.MULTILINE)
    line = line.replace("/opt/portalquote/.venv/bin/", f"{Path(sys.executable).parent}/")
    return line.replace("%i", str(port)).split()


@pytest.fixture(scope="module")
def deployment(postgres_server, tmp_path_factory):  # noqa: ANN001, ANN201
    """Two app processes on one PostgreSQL behind nginx; (nginx, apps, engine, logins)."""
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} fehlt: apt-get install nginx (make test installiert es)")
    url = postgres_server.create_database("deploy")
    engine = get_engine(url)
    load_demo(engine)
    logins = make_accounts(engine, DEPARTMENT)
    folder = tmp_path_factory.mktemp("deploy")
    apps = []
    with ExitStack() as stack:
        for name in ("a", "b"):
            app = ExitStack()
            stack.callback(app.close)
            log = folder / f"app-{name}.log"
            app_url = app.enter_context(serve_app(url, log=log, command=unit_command))
            apps.append({"url": app_url, "port": int(app_url.rsplit(":", 1)[1]), "log": log,
                         "stop": app.close})  # fmt: skip
        nginx = stack.enter_context(running_nginx([a["port"] for a in apps]))
        yield nginx, apps, engine, logins
    engine.dispose()
    postgres_server.drop_database(url)


def _get(url: str, **kwargs) -> requests.Response:  # noqa: ANN003
    return requests.get(url, verify=False, allow_redirects=False, timeout=60, **kwargs)


def _marks(apps: list[dict]) -> list[int]:
    """How long each process's log is now (to look only at what comes after)."""
    return [a["log"].stat().st_size for a in apps]


def _which(apps: list[dict], text: str, since: list[int]) -> int:
    """The app process that logged the line after `since` (the one a browser was sent to)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [i for i, a in enumerate(apps)
                 if text in a["log"].read_bytes()[since[i]:].decode(errors="replace")]  # fmt: skip
        if found:
            assert len(found) == 1, text
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no app process logged {text!r}")


def wait_for_app(page) -> None:  # noqa: ANN001
    page.wait_for_selector("[data-testid='stApp']", timeout=TIMEOUT)
    _wait_for_app(page)


def test_units_are_valid_for_systemd(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze fehlt: apt-get install systemd (make test installiert es)")
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8").replace("/opt/portalquote", str(PROJECT))
        name = unit.name.replace("@.service", "@8501.service")
        (tmp_path / name).write_text(text, encoding="utf-8")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["portalquote-backup.service", "portalquote-backup.timer",
                     "portalquote-remind.service", "portalquote-remind.timer",
                     "portalquote@8501.service"]  # fmt: skip
    done = subprocess.run([analyze, "verify", "--man=no", *names], cwd=tmp_path,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    backup = (UNITS / "portalquote-backup.service").read_text()
    assert "-m ingest backup" in backup and "-m ingest remind" in (
        UNITS / "portalquote-remind.service").read_text()  # fmt: skip


def test_upload_size_matches_the_setting(deployment):
    nginx = deployment[0]
    # nginx lets through what the upload field does (the transport limit, far above the
    # ingest's): a file over PORTALQUOTE_MAX_FILE_MB reaches the app and its German message.
    config = tomllib.loads((SITE.parents[2] / ".streamlit" / "config.toml").read_text())
    transport = config["server"]["maxUploadSize"]
    limit = re.search(r"client_max_body_size (\d+)m;", SITE.read_text())
    assert int(limit[1]) == transport + 1 and transport >= 4 * MAX_FILE_MB
    url = f"{nginx.https_url}/_stcore/upload_file/x/y"
    too_big = requests.put(url, data=b"x" * (transport + 2) * 2**20, verify=False, timeout=120)
    assert too_big.status_code == 413
    fits = requests.put(url, data=b"x" * int((MAX_FILE_MB + 5) * 2**20), verify=False,
                        timeout=120)  # fmt: skip
    assert fits.status_code != 413  # it reaches the app (which refuses it: no XSRF token)
    # An upload the app cut off puts no process out of service.
    assert {_get(f"{nginx.https_url}/").status_code for _ in range(10)} == {200}


def test_streamlits_scripts_come_compressed(deployment):
    """Streamlit sends its largest script uncompressed; through nginx it is gzip, whole."""
    nginx = deployment[0]
    shell = _get(f"{nginx.https_url}/").text
    scripts = re.findall(r'src="\.?(/static/js/[^"]+\.js)"', shell)
    assert scripts, shell[:300]
    plain = _get(f"{nginx.https_url}{scripts[0]}", headers={"Accept-Encoding": "identity"})
    packed = _get(f"{nginx.https_url}{scripts[0]}", headers={"Accept-Encoding": "gzip"})
    assert packed.headers.get("Content-Encoding") == "gzip"
    assert packed.content == plain.content  # requests unpacks it: the same script
    assert "Content-Encoding" not in plain.headers


def test_http_is_sent_to_https_and_every_answer_has_the_headers(deployment):
    nginx = deployment[0]
    http = _get(f"{nginx.http_url}/services?leistung=A%2FB")
    assert http.status_code == 301
    assert http.headers["location"] == "https://127.0.0.1/services?leistung=A%2FB"
    foreign = requests.post(f"{nginx.https_url}/abmelden", headers={"Origin": "https://x.example"},
                            verify=False, allow_redirects=False, timeout=60)  # fmt: skip
    for r, status in ((_get(f"{nginx.https_url}/"), 200),
                      (_get(f"{nginx.https_url}/anmelden"), 200), (foreign, 403)):  # fmt: skip
        assert r.status_code == status, r.url
        h = r.headers
        assert h["strict-transport-security"] == "max-age=31536000"
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "same-origin"
        csp = dict(d.strip().split(" ", 1) for d in h["content-security-policy"].split(";"))
        assert csp["script-src"] == "'self'"  # no inline or foreign scripts
        assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
        assert csp["frame-ancestors"] == "'self'" and csp["form-action"] == "'self'"
    first = _get(f"{nginx.https_url}/")
    route = first.headers["set-cookie"]
    assert route.startswith("portalquote_route=") and "Secure" in route and "HttpOnly" in route
    again = _get(f"{nginx.https_url}/", cookies={"portalquote_route": "abc"})
    assert "portalquote_route" not in again.headers.get("set-cookie", "")


def _browser_context(browser, **kwargs):  # noqa: ANN001, ANN003, ANN202
    context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 900},
                                  ignore_https_errors=True, **kwargs)  # fmt: skip
    context.set_default_timeout(TIMEOUT)
    return context


def _log_in(browser, deployment, login, target: str = "/"):  # noqa: ANN001, ANN202
    """Sign in on nginx's login page: (page, index of the app process that serves it)."""
    nginx, apps = deployment[:2]
    page = _browser_context(browser).new_page()
    page.goto(f"{nginx.https_url}/anmelden?ziel={target}")
    since = _marks(apps)
    submit_login(page, login)
    signed_in = page.get_by_text(f"Angemeldet als {login.account.label}")
    expect(signed_in).to_be_visible(timeout=TIMEOUT)
    return page, _which(apps, f"Anmeldung erfolgreich: „{login.username}“", since)


class Console:
    """Console errors and failed requests of a page (except Streamlit's base-path probe)."""

    def __init__(self, page) -> None:  # noqa: ANN001
        self.errors: list[str] = []
        self.probes = 0
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        page.on("response", self._response)
        self.page = page

    def _console(self, message) -> None:  # noqa: ANN001
        if message.type == "error":
            self.errors.append(f"{self.page.url}: {message.text}")

    def _response(self, response) -> None:  # noqa: ANN001
        if response.status == 404 and BASE_PATH_PROBE.match(response.url):
            self.probes += 1

    def real_errors(self) -> list[str]:
        probe = "Failed to load resource: the server responded with a status of 404"
        probes = [e for e in self.errors if probe in e]
        assert len(probes) <= self.probes, self.errors
        return [e for e in self.errors if probe not in e]


def _fill_template(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Meldung"]
    for row, (total, online) in enumerate(((777, 333), (88, 11))):
        ws.cell(FIRST_DATA_ROW + row, 3, total)
        ws.cell(FIRST_DATA_ROW + row, 4, online)
    wb.save(path)


def test_no_page_breaks_under_the_csp(browser, deployment):
    """Every page as admin through nginx, the login page and the presentation: no errors in
    Chromium's console (a blocked script, style, image, font or connection would be one).
    Runs on the demo data, before the upload below adds a later, partly reported month."""
    nginx, apps, engine, logins = deployment
    page, _ = _log_in(browser, deployment, logins["admin"])
    console = Console(page)
    page.goto(f"{nginx.https_url}/anmelden")  # the login page of its own
    expect(page.get_by_role("heading", name="Portalquote – Anmelden")).to_be_visible()
    for path in PAGES:
        page.goto(f"{nginx.https_url}/{path}")
        wait_for_app(page)
        page.wait_for_timeout(1500)  # charts and late requests
        assert page.locator("[data-testid='stException']").count() == 0, path
    assert console.real_errors() == []
    assert console.probes > 0  # the probe was seen and told apart, not missed
    page.context.close()


def test_upload_and_presentation_through_https(browser, deployment, tmp_path):
    """A department head logs in through nginx, uploads a monthly report (preview, then
    confirm); the other process shows the load at its next rerun; the presentation opens."""
    nginx, apps, engine, logins = deployment
    context = _browser_context(browser)
    page = context.new_page()
    console = Console(page)
    page.goto(f"{nginx.https_url}/")
    wait_for_app(page)
    since = _marks(apps)
    page.get_by_test_id("stExpander").filter(has_text="Anmelden").locator("summary").click()
    submit_login(page.get_by_test_id("stSidebar"), logins["department"])
    expect(page.get_by_text("Angemeldet als")).to_be_visible(timeout=TIMEOUT)
    cookie = next(c for c in context.cookies() if c["name"] == "portalquote_session")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    xsrf = next(c for c in context.cookies() if c["name"] == "_streamlit_xsrf")
    assert xsrf["secure"]  # passed through, marked Secure by nginx
    mine = _which(apps, "Anmeldung erfolgreich: „test-fb“", since)
    other = apps[1 - mine]

    # Someone has the Datenstand open on the other process.
    watcher = _browser_context(browser).new_page()
    watcher.goto(f"{other['url']}/coverage")
    wait_for_app(watcher)
    expect(watcher.get_by_text("Beispieldaten Monatsmeldung Dez. 2023")).to_be_visible(
        timeout=TIMEOUT
    )
    assert "Monatsmeldung_FB-3" not in watcher.inner_text("body")

    nav_link(page, "Daten hochladen").click()
    page.get_by_role("tab", name="Vorlage herunterladen").click()
    with page.expect_download() as download:  # a download: the media of this process
        page.get_by_role("button", name="Vorlage herunterladen").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    _fill_template(template)
    page.get_by_role("tab", name="Antragszahlen").click()
    page.locator("input[type=file]").first.set_input_files(str(template))
    page.get_by_role("heading", name="Vorschau").wait_for()
    page.get_by_role("button", name="Jetzt laden (1 Datei)").click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible(timeout=TIMEOUT)
    screenshot(page, "deploy_loaded")
    assert _which(apps, "(Antragszahlen, geladen): „" + template.name, since) == mine

    # The watcher's next rerun (any action) shows the new load from the other process.
    nav_link(watcher, "Datenstand").click()
    expect(watcher.get_by_text(template.name).first).to_be_visible(timeout=TIMEOUT)
    watcher.context.close()

    with engine.connect() as conn:
        labels = slide_labels(conn)
    count = slide_count(labels)
    page.goto(f"{nginx.https_url}/session?praesentation=1&folie={labels[0]}")
    expect(page.get_by_text(f"Folie {labels[0]} von {count}", exact=True)).to_be_visible(
        timeout=TIMEOUT
    )
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_text(f"Folie {labels[1]} von {count}", exact=True)).to_be_visible(
        timeout=TIMEOUT
    )
    screenshot(page, "deploy_presentation")
    assert console.real_errors() == []
    context.close()


def test_the_session_agenda_is_the_same_in_every_process(browser, deployment):
    """The admin's slide order is stored in the database: both processes present it."""
    nginx, apps, engine, logins = deployment
    with begin_write(engine) as conn:
        default = session.load_agenda(conn)
        session.save_agenda(conn, session.Agenda([session.SERVICES, session.OVERVIEW],
                                                 default.services))  # fmt: skip
    try:
        for app in apps:
            page = _browser_context(browser).new_page()
            page.goto(f"{app['url']}/session?praesentation=1")
            first = re.compile(r"^Folie 1a? von 2$")  # the services' slide may be cut in parts
            expect(page.get_by_text(first)).to_be_visible(timeout=TIMEOUT)
            heading = page.get_by_role("heading", name="Ausgewählte Leistungen")
            expect(heading).to_be_visible(timeout=TIMEOUT)
            page.context.close()
    finally:
        with begin_write(engine) as conn:
            session.save_agenda(conn, default)


def test_logout_through_one_process_ends_the_login_on_the_other(browser, deployment):
    nginx, apps, engine, logins = deployment
    page, mine = _log_in(browser, deployment, logins["viewer"], "/measures")
    # The same login in a tab served by the other process.
    cookies = page.context.cookies()
    token = next(c for c in cookies if c["name"] == "portalquote_session")["value"]
    elsewhere = _browser_context(browser).new_page()
    elsewhere.context.add_cookies([{"name": "portalquote_session", "value": token,
                                    "url": apps[1 - mine]["url"]}])  # fmt: skip
    elsewhere.goto(f"{apps[1 - mine]['url']}/measures")
    expect(elsewhere.get_by_text("Angemeldet als Test viewer")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Abmelden").click()
    expect(page.get_by_test_id("stSidebar")).not_to_contain_text("Angemeldet als", timeout=TIMEOUT)
    nav_link(elsewhere, "Übersicht").click()
    expect(elsewhere.get_by_text("Sie wurden abgemeldet").first).to_be_visible(timeout=TIMEOUT)
    elsewhere.context.close()
    page.context.close()


def test_parallel_logins_on_both_processes_share_one_throttle(deployment):
    nginx, apps, engine, logins = deployment
    finished: list[float] = []
    start = time.monotonic()

    def attempt(app: dict, name: str) -> None:
        headers = {"Origin": app["url"], "X-Forwarded-For": "10.9.9.9"}
        data = {"benutzername": name, "passwort": "x"}
        r = requests.post(f"{app['url']}/anmelden", data=data, headers=headers, timeout=60,
                          allow_redirects=False)  # fmt: skip
        assert r.status_code == 401
        finished.append(time.monotonic() - start)

    threads = [threading.Thread(target=attempt, args=(apps[i % 2], f"raten-{i}"))
               for i in range(6)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The k-th check cannot start before k seconds have passed, whichever process runs it
    # (a check's own time varies, so its end is what the test can see).
    finished.sort()
    assert len(finished) == 6
    assert all(t >= 0.9 * k for k, t in enumerate(finished)), finished


def test_a_failed_process_is_replaced_and_the_login_stays(browser, deployment):
    """Last: stops one app process. The browser on it reconnects through nginx to the
    other one and is still signed in."""
    nginx, apps, engine, logins = deployment
    page, mine = _log_in(browser, deployment, logins["admin"])
    apps[mine]["stop"]()
    # No reload: Streamlit reconnects by itself, and nginx sends it to the other process. A
    # click while it is still reconnecting is not sent: like a person, click again.
    heading = page.get_by_role("heading", name="Ladeprotokoll")
    for _ in range(6):
        nav_link(page, "Ladeprotokoll").click()
        try:
            expect(heading).to_be_visible(timeout=15_000)
            break
        except AssertionError:
            continue
    expect(heading).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Angemeldet als Test admin")).to_be_visible(timeout=TIMEOUT)
    page.reload()
    expect(page.get_by_text("Angemeldet als Test admin")).to_be_visible(timeout=TIMEOUT)
    page.context.close()
