"""Turn a patient's message into triage facts (names and values of triage/facts.yml).

Why rules and not a trained model: there is no clinical chat corpus to train on, every decision
must be explainable to a clinician, and a negated or someone else's symptom must never become the
patient's. The spaCy pipeline (nlp/build_pipeline.py) finds symptom phrases and medspaCy ConText
marks them negated / family / historical / hypothetical; this package turns that into fact values
and adds what phrases cannot carry alone: sides, worsening, age, duration and short replies.
No Rasa import here: the same code serves the Rasa component, the tests and the benchmark.

One module per concern (the public names below are re-exported from them):

- ``model``: loading the saved pipeline;     ``mention``: the Mention and the fact kinds;
- ``lexicon``: the cue regexes of nlp/patterns/cues.yml;  ``text``: sentences, clauses, chunks;
- ``numbers``: "sixty-two", "a couple of";   ``symptoms``: the ConText symptom reader;
- ``limbs``: sides and worsening of a weakness / numbness;  ``age``: the patient's age;
- ``onset``, ``pain_context``, ``durations``: how long the pain has lasted;
- ``replies``: short replies to the pending question;  ``extract``: the entry points.
"""

from __future__ import annotations

from nlp.facts.age import DECADE_OFFSET, MAX_AGE, MIN_AGE
from nlp.facts.durations import DAYS, MORE_THAN_EXTRA_DAYS, VAGUE_PLURAL_COUNT
from nlp.facts.extract import extract_facts, extract_mentions
from nlp.facts.lexicon import CUES_FILE
from nlp.facts.limbs import FOLLOW_SENTENCES
from nlp.facts.mention import (
    EMERGENCY_FACTS,
    GENERIC_FACTS,
    IGNORE_LABEL,
    LIMB_FACTS,
    NUMBER_FACTS,
    SIDES_FACTS,
    TRI_FACTS,
    Mention,
)
from nlp.facts.model import NLP_DIR, REPO_ROOT, load_nlp
from nlp.facts.onset import END_MONTH_DAY, LATE_MONTH_DAY, MID_MONTH_DAY, WEEK_START_DAY
from nlp.facts.pain_context import MAX_BARE_DURATION_SENTENCE_WORDS
from nlp.facts.replies import MAX_ANSWER_TAIL_WORDS
from nlp.facts.text import CHUNK_CHARS, MAX_BARE_REPLY_WORDS, MAX_TEXT_CHARS

__all__ = [
    "CHUNK_CHARS",
    "CUES_FILE",
    "DAYS",
    "DECADE_OFFSET",
    "EMERGENCY_FACTS",
    "END_MONTH_DAY",
    "FOLLOW_SENTENCES",
    "GENERIC_FACTS",
    "IGNORE_LABEL",
    "LATE_MONTH_DAY",
    "LIMB_FACTS",
    "MAX_AGE",
    "MAX_ANSWER_TAIL_WORDS",
    "MAX_BARE_DURATION_SENTENCE_WORDS",
    "MAX_BARE_REPLY_WORDS",
    "MAX_TEXT_CHARS",
    "MIN_AGE",
    "MID_MONTH_DAY",
    "MORE_THAN_EXTRA_DAYS",
    "NLP_DIR",
    "NUMBER_FACTS",
    "REPO_ROOT",
    "SIDES_FACTS",
    "TRI_FACTS",
    "VAGUE_PLURAL_COUNT",
    "WEEK_START_DAY",
    "Mention",
    "extract_facts",
    "extract_mentions",
    "load_nlp",
]
