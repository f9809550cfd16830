"""The anchored entity ruler (nlp/anchored.py) finds what spaCy's EntityRuler finds, running each
token pattern only on messages with a word it needs."""

from __future__ import annotations

from typing import Any

import spacy

from nlp.anchored import FACTORY, AnchoredMatcher, needed_words
from nlp.facts import load_nlp

PATTERNS: list[dict[str, Any]] = [
    {"label": "numb", "id": "saddle", "pattern": [{"NORM": "numb"}, {"NORM": {"IN": ["bum", "bottom"]}}]},
    {"label": "numb", "pattern": [{"NORM": "really", "OP": "?"}, {"NORM": {"IN": ["numb", "dead"]}}]},
    {"label": "weak", "pattern": [{"NORM": {"REGEX": "^weak"}}, {"NORM": "legs", "OP": "?"}]},
    {"label": "age", "pattern": [{"LIKE_NUM": True}, {"NORM": {"IN": ["years", "yrs"]}}, {"NORM": "old"}]},
    {"label": "dead", "pattern": [{"NORM": "dead"}, {"NORM": "legs"}]},
    {"label": "phrase", "pattern": "pins and needles"},
]
TEXTS = [
    "my bum is numb and I feel really dead",
    "weak legs, 54 years old",
    "weakness",
    "dead legs and pins and needles",
    "nothing at all",
    "",
]


def _ents(factory: str) -> list[list[tuple[str, int, int, str]]]:
    nlp = spacy.blank("en")
    ruler: Any = nlp.add_pipe(factory, name="entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(PATTERNS)
    return [[(e.label_, e.start, e.end, e.ent_id_) for e in doc.ents] for doc in nlp.pipe(TEXTS)]


def test_a_pattern_needs_the_words_of_its_narrowest_plain_token() -> None:
    assert needed_words(PATTERNS[0]["pattern"]) == ["numb"]
    assert needed_words(PATTERNS[1]["pattern"]) == ["numb", "dead"]  # the optional token is not needed
    assert needed_words(PATTERNS[2]["pattern"]) is None  # a regex, and an optional word: runs always
    assert needed_words(PATTERNS[3]["pattern"]) == ["old"]


def test_it_finds_the_entities_spacys_entity_ruler_finds() -> None:
    assert _ents(FACTORY) == _ents("entity_ruler")


def test_the_symptom_reader_uses_it() -> None:
    """The saved pipeline (make nlp) has it: the mechanism behind the cut, not just the code."""
    assert isinstance(load_nlp().get_pipe("entity_ruler").matcher, AnchoredMatcher)
