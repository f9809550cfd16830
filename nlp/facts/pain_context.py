"""Whether a time phrase is about the patient's own pain: the cues that tell a start ("since I
lifted"), the pain now ("my back hurts"), someone else's sentence, another condition ("in
remission 5 years") or a past history ("had sciatica 10 years ago") apart.
"""

from __future__ import annotations

import re

from nlp.facts.lexicon import regexes
from nlp.facts.text import WORD, sentence_bounds

_TIME = regexes("time")
PAIN_NOW = _TIME["pain_now"]
START_CUE = _TIME["start_cue"]
FAMILY_WORD = _TIME["family_word"]
FIRST_PERSON_WORD = _TIME["first_person_word"]
NOT_PAIN_CONTEXT = _TIME["not_pain_context"]
HISTORY_ONLY = _TIME["history_only"]
_OWN_PAIN_CLAUSE = _TIME["own_pain_clause"]
_OTHER_CONDITION = _TIME["other_condition"]
_PAIN_WORD = _TIME["pain_word"]
_SYMPTOM_CLAUSE = _TIME["symptom_clause"]
_CLAUSE_START = _TIME["clause_start"]
MAX_BARE_DURATION_SENTENCE_WORDS = 3  # "3 days." or "about 2 weeks." standing alone
# "Three shifts ago. The Thursday night shift. So 4 days.": a sentence that sums up how long, after
# a story of when it started, is the answer however long the story ("so", "that's", "which is").
SUMMED_UP_LOOKBACK_CHARS = 30  # "which makes it" and the sentence end before it fit easily
_SUMMED_UP_BEFORE = re.compile(
    r"[.!?\n]\s*(?:so|so that's|so thats|that's|thats|that is|which is|which makes it|making it|"
    r"i\.e\.?|ie|=)\s*$",
    re.I,
)


def bare_duration_of_the_pain(text: str, m: re.Match[str]) -> bool:
    """A bare "7 weeks" set off by commas or a full stop in a sentence about the patient's own pain.

    ("...lower back stiffness from sleeping funny, 2 days.") A history or someone else's sentence,
    or a number inside a clause ("had surgery 7 weeks"), does not count.
    """
    before = text[max(0, m.start() - 2) : m.start()]
    after = text[m.end() : m.end() + 2]
    lead = text[max(0, m.start() - SUMMED_UP_LOOKBACK_CHARS) : m.start()]
    if m.start() <= SUMMED_UP_LOOKBACK_CHARS:
        lead = "\n" + lead  # the message's start is a sentence start
    if _SUMMED_UP_BEFORE.search(lead) and re.match(r"\s*([.!]|$)", after):
        s_lo = sentence_bounds(text, m.start())[0]
        story = text[sentence_bounds(text, max(0, s_lo - 2))[0] : m.end()]  # and the sentence it sums up
        return _not_a_history(text[s_lo : m.end()]) and not _someone_elses(story)
    set_off = (
        re.search(r"[,;.]\s*$|^\s*$", before) is not None and re.match(r"\s*([,.;!]|$)", after) is not None
    )
    if not set_off:
        return False
    s_lo, s_hi = sentence_bounds(text, m.start())
    sentence = text[s_lo:s_hi]
    if len(WORD.findall(sentence)) <= MAX_BARE_DURATION_SENTENCE_WORDS:
        sentence = text  # "Lower back pain after gardening. 3 days. Age 30.": the message is the context
    return _not_a_history(sentence) and _OWN_PAIN_CLAUSE.search(sentence) is not None


def _not_a_history(sentence: str) -> bool:
    """Neither a past history ("had sciatica") nor someone else's sentence."""
    return not (HISTORY_ONLY.search(sentence) or _someone_elses(sentence))


def _someone_elses(sentence: str) -> bool:
    return FAMILY_WORD.search(sentence) is not None and FIRST_PERSON_WORD.search(sentence) is None


def not_patients_pain(text: str, m: re.Match[str]) -> bool:
    """A time phrase in someone else's sentence, or right after another condition ("in remission 5 years")."""
    s_lo, s_hi = sentence_bounds(text, m.start())
    sentence = text[s_lo:s_hi]
    if _someone_elses(sentence):
        return True  # "my husband was in a car accident last year"
    if _OTHER_CONDITION.search(sentence) and not _PAIN_WORD.search(sentence):
        return True  # "i'm a wheelchair user, been one for 9 years"
    return NOT_PAIN_CONTEXT.search(text[max(0, m.start() - 40) : m.start()]) is not None


def _clause_before(text: str, start: int) -> str:
    s_lo, _ = sentence_bounds(text, start)
    before = text[s_lo:start]
    starts = list(_CLAUSE_START.finditer(before))
    return before[starts[-1].end() :] if starts else before


# A time phrase that opens its clause ("Since 3 weeks it makes me pain ... and since one week the
# right leg is weak"): only a sentence start, a stop or a joining word stands before it.
_OPENS_A_CLAUSE = re.compile(
    r"(?:^|[,;.!?]|\b(?:and|but|so|then|though|although|while|whereas|plus))\W*$", re.I
)


def _clause_of(text: str, start: int, end: int | None) -> str:
    """The clause a time phrase belongs to: the one it ends, or, when it opens its clause, the one
    it opens (up to the next stop or joining word)."""
    s_lo, _ = sentence_bounds(text, start)
    if end is None or not _OPENS_A_CLAUSE.search(text[s_lo:start]):
        return _clause_before(text, start)
    after = text[end:]
    stop = _CLAUSE_START.search(after)
    return after[: stop.start()] if stop else after


def in_a_pain_clause(text: str, start: int, end: int | None = None) -> bool:
    """The time phrase at ``start`` ends a clause that names the pain ("a pain in the low part of my
    back since the week after Halloween"), not another thing ("rain here since October"); or opens
    one ("since 3 weeks it makes me pain in the low back")."""
    return _PAIN_WORD.search(_clause_of(text, start, end)) is not None


def in_a_symptom_clause(text: str, start: int, end: int | None = None) -> bool:
    """The time phrase at ``start`` ends a clause about a sign and not the pain ("my feet have been
    numb for 10 years"), or opens one ("since one week the right leg is weak"): the sign's time,
    when the message gives the pain's elsewhere."""
    clause = _clause_of(text, start, end)
    return _SYMPTOM_CLAUSE.search(clause) is not None and not _PAIN_WORD.search(clause)


def start_cue_around(text: str, m: re.Match[str]) -> bool:
    """A start cue ("started", "lifted", "since") elsewhere in the sentence of the time phrase ``m``."""
    s_lo, s_hi = sentence_bounds(text, m.start())
    return START_CUE.search(text[s_lo:s_hi].replace(m.group(0), " ")) is not None
