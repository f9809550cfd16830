"""A tiny phrase DSL compiled to spaCy token patterns.

Why: the pattern files are written and reviewed by people (clinicians, engineers), so they hold
readable phrases, not spaCy JSON. Every word is normalised by the same tokenizer the pipeline
uses and matched on ``NORM``, so "can't", "cant", "cannot" and "can not" are one pattern
("can not"), and typo-corrected tokens (see ``components.TypoNormalizer``) match too.

Syntax (tokens separated by spaces):
  word          one literal word (normalised like the text: "can't" -> "can not")
  (a|b c|)      a group of alternatives; an empty alternative makes the group optional
  (a|b c)?      the same: an optional group
  stem*         any token whose NORM starts with "stem" ("numb*" -> numb, numbness, numbed)
  ~             one optional arbitrary word (no punctuation, never a sentence start)
  #             a number token ("3", "three")
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from spacy.language import Language

TokenPattern = list[dict[str, Any]]

_GROUP_RE = re.compile(r"\(([^()]*)\)(\?)?|(\S+)")
# A pattern file is small; a phrase expanding to more variants than this is a mistake.
MAX_VARIANTS_PER_PHRASE = 4096


# In fact phrases, "my" stands for any possessive: "can't feel her bum" is the same phrase, and
# whose it is (the patient's, someone else's, or the patient's typed by someone else) is decided
# by the other-person rules and the extractor, not by the phrase.
POSSESSIVES = ["my", "his", "her", "their"]


def _word_tokens(nlp: Language, word: str, possessives: bool = False) -> list[dict[str, Any]]:
    """Turn one written word into token specs, normalised by the real tokenizer."""
    if possessives and word == "my":
        return [{"NORM": {"IN": POSSESSIVES}}]
    if word == "~":
        return [{"IS_PUNCT": False, "IS_SENT_START": False, "OP": "?"}]
    if word == "#":
        return [{"LIKE_NUM": True}]
    if word.endswith("*") and len(word) > 1:
        stem = re.escape(word[:-1].lower())
        return [{"NORM": {"REGEX": f"^{stem}"}}]
    return [{"NORM": tok.norm_} for tok in nlp.make_doc(word)]


def _alternative(nlp: Language, text: str, possessives: bool = False) -> list[dict[str, Any]]:
    """Token specs for one alternative (possibly several words, possibly empty)."""
    specs: list[dict[str, Any]] = []
    for word in text.split():
        specs.extend(_word_tokens(nlp, word, possessives))
    return specs


def _merge_single_tokens(alts: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Fold the single-literal alternatives into one ``IN`` slot, to keep the matcher small."""
    optional = any(len(a) == 0 for a in alts)
    singles = sorted(
        {a[0]["NORM"] for a in alts if len(a) == 1 and isinstance(a[0].get("NORM"), str) and len(a[0]) == 1}
    )
    others = [
        a for a in alts if a and not (len(a) == 1 and isinstance(a[0].get("NORM"), str) and len(a[0]) == 1)
    ]
    merged: list[list[dict[str, Any]]] = []
    if singles:
        slot: dict[str, Any] = {"NORM": {"IN": singles}} if len(singles) > 1 else {"NORM": singles[0]}
        if optional and not others:
            slot["OP"] = "?"
            return [[slot]]
        merged.append([slot])
    merged.extend(others)
    if optional:
        merged.append([])
    return merged


def compile_phrase(nlp: Language, phrase: str, possessives: bool = False) -> list[TokenPattern]:
    """Expand one DSL phrase into the spaCy token patterns it stands for (``possessives``: "my"
    also matches his / her / their, for fact phrases)."""
    choices: list[list[list[dict[str, Any]]]] = []
    for match in _GROUP_RE.finditer(phrase.strip()):
        group, optional, word = match.group(1), match.group(2), match.group(3)
        if group is None:
            choices.append([_word_tokens(nlp, word, possessives)])
            continue
        alts = [_alternative(nlp, alt, possessives) for alt in group.split("|")]
        if optional:
            alts.append([])
        choices.append(_merge_single_tokens(alts))
    n_variants = 1
    for choice in choices:
        n_variants *= len(choice)
    if n_variants > MAX_VARIANTS_PER_PHRASE:
        raise ValueError(f"phrase expands to {n_variants} variants: {phrase!r}")
    patterns: list[TokenPattern] = []
    for combo in itertools.product(*choices):
        tokens = [dict(spec) for part in combo for spec in part]
        # A pattern made only of optional slots would match nothing useful (or everything).
        if tokens and any(spec.get("OP") != "?" for spec in tokens):
            patterns.append(tokens)
    return patterns
