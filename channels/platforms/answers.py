"""Turn what a platform delivered back into what the assistant asked for: a button token into its
payload, a bare number into option n of the last question. Both are read from the tracker store,
so any replica behind a shared tracker store resolves them."""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any, Callable, Dict, List, Optional, Sequence

from rasa.shared.core.events import BotUttered, UserUttered

from channels.platforms.text import Button

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "#b:"
# Hex digits of the payload's SHA-256 in a token: 64 bits, so two buttons of one conversation
# never share a token, and "#b:" + 16 fits Telegram's 64-byte callback data with room to spare.
TOKEN_HEX_DIGITS = 16
# A bare option number: at most two digits (no question has 100 options), optional "." or ")".
_NUMBER_REPLY = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")

Numbered = Callable[[Sequence[Button]], bool]


def button_token(payload: str, max_bytes: int) -> str:
    """The payload itself when it fits the platform's limit, else a short token for it.

    The token is resolved against the buttons the bot sent this sender (tracker store), so it
    still answers the right question when an older button is pressed.
    """
    if len(payload.encode("utf-8")) <= max_bytes:
        return payload
    return TOKEN_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:TOKEN_HEX_DIGITS]


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


async def resolve_answer(app: Any, sender_id: str, text: str, numbered: Optional[Numbered] = None) -> str:
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
    if n is None or numbered is None:
        return text
    buttons = await last_turn_buttons(app, sender_id)
    if buttons and numbered(buttons) and 1 <= n <= len(buttons) and buttons[n - 1].get("payload"):
        return str(buttons[n - 1]["payload"])
    return text
