"""Slack: ``channels.platforms.slack.SlackChannel`` in credentials.yml.

Environment (names can be changed in credentials.yml):

* SLACK_BOT_TOKEN (required): the bot token (``xoxb-...``) used for chat.postMessage/chat.update.
* SLACK_SIGNING_SECRET (required): every request (events and interactivity) must carry a valid
  ``X-Slack-Signature`` (``v0=`` HMAC-SHA256 of ``v0:<timestamp>:<body>``) and a
  ``X-Slack-Request-Timestamp`` within 5 minutes, else 403 (slack_sdk's SignatureVerifier).
* SLACK_API_URL: Web API base, default https://slack.com/api.

Point both the Events API (``message.im``) and Interactivity at ``/webhooks/slack/webhook``.
Differences from Rasa's ``SlackInput``: direct messages only (a patient's health data is not
answered in a shared channel; mentions elsewhere are ignored); the URL-verification challenge is
answered as Slack documents it; buttons are Block Kit buttons (up to 25 per actions block, not
Rasa's 5) and a pressed button's message is updated to show the answer instead of the buttons;
Web API calls go through slack_sdk's AsyncWebClient (not blocking the server).
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import json
import logging
from typing import Any, Awaitable, Dict, List, Optional, Sequence

import aiohttp
from rasa.core.channels.slack import SlackInput
from sanic import response
from sanic.request import Request
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from channels.platforms.answers import button_token
from channels.platforms.api import ATTEMPTS, HTTP_TIMEOUT_S
from channels.platforms.base import Incoming, Parsed, PlatformChannel, PlatformOutput, platform_id
from channels.platforms.settings import EnvSetting, Settings, api_base
from channels.platforms.text import Button, clean_title, note, numbered_list, shorten, split_text

logger = logging.getLogger(__name__)
# slack_sdk logs request and response bodies (message text) at DEBUG: its own logger, kept quiet.
_sdk_logger = logging.getLogger(f"{__name__}.sdk")
_sdk_logger.setLevel(logging.WARNING)

PLATFORM = "slack"
DEFAULT_API_URL = "https://slack.com/api"
# Block Kit's limits: characters of a section's text, of a button's text and value; buttons per
# actions block; and blocks per message (50) less the text sections, as whole actions blocks.
SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
BUTTONS_PER_BLOCK = 25
MAX_BUTTONS = 25 * 10
# Slack's retry reasons after which the event was already handled (we answered, only late).
IGNORED_RETRY_REASONS = ("http_timeout",)

SETTINGS = (
    EnvSetting("bot_token_env", "SLACK_BOT_TOKEN", required=True),
    EnvSetting("signing_secret_env", "SLACK_SIGNING_SECRET", required=True),
    EnvSetting("api_url_env", "SLACK_API_URL", default=DEFAULT_API_URL),
)


def numbered(buttons: Sequence[Button]) -> bool:
    """Whether the options are also listed by number in the text (titles too long or too many)."""
    return len(buttons) > MAX_BUTTONS or any(
        len(clean_title(b.get("title"))) > BUTTON_TEXT_LIMIT for b in buttons
    )


def _escape(text: str) -> str:
    """Slack's required escaping of &, < and > in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def button_blocks(text: str, buttons: Sequence[Button]) -> List[Dict[str, Any]]:
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


def web_client(api_url: str, token: str) -> AsyncWebClient:
    """slack_sdk's Web API client, retrying connection errors, rate limits and server errors."""
    retries = ATTEMPTS - 1
    handlers = [
        AsyncConnectionErrorRetryHandler(max_retry_count=retries),
        AsyncRateLimitErrorRetryHandler(max_retry_count=retries),
        AsyncServerErrorRetryHandler(max_retry_count=retries),
    ]
    return AsyncWebClient(
        token=token,
        base_url=f"{api_url}/",
        timeout=HTTP_TIMEOUT_S,
        logger=_sdk_logger,
        retry_handlers=list(handlers),
    )


class SlackOutput(PlatformOutput):
    """Posts with chat.postMessage into the conversation the patient wrote from."""

    PLATFORM = PLATFORM

    def __init__(self, client: AsyncWebClient, channel: Optional[str] = None) -> None:
        super().__init__()
        self.client = client
        self.channel = channel

    async def call(self, method: str, request: Awaitable[AsyncSlackResponse]) -> Optional[Dict[str, Any]]:
        """Await one Web API call; its answer, or None when it failed (logged without bodies)."""
        try:
            answer = await request
        except SlackApiError as err:
            logger.warning(
                "slack: %s failed: HTTP %s (%s)", method, err.response.status_code, err.response.get("error")
            )
            return None
        except (aiohttp.ClientError, asyncio.TimeoutError) as err:
            logger.warning("slack: %s failed: %s", method, type(err).__name__)
            return None
        return dict(answer.data) if isinstance(answer.data, dict) else {}

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        channel = self.channel or platform_id(PLATFORM, recipient_id)
        for part in split_text(text, SECTION_LIMIT):
            sent = self.client.chat_postMessage(channel=channel, text=_escape(part), mrkdwn=False)
            await self.call("chat.postMessage", sent)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        if numbered(buttons):
            text = f"{text}\n\n{numbered_list(buttons)}"
        sent = self.client.chat_postMessage(
            channel=self.channel or platform_id(PLATFORM, recipient_id),
            text=_escape(text),  # the notification's text; the blocks are what is shown
            blocks=button_blocks(text, buttons),
        )
        await self.call("chat.postMessage", sent)


