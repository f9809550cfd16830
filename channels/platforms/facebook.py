"""Facebook Messenger: ``channels.platforms.facebook.FacebookChannel`` in credentials.yml.

Environment (names can be changed in credentials.yml), all but the URL required:

* FACEBOOK_PAGE_ACCESS_TOKEN: the Page token used by the Send API. It travels in the
  ``Authorization: Bearer`` header, never in the URL query (URLs end up in proxy and access logs).
* FACEBOOK_APP_SECRET: every webhook POST must carry ``X-Hub-Signature-256: sha256=<hex
  HMAC-SHA256 of the raw body with the app secret>``, else 403. (Rasa's channel checks the
  older SHA-1 ``X-Hub-Signature`` header.)
* FACEBOOK_VERIFY_TOKEN: the token you type into the webhook settings; the subscription
  handshake (GET with hub.mode=subscribe, Facebook's protocol) must present it.
* FACEBOOK_GRAPH_URL: Graph API base including the version, default
  https://graph.facebook.com/v23.0 (raise the version when Meta retires it).

Differences from Rasa's ``FacebookInput``: every event of a batched webhook is handled (Rasa's
stops at the first); buttons are quick replies (up to 13; titles cut to 20 characters at a word,
and then the full options are listed by number in the text, which a typed number answers); the
emergency advice comes with a call button; the Send API is called without blocking the server.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Dict, List, Optional, Sequence

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.platforms.answers import button_token
from channels.platforms.api import ApiClient
from channels.platforms.base import Incoming, Parsed, PlatformChannel, PlatformOutput, platform_id
from channels.platforms.settings import EnvSetting, Settings, api_base
from channels.platforms.text import Button, clean_title, note, numbered_list, shorten, split_text

logger = logging.getLogger(__name__)

PLATFORM = "facebook"
DEFAULT_GRAPH_URL = "https://graph.facebook.com/v23.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"
# Messenger's limits: characters of a text message, of a button template's text, quick replies
# per message, characters of a quick-reply or button title, and of a quick reply's payload.
TEXT_LIMIT = 2000
TEMPLATE_TEXT_LIMIT = 640
MAX_QUICK_REPLIES = 13
TITLE_LIMIT = 20
PAYLOAD_LIMIT = 1000

SETTINGS = (
    EnvSetting("page_access_token_env", "FACEBOOK_PAGE_ACCESS_TOKEN", required=True),
    EnvSetting("app_secret_env", "FACEBOOK_APP_SECRET", required=True),
    EnvSetting("verify_token_env", "FACEBOOK_VERIFY_TOKEN", required=True),
    EnvSetting("graph_url_env", "FACEBOOK_GRAPH_URL", default=DEFAULT_GRAPH_URL),
)


def _error_of(status: int, body: Any) -> Optional[str]:
    if status < 400:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('type', 'error')} {error.get('code', '')}".strip()
    return "no JSON answer"


def numbered(buttons: Sequence[Button]) -> bool:
    """Whether the options are listed by number in the text (too many, or titles shortened)."""
    return len(buttons) > MAX_QUICK_REPLIES or any(
        len(clean_title(b.get("title"))) > TITLE_LIMIT for b in buttons
    )


def quick_replies(buttons: Sequence[Button]) -> List[Dict[str, Any]]:
    """Quick replies for at most 13 buttons; numbered titles when the text lists the options."""
    if len(buttons) > MAX_QUICK_REPLIES:
        return []  # the numbered list in the text is the only way to answer
    with_numbers = numbered(buttons)
    replies = []
    for i, button in enumerate(buttons, start=1):
        prefix = f"{i}. " if with_numbers else ""
        replies.append(
            {
                "content_type": "text",
                "title": prefix + shorten(button.get("title"), TITLE_LIMIT - len(prefix)),
                "payload": button_token(str(button.get("payload") or ""), PAYLOAD_LIMIT),
            }
        )
    return replies


def call_template(text: str, number: str) -> Dict[str, Any]:
    """A button template: the advice with Messenger's call button (``phone_number``, "+<digits>")."""
    button = {"type": "phone_number", "title": shorten(note("call_button", number=number), TITLE_LIMIT)}
    button["payload"] = f"+{number}"
    payload = {"template_type": "button", "text": text, "buttons": [button]}
    return {"attachment": {"type": "template", "payload": payload}}


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), (header or "").strip().encode())


