"""What the platform channels share: env-var settings, the HTTP client, button helpers, and the
tracker look-up that turns a typed number (or a button token) back into a button payload."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import aiohttp
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

Button = Mapping[str, Any]
ErrorOf = Callable[[int, Any], Optional[str]]

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HTTP_TIMEOUT_S = 15
RETRIES = 2  # after the first try, on connection errors, 429 and 5xx


# --- settings: credentials.yml names environment variables, the environment holds the values ---


@dataclass(frozen=True)
class EnvSetting:
    """One setting: its key in credentials.yml (whose value is an env var NAME) and defaults."""

    key: str  # e.g. "access_token_env"
    env: str  # default variable name, e.g. "TELEGRAM_ACCESS_TOKEN"
    required: bool = False
    default: Optional[str] = None  # value when the variable is unset (e.g. the real API URL)


@dataclass(frozen=True)
class Settings:
    platform: str
    values: Dict[str, Optional[str]]  # key -> value (None when unset)
    names: Dict[str, str]  # key -> env var name
    missing: Tuple[str, ...]  # env var names of unset required settings
    partly_set: bool  # some required variables set, others not (a likely misconfiguration)

    @property
    def on(self) -> bool:
        return not self.missing

    def __getitem__(self, key: str) -> Optional[str]:
        return self.values[key]


def read_settings(
    platform: str,
    credentials: Optional[Mapping[str, Any]],
    specs: Sequence[EnvSetting],
    environ: Optional[Mapping[str, str]] = None,
) -> Settings:
    """Resolve a channel's settings. credentials.yml may rename variables, never hold values.

    An empty variable counts as unset. Unknown keys are refused (a secret pasted under a Rasa
    key such as ``access_token`` would otherwise sit in the repo unnoticed).
    """
    environ = os.environ if environ is None else environ
    credentials = dict(credentials or {})
    known = {s.key for s in specs}
    unknown = sorted(set(credentials) - known)
    if unknown:
        raise RasaException(
            f"{platform} channel: unknown key(s) {unknown} in credentials.yml; allowed: {sorted(known)}. "
            "Each names an environment variable; secrets never go in credentials.yml."
        )
    values: Dict[str, Optional[str]] = {}
    names: Dict[str, str] = {}
    for spec in specs:
        name = credentials.get(spec.key) or spec.env
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            raise RasaException(
                f"{platform} channel: `{spec.key}` in credentials.yml must be the NAME of an environment "
                "variable (letters, digits, underscores), not a value."
            )
        names[spec.key] = name
        value = (environ.get(name) or "").strip()
        values[spec.key] = value or spec.default
    required = [s for s in specs if s.required]
    missing = tuple(names[s.key] for s in required if not values[s.key])
    partly = bool(missing) and len(missing) < len(required)
    return Settings(platform, values, names, missing, partly)


def log_state(settings: Settings, webhook: str) -> None:
    """The one line per channel that says whether it is on."""
    logger = logging.getLogger(f"channels.platforms.{settings.platform}")
    if settings.on:
        logger.info("%s channel on: webhook /webhooks/%s", settings.platform, webhook)
    elif settings.partly_set:
        logger.warning(
            "%s channel off: %s not set (the channel's other variables are)",
            settings.platform,
            ", ".join(settings.missing),
        )
    else:
        logger.info("%s channel off: %s not set", settings.platform, ", ".join(settings.missing))


def api_base(settings: Settings, key: str) -> str:
    url = (settings[key] or "").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise RasaException(f"{settings.platform} channel: {settings.names[key]} must be an http(s) URL")
    return url


def off_blueprint(platform: str) -> Blueprint:
    """No routes: the platform's webhook answers 404 while the channel is off."""
    return Blueprint(f"platform_{platform}_off")


