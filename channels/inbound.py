"""What every message goes through in the Rasa server before it is understood.

1. **Repaired**: lone UTF-16 surrogates (broken emoji from some clients, or a JSON "\\ud83d") become
   U+FFFD and control characters become spaces, so the rest of the message is still read (an
   emergency sign included) and no tracker store or log chokes on it.
2. **Cut** to MAX_UNDERSTOOD_CHARS before any language processing.
3. **Typed commands are text.** Rasa reads a message starting with "/" as an intent with entities
   ("/deny{...}"), and its default intents act before our action runs: "/restart" wipes the
   conversation, "/back" undoes the last turn (an emergency included), "/session_start" starts
   over. Here such a message counts as an intent payload ONLY when it is string-equal to a button
   payload of the bot's latest turn (the BotUttered events since the patient's last message, read
   from the tracker); anything else is parsed as the patient's words by the normal NLU, without
   Rasa's payload reader, and the planner answers it like any text (or says it did not
   understand).
4. **Understood off the event loop.** Rasa runs its NLU graph synchronously on the server's event
   loop, so one long message stalled every other patient; the graph runs in a small thread pool.

Why here (Rasa's MessageProcessor) and not elsewhere: this is the one place every channel's
message passes, inside the conversation's lock, where the tracker (what the bot last offered) and
the text are both at hand, before Rasa's payload reader and its default intents act. A channel
does not hold the tracker (and each channel would need the check); an NLU component sees no
tracker; and the action runs too late: Rasa has already executed "/restart" or "/back" by then,
and the payload's entities are already in the tracker. Applied when the server imports our
channels (channels/__init__.py), as channels/speedups.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Dict, Iterable, Optional, Set

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT

logger = logging.getLogger(__name__)

# Longer messages are cut here before any language processing. Why 10,000: the longest message
# still read to the end (tests/test_nlu_facts.py reads a sign at the very end of one), about five
# pages; the symptom reader costs about 0.3-0.5 ms per token on the reference machine and an emoji
# is a token, so this bounds one message's understanding to a few seconds (the REST channel
# refuses more than 100,000 characters outright).
MAX_UNDERSTOOD_CHARS = 10_000
# Threads that run the NLU graph. The work is CPU-bound and mostly holds the GIL, so more threads
# than the reference machine's 2 cores would only queue; 2 let one long message run beside
# everyone else's short ones.
NLU_THREADS = 2
# Keys the gate adds to the parse data (the action reads them from tracker.latest_message).
TYPED_COMMAND_KEY = "typed_command"  # a "/..." message read as text
EARLIER_BUTTON_KEY = "earlier_button"  # ... that is a payload of one of our buttons, not a current one

_NLU_POOL = ThreadPoolExecutor(max_workers=NLU_THREADS, thread_name_prefix="nlu")
_SURROGATES = re.compile("[\ud800-\udfff]")
# C0 and C1 control characters except tab, line feed and carriage return.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def repair_text(text: str) -> str:
    """Surrogate pairs joined, lone surrogates -> U+FFFD, control characters -> spaces."""
    if _SURROGATES.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _CONTROLS.sub(" ", text)


def prepared(text: Optional[str]) -> Optional[str]:
    """The text as it is understood and kept: repaired, and cut to MAX_UNDERSTOOD_CHARS."""
    if text is None:
        return None
    return repair_text(text[: MAX_UNDERSTOOD_CHARS + 1])[:MAX_UNDERSTOOD_CHARS]


def looks_like_command(text: Optional[str]) -> bool:
    """What Rasa's payload reader would try to read as an intent (it strips the text first)."""
    return bool(text) and str(text).strip().startswith(INTENT_MESSAGE_PREFIX)


def latest_turn_payloads(events: Iterable[Any]) -> Set[str]:
    """Payloads of the buttons the bot sent since the patient's last message."""
    payloads: Set[str] = set()
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            for button in (event.data or {}).get("buttons") or []:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    payloads.add(button["payload"])
    return payloads


def domain_payloads(responses: Dict[str, Any]) -> Set[str]:
    """Every button payload the domain's responses can send, as sent (doubled braces undone)."""
    payloads: Set[str] = set()
    for variations in responses.values():
        for variation in variations or []:
            for button in (variation or {}).get("buttons") or []:
                payload = button.get("payload") if isinstance(button, dict) else None
                if isinstance(payload, str):
                    payloads.add(payload.replace("{{", "{").replace("}}", "}"))
    return payloads


def _run_nlu(
    processor: MessageProcessor, message: UserMessage, tracker: DialogueStateTracker, payloads: bool
) -> Dict[str, Any]:
    """The NLU graph's reading of the message; with payloads=False it stops before Rasa's payload
    reader (RegexMessageHandler), so a "/..." text is read as words."""
    target = processor.model_metadata.nlu_target
    if not payloads:
        target = processor.model_metadata.predict_schema.nodes[target].needs["messages"]
    results = processor.graph_runner.run(
        inputs={PLACEHOLDER_MESSAGE: [message], PLACEHOLDER_TRACKER: tracker}, targets=[target]
    )
    parse_data: Dict[str, Any] = {
        TEXT: "",
        INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
        ENTITIES: [],
    }
    parse_data.update(results[target][0].as_dict(only_output_properties=True))
    return parse_data


async def parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: Optional[DialogueStateTracker] = None,
    only_output_properties: bool = True,
) -> Dict[str, Any]:
    """MessageProcessor.parse_message with the payload gate, off the event loop, without logging
    the parse (Rasa's version logs the text and entities at DEBUG)."""
    if self.http_interpreter:
        parse_data: Dict[str, Any] = await self.http_interpreter.parse(message)
        return parse_data
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    command = looks_like_command(message.text)
    offered = command and message.text in latest_turn_payloads(tracker.events)
    loop = asyncio.get_running_loop()
    parse_data = await loop.run_in_executor(
        _NLU_POOL, partial(_run_nlu, self, message, tracker, payloads=offered or not command)
    )
    if command and not offered:
        parse_data[TYPED_COMMAND_KEY] = True
        if message.text in domain_payloads(self.domain.responses if self.domain else {}):
            parse_data[EARLIER_BUTTON_KEY] = True
        logger.debug("inbound: a typed command read as text (sender %s)", message.sender_id)
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data


_original_handle = MessageProcessor._handle_message_with_tracker


async def _handle_message_with_tracker(
    self: MessageProcessor, message: UserMessage, tracker: DialogueStateTracker
) -> None:
    """Repair and cut the text before it is understood and stored."""
    message.text = prepared(message.text)
    await _original_handle(self, message, tracker)


def apply() -> None:
    """Install the steps above on Rasa's MessageProcessor (idempotent)."""
    # setattr: methods replaced on the class, which mypy would flag where Rasa's types are known.
    setattr(MessageProcessor, "parse_message", parse_message)  # noqa: B010
    setattr(MessageProcessor, "_handle_message_with_tracker", _handle_message_with_tracker)  # noqa: B010
