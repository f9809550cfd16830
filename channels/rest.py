"""The REST channel with input checks: malformed requests get a clear 4xx, never a 500.

Rasa's own RestInput answers 500 when "message" is missing or not text, and files a message with
no "sender" under the shared id "default" (mixing patients). This subclass keeps its URL
(/webhooks/rest/webhook) and behaviour, and refuses such requests with a JSON error instead.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage as BadRequest  # sanic 21.12 name for 400
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request

# Ten times the longest message we invite (10,000 characters are answered politely); beyond this
# a request is refused before any processing.
MAX_MESSAGE_CHARS = 100_000
# Sender ids are opaque client ids (UUIDs, phone numbers); longer ones are not ids.
MAX_SENDER_CHARS = 128
USAGE = 'send a JSON object: {"sender": "<your id>", "message": "<text>"}'


def _body(req: Request) -> dict[str, Any]:
    body = req.json  # invalid JSON already raises a 400 here
    if not isinstance(body, dict):
        raise BadRequest(f"Expected a JSON object: {USAGE}")
    return body


class ValidatingRestInput(RestInput):
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
        return str(sender)

    def _extract_message(self, req: Request) -> Optional[str]:
        message = _body(req).get("message")
        if not isinstance(message, str):
            raise BadRequest(f'"message" is missing or not a string: {USAGE}')
        if len(message) > MAX_MESSAGE_CHARS:
            raise PayloadTooLarge(f'"message" is longer than {MAX_MESSAGE_CHARS} characters')
        return message
