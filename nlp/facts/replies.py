"""Short replies to the pending question: yes / no / unsure / fine, a described "no" ("my legs are
as strong as ever"), a trend ("worse than on Monday"), a side ("just the left"), a bare number.
"""

from __future__ import annotations

import re

from nlp.facts.lexicon import cue_regexes, regexes
from nlp.facts.mention import SIDES_FACTS, TRI_FACTS, Mention
from nlp.facts.numbers import NUM, number_value
from nlp.facts.text import MAX_BARE_REPLY_WORDS, WORD, find_all

# A reply this long may still give the side asked about, if it names only one kind of side.
MAX_SIDE_REPLY_WORDS = 16

_LEADING_JUNK = re.compile(r"(?:\s|<[^>]*>|[^\w\s<])*")
# "no I haven't", "yep a bit": a reply word may be followed by a few words, not by a statement.
MAX_ANSWER_TAIL_WORDS = 2
_REPLIES = regexes("replies")
_PLAIN_YES = _REPLIES["plain_yes"]
_NEGATION_WORD = _REPLIES["negation_word"]
_BARE_BOTH = _REPLIES["bare_both"]
_BARE_ONE = _REPLIES["bare_one"]
_SAME_OR_NOT_ME = _REPLIES["same_or_not_me"]
_NORMAL_DESCRIPTION = _REPLIES["normal_description"]
_WORSE = _REPLIES["worse"]
_UNSURE_ANYWHERE = _REPLIES["unsure_anywhere"]
_CONTRAST = _REPLIES["contrast"]
_BARE_NUMBER = re.compile(
    r"^\W*(?:about|around|roughly|approx\.?|approximately|maybe|like|~|nearly|almost|just over|over|"
    rf"i think|probably)?\s*(?P<n>{NUM})\s*[.!?]*\s*$",
    re.I,
)


def _described_answer(text: str, facts: list[Mention]) -> list[Mention]:
    """A described "no" (or "fine") to the pending question, when the message names no sign.

    Only for a statement with no sign in it, no contrast and no question: a wrong "no" to an
    emergency question is the costliest mistake, so anything doubtful stays unanswered.
    """
    if "?" in text or _CONTRAST.search(text) or any(f.fact in TRI_FACTS for f in facts):
        return []  # a question, a contrast, or a sign of its own: the described facts speak
    worse = _WORSE.search(text)
    if worse and not _NEGATION_WORD.search(text):
        # "worse" (definitely) or "worse-maybe" (hedged: "about the same, maybe a touch worse"):
        # the dialogue reads it for the two trend questions only.
        hedged = _SAME_OR_NOT_ME.search(text) or _UNSURE_ANYWHERE.search(text)
        value = "worse-maybe" if hedged else "worse"
        return [Mention("answer", value, worse.start(), worse.end(), worse.group(0))]
    for value, pattern in (
        ("unsure", _UNSURE_ANYWHERE),
        ("no", _SAME_OR_NOT_ME),
        ("fine", _NORMAL_DESCRIPTION),
    ):
        m = pattern.search(text)
        if m:
            return [Mention("answer", value, m.start(), m.end(), m.group(0))]
    return []


def generic_mentions(text: str, facts: list[Mention], symptom_seen: bool) -> list[Mention]:
    """Short replies to the pending question: yes/no/unsure, a side, a bare number."""
    out = _reply_word(text, facts) or _described_answer(text, facts)
    limb_said = any(f.fact in TRI_FACTS or f.fact in SIDES_FACTS for f in facts) or symptom_seen
    if not limb_said or (out and out[0].value == "yes" and not any(f.fact in SIDES_FACTS for f in facts)):
        out += _bare_side(text)  # "Yes, both legs, like ants walking": the yes and its side
    return out + _bare_number(text)


def _reply_word(text: str, facts: list[Mention]) -> list[Mention]:
    """A yes / no / unsure / fine word opening the message, unless a statement follows it."""
    junk = _LEADING_JUNK.match(text)  # spaces, emoji, HTML tags, quotes, bullets (always matches)
    lead = junk.end() if junk else 0
    body = text[lead:]
    for value, pattern in cue_regexes()["answers"]:
        m = pattern.match(body)
        if m:  # the first family that matches decides
            a_start, a_end = lead + m.start(), lead + m.end()
            if _stands_alone(text, facts, value, m, a_start, a_end):
                return [Mention("answer", value, a_start, a_end, text[a_start:a_end])]
            return []
    return []


def _stands_alone(
    text: str, facts: list[Mention], value: str, m: re.Match[str], a_start: int, a_end: int
) -> bool:
    """The reply word is no fact's words, and no sign or other statement follows it in its clause."""
    rest = text[a_end:]
    rest_clause_end = re.search(r"[,.!?;:]|\bbut\b", rest)
    tail_end = a_end + (rest_clause_end.start() if rest_clause_end else len(rest))
    overlaps = any(f.start < a_end and a_start < f.end for f in facts)
    fact_in_tail = any(a_end <= f.start < tail_end for f in facts if f.fact in TRI_FACTS)
    tail = text[a_end:tail_end]
    # "yeah it's worse than it was on Sunday" is a yes; "no numbness" negates a noun instead,
    # so only a yes may carry a longer statement (one without a negation of its own).
    long_tail = len(WORD.findall(tail)) > MAX_ANSWER_TAIL_WORDS and not (
        (value == "yes" and _PLAIN_YES.match(m.group(0)) and not _NEGATION_WORD.search(tail))
        or value == "unsure"  # "I'm not entirely sure how to answer that" is still not sure
    )
    return not overlaps and not fact_in_tail and not long_tail


def _bare_side(text: str) -> list[Mention]:
    """'Both', 'just the left', 'my left leg': a side in a short reply; in a longer one ("Yes, both
    legs, like ants walking, since 3 days") only when it names one kind of side."""
    words = len(text.split())
    if not 0 < words <= MAX_SIDE_REPLY_WORDS:
        return []
    stripped = text.strip()
    s_off = text.find(stripped)
    if _BARE_BOTH.match(stripped):
        return [Mention("sides", "both", s_off, s_off + len(stripped), stripped)]
    if _BARE_ONE.match(stripped):
        return [Mention("sides", "one", s_off, s_off + len(stripped), stripped)]
    cues = cue_regexes()
    side_cues = list(find_all(cues["both"], text, 0, len(text), "both"))
    side_cues += list(find_all(cues["one"], text, 0, len(text), "one"))
    if not side_cues or (words > MAX_BARE_REPLY_WORDS and len({c[2] for c in side_cues}) > 1):
        return []
    best = sorted(side_cues, key=lambda c: (c[2] != "both", c[0]))[0]
    return [Mention("sides", best[2], best[0], best[1], text[best[0] : best[1]])]


def _bare_number(text: str) -> list[Mention]:
    """'About 45', 'sixty-two': a number alone."""
    m = _BARE_NUMBER.match(text)
    value = number_value(m.group("n")) if m else None
    if m is None or value is None:
        return []
    return [Mention("number", str(int(value)), m.start("n"), m.end("n"), m.group("n"))]