class FacebookOutput(PlatformOutput):
    """Sends through the Send API (POST /me/messages), the token in the Authorization header."""

    PLATFORM = PLATFORM

    def __init__(self, api: ApiClient, graph_url: str, page_access_token: str) -> None:
        super().__init__()
        self.api = api
        self.graph_url = graph_url
        self.headers = {"Authorization": f"Bearer {page_access_token}"}

    async def _send(self, recipient_id: str, message: Dict[str, Any]) -> bool:
        """Send one message; False when the Send API refused it (or could not be reached)."""
        body = {
            "recipient": {"id": platform_id(PLATFORM, recipient_id)},
            "messaging_type": "RESPONSE",
            "message": message,
        }
        answer = await self.api.call(
            "send", "POST", f"{self.graph_url}/me/messages", json=body, headers=self.headers
        )
        return answer is not None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_text(text, TEXT_LIMIT):
            await self._send(recipient_id, {"text": part})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        if numbered(buttons):
            text = f"{text}\n\n{numbered_list(buttons)}"
        parts = split_text(text, TEXT_LIMIT)
        replies = quick_replies(buttons)
        for i, part in enumerate(parts):
            message: Dict[str, Any] = {"text": part}
            if replies and i == len(parts) - 1:
                message["quick_replies"] = replies
            await self._send(recipient_id, message)

    async def send_call(self, recipient_id: str, text: str, number: str) -> None:
        *before, last = split_text(text, TEMPLATE_TEXT_LIMIT)
        for part in before:
            await self._send(recipient_id, {"text": part})
        if not await self._send(recipient_id, call_template(last, number)):
            # The advice must arrive even if the button does not (Messenger wants "+<country
            # code><number>", which a short emergency number such as 911 is not): plain text.
            await self._send(recipient_id, {"text": last})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(
            recipient_id, {"attachment": {"type": "image", "payload": {"url": image, "is_reusable": True}}}
        )


def _mid(event: Dict[str, Any]) -> Optional[str]:
    """A messaging event's delivery id: the message's ``mid`` (a postback's, or none)."""
    mid = (event.get("message") or {}).get("mid") or (event.get("postback") or {}).get("mid")
    return str(mid) if mid else None


def _incoming(event: Dict[str, Any]) -> Optional[Incoming]:
    """A patient's message, quick reply or postback; a note for attachments without text."""
    sender = (event.get("sender") or {}).get("id")
    message = event.get("message") or {}
    if message.get("is_echo") or not sender:
        return None
    if (message.get("quick_reply") or {}).get("payload"):
        text = str(message["quick_reply"]["payload"])
    elif event.get("postback"):
        text = str(event["postback"].get("payload") or event["postback"].get("title") or "")
    elif message:
        text = str(message.get("text") or "")  # "" for stickers and attachments without text
    else:
        return None  # deliveries, reads, reactions...
    return Incoming(str(sender), text, _mid(event), note=None if text.strip() else "text_only")


class FacebookChannel(PlatformChannel):
    """Messenger webhook (``/webhooks/facebook/webhook``); off while its variables are unset."""

    PLATFORM, SETTINGS, REFUSED = PLATFORM, SETTINGS, f"bad or missing {SIGNATURE_HEADER}"

    def setup(self, settings: Settings) -> None:
        self.fb_access_token = settings.value("page_access_token_env")
        self.fb_secret = settings.value("app_secret_env")
        self.fb_verify = settings.value("verify_token_env")
        self.graph_url = api_base(settings, "graph_url_env")
        self.api = ApiClient(PLATFORM, _error_of)

    def authentic(self, request: Request) -> bool:
        return verify_signature(self.fb_secret, request.body, request.headers.get(SIGNATURE_HEADER) or "")

    def parse(self, request: Request) -> Parsed:
        body = request.json if isinstance(request.json, dict) else {}
        if body.get("object") != "page":
            return []
        events = [e for entry in body.get("entry") or [] for e in entry.get("messaging") or []]
        return [m for m in map(_incoming, events) if m is not None]

    def acknowledge(self) -> HTTPResponse:
        return response.text("EVENT_RECEIVED")

    def output(self, incoming: Optional[Incoming] = None) -> FacebookOutput:
        return FacebookOutput(self.api, self.graph_url, self.fb_access_token)

    def shows_numbers(self, buttons: Sequence[Button]) -> bool:
        return numbered(buttons)

    def add_routes(self, bp: Blueprint) -> None:
        async def subscribe(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode(), self.fb_verify.encode()
            ):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("facebook: webhook subscription refused: wrong verify token")
            return response.text("forbidden", status=403)

        bp.add_route(subscribe, "/webhook", methods=["GET"])

    async def close(self) -> None:
        await self.api.close()
