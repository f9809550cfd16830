"""The facts a message states, from the NLU's mentions: whose they are (typed for someone, "she"
is the patient), and only what follows a self-correction ("wait no, scratch that")."""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from answers.contract import Certainty, Person, StatedFact, Time
from answers.lead import lead_reply
from answers.message import AGE_FACT, Message
from answers.wording import MAX_AGE_YEARS, MIN_AGE_YEARS, to_number
from triage.engine import NUMBER, UNSURE, Engine

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


# "I think my bum feels kind of numb?? ... wait no sorry, I checked and I can feel everything":
# the patient takes back what they said earlier in the same message; only what follows counts.
# A joke taken back counts the same: "running a fever of 1000 degrees. jk no, no temperature".
_SELF_CORRECTION = re.compile(
    r"\b(wait,? no|no,? wait|scratch that|actually,? no|sorry,? no|i mean,? no|never ?mind|"
    r"ignore (that|what i said)|wait,? i (was wrong|checked|take that back)|jk|j/k|just (kidding|joking)|"
    r"only (kidding|joking)|(i'?m |im )?(kidding|joking)( aside)?|(lol|haha+|lmao)\W+(no|nah|not really))\b",
    re.I,
)


# A line quoted from the question ("> Have you had any new problems with your bladder?"), as email
# replies quote: the patient's answer is below it, the quoted words are the bot's. So is a phrase
# in quotation marks made of the questions' own words ('"a leg that gives way" - no weakness').
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.M)
_QUOTED_PHRASE = re.compile(r"[\"\u201c\u201d]([^\"\u201c\u201d\n]{8,200})[\"\u201c\u201d]")
# ... or the question's words as a label before the answer: "ever had cancer - no not me"
_LABEL = re.compile(r"^\s*([^-:\u2013\n]{3,120}?)\s*(?:-|:|\u2013)\s+")
_WORD = re.compile(r"[a-z']+")
# A word of the question being discussed, not stated: "that depends what you mean by weakness",
# "define 'new'", "the word numbness": the word itself is blanked (it says nothing of the sign).
_WORD_DISCUSSED = re.compile(
    r"\b(?:what (?:do |does |did )?(?:you|u) mean by|depends (?:on )?what (?:you|u) mean by|define|"
    r"definition of|the word|what counts as|in the sense of)\s+(?:the |a |an )?['\"\u2018\u201c]?"
    r"([a-z][a-z'-]+(?: [a-z][a-z'-]+)?)",
    re.I,
)
# The files whose texts are the questions a patient may quote back.
QUESTION_FILES = ("triage_questions.yml", "short_questions.yml", "consent.yml")
RESPONSES_DIR = Path(__file__).resolve().parent.parent / "data" / "responses"
# A quoted phrase is the bot's when at least this share of its words are the questions' words.
QUOTED_QUESTION_SHARE = 0.9
# ... and it has at least this many words (a quoted "numb" may be the patient's own word).
MIN_QUOTED_WORDS = 3


@functools.lru_cache(maxsize=1)
def _question_words() -> frozenset[str]:
    words: set[str] = set()
    for name in QUESTION_FILES:
        doc = yaml.safe_load((RESPONSES_DIR / name).read_text(encoding="utf-8")) or {}
        for variants in (doc.get("responses") or {}).values():
            for v in variants or []:
                words.update(_WORD.findall(str(v.get("text") or "").lower()))
    return frozenset(words)


def _quotes_the_question(phrase: str) -> bool:
    words = _WORD.findall(phrase.lower().replace("\u2019", "'"))
    known = sum(w in _question_words() for w in words)
    return len(words) >= MIN_QUOTED_WORDS and known >= QUOTED_QUESTION_SHARE * len(words)


def without_quoted_lines(msg: Message) -> Message:
    """The message with the bot's quoted words blanked (same length, so every entity span still
    fits) and the entities found in them dropped."""
    text = msg.text or ""
    quoted = [(m.start(), m.end()) for m in _QUOTED_LINE.finditer(text)]
    # (a label only when an answer word follows it: "numbness in my legs - since Tuesday" is the
    # patient's own)
    labels = [m for m in _LABEL.finditer(text) if lead_reply(text[m.end() :]) is not None]
    phrases = [*_QUOTED_PHRASE.finditer(text), *labels]
    quoted += [(m.start(1), m.end(1)) for m in phrases if _quotes_the_question(m.group(1))]
    quoted += [
        (m.start(1), m.start(1) + len(m.group(1).split()[0]))
        for m in _WORD_DISCUSSED.finditer(text)
        if m.group(1).split()[0].lower() in _question_words()
    ]
    if not quoted:
        return msg
    for start, end in quoted:
        text = text[:start] + " " * (end - start) + text[end:]

    def inside(e: Mapping[str, Any]) -> bool:
        at = e.get("start")
        return isinstance(at, int) and any(start <= at < end for start, end in quoted)

    return replace(msg, text=text, entities=tuple(e for e in msg.entities if not inside(e)))


def after_self_correction(msg: Message) -> Message:
    """The message from its last self-correction on (the facts said before it are dropped)."""
    text = msg.text or ""
    marks = list(_SELF_CORRECTION.finditer(text))
    if not marks:
        return msg
    cut = marks[-1].start()
    kept: list[Mapping[str, Any]] = []
    for e in msg.entities:
        start, end = e.get("start"), e.get("end")
        if isinstance(start, int) and isinstance(end, int):
            # Rasa's entities carry a span: kept when it is after the cut, moved with the text
            if start >= cut:
                kept.append({**e, "start": start - cut, "end": end - cut})
        elif not e.get("text") or text.rfind(str(e.get("text"))) >= cut:
            kept.append(e)
    return replace(msg, text=text[cut:], entities=tuple(kept))


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


def stated_facts(
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
            value = to_number(value)
        if value is None or not spec.valid(value):
            continue
        fact = StatedFact(
            fact=str(name),
            value=value,
            time=Time(ent.get("time", Time.NOW.value)),
            person=_whose(ent, proxy),
            certainty=Certainty(ent.get("certainty", Certainty.DEFINITE.value)),
            words=str(ent.get("text") or _span(msg.text or "", ent)),
        )
        (own if fact.usable else rest).append(fact)
    return own, rest


def _span(text: str, ent: Mapping[str, Any]) -> str:
    """The words of an entity from its span (Rasa's entities carry start/end, not the text)."""
    start, end = ent.get("start"), ent.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return text[start:end]
    return ""
