"""The in-memory tracker store keeps live trackers instead of JSON (docs/performance.md, third round).

Rasa's InMemoryTrackerStore (`make run`, the tests and benches, the fail-safe store's fallback
behind Redis or SQL) keeps each conversation as JSON: every turn it parses the whole conversation,
makes an object of every event, replays them all into a tracker (and again to cut out the latest
session), then writes the whole conversation back as JSON. All of it grows with the conversation.
Here the store keeps the tracker itself:

- save keeps a copy of the tracker, and retrieve hands out a copy of the kept one. A copy has its
  own event list, slots, loop and latest action, so what a turn does to its tracker reaches the
  store only when the turn saves it: a turn that fails leaves the conversation as it was, and
  Rasa's lock store still orders the turns of one conversation (retrieve ... save inside its lock).
- The copies share the event objects, which Rasa does not change once they are in a tracker (an
  update appends events); the two events that edit an earlier one (EntitiesAdded,
  DefinePrevUserUtteredFeaturization) edit the latest user message, which every copy has its own
  copy of.
- What is handed out is what Rasa's JSON round trip gives (tests/unit/test_live_store.py): the
  store's domain's slots, no model or assistant id (the processor sets them), only the latest
  session. Anything else (a conversation of several sessions, a tracker with other slots than the
  store's domain, a limited event history) takes Rasa's own JSON round trip, as before.

Redis, SQL and the other stores are not touched: they serialize as Rasa does.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import deque
from typing import Any, Dict, List, Optional

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

# Every attribute of a Rasa 3.6 DialogueStateTracker, and so every one tracker_copy handles (a test
# fails when a Rasa upgrade adds one).
TRACKER_ATTRIBUTES = frozenset(
    {
        "_max_event_history",
        "events",
        "sender_id",
        "slots",
        "sender_source",
        "is_rule_tracker",
        "_paused",
        "followup_action",
        "latest_action",
        "latest_message",
        "latest_bot_utterance",
        "active_loop",
        "model_id",
        "assistant_id",
    }
)


def _own_user_message(message: UserUttered) -> UserUttered:
    """A copy of a user message that events can edit (its entities) without touching the original."""
    own = copy.copy(message)
    own.entities = list(message.entities)
    own.parse_data = {**message.parse_data}
    if message.parse_data.get("entities") is message.entities:
        own.parse_data["entities"] = own.entities
    return own


def tracker_copy(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A tracker in the same state with its own events list, slots and state, sharing the events."""
    state: Dict[str, Any] = dict(vars(tracker))
    events: deque[Any] = deque(tracker.events, tracker.events.maxlen)
    slots = type(tracker.slots)()
    slots.update((name, copy.copy(slot)) for name, slot in tracker.slots.items())
    state.update(events=events, slots=slots)
    if isinstance(tracker.latest_action, dict):
        state["latest_action"] = dict(tracker.latest_action)
    if tracker.active_loop is not None:
        state["active_loop"] = dataclasses.replace(tracker.active_loop)
    latest = tracker.latest_message
    if isinstance(latest, UserUttered):
        own = _own_user_message(latest)
        state["latest_message"] = own
        for i in range(len(events) - 1, -1, -1):  # the same message in the events is the copy
            if events[i] is latest:
                events[i] = own
                break
            if isinstance(events[i], UserUttered):
                break  # the latest message is not an event here (a new session's empty one)
    new: DialogueStateTracker = DialogueStateTracker.__new__(type(tracker))
    vars(new).update(state)
    return new


@dataclasses.dataclass(frozen=True)
class Kept:
    """One saved conversation: a copy of its tracker, and the store's domain when it was saved."""

    tracker: DialogueStateTracker
    domain: Any
    plain: bool  # made as the store makes trackers: a DialogueStateTracker with the domain's slots


def _one_session(tracker: DialogueStateTracker) -> bool:
    """Whether Rasa's session split leaves the tracker whole (no session start after the first event)."""
    events = tracker.events
    for i in range(1, len(events)):
        event = events[i]
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME:
            return False
    return True


def _made_by_store(store: InMemoryTrackerStore, tracker: DialogueStateTracker) -> bool:
    """Whether the tracker is one the store would rebuild from its JSON: a plain tracker, no event
    limit, the store domain's slots in the domain's order."""
    names = [slot.name for slot in store.domain.slots]
    return (
        type(tracker) is DialogueStateTracker
        and type(tracker.slots) is dict
        and tracker._max_event_history is None
        and not tracker.is_rule_tracker
        and list(tracker.slots) == names
        and all(type(tracker.slots[s.name]) is type(s) for s in store.domain.slots)
    )


async def save(self: InMemoryTrackerStore, tracker: DialogueStateTracker) -> None:
    """Keep a copy of the tracker (streaming new events to the event broker first, as Rasa does)."""
    await self.stream_events(tracker)
    self.store[tracker.sender_id] = Kept(tracker_copy(tracker), self.domain, _made_by_store(self, tracker))


async def _retrieve(
    self: InMemoryTrackerStore, sender_id: str, fetch_all_sessions: bool
) -> Optional[DialogueStateTracker]:
    """A copy of the kept tracker, as InMemoryTrackerStore._retrieve rebuilds it from its JSON."""
    kept = self.store.get(sender_id)
    if not isinstance(kept, Kept):  # none, or JSON put there by other code: Rasa's own reading
        return await _original_retrieve(self, sender_id, fetch_all_sessions)
    if (
        kept.plain
        and kept.domain is self.domain
        and self.max_event_history is None
        and (fetch_all_sessions or _one_session(kept.tracker))
    ):
        tracker = tracker_copy(kept.tracker)
        tracker.model_id = tracker.assistant_id = tracker.sender_source = None
        return tracker
    rebuilt = self.deserialise_tracker(sender_id, self.serialise_tracker(kept.tracker))
    if rebuilt is None or fetch_all_sessions:
        return rebuilt
    sessions: List[DialogueStateTracker] = get_trackers_for_conversation_sessions(rebuilt)
    return rebuilt if len(sessions) <= 1 else sessions[-1]


_original_retrieve = InMemoryTrackerStore._retrieve


def apply() -> None:
    """Install both on Rasa's InMemoryTrackerStore (idempotent)."""
    # setattr: methods replaced on the class, which mypy would flag where Rasa's types are known.
    setattr(InMemoryTrackerStore, "save", save)  # noqa: B010
    setattr(InMemoryTrackerStore, "_retrieve", _retrieve)  # noqa: B010
