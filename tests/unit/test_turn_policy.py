"""The dialogue policy (channels/turn_policy.py): the rules' one route, read from the latest event only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.policies.policy import SupportedData
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates, TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph

from channels.turn_policy import TurnPolicy, TurnPolicyError, action_after_user

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def _rule_trackers(domain: Domain = DOMAIN) -> list[TrackerWithCachedStates]:
    """The rule trackers Rasa's training builds from data/rules/turn.yml."""
    steps = YAMLStoryReader(domain).read_from_file(str(ROOT / "data" / "rules" / "turn.yml"))
    generator = TrainingDataGenerator(StoryGraph(steps), domain, augmentation_factor=0)
    return [t for t in generator.generate() if t.is_rule_tracker]


def _trained(tmp_path: Path, trackers: list[TrackerWithCachedStates]) -> TurnPolicy:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("turn_policy")
    context = ExecutionContext(GraphSchema({}), "test")
    policy = TurnPolicy.create(TurnPolicy.get_default_config(), storage, resource, context)
    policy.train(trackers, DOMAIN)
    return TurnPolicy.load(TurnPolicy.get_default_config(), storage, resource, context)


def _predicted(policy: TurnPolicy, events: list[Any]) -> str:
    tracker = DialogueStateTracker.from_events("p", events, DOMAIN.slots)
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    return str(DOMAIN.action_names_or_texts[prediction.max_confidence_index])


def _said(intent: str) -> UserUttered:
    return UserUttered("words", {"name": intent, "confidence": 1.0})


def test_the_route_is_learned_from_the_rules() -> None:
    assert action_after_user(_rule_trackers()) == "action_turn"
    assert TurnPolicy.supported_data() == SupportedData.RULE_DATA


def test_every_message_goes_to_the_turn_and_then_it_listens(tmp_path: Path) -> None:
    policy = _trained(tmp_path, _rule_trackers())  # saved and loaded, as the server does
    start = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for intent in ("deny", "nlu_fallback", "out_of_scope", "restart", "back", "ask_mri"):
        # Rasa's default "/restart" and "/back" rules do not apply: the turn reads them as words
        assert _predicted(policy, [*start, _said(intent)]) == "action_turn", intent
    assert _predicted(policy, [*start, _said("deny"), ActionExecuted("action_turn")]) == "action_listen"
    assert _predicted(policy, start) == "action_listen"  # nothing said yet


def test_a_late_turn_costs_what_an_early_one_does(tmp_path: Path) -> None:
    """Only the latest events are read: a 500-turn conversation predicts as a 1-turn one."""
    policy = _trained(tmp_path, _rule_trackers())
    turn = [ActionExecuted("action_listen"), _said("deny"), ActionExecuted("action_turn")]
    long = [ActionExecuted("action_session_start"), SessionStarted(), *(turn * 500)]
    assert _predicted(policy, [*long, ActionExecuted("action_listen"), _said("affirm")]) == "action_turn"


def test_rules_that_route_messages_to_two_actions_are_refused() -> None:
    trackers = _rule_trackers()
    other = TrackerWithCachedStates.from_events(
        "rule",
        [ActionExecuted("action_listen"), _said("greet"), ActionExecuted("utter_greet")],
        domain=DOMAIN,
        is_rule_tracker=True,
    )
    with pytest.raises(TurnPolicyError):
        action_after_user([*trackers, other])
