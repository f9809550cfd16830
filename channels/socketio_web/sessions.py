"""Server-issued, signed session tokens ``<id>.<issued_at>.<mac>`` for the web widget.

The conversation a socket speaks in is chosen by the server, never by the client: a client may only
bring back a token the server signed (to resume after a reload or reconnect). HMAC-SHA256 over a
version tag, the id and the issue time, compared in constant time; a token older than ``max_age``
or issued more than ``CLOCK_SKEW_S`` in the future is refused. Kept hand-written rather than
``itsdangerous`` because that library is not among the pinned dependencies (NOTES-i10web.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
from typing import Any, Optional

logger = logging.getLogger(__name__)

SECRET_ENV = "SOCKETIO_SESSION_SECRET"
DEFAULT_SESSION_MAX_AGE = 24 * 3600  # a day: long enough to come back to the summary, then gone
MIN_SECRET_LENGTH = 32  # shorter secrets are guessable offline from one token
MAX_TOKEN_LENGTH = 200  # a real token is ~90 characters; anything longer is not worth parsing
CLOCK_SKEW_S = 60  # servers behind one load balancer may disagree by this much
SESSION_ID_BYTES = 16  # 128 random bits: not guessable

_SESSION_ID_RE = re.compile(r"^[0-9a-f]{32}$")


class SessionSigner:
    """Issues and verifies server-side session tokens ``<id>.<ts>.<mac>``."""

    VERSION = b"bpw1"

    def __init__(self, secret: Optional[str] = None, max_age: int = DEFAULT_SESSION_MAX_AGE):
        if not secret:
            secret = secrets.token_urlsafe(48)
            logger.warning(
                f"{SECRET_ENV} is not set: generated a random session secret. "
                "Web chat sessions will not survive a server restart and will "
                "not be shared between server processes."
            )
        elif len(secret) < MIN_SECRET_LENGTH:
            logger.warning(f"{SECRET_ENV} is shorter than {MIN_SECRET_LENGTH} characters.")
        self._key = secret.encode("utf-8")
        self.max_age = int(max_age)

    def _mac(self, session_id: str, issued_at: int) -> str:
        msg = self.VERSION + b"|" + session_id.encode("ascii") + b"|" + str(issued_at).encode("ascii")
        digest = hmac.new(self._key, msg, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def issue(self, session_id: Optional[str] = None, now: Optional[float] = None) -> str:
        """A token for ``session_id`` (a fresh random one when None)."""
        session_id = session_id or secrets.token_hex(SESSION_ID_BYTES)
        issued_at = int(now if now is not None else time.time())
        return f"{session_id}.{issued_at}.{self._mac(session_id, issued_at)}"

    def verify(self, token: Any, now: Optional[float] = None) -> Optional[str]:
        """Return the session id if ``token`` is authentic and fresh, else None."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            return None
        parts = token.split(".")
        if len(parts) != 3:
            return None
        session_id, issued_raw, mac = parts
        if not _SESSION_ID_RE.match(session_id) or not issued_raw.isdigit():
            return None
        issued_at = int(issued_raw)
        if not hmac.compare_digest(mac, self._mac(session_id, issued_at)):
            return None
        now = now if now is not None else time.time()
        if issued_at > now + CLOCK_SKEW_S or (self.max_age > 0 and now - issued_at > self.max_age):
            return None
        return session_id
