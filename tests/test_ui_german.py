"""Streamlit's own widget texts in German: every entry matches the installed bundle, and the
middleware sends the translated scripts (gzip, ETag) and passes everything else through."""

import asyncio
import gzip
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard import ui_german
from dashboard.ui_german import SCRIPTS_DIR, TRANSLATIONS, GermanScripts, translate


@pytest.fixture(scope="module")
def bundle() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in SCRIPTS_DIR.glob("*.js")}


def test_every_english_piece_is_in_the_installed_streamlit(bundle):  # noqa: ANN001
    """A Streamlit upgrade that rewords or moves a text fails here, naming the entry."""
    missing = [en for en, _de in TRANSLATIONS if not any(en.encode() in s for s in bundle.values())]
    assert missing == [], f"Nicht mehr in Streamlits Skripten, bitte anpassen: {missing}"


def test_after_translation_no_english_piece_is_left(bundle):  # noqa: ANN001
    for name, script in bundle.items():
        out = translate(script)
        for english, german in TRANSLATIONS:
            # A German piece may contain its English one (never here); then skip the check.
            if english not in german:
                assert english.encode() not in out, (name, english)


def test_the_translations_keep_the_scripts_template_literals_balanced():
    """Each piece opens as many template literals as it closes (a German text inside one
    never ends it early); nested literals inside "${...}" come in pairs."""
    for english, german in TRANSLATIONS:
        assert english.count("`") % 2 == 0 and german.count("`") % 2 == 0, english
        assert german.count("${") <= english.count("${") + 1, english  # the size: one more


def _request(path: str, headers: dict[str, str] | None = None) -> tuple[list[dict], list[str]]:
    """One GET through the middleware; (messages sent, paths that reached Streamlit)."""
    passed: list[str] = []

    async def streamlit(scope, receive, send) -> None:  # noqa: ANN001
        passed.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"streamlit"})

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": path,
             "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()]}  # fmt: skip
    # In a thread of its own: a browser test before may have left an event loop running here.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, GermanScripts(streamlit)(scope, receive, send)).result()
    return sent, passed


def _name(prefix: str) -> str:
    return next(p.name for p in SCRIPTS_DIR.glob(f"{prefix}.*.js"))


def test_the_middleware_sends_the_uploader_in_german():
    name = _name("FileUploader")
    sent, passed = _request(f"/static/js/{name}", {"accept-encoding": "gzip, br"})
    assert passed == []
    start, body = sent
    headers = dict(start["headers"])
    assert start["status"] == 200 and headers[b"content-encoding"] == b"gzip"
    assert headers[b"cache-control"] == b"no-cache"
    script = gzip.decompress(body["body"])
    assert b"`Dateien hierher ziehen`" in script
    assert b"Drag and drop" not in script
    assert int(headers[b"content-length"]) == len(body["body"])
    # Revalidation: the same ETag gets a 304 without a body.
    again, _ = _request(f"/static/js/{name}", {"if-none-match": headers[b"etag"].decode()})
    assert again[0]["status"] == 304 and again[1]["body"] == b""
    plain, _ = _request(f"/static/js/{name}")
    assert b"content-encoding" not in dict(plain[0]["headers"])
    assert "Datei auswählen".encode() in plain[1]["body"]


def test_everything_else_reaches_streamlit_unchanged():
    untouched = next(
        p.name for p in SCRIPTS_DIR.glob("*.js") if translate(p.read_bytes()) == p.read_bytes()
    )
    for path in (f"/static/js/{untouched}", "/static/js/../../index.html",
                 "/static/js/nicht-da.js", "/_stcore/health", "/"):  # fmt: skip
        sent, passed = _request(path)
        assert passed == [path] and sent[1]["body"] == b"streamlit", path
    assert ui_german._translated("../config.py") is None


def test_the_german_pieces_have_no_english_word_and_the_english_ones_do():
    from ui_text import english_words

    for _english, german in TRANSLATIONS:
        # What is shown: the literal text, not the code inside "${...}".
        text = re.sub(r"\$\{[^}]*\}", " ", german).replace("`", " ")
        assert english_words(text) == [], german
    # The list of English words knows what Streamlit says (names of code aside).
    assert english_words("Drag and drop files here · 200.0MB per file")
    assert english_words("Choose options") and english_words("Show data")
    assert english_words("Use arrow keys to navigate dates. Enter to select.")
