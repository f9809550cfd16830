"""Read one message as an answer to the pending question, plus every other fact it states.

The rules that make a misunderstanding safe live here (README, "Misunderstandings fail safe"):

1. The direct answer decides the question asked. A clear lead ("no", "yeah nah", "God forbid")
   stays the answer whatever explanation follows, unless the explanation describes the very sign
   asked about as present and does not say it is old: then the words are read back first.
2. An emergency sign is recorded absent only from a clear negative: a button, a clear lead word,
   or the learned reader's confident "no" that nothing in the message contradicts.
3. A possible emergency sign (hedged, or described in words the fact patterns do not know but the
   learned detector does) is never recorded: it is asked next, with the patient's words read back.

Nothing here decides a triage level; the planner does, from the Interpretation.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from answers.classifier import AnswerReader, default_reader
from answers.contract import (
    Answer,
    Certainty,
    FactValue,
    Interpretation,
    Person,
    Reply,
    Source,
    StatedFact,
    Time,
)
from nlp.questions import looks_like_question
from triage.engine import ABSENT, NUMBER, PRESENT, UNSURE, Engine

LEAD_WORDS_FILE = Path(__file__).resolve().parent / "lead_words.yml"
LOCATIONS_FILE = Path(__file__).resolve().parent / "locations.yml"
CONSENT_QUESTION = "consent"

# Entities the NLU sends that are not facts but generic replies to the pending question.
ANSWER_ENTITY, SIDES_ENTITY, NUMBER_ENTITY, ANSWER_TO_ENTITY = "answer", "sides", "number", "answer_to"
ANSWER_INTENTS = {"affirm": Reply.YES, "deny": Reply.NO, "unsure": Reply.UNSURE}
# A yes/no taken from the intent classifier alone must be confident, and the message must have a
# letter or digit: its guess for an empty or emoji-only message is often "affirm".
ANSWER_INTENT_MIN_CONFIDENCE = 0.6
# The learned reader's answer is used at or above these probabilities (measured on the held-out
# set, bench/answer_eval.py). A "no" to an emergency question needs more: it is the costliest
# mistake, and below this the question is asked again instead.
READER_MIN_PROBABILITY = 0.55
READER_EMERGENCY_NO_PROBABILITY = 0.65
READER_EMERGENCY_YES_PROBABILITY = 0.6
# The sign detectors flag a possible emergency sign at or above this probability (recall first:
# a false flag costs one question, a missed sign may cost a late emergency).
SIGN_POSSIBLE_PROBABILITY = 0.6
# ...or at this lower one when the message also names the sign's topic as recent.
SIGN_WITH_RECENT_TOPIC = 0.3
# The sign detector's probability that makes a negation the patterns found unclear, and the higher
# one that makes a clear leading "no" worth reading back (measured on round-1 role-play replies:
# leaked or retained urine described after a "no" scored 0.63-0.82, "no, walk still ok" 0.54).
SIGN_DOUBTS_A_NEGATION = 0.85
SIGN_DOUBTS_A_NO = 0.85
# A yes from the reply reader this likely makes a "no" or a negation found by the patterns unclear.
READER_HEARD_YES = 0.5
# A reply reader's yes to one emergency question is about another sign when that sign's detector
# is at least this sure, the asked sign's own detector is not (below SIGN_DOUBTS_A_NO) and trails
# it by this margin ("CAN'T FEEL MY BUM WHEN I WIPE" to the bladder question: saddle 1.0, bladder
# 0.6 — the saddle sign, not a bladder problem; the bladder question stays open).
SIGN_OF_ANOTHER_QUESTION = 0.85
SIGN_OF_ANOTHER_MARGIN = 0.3
# Signs whose one recent episode is the sign, even if it has passed ("wet myself yesterday, fine
# now" is a new loss of bladder control).
EPISODE_FACTS = frozenset({"bladder_bowel", "major_injury"})
# Signs that are events, not states: "recent" says nothing about them.
EVENT_FACTS = frozenset({"major_injury"})
# A topic word right after a negation ("no accident", "not wet") does not name the sign.
_NEGATED_BEFORE = re.compile(r"\b(no|not|never|without|nae|non)\s+(\w+\s+)?$", re.I)
# Facts that count however long ago they were: an old one is never "not new".
EVER_FACTS = frozenset({"cancer_history"})
# A reply this short that names the sign and ends in "no" is a no ("fever no", "cancer me never").
MAX_TOPIC_REPLY_WORDS = 5
# A leading "no" followed by at least this many words carries an explanation worth reading.
MIN_EXPLANATION_WORDS = 5
# Read-back quotes are cut to this many characters (a sentence, not a paragraph).
MAX_READ_BACK_CHARS = 160
# "It's fine" / "all normal" means no problem: no for a symptom, yes for these questions.
FINE_MEANS_YES = {"improving", CONSENT_QUESTION}
# "Worse than on Monday" answers only the trend questions.
TREND_ANSWERS: dict[str, dict[str, Reply]] = {
    "worse": {"improving": Reply.NO, "weakness_worsening": Reply.YES},
    "worse-maybe": {"improving": Reply.NO, "weakness_worsening": Reply.UNSURE},
}
# When the pending question is the key, a bare mention of the listed fact with one of the listed
# values answers that question: "no numbness there" to the saddle question is about the saddle
# area; "I didn't injure it" to the injury question is a no.
CONTEXT_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "saddle_numbness": {"numbness": (PRESENT, "absent")},
    "major_injury": {"mechanical": ("absent",)},
}
POLARITY_VALUE = {Reply.YES: PRESENT, Reply.NO: "absent", Reply.UNSURE: UNSURE}
SIDES_VALUES = ("one", "both")

DURATION_FACT = "duration_days"
AGE_FACT = "age"
# A reply to the age question with one number in it, in a few words, is the age; plausible ages only.
MAX_AGE_REPLY_WORDS = 6
MIN_AGE_YEARS, MAX_AGE_YEARS = 1, 120
_TOPIC_THEN_NO = re.compile(r"^\W*((?:[\w']+\W+){1,3}?)(?:no+|none|never|nope|nah|nae)\b", re.I)
_OPENING_NUMBER = re.compile(r"^\W*(\d{1,3})\s*[.!,;:]")
_WHOLE_NUMBER = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.])")
_PAIN_WORDS = re.compile(
    r"\b(pain\w*|hurt\w*|ach\w*|sore\w*|twing\w*|back|neck|spine|sciatica|tweak\w*|pulled|strain\w*|"
    r"put (it|my back) out|did (it|my back)|it started|it began|it came on|it happened|it'?s been)\b",
    re.I,
)
_OTHER_THING_WORDS = re.compile(
    r"\b(numb\w*|tingl\w*|pins and needles|weak\w*|wee(?:s|ing|d)?|pee(?:s|ing|d)?|urine|bladder|bowel\w*|"
    r"poo(?:s|ing|ed|p)?|stool|leak\w*|wet|weight|diet\w*|slimming|tablets?|pills?|meds?|medication|"
    r"amitriptyline|sweat\w*|fever|temperature|lump|swelling|walk\w*|balance|cancer|chemo\w*|job|work\w*|"
    r"retired|married|gym|diabet\w*|ms|multiple sclerosis|stroke|arthritis|prostate|fibro\w*|neuropathy|"
    r"asthma|heart|blood pressure|condition|disease|diagnosed|operation|surgery|shiver\w*|chills|"
    r"hot and cold|flu|jab|vaccin\w*|rain\w*|weather|storm|snow\w*)\b",
    re.I,
)
# A sentence about an earlier episode ("had a bad back in 2024, went in like a week", "I had
# sciatica myself last year"): its duration is that episode's, unless it says "since" or "for the
# last/past".
_PAST_EPISODE = re.compile(
    r"\b(in (19|20)\d\d|last (year|summer|winter|spring|autumn|fall|time)|years ago|back in (19|20)\d\d|"
    r"back in the day|that time|the time (before|when)|once before|previously|the one before)\b",
    re.I,
)
_ONGOING_DURATION = re.compile(r"^\W*(since|from|for the (last|past))\b", re.I)
# ...unless the sentence turns from that episode to this one ("had sciatica years ago but this is
# different, ... for about a week").
_TURN_TO_NOW = re.compile(
    r"\b(but|this time|now|this is|this one|currently|at the moment|these days)\b", re.I
)
_LEAD_JUNK = re.compile(r"^[\W_]*", re.U)
# Fillers before the answer word: "hmm maybe", "well no", "oh yes", "erm not sure".
# Words that open a reply before its answer, in English and in patients' other languages
# ("bueno yes", "pues no", "olha, não", "wallahi no", "abeg no", "och aye").
_FILLERS = re.compile(
    r"^(?:(?:hmm+|hm+|umm*|erm*|uh+|um+|ah+|oh+|eh+|well|so|look|listen|honestly|i mean|like|"
    r"bueno|pues|mira|bom|olha|ent[aã]o|wallahi|wallah|walla|yani|abeg|chale|och|ach)\b[\W_]*)+",
    re.I,
)


@dataclass(frozen=True)
class Message:
    """What the NLU made of the patient's latest message."""

    text: str = ""
    intent: Optional[str] = None
    entities: tuple[Mapping[str, Any], ...] = ()
    confidence: float = 1.0  # of the intent

    @property
    def meaningful(self) -> bool:
        """Has at least one letter or digit."""
        return any(c.isalnum() for c in self.text or "")

    def first(self, name: str) -> Optional[str]:
        for ent in self.entities:
            if ent.get("entity") == name and ent.get("value") not in (None, ""):
                return str(ent["value"])
        return None


