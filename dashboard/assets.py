"""Portalquote's own static files (the stylesheet), as routes of dashboard/server.py."""

import hashlib
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

STYLESHEET = Path(__file__).resolve().parent / "static" / "portalquote.css"
_CSS = STYLESHEET.read_bytes()
# The content hash in the address: a changed file is fetched at once, an unchanged one never.
STYLESHEET_PATH = f"/assets/portalquote.{hashlib.sha256(_CSS).hexdigest()[:12]}.css"


async def _stylesheet(request: Request) -> Response:
    return Response(
        _CSS,
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


ROUTES = [Route(STYLESHEET_PATH, _stylesheet)]
