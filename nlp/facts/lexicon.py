"""The regex lexicons and word lists the readers use, loaded from data files once per process.

They are data, reviewed like the phrase patterns: the cue regexes of nlp/patterns/cues.yml (sides,
worsening, short answers) and the files of nlp/words/ (symptom context, time, age, replies,
numbers). This module only reads and compiles them; the readers say what they mean.
"""

from __future__ import annotations

import functools
import re
from typing import Any, TypedDict

import yaml

from nlp.facts.model import NLP_DIR

CUES_FILE = NLP_DIR / "patterns" / "cues.yml"
WORDS_DIR = NLP_DIR / "words"


class Cues(TypedDict):
    """cues.yml compiled: side cues, worsening cues, and the short-answer families in file order."""

    both: list[re.Pattern[str]]
    one: list[re.Pattern[str]]
    stable: list[re.Pattern[str]]
    worse: list[re.Pattern[str]]
    pain_subject: re.Pattern[str]
    answers: list[tuple[str, re.Pattern[str]]]


@functools.lru_cache(maxsize=1)
def cue_regexes() -> Cues:
    with open(CUES_FILE, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    flags = re.IGNORECASE
    return {
        "both": [re.compile(p, flags) for p in raw["sides"]["both"]],
        "one": [re.compile(p, flags) for p in raw["sides"]["one"]],
        "stable": [re.compile(p, flags) for p in raw["worsening"]["stable"]],
        "worse": [re.compile(p, flags) for p in raw["worsening"]["worse"]],
        "pain_subject": re.compile(raw["worsening"]["pain_subject"], flags),
        "answers": [(k, re.compile(v, flags)) for k, v in raw["answers"].items()],
    }


@functools.cache
def words(name: str) -> dict[str, Any]:
    """The data file nlp/words/<name>.yml, read once however many modules use it."""
    with open(WORDS_DIR / f"{name}.yml", encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


@functools.cache
def regexes(name: str) -> dict[str, re.Pattern[str]]:
    """The ``regexes`` of nlp/words/<name>.yml, compiled ignoring case.

    A regex may be written as a list of pieces (a long one, cut for reading): they are joined as
    they are, with nothing added between them.
    """
    raw: dict[str, str | list[str]] = words(name)["regexes"]
    return {key: re.compile(p if isinstance(p, str) else "".join(p), re.IGNORECASE) for key, p in raw.items()}