@functools.lru_cache(maxsize=1)
def _lead_words() -> dict[str, Any]:
    raw = yaml.safe_load(LEAD_WORDS_FILE.read_text(encoding="utf-8"))
    out: dict[str, Any] = {
        key: [re.compile(p, re.I) for p in pats] for key, pats in raw.items() if key != "topics"
    }
    out["topics"] = {fact: re.compile(p, re.I) for fact, p in (raw.get("topics") or {}).items()}
    return out


def _fold(text: str) -> str:
    """Lower case, curly quotes straightened, leading emoji and punctuation dropped."""
    folded = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'").lower()
    return _FILLERS.sub("", _LEAD_JUNK.sub("", folded))


@functools.lru_cache(maxsize=256)  # pure, and asked several times per message
def lead_reply(text: str) -> Optional[Reply]:
    """The clear answer the message gives: the word it starts with ("yeah nah" is a no), unless it
    ends by settling on another ("yes I thought I'd leaked but it was sweat, so no")."""
    body = _fold(text).strip()
    words = _lead_words()
    lead = None
    # A refusal, "no idea" and "not sure" are not a no: those families are tried first.
    for key, reply in (
        ("refuse", Reply.UNSURE),
        ("switch_no", Reply.NO),
        ("unsure", Reply.UNSURE),
        ("switch_yes", Reply.YES),
        ("no", Reply.NO),
        ("yes", Reply.YES),
    ):
        if any(p.match(body) for p in words[key]):
            lead = reply
            break
    refused = any(p.match(body) for p in words["refuse"]) or words["refuse"][0].search(body)
    if refused:
        return Reply.UNSURE  # "none of your business. i said my NECK", "not telling you that"
    for key, reply in (("settle_no", Reply.NO), ("settle_yes", Reply.YES)):
        if any(p.search(body) for p in words[key]):
            return reply
    return lead


