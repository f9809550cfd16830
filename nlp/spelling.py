"""Patients' own spellings read as the standard ones, with a map back to what they typed.

Why: a patient who spells as words sound ("not shure", "sinse wednsday", "resting dosnt help") or
writes Caribbean Creole ("it nuh numb", "me mudda had cancer") says the same things as everyone
else, but every reader (spaCy patterns, ConText, the date and duration regexes, the answer words)
was written for the standard spelling. Respelling the whole message once, before any of them,
covers them all; the word list is data (nlp/words/spellings.yml). Spans found in the respelled
text are mapped back to the patient's own words, which the summary quotes.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

SPELLINGS_FILE = Path(__file__).resolve().parent / "words" / "spellings.yml"
# A word, not part of one: "fi" in "wi-fi" or "dis" in "dis-" is left alone.
_EDGE_BEFORE = r"(?<![\w'’-])"
_EDGE_AFTER = r"(?![\w'’-])"


@functools.lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], re.Pattern[str] | None]:
    raw = yaml.safe_load(SPELLINGS_FILE.read_text(encoding="utf-8")) or {}
    table: dict[str, str] = {}
    for section in raw.values():
        for own, standard in (section or {}).items():
            table[str(own).lower()] = str(standard)
    if not table:
        return table, None
    # longest first, so "true true" wins over a one-word entry; spaces match any run of spaces
    words = sorted(table, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
    return table, re.compile(_EDGE_BEFORE + "(" + alternatives + ")" + _EDGE_AFTER, re.I)


def _styled(standard: str, own: str) -> str:
    """The standard spelling in the patient's case: "SINSE" -> "SINCE", "Mudda" -> "Mother"."""
    if own.isupper() and len(own) > 1:
        return standard.upper()
    if own[:1].isupper():
        return standard[:1].upper() + standard[1:]
    return standard


def _standard(table: dict[str, str], m: re.Match[str]) -> str:
    own = m.group(1)
    return _styled(table[" ".join(own.lower().split())], own)


@functools.lru_cache(maxsize=256)  # pure, and read several times per message (answer words)
def standard_spelling(text: str) -> str:
    """The text with the patients' spellings standardised (for readers that need no spans)."""
    table, pattern = _table()
    return pattern.sub(lambda m: _standard(table, m), text) if pattern is not None else text


def respell(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """The text with the patients' spellings standardised, and for each of its characters where it
    starts and ends in the original (a span [a, b) of the new text is [starts[a], ends[b - 1]))."""
    table, pattern = _table()
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for m in pattern.finditer(text) if pattern is not None else ():
        standard = _standard(table, m)
        pieces.append(text[last : m.start()])
        starts.extend(range(last, m.start()))
        ends.extend(range(last + 1, m.start() + 1))
        pieces.append(standard)
        starts.extend([m.start()] * len(standard))
        ends.extend([m.end()] * len(standard))
        last = m.end()
    pieces.append(text[last:])
    starts.extend(range(last, len(text)))
    ends.extend(range(last + 1, len(text) + 1))
    return "".join(pieces), tuple(starts), tuple(ends)
