"""What a fact reading is: the Mention every reader returns, and the fact kinds it may carry.

The kinds come from the contract (triage/facts.yml), so a fact added there is read here with no
second list to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.engine import default_engine

# Fact kinds come from the contract (triage/facts.yml), and the facts whose miss could send
# someone with an emergency home (the safety recall target) from the rule table itself.
_ENGINE = default_engine()
TRI_FACTS = frozenset(n for n, spec in _ENGINE.facts.items() if spec.kind == "tri")
SIDES_FACTS = frozenset(n for n, spec in _ENGINE.facts.items() if spec.kind == "sides")
NUMBER_FACTS = frozenset(n for n, spec in _ENGINE.facts.items() if spec.kind == "number")
GENERIC_FACTS = frozenset({"answer", "sides", "number"})  # short replies to the pending question
EMERGENCY_FACTS = _ENGINE.emergency_facts
LIMB_FACTS = ("weakness", "numbness")
IGNORE_LABEL = "IGNORE"


@dataclass(frozen=True)
class Mention:
    """One fact read from the text: value as the dialogue stores it, char span in the message."""

    fact: str
    value: str
    start: int
    end: int
    text: str
    # Whose, when and how sure (answers.contract): only self / now / definite mentions are facts;
    # the others travel with them so the interpreter can ask, read back or keep them for the record.
    time: str = "now"
    person: str = "self"
    certainty: str = "definite"
    # For a conversation typed by someone else (dialogue/proxy.yml): the other-person words that
    # made it someone else's ("she", "my mum", "his dad"), and whether the typist says it of
    # themselves ("I had sciatica myself").
    who: str = ""
    first_person: bool = False

    @property
    def definite_own_now(self) -> bool:
        return self.time == "now" and self.person == "self" and self.certainty == "definite"

    @property
    def is_own_possible_now(self) -> bool:
        return self.time == "now" and self.person == "self" and self.certainty == "possible"