class PlatformChannel:
    """What the four platform channels share: settings from env-var names, off when unset, and a
    blueprint with a health route that drains background work and closes the API client on stop.

    Mixed in before the Rasa channel class; subclasses set PLATFORM and SETTINGS and, in their
    __init__, call self._start(settings) and return early when it says the channel is off.
    """

    PLATFORM: str
    SETTINGS: Any

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> Any:
        return cls(read_settings(cls.PLATFORM, credentials, cls.SETTINGS))  # type: ignore[call-arg]

    def _start(self, settings: Settings) -> bool:
        """Keep the settings, log the channel's state once; True when it is on."""
        self.settings = settings
        log_state(settings, f"{self.PLATFORM}/webhook")
        return settings.on

    def _blueprint(self) -> Blueprint:
        """The channel's blueprint with the shared routes and listeners."""
        bp = Blueprint(f"platform_{self.PLATFORM}")

        @bp.listener("before_server_stop")
        async def _stopping(app: Any, loop: Any) -> None:
            await self.background.drain()  # type: ignore[attr-defined]
            await self.api.close()  # type: ignore[attr-defined]

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        return bp


# --- HTTP client for the platform APIs ---


class ApiClient:
    """One aiohttp session per channel (created in the server's loop on first use).

    Failures are logged with the call name and status only: request and response bodies can
    carry message text or phone numbers.
    """

    def __init__(self, platform: str, error_of: ErrorOf) -> None:
        self.platform = platform
        self.error_of = error_of
        self._session: Optional[aiohttp.ClientSession] = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S))
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(self, name: str, method: str, url: str, **kwargs: Any) -> Optional[Any]:
        """Make one API call; return the decoded JSON answer, or None when it failed."""
        delay = 0.5
        for attempt in range(RETRIES + 1):
            last = attempt == RETRIES
            try:
                async with self._get_session().request(method, url, **kwargs) as resp:
                    raw = await resp.read()
                    body = _json_or_none(raw)
                    error = self.error_of(resp.status, body)
                    if error is None:
                        return body if body is not None else {}
                    if (resp.status == 429 or resp.status >= 500) and not last:
                        await asyncio.sleep(_retry_after(resp.headers.get("Retry-After"), delay))
                        delay *= 2
                        continue
                    logger.warning("%s: %s failed: HTTP %s (%s)", self.platform, name, resp.status, error)
                    return None
            except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                if last:
                    logger.warning("%s: %s failed: %s", self.platform, name, type(err).__name__)
                    return None
                await asyncio.sleep(delay)
                delay *= 2
        return None


def _json_or_none(raw: bytes) -> Optional[Any]:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _retry_after(header: Optional[str], default: float) -> float:
    try:
        return min(max(float(header), 0.0), 5.0) if header else default
    except ValueError:
        return default


# --- output: what every platform does the same way ---


class PlatformOutput(OutputChannel):
    """Base of the platform output channels: no custom JSON to patients, quick replies as buttons."""

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        # custom.triage / custom.summary are data for widgets and records; the text messages
        # around them carry the same content in words. Raw JSON must never reach a patient.
        logger.debug("%s: custom payload not sent (keys %s)", self.name(), sorted(json_message or {}))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        message = dict(message)
        if (message.get("buttons") or message.get("quick_replies")) and not message.get("text"):
            message["text"] = "Please choose:"
        await super().send_response(recipient_id, message)


# Said by the channel itself (not the assistant) when a platform delivers something it cannot pass on.
TEXT_ONLY_NOTE = "Sorry, I can only read text messages. Please type your answer."
EDITED_NOTE = (
    "I can't read changes to a message you already sent. Please send your correction as a new message."
)


# --- buttons ---


def clean_title(title: Any) -> str:
    return " ".join(str(title or "").split())


