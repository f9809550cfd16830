"""Entity-ruler token patterns that are plain word sequences, moved to the phrase matcher.

Why: spaCy's Matcher tries each of its ~12,000 token patterns at every token, ~2-4 ms a message on
the reference machine (most of the Rasa server's language understanding; docs/performance.md),
while the PhraseMatcher looks a sequence up in a table. A pattern moves only when it is exactly a
set of word sequences: every token a NORM equal to one word or IN a list of words, optionally
"?", at most PHRASE_CAP sequences, none empty; and each sequence, read by the pipes before the
ruler, gives exactly those NORMs (a word the tokenizer would split, or the typo normalizer would
change, keeps its token pattern). The ruler matches NORM for phrases too, and merges the two
matchers' results as one set, so the entities found are the same.
"""

from __future__ import annotations

from itertools import product
from typing import Any, Optional

from spacy.language import Language

# Above this many word sequences a pattern stays a token pattern: the table would grow faster
# than the time saved (32 moves two thirds of the patterns as ~50,000 sequences).
PHRASE_CAP = 32
_PATTERN_KEYS = {"NORM", "OP"}


def _alternatives(token: dict[str, Any]) -> Optional[list[tuple[str, ...]]]:
    """The word sequences one token pattern stands for (() = skipped), or None if not words."""
    if not set(token) <= _PATTERN_KEYS or token.get("OP", "?") != "?":
        return None
    norm = token["NORM"]
    if isinstance(norm, str):
        words = [norm]
    elif isinstance(norm, dict) and set(norm) == {"IN"} and all(isinstance(w, str) for w in norm["IN"]):
        words = list(norm["IN"])
    else:
        return None
    return [(w,) for w in words] + ([()] if "OP" in token else [])


def word_sequences(pattern: list[dict[str, Any]]) -> Optional[list[tuple[str, ...]]]:
    """Every NORM sequence a token pattern matches, or None when it is not only words."""
    per_token = [_alternatives(t) for t in pattern]
    if any(a is None for a in per_token):
        return None
    count = 1
    for a in per_token:
        count *= len(a or [])
    if count > PHRASE_CAP:
        return None
    sequences = {tuple(w for part in combo for w in part) for combo in product(*[a or [] for a in per_token])}
    return None if () in sequences else sorted(sequences)


def _reads_as(nlp: Language, text: str) -> tuple[str, ...]:
    """The NORMs of a text after the pipes before the entity ruler (as the ruler reads a phrase)."""
    doc = nlp.make_doc(text)
    for name, pipe in nlp.pipeline:
        if name == "entity_ruler":
            break
        doc = pipe(doc)
    return tuple(t.norm_ for t in doc)


def as_phrases(nlp: Language, patterns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The patterns, each plain word-sequence one replaced by its phrases (label and id kept)."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for p in patterns:
        sequences = word_sequences(p["pattern"]) if isinstance(p["pattern"], list) else None
        texts = [" ".join(s) for s in sequences or []]
        if sequences is None or any(_reads_as(nlp, t) != s for t, s in zip(texts, sequences, strict=True)):
            out.append(p)
            continue
        for text in texts:
            key = (p["label"], p.get("id", ""), text)
            if key not in seen:
                seen.add(key)
                out.append({**p, "pattern": text})
    return out
