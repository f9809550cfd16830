"""Telegram: ``channels.platforms.telegram.TelegramChannel`` in credentials.yml.

Environment (names can be changed in credentials.yml):

* TELEGRAM_ACCESS_TOKEN (required): the bot token from @BotFather.
* TELEGRAM_SECRET_TOKEN: the webhook's ``secret_token``. When set, every update must carry it in
  the ``X-Telegram-Bot-Api-Secret-Token`` header (else 403). Without it anyone who knows the
  webhook URL can post fake updates, so set it in production (a warning says so).
* TELEGRAM_WEBHOOK_URL: public URL of ``/webhooks/telegram/webhook``; when set, the server calls
  setWebhook with it (and the secret token) on start.
* TELEGRAM_API_URL: Bot API base, default https://api.telegram.org.

Differences from Rasa's ``TelegramInput``: no getMe call per update (it checked the bot's user
name, which is not authentication) and no setWebhook on every start unless asked; private chats
only (a group's chat id would mix patients' conversations); ``/start`` opens the conversation
like a greeting instead of being read as an intent; buttons are an inline keyboard whose
callback data is the payload (or a token for payloads over Telegram's 64 bytes), and a pressed
button's message is edited to show the answer and drop the keyboard. An edited message is not
passed on (it would answer the question asked now, not the one it first answered): the patient is
asked to send the correction as a new message; photos, voice notes and stickers get a note that
only text is read.
"""

from __future__ import annotations

import hmac
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.platforms.base import (
    EDITED_NOTE,
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
    off_blueprint,
    platform_id,
    resolve_answer,
    split_text,
    user_message,
)

logger = logging.getLogger(__name__)

PLATFORM = "telegram"
DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64  # bytes
START_TEXT = "hi"  # what /start means: open the conversation (intro and consent)
_SECRET_TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

SETTINGS = (
    EnvSetting("access_token_env", "TELEGRAM_ACCESS_TOKEN", required=True),
    EnvSetting("secret_token_env", "TELEGRAM_SECRET_TOKEN"),
    EnvSetting("webhook_url_env", "TELEGRAM_WEBHOOK_URL"),
    EnvSetting("api_url_env", "TELEGRAM_API_URL", default=DEFAULT_API_URL),
)


def _error_of(status: int, body: Any) -> Optional[str]:
    if status < 400 and isinstance(body, dict) and body.get("ok"):
        return None
    if isinstance(body, dict):
        return str(body.get("description") or body.get("error_code") or "not ok")
    return "no JSON answer"