def names_recent_topic(fact: str, text: str) -> bool:
    """The message names the sign's topic, not negated, and says it is recent ("these 2 day ...
    pee"). Not for an injury: it is an event by nature ("no accident, it just started")."""
    words = _lead_words()
    topic = words.get("topics", {}).get(fact)
    folded = _fold(text)
    if topic is None or fact in EVENT_FACTS:
        return False
    named = [m for m in topic.finditer(folded) if not _NEGATED_BEFORE.search(folded[: m.start()])]
    return bool(named) and any(p.search(folded) for p in words["recent"])


@functools.lru_cache(maxsize=1)
def _locations() -> list[tuple[str, re.Pattern[str]]]:
    rows = yaml.safe_load(LOCATIONS_FILE.read_text(encoding="utf-8")) or []
    return [(str(r["label"]), re.compile(str(r["pattern"]), re.I)) for r in rows]


# Typed for someone: the other-person cues that name the patient ("she", "her", "my mum"), not
# someone else ("his dad", "her sister"), and the patient's age ("he's 45", "Mum is 82").
_PROXY_PATIENT = re.compile(
    r"^\s*(he|she|him|her|his|hers|((my|our) )?(mum|mom|mam|mother|dad|father|husband|hubby|wife|partner|"
    r"grandad|granddad|grandpa|grandma|gran|granny|nan|nana|client|resident))\s*$",
    re.I,
)
_PROXY_AGE = re.compile(
    r"\b(he|she|mum|mom|mam|dad|my \w+|him|her)(?:'s| is|, aged|, age|,) (?P<age>\d{2,3})\b"
    r"(?!\s*(%|kg|lbs?|mins?|minutes|hours?|days?|weeks?|months?|pounds|stone|st|cm|mg|miles))",
    re.I,
)
# "It's not the middle of my back, it's lower": a place said with a negation just before it.
_NEGATED_PLACE = re.compile(r"\b(not|no|isn'?t|never|nothing in)\W+(\w+\W+){0,3}$", re.I)


def pain_location(text: str) -> Optional[str]:
    """Where the pain is, in a clinician's words ("lower back", "neck and upper back"), if said."""
    folded = _fold(text)
    found = [
        label
        for label, pattern in _locations()
        if any(not _NEGATED_PLACE.search(folded[: m.start()]) for m in pattern.finditer(folded))
    ]
    return " and ".join(found) if found else None


def asks_meaning(text: str) -> bool:
    """The message asks what a word of the question means."""
    return any(p.search(_fold(text)) for p in _lead_words()["asks_meaning"])


def says_recent(text: str) -> bool:
    """The message says something started recently ("since last week", "it was fine until now")."""
    folded = _fold(text)
    return any(p.search(folded) for p in _lead_words()["recent"]) or "until now" in folded


def says_not_new(text: str, fact: Optional[str] = None) -> bool:
    """The explanation says the sign is old or explained ("it's always been like that"), and
    nothing in it says the sign is recent ("since the weekend, but that's the coffee")."""
    folded = _fold(text)
    words = _lead_words()
    if fact not in EPISODE_FACTS and any(p.search(folded) for p in words["resolved"]):
        return True  # "went dead once last week... went away": recent, but gone
    return any(p.search(folded) for p in words["not_new"]) and not any(
        p.search(folded) for p in words["recent"]
    )


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_READ_BACK_CHARS else text[: MAX_READ_BACK_CHARS - 1].rstrip() + "\u2026"


