"""Numbers as patients write them: digits, words ("sixty-two") and quantities ("a couple of").

``NUM`` is the regex fragment the age, duration and short-reply grammars share; ``number_value``
reads what it matched.
"""

from __future__ import annotations

import re

_SMALL_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_NUM_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]?(?:one|two|three|four|"
    r"five|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
NUM = rf"(?:\d{{1,3}}(?:\.\d)?|{_NUM_WORD})"
_QTY_WORDS = {
    "a": 1,
    "an": 1,
    "a couple of": 2,
    "couple of": 2,
    "a couple": 2,
    "a few": 3,
    "few": 3,
    "several": 3,
    "half a": 0.5,
    "a half": 0.5,
}


def number_value(text: str) -> float | None:
    """'62' -> 62, 'sixty-two' -> 62, 'a couple of' -> 2."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    half = 0.0
    if t.endswith(" and a half"):
        half, t = 0.5, t[: -len(" and a half")]
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