def shorten(title: str, limit: int) -> str:
    """Fit a title into `limit` characters, cutting at a word where possible and marking the cut."""
    title = clean_title(title)
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-/(") + "…"


def numbered_line(buttons: Sequence[Button]) -> str:
    """'Reply 1 for Yes, 2 for No, 3 for Not sure' (titles with commas are quoted)."""
    parts = []
    for i, button in enumerate(buttons, start=1):
        title = clean_title(button.get("title"))
        if "," in title:
            title = f'"{title}"'
        parts.append(f"{i} for {title}")
    return "Reply " + ", ".join(parts)


def numbered_list(buttons: Sequence[Button]) -> str:
    """Full option texts, one per line, for platforms that had to shorten or drop buttons."""
    lines = [f"{i}. {clean_title(b.get('title'))}" for i, b in enumerate(buttons, start=1)]
    return "\n".join(lines + ["Reply with the number of your answer."])


def split_text(text: str, limit: int) -> List[str]:
    """Split a long text into parts of at most `limit` characters, at paragraph or line breaks."""
    text = (text or "").strip()
    if len(text) <= limit:
        return [text]
    parts: List[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut < limit // 3:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


TOKEN_PREFIX = "#b:"


def button_token(payload: str, max_bytes: int) -> str:
    """The payload itself when it fits the platform's limit, else a short token for it.

    The token is resolved against the buttons the bot sent this sender (tracker store), so it
    still answers the right question when an older button is pressed.
    """
    if len(payload.encode("utf-8")) <= max_bytes:
        return payload
    return TOKEN_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


_NUMBER_REPLY = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def number_reply(text: Optional[str]) -> Optional[int]:
    """1 for '1', ' 2. ', '3)'; None for anything else."""
    match = _NUMBER_REPLY.match(text or "")
    return int(match.group(1)) if match else None


async def _tracker_events(app: Any, sender_id: str) -> List[Any]:
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return []
    try:
        tracker = await store.retrieve(sender_id)
    except Exception as err:  # a tracker store outage must not drop the message
        logger.warning("tracker look-up for a button answer failed: %s", type(err).__name__)
        return []
    return list(tracker.events) if tracker is not None else []


async def last_turn_buttons(app: Any, sender_id: str) -> Optional[List[Dict[str, Any]]]:
    """Buttons of the bot's last message with buttons since the patient's last message."""
    for event in reversed(await _tracker_events(app, sender_id)):
        if isinstance(event, UserUttered):
            return None
        if isinstance(event, BotUttered) and event.data.get("buttons"):
            return list(event.data["buttons"])
    return None


async def resolve_answer(
    app: Any,
    sender_id: str,
    text: str,
    numbered: Optional[Callable[[Sequence[Button]], bool]] = None,
) -> str:
    """Turn what the platform delivered into what the assistant should read.

    * a button token (``#b:<hash>``) becomes the payload of the button the bot sent with it;
    * a bare number n becomes the payload of option n of the last bot turn, if that turn showed
      its options numbered (``numbered(buttons)``) and has an option n;
    * anything else is passed on unchanged.
    """
    if text.startswith(TOKEN_PREFIX):
        for event in reversed(await _tracker_events(app, sender_id)):
            if isinstance(event, BotUttered):
                for button in event.data.get("buttons") or []:
                    payload = str(button.get("payload") or "")
                    if payload and button_token(payload, 0) == text:
                        return payload
        return text
    n = number_reply(text) if numbered is not None else None
    if n is None:
        return text
    buttons = await last_turn_buttons(app, sender_id)
    if buttons and numbered(buttons) and 1 <= n <= len(buttons) and buttons[n - 1].get("payload"):
        return str(buttons[n - 1]["payload"])
    return text


# --- input: handle a message after the webhook has answered ---


# Platforms deliver again what they think was missed (Slack after 3 s, Telegram until it gets a
# 200, Messenger and Twilio on errors): each delivery id is remembered this long, so a re-sent
# message is answered once. Slack retries within minutes, Telegram for up to a day.
DELIVERY_MEMORY_S = 24 * 3600
# ...and at most this many ids (oldest forgotten first), so memory stays bounded under load.
DELIVERY_MEMORY_MAX = 50_000


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
        self._tasks: set = set()

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
            await asyncio.wait(list(self._tasks), timeout=10)


def user_message(
    text: str,
    output: OutputChannel,
    sender_id: str,
    platform: str,
    metadata: Optional[Dict[str, Any]] = None,
) -> UserMessage:
    return UserMessage(text, output, sender_id, input_channel=platform, metadata=metadata or None)


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
