"""The Rasa speed fixes (channels/speedups.py) keep behaviour: same event classes, and the action
server still gets everything action_turn reads."""

from __future__ import annotations

import ast
from pathlib import Path

from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered

from channels import speedups

ROOT = Path(__file__).resolve().parents[2]


def test_event_classes_resolve_as_before() -> None:
    for cls in (UserUttered, BotUttered, SlotSet, ActionExecuted):
        assert Event.resolve_by_type(cls.type_name) is speedups._original_resolve(cls.type_name)
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet


def test_the_action_call_carries_the_current_turn_from_the_latest_user_message() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    speedups.apply()
    tracker, domain = _tracker()
    tracker.update(BotUttered("a reply", {"buttons": []}))  # type: ignore[attr-defined]
    tracker.update(SlotSet("phase", "outcome"))  # type: ignore[attr-defined]
    action = RemoteAction("action_turn", EndpointConfig("http://127.0.0.1:1/webhook"))
    rasas = speedups._original_call_format(action, tracker, domain)
    events = rasas["tracker"]["events"]
    assert [e["event"] for e in events[-3:]] == ["user", "bot", "slot"]
    rasas["tracker"]["events"] = events[-3:]  # from the latest user message on
    del rasas["domain"]
    assert action._action_call_format(tracker, domain) == rasas
    assert speedups.turn_events([SlotSet("x", 1)]) == [SlotSet("x", 1)]  # no user message: all


def test_action_turn_reads_no_events() -> None:
    """What makes trimming the events safe: the actions never read the event history."""
    for path in (ROOT / "actions").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"events", "events_after_latest_restart", "applied_events"}, path


def test_action_turn_reads_no_domain() -> None:
    """What makes leaving the domain out of the action call safe: action_turn never reads it."""
    source = (ROOT / "actions" / "actions.py").read_text(encoding="utf-8")
    (run,) = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.AsyncFunctionDef) and node.name == "run"
    ]
    names = {n.id for n in ast.walk(run) if isinstance(n, ast.Name)}
    assert "domain" not in names  # the parameter is never used


def test_the_action_call_carries_no_domain() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    speedups.apply()
    tracker, domain = _tracker()
    action = RemoteAction("action_turn", EndpointConfig("http://127.0.0.1:1/webhook"))
    call = action._action_call_format(tracker, domain)
    assert "domain" not in call and call["next_action"] == "action_turn"


def _tracker() -> tuple[object, object]:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain.yml"))
    events = [
        ActionExecuted("action_listen"),
        UserUttered("my back hurts", {"name": "describe_symptoms", "confidence": 0.9}),
        ActionExecuted("action_turn"),
        SlotSet("phase", "questions"),
        BotUttered("a question", {"buttons": []}),
        ActionExecuted("action_listen"),
        UserUttered("no", {"name": "deny", "confidence": 0.8}),
    ]
    return DialogueStateTracker.from_events("t", events, domain.slots), domain


def test_states_are_computed_once_per_prediction_and_each_caller_gets_its_own_last_state() -> None:
    tracker, domain = _tracker()
    plain = speedups._original_past_states(tracker, domain)
    token = speedups._states_memo.set({})
    try:
        first = tracker.past_states(domain)  # type: ignore[attr-defined]
        assert first == plain
        first[-1].clear()  # as the featurizer edits the last state in place
        assert tracker.past_states(domain) == plain  # type: ignore[attr-defined]
    finally:
        speedups._states_memo.reset(token)


def test_the_stored_conversation_reads_back_as_json_wrote_it() -> None:
    import json

    tracker, _ = _tracker()
    dialogue = tracker.as_dialogue().as_dict()  # type: ignore[attr-defined]
    assert json.loads(speedups._serialise_tracker(tracker)) == json.loads(json.dumps(dialogue))


def test_events_before_the_turn_are_not_encoded_for_the_action_call() -> None:
    """Rasa encoded every event of the conversation for each call; only the turn's are now."""
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    speedups.apply()
    tracker, domain = _tracker()

    def refuse() -> None:
        raise AssertionError("an event before the turn was encoded")

    tracker.events[1].as_dict = refuse  # type: ignore[attr-defined]  # the first user message
    action = RemoteAction("action_turn", EndpointConfig("http://127.0.0.1:1/webhook"))
    assert action._action_call_format(tracker, domain)["tracker"]["events"][0]["text"] == "no"
