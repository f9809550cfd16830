"""The one question detector, shared by the NLU (facts in a question are not the patient's) and the
answer interpreter (a question answers nothing). Plain regex: no spaCy, cheap to import."""

from __future__ import annotations

import re

QUESTION_START = re.compile(
    # An optional lead-in ("Sorry, before I answer that, how common is...") before the question word.
    r"^\W*(?:(?:sorry|ok|okay|also|but|and|so|well|hmm|quick question|just wondering|one question|"
    r"before i answer(?: that| you)?|before i go on|first)\W+)*"
    r"(can|could|does|do|did|should|shall|will|would|might|may|is|are|am|what|what's|whats|how|when|why|"
    r"which|where|who|tell me|explain|any idea|i wonder|i want to know|i'd like to know)\b",
    re.I,
)


def looks_like_question(text: str) -> bool:
    """A question mark, or a question word first ("what is a biopsy", "tell me about MRI")."""
    return "?" in text or QUESTION_START.match(text) is not None