def _sentence_around(text: str, words: str) -> str:
    """The sentence of the message that holds these words (for reading them back)."""
    pos = text.find(words) if words else -1
    if pos < 0:
        return _quote(text)
    start = max(text.rfind(c, 0, pos) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, pos + len(words)) for c in ".!?\n") if i >= 0]
    return _quote(text[start : (min(ends) + 1 if ends else len(text))].strip())


def _about_the_pain(text: str, words: str, answering: bool) -> bool:
    """A duration said in a sentence about the pain; in an opening, also one about nothing else
    in particular ("About 2 weeks."). In an answer to another question it must name the pain:
    "that is new, since yesterday" to the fever question dates the fever."""
    sentence = _sentence_around(text, words) if words else text
    past = _PAST_EPISODE.search(sentence)
    if past and not _ONGOING_DURATION.search(words or ""):
        at = sentence.find(words) if words else -1
        between = sentence[past.end() : at] if at > past.end() else ""
        if not _TURN_TO_NOW.search(between):
            return False
    if _PAIN_WORDS.search(sentence):
        return True
    return not answering and not _OTHER_THING_WORDS.search(sentence)


def _sentence_and_next(text: str, words: str) -> str:
    """The sentence holding the words and the one after ("...tingle sometimes. None of that has
    changed."): where an explanation of a mention usually is."""
    first = _sentence_around(text, words)
    start = text.find(first.rstrip("\u2026"))
    rest = text[start + len(first) :] if start >= 0 else ""
    return f"{first} {_sentence_around(rest, rest.strip()[:20]) if rest.strip() else ''}"


def _in_a_question(text: str, words: str) -> bool:
    """The words stand in a sentence that asks something ("do you think it's cancer???")."""
    return "?" in _sentence_around(text, words) if words else False


def _lone_age(text: str) -> Optional[int]:
    """The one whole number in a short reply to "how old are you?" ("71 this year", "71 po"),
    or a number that opens the reply on its own ("45. Do I need to call my oncologist?")."""
    opening = _OPENING_NUMBER.match(text)
    if opening is not None:
        text = opening.group(1)
    if len(text.split()) > MAX_AGE_REPLY_WORDS:
        return None
    numbers = _WHOLE_NUMBER.findall(text)
    if len(numbers) != 1:
        return None
    value = int(numbers[0])
    return value if MIN_AGE_YEARS <= value <= MAX_AGE_YEARS else None


def _number(value: Any) -> Optional[int]:
    try:
        number = int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


# "I think my bum feels kind of numb?? ... wait no sorry, I checked and I can feel everything":
# the patient takes back what they said earlier in the same message; only what follows counts.
_SELF_CORRECTION = re.compile(
    r"\b(wait,? no|no,? wait|scratch that|actually,? no|sorry,? no|i mean,? no|never ?mind|"
    r"ignore (that|what i said)|wait,? i (was wrong|checked|take that back))\b",
    re.I,
)


def _after_self_correction(msg: Message) -> Message:
    """The message from its last self-correction on (the facts said before it are dropped)."""
    text = msg.text or ""
    marks = list(_SELF_CORRECTION.finditer(text))
    if not marks:
        return msg
    cut = marks[-1].start()
    kept = tuple(e for e in msg.entities if not e.get("text") or text.rfind(str(e.get("text"))) >= cut)
    return replace(msg, text=text[cut:], entities=kept)


def _whose(ent: Mapping[str, Any], proxy: bool) -> Person:
    """Whose fact a mention is. Typed for someone, "she" / "my mum" is the patient (not someone
    else), and a fact the typist says of themselves ("I had sciatica myself") is not the patient's."""
    person = Person(ent.get("person", Person.SELF.value))
    if not proxy:
        return person
    if person is Person.OTHER and _PROXY_PATIENT.match(str(ent.get("who") or "")):
        return Person.SELF
    if person is Person.SELF and ent.get("first_person"):
        return Person.OTHER
    return person


def _proxy_age(text: str) -> Optional[int]:
    """ "he's 45", "Mum is 82", "my dad, 79,": the patient's age, typed by someone else."""
    m = _PROXY_AGE.search(text)
    age = int(m.group("age")) if m else None
    return age if age is not None and MIN_AGE_YEARS <= age <= MAX_AGE_YEARS else None


def _stated_facts(
    engine: Engine, msg: Message, proxy: bool = False
) -> tuple[list[StatedFact], list[StatedFact]]:
    """The NLU's fact mentions, split into the patient's own definite ones and the rest."""
    own: list[StatedFact] = []
    rest: list[StatedFact] = []
    said_age = any(e.get("entity") == AGE_FACT and e.get("person") == Person.SELF.value for e in msg.entities)
    if proxy and not said_age:
        age = _proxy_age(msg.text or "")
        if age is not None:
            own.append(StatedFact(fact=AGE_FACT, value=age, words=str(age)))
    for ent in msg.entities:
        name, value = ent.get("entity"), ent.get("value")
        if name not in engine.facts or value in (None, ""):
            continue
        spec = engine.facts[str(name)]
        if spec.kind == NUMBER and value != UNSURE:
            value = _number(value)
        if value is None or not spec.valid(value):
            continue
        fact = StatedFact(
            fact=str(name),
            value=value,
            time=Time(ent.get("time", Time.NOW.value)),
            person=_whose(ent, proxy),
            certainty=Certainty(ent.get("certainty", Certainty.DEFINITE.value)),
            words=str(ent.get("text") or ""),
        )
        (own if fact.usable else rest).append(fact)
    return own, rest


