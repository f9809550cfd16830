"""Short replies to the pending question: yes / no / unsure / fine, a described "no" ("my legs are
as strong as ever"), a trend ("worse than on Monday"), a side ("just the left"), a bare number.
"""

from __future__ import annotations

import re

from nlp.facts.lexicon import cue_regexes
from nlp.facts.mention import SIDES_FACTS, TRI_FACTS, Mention
from nlp.facts.numbers import NUM, number_value
from nlp.facts.text import MAX_BARE_REPLY_WORDS, WORD, find_all

_LEADING_JUNK = re.compile(r"(?:\s|<[^>]*>|[^\w\s<])*")
# "no I haven't", "yep a bit": a reply word may be followed by a few words, not by a statement.
MAX_ANSWER_TAIL_WORDS = 2
# Only a plain yes word may carry a longer statement ("yeah it's worse than on Sunday"); "it has"
# or "I do" followed by a statement is that statement ("it has stayed about the same").
_PLAIN_YES = re.compile(r"(yes+|yeah|yea|yep|yup|ya|yah|aye|definitely|absolutely|indeed|of course)$", re.I)
_NEGATION_WORD = re.compile(
    r"\b(not|no|never|nothing|none|n't|don't|doesn't|didn't|isn't|aren't|can't|won't)\b", re.I
)
_BARE_NUMBER = re.compile(
    r"^\W*(?:about|around|roughly|approx\.?|approximately|maybe|like|~|nearly|almost|just over|over|"
    rf"i think|probably)?\s*(?P<n>{NUM})\s*[.!?]*\s*$",
    re.I,
)
_BARE_BOTH = re.compile(
    r"^\W*(?:it'?s\s+|on\s+|in\s+)?"
    r"(?:both|both of them|the both|both ways|both sides|all of them|everywhere|each side)\W*$",
    re.I,
)
_BARE_ONE = re.compile(
    r"^\W*(?:it'?s\s+|on\s+|in\s+)?(?:just\s+|only\s+)?(?:the\s+)?"
    r"(?:left|right|one|one of them|left one|right one|left side|right side|one side)\W*(?:only|one)?\W*$",
    re.I,
)


# A reply that describes instead of saying yes or no: "My legs are as strong as ever", "I've been
# peeing without any trouble", "It's stayed the same", "It doesn't bother me at night".
_SAME_OR_NOT_ME = re.compile(
    r"\b(same as (?:ever|always|usual|before)|"
    r"(?:stayed|been|is|it'?s|remained) (?:about |pretty much |much |roughly |more or less )?the same|"
    r"(?:hasn'?t|has not|haven'?t|have not) changed|nothing(?:'?s| has)? changed|no change|unchanged|"
    r"nothing new|no different|"
    r"(?:doesn'?t|does not|don'?t|do not|never) (?:bother|trouble|affect|wake) me)\b",
    re.I,
)
_NORMAL_DESCRIPTION = re.compile(
    r"\b(normal|normally|as usual|as always|as ever|as before|like before|like always|like usual|"
    r"fine|behaving(?: itself)?|no trouble|without (?:any )?(?:trouble|problems?|issues?|bother|difficulty)|"
    r"no problems?|no issues?|nothing (?:unusual|different|odd|wrong|strange)|steady on my feet|"
    r"as strong as|strong enough|strength is (?:fine|ok|okay|normal|good)|i feel strong|"
    r"like (?:they|it|i) always (?:have|has|did|do)|as good as (?:they were|it was|ever|before|always))\b",
    re.I,
)
# A trend, not a trigger: "worse than on Monday", "a touch worse" (not "worse when I bend").
_WORSE = re.compile(
    r"\b(worse than|(?:getting|got|gotten|becoming|definitely|even|much|a lot|slightly|"
    r"a (?:touch|bit|little)|somewhat|steadily|progressively) worse|worse and worse)\b",
    re.I,
)
# "It crept up on me, I honestly couldn't tell you when it started."
_UNSURE_ANYWHERE = re.compile(
    r"\b((?:couldn'?t|could not|can'?t|cannot) (?:honestly |really )?(?:tell|say|remember|be sure)|"
    r"(?:don'?t|do not) (?:really |honestly )?know|no idea|not (?:really |entirely |totally |quite )?sure|"
    r"(?:haven'?t|have not) (?:really )?(?:noticed|paid attention|checked|been paying attention)|"
    r"hard to (?:say|tell)|difficult to (?:say|tell)|maybe|possibly|perhaps)\b",
    re.I,
)
# A contrast may hide a sign we did not read ("all normal except the numbness"): then no answer.
_CONTRAST = re.compile(r"\b(but|except|apart from|although|though|however|other than|besides|yet)\b", re.I)


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
    out: list[Mention] = []
    cues = cue_regexes()
    lead = _LEADING_JUNK.match(text).end()  # spaces, emoji, HTML tags, quotes, bullets
    body = text[lead:]
    for value, pattern in cues["answers"]:
        m = pattern.match(body)
        if not m:
            continue
        a_start, a_end = lead + m.start(), lead + m.end()
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
        if not overlaps and not fact_in_tail and not long_tail:
            out.append(Mention("answer", value, a_start, a_end, text[a_start:a_end]))
        break
    if not out:
        out += _described_answer(text, facts)
    limb_said = any(f.fact in TRI_FACTS or f.fact in SIDES_FACTS for f in facts) or symptom_seen
    words = text.split()
    if not limb_said and 0 < len(words) <= MAX_BARE_REPLY_WORDS:
        stripped = text.strip()
        s_off = text.find(stripped)
        if _BARE_BOTH.match(stripped):
            out.append(Mention("sides", "both", s_off, s_off + len(stripped), stripped))
        elif _BARE_ONE.match(stripped):
            out.append(Mention("sides", "one", s_off, s_off + len(stripped), stripped))
        else:
            side_cues = list(find_all(cues["both"], text, 0, len(text), "both"))
            side_cues += list(find_all(cues["one"], text, 0, len(text), "one"))
            if side_cues:
                best = sorted(side_cues, key=lambda c: (c[2] != "both", c[0]))[0]
                out.append(Mention("sides", best[2], best[0], best[1], text[best[0] : best[1]]))
    m = _BARE_NUMBER.match(text)
    if m:
        value = number_value(m.group("n"))
        if value is not None:
            out.append(Mention("number", str(int(value)), m.start("n"), m.end("n"), m.group("n")))
    return out
