"""Hardened socket.io input channel for the back-pain triage web widget.

Use in credentials.yml instead of the built-in ``socketio`` entry::

    channels.secure_socketio.SecureSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      allowed_origins:          # optional; default: $WEB_ALLOWED_ORIGINS, else
        - https://clinic.example  # http://localhost:$RASA_PORT and http://127.0.0.1:$RASA_PORT

Differences from :class:`rasa.core.channels.socketio.SocketIOInput`:

* ``sio.enter_room`` / ``leave_room`` are awaited when they are coroutines
  (python-socketio >= 5.10, rasa#13027) and called plainly on 5.9.
* The ``Origin`` header of every socket.io request is checked against an
  exact-match allow-list (``allowed_origins``) through python-socketio's
  ``cors_allowed_origins``. Rasa's stock channel passes ``[]``, which turns the
  check *off*; here an empty list or ``*`` is refused.
* Session ids are issued by the server. ``session_confirm`` carries a signed
  token ``<id>.<issued_at>.<hmac>`` (HMAC-SHA256 with the secret from the env
  variable ``SOCKETIO_SESSION_SECRET``, random per process when unset). A
  client that sends the token back (on reconnect) gets the same conversation;
  an unsigned, tampered, expired or guessed id gets a fresh session. The
  ``session_id`` a client puts into ``user_uttered`` is never trusted: the
  conversation is the one bound to the socket by ``session_request``.
* A response's text is sent as a plain ``{"text": ...}`` message (with
  ``quick_replies`` for buttons) and its custom payload (``custom: {"triage":
  ...}``) as a ``{"custom": {...}}`` message of its own, right after it: clients
  of Rasa's socket.io protocol (rasa-webchat) drop text sent beside a payload.
  The stock channel passes payloads as keyword arguments to ``sio.emit``, which
  breaks for anything but ``{"data": ...}``; here they are the event's data.
* The ``web/`` folder is served by the Rasa server: ``GET /`` from a browser
  (``Accept: text/html``) returns ``web/index.html``; ``/web/<file>`` serves
  the widget's files. Non-browser ``GET /`` still gets Rasa's health text.
"""

import base64
import hashlib
import hmac
import inspect
import json
import logging
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Tuple

import rasa.core.channels.channel
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

logger = logging.getLogger(__name__)

SECRET_ENV = "SOCKETIO_SESSION_SECRET"
ORIGINS_ENV = "WEB_ALLOWED_ORIGINS"
DEFAULT_PORT = "5005"  # Rasa's default port, as in scripts/run.sh
DEFAULT_SESSION_MAX_AGE = 24 * 3600
DEFAULT_MAX_MESSAGE_LENGTH = 2000
DEFAULT_WEB_DIR = Path(__file__).resolve().parent.parent / "web"

_ORIGIN_RE = re.compile(
    r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9a-fA-F:]+\](:[0-9]{1,5})?$"
)
_SESSION_ID_RE = re.compile(r"^[0-9a-f]{32}$")

