"""Numbers as patients write them: digits, words ("sixty-two") and quantities ("a couple of").

``NUM`` is the regex fragment the age, duration and short-reply grammars share; ``number_value``
reads what it matched.
"""

from __future__ import annotations

import re

from nlp.facts.lexicon import words

_WORDS = words("numbers")
_SMALL_NUMBERS = {w: i for i, w in enumerate(_WORDS["small"])}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(_WORDS["tens"])}
# "sixty-two", "twenty one", "seventeen": a tens word with an optional unit, or a small number.
_TENS_RE, _UNITS_RE, _SMALL_RE = ("|".join(ws) for ws in (_TENS, list(_SMALL_NUMBERS)[1:10], _SMALL_NUMBERS))
_NUM_WORD = rf"(?:(?:{_TENS_RE})(?:[\s-]?(?:{_UNITS_RE}))?|{_SMALL_RE})"
NUM = rf"(?:\d{{1,3}}(?:\.\d)?|{_NUM_WORD})"
_QTY_WORDS: dict[str, float] = _WORDS["quantities"]
# Days of the month in words: "the fifteenth of October", "the twenty-first", "the first of Azar".
ORDINAL_DAYS = {w: i + 1 for i, w in enumerate(_WORDS["ordinals"])}
ORDINAL_DAYS.update({"thirtieth": 30, "thirty-first": 31, "thirty first": 31})
ORDINAL_DAYS.update(
    {f"twenty{sep}{w}": 20 + n for w, n in list(ORDINAL_DAYS.items()) if n < 10 for sep in ("-", " ")}
)
ORDINAL_RE = "|".join(sorted(map(re.escape, ORDINAL_DAYS), key=len, reverse=True))


def number_value(text: str) -> float | None:
    """'62' -> 62, 'sixty-two' -> 62, 'a couple of' -> 2."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    half = 0.0
    for tail in (" and a half", " and half"):  # "one and half month" (as many learners say it)
        if t.endswith(tail):
            half, t = 0.5, t[: -len(tail)]
    if t in _QTY_WORDS:
        return _QTY_WORDS[t] + half
    if t.startswith("half a"):
        return 0.5
    if re.fullmatch(r"\d+(?:\.\d)?", t):
        return float(t) + half
    parts = re.split(r"[\s-]+", t)
    if len(parts) == 1 and parts[0] in _SMALL_NUMBERS:
        return _SMALL_NUMBERS[parts[0]] + half
    if parts and parts[0] in _TENS:
        value = _TENS[parts[0]]
        if len(parts) == 2 and parts[1] in _SMALL_NUMBERS:
            value += _SMALL_NUMBERS[parts[1]]
        return value + half
    return None
