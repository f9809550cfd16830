"""Slack: ``channels.platforms.slack.SlackChannel`` in credentials.yml.

Environment (names can be changed in credentials.yml):

* SLACK_BOT_TOKEN (required): the bot token (``xoxb-...``) used for chat.postMessage/chat.update.
* SLACK_SIGNING_SECRET (required): every request (events and interactivity) must carry a valid
  ``X-Slack-Signature`` (``v0=`` HMAC-SHA256 of ``v0:<timestamp>:<body>``) and a
  ``X-Slack-Request-Timestamp`` within 5 minutes, else 403 (Rasa's check, reused).
* SLACK_API_URL: Web API base, default https://slack.com/api.

Point both the Events API (``message.im``) and Interactivity at ``/webhooks/slack/webhook``.
Differences from Rasa's ``SlackInput``: direct messages only (a patient's health data is not
answered in a shared channel; mentions elsewhere are ignored); the URL-verification challenge is
answered as Slack documents it; buttons are Block Kit buttons (up to 25 per actions block, not
Rasa's 5) and a pressed button's message is updated to show the answer instead of the buttons.
"""

from __future__ import annotations

import html
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.slack import SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.platforms.base import (
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

PLATFORM = "slack"
DEFAULT_API_URL = "https://slack.com/api"
SECTION_LIMIT = 3000  # characters of a section block's text
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
BUTTONS_PER_BLOCK = 25
MAX_BUTTONS = 25 * 10

SETTINGS = (
    EnvSetting("bot_token_env", "SLACK_BOT_TOKEN", required=True),
    EnvSetting("signing_secret_env", "SLACK_SIGNING_SECRET", required=True),
    EnvSetting("api_url_env", "SLACK_API_URL", default=DEFAULT_API_URL),
)


def _error_of(status: int, body: Any) -> Optional[str]:
    if status < 400 and isinstance(body, dict) and body.get("ok"):
        return None
    if isinstance(body, dict):
        return str(body.get("error") or "not ok")
    return "no JSON answer"


def numbered(buttons: List[Dict[str, Any]]) -> bool:
    """Whether the options are also listed by number in the text (titles too long or too many)."""
    return len(buttons) > MAX_BUTTONS or any(
        len(clean_title(b.get("title"))) > BUTTON_TEXT_LIMIT for b in buttons
    )


def _escape(text: str) -> str:
    """Slack's required escaping of &, < and > in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def button_blocks(text: str, buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    blocks: List[Dict[str, Any]] = [
        {"type": "section", "text": {"type": "plain_text", "text": part}}
        for part in split_text(text, SECTION_LIMIT)
    ]
    show = [] if len(buttons) > MAX_BUTTONS else buttons
    elements = [
        {
            "type": "button",
            "action_id": f"answer_{i}",
            "text": {"type": "plain_text", "text": shorten(b.get("title"), BUTTON_TEXT_LIMIT)},
            "value": button_token(str(b.get("payload") or ""), BUTTON_VALUE_LIMIT),
        }
        for i, b in enumerate(show, start=1)
    ]
    for start in range(0, len(elements), BUTTONS_PER_BLOCK):
        blocks.append({"type": "actions", "elements": elements[start : start + BUTTONS_PER_BLOCK]})
    return blocks


class SlackOutput(PlatformOutput):
    """Posts with chat.postMessage into the conversation the patient wrote from."""

    @classmethod
    def name(cls) -> str:
        return PLATFORM

    def __init__(self, api: ApiClient, api_url: str, token: str, channel: Optional[str] = None) -> None:
        super().__init__()
        self.api = api
        self.api_url = api_url
        self.token = token
        self.channel = channel

    async def post(self, method: str, body: Dict[str, Any]) -> Optional[Any]:
        return await self.api.call(
            method,
            "POST",
            f"{self.api_url}/{method}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        channel = self.channel or platform_id(PLATFORM, recipient_id)
        for part in split_text(text, SECTION_LIMIT):
            await self.post("chat.postMessage", {"channel": channel, "text": _escape(part), "mrkdwn": False})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        if numbered(buttons):
            text = f"{text}\n\n{numbered_list(buttons)}"
        body = {
            "channel": self.channel or platform_id(PLATFORM, recipient_id),
            "text": _escape(text),  # the notification's text; the blocks are what is shown
            "blocks": button_blocks(text, buttons),
        }
        await self.post("chat.postMessage", body)


class SlackChannel(PlatformChannel, SlackInput):
    """Slack webhook (``/webhooks/slack/webhook``); off while its variables are unset."""

    PLATFORM, SETTINGS = PLATFORM, SETTINGS

    def __init__(self, settings: Settings) -> None:  # noqa: D107 (Rasa's __init__ is not called)
        if not self._start(settings):
            return
        self.slack_token = settings["bot_token_env"]
        self.slack_signing_secret = settings["signing_secret_env"]
        self.api_url = api_base(settings, "api_url_env")
        self.api = ApiClient(PLATFORM, _error_of)
        self.background = BackgroundHandler(PLATFORM)
        self.deliveries = DeliveryLog()
        self.retry_reason_header = "x-slack-retry-reason"
        self.retry_num_header = "x-slack-retry-num"
        self.errors_ignore_retry = ("http_timeout",)

    def get_output_channel(self, channel: Optional[str] = None, thread_id: Optional[str] = None) -> Any:
        if not self.settings.on:
            return None
        return SlackOutput(self.api, self.api_url, self.slack_token, channel)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not self.settings.on:
            return off_blueprint(PLATFORM)
        bp = self._blueprint()

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            # Rasa's check: v0 HMAC-SHA256 over "v0:<timestamp>:<raw body>", timestamp within 5 min.
            if not self.is_request_from_slack_authentic(request):
                logger.warning("slack: request refused: bad or missing X-Slack-Signature")
                return response.text("forbidden", status=403)
            retry_reason = request.headers.get(self.retry_reason_header)
            if request.headers.get(self.retry_num_header) and retry_reason in self.errors_ignore_retry:
                return response.text("", headers={"X-Slack-No-Retry": "1"})
            content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
            if content_type == "application/x-www-form-urlencoded":
                return self._interaction(request, on_new_message)
            body = request.json if isinstance(request.json, dict) else {}
            if body.get("type") == "url_verification":
                return response.json({"challenge": body.get("challenge")})
            if body.get("type") == "event_callback" and self.deliveries.first_time(body.get("event_id")):
                self._event(request.app, body.get("event") or {}, on_new_message)
            return response.text("")

        return bp

    def _event(
        self, app: Any, event: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        if event.get("type") != "message" or event.get("bot_id") or event.get("subtype"):
            return  # our own posts, edits, joins, files...
        if event.get("channel_type") != "im":
            logger.info("slack: event ignored (not a direct message)")
            return
        user, channel, text = event.get("user"), event.get("channel"), event.get("text") or ""
        if not user or not channel or not text.strip():
            return
        text = html.unescape(self._sanitize_user_message(text, []))
        self.background.spawn(self._handle(app, str(user), str(channel), text, on_new_message))

    def _interaction(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        try:
            payload = json.loads(request.form.get("payload") or "{}")
        except ValueError:
            return response.text("bad payload", status=400)
        action = ((payload.get("actions") or [None])[0]) or {}
        user = (payload.get("user") or {}).get("id")
        channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get(
            "channel_id"
        )
        if (
            payload.get("type") != "block_actions"
            or action.get("type") != "button"
            or not user
            or not channel
        ):
            return response.text("")
        value = action.get("value")
        if not value:
            return response.text("")  # a link button
        self.background.spawn(self._press(payload, action))
        self.background.spawn(self._handle(request.app, str(user), str(channel), str(value), on_new_message))
        return response.text("")

    async def _handle(
        self,
        app: Any,
        user: str,
        channel: str,
        text: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        sender_id = conversation_id(PLATFORM, user)
        text = await resolve_answer(app, sender_id, text, numbered)
        out = self.get_output_channel(channel)
        await on_new_message(user_message(text, out, sender_id, PLATFORM, {"out_channel": channel}))

    async def _press(self, payload: Dict[str, Any], action: Dict[str, Any]) -> None:
        """Replace the pressed message's buttons with the answer given."""
        container = payload.get("container") or {}
        message = payload.get("message") or {}
        channel = container.get("channel_id") or (payload.get("channel") or {}).get("id")
        ts = container.get("message_ts") or message.get("ts")
        if not channel or not ts:
            return
        title = ((action.get("text") or {}).get("text")) or ""
        blocks = [b for b in message.get("blocks") or [] if b.get("type") != "actions"]
        blocks.append({"type": "context", "elements": [{"type": "plain_text", "text": f"✓ {title}"}]})
        out = SlackOutput(self.api, self.api_url, self.slack_token)
        await out.post(
            "chat.update", {"channel": channel, "ts": ts, "text": message.get("text") or "", "blocks": blocks}
        )
