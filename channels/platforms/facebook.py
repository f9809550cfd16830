"""Facebook Messenger: ``channels.platforms.facebook.FacebookChannel`` in credentials.yml.

Environment (names can be changed in credentials.yml), all but the URL required:

* FACEBOOK_PAGE_ACCESS_TOKEN: the Page token used by the Send API.
* FACEBOOK_APP_SECRET: every webhook POST must carry ``X-Hub-Signature-256: sha256=<hex
  HMAC-SHA256 of the raw body with the app secret>``, else 403. (Rasa's channel checks the
  older SHA-1 ``X-Hub-Signature`` header.)
* FACEBOOK_VERIFY_TOKEN: the token you type into the webhook settings; the subscription
  handshake (GET with hub.mode=subscribe) must present it.
* FACEBOOK_GRAPH_URL: Graph API base including the version, default
  https://graph.facebook.com/v23.0 (raise the version when Meta retires it).

Differences from Rasa's ``FacebookInput``: every event of a batched webhook is handled (Rasa's
stops at the first); buttons are quick replies (up to 13; titles cut to 20 characters at a word,
and then the full options are listed by number in the text, which a typed number answers);
the Send API is called without blocking the server.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.facebook import FacebookInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.platforms.base import (
    TEXT_ONLY_NOTE,
    ApiClient,
    BackgroundHandler,
    DeliveryLog,
    EnvSetting,
    PlatformChannel,
    PlatformOutput,
    Settings,
    api_base,
    button_token,
    clean_title,
    conversation_id,
    numbered_list,
    off_blueprint,
    platform_id,
    resolve_answer,
    shorten,
    split_text,
    user_message,
)

logger = logging.getLogger(__name__)

PLATFORM = "facebook"
DEFAULT_GRAPH_URL = "https://graph.facebook.com/v23.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"
TEXT_LIMIT = 2000
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


def numbered(buttons: List[Dict[str, Any]]) -> bool:
    """Whether the options are listed by number in the text (too many, or titles shortened)."""
    return len(buttons) > MAX_QUICK_REPLIES or any(
        len(clean_title(b.get("title"))) > TITLE_LIMIT for b in buttons
    )


def quick_replies(buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
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


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), (header or "").strip().encode())


class FacebookOutput(PlatformOutput):
    """Sends through the Send API (POST /me/messages)."""

    @classmethod
    def name(cls) -> str:
        return PLATFORM

    def __init__(self, api: ApiClient, graph_url: str, page_access_token: str) -> None:
        super().__init__()
        self.api = api
        self.graph_url = graph_url
        self.page_access_token = page_access_token

    async def _send(self, recipient_id: str, message: Dict[str, Any]) -> None:
        body = {
            "recipient": {"id": platform_id(PLATFORM, recipient_id)},
            "messaging_type": "RESPONSE",
            "message": message,
        }
        await self.api.call(
            "send",
            "POST",
            f"{self.graph_url}/me/messages",
            json=body,
            params={"access_token": self.page_access_token},
        )

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

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(
            recipient_id, {"attachment": {"type": "image", "payload": {"url": image, "is_reusable": True}}}
        )


def _mid(event: Dict[str, Any]) -> Optional[str]:
    """A messaging event's delivery id: the message's ``mid`` (a postback's, or none)."""
    mid = (event.get("message") or {}).get("mid") or (event.get("postback") or {}).get("mid")
    return str(mid) if mid else None


class FacebookChannel(PlatformChannel, FacebookInput):
    """Messenger webhook (``/webhooks/facebook/webhook``); off while its variables are unset."""

    PLATFORM, SETTINGS = PLATFORM, SETTINGS

    def __init__(self, settings: Settings) -> None:  # noqa: D107 (Rasa's __init__ is not called)
        if not self._start(settings):
            return
        self.fb_access_token = settings["page_access_token_env"]
        self.fb_secret = settings["app_secret_env"]
        self.fb_verify = settings["verify_token_env"]
        self.graph_url = api_base(settings, "graph_url_env")
        self.api = ApiClient(PLATFORM, _error_of)
        self.background = BackgroundHandler(PLATFORM)
        self.deliveries = DeliveryLog()

    def get_output_channel(self) -> Optional[FacebookOutput]:
        if not self.settings.on:
            return None
        return FacebookOutput(self.api, self.graph_url, self.fb_access_token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not self.settings.on:
            return off_blueprint(PLATFORM)
        bp = self._blueprint()

        @bp.route("/webhook", methods=["GET"])
        async def subscribe(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode(), self.fb_verify.encode()
            ):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("facebook: webhook subscription refused: wrong verify token")
            return response.text("forbidden", status=403)

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not verify_signature(
                self.fb_secret, request.body, request.headers.get(SIGNATURE_HEADER) or ""
            ):
                logger.warning("facebook: request refused: bad or missing %s", SIGNATURE_HEADER)
                return response.text("forbidden", status=403)
            body = request.json if isinstance(request.json, dict) else {}
            messages = []
            if body.get("object") == "page":
                for entry in body.get("entry") or []:
                    events = [e for e in entry.get("messaging") or [] if self.deliveries.first_time(_mid(e))]
                    messages += [m for m in map(self._message_of, events) if m]
            if messages:  # one task, so a batch is handled in order
                self.background.spawn(self._handle(request.app, messages, on_new_message))
            return response.text("EVENT_RECEIVED")

        return bp

    @staticmethod
    def _message_of(event: Dict[str, Any]) -> Optional[Tuple[str, str]]:
        """(sender, text) of a patient's message, quick reply or postback (text "" for attachments only)."""
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
        return str(sender), text

    async def _handle(
        self,
        app: Any,
        messages: List[Tuple[str, str]],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        for sender, text in messages:
            if not text.strip():
                await self.get_output_channel().send_text_message(sender, TEXT_ONLY_NOTE)
                continue
            sender_id = conversation_id(PLATFORM, sender)
            text = await resolve_answer(app, sender_id, text, numbered)
            await on_new_message(user_message(text, self.get_output_channel(), sender_id, PLATFORM))