def inline_keyboard(buttons: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Short answers side by side ('Yes | No | Not sure'), longer ones one per row."""
    keys = [
        {
            "text": clean_title(b.get("title")),
            "callback_data": button_token(str(b.get("payload") or ""), CALLBACK_DATA_LIMIT),
        }
        for b in buttons
    ]
    if len(keys) <= 3 and sum(len(k["text"]) for k in keys) <= 30:
        return {"inline_keyboard": [keys]}
    return {"inline_keyboard": [[k] for k in keys]}


_SERVICE_FIELDS = ("new_chat_members", "left_chat_member", "pinned_message", "migrate_to_chat_id")


def _is_service_message(message: Dict[str, Any]) -> bool:
    return any(field in message for field in _SERVICE_FIELDS)


class TelegramOutput(PlatformOutput):
    """Sends through the Bot API (sendMessage)."""

    @classmethod
    def name(cls) -> str:
        return PLATFORM

    def __init__(self, api: ApiClient, bot_url: str) -> None:
        super().__init__()
        self.api = api
        self.bot_url = bot_url  # <base>/bot<token>

    async def _send(self, chat_id: str, text: str, reply_markup: Optional[Dict[str, Any]] = None) -> None:
        parts = split_text(text, TEXT_LIMIT)
        for i, part in enumerate(parts):
            body: Dict[str, Any] = {"chat_id": platform_id(PLATFORM, chat_id), "text": part}
            if reply_markup is not None and i == len(parts) - 1:
                body["reply_markup"] = reply_markup
            await self.api.call("sendMessage", "POST", f"{self.bot_url}/sendMessage", json=body)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send(recipient_id, text, inline_keyboard(buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.api.call(
            "sendPhoto",
            "POST",
            f"{self.bot_url}/sendPhoto",
            json={"chat_id": platform_id(PLATFORM, recipient_id), "photo": image},
        )


class TelegramChannel(PlatformChannel, TelegramInput):
    """Telegram webhook (``/webhooks/telegram/webhook``); off while TELEGRAM_ACCESS_TOKEN is unset."""

    PLATFORM, SETTINGS = PLATFORM, SETTINGS

    def __init__(self, settings: Settings) -> None:  # noqa: D107 (Rasa's __init__ is not called)
        if not self._start(settings):
            return
        self.access_token = settings["access_token_env"]
        self.secret_token = settings["secret_token_env"]
        self.webhook_url = settings["webhook_url_env"]
        self.api = ApiClient(PLATFORM, _error_of)
        self.bot_url = f"{api_base(settings, 'api_url_env')}/bot{self.access_token}"
        self.background = BackgroundHandler(PLATFORM)
        self.deliveries = DeliveryLog()
        if not self.secret_token:
            logger.warning(
                "telegram: %s not set, so webhook updates are not authenticated; set it in production",
                settings.names["secret_token_env"],
            )
        elif not _SECRET_TOKEN_FORMAT.match(self.secret_token):
            logger.warning("telegram: the secret token may only hold A-Z, a-z, 0-9, _ and - (1-256)")

    def get_output_channel(self) -> Optional[TelegramOutput]:
        if not self.settings.on:
            return None
        return TelegramOutput(self.api, self.bot_url)

    def _authentic(self, request: Request) -> bool:
        if not self.secret_token:
            return True
        given = request.headers.get(SECRET_HEADER) or ""
        return hmac.compare_digest(given.encode(), self.secret_token.encode())

    async def set_webhook(self) -> None:
        body: Dict[str, Any] = {
            "url": self.webhook_url,
            "allowed_updates": ["message", "edited_message", "callback_query"],
        }
        if self.secret_token:
            body["secret_token"] = self.secret_token
        if await self.api.call("setWebhook", "POST", f"{self.bot_url}/setWebhook", json=body) is not None:
            logger.info("telegram: webhook registered with Telegram")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not self.settings.on:
            return off_blueprint(PLATFORM)
        bp = self._blueprint()

        @bp.listener("after_server_start")
        async def _started(app: Any, loop: Any) -> None:
            if self.webhook_url:
                await self.set_webhook()

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self._authentic(request):
                logger.warning("telegram: update refused: wrong or missing %s header", SECRET_HEADER)
                return response.text("forbidden", status=403)
            update = request.json if isinstance(request.json, dict) else {}
            if self.deliveries.first_time(update.get("update_id")):  # a re-delivery is answered once
                self.background.spawn(self._handle(request.app, update, on_new_message))
            return response.text("ok")

        return bp

    async def _handle(
        self, app: Any, update: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        out = self.get_output_channel()
        callback = update.get("callback_query")
        if isinstance(callback, dict):
            await self._answer_callback(callback)
            message = callback.get("message") or {}
            chat = message.get("chat") or {"id": (callback.get("from") or {}).get("id"), "type": "private"}
            text = str(callback.get("data") or "")
        else:
            message = update.get("message") or update.get("edited_message") or {}
            chat = message.get("chat") or {}
            text = message.get("text") or ""
            if text == "/start" or text.startswith("/start "):
                text = START_TEXT
        if chat.get("type") != "private" or chat.get("id") is None:
            logger.info("telegram: update ignored (not a private chat)")
            return
        if "edited_message" in update:
            # An edit would answer whatever is being asked now, not the question it first answered.
            await out.send_text_message(str(chat["id"]), EDITED_NOTE)
            return
        if not text.strip():
            if message and not _is_service_message(message):
                await out.send_text_message(str(chat["id"]), TEXT_ONLY_NOTE)  # photo, voice, sticker...
            return
        sender_id = conversation_id(PLATFORM, chat["id"])
        text = await resolve_answer(app, sender_id, text)
        await on_new_message(user_message(text, out, sender_id, PLATFORM))

    async def _answer_callback(self, callback: Dict[str, Any]) -> None:
        """Stop the button's spinner, and show the answer in place of the keyboard."""
        await self.api.call(
            "answerCallbackQuery",
            "POST",
            f"{self.bot_url}/answerCallbackQuery",
            json={"callback_query_id": callback.get("id")},
        )
        message = callback.get("message") or {}
        chat_id = (message.get("chat") or {}).get("id")
        if chat_id is None or message.get("message_id") is None:
            return
        title = ""
        for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
            for key in row:
                if key.get("callback_data") == callback.get("data"):
                    title = str(key.get("text") or "")
        original = str(message.get("text") or "")
        edited = f"{original}\n\n✓ {title}" if title else original
        if original and len(edited) <= TEXT_LIMIT:
            body = {"chat_id": chat_id, "message_id": message["message_id"], "text": edited}
            await self.api.call("editMessageText", "POST", f"{self.bot_url}/editMessageText", json=body)
        else:
            body = {"chat_id": chat_id, "message_id": message["message_id"]}
            await self.api.call(
                "editMessageReplyMarkup", "POST", f"{self.bot_url}/editMessageReplyMarkup", json=body
            )
