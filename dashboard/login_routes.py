"""Login and logout over HTTP: a plain form POST whose answer sets or clears the cookie.

A Streamlit script cannot set cookies; these routes of dashboard/server.py can. The login
cookie is HttpOnly (page scripts never see it), SameSite=Strict and, behind https, Secure;
it holds a random token whose hash is all the database keeps (db.logins). The script reads
it from the page's connection (st.context.cookies) and checks it on every run. The
password goes from the form straight to this route, never through a Streamlit session.

Cross-site requests are refused: the cookie is SameSite=Strict, and both POST routes accept
only requests whose Origin is this server.
"""

import asyncio
import html
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from db import audit, logins, throttle
from db.models import User
from db.settings import session_idle, session_max_age
from db.users import ROLE_LABELS, normalize_username, verify_login
from db.writes import begin_light_write

COOKIE = "portalquote_session"
LOGIN_PATH, LOGOUT_PATH = "/anmelden", "/abmelden"
TARGET_FIELD, NAME_FIELD, PASSWORD_FIELD = "ziel", "benutzername", "passwort"
MAX_FORM_BYTES = 8192
# A login from a busy address waits for its turn at most this long, then is refused.
MAX_WAIT_SECONDS = 15.0

EMPTY = "Bitte Benutzername und Passwort eingeben."
WRONG = "Benutzername oder Passwort ist falsch, oder der Zugang ist gesperrt."
BUSY = (
    "Von Ihrer Adresse kommen gerade sehr viele Anmeldeversuche. Bitte in einer Minute "
    "erneut versuchen."
)
FOREIGN = (
    "Die Anmeldung wurde abgelehnt, weil das Formular nicht von dieser Seite kam. Bitte die "
    "Seite neu laden und erneut anmelden."
)


