"""The widget's files and demo page, served by the Rasa server from ``web/``.

``GET /`` from a browser (``Accept: text/html``) returns ``web/index.html``; ``/web/<file>`` serves
the widget's files; a non-browser ``GET /`` still gets Rasa's health text. Kept hand-written rather
than Sanic's ``app.static`` (NOTES-i10web.md): Sanic 21.12's handler follows symlinks out of the
folder, serves dot-files and any file type, and logs an ERROR traceback for every path it refuses;
this one serves only the listed types, never a dot-file or anything outside ``web/``, and adds the
security headers (a strict Content-Security-Policy on the page) in the same place.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Dict, List, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

DEFAULT_WEB_DIR = Path(__file__).resolve().parents[2] / "web"
INDEX = "index.html"
INDEX_PATHS = ("/", "/index.html")
READ_METHODS = ["GET", "HEAD"]

STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".map": "application/json",
}
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # the widget changes with the server: never a stale copy
}


def content_security_policy(allowed_origins: List[str]) -> str:
    """The page's policy: scripts and styles from this server only, sockets to the allowed origins."""
    sockets = [o.replace("http://", "ws://", 1).replace("https://", "wss://", 1) for o in allowed_origins]
    connect = " ".join(["'self'", *sockets, *allowed_origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:; connect-src {connect}; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


class WebFiles:
    """Serves the files of one folder with the headers above."""

    def __init__(self, web_dir: Path, allowed_origins: List[str]):
        self.web_dir = web_dir
        self.csp = content_security_policy(allowed_origins)

    def _resolve(self, rel: str) -> Optional[Path]:
        """The file ``rel`` names inside the folder, or None if it is not one we serve."""
        base = self.web_dir
        try:
            path = (base / rel).resolve()
            inside = path.relative_to(base)
        except (ValueError, OSError):
            return None
        if path.suffix.lower() not in STATIC_TYPES or not path.is_file():
            return None
        if any(part.startswith(".") for part in inside.parts):
            return None
        return path

    def respond(self, rel: str, request: Request) -> HTTPResponse:
        """The file's response, or 404."""
        path = self._resolve(rel)
        if path is None:
            return response.text("Not found", status=404)
        headers: Dict[str, str] = dict(COMMON_HEADERS)
        if path.suffix.lower() == ".html":
            headers["Content-Security-Policy"] = self.csp
            headers["X-Frame-Options"] = "DENY"
        body = b"" if request.method == "HEAD" else path.read_bytes()
        return HTTPResponse(
            body=body, status=200, headers=headers, content_type=STATIC_TYPES[path.suffix.lower()]
        )

    def register(self, app: Sanic, route_name: str) -> None:
        """Serve ``/web/<file>``, and ``/`` to browsers, on ``app``."""
        if not (self.web_dir / INDEX).is_file():
            logger.warning(f"secure_socketio: no {INDEX} in {self.web_dir}; not serving web/.")
            return

        async def web_file(request: Request, filename: str) -> HTTPResponse:
            return self.respond(filename, request)

        app.add_route(web_file, "/web/<filename:path>", methods=READ_METHODS, name=route_name)

        async def index_middleware(request: Request) -> Optional[HTTPResponse]:
            if (
                request.path in INDEX_PATHS
                and request.method in READ_METHODS
                and "text/html" in request.headers.get("accept", "")
            ):
                return self.respond(INDEX, request)
            return None  # Rasa's own "/" (health text) answers everyone else

        app.register_middleware(index_middleware, "request")
        logger.info(f"secure_socketio: serving {self.web_dir} at / and /web/")
