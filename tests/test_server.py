"""The HTTP layer in front of Streamlit: the page shell leaves the server in German, with
Portalquote's stylesheet."""

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor

from dashboard import assets
from dashboard.server import PageShell, rewrite_shell

SHELL = b'<!doctype html><html lang="en"><head></head><body></body></html>'


def _serve(path: str, content_type: bytes, body: bytes, accept: bytes = b"gzip"):  # noqa: ANN202
    """Run PageShell around an app that answers with body; (headers, body, request headers)."""
    seen: dict = {}

    async def inner(scope, receive, send):  # noqa: ANN001, ANN202
        seen["headers"] = dict(scope["headers"])
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        half = len(body) // 2
        await send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": body[half:]})

    sent: list[dict] = []

    async def send(message):  # noqa: ANN001, ANN202
        sent.append(message)

    scope = {"type": "http", "path": path, "headers": [(b"accept-encoding", accept)]}
    # In a thread of its own: an earlier test (Streamlit's AppTest) may leave an event loop
    # running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, PageShell(inner)(scope, None, send)).result()
    headers = dict(sent[0]["headers"])
    return headers, b"".join(m.get("body", b"") for m in sent[1:]), seen["headers"]


def test_rewrite_shell_sets_german():
    assert b'<html lang="de">' in rewrite_shell(SHELL)
    assert b'lang="en"' not in rewrite_shell(SHELL)


def test_page_shell_is_german_with_matching_length():
    headers, body, request = _serve("/services", b"text/html; charset=utf-8", SHELL)
    assert body == rewrite_shell(SHELL)
    assert int(headers[b"content-length"]) == len(body)
    assert b"accept-encoding" not in request  # the shell must come uncompressed


def test_assets_pass_untouched_and_compressed():
    script = b'var x = "<html lang=\\"en\\">";'
    headers, body, request = _serve("/static/js/index.js", b"text/javascript", script)
    assert body == script
    assert request[b"accept-encoding"] == b"gzip"


def test_shell_links_portalquotes_stylesheet_by_its_content_hash():
    html = rewrite_shell(SHELL)
    assert f'<link rel="stylesheet" href=".{assets.STYLESHEET_PATH}" />'.encode() in html
    assert html.index(b"<link") < html.index(b"</head>")
    digest = hashlib.sha256(assets.STYLESHEET.read_bytes()).hexdigest()[:12]
    assert f"/assets/portalquote.{digest}.css" == assets.STYLESHEET_PATH


def test_stylesheet_route_serves_css_for_a_year():
    from starlette.applications import Starlette

    status, headers, body = _get(Starlette(routes=assets.ROUTES), assets.STYLESHEET_PATH)
    assert status == 200
    assert headers["content-type"].startswith("text/css")
    assert b":focus-visible" in body
    assert headers["cache-control"] == "public, max-age=31536000, immutable"


def test_the_real_shell_has_no_inline_script_left():
    """deploy/'s Content-Security-Policy allows scripts from the server only ("script-src
    'self'"): Streamlit's index.html must leave with no inline script (any version)."""
    import re
    from pathlib import Path

    import streamlit

    shell = (Path(streamlit.__file__).parent / "static" / "index.html").read_bytes()
    assert re.search(rb"<script>", shell)  # Streamlit's one inline script ...
    rewritten = rewrite_shell(shell)
    assert not re.search(rb"<script(?![^>]*\bsrc=)[^>]*>", rewritten)  # ... is gone
    # One inline script less, Portalquote's page script (a link) more.
    assert rewritten.count(b"<script") == shell.count(b"<script")
    assert f'src=".{assets.SCRIPT_PATH}"'.encode() in rewritten


def test_shell_links_the_page_script_from_its_own_origin():
    html = rewrite_shell(SHELL)
    assert f'<script src=".{assets.SCRIPT_PATH}" defer></script></head>'.encode() in html
    assert html.count(b"<script") == 1  # a link, no inline script (Content-Security-Policy)


def _get(app, path: str) -> tuple[int, dict, bytes]:  # noqa: ANN001
    """A GET request straight through an ASGI app: (status, headers, body)."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b"",
             "root_path": "", "scheme": "http", "server": ("testserver", 80)}  # fmt: skip
    # In a thread of its own, like _serve: an event loop may be running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


def test_the_page_script_is_served_with_a_hash_in_its_address():
    from starlette.applications import Starlette

    app = Starlette(routes=assets.ROUTES)
    status, headers, body = _get(app, assets.SCRIPT_PATH)
    assert status == 200
    assert headers["content-type"].startswith("text/javascript")
    assert "immutable" in headers["cache-control"]
    assert body == assets.SCRIPT.read_bytes()
    assert _get(app, "/assets/portalquote.000000000000.js")[0] == 404
