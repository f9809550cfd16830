"""The in-memory store's live trackers (channels/live_store.py) hand out what Rasa's JSON round
trip did, and a turn reaches the store only when it is saved."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    EntitiesAdded,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from channels import live_store

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
START = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def _turn(text: str, phase: str) -> list[Any]:
    parse = {
        "intent": {"name": "describe_symptoms", "confidence": 0.91},
        "entities": [{"entity": "leg_weakness", "value": "present", "start": 0, "end": 4}],
        "typed_command": True,
    }
    return [
        UserUttered(text, parse["intent"], parse["entities"], parse),
        ActionExecuted("action_turn"),
        BotUttered("a reply", {"custom": {"triage": {"level": "gp"}}, "buttons": [{"payload": "/affirm"}]}),
        SlotSet("phase", phase),
        SlotSet("fact_sources", {"leg_weakness": "said"}),
        ActionExecuted("action_listen"),
    ]


def _conversation(events: list[Any]) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events("p", [], DOMAIN.slots)
    for event in events:
        tracker.update(event)
    return tracker


def _stores() -> tuple[InMemoryTrackerStore, InMemoryTrackerStore]:
    """(the live store, Rasa's JSON store) with the same domain."""
    live_store.apply()
    live, rasa = InMemoryTrackerStore(DOMAIN), InMemoryTrackerStore(DOMAIN)
    return live, rasa


def _rasa_round_trip(store: InMemoryTrackerStore, tracker: DialogueStateTracker) -> Any:
    store.store[tracker.sender_id] = store.serialise_tracker(tracker)  # what Rasa's save keeps
    return asyncio.run(live_store._original_retrieve(store, tracker.sender_id, False))


def _everything(tracker: DialogueStateTracker) -> dict[str, Any]:
    """All a tracker holds: its state as the action server and the HTTP API see it, and the rest."""
    simple = {k: v for k, v in vars(tracker).items() if k not in {"events", "slots", "latest_message"}}
    return {
        "state": tracker.current_state(EventVerbosity.ALL),
        "slots": [(n, type(s), s.value, s.has_been_set) for n, s in tracker.slots.items()],
        "latest": tracker.latest_message.as_dict() if tracker.latest_message else None,
        "simple": simple,
        "maxlen": tracker.events.maxlen,
    }


def test_the_copy_handles_every_attribute_of_a_tracker() -> None:
    assert set(vars(DialogueStateTracker("p", DOMAIN.slots))) == live_store.TRACKER_ATTRIBUTES


def test_a_kept_tracker_reads_back_as_rasas_json_round_trip_gave_it() -> None:
    live, rasa = _stores()
    tracker = _conversation([*START, *_turn("legs weak", "questions"), *_turn("legs gone", "outcome")])
    tracker.model_id, tracker.assistant_id = "model", "assistant"
    asyncio.run(live.save(tracker))
    assert isinstance(live.store["p"], live_store.Kept), "kept as a tracker, not as JSON"
    assert _everything(asyncio.run(live.retrieve("p"))) == _everything(_rasa_round_trip(rasa, tracker))


def test_only_the_latest_session_is_handed_out_as_rasa_does() -> None:
    live, rasa = _stores()
    tracker = _conversation([*START, *_turn("legs weak", "questions"), *START, *_turn("again", "intro")])
    asyncio.run(live.save(tracker))
    latest = asyncio.run(live.retrieve("p"))
    assert _everything(latest) == _everything(_rasa_round_trip(rasa, tracker))
    assert len(latest.events) == len(START) + len(_turn("x", "y"))
    assert len(asyncio.run(live.retrieve_full_tracker("p")).events) == len(tracker.events)


def test_a_turn_reaches_the_store_only_when_it_is_saved() -> None:
    """As with JSON: a turn that fails before the save leaves the stored conversation as it was."""
    live, _ = _stores()
    asyncio.run(live.save(_conversation([*START, *_turn("legs weak", "questions")])))
    before = _everything(asyncio.run(live.retrieve("p")))
    turn = asyncio.run(live.retrieve("p"))
    turn.update(EntitiesAdded([{"entity": "fever", "value": "present"}]))  # edits the latest message
    turn.latest_action["action_name"] = "edited in place"
    for event in _turn("more", "outcome"):
        turn.update(event)
    assert _everything(asyncio.run(live.retrieve("p"))) == before  # never saved: unchanged
    asyncio.run(live.save(turn))
    turn.update(SlotSet("phase", "after the save"))  # a change after the save is not kept either
    assert asyncio.run(live.retrieve("p")).get_slot("phase") == "outcome"


def test_a_tracker_the_store_would_not_rebuild_as_is_takes_rasas_json_round_trip() -> None:
    live, rasa = _stores()
    other = DialogueStateTracker.from_events("p", [*START, *_turn("legs weak", "questions")])  # no slots
    asyncio.run(live.save(other))
    assert _everything(asyncio.run(live.retrieve("p"))) == _everything(_rasa_round_trip(rasa, other))
    assert asyncio.run(live.retrieve("nobody")) is None