_STATIC_TYPES = {
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


async def maybe_await(value: Any) -> Any:
    """Await ``value`` if it is awaitable (python-socketio >= 5.10 made
    ``AsyncServer.enter_room``/``leave_room`` coroutines; 5.9 returns None)."""
    if inspect.isawaitable(value):
        return await value
    return value


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
    """Validate an exact-match origin allow-list (``scheme://host[:port]``)."""
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
        elif len(secret) < 32:
            logger.warning(f"{SECRET_ENV} is shorter than 32 characters.")
        self._key = secret.encode("utf-8")
        self.max_age = int(max_age)

    def _mac(self, session_id: str, issued_at: int) -> str:
        msg = self.VERSION + b"|" + session_id.encode("ascii") + b"|" + str(issued_at).encode("ascii")
        digest = hmac.new(self._key, msg, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def issue(self, session_id: Optional[str] = None, now: Optional[float] = None) -> str:
        session_id = session_id or secrets.token_hex(16)
        issued_at = int(now if now is not None else time.time())
        return f"{session_id}.{issued_at}.{self._mac(session_id, issued_at)}"

    def verify(self, token: Any, now: Optional[float] = None) -> Optional[str]:
        """Return the session id if ``token`` is authentic and fresh, else None."""
        if not isinstance(token, str) or len(token) > 200:
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
        if issued_at > now + 60 or (self.max_age > 0 and now - issued_at > self.max_age):
            return None
        return session_id


class SecureSocketIOOutput(SocketIOOutput):
    """Output channel that sends text as plain text messages and a ``custom`` payload as a message
    of its own, as stock Rasa does: clients of Rasa's socket.io protocol (rasa-webchat, mobile SDKs)
    render only ``{"text"}`` / ``{"text", "quick_replies"}`` messages and silently drop text that
    travels beside a payload, so an emergency headline must never share a message with one."""

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        # stock Rasa passes the payload as keyword arguments to ``sio.emit`` (broken for anything
        # but ``{"data": ...}``): send it as the event's data instead
        await self._send_message(recipient_id, {"custom": json_message})

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        custom = message.get("custom")
        if not isinstance(custom, dict) or not custom:
            await super().send_response(recipient_id, message)
            return
        rest = {k: v for k, v in message.items() if k != "custom"}
        text = rest.pop("text", None)
        buttons = rest.pop("buttons", None) or rest.pop("quick_replies", None)
        if text:
            # one text message (not split into paragraphs): a widget that shows the payload as a
            # card takes the text just before it into the card
            plain: Dict[str, Any] = {"text": text}
            if buttons:
                plain["quick_replies"] = [
                    {"content_type": "text", "title": b.get("title"), "payload": b.get("payload")}
                    for b in buttons
                ]
            await self._send_message(recipient_id, plain)
        await self._send_message(recipient_id, {"custom": custom})
        # anything else (image, attachment, elements) the usual way
        others = {k: v for k, v in rest.items() if k in ("image", "attachment", "elements")}
        if others:
            await super().send_response(recipient_id, others)


class _WebSocketBlueprint(Blueprint):
    """Attaches socket.io and (optionally) the static web widget to the app."""

    def __init__(self, channel: "SecureSocketIOInput", sio: AsyncServer, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ctx.sio = sio
        self.ctx.channel = channel

    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        channel: SecureSocketIOInput = self.ctx.channel
        self.ctx.sio.attach(app, channel.socketio_path)
        if channel.serve_web:
            channel._register_static(app)
        super().register(app, options)


class SecureSocketIOInput(SocketIOInput):
    """socket.io input channel with origin allow-list and signed server sessions."""

    @classmethod
    def name(cls) -> str:
        # keep "socketio" so channel-specific responses for socketio still apply
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        credentials = credentials or {}
        if credentials.get("session_persistence") is False:
            logger.info("secure_socketio: session_persistence is always on; option ignored.")
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            True,
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
            allowed_origins=credentials.get("allowed_origins"),
            session_max_age=credentials.get("session_max_age", DEFAULT_SESSION_MAX_AGE),
            max_message_length=credentials.get("max_message_length", DEFAULT_MAX_MESSAGE_LENGTH),
            serve_web=credentials.get("serve_web", True),
            web_dir=credentials.get("web_dir"),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: Optional[str] = None,
        session_persistence: bool = True,
        socketio_path: Optional[str] = "/socket.io",
        jwt_key: Optional[str] = None,
        jwt_method: Optional[str] = "HS256",
        metadata_key: Optional[str] = "metadata",
        allowed_origins: Optional[List[str]] = None,
        session_max_age: int = DEFAULT_SESSION_MAX_AGE,
        max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH,
        serve_web: bool = True,
        web_dir: Optional[str] = None,
        session_secret: Optional[str] = None,
    ) -> None:
        super().__init__(
            user_message_evt,
            bot_message_evt,
            namespace,
            True,
            socketio_path,
            jwt_key,
            jwt_method,
            metadata_key,
        )
        self.allowed_origins = normalise_origins(allowed_origins)
        self.signer = SessionSigner(session_secret or os.environ.get(SECRET_ENV), int(session_max_age))
        self.max_message_length = int(max_message_length)
        self.serve_web = bool(serve_web)
        self.web_dir = Path(web_dir).resolve() if web_dir else DEFAULT_WEB_DIR
        logger.info(f"secure_socketio: allowed origins {self.allowed_origins}")

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return SecureSocketIOOutput(self.sio, self.bot_message_evt)

    # ------------------------------------------------------------------ sessions
    async def _bind_session(self, sio: AsyncServer, sid: str, token: Any) -> Tuple[str, str]:
        """Bind socket ``sid`` to the session of ``token`` (or a fresh one)."""
        session_id = self.signer.verify(token)
        if session_id is None:
            if token:
                logger.info(f"secure_socketio: {sid} sent an invalid session token; new session.")
            token = self.signer.issue()
            session_id = self.signer.verify(token)
            assert session_id is not None
        sock = await sio.get_session(sid, namespace=self.namespace)
        old = sock.get("session_id")
        if old and old != session_id:
            await maybe_await(sio.leave_room(sid, old, namespace=self.namespace))
        await maybe_await(sio.enter_room(sid, session_id, namespace=self.namespace))
        sock["session_id"] = session_id
        await sio.save_session(sid, sock, namespace=self.namespace)
        return session_id, token

    # ------------------------------------------------------------------ blueprint
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=list(self.allowed_origins),
            cors_credentials=False,
            max_http_buffer_size=64 * 1024,
        )
        bp = _WebSocketBlueprint(self, sio, "secure_socketio_webhook", __name__)
        self.sio = sio

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if self.jwt_key:
                payload = None
                if isinstance(auth, dict) and auth.get("token"):
                    payload = rasa.core.channels.channel.decode_bearer_token(
                        auth.get("token"), self.jwt_key, self.jwt_algorithm
                    )
                if not payload:
                    return False
            logger.debug(f"User {sid} connected to secure socketIO endpoint.")
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            logger.debug(f"User {sid} disconnected from secure socketIO endpoint.")

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            _, token = await self._bind_session(sio, sid, token)
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict):
                return
            sock = await sio.get_session(sid, namespace=self.namespace)
            session_id = sock.get("session_id")
            if session_id is None:
                # no session_request yet: accept only a valid signed token
                if self.signer.verify(data.get("session_id")) is None:
                    logger.warning(
                        f"secure_socketio: message from {sid} without a valid "
                        "session; ignored (send session_request first)."
                    )
                    return
                session_id, _ = await self._bind_session(sio, sid, data.get("session_id"))

            if "message" not in data:
                # rasa-webchat's "init payload" when the page sets none: nothing was said
                return
            text = data.get("message")
            if not isinstance(text, str):
                return
            if len(text) > self.max_message_length:
                text = text[: self.max_message_length]

            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}

            message = UserMessage(
                text,
                SecureSocketIOOutput(sio, self.bot_message_evt),
                session_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)

        return bp

    # ------------------------------------------------------------------ static web
    def _static_response(self, rel: str, request: Request) -> HTTPResponse:
        base = self.web_dir
        try:
            path = (base / rel).resolve()
            path.relative_to(base)
        except (ValueError, OSError):
            return response.text("Not found", status=404)
        ctype = _STATIC_TYPES.get(path.suffix.lower())
        if (
            ctype is None
            or not path.is_file()
            or any(p.startswith(".") for p in path.relative_to(base).parts)
        ):
            return response.text("Not found", status=404)
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache",
        }
        if path.suffix.lower() == ".html":
            connect = " ".join(
                ["'self'"]
                + [
                    o.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
                    for o in self.allowed_origins
                ]
                + self.allowed_origins
            )
            headers["Content-Security-Policy"] = (
                "default-src 'self'; script-src 'self'; style-src 'self'; "
                f"img-src 'self' data:; connect-src {connect}; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
            )
            headers["X-Frame-Options"] = "DENY"
        body = b"" if request.method == "HEAD" else path.read_bytes()
        return HTTPResponse(body=body, status=200, headers=headers, content_type=ctype)

    def _register_static(self, app: Sanic) -> None:
        if not (self.web_dir / "index.html").is_file():
            logger.warning(f"secure_socketio: no index.html in {self.web_dir}; not serving web/.")
            return

        async def web_file(request: Request, filename: str) -> HTTPResponse:
            return self._static_response(filename, request)

        app.add_route(
            web_file,
            "/web/<filename:path>",
            methods=["GET", "HEAD"],
            name="secure_socketio_web_file",
        )

        async def index_middleware(request: Request) -> Optional[HTTPResponse]:
            if (
                request.path in ("/", "/index.html")
                and request.method in ("GET", "HEAD")
                and "text/html" in request.headers.get("accept", "")
            ):
                return self._static_response("index.html", request)
            return None

        app.register_middleware(index_middleware, "request")
        logger.info(f"secure_socketio: serving {self.web_dir} at / and /web/")
