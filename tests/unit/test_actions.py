"""The rasa-sdk adapter: a tracker in, response names and slot events out."""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionTurn
from actions.locale import locale_vars
from triage.engine import default_engine

FACTS = list(default_engine().facts)


def tracker(
    text: str,
    intent: Optional[str],
    entities: Optional[list[dict[str, Any]]] = None,
    sender: str = "patient-1",
    **slots: Any,
) -> Tracker:
    all_slots = {name: None for name in FACTS}
    all_slots.update({"pending_question": None, "phase": None, "last_level": None, "last_rules": None})
    all_slots.update(slots)
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    return Tracker(sender, all_slots, latest, [], False, None, {}, "action_listen")


def run(t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionTurn().run(dispatcher, t, {}))
    return dispatcher.messages, events


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_first_message_intro_and_consent_sets_phase() -> None:
    messages, events = run(tracker("hello", "greet"))
    assert [m["response"] for m in messages] == ["utter_intro", "utter_consent"]
    assert slot_events(events) == {"phase": "consent"}


def test_every_message_carries_the_locale_template_values() -> None:
    messages, _ = run(tracker("hello", "greet"))
    assert messages
    for m in messages:
        for key, value in locale_vars().items():
            assert m[key] == value


def test_entities_become_fact_slots_and_next_question_is_pending() -> None:
    ents = [{"entity": "night_pain", "value": "present"}, {"entity": "age", "value": "62"}]
    messages, events = run(tracker("it wakes me at night, I'm 62", "describe_symptoms", ents, phase="asking"))
    slots = slot_events(events)
    assert slots["night_pain"] == "present" and slots["age"] == 62
    assert slots["pending_question"] == "bladder_bowel"
    assert [m["response"] for m in messages] == ["utter_ask_bladder_bowel"]


def test_answer_to_pending_question_from_slots() -> None:
    _, events = run(tracker("no", "deny", phase="asking", pending_question="bladder_bowel"))
    slots = slot_events(events)
    assert slots["bladder_bowel"] == "absent"
    assert slots["pending_question"] == "saddle_numbness"


def test_emergency_outcome_has_payload_and_clears_the_question() -> None:
    ents = [{"entity": "saddle_numbness", "value": "present"}]
    messages, events = run(
        tracker("my bits are numb", "describe_symptoms", ents, phase="asking", pending_question="weakness")
    )
    assert messages[0]["response"] == "utter_level_emergency"
    assert messages[0]["custom"]["triage"]["level"] == "emergency"
    assert messages[0]["custom"]["triage"]["rules"] == ["E2"]
    assert messages[0]["custom"]["triage"]["call"] == "911"  # one tap away in the widget (tel:)
    assert messages[-2]["response"] == "utter_safety_net"
    assert messages[-1]["response"] == "utter_summary"
    assert messages[-1]["custom"]["summary"]["rules"] == ["E2"]
    assert messages[-1]["summary_positives"] == "numbness in the saddle area"
    slots = slot_events(events)
    assert slots["pending_question"] is None
    assert slots["last_level"] == "emergency" and slots["last_rules"] == ["E2"] and slots["phase"] == "done"


def test_number_slots_read_back_from_floats() -> None:
    # Trackers serialised through JSON may give 62.0 for 62: it must still count as 62.
    ents = [{"entity": "duration_days", "value": "60"}]
    _, events = run(tracker("2 months", "describe_symptoms", ents, phase="asking", age=62.0))
    assert "age" not in slot_events(events)  # unchanged, not rewritten


def test_invalid_slot_values_are_ignored_not_crashing() -> None:
    messages, _ = run(tracker("no", "deny", phase="asking", pending_question="fever", fever="banana"))
    assert messages  # answered; the bad value was treated as never stated


def test_conversations_do_not_mix() -> None:
    # The action keeps no state: the same action object serves two patients in turn.
    action = ActionTurn()
    d1, d2 = CollectingDispatcher(), CollectingDispatcher()
    ents = [{"entity": "bladder_bowel", "value": "present"}]
    asyncio.run(action.run(d1, tracker("I wet myself", "describe_symptoms", ents, "a", phase="asking"), {}))
    asyncio.run(
        action.run(d2, tracker("no", "deny", None, "b", phase="asking", pending_question="fever"), {})
    )
    assert d1.messages[0]["response"] == "utter_level_emergency"
    assert all(m["response"] != "utter_level_emergency" for m in d2.messages)