class Interpreter:
    """(pending question, message) -> Interpretation, with the learned reader when it is built."""

    def __init__(self, engine: Engine, reader: Optional[AnswerReader] = None) -> None:
        self.engine = engine
        self.reader = reader

    def interpret(self, question: Optional[str], msg: Message, proxy: bool = False) -> Interpretation:
        """``proxy``: someone is typing for the patient, so "he" / "she" / "my mum" is the patient
        and what the typist says of themselves ("I had sciatica myself") is not."""
        msg = _after_self_correction(msg)
        engine = self.engine
        text = msg.text or ""
        own, rest = _stated_facts(engine, msg, proxy)
        stated = {f.fact: f for f in own}
        button_target = msg.first(ANSWER_TO_ENTITY)
        target = button_target or question
        duration = stated.get(DURATION_FACT)
        answering = target in engine.facts and target != DURATION_FACT  # a health question is pending
        if (
            duration is not None
            and target != DURATION_FACT
            and not _about_the_pain(text, duration.words, answering)
        ):
            # "The numbness started 2 days ago", "Slimming World since September": another
            # thing's duration, not the pain's.
            rest.append(replace(stated.pop(DURATION_FACT), time=Time.PAST))
        is_question = looks_like_question(text)

        if target in engine.facts and asks_meaning(text):
            # "dont know what numbness mean": asked again in simpler words, nothing recorded
            answer = Answer(target, Reply.NONE, words=_quote(text))
            return Interpretation(answer, (), (), tuple(rest), True, None, asks_meaning=True)
        if target == CONSENT_QUESTION or target not in engine.facts:
            answer = Answer(target, self._consent_reply(msg) if target == CONSENT_QUESTION else Reply.NONE)
            return self._finish(target, answer, stated, rest, msg, is_question)

        # "No numbness there" to the saddle question is about the saddle area, not the legs.
        generic = msg.first(ANSWER_ENTITY)
        for alias, values in CONTEXT_ALIASES.get(target, {}).items():
            fact = stated.get(alias)
            if fact is not None and fact.value in values and target not in stated and generic is None:
                if not msg.first(SIDES_ENTITY) and not any(f.fact.endswith("_sides") for f in own):
                    stated[target] = replace(stated.pop(alias), fact=target)

        if button_target is not None and msg.intent in ANSWER_INTENTS:
            answer = self._from_reply(target, ANSWER_INTENTS[msg.intent], 1.0, Source.BUTTON)
        else:
            answer = replace(self._direct_answer(target, msg, stated, rest), words=_quote(text))
        if answer.confirm is not None:
            stated.pop(target, None)  # read back before anything about it is recorded
        elif answer.answered:
            stated.pop(target, None)
        return self._finish(target, answer, stated, rest, msg, is_question)

    # --- the answer to the question asked ------------------------------------------------------

    def _from_reply(self, target: str, reply: Reply, confidence: float, source: Source) -> Answer:
        spec = self.engine.facts[target]
        value: FactValue = None
        if reply is Reply.UNSURE:
            value = UNSURE
        elif spec.kind == "tri" and reply in (Reply.YES, Reply.NO):
            value = POLARITY_VALUE[reply]
        return Answer(target, reply, value, confidence, source)

    def _direct_answer(
        self, target: str, msg: Message, stated: dict[str, StatedFact], rest: list[StatedFact]
    ) -> Answer:
        engine = self.engine
        text = msg.text or ""
        spec = engine.facts[target]
        emergency = target in engine.emergency_facts
        lead = lead_reply(text) if msg.meaningful else None
        own = stated.get(target)
        prediction = self.reader.reply(target, text) if self.reader and msg.meaningful else None

        if spec.kind == "sides":
            return self._sides_answer(target, msg, own, prediction, lead)
        past = [f for f in rest if f.fact == target and f.time is Time.PAST and f.person is Person.SELF]
        if own is None and past and lead in (None, Reply.NO):
            if target in EPISODE_FACTS and says_recent(text):
                # "no, but I wet myself yesterday, it's fine now": one recent episode is the sign;
                # read back (with the advice) before anything is recorded
                return Answer(
                    target, Reply.NONE, None, 0.0, Source.FACT, _sentence_around(text, past[0].words)
                )
            # "Had sciatica at uni, nothing like that now": a past episode is a no for now.
            return Answer(target, Reply.NO, "absent", 1.0, Source.FACT)
        if spec.kind == NUMBER:
            number = _number(msg.first(NUMBER_ENTITY))
            if number is None and target == AGE_FACT:
                number = _lone_age(text)
            if own is not None:
                return Answer(target, Reply.YES, own.value, 1.0, Source.FACT)
            if number is not None:
                return Answer(target, Reply.YES, number, 1.0, Source.WORDS)
            if lead is Reply.UNSURE or msg.first(ANSWER_ENTITY) == UNSURE:
                return Answer(target, Reply.UNSURE, UNSURE, 1.0, Source.WORDS)
            return Answer(target)

        if lead is Reply.UNSURE and own is not None and own.value == ABSENT:
            # "don't know if my bum is numb": a negation inside a "don't know" is no "no"
            return Answer(target, Reply.UNSURE, UNSURE, 1.0, Source.WORDS)
        if own is not None and lead is Reply.UNSURE and own.value == PRESENT:
            # "possibly?? or am I imagining it... inner thighs weird and tingly": not sure
            return Answer(target, Reply.UNSURE, UNSURE, 1.0, Source.WORDS)
        if own is not None:  # the message names the asked fact itself
            topic_no = _TOPIC_THEN_NO.match(text)
            if (
                lead is Reply.NO
                and own.value == PRESENT
                and topic_no
                and own.words.lower() in topic_no.group(1).lower()
            ):
                # "weak no. arm leg strong same before": the topic named, then the answer
                return Answer(target, Reply.NO, "absent", 1.0, Source.WORDS)
            if lead is Reply.NO and own.value == PRESENT and len(text.split()) <= MAX_TOPIC_REPLY_WORDS:
                # "fever no", "weak none": the topic named, then the answer
                return Answer(target, Reply.NO, "absent", 1.0, Source.WORDS)
            if lead is Reply.NO and own.value == PRESENT and _in_a_question(text, own.words):
                # "no never. OH GOD do you think it's cancer???": the sign is in a question
                return Answer(target, Reply.NO, "absent", 1.0, Source.WORDS)
            if lead is Reply.NO and own.value == PRESENT:
                # "no. my bum goes a bit dead after driving, but it's always been like that" (a
                # cancer history counts however long ago it was, so it is always read back)
                if says_not_new(text, target) and target not in EVER_FACTS:
                    return Answer(target, Reply.NO, "absent", 1.0, Source.WORDS)
                words = _sentence_around(text, own.words)
                return Answer(target, Reply.NONE, None, 0.0, Source.WORDS, words, said_new=says_recent(text))
            if (
                own.value == "absent"
                and emergency
                and lead is Reply.NO
                and self._explains_a_yes(target, text, prediction)
            ):
                # "no. but these 2 day I not feel when need pee": the explanation is the sign
                return Answer(target, Reply.NONE, None, 0.0, Source.WORDS, _quote(text))
            if own.value == "absent" and emergency and lead is not Reply.NO:
                # A negation the patterns found is clear only if the learned readers do not hear
                # the sign in it ("I cannot hold the stool, it comes and I don't feel it").
                if self._hears_a_yes(target, text, prediction):
                    return Answer(target, Reply.NONE, None, 0.0, Source.FACT, _quote(text))
            if own.value == PRESENT and emergency and target not in EVER_FACTS and says_not_new(text, target):
                # "a numb patch where the cow kicked me in the summer, it's old": the sign, but
                # explained as old; asked again with the words read back, never an emergency yet.
                return Answer(target, Reply.NONE, None, 0.0, Source.FACT, _sentence_around(text, own.words))
            reply = {PRESENT: Reply.YES, "absent": Reply.NO}.get(str(own.value), Reply.UNSURE)
            return Answer(target, reply, own.value, 1.0, Source.FACT)

        generic = msg.first(ANSWER_ENTITY)
        if lead in (Reply.NO, Reply.UNSURE) and emergency and self._explains_a_yes(target, text, prediction):
            # "Not really. Well, I had to strain to get going this morning", "I dont know sir.. the
            # water is coming alone in my trousers, I am not feel it coming": the explanation may
            # describe the very sign asked about. Read it back (with the advice; firmly when it
            # says the sign is recent) before recording anything.
            return Answer(
                target, Reply.NONE, None, 0.0, Source.WORDS, _quote(text), said_new=says_recent(text)
            )
        if lead is not None:
            if lead is Reply.YES and generic == "fine":
                lead = None  # "yes, all fine" is read below as fine
            else:
                return self._from_reply(target, lead, 1.0, Source.WORDS)
        if looks_like_question(text):
            return Answer(target)  # a question back ("what counts as a fever?") answers nothing
        if generic == "fine":
            reply = Reply.YES if target in FINE_MEANS_YES else Reply.NO
            return self._from_reply(target, reply, 1.0, Source.WORDS)
        if generic in TREND_ANSWERS:
            trend = TREND_ANSWERS[generic].get(target)
            return self._from_reply(target, trend, 1.0, Source.WORDS) if trend else Answer(target)
        if generic in ("yes", "no", "unsure"):
            return self._from_reply(target, Reply(generic), 1.0, Source.WORDS)

        intent_reply = ANSWER_INTENTS.get(msg.intent or "")
        if intent_reply is not None and msg.meaningful and msg.confidence >= ANSWER_INTENT_MIN_CONFIDENCE:
            # The intent classifier's yes/no/not sure, when the reader has no confident answer.
            reader_sure = prediction is not None and prediction.probability >= READER_MIN_PROBABILITY
            if not reader_sure and not stated and not (emergency and intent_reply is Reply.NO):
                return self._from_reply(target, intent_reply, msg.confidence, Source.CLASSIFIER)
        if (
            stated
            and any(self.engine.facts[f].kind != NUMBER for f in stated)
            and not (emergency and self._hears_a_yes(target, text, None, SIGN_DOUBTS_A_NO))
        ):
            # the message is about the facts it names, not a bare reply to this one; unless the
            # asked sign's detector hears it too ("my left foot's gone a bit floppy ... Its got
            # worse this week" names the pain's trend, and answers the weakness question)
            prediction = None
        if prediction is not None and prediction.label != Reply.NONE.value:
            reply = Reply(prediction.label) if prediction.label in Reply._value2member_map_ else Reply.NONE
            needed = READER_MIN_PROBABILITY
            if emergency and reply is Reply.NO:
                needed = READER_EMERGENCY_NO_PROBABILITY
                if says_recent(text):
                    # "wet the armchair twice this week, never done that before": a reader's "no"
                    # beside words that say something is new is no clear negative
                    return Answer(
                        target, Reply.NONE, None, prediction.probability, Source.CLASSIFIER, _quote(text)
                    )
            if emergency and reply is Reply.YES and self._yes_to_another_sign(target, text):
                # the description is of another emergency sign (flagged possible below, asked
                # next); this question stays open
                return Answer(target, Reply.NONE, None, prediction.probability, Source.CLASSIFIER)
            if emergency and reply is Reply.YES and prediction.probability < READER_EMERGENCY_YES_PROBABILITY:
                # A possible yes to an emergency question: read it back, then ask again.
                return Answer(
                    target, Reply.NONE, None, prediction.probability, Source.CLASSIFIER, _quote(text)
                )
            if prediction.probability >= needed:
                return self._from_reply(target, reply, prediction.probability, Source.CLASSIFIER)
            return Answer(target, Reply.NONE, None, prediction.probability, Source.CLASSIFIER)

        return Answer(target)

    def _yes_to_another_sign(self, target: str, text: str) -> bool:
        """The sign detectors hear another emergency sign, and not the asked one."""
        if self.reader is None:
            return False
        signs = self.reader.signs(text)
        own = signs.get(target, 0.0)
        if own >= SIGN_DOUBTS_A_NO:
            return False
        return any(
            p >= SIGN_OF_ANOTHER_QUESTION and p - own >= SIGN_OF_ANOTHER_MARGIN
            for name, p in signs.items()
            if name != target
        )

    def _explains_a_yes(self, target: str, text: str, prediction: Any) -> bool:
        """After a leading no, does the explanation look like the asked sign, present and new?
        A clear no needs stronger evidence to be doubted than a negation the patterns found."""
        if len(text.split()) < MIN_EXPLANATION_WORDS:
            return False
        if names_recent_topic(target, text):
            return True  # "no. but these 2 day I not feel when need pee"
        if says_not_new(text, target):
            return False
        return self._hears_a_yes(target, text, prediction, SIGN_DOUBTS_A_NO)

    def _hears_a_yes(
        self, target: str, text: str, prediction: Any, sign_needed: float = SIGN_DOUBTS_A_NEGATION
    ) -> bool:
        """The learned readers hear the asked sign as present: its detector, or a yes reply."""
        if sign_needed == SIGN_DOUBTS_A_NEGATION and names_recent_topic(target, text):
            return True  # a negation found in "since yesterday I cannot retain the urine"
        if self.reader is None:
            return False
        if self.reader.signs(text).get(target, 0.0) >= sign_needed:
            return True
        return (
            prediction is not None
            and prediction.label == "yes"
            and prediction.probability >= READER_HEARD_YES
        )

    def _sides_answer(
        self, target: str, msg: Message, own: Optional[StatedFact], prediction: Any, lead: Any
    ) -> Answer:
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
        if prediction is not None and prediction.probability >= READER_MIN_PROBABILITY:
            if prediction.label in SIDES_VALUES:
                return Answer(target, Reply.YES, prediction.label, prediction.probability, Source.CLASSIFIER)
            if prediction.label == UNSURE:
                return Answer(target, Reply.UNSURE, UNSURE, prediction.probability, Source.CLASSIFIER)
        return Answer(target)

    def _consent_reply(self, msg: Message) -> Reply:
        if msg.intent in ANSWER_INTENTS and msg.first(ANSWER_TO_ENTITY) == CONSENT_QUESTION:
            return ANSWER_INTENTS[msg.intent]
        lead = lead_reply(msg.text) if msg.meaningful else None
        generic = msg.first(ANSWER_ENTITY)
        if lead is None and (
            generic == "fine" or any(p.match(_fold(msg.text)) for p in _lead_words()["consent_yes"])
        ):
            return Reply.YES
        if lead is None and generic in ("yes", "no", "unsure"):
            return Reply(generic)
        if lead is None and msg.intent in ANSWER_INTENTS and msg.meaningful:
            if msg.confidence >= ANSWER_INTENT_MIN_CONFIDENCE:
                return ANSWER_INTENTS[msg.intent]
        return lead or Reply.NONE

    # --- everything else the message says ------------------------------------------------------

    def _finish(
        self,
        target: Optional[str],
        answer: Answer,
        stated: dict[str, StatedFact],
        rest: list[StatedFact],
        msg: Message,
        is_question: bool,
    ) -> Interpretation:
        engine = self.engine
        facts = [
            f
            for f in stated.values()
            if not (
                target in engine.facts and engine.facts[f.fact].follows == target and answer.value != PRESENT
            )
        ]
        parent = engine.facts[target].follows if target in engine.facts else None
        if parent and engine.facts[str(target)].kind == "sides" and answer.reply is Reply.NO:
            facts.append(StatedFact(parent, ABSENT, words=_quote(msg.text)))
        # "Yes, in both legs" answers the weakness question and its follow-up at once.
        sides = msg.first(SIDES_ENTITY)
        if target in engine.facts and answer.value == PRESENT and sides in SIDES_VALUES:
            for child in engine.facts.values():
                if child.follows == target and child.kind == "sides" and child.name not in stated:
                    facts.append(StatedFact(child.name, sides, words=sides))
        possible = [
            f
            for f in rest
            if f.certainty is Certainty.POSSIBLE
            and f.fact in engine.emergency_facts
            and f.fact != answer.question
        ]
        hedged = msg.meaningful and lead_reply(msg.text) is Reply.UNSURE
        for f in list(facts):
            if hedged and f.value == PRESENT and f.fact in engine.emergency_facts and f.fact != target:
                # "possibly?? or am I imagining it ... inner thighs weird and tingly": possible only
                facts.remove(f)
                possible.append(replace(f, certainty=Certainty.POSSIBLE))
                continue
            old_news = f.value == PRESENT and f.fact in engine.emergency_facts and f.fact not in EVER_FACTS
            if old_news and f.fact != target and says_not_new(_sentence_and_next(msg.text, f.words), f.fact):
                # "my legs feel heavy when I'm tired, none of that has changed": a sign explained as
                # old is asked about (is it new?), never recorded as a new one
                facts.remove(f)
                possible.append(replace(f, certainty=Certainty.POSSIBLE))
        demoted = {f.fact for f in possible}
        facts = [f for f in facts if engine.facts[f.fact].follows not in demoted]  # its sides go too
        if self.reader is not None and msg.meaningful:
            # An emergency sign is recorded absent only from a clear no: a negation the patterns
            # found that the sign detector doubts ("I cannot retain the urine, it escapes me") is
            # asked next, with the words read back, instead.
            signs = self.reader.signs(msg.text)
            doubted = [
                f
                for f in facts
                if f.value == ABSENT
                and f.fact != target
                and f.fact in engine.emergency_facts
                and (signs.get(f.fact, 0.0) >= SIGN_DOUBTS_A_NEGATION or names_recent_topic(f.fact, msg.text))
                and f.fact not in {p.fact for p in possible}
                and lead_reply(msg.text) is not Reply.NO
            ]
            for f in doubted:
                facts.remove(f)
                possible.append(replace(f, value=PRESENT, certainty=Certainty.POSSIBLE))
        mentioned = {f.fact for f in facts} | {f.fact for f in rest} | {f.fact for f in possible} | {target}
        if self.reader is not None and msg.meaningful:
            # a sign told inside a question counts too ("i keep finding im wet?? is that normal")
            for sign, probability in sorted(self.reader.signs(msg.text).items(), key=lambda kv: -kv[1]):
                recent = names_recent_topic(sign, msg.text) and probability >= SIGN_WITH_RECENT_TOPIC
                if sign not in mentioned and (probability >= SIGN_POSSIBLE_PROBABILITY or recent):
                    possible.append(
                        StatedFact(
                            sign, PRESENT, certainty=Certainty.POSSIBLE, words=_quote(msg.text), learned=True
                        )
                    )
        ignored = [f for f in rest if f.certainty is not Certainty.POSSIBLE]
        possible = [
            replace(f, words=_sentence_around(msg.text, f.words) if f.words else _quote(msg.text))
            for f in possible
        ]
        where = pain_location(msg.text) if msg.meaningful and not is_question else None
        return Interpretation(answer, tuple(facts), tuple(possible), tuple(ignored), is_question, where)


@functools.lru_cache(maxsize=4)
def default_interpreter(engine: Engine) -> Interpreter:
    return Interpreter(engine, default_reader())
