"""The HTTP layer in front of Streamlit: the page shell leaves the server in German."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

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
    assert rewritten.count(b"<script") == shell.count(b"<script") - 1
