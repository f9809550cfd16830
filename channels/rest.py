"""The REST channel with input checks: malformed requests get a clear 4xx, never a 500.

Rasa's own RestInput answers 500 when "message" is missing or not text, and files a message with
no "sender" under the shared id "default" (mixing patients). This subclass keeps its URL
(/webhooks/rest/webhook) and behaviour, and refuses such requests with a JSON error instead.
A sender id with control characters (NUL included) or broken unicode is refused too (channels/ids.py).

Beyond this machine REST is for server-to-server use with a bearer token: a server listening on
any other interface (Rasa's default is 0.0.0.0) refuses to start without REST_AUTH_TOKEN.

A server that could not answer says so: Rasa's RestInput answers 200 with an empty list when the
action server is down (the failed action is only logged) or the tracker store fails; this one
answers 503 with Retry-After, so a client or the load balancer (deploy/haproxy.cfg) tries again,
elsewhere. GET /webhooks/rest/ready is the load balancer's check: 200 only when the model is
loaded and this replica's action server answers (channels/availability.py).
"""

from __future__ import annotations

import hmac
import logging
import os
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Optional, Union

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage as BadRequest  # sanic 21.12 name for 400
from sanic.exceptions import PayloadTooLarge, Unauthorized
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from channels.availability import action_server_ready, track_turn
from channels.ids import is_safe_id
from privacy.logs import ConfigurationError

logger = logging.getLogger(__name__)

# Ten times the longest message we read (channels/inbound.py cuts at 10,000 characters and says
# so); beyond this a request is refused before any processing.
MAX_MESSAGE_CHARS = 100_000
# Sender ids are opaque client ids (UUIDs, phone numbers); longer ones are not ids.
MAX_SENDER_CHARS = 128
USAGE = 'send a JSON object: {"sender": "<your id>", "message": "<text>"}'
# Conversations of the messaging platforms are named "<platform>:<id>" (e.g. a phone number for
# SMS): a REST client must never be able to write into, or read the replies of, one of those.
RESERVED_SENDER_MARK = ":"
# When set, every REST request must carry "Authorization: Bearer <token>" (deployments that
# expose the REST channel beyond a trusted integration). Unset: open, as for local use.
TOKEN_ENV = "REST_AUTH_TOKEN"
# Interfaces that reach this machine only. `rasa run` listens on 0.0.0.0 unless told otherwise.
LOOPBACK_NAMES = ("localhost", "::1")
RASA_DEFAULT_INTERFACE = "0.0.0.0"


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    return host in LOOPBACK_NAMES or (host.startswith("127.") and host.replace(".", "").isdigit())


def check_exposure(host: Optional[str], token: Optional[str]) -> None:
    """Refuse to serve REST beyond this machine without a bearer token."""
    host = host or RASA_DEFAULT_INTERFACE
    if not is_loopback(host) and not token:
        raise ConfigurationError(
            f"the server listens on {host}, beyond this machine, and {TOKEN_ENV} is not set: REST would "
            f"be open to anyone. Set {TOKEN_ENV} (clients send 'Authorization: Bearer <token>') or "
            "listen on 127.0.0.1 (scripts/run.sh does unless RASA_HOST says otherwise)."
        )


# Seconds a client should wait before sending the message again after a 503: the load balancer
# takes a replica out after two failed checks one second apart (deploy/haproxy.cfg), so by then
# the message reaches one that can answer.
RETRY_AFTER_S = 2
UNAVAILABLE = "the assistant could not answer this message just now; please send it again"


def _check_token(req: Request) -> None:
    expected = os.environ.get(TOKEN_ENV)
    if expected and not hmac.compare_digest(req.headers.get("Authorization", ""), f"Bearer {expected}"):
        # sanic 21.12 (Rasa's pin) leaves the exception's __init__ unannotated
        raise Unauthorized("REST channel: missing or wrong bearer token", scheme="Bearer")  # type: ignore[no-untyped-call]


def _body(req: Request) -> dict[str, Any]:
    body = req.json  # invalid JSON already raises a 400 here
    if not isinstance(body, dict):
        raise BadRequest(f"Expected a JSON object: {USAGE}")
    return body


class ValidatingRestInput(RestInput):  # type: ignore[misc]  # Rasa ships no type information
    """RestInput that validates sender and message (name stays "rest": same webhook URL)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[str]:
        sender = _body(req).get("sender")
        if isinstance(sender, bool) or not isinstance(sender, str | int) or not str(sender).strip():
            raise BadRequest(f'"sender" is missing or not a string: {USAGE}')
        if len(str(sender)) > MAX_SENDER_CHARS:
            raise BadRequest(f'"sender" is longer than {MAX_SENDER_CHARS} characters')
        if not is_safe_id(str(sender)):
            raise BadRequest('"sender" may not contain control characters or broken unicode')
        if RESERVED_SENDER_MARK in str(sender):
            raise BadRequest(f'"sender" may not contain "{RESERVED_SENDER_MARK}" (reserved for channels)')
        _check_token(req)
        return str(sender)

    def _extract_message(self, req: Request) -> Optional[str]:
        message = _body(req).get("message")
        if not isinstance(message, str):
            raise BadRequest(f'"message" is missing or not a string: {USAGE}')
        if len(message) > MAX_MESSAGE_CHARS:
            raise PayloadTooLarge(f'"message" is longer than {MAX_MESSAGE_CHARS} characters')
        return message

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST routes (same URLs), answering 503 when the message got no answer."""
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "model not loaded"}, status=503)
            if not await action_server_ready(agent.action_endpoint):
                return response.json({"status": "action server not answering"}, status=503)
            return response.json({"status": "ok"})

        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            input_channel = self._extract_input_channel(request)
            metadata = self.get_metadata(request)
            if bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(on_new_message, text, sender_id, input_channel, metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            with track_turn() as failures:
                try:
                    await on_new_message(
                        UserMessage(
                            text, collector, sender_id, input_channel=input_channel, metadata=metadata
                        )
                    )
                except CancelledError:
                    raise  # Sanic's response timeout: it answers 503 itself
                except Exception as e:  # the tracker or lock store failed: no answer
                    logger.exception("REST channel: the message could not be handled")
                    failures.append(type(e).__name__)  # the type only: a message may quote data
            if failures:
                logger.error(f"REST channel: answering 503, the message got no answer: {failures}")
                return response.json(
                    {"error": UNAVAILABLE}, status=503, headers={"Retry-After": str(RETRY_AFTER_S)}
                )
            return response.json(collector.messages)

        async def refuse_open_rest(app: Any, _loop: Any) -> None:
            try:
                check_exposure(app.state.host, os.environ.get(TOKEN_ENV))
            except ConfigurationError as err:
                logger.error("REST channel: %s", err)
                raise

        # registered by plain calls (sanic 21.12's decorators are untyped)
        bp.route("/", methods=["GET"])(health)
        bp.route("/ready", methods=["GET"])(ready)
        bp.route("/webhook", methods=["POST"])(receive)
        bp.listener("before_server_start")(refuse_open_rest)
        return bp