def locked_message(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return (
        f"Zu viele fehlgeschlagene Anmeldungen. Bitte in {minutes} "
        f"Minute{'n' if minutes > 1 else ''} erneut versuchen."
    )


# ---------------------------------------------------------------- the form


FORM_CSS = """<style>
.pq-login {display: flex; flex-direction: column; gap: 0.35rem; max-width: 26rem;}
.pq-login label {font-size: 0.875rem; margin-top: 0.4rem;}
.pq-login input {font: inherit; padding: 0.45rem 0.7rem; border: 1px solid #8a8d96;
  border-radius: 0.5rem; background: #fff; color: #31333f;}
.pq-login button {font: inherit; align-self: flex-start; margin-top: 0.8rem;
  padding: 0.4rem 0.9rem; border: 1px solid #8a8d96; border-radius: 0.5rem;
  background: #fff; color: #31333f; cursor: pointer;}
.pq-login button:hover {border-color: #c9302c; color: #c9302c;}
.pq-login input:focus-visible, .pq-login button:focus-visible {
  outline: 3px solid #1a5fb4; outline-offset: 2px;}
.pq-logout {margin: 0;}
</style>"""


def form_html(target: str, key: str = "login", username: str = "") -> str:
    """The login form (for st.html and the login page); key keeps ids unique on a page."""
    e = html.escape
    return f"""{FORM_CSS}
<form class="pq-login" method="post" action="{LOGIN_PATH}">
<input type="hidden" name="{TARGET_FIELD}" value="{e(safe_target(target))}">
<label for="pq-{e(key)}-name">Benutzername</label>
<input id="pq-{e(key)}-name" name="{NAME_FIELD}" type="text" autocomplete="username"
 autocapitalize="none" spellcheck="false" value="{e(username)}">
<label for="pq-{e(key)}-password">Passwort</label>
<input id="pq-{e(key)}-password" name="{PASSWORD_FIELD}" type="password"
 autocomplete="current-password">
<button type="submit">Anmelden</button>
</form>"""


def logout_html(target: str) -> str:
    """The logout button: a form, so that logging out is a POST that clears the cookie."""
    return f"""{FORM_CSS}
<form class="pq-login pq-logout" method="post" action="{LOGOUT_PATH}">
<input type="hidden" name="{TARGET_FIELD}" value="{html.escape(safe_target(target))}">
<button type="submit">Abmelden</button>
</form>"""


PAGE = """<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Anmelden – Portalquote</title>
<style>
body {{font-family: "Source Sans Pro", "Source Sans 3", system-ui, sans-serif; color: #31333f;
  margin: 0; background: #f5f6f8;}}
main {{max-width: 28rem; margin: 8vh auto; background: #fff; padding: 2rem 2.2rem;
  border-radius: 0.75rem; border: 1px solid #dcdee3;}}
h1 {{font-size: 1.8rem; margin: 0 0 1rem;}}
.pq-error {{background: #fde8e8; color: #7d1a1a; border-radius: 0.5rem;
  padding: 0.7rem 0.9rem; margin-bottom: 1rem;}}
a {{color: #1a5fb4;}}
</style>
</head>
<body>
<main>
<h1>Portalquote – Anmelden</h1>
{message}
{form}
<p><a href="{back}">Zurück zum Dashboard (ohne Anmeldung)</a></p>
</main>
</body>
</html>"""


def page(target: str, message: str | None = None, username: str = "", status: int = 200):  # noqa: ANN201
    """The login page on its own: for a failed login, and for /anmelden typed by hand."""
    alert = f'<div class="pq-error" role="alert">{html.escape(message)}</div>' if message else ""
    body = PAGE.format(
        message=alert,
        form=form_html(target, "page", username),
        back=html.escape(safe_target(target)),
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def safe_target(value: str | None) -> str:
    """A path on this server to return to after login or logout; anything else becomes "/"
    (no open redirect to other sites)."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


# ---------------------------------------------------------------- the requests


def same_origin(request: Request) -> bool:
    """Whether a POST comes from a page of this server (checked besides SameSite=Strict)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        referer = request.headers.get("referer")
        origin = f"{urlsplit(referer).scheme}://{urlsplit(referer).netloc}" if referer else ""
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


def secure(request: Request) -> bool:
    """Behind https (also when nginx ends TLS and says so in X-Forwarded-Proto)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme in ("https", "wss") or forwarded == "https"


def client_address(request: Request) -> str:
    # Behind nginx on the same machine, uvicorn already put X-Forwarded-For here
    # (it trusts 127.0.0.1 by default: FORWARDED_ALLOW_IPS).
    return request.client.host if request.client else "unbekannt"


async def _form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in fields.items()}


def _engine() -> Engine:
    from dashboard import data  # the one engine of the process (st.cache_resource)

    return data.engine()


@dataclass(frozen=True)
class Attempt:
    """One try at a password check: a token, or a message; wait > 0 means try again then."""

    token: str | None = None
    message: str | None = None
    wait: float = 0.0


def attempt(engine: Engine, username: str, password: str, address: str) -> Attempt:
    """Check name and password once, within the throttle; a new session on success."""
    now = time.time()
    with begin_light_write(engine) as conn:
        admission = throttle.admit(conn, username, address, now)
    if admission.locked:
        audit.log(f"Anmeldung abgewiesen, Benutzername gesperrt: {_who(engine, username)} "
                  f"von {address}")  # fmt: skip
        return Attempt(message=locked_message(admission.locked))
    if not admission.admitted:
        return Attempt(wait=admission.wait)
    with begin_light_write(engine) as conn:
        account = verify_login(conn, username, password)
        if account is None:
            throttle.failed(conn, username, address, time.time())
        else:
            throttle.succeeded(conn, username, address)
            token = logins.start(conn, account.id, session_max_age())
    if account is None:
        audit.log(f"Anmeldung fehlgeschlagen: {_who(engine, username)} von {address}")
        return Attempt(message=WRONG)
    audit.log(
        f"Anmeldung erfolgreich: „{account.username}“ ({ROLE_LABELS[account.role]}) von {address}"
    )
    return Attempt(token=token)


def _who(engine: Engine, username: str) -> str:
    """The user name for the log if such an account exists; never what else was typed
    (a password typed into the name field must not end up in the journal)."""
    name = normalize_username(username)
    with engine.connect() as conn:
        known = conn.scalar(select(User.id).where(User.username == name)) is not None
    return f"„{name}“" if known else "unbekannter Benutzername"


def set_cookie(response: Response, token: str, request: Request) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(session_max_age().total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure(request),
    )


def clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=secure(request))  # fmt: skip


async def login_form_page(request: Request) -> Response:
    return page(request.query_params.get(TARGET_FIELD, "/"))


async def login(request: Request) -> Response:
    form = await _form(request)
    target = safe_target(form.get(TARGET_FIELD))
    username = form.get(NAME_FIELD, "")
    if not same_origin(request):
        audit.log(f"Anmeldung abgewiesen, fremde Herkunft von {client_address(request)}")
        return page(target, FOREIGN, status=403)
    password = form.get(PASSWORD_FIELD, "")
    if not normalize_username(username) or not password:
        return page(target, EMPTY, username, status=400)
    engine, address = _engine(), client_address(request)
    deadline = time.monotonic() + MAX_WAIT_SECONDS
    while True:
        result = await run_in_threadpool(attempt, engine, username, password, address)
        if not result.wait:
            break
        if time.monotonic() + result.wait > deadline:
            audit.log(f"Anmeldung abgewiesen, zu viele Versuche von {address}")
            return page(target, BUSY, username, status=429)
        await asyncio.sleep(result.wait)
    if result.token is None:
        status = 429 if result.message != WRONG else 401
        return page(target, result.message, username, status=status)
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, result.token, request)
    return response


def end_session(engine: Engine, token: str | None) -> str | None:
    """Log out: end every session of the token's account; its user name (None: no login)."""
    with begin_light_write(engine) as conn:
        check = logins.check(conn, token, session_idle(), session_max_age())
        if check.user_id is None:
            return None
        ended = logins.end_sessions(conn, check.user_id, logins.LOGOUT)
        name = conn.scalar(select(User.username).where(User.id == check.user_id))
    audit.log(f"Abmeldung: „{name}“ ({ended} Sitzungen beendet)")
    return name


async def logout(request: Request) -> Response:
    form = await _form(request)
    target = safe_target(form.get(TARGET_FIELD))
    if not same_origin(request):
        return page(target, FOREIGN, status=403)
    await run_in_threadpool(end_session, _engine(), request.cookies.get(COOKIE))
    response = RedirectResponse(target, status_code=303)
    clear_cookie(response, request)
    return response


ROUTES = [
    Route(LOGIN_PATH, login_form_page, methods=["GET"]),
    Route(LOGIN_PATH, login, methods=["POST"]),
    Route(LOGOUT_PATH, logout, methods=["POST"]),
]
