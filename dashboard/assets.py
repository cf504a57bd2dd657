"""Portalquote's own static files (stylesheet, page script), as routes of dashboard/server.py."""

import hashlib
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

STATIC = Path(__file__).resolve().parent / "static"
STYLESHEET = STATIC / "portalquote.css"
SCRIPT = STATIC / "portalquote.js"


def _route(file: Path, media_type: str) -> tuple[str, Route]:
    body = file.read_bytes()
    # The content hash in the address: a changed file is fetched at once, an unchanged one never.
    path = f"/assets/{file.stem}.{hashlib.sha256(body).hexdigest()[:12]}{file.suffix}"

    async def serve(request: Request) -> Response:
        return Response(
            body,
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    return path, Route(path, serve)


STYLESHEET_PATH, _stylesheet = _route(STYLESHEET, "text/css")
SCRIPT_PATH, _script = _route(SCRIPT, "text/javascript")
ROUTES = [_stylesheet, _script]
