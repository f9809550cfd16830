"""One skeleton for the four platform channels; each platform module is a small spec of it.

A spec says how to tell a webhook request is the platform's (``authentic``), what a request
carries (``parse``, into ``Incoming`` messages) and how to send text, buttons and the emergency
call (its ``PlatformOutput``). The skeleton does the rest the same way everywhere: off while its
variables are unset, 403 for a request that fails the check, a re-delivery answered once, the
webhook answered at once and the message handled in the background (Slack wants an answer within
3 s), notes from notes.yml, numbered answers, namespaced conversation ids, and no message text in
any log (health data).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, ClassVar, Dict, List, Optional, Sequence, Set, Tuple, Union

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.ids import is_safe_id
from channels.platforms.answers import resolve_answer
from channels.platforms.settings import EnvSetting, Settings, log_state, read_settings
from channels.platforms.text import Button, note
from triage.engine import EMERGENCY

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# A number as actions/locales.yml writes one ("911", "112", "+44 20 ..."): digits, spaces, dashes,
# an optional leading +; at most 20 characters (E.164 numbers have at most 15 digits).
_CALL_NUMBER = re.compile(r"^\+?[0-9][0-9 -]{0,19}$")
# How long the server waits, when it stops, for messages still being handled.
DRAIN_TIMEOUT_S = 10

# Platforms deliver again what they think was missed (Slack after 3 s, Telegram until it gets a
# 200, Messenger and Twilio on errors): each delivery id is remembered this long, so a re-sent
# message is answered once. Slack retries within minutes, Telegram for up to a day.
DELIVERY_MEMORY_S = 24 * 3600
# ...and at most this many ids (oldest forgotten first), so memory stays bounded under load.
DELIVERY_MEMORY_MAX = 50_000


def call_number(custom: Any) -> Optional[str]:
    """The number to call, digits only, from an emergency outcome's payload (``custom.triage.call``,
    set by the action server from the locale), or None for any other message."""
    triage = custom.get("triage") if isinstance(custom, dict) else None
    if not isinstance(triage, dict) or triage.get("level") != EMERGENCY:
        return None
    call = triage.get("call")
    if not isinstance(call, str) or not _CALL_NUMBER.match(call.strip()):
        return None
    return re.sub(r"\D", "", call)


def conversation_id(platform: str, platform_id: Any) -> str:
    """The tracker's sender id: the platform's id for the chat, namespaced by platform.

    Without the prefix a Telegram chat id and a Facebook user id (both numbers), or an SMS
    sender and a REST client, could land in one conversation.
    """
    return f"{platform}:{platform_id}"


def platform_id(platform: str, recipient_id: str) -> str:
    """The platform's own id back from a sender id (ids without the prefix pass unchanged)."""
    prefix = f"{platform}:"
    return recipient_id[len(prefix) :] if recipient_id.startswith(prefix) else recipient_id


# --- output: what every platform does the same way ---


class PlatformOutput(OutputChannel):  # type: ignore[misc]  # Rasa ships no type information
    """Base of the platform output channels: no custom JSON to patients, quick replies as buttons,
    and the emergency advice sent with its number to call (``send_call``)."""

    PLATFORM: ClassVar[str] = "platform"

    @classmethod
    def name(cls) -> str:
        return cls.PLATFORM

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        # custom.triage / custom.summary are data for widgets and records; the text messages
        # around them carry the same content in words. Raw JSON must never reach a patient.
        logger.debug("%s: custom payload not sent (keys %s)", self.name(), sorted(json_message or {}))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_call(self, recipient_id: str, text: str, number: str) -> None:
        """The emergency advice with the number to call one tap away; a platform without a call
        button sends the text, which names the number."""
        await self.send_text_message(recipient_id, text)

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        message = dict(message)
        has_buttons = bool(message.get("buttons") or message.get("quick_replies"))
        if has_buttons and not message.get("text"):
            message["text"] = note("choose")
        number = call_number(message.get("custom"))
        if number and message.get("text") and not has_buttons:
            await self.send_call(recipient_id, str(message.pop("text")), number)
        await super().send_response(recipient_id, message)


# --- input: one message a platform delivered ---


@dataclass(frozen=True)
class Incoming:
    """One patient message as the platform delivered it, in the platform's own ids."""

    chat: str  # where the answer goes: the chat, DM channel, PSID or phone number
    text: str = ""  # what was typed, or the payload (or token) of the button pressed
    delivery_id: Optional[str] = None  # event_id, update_id, mid or MessageSid; None if none
    user: Optional[str] = None  # whose conversation, when that is not the chat (Slack: the user)
    note: Optional[str] = None  # send this note (notes.yml) instead of passing the message on
    metadata: Optional[Dict[str, Any]] = None  # for UserMessage.metadata
    pressed: Optional[Dict[str, Any]] = None  # the platform's button-press event, to acknowledge

    @property
    def conversation(self) -> str:
        return self.user or self.chat


Parsed = Union[HTTPResponse, List[Incoming]]