def _press(payload: Dict[str, Any]) -> Optional[Incoming]:
    """A block_actions request: the pressed button's value, from the patient's DM."""
    action = ((payload.get("actions") or [None])[0]) or {}
    user = (payload.get("user") or {}).get("id")
    channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get("channel_id")
    if payload.get("type") != "block_actions" or action.get("type") != "button" or not user or not channel:
        return None
    if not action.get("value"):
        return None  # a link button
    return Incoming(
        str(channel), str(action["value"]), user=str(user), metadata={"out_channel": channel}, pressed=payload
    )


def _message(event: Dict[str, Any]) -> Optional[Incoming]:
    """A patient's direct message (``message.im``)."""
    if event.get("type") != "message" or event.get("bot_id") or event.get("subtype"):
        return None  # our own posts, edits, joins, files...
    if event.get("channel_type") != "im":
        logger.info("slack: event ignored (not a direct message)")
        return None
    user, channel, text = event.get("user"), event.get("channel"), event.get("text") or ""
    if not user or not channel or not text.strip():
        return None
    text = html.unescape(SlackInput._sanitize_user_message(text, []))
    return Incoming(str(channel), text, user=str(user), metadata={"out_channel": channel})


class SlackChannel(PlatformChannel):
    """Slack webhook (``/webhooks/slack/webhook``); off while its variables are unset."""

    PLATFORM, SETTINGS, REFUSED = PLATFORM, SETTINGS, "bad or missing X-Slack-Signature"

    def setup(self, settings: Settings) -> None:
        self.verifier = SignatureVerifier(settings.value("signing_secret_env"))
        self.client = web_client(api_base(settings, "api_url_env"), settings.value("bot_token_env"))

    def authentic(self, request: Request) -> bool:
        # v0 HMAC-SHA256 over "v0:<timestamp>:<raw body>", timestamp within 5 minutes.
        try:
            return bool(self.verifier.is_valid_request(request.body, dict(request.headers)))
        except (ValueError, UnicodeDecodeError):  # a timestamp that is no number, a body not UTF-8
            return False

    def parse(self, request: Request) -> Parsed:
        retry_reason = request.headers.get("x-slack-retry-reason")
        if request.headers.get("x-slack-retry-num") and retry_reason in IGNORED_RETRY_REASONS:
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
        if content_type == "application/x-www-form-urlencoded":  # interactivity: a button press
            try:
                payload = json.loads(request.form.get("payload") or "{}")
            except ValueError:
                return response.text("bad payload", status=400)
            pressed = _press(payload) if isinstance(payload, dict) else None
            return [pressed] if pressed else []
        body = request.json if isinstance(request.json, dict) else {}
        if body.get("type") == "url_verification":
            return response.json({"challenge": body.get("challenge")})
        if body.get("type") != "event_callback":
            return []
        message = _message(body.get("event") or {})
        return [dataclasses.replace(message, delivery_id=body.get("event_id"))] if message else []

    def output(self, incoming: Optional[Incoming] = None) -> SlackOutput:
        return SlackOutput(self.client, incoming.chat if incoming else None)

    def shows_numbers(self, buttons: Sequence[Button]) -> bool:
        return numbered(buttons)

    async def acknowledge_press(self, incoming: Incoming) -> None:
        """Replace the pressed message's buttons with the answer given."""
        payload = incoming.pressed or {}
        action = ((payload.get("actions") or [None])[0]) or {}
        container, message = payload.get("container") or {}, payload.get("message") or {}
        ts = container.get("message_ts") or message.get("ts")
        if not ts:
            return
        title = ((action.get("text") or {}).get("text")) or ""
        blocks = [b for b in message.get("blocks") or [] if b.get("type") != "actions"]
        answered = {"type": "plain_text", "text": note("answered", title=title)}
        blocks.append({"type": "context", "elements": [answered]})
        update = self.client.chat_update(
            channel=incoming.chat, ts=str(ts), text=message.get("text") or "", blocks=blocks
        )
        await self.output(incoming).call("chat.update", update)
