"""Hardened socket.io input channel for the back-pain triage web widget.

Use in credentials.yml instead of the built-in ``socketio`` entry::

    channels.secure_socketio.SecureSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      allowed_origins:          # optional; default: $WEB_ALLOWED_ORIGINS, else
        - https://clinic.example  # http://localhost:$RASA_PORT and http://127.0.0.1:$RASA_PORT

Differences from :class:`rasa.core.channels.socketio.SocketIOInput` (each piece in
``channels/socketio_web/``):

* ``sio.enter_room`` / ``leave_room`` are awaited when they are coroutines
  (python-socketio >= 5.10, rasa#13027) and called plainly on 5.9.
* The ``Origin`` header of every socket.io request is checked against an exact-match allow-list
  (``origins.py``); Rasa's stock channel passes ``[]``, which turns the check *off*.
* Session ids are issued by the server as signed tokens (``sessions.py``). A client that sends the
  token back (on reconnect) gets the same conversation; an unsigned, tampered, expired or guessed
  id gets a fresh session. The ``session_id`` a client puts into ``user_uttered`` is never trusted:
  the conversation is the one bound to the socket by ``session_request``.
* Text goes as plain ``{"text"}`` messages and a custom payload as a message of its own
  (``output.py``), so rasa-webchat and other clients of Rasa's protocol show every word.
* A client's disconnect ends quietly, without an ERROR traceback (``engineio_route.py``).
* The ``web/`` folder (the widget and its demo page) is served by the Rasa server (``static.py``),
  and each new session gets the widget's labels from a content file (``labels.py``).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

import rasa.core.channels.channel
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels.socketio_web import engineio_route
from channels.socketio_web.engineio_route import maybe_await
from channels.socketio_web.labels import LABELS_EVENT, load_labels
from channels.socketio_web.origins import ORIGINS_ENV, default_origins, normalise_origins
from channels.socketio_web.output import SecureSocketIOOutput
from channels.socketio_web.sessions import DEFAULT_SESSION_MAX_AGE, SECRET_ENV, SessionSigner
from channels.socketio_web.static import DEFAULT_WEB_DIR, WebFiles

__all__ = [
    "ORIGINS_ENV",
    "SECRET_ENV",
    "SecureSocketIOInput",
    "SecureSocketIOOutput",
    "SessionSigner",
    "default_origins",
    "maybe_await",
    "normalise_origins",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_LENGTH = 2000  # a patient's message is a few sentences; more is cut, not refused
MAX_HTTP_BUFFER_BYTES = 64 * 1024  # one socket.io packet: a message plus metadata, with room to spare


class _WebSocketBlueprint(Blueprint):
    """Attaches socket.io and (optionally) the static web widget to the app when Rasa registers it."""

    def __init__(self, channel: SecureSocketIOInput, sio: AsyncServer, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ctx.sio = sio
        self.ctx.channel = channel

    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        channel: SecureSocketIOInput = self.ctx.channel
        engineio_route.attach(app, self.ctx.sio, channel.socketio_path, "secure_socketio_engineio")
        if channel.serve_web:
            WebFiles(channel.web_dir, channel.allowed_origins).register(app, "secure_socketio_web_file")
        super().register(app, options)  # type: ignore[no-untyped-call]  # unannotated in sanic 21.12


def _metadata(raw: Any) -> Dict[str, Any]:
    """A message's metadata as a dict: clients send a dict, a JSON string, or rubbish."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return raw if isinstance(raw, dict) else {}


class SecureSocketIOInput(SocketIOInput):  # type: ignore[misc]  # Rasa ships no type information
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
            labels_file=credentials.get("labels_file"),
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
        labels_file: Optional[str] = None,
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
        self.labels = load_labels(Path(labels_file) if labels_file else None)
        logger.info(f"secure_socketio: allowed origins {self.allowed_origins}")

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return SecureSocketIOOutput(self.sio, self.bot_message_evt)

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

    async def _session_of(self, sio: AsyncServer, sid: str, data: Dict[str, Any]) -> Optional[str]:
        """The conversation a message from ``sid`` belongs to: the one its ``session_request``
        bound, else the one of a valid signed token in the message, else none (ignored)."""
        sock = await sio.get_session(sid, namespace=self.namespace)
        session_id: Optional[str] = sock.get("session_id")
        if session_id is not None:
            return session_id
        if self.signer.verify(data.get("session_id")) is None:
            logger.warning(
                f"secure_socketio: message from {sid} without a valid session; ignored "
                "(send session_request first)."
            )
            return None
        session_id, _ = await self._bind_session(sio, sid, data.get("session_id"))
        return session_id

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=list(self.allowed_origins),
            cors_credentials=False,
            max_http_buffer_size=MAX_HTTP_BUFFER_BYTES,
        )
        bp = _WebSocketBlueprint(self, sio, "secure_socketio_webhook", __name__)
        self.sio = sio

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def connect(sid: str, environ: Dict[str, Any], auth: Optional[Dict[str, Any]] = None) -> bool:
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

        async def disconnect(sid: str) -> None:
            logger.debug(f"User {sid} disconnected from secure socketIO endpoint.")

        async def session_request(sid: str, data: Any = None) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            _, token = await self._bind_session(sio, sid, token)
            # the labels first: the widget renders the conversation with them once confirmed
            await sio.emit(LABELS_EVENT, self.labels, room=sid, namespace=self.namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict):
                return
            session_id = await self._session_of(sio, sid, data)
            if session_id is None or "message" not in data:
                # no "message": rasa-webchat's "init payload" when the page sets none
                return
            text = data.get("message")
            if not isinstance(text, str):
                return
            message = UserMessage(
                text[: self.max_message_length],
                SecureSocketIOOutput(sio, self.bot_message_evt),
                session_id,
                input_channel=self.name(),
                metadata=_metadata(data.get(self.metadata_key)),
            )
            await on_new_message(message)

        # registered by call, not as decorators: socket.io ships no type information, and a
        # decorator of unknown type would leave the handlers untyped
        bp.add_route(health, "/", methods=["GET"])
        sio.on("connect", connect, namespace=self.namespace)
        sio.on("disconnect", disconnect, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return bp
