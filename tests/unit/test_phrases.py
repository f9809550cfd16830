"""Plain word-sequence patterns move to the phrase matcher (nlp/phrases.py); the rest stay."""

from __future__ import annotations

from nlp.phrases import PHRASE_CAP, word_sequences


def test_a_word_sequence_pattern_expands_to_its_sequences() -> None:
    pattern = [{"NORM": "pins"}, {"NORM": {"IN": ["and", "&"]}}, {"NORM": "needles"}]
    assert word_sequences(pattern) == [("pins", "&", "needles"), ("pins", "and", "needles")]
    optional = [{"NORM": "really", "OP": "?"}, {"NORM": "numb"}]
    assert word_sequences(optional) == [("numb",), ("really", "numb")]


def test_anything_else_stays_a_token_pattern() -> None:
    assert word_sequences([{"NORM": {"REGEX": "^numb"}}]) is None
    assert word_sequences([{"NORM": "numb", "OP": "+"}]) is None
    assert word_sequences([{"LIKE_NUM": True}]) is None
    assert word_sequences([{"NORM": "very", "OP": "?"}]) is None  # could match nothing
    many = [{"NORM": {"IN": [f"w{i}" for i in range(PHRASE_CAP + 1)]}}]
    assert word_sequences(many) is None
