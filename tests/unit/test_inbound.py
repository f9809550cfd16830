"""What a message goes through before it is understood (channels/inbound.py), sender ids
(channels/ids.py), deleting a conversation from a store (channels/stores.py) and the log privacy
guards (privacy/logs.py), without a server. The same paths over REST: tests/test_untrusted_input.py,
tests/test_forget.py, tests/test_privacy.py."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import inbound, stores
from channels.ids import is_safe_id
from privacy import logs

YES_NO = [
    {"title": "Yes", "payload": '/affirm{"answer_to":"fever"}'},
    {"title": "No", "payload": '/deny{"answer_to":"fever"}'},
]


def test_lone_surrogates_are_replaced_and_pairs_joined() -> None:
    assert inbound.repair_text("I wet myself \ud83d and") == "I wet myself \ufffd and"
    assert inbound.repair_text("ok \ud83d\ude00") == "ok \U0001f600"
    assert inbound.repair_text("\ude00 end") == "\ufffd end"
    assert inbound.repair_text("tab\tand\nline") == "tab\tand\nline"
    assert inbound.repair_text("nul\x00bell\x07del\x7f") == "nul bell del "


def test_long_text_is_cut_to_the_named_limit() -> None:
    text = "😀" * (10 * inbound.MAX_UNDERSTOOD_CHARS)
    assert len(inbound.prepared(text) or "") == inbound.MAX_UNDERSTOOD_CHARS
    assert inbound.prepared("short") == "short" and inbound.prepared(None) is None


def test_only_the_latest_turns_buttons_are_payloads() -> None:
    older = BotUttered("How long?", data={"buttons": [{"title": "2 weeks", "payload": "/inform"}]})
    events = [UserUttered("hi"), older, UserUttered("x"), BotUttered("Fever?", data={"buttons": YES_NO})]
    assert inbound.latest_turn_payloads(events) == {b["payload"] for b in YES_NO}
    assert inbound.latest_turn_payloads(events + [UserUttered("no")]) == set()
    assert inbound.latest_turn_payloads([]) == set()


def test_what_rasa_would_read_as_a_command() -> None:
    assert inbound.looks_like_command("/restart") and inbound.looks_like_command("  /back")
    assert not inbound.looks_like_command("my back / neck") and not inbound.looks_like_command("")


def test_domain_payloads_are_the_buttons_as_sent() -> None:
    responses = {
        "utter_q": [{"text": "?", "buttons": [{"title": "Yes", "payload": '/affirm{{"answer_to":"x"}}'}]}]
    }
    assert inbound.domain_payloads(responses) == {'/affirm{"answer_to":"x"}'}


@pytest.mark.parametrize(
    "sender", ["a\x00b", "\x01", "tab\there", "new\nline", "del\x7f", "c1\x85", "\ud800x"]
)
def test_sender_ids_with_control_characters_are_unsafe(sender: str) -> None:
    assert not is_safe_id(sender)


def test_ordinary_sender_ids_are_safe() -> None:
    for sender in ("test-patient-1", "2f1e8c5a-9a7b-4cde-8f00-1234567890ab", "+15551234567", "José"):
        assert is_safe_id(sender)


def test_a_deleted_conversation_is_gone_from_the_memory_store() -> None:
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker.from_events("p1", [ActionExecuted("action_listen"), UserUttered("hi")])
    asyncio.run(store.save(tracker))
    keep = DialogueStateTracker.from_events("p2", [UserUttered("hello")])
    asyncio.run(store.save(keep))
    asyncio.run(stores.delete_conversation(store, "p1"))
    assert asyncio.run(store.retrieve("p1")) is None and asyncio.run(store.retrieve("p2")) is not None


def test_stores_behind_rasas_wrappers_are_found() -> None:
    from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore

    inner = InMemoryTrackerStore(Domain.empty())
    assert stores.concrete_stores(FailSafeTrackerStore(AwaitableTrackerStore(inner))) == [inner]


def test_unknown_stores_are_refused_not_silently_kept() -> None:
    with pytest.raises(NotImplementedError):
        stores.delete_from(object(), "p1")


def test_the_forget_slot_is_the_one_the_action_sets_and_the_domain_declares() -> None:
    from actions.actions import FORGET_SLOT

    domain = yaml.safe_load(Path("domain.yml").read_text(encoding="utf-8"))
    assert stores.FORGET_SLOT == FORGET_SLOT and FORGET_SLOT in domain["slots"]


# Built, so that no source line shown in a traceback holds it (a traceback shows code, not data).
MARKER = "MARKER" + "WORD"


def _failing() -> None:
    raise ValueError(f"invalid literal: {MARKER!r}")


def test_a_logged_exception_keeps_frames_and_types_not_its_message(caplog: Any) -> None:
    logs.install_record_factory()
    with caplog.at_level(logging.ERROR):
        try:
            try:
                _failing()
            except ValueError as err:
                raise RuntimeError(f"wrapping {MARKER}") from err
        except RuntimeError:
            logging.getLogger("test").exception("it failed")
    assert MARKER not in caplog.text
    assert "ValueError" in caplog.text and "RuntimeError" in caplog.text and "_failing" in caplog.text


def test_structured_events_keep_names_and_numbers_only() -> None:
    event = {
        "event": "processor.message.parse",
        "parse_data_text": "MARKERWORD",
        "current_states": "user text: MARKERWORD",
        "rasa_events": ["BotUttered('You said: MARKERWORD')"],
        "action_name": "action_turn",
        "len_extraction_events": 2,
    }
    out = logs.redact_event(None, "debug", dict(event))
    assert "MARKERWORD" not in repr(out)
    assert out["event"] == event["event"] and out["action_name"] == "action_turn"
    assert out["len_extraction_events"] == 2
    try:
        _failing()
    except ValueError:
        out = logs.redact_event(None, "exception", {"event": "x", "text": "MARKERWORD", "exc_info": True})
    assert "MARKERWORD" not in repr(out) and "ValueError" in out["error"]
