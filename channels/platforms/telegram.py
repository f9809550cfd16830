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
only text is read. Telegram has no call button (inline keyboard URLs must be http(s) or tg:), so
the emergency advice carries the number to call on a line of its own.
"""

from __future__ import annotations

import hmac
import logging
import re
from typing import Any, Dict, List, Optional, Sequence

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, text

from channels.platforms.answers import button_token
from channels.platforms.api import ApiClient
from channels.platforms.base import Incoming, Parsed, PlatformChannel, PlatformOutput, platform_id
from channels.platforms.settings import EnvSetting, Settings, api_base
from channels.platforms.text import Button, clean_title, note, split_text

logger = logging.getLogger(__name__)

PLATFORM = "telegram"
DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_LIMIT = 4096  # characters of one message
CALLBACK_DATA_LIMIT = 64  # bytes of a button's callback data
# Buttons side by side when there are at most this many with this many characters in all
# ('Yes | No | Not sure' fits a phone's width); otherwise one a row.
ROW_MAX_KEYS, ROW_MAX_CHARS = 3, 30
START_TEXT = "hi"  # what /start means: open the conversation (intro and consent)
_SECRET_TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
_SERVICE_FIELDS = ("new_chat_members", "left_chat_member", "pinned_message", "migrate_to_chat_id")

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


def inline_keyboard(buttons: Sequence[Button]) -> Dict[str, Any]:
    """Short answers side by side ('Yes | No | Not sure'), longer ones one per row."""
    keys = [
        {
            "text": clean_title(b.get("title")),
            "callback_data": button_token(str(b.get("payload") or ""), CALLBACK_DATA_LIMIT),
        }
        for b in buttons
    ]
    if len(keys) <= ROW_MAX_KEYS and sum(len(k["text"]) for k in keys) <= ROW_MAX_CHARS:
        return {"inline_keyboard": [keys]}
    return {"inline_keyboard": [[k] for k in keys]}


class TelegramOutput(PlatformOutput):
    """Sends through the Bot API (sendMessage)."""

    PLATFORM = PLATFORM

    def __init__(self, api: ApiClient, bot_url: str) -> None:
        super().__init__()
        self.api = api
        self.bot_url = bot_url  # <base>/bot<token>: the Bot API has the token in the path

    async def method(self, name: str, body: Dict[str, Any]) -> Optional[Any]:
        return await self.api.call(name, "POST", f"{self.bot_url}/{name}", json=body)

    async def _send(self, chat_id: str, text: str, reply_markup: Optional[Dict[str, Any]] = None) -> None:
        parts = split_text(text, TEXT_LIMIT)
        for i, part in enumerate(parts):
            body: Dict[str, Any] = {"chat_id": platform_id(PLATFORM, chat_id), "text": part}
            if reply_markup is not None and i == len(parts) - 1:
                body["reply_markup"] = reply_markup
            await self.method("sendMessage", body)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send(recipient_id, text, inline_keyboard(buttons))

    async def send_call(self, recipient_id: str, text: str, number: str) -> None:
        await self._send(recipient_id, f"{text}\n\n{note('call_line', number=number)}")

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.method("sendPhoto", {"chat_id": platform_id(PLATFORM, recipient_id), "photo": image})


def _incoming(update: Dict[str, Any]) -> Optional[Incoming]:
    """A private chat's message, edit or button press; None for anything else."""
    callback = update.get("callback_query")
    if isinstance(callback, dict):
        message = callback.get("message") or {}
        chat = message.get("chat") or {"id": (callback.get("from") or {}).get("id"), "type": "private"}
        words = str(callback.get("data") or "")
    else:
        message = update.get("message") or update.get("edited_message") or {}
        chat = message.get("chat") or {}
        words = message.get("text") or ""
        if words == "/start" or words.startswith("/start "):
            words = START_TEXT
    if chat.get("type") != "private" or chat.get("id") is None:
        logger.info("telegram: update ignored (not a private chat)")
        return None
    pressed = callback if isinstance(callback, dict) else None
    delivery = update.get("update_id")
    incoming = Incoming(str(chat["id"]), words, None if delivery is None else str(delivery), pressed=pressed)
    if "edited_message" in update:
        # An edit would answer whatever is being asked now, not the question it first answered.
        return Incoming(incoming.chat, delivery_id=incoming.delivery_id, note="edited")
    if not words.strip():
        if not message or any(field in message for field in _SERVICE_FIELDS):
            return None
        return Incoming(incoming.chat, delivery_id=incoming.delivery_id, note="text_only")  # photo, voice...
    return incoming


class TelegramChannel(PlatformChannel):
    """Telegram webhook (``/webhooks/telegram/webhook``); off while TELEGRAM_ACCESS_TOKEN is unset."""

    PLATFORM, SETTINGS, REFUSED = PLATFORM, SETTINGS, f"wrong or missing {SECRET_HEADER} header"

    def setup(self, settings: Settings) -> None:
        self.secret_token = settings["secret_token_env"]
        self.webhook_url = settings["webhook_url_env"]
        self.api = ApiClient(PLATFORM, _error_of)
        self.bot_url = f"{api_base(settings, 'api_url_env')}/bot{settings.value('access_token_env')}"
        if not self.secret_token:
            logger.warning(
                "telegram: %s not set, so webhook updates are not authenticated; set it in production",
                settings.names["secret_token_env"],
            )
        elif not _SECRET_TOKEN_FORMAT.match(self.secret_token):
            logger.warning("telegram: the secret token may only hold A-Z, a-z, 0-9, _ and - (1-256)")

    def authentic(self, request: Request) -> bool:
        if not self.secret_token:
            return True
        given = request.headers.get(SECRET_HEADER) or ""
        return hmac.compare_digest(given.encode(), self.secret_token.encode())

    def parse(self, request: Request) -> Parsed:
        update = request.json if isinstance(request.json, dict) else {}
        incoming = _incoming(update)
        return [incoming] if incoming else []

    def acknowledge(self) -> HTTPResponse:
        return text("ok")

    def output(self, incoming: Optional[Incoming] = None) -> TelegramOutput:
        return TelegramOutput(self.api, self.bot_url)

    async def set_webhook(self) -> None:
        body: Dict[str, Any] = {
            "url": self.webhook_url,
            "allowed_updates": ["message", "edited_message", "callback_query"],
        }
        if self.secret_token:
            body["secret_token"] = self.secret_token
        if await self.output().method("setWebhook", body) is not None:
            logger.info("telegram: webhook registered with Telegram")

    def add_routes(self, bp: Blueprint) -> None:
        async def started(app: Any, loop: Any) -> None:
            if self.webhook_url:
                await self.set_webhook()

        bp.listener(started, "after_server_start")

    async def acknowledge_press(self, incoming: Incoming) -> None:
        """Stop the button's spinner, and show the answer in place of the keyboard."""
        callback, out = incoming.pressed or {}, self.output()
        await out.method("answerCallbackQuery", {"callback_query_id": callback.get("id")})
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
        edited = f"{original}\n\n{note('answered', title=title)}" if title else original
        body = {"chat_id": chat_id, "message_id": message["message_id"]}
        if original and len(edited) <= TEXT_LIMIT:
            await out.method("editMessageText", {**body, "text": edited})
        else:
            await out.method("editMessageReplyMarkup", body)

    async def close(self) -> None:
        await self.api.close()
