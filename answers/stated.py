"""The facts a message states, from the NLU's mentions: whose they are (typed for someone, "she"
is the patient), and only what follows a self-correction ("wait no, scratch that")."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping, Optional

from answers.contract import Certainty, Person, StatedFact, Time
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
