"""The message as the NLU read it, and the names of the entities that are replies, not facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from answers.lead import spelled

# Pseudo-question that a yes/no answers while the patient is asked to agree to the terms.
CONSENT_QUESTION = "consent"
# Pseudo-question that a yes/no answers after the patient asked to delete the conversation.
FORGET_QUESTION = "forget"
# The yes/no questions that are not triage facts: a yes or no answers them like consent.
YES_NO_QUESTIONS = (CONSENT_QUESTION, FORGET_QUESTION)
# Entities the NLU sends that are not facts but generic replies to the pending question.
ANSWER_ENTITY, SIDES_ENTITY, NUMBER_ENTITY, ANSWER_TO_ENTITY = "answer", "sides", "number", "answer_to"
DURATION_FACT = "duration_days"
AGE_FACT = "age"


@dataclass(frozen=True)
class Message:
    """What the NLU made of the patient's latest message."""

    text: str = ""
    intent: Optional[str] = None
    entities: tuple[Mapping[str, Any], ...] = ()
    confidence: float = 1.0  # of the intent
    # The message started with "/" but was none of the buttons just offered: read as words
    # (channels/inbound.py), so it steers nothing ("/restart" is not a restart).
    typed_command: bool = False
    # ... and it is the payload of one of our buttons, pressed after its question was gone (e.g.
    # the conversation was lost in a server restart).
    earlier_button: bool = False

    @property
    def meaningful(self) -> bool:
        """Has at least one letter or digit, or an emoji that answers ("👍")."""
        text = self.text or ""
        return any(c.isalnum() for c in text) or any(c.isalnum() for c in spelled(text))

    def first(self, name: str) -> Optional[str]:
        for ent in self.entities:
            if ent.get("entity") == name and ent.get("value") not in (None, ""):
                return str(ent["value"])
        return None