class DeliveryLog:
    """The delivery ids one server has seen (Slack ``event_id``, Telegram ``update_id``, Messenger
    ``mid``, Twilio ``MessageSid``). In one process: behind a load balancer, route a platform's
    webhook to one replica (as for the lock store, see the README)."""

    def __init__(self, ttl_s: float = DELIVERY_MEMORY_S, max_ids: int = DELIVERY_MEMORY_MAX) -> None:
        self.ttl_s = ttl_s
        self.max_ids = max_ids
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, delivery_id: Any, now: Optional[float] = None) -> bool:
        """True the first time this id is seen (or when there is no id), False for a re-delivery."""
        if delivery_id in (None, ""):
            return True
        key = str(delivery_id)
        now = time.monotonic() if now is None else now
        while self._seen and (
            len(self._seen) >= self.max_ids or next(iter(self._seen.values())) < now - self.ttl_s
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


class BackgroundHandler:
    """Runs message handling after the webhook answered (platforms retry slow webhooks)."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self._tasks: Set[asyncio.Future[None]] = set()

    def spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(self._guard(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, coro: Awaitable[Any]) -> None:
        try:
            await coro
        except Exception as err:
            # The type only: exception messages can quote the patient's text.
            logger.error("%s: handling a message failed: %s", self.platform, type(err).__name__)
            logger.debug("%s: traceback", self.platform, exc_info=True)

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=DRAIN_TIMEOUT_S)


class PlatformChannel(InputChannel):  # type: ignore[misc]  # Rasa ships no type information
    """The skeleton. A platform sets PLATFORM and SETTINGS and fills in the spec methods below;
    ``setup`` runs only while the channel is on (its required variables are set)."""

    PLATFORM: ClassVar[str] = "platform"
    SETTINGS: ClassVar[Tuple[EnvSetting, ...]] = ()
    REFUSED: ClassVar[str] = "bad or missing signature"  # logged when a request fails the check

    @classmethod
    def name(cls) -> str:
        return cls.PLATFORM

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> PlatformChannel:
        return cls(read_settings(cls.PLATFORM, credentials, cls.SETTINGS))

    def __init__(self, settings: Settings) -> None:  # Rasa's channel __init__ takes no settings
        self.settings = settings
        self.background = BackgroundHandler(self.PLATFORM)
        self.deliveries = DeliveryLog()
        log_state(settings, f"{self.PLATFORM}/webhook")
        if settings.on:
            self.setup(settings)

    # --- the spec: what each platform fills in ---

    def setup(self, settings: Settings) -> None:
        """Read the settings the platform needs (called only while the channel is on)."""

    def authentic(self, request: Request) -> bool:
        """Whether the request comes from the platform (its signature or secret checks out)."""
        raise NotImplementedError

    def parse(self, request: Request) -> Parsed:
        """The messages an authentic request carries, or an answer of its own (a handshake)."""
        raise NotImplementedError

    def acknowledge(self) -> HTTPResponse:
        """The webhook's answer once the messages are queued."""
        return response.text("")

    def output(self, incoming: Optional[Incoming] = None) -> PlatformOutput:
        """The output channel that answers `incoming`."""
        raise NotImplementedError

    def shows_numbers(self, buttons: Sequence[Button]) -> bool:
        """Whether these buttons were shown numbered, so that a bare number answers them."""
        return False

    async def acknowledge_press(self, incoming: Incoming) -> None:
        """Show a pressed button's answer in place of the buttons (where the platform can)."""

    def add_routes(self, bp: Blueprint) -> None:
        """Routes or listeners beyond the webhook POST (a subscription handshake, setWebhook)."""

    async def close(self) -> None:
        """Close the platform API client when the server stops."""

    # --- the skeleton ---

    def get_output_channel(self) -> Optional[PlatformOutput]:
        return self.output() if self.settings.on else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        if not self.settings.on:
            return Blueprint(f"platform_{self.PLATFORM}_off")  # no routes: the webhook answers 404
        bp = Blueprint(f"platform_{self.PLATFORM}")

        async def stopping(app: Any, loop: Any) -> None:
            await self.background.drain()
            await self.close()

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def webhook(request: Request) -> HTTPResponse:
            if not self.authentic(request):
                logger.warning("%s: request refused: %s", self.PLATFORM, self.REFUSED)
                return response.text("forbidden", status=403)
            parsed = self.parse(request)
            if isinstance(parsed, HTTPResponse):
                return parsed
            fresh = [m for m in parsed if self.deliveries.first_time(m.delivery_id)]
            if fresh:  # one task, so a batch is handled in order
                self.background.spawn(self._handle(request.app, fresh, on_new_message))
            return self.acknowledge()

        # Registered by call, not decorator: Sanic's decorators carry no types (mypy --strict).
        bp.listener(stopping, "before_server_stop")
        bp.add_route(health, "/", methods=["GET"])
        bp.add_route(webhook, "/webhook", methods=["POST"])
        self.add_routes(bp)
        return bp

    async def _handle(self, app: Any, messages: List[Incoming], on_new_message: OnNewMessage) -> None:
        for incoming in messages:
            out = self.output(incoming)
            if incoming.note:
                await out.send_text_message(incoming.chat, note(incoming.note))
                continue
            if incoming.pressed is not None:
                await self.acknowledge_press(incoming)
            sender_id = conversation_id(self.PLATFORM, incoming.conversation)
            if not is_safe_id(sender_id):
                logger.warning("%s: update dropped (control characters in the chat id)", self.PLATFORM)
                continue
            text = await resolve_answer(app, sender_id, incoming.text, self.shows_numbers)
            await on_new_message(
                UserMessage(text, out, sender_id, input_channel=self.PLATFORM, metadata=incoming.metadata)
            )
