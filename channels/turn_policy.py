"""The dialogue policy: after every patient message, action_turn; after it, listen.

Why not RulePolicy: the dialogue has one rule (data/rules/turn.yml: every intent -> action_turn;
the triage itself is plain Python behind that action). RulePolicy still replays the whole
conversation into states for every prediction, twice a turn, so a turn cost more the longer the
conversation (docs/performance.md: ~5 ms a turn, growing). This policy reads only the latest event.

It learns its action from the rules at training time (the action every rule takes after a user
message; training fails unless there is exactly one), so turn.yml stays the one place that says
where messages go. It knows nothing of Rasa's default "/restart" and "/back" rules on purpose: a
typed command never undoes an emergency or wipes a conversation silently; action_turn reads
"start over" as words (channels/inbound.py).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData, confidence_scores_for
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

FILE = "turn_policy.json"
# Above RulePolicy's 6 and the ML policies' 1: nothing else is configured, but if a policy is ever
# added beside this one, the fixed route still wins ties.
PRIORITY = 7


class TurnPolicyError(RasaException):  # type: ignore[misc]  # Rasa ships no types
    """The rules do not send every message to one action."""


def action_after_user(trackers: List[TrackerWithCachedStates]) -> str:
    """The one action the rules take after a user message (raises unless there is exactly one)."""
    found: set[str] = set()
    for tracker in trackers:
        events = list(tracker.events)
        for before, after in zip(events, events[1:], strict=False):
            if isinstance(before, UserUttered) and isinstance(after, ActionExecuted):
                if after.action_name and after.action_name != ACTION_LISTEN_NAME:
                    found.add(after.action_name)
    if len(found) != 1:
        raise TurnPolicyError(
            f"TurnPolicy needs rules sending every message to one action; found {sorted(found)}"
        )
    return found.pop()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class TurnPolicy(Policy):  # type: ignore[misc]  # Rasa ships no types
    """Predicts the rules' one action after a user message and action_listen after any action."""

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.RULE_DATA

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"priority": PRIORITY}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any = None,
        action: Optional[str] = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.action = action

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        self.action = action_after_user(training_trackers)
        if self.action not in domain.action_names_or_texts:
            raise TurnPolicyError(f"TurnPolicy: '{self.action}' is not an action of the domain")
        with self._model_storage.write_to(self._resource) as path:
            (path / FILE).write_text(json.dumps({"action": self.action}), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TurnPolicy:
        with model_storage.read_from(resource) as path:
            action = json.loads((path / FILE).read_text(encoding="utf-8"))["action"]
        return cls(config, model_storage, resource, execution_context, action=action)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """The rules' action right after a user message, else listen."""
        name = self.action if self.action and _latest_is_user(tracker) else ACTION_LISTEN_NAME
        return self._prediction(confidence_scores_for(name, 1.0, domain))


def _latest_is_user(tracker: DialogueStateTracker) -> bool:
    """True when the patient spoke after the latest action (not a fresh or restarted session)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return True
        if isinstance(event, ActionExecuted):
            return False
    return False
