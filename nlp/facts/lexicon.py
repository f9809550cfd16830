"""The cue regexes of nlp/patterns/cues.yml (sides, worsening, short answers), compiled once.

They are data, reviewed with the phrase patterns; this module only loads and compiles them.
"""

from __future__ import annotations

import functools
import re

import yaml

from nlp.facts.model import NLP_DIR

CUES_FILE = NLP_DIR / "patterns" / "cues.yml"


@functools.lru_cache(maxsize=1)
def cue_regexes() -> dict:
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
