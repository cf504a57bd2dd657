"""Portalquote's own static files (the page script), as routes of dashboard/server.py."""

import hashlib
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

STATIC = Path(__file__).resolve().parent / "static"
SCRIPT = STATIC / "portalquote.js"
_JS = SCRIPT.read_bytes()
# The content hash in the address: a changed file is fetched at once, an unchanged one never.
SCRIPT_PATH = f"/assets/portalquote.{hashlib.sha256(_JS).hexdigest()[:12]}.js"


async def _script(request: Request) -> Response:
    return Response(
        _JS,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


ROUTES = [Route(SCRIPT_PATH, _script)]