def test_summary_on_request_mid_triage_then_the_question_again() -> None:
    messages, events = run(
        tracker(
            "can I get a summary?",
            "request_summary",
            phase="asking",
            pending_question="bladder_bowel",
            age=40,
        )
    )
    assert [m["response"] for m in messages] == ["utter_summary", "utter_ask_bladder_bowel"]
    summary = messages[0]["custom"]["summary"]
    assert summary["age"] == 40 and summary["level"] is None
    assert "pending_question" not in slot_events(events)


def test_a_confirmed_delete_sets_the_slot_the_server_deletes_on() -> None:
    ents = [{"entity": "answer_to", "value": "forget"}]
    messages, events = run(
        tracker('/affirm{"answer_to":"forget"}', "affirm", ents, phase="asking", forget_asked=True)
    )
    assert [m["response"] for m in messages] == ["utter_forgotten"]
    assert slot_events(events)["forget_conversation"] is True


def test_the_gate_flags_reach_the_planner() -> None:
    t = tracker("/restart", "start_over", phase="asking", pending_question="bladder_bowel", age=40)
    t.latest_message["typed_command"] = True
    messages, events = run(t)
    assert "utter_start_over" not in [m["response"] for m in messages]
    assert "age" not in slot_events(events), "a typed /restart wiped the facts"
    t = tracker('/deny{"answer_to":"fever"}', "deny")
    t.latest_message.update(typed_command=True, earlier_button=True)
    messages, _ = run(t)
    assert [m["response"] for m in messages][0] == "utter_lost_conversation"


def test_a_failing_turn_apologises_and_logs_no_message_text(caplog: Any) -> None:
    # A slot value the adapter cannot read makes the turn fail; the error names no value.
    t = tracker("MARKERWORD my back hurts", "describe_symptoms", phase="asking", reasks="MARKERWORD")
    with caplog.at_level("DEBUG"):
        messages, events = run(t)
    assert [m["response"] for m in messages] == ["utter_internal_error"] and events == []
    assert "ValueError" in caplog.text and "MARKERWORD" not in caplog.text


def test_a_patient_who_says_where_they_are_gets_their_own_emergency_number() -> None:
    # round 14: New Zealanders were told "call 911 / go to the ER"; UK patients the same
    ents = [{"entity": "bladder_bowel", "value": "present"}]
    messages, events = run(
        tracker("kia ora. been wetting myself since yesterday", "describe_symptoms", ents, phase="asking")
    )
    assert slot_events(events)["patient_locale"] == "NZ"
    assert messages[0]["response"] == "utter_level_emergency"
    assert messages[0]["emergency_number"] == "111" and messages[0]["custom"]["triage"]["call"] == "111"
    # kept for the rest of the conversation, until another place is named
    later, later_events = run(
        tracker("no", "deny", phase="asking", pending_question="fever", patient_locale="NZ")
    )
    assert all(m["emergency_number"] == "111" for m in later) and "patient_locale" not in slot_events(
        later_events
    )
    uk, uk_events = run(tracker("should i go to a&e?", None, phase="asking", patient_locale="NZ"))
    assert slot_events(uk_events)["patient_locale"] == "UK" and uk[0]["emergency_number"] == "999"


def test_no_place_named_keeps_the_deployments_number() -> None:
    messages, events = run(tracker("no", "deny", phase="asking", pending_question="fever"))
    assert "patient_locale" not in slot_events(events)
    assert all(m["emergency_number"] == locale_vars()["emergency_number"] for m in messages)


def test_words_that_suggest_a_country_give_its_number_until_a_place_is_known() -> None:
    # round 16: Welsh, English and Australian patients were told "call 911" all through
    messages, events = run(tracker("lower back's bad since half term, it's dull like", None))
    assert slot_events(events)["patient_locale"] == "UK" and messages[0]["emergency_number"] == "999"
    messages, events = run(tracker("g'day, crook back since tuesday", None))
    assert slot_events(events)["patient_locale"] == "AU" and messages[0]["emergency_number"] == "000"
    # a hint never moves a patient whose country is known
    later, later_events = run(tracker("took some tylenol", None, phase="asking", patient_locale="UK"))
    assert "patient_locale" not in slot_events(later_events)
    assert all(m["emergency_number"] == "999" for m in later)


def test_a_patient_in_india_gets_112_and_a_home_town_moves_nobody() -> None:
    """Round 18: patients in Ludhiana and Bangalore were told 911; one from Guntur was in New Jersey."""
    from actions.locale import locale_said

    assert locale_said("should i go dmc ludhiana for mri?") == "IN"
    assert locale_vars("IN")["emergency_number"] == "112"
    assert locale_said("we live in bangalore, whitefield") == "IN"
    assert locale_said("i am from guntur, visiting my son in edison, new jersey") is None
