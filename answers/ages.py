"""An age said as a bound or a decade, in reply to "how old are you?" ("over 50, leave it at that",
"fifty-something", "late sixties", "34. so under 50 anyway"): what the rules can use of it."""

from __future__ import annotations

import re
from typing import Optional, Sequence, Union

from nlp.facts.age import DECADE_OFFSET, DECADE_WORDS
from nlp.facts.lexicon import words
from nlp.facts.numbers import number_value
from triage.engine import UNSURE

# An adult is at least this old (the assistant is not for children: the consent says so), so "under
# 50" is 18 to 49.
ADULT_YEARS = 18
_BOUND = re.compile(
    r"\b(?P<dir>over|above|more than|older than|past|beyond|north of|under|below|less than|younger than|"
    r"not yet|south of)\s+(?P<n>\d{2,3})\b",
    re.I,
)
_DECADE = re.compile(
    r"\b(?P<part>early|mid|mid-|late)?\s*(?:(?P<num>[2-9]0)\s*'?s\b|(?P<word>"
    + "|".join(DECADE_WORDS)
    + r")\b|(?P<num2>[2-9]0)\s*[- ]?\s*something\b|(?P<tens>"
    + "|".join(words("numbers")["tens"])
    + r")\s*[- ]?\s*something\b)",
    re.I,
)
_NUMBER = re.compile(r"(?<![\d.])\d{2,3}(?!\d|\.\d)")


def age_said(text: str, thresholds: Sequence[int]) -> Optional[Union[int, str]]:
    """The age a bound or a decade gives: a number on the same side of every rule threshold as the
    real age (51 for "over 50", 49 for "under 50", 50 for "fifty-something"), "unsure" when the
    bound leaves a threshold open ("over 18, leave it at that"), None when neither is said or a
    plain number is said and no bound (read elsewhere); "34. so under 50 anyway" is 34."""
    bounds = list(_BOUND.finditer(text))
    inside = [(b.start(), b.end()) for b in bounds]
    plain = [m for m in _NUMBER.finditer(text) if not any(s <= m.start() < e for s, e in inside)]
    if plain:
        # "34. so under 50 anyway": the number said, the bound only backs it
        return int(plain[0].group(0)) if bounds and len(plain) == 1 else None
    if bounds:
        b = bounds[0]
        n = int(b.group("n"))
        if b.group("dir").lower() in ("under", "below", "less than", "younger than", "not yet", "south of"):
            open_ = any(ADULT_YEARS < t < n for t in thresholds)
            return UNSURE if open_ else n - 1
        return UNSURE if any(t > n + 1 for t in thresholds) else n + 1
    m = _DECADE.search(text)
    if m is None:
        return None
    if m.group("word"):
        base = DECADE_WORDS[m.group("word").lower()]
    else:
        base = int(number_value(m.group("tens") or m.group("num") or m.group("num2")) or 0)
    return base + DECADE_OFFSET.get((m.group("part") or "").strip().rstrip("-").lower(), 0)
