"""The conversation's state and the plan for one turn: plain data, shared by the planner's parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from answers.message import CONSENT_QUESTION
from triage.engine import FactValue, Outcome

# Phases of a conversation (slot "phase").
INTRO, CONSENT, ASKING, DONE = "intro", "consent", "asking", "done"
# Pseudo-fact that a yes/no answers while the patient is asked to agree to the terms.
CONSENT_FACT = CONSENT_QUESTION


@dataclass(frozen=True)
class State:
    """Everything the conversation knows, as read from the slots."""

    facts: Mapping[str, FactValue] = field(default_factory=dict)
    pending: Optional[str] = None  # the fact the last question asked about
    phase: str = INTRO
    last_level: Optional[str] = None  # level of the last outcome given
    last_rules: tuple[str, ...] = ()
    reasks: int = 0  # times the pending question was asked again because it was not understood
    asides: int = 0  # times it came back after a question of the patient's instead of an answer
    described: bool = False  # the patient has already described the pain (never asked again)
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # fact -> where it came from
    proxy: bool = False  # someone is typing for the patient ("he" / "she" is the patient)
    deferred: Optional[str] = None  # a question of the patient's to answer at the outcome ("care")
    forget_asked: bool = False  # the patient asked to delete the conversation: confirm it next


@dataclass(frozen=True)
class Reply:
    """One bot message: a response name, its payload for integrations and its template values."""

    response: str
    custom: Optional[Mapping[str, Any]] = None
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    """What to do this turn: new state and the replies, in order."""

    state: State
    replies: list[Reply]
    changed: set[str]
    outcome: Optional[Outcome] = None
    forget: bool = False  # the patient confirmed: delete the whole conversation after this turn

    @property
    def responses(self) -> list[str]:
        """Just the response names, in order (what tests mostly assert on)."""
        return [r.response for r in self.replies]
