"""The exact-match origin allow-list of the socket.io channel.

python-socketio checks every request's ``Origin`` header against ``cors_allowed_origins``; Rasa's
stock channel passes ``[]``, which turns the check *off*. Here the list is never empty, never ``*``,
and each entry is a bare ``scheme://host[:port]`` so a page on another site cannot join.
"""

from __future__ import annotations

import os
import re
from typing import Any, List, Mapping, Optional

ORIGINS_ENV = "WEB_ALLOWED_ORIGINS"
DEFAULT_PORT = "5005"  # Rasa's default port, as in scripts/run.sh

_ORIGIN_RE = re.compile(
    r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9a-fA-F:]+\](:[0-9]{1,5})?$"
)


def default_origins(env: Optional[Mapping[str, str]] = None) -> List[str]:
    """The allow-list when credentials.yml names none: ``WEB_ALLOWED_ORIGINS`` (space-separated)
    if set, else the server's own page on ``RASA_PORT`` (so the demo page works on any port)."""
    env = os.environ if env is None else env
    listed = env.get(ORIGINS_ENV, "").split()
    if listed:
        return listed
    port = env.get("RASA_PORT", "").strip() or DEFAULT_PORT
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]


def normalise_origins(origins: Any) -> List[str]:
    """Validate an exact-match origin allow-list (``scheme://host[:port]``); a wildcard, a path or an
    empty list is refused at start-up rather than silently weakening the check."""
    if origins is None:
        origins = default_origins()
    if isinstance(origins, str):
        origins = [origins]
    result: List[str] = []
    for origin in origins:
        origin = str(origin).strip().rstrip("/")
        if origin == "*" or not _ORIGIN_RE.match(origin):
            raise ValueError(
                f"allowed_origins: '{origin}' is not an exact origin "
                "(scheme://host[:port], no wildcard, no path)."
            )
        if origin not in result:
            result.append(origin)
    if not result:
        raise ValueError(
            "allowed_origins must not be empty (an empty list would switch "
            "python-socketio's origin check off)."
        )
    return result
