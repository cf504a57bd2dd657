"""The web server: app.py as an ASGI app (st.App) with Portalquote's own HTTP layer.

Started with `streamlit run dashboard/server.py` (Makefile, tests, deploy). Streamlit serves
the page shell (index.html) itself; the middleware here adjusts it before it leaves the
server, so that what a browser gets from the first byte on is right for a German public
body: the page language is German, not Streamlit's hard-coded English (and so are the texts
of Streamlit's own widgets, dashboard/ui_german.py); the shell has no inline script, so that
a Content-Security-Policy without 'unsafe-inline' scripts (deploy/) lets it run; it links
Portalquote's stylesheet (visible keyboard focus, tables) and page script
(dashboard/static/portalquote.js), both served from this origin, so that they apply from the
first paint on. The login and logout routes (dashboard/login_routes.py) set the login cookie.
"""

import re
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard import assets
from dashboard.login_routes import ROUTES
from dashboard.ui_german import GermanScripts
from db import audit

APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"
PAGE_LANGUAGE = b"de"
ASSETS = "/static/"  # Streamlit's hashed scripts, styles and fonts: never the page shell


class PageShell:
    """Rewrites Streamlit's index.html on its way out (ASGI middleware, no buffering of
    anything else): `<html lang="en">` becomes `<html lang="de">`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(ASSETS):
            await self.app(scope, receive, send)  # scripts and styles stay compressed
            return
        # The shell must arrive uncompressed to be rewritten (it is 8 KB).
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"]
                                      if k.lower() != b"accept-encoding"]}  # fmt: skip
        start: Message | None = None
        body: list[bytes] = []

        async def send_shell(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                if headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = message
                    return
                await send(message)
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            html = rewrite_shell(b"".join(body))
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(html)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": html})

        await self.app(scope, receive, send_shell)


# Streamlit's only inline script: a flag for prerendering services, which Portalquote does
# not use. Without it the shell needs no 'unsafe-inline' (nor a hash) in script-src.
PRERENDER_SCRIPT = re.compile(rb"<script>\s*window\.prerenderReady\s*=\s*false;?\s*</script>")


def rewrite_shell(html: bytes) -> bytes:
    """The page shell with the German page language, without the inline script, and with
    Portalquote's stylesheet and page script."""
    html = html.replace(b'<html lang="en"', b'<html lang="' + PAGE_LANGUAGE + b'"', 1)
    html = PRERENDER_SCRIPT.sub(b"", html, count=1)
    link = f'<link rel="stylesheet" href=".{assets.STYLESHEET_PATH}" />'.encode()
    script = f'<script src=".{assets.SCRIPT_PATH}" defer></script>'.encode()
    return html.replace(b"</head>", link + script + b"</head>", 1)


audit.configure_stdout()  # logins, loads, undos, user changes: one line each (journal)
# GermanScripts: Streamlit's own widget texts in German (dashboard/ui_german.py).
app = st.App(
    APP_SCRIPT,
    routes=[*ROUTES, *assets.ROUTES],
    middleware=[Middleware(PageShell), Middleware(GermanScripts)],
)
