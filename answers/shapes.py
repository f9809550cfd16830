"""How a reply's wording answers, apart from what it says of the signs: a doubt that the sign is
real at all, a topic named and then denied, a "fine" that goes with the leading yes. Used by
answers/direct.py."""

from __future__ import annotations

import re
from typing import Any, Optional

from answers.contract import Answer, Reply, Source, StatedFact
from answers.lead import names_recent_topic, says_hedged_no, says_sign_fine, says_topic_fine
from answers.message import ANSWER_ENTITY, SIDES_ENTITY, Message
from answers.wording import in_first_sentence, sentences
from nlp.facts.limbs import of_the_pain, trend_cues
from triage.engine import ABSENT, UNSURE

# A hedge on whether the sign is there at all ("am I imagining it", "don't know if it's real"),
# not only on its cause ("could be im just unfit").
DOUBTS_IT_IS_REAL = re.compile(
    r"\b(imagin\w*|(don'?t|dont|do not) know if|not sure if|can'?t tell if|if it'?s real|in my head|"
    r"paranoi\w*|overthinking)\b",
    re.I,
)
# A clause that is only a doubt ("Also weight, I am not sure.", "... so I don't know."), not one
# about how much ("not sure how much weight").
_DOUBT_CLAUSE = re.compile(
    r"(?:also |and |so |but |honestly |tbh )?(?:\w+ )?(?:i'?m |i am |im )?(?:really |honestly )?"
    r"(?:not (?:really |too |that )?sure|unsure|not certain|(?:i )?(?:don'?t|do not|dont) (?:really )?know|"
    r"no idea|dunno|idk)(?: really| tbh| honestly)?",
    re.I,
)
SIDES_VALUES = ("one", "both")
TOPIC_THEN_NO = re.compile(r"^\W*((?:[\w']+\W+){1,3}?)(?:no+|none|never|nope|nah|nae)\b", re.I)


def says_weakness_steady(text: str) -> bool:
    """A yes to the weakness question that says it is not getting worse ("Yes, the right hand. But
    not getting worse."), by the cues the NLU reads beside a weakness word. Only the steady side is
    taken from a bare answer: a "worse" there may be the pain's, and the worsening question (the
    emergency one) is then asked in its own right."""
    stable, worse = trend_cues(text, 0, len(text))
    return any(not of_the_pain(text, 0, cue) for cue in stable) and not worse


# Where a reply's first clause ends ("maybe not kah, ...", "probably not. ...", "perhaps not but").
_FIRST_CLAUSE_END = re.compile(r"[,.;:!?\u2026]|\s-\s|\bbut\b")


def no_after_the_hedge(text: str, own: Optional[StatedFact], target: str) -> bool:
    """A hedged no ("maybe not kah, ...", a polite no in many Englishes), then a later clause that
    says the asked sign is absent ("I never have cancer") or its topic fine ("legs ok"); a negation
    inside the hedge ("maybe not numb") is none."""
    end = _FIRST_CLAUSE_END.search(text) if says_hedged_no(text) else None
    if end is None:
        return False
    rest = text[end.end() :]
    if own is not None:
        return own.value == ABSENT and own.words.lower() in rest.lower()
    return says_sign_fine(target, rest)


def fine_with_the_lead(msg: Message) -> bool:
    """ "Yes, all fine" is a fine; a "fine" in a later sentence is about something else ("well yeah
    i spose. just the right foot, cant get up on the toes. rest of me's fine": a yes)."""
    text = msg.text or ""
    starts = [
        int(ent.get("start") or 0)
        for ent in msg.entities
        if ent.get("entity") == ANSWER_ENTITY and ent.get("value") == "fine"
    ]
    return any(in_first_sentence(text, start) for start in starts)


def sides_answer(
    target: str, msg: Message, own: Optional[StatedFact], prediction: Any, lead: Any, min_probability: float
) -> Answer:
    """The answer to "one side or both?": the sides named, else a not sure or a no, else the reader."""
    if own is not None:
        return Answer(target, Reply.YES, own.value, 1.0, Source.FACT)
    sides = msg.first(SIDES_ENTITY)
    if sides in SIDES_VALUES:
        return Answer(target, Reply.YES, sides, 1.0, Source.WORDS)
    if lead is Reply.UNSURE or msg.first(ANSWER_ENTITY) == UNSURE:
        return Answer(target, Reply.UNSURE, UNSURE, 1.0, Source.WORDS)
    if lead is Reply.NO:
        # "I don't have that" to "which side is the weakness on?": no such sign at all
        return Answer(target, Reply.NO, None, 1.0, Source.WORDS)
    if prediction is not None and prediction.probability >= min_probability:
        if prediction.label in SIDES_VALUES:
            return Answer(target, Reply.YES, prediction.label, prediction.probability, Source.CLASSIFIER)
        if prediction.label == UNSURE:
            return Answer(target, Reply.UNSURE, UNSURE, prediction.probability, Source.CLASSIFIER)
    return Answer(target)


def confirm(
    target: str,
    words: str,
    said_new: bool = False,
    confidence: float = 0.0,
    source: Source = Source.WORDS,
    said_old: bool = False,
) -> Answer:
    """No answer yet: the words to read back before anything is recorded (firmly when they name
    the sign as recent; asking whether it changed when they call it old)."""
    return Answer(target, Reply.NONE, None, confidence, source, words, said_new=said_new, said_old=said_old)


def trouble_beside_fine(target: str, text: str) -> bool:
    """One sentence says a part of the sign is fine ("The bowel is normal"), and the others tell
    of recent trouble with it ("since Saturday the urine does not come properly")."""
    parts = sentences(text)
    rest = " ".join(s for s in parts if not says_topic_fine(target, s))
    one_part_fine = len(rest) < len(" ".join(parts))
    return one_part_fine and names_recent_topic(target, rest) and not says_sign_fine(target, rest)


def has_a_doubt_clause(text: str) -> bool:
    """A clause of the message that is only a doubt ("I am not sure", "so I don't know")."""
    return any(_DOUBT_CLAUSE.fullmatch(c.strip()) for c in re.split(r"[,.;:!?\n\u2026]+", text) if c.strip())
