"""The typed contract between the language understanding and the turn planner.

The planner decides from an Interpretation and nothing else: no private string codes travel
between the layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional, Union

FactValue = Union[str, int, None]


class Reply(str, Enum):
    """What a message says to the question it answers."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    NONE = "none"  # not an answer to this question (a question back, small talk, another topic)


class Time(str, Enum):
    NOW = "now"
    PAST = "past"


class Person(str, Enum):
    SELF = "self"
    OTHER = "other"


class Certainty(str, Enum):
    DEFINITE = "definite"
    POSSIBLE = "possible"  # hedged, euphemistic or half-negated: to be confirmed, never recorded


class Source(str, Enum):
    BUTTON = "button"  # the payload of the pending question's button
    WORDS = "words"  # a clear answer word first ("no", "yeah nah", "not sure")
    FACT = "fact"  # the message names the asked fact itself ("no numbness there")
    CLASSIFIER = "classifier"  # the learned answer classifier, above its threshold
    NONE = "none"


@dataclass(frozen=True)
class StatedFact:
    """One fact the message states, with whose it is, when, and how sure."""

    fact: str
    value: FactValue
    time: Time = Time.NOW
    person: Person = Person.SELF
    certainty: Certainty = Certainty.DEFINITE
    words: str = ""
    learned: bool = False  # flagged only by a learned sign detector (never by the patterns)

    @property
    def usable(self) -> bool:
        """The patient's own, current (a cancer history always counts) and definite."""
        current = self.time is Time.NOW or self.fact == "cancer_history"
        return current and self.person is Person.SELF and self.certainty is Certainty.DEFINITE


@dataclass(frozen=True)
class Answer:
    """The reply to the pending question.

    value is what to record for the question (None: nothing); confirm holds the patient's words to
    read back when the answer must be confirmed before it is used (a "no" whose explanation
    describes the sign, a hedged sign, a possible emergency sign).
    """

    question: Optional[str]
    reply: Reply = Reply.NONE
    value: FactValue = None
    confidence: float = 0.0
    source: Source = Source.NONE
    confirm: Optional[str] = None
    words: str = ""  # the patient's reply, as quoted in the summary ("answered: ...")
    said_new: bool = False  # the words to confirm also say the sign is recent: advise firmly now
    said_old: bool = (
        False  # ...or say it is old ("weak since my stroke in 2019, no change"): ask if it changed
    )

    @property
    def answered(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Interpretation:
    """Everything the planner needs from one message."""

    answer: Answer
    facts: tuple[StatedFact, ...] = ()  # usable facts, one per fact name (the planner merges them)
    possible: tuple[StatedFact, ...] = ()  # possible signs: asked next, with the words read back
    ignored: tuple[StatedFact, ...] = ()  # someone else's or past: kept for the record, not used
    is_question: bool = False  # the patient asked something of their own
    where: Optional[str] = None  # where the pain is, if the message says ("lower back")
    asks_meaning: bool = False  # "what does numbness mean?": the question again, in simpler words
    # the message only tells how long the pain has lasted, though a sign question was pending (the
    # second half of an opening): the pain's duration if it is not known yet, and no answer
    only_a_duration: bool = False

    def stated(self) -> dict[str, FactValue]:
        return {f.fact: f.value for f in self.facts}
