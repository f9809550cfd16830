"""Simulated patients: whole conversations through the REST channel, judged like an outside evaluator.

Each persona in bench/personas.yml is one patient with TRUE facts. The simulator sends the
opening, agrees to the terms, then answers every question from the true facts in the persona's
style (clicking the button payload or typing), with the persona's mid-conversation behaviours
("why do you ask?", topic questions, corrections). It reads only what a REST client sees: the
reply texts, the buttons (the question's fact is the `answer_to` of their payloads) and the
`custom.triage` payload.

Judged per persona:
  expected level   engine.evaluate(true facts) (the bot only asks what can change the level, and
                   stopping early at an emergency is right because the sign is in the truth);
                   the hand-written `expected` in the YAML must agree (else: a spec disagreement)
  under / over     final level below / above the expected one
  repeated         questions about a fact the patient had already stated (in the opening, in an
                   earlier answer, or volunteered in a message)
  turns, replies with no text, "I didn't understand" replies, NLU misreads (facts in the final
  payload that differ from what the patient said)

    .venv/bin/python bench/simulated_patients.py [--verbose] [--check] [--only ID ...] [--workers N]
                                                 [--personas PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.questions import looks_like_question  # noqa: E402
from triage.engine import LEVELS, Engine, default_engine  # noqa: E402

PERSONAS_FILE = Path(__file__).resolve().parent / "personas.yml"
MAX_TURNS = 40
EXACT_TARGET = 0.95
CONSENT_FACT = "consent"
EMERGENCY_LEVEL = "emergency"
STYLES = ("buttons", "plain", "natural", "mixed")
NOT_UNDERSTOOD = "didn't understand"
# What the read-back of a possible emergency sign tells the patient to do (default locale: US).
READ_BACK_ADVICE = "and it is new, please call 911"
FIRM_ADVICE = "That is a warning sign that needs emergency care. Please call 911"
DEFAULT_DESCRIBE = "my lower back hurts"

Say = Callable[[str, str], list]

# --- how patients answer ---------------------------------------------------------------------

TRI_BUTTON = {"present": "Yes", "absent": "No", "unsure": "Not sure"}
SIDES_BUTTON = {"both": "Both sides", "one": "Just one side", "unsure": "Not sure"}
PLAIN_TRI = {"present": "yes", "absent": "no", "unsure": "not sure"}
PLAIN_SIDES = {"both": "both", "one": "one side", "unsure": "not sure"}

# Natural answers: each states only the fact asked about (per-persona `answers` add the rest).
NATURAL: dict[str, dict[str, list[str]]] = {
    "bladder_bowel": {
        "present": ["yes, I've had a couple of accidents", "yeah, I can't always hold my wee"],
        "absent": ["nope, bladder's fine", "no, peeing and pooing are normal", "no problems there"],
        "unsure": ["I'm not sure to be honest", "not sure"],
    },
    "saddle_numbness": {
        "present": ["yes, it's numb down there", "yeah, my bum feels numb"],
        "absent": ["no, feels normal down there", "nope", "no numbness there"],
        "unsure": ["hard to say, I don't really know", "not sure"],
    },
    "weakness": {
        "present": ["yes", "yeah a bit", "yes, I think so"],
        "absent": ["no, my arms and legs feel strong", "no weakness", "nope"],
        "unsure": ["not sure", "I don't know, maybe?"],
    },
    "weakness_sides": {
        "both": ["both legs actually", "both of them"],
        "one": ["just the one leg", "only my left leg"],
        "unsure": ["not sure"],
    },
    "weakness_worsening": {
        "present": ["yes, it's getting worse", "yeah, worse than yesterday"],
        "absent": ["no, it's about the same", "no, it's not getting worse"],
        "unsure": ["I can't tell", "not sure"],
    },
    "numbness": {
        "present": ["yes, some pins and needles", "yeah a bit of tingling"],
        "absent": ["no pins and needles", "no, no numbness", "nope"],
        "unsure": ["not sure to be honest"],
    },
    "numbness_sides": {
        "both": ["both legs", "both sides"],
        "one": ["only one side", "just my right leg"],
        "unsure": ["not sure"],
    },
    "walking_balance": {
        "present": ["yes, I've been unsteady", "yeah, I keep tripping"],
        "absent": ["no, walking fine", "no, my balance is ok"],
        "unsure": ["dunno", "not sure"],
    },
    "major_injury": {
        "present": ["yes, I had a bad fall"],
        "absent": ["no, nothing like that", "no accident or fall"],
        "unsure": ["not sure"],
    },
    "cancer_history": {
        "present": ["yes, I had cancer a few years ago"],
        "absent": ["no, never had cancer", "no", "nope, never"],
        "unsure": ["I'm not sure"],
    },
    "radiating_pain": {
        "present": ["yes, it shoots down my leg"],
        "absent": ["no, it stays in my back", "no, it doesn't spread"],
        "unsure": ["not sure"],
    },
    "fever": {
        "present": ["yes, I've been hot and shivery"],
        "absent": ["no temperature", "no fever or chills"],
        "unsure": ["not sure"],
    },
    "night_pain": {
        "present": ["yes, it wakes me up", "yeah, it's worse at night"],
        "absent": ["no, I sleep ok", "no, it eases when I rest"],
        "unsure": ["not sure"],
    },
    "systemic": {
        "present": ["yes, I've lost weight without trying"],
        "absent": ["no, eating fine and my weight is the same", "no"],
        "unsure": ["not sure"],
    },
    "lump": {
        "present": ["yes, there's a lump"],
        "absent": ["no lumps", "no, haven't noticed any"],
        "unsure": ["not sure"],
    },
    "improving": {
        "present": ["yes, it's getting a bit better", "yeah, it's easing"],
        "absent": ["no, nothing's helped", "not really, it's the same"],
        "unsure": ["not sure"],
    },
    "mid_back": {
        "present": ["yes, between my shoulder blades", "yes, the middle of my back"],
        "absent": ["no, it's lower down", "no, lower back"],
        "unsure": ["not sure"],
    },
    "mechanical": {
        "present": ["yes, it started after lifting and it hurts when I move"],
        "absent": ["no, it just came on by itself"],
        "unsure": ["not sure"],
    },
}
NATURAL_AGE = ["{n}", "I'm {n}", "{n} years old"]
NATURAL_DURATION = ["about {d}", "{d} now", "{d}"]
NOT_MINE = "I don't have that"  # asked a follow-up about a sign the patient does not have


def duration_words(days: int) -> str:
    if days == 1:
        return "1 day"
    if days % 30 == 0 and days >= 60:
        return f"{days // 30} months"
    if days % 7 == 0 and 14 <= days <= 70:
        return f"{days // 7} weeks"
    return f"{days} days"


def duration_button(days: int) -> str:
    """The duration button whose value falls on the same side of every threshold (30, 42 days)."""
    if days <= 30:
        return "Less than a month"
    return "1 month to 6 weeks" if days <= 42 else "More than 6 weeks"


def _pick(options: list[str], *keys: str) -> str:
    return options[zlib.crc32("|".join(keys).encode()) % len(options)]


# --- personas --------------------------------------------------------------------------------


@dataclass
class Persona:
    id: str
    expected: str
    opening: str
    truth: dict[str, Any]  # completed: every fact, None where it does not apply
    states: list[str]
    style: str
    consent: str = "click"
    describe: Optional[str] = None
    describe_states: list[str] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)
    first_answers: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def complete_truth(engine: Engine, pid: str, given: dict[str, Any]) -> dict[str, Any]:
    unknown = set(given) - set(engine.facts)
    if unknown:
        raise ValueError(f"{pid}: unknown facts {sorted(unknown)}")
    truth: dict[str, Any] = {}
    for name, spec in engine.facts.items():
        if spec.follows:
            parent = given.get(spec.follows, "absent")
            if parent == "present":
                if name not in given:
                    raise ValueError(f"{pid}: {spec.follows} is present, give {name}")
                truth[name] = given[name]
            else:
                if name in given:
                    raise ValueError(f"{pid}: {name} given but {spec.follows} is not present")
                truth[name] = None
        elif spec.kind == "number":
            if name not in given:
                raise ValueError(f"{pid}: {name} is required")
            truth[name] = given[name]
        else:
            truth[name] = given.get(name, "absent")
    engine.check_facts(truth)
    return truth


def _roleplay_value(engine: Engine, name: str, value: Any) -> Any:
    """An evaluator's value, without their notes: "present (breast cancer 2015)" -> "present"."""
    if value is None:
        return None
    if engine.facts[name].kind == "number":
        if isinstance(value, int | float):
            return int(value)
        digits = re.match(r"\s*(\d+)", str(value))
        return int(digits.group(1)) if digits else "unsure"
    first = str(value).strip().split()[0].strip(",;:()").lower() if str(value).strip() else ""
    return first if engine.facts[name].valid(first) else None


def roleplay_personas(records: list[Any], engine: Engine) -> list[dict[str, Any]]:
    """Blind role-play records (bench/roleplay/BRIEF.md) as personas, so that they can be replayed.

    The evaluators wrote each patient's true facts, opening, description and how they answer each
    question in their own words; what they stated where was not recorded, so repeated questions
    are not judged on them. Facts that do not apply (a side without the sign) are dropped.
    """
    out: list[dict[str, Any]] = []
    for rec in records:
        if not isinstance(rec, dict) or "id" not in rec or "truth" not in rec:
            continue  # the totals block
        given = {
            k: clean
            for k, v in (rec.get("truth") or {}).items()
            if k in engine.facts and (clean := _roleplay_value(engine, k, v)) is not None
        }
        for name, spec in engine.facts.items():
            if spec.follows and given.get(spec.follows) != "present":
                given.pop(name, None)
            elif spec.follows and name not in given:
                given[name] = "unsure"
            elif spec.kind == "number" and name not in given:
                given[name] = "unsure"
        # A reply that asks something back ("what is bowels") states nothing yet: the patient
        # answers when asked again (the retry uses the true value).
        answers = {
            k: {"text": str(v), "states": []} if looks_like_question(str(v)) else str(v)
            for k, v in (rec.get("answers") or {}).items()
            if k in engine.facts and v
        }
        out.append(
            {
                "id": rec["id"],
                "expected": rec["expected"],
                "opening": str(rec["opening"]),
                "describe": str(rec["describe"]) if rec.get("describe") else None,
                "truth": given,
                "style": "natural",
                "answers": answers,
                "note": str(rec.get("voice", "")),
            }
        )
    return out


def load_personas(path: Path = PERSONAS_FILE, engine: Optional[Engine] = None) -> list[Persona]:
    engine = engine or default_engine()
    if path.is_dir():  # a round of blind role-play: every file in it
        records = [r for f in sorted(path.glob("*.yml")) for r in yaml.safe_load(f.read_text()) or []]
        doc = {"personas": roleplay_personas(records, engine)}
    else:
        doc = yaml.safe_load(path.read_text())
    out: list[Persona] = []
    seen: set[str] = set()
    for raw in doc["personas"]:
        pid = raw["id"]
        if pid in seen:
            raise ValueError(f"duplicate persona id {pid}")
        seen.add(pid)
        truth = complete_truth(engine, pid, raw.get("truth") or {})
        p = Persona(
            id=pid,
            expected=raw["expected"],
            opening=raw["opening"],
            truth=truth,
            states=list(raw.get("states") or []),
            style=raw.get("style", "buttons"),
            consent=raw.get("consent", "click"),
            describe=raw.get("describe"),
            describe_states=list(raw.get("describe_states") or []),
            answers=dict(raw.get("answers") or {}),
            first_answers=dict(raw.get("first_answers") or {}),
            events=list(raw.get("events") or []),
            note=raw.get("note", ""),
        )
        if p.style not in STYLES or p.expected not in LEVELS:
            raise ValueError(f"{pid}: bad style or expected level")
        named = [*p.states, *p.describe_states, *p.answers, *p.first_answers]
        named += [f for e in p.events for f in e.get("states") or []]
        named += [f for a in p.answers.values() if isinstance(a, dict) for f in a.get("states") or []]
        bad = set(named) - set(engine.facts)
        if bad:
            raise ValueError(f"{pid}: unknown facts {sorted(bad)}")
        out.append(p)
    return out


def expected_level(engine: Engine, p: Persona) -> str:
    return engine.level(p.truth)


# --- one conversation ------------------------------------------------------------------------


def question_of(replies: list[dict]) -> Optional[str]:
    for r in replies:
        for b in r.get("buttons") or []:
            payload = b.get("payload") or ""
            if "{" in payload:
                try:
                    fact = json.loads(payload[payload.index("{") :]).get("answer_to")
                except ValueError:
                    continue
                if fact:
                    return fact
    return None


def button(replies: list[dict], title: str) -> Optional[str]:
    for r in replies:
        for b in r.get("buttons") or []:
            if b.get("title") == title:
                return b.get("payload")
    return None


def triage_of(replies: list[dict]) -> Optional[dict]:
    for r in replies:
        custom = r.get("custom") or {}
        if isinstance(custom, dict) and "triage" in custom:
            return custom["triage"]
    return None


@dataclass
class Result:
    persona: Persona
    expected: str
    final: Optional[str] = None
    outcomes: list[str] = field(default_factory=list)
    final_facts: dict[str, Any] = field(default_factory=dict)
    turns: int = 0
    asked: list[str] = field(default_factory=list)
    repeats: list[tuple[str, str]] = field(default_factory=list)  # (fact, where it was stated)
    not_understood: int = 0
    no_text: int = 0  # replies with no text, no buttons and no custom payload
    custom_only: int = 0  # replies that only carry a custom payload (REST sends custom on its own)
    stuck: str = ""
    transcript: list[str] = field(default_factory=list)
    error: str = ""
    late_emergency: int = 0  # turns where an emergency sign was given but no emergency advice came
    read_back_emergency: int = 0  # ...where it came with the words read back, to be confirmed

    @property
    def under(self) -> bool:
        return self.final is None or LEVELS.index(self.final) > LEVELS.index(self.expected)

    @property
    def over(self) -> bool:
        return self.final is not None and LEVELS.index(self.final) < LEVELS.index(self.expected)

    @property
    def exact(self) -> bool:
        return self.final == self.expected

    @property
    def failed(self) -> bool:
        return (
            not self.exact
            or bool(self.repeats)
            or bool(self.stuck)
            or bool(self.error)
            or bool(self.late_emergency)
        )

    def misreads(self, engine: Engine) -> list[str]:
        """Facts in the final payload that differ from what the patient said (rule-relevant only)."""
        out = []
        for name, got in self.final_facts.items():
            want = self.persona.truth.get(name)
            if want is None and _follows(engine, name):
                continue  # a follow-up of a sign the patient does not have: cannot change anything
            if not _same(engine, name, got, want):
                out.append(f"{name}: bot has {got!r}, truth {want!r}")
        return out


def _follows(engine: Engine, name: str) -> bool:
    return name in engine.facts and engine.facts[name].follows is not None


def _bucket(engine: Engine, name: str, value: Any) -> Any:
    if not isinstance(value, int) or engine.facts[name].kind != "number":
        return value
    cuts = sorted(engine.thresholds.get(name, []) + ([18] if name == "age" else []))
    return tuple(value >= c for c in cuts) + tuple(value > c for c in cuts)


def _same(engine: Engine, name: str, got: Any, want: Any) -> bool:
    if name not in engine.facts:
        return True
    return _bucket(engine, name, got) == _bucket(engine, name, want)


class _Stuck(Exception):
    pass


class Patient:
    """Drives one conversation for one persona."""

    def __init__(self, p: Persona, say: Say, sender: str, engine: Engine) -> None:
        self.p, self.say_raw, self.sender, self.engine = p, say, sender, engine
        self.res = Result(p, expected_level(engine, p))
        self.known: dict[str, str] = {}  # fact -> where the patient stated it
        self.answered_first: set[str] = set()
        self.done_events: set[int] = set()
        self.replies: list[dict] = []
        self.consented = False
        self.described = False
        self.mixed_turn = 0
        self.attempts: dict[str, int] = {}
        self.said: dict[str, Any] = {}

    # -- plumbing ---------------------------------------------------------------------------
    def send(
        self,
        text: str,
        shown: Optional[str] = None,
        states: tuple[str, ...] = (),
        where: str = "",
        values: Optional[dict[str, Any]] = None,
    ) -> None:
        self.res.turns += 1
        for name in states:  # what the patient has now said (a wrong first answer until corrected)
            value = (values or {}).get(name, self.p.truth.get(name))
            if value is not None:
                self.said[name] = value
        self.res.transcript.append(f"  patient: {shown or text}")
        pending = question_of(self.replies)
        self.replies = self.say_raw(self.sender, text) or []
        for name in states:
            self.known.setdefault(name, where)
        for r in self.replies:
            t = (r.get("text") or "").strip()
            if not t:
                if r.get("custom") and not r.get("buttons"):
                    self.res.custom_only += 1
                    self.res.transcript.append(f"  bot: <custom only: {sorted(r['custom'])}>")
                else:
                    self.res.no_text += 1
                    self.res.transcript.append(f"  bot: <reply with no text: {json.dumps(r)[:120]}>")
                continue
            if NOT_UNDERSTOOD in t.lower():
                self.res.not_understood += 1
            self.res.transcript.append("  bot: " + t.replace("\n", " ")[:160])
        q = question_of(self.replies)
        if q and q != CONSENT_FACT:
            self.res.asked.append(q)
            self.res.transcript.append(f"      [asks {q}]")
            if q in self.known:
                self.res.repeats.append((q, self.known[q]))
                if q == pending and q in states:
                    self.res.transcript.append(f"      !! RE-ASKED {q} right after the patient answered it")
                else:
                    self.res.transcript.append(f"      !! REPEATED question: {q} (stated in {self.known[q]})")
        tri = triage_of(self.replies)
        if (
            EMERGENCY_LEVEL not in self.res.outcomes
            and (tri or {}).get("level") != EMERGENCY_LEVEL
            and self.engine.level(self.said) == EMERGENCY_LEVEL
        ):
            if any(FIRM_ADVICE in (r.get("text") or "") for r in self.replies):
                pass  # the words read back with firm advice to call now: advised in this turn
            elif any(READ_BACK_ADVICE in (r.get("text") or "") for r in self.replies):
                # The words were read back with the advice to call now if the sign is new: the
                # patient has the advice in this turn, and is asked to confirm.
                self.res.read_back_emergency += 1
                self.res.transcript.append(
                    "      .. emergency sign read back, with the advice to call now if new"
                )
            else:
                self.res.late_emergency += 1
                self.res.transcript.append(
                    "      !! EMERGENCY SIGN GIVEN BUT NO EMERGENCY ADVICE IN THIS TURN"
                )
        if tri is not None:
            self.res.outcomes.append(tri.get("level"))
            self.res.final = tri.get("level")
            self.res.final_facts = dict(tri.get("facts") or {})
            self.res.transcript.append(f"      [outcome {tri.get('level')} rules={tri.get('rules')}]")

    def click(
        self, title: str, fallback: str, states: tuple[str, ...], where: str, values: Optional[dict] = None
    ) -> None:
        payload = button(self.replies, title)
        if payload is None:
            self.send(fallback, states=states, where=where, values=values)
        else:
            self.send(payload, shown=f"[{title}]", states=states, where=where, values=values)

    # -- answering --------------------------------------------------------------------------
    def _use_buttons(self) -> bool:
        if self.p.style == "buttons":
            return True
        if self.p.style == "mixed":
            self.mixed_turn += 1
            return zlib.crc32(f"{self.p.id}{self.mixed_turn}".encode()) % 2 == 0
        return False

    def answer(self, fact: str) -> None:
        where = f"answer to {fact}"
        spec = self.engine.facts[fact]
        if fact in self.p.first_answers and fact not in self.answered_first:
            value = self.p.first_answers[fact]
            custom = None
        else:
            value = self.p.truth.get(fact)
            custom = self.p.answers.get(fact)
        self.answered_first.add(fact)
        self.attempts[fact] = self.attempts.get(fact, 0) + 1
        if self.attempts[fact] > 1:
            # asked again right after answering: a patient would now use the buttons, then type "yes"/"no"
            retry = self._retry(fact, value)
            if retry is not None:
                return
        if custom is not None:
            text, states = (
                (custom["text"], custom["states"] if "states" in custom else [fact])
                if isinstance(custom, dict)
                else (custom, [fact])
            )
            self.send(text, states=tuple(states), where=where)
            return
        states = (fact,)
        if value is None:  # a follow-up about a sign the patient does not have (the bot misread)
            self.send(NOT_MINE, states=states, where=where)
            return
        buttons = self._use_buttons()
        if spec.kind == "number":
            if value == "unsure":
                self.click(
                    "Prefer not to say" if fact == "age" else "Not sure",
                    "I'd rather not say",
                    states,
                    where,
                    {fact: value},
                )
                return
            if fact == "duration_days" and buttons:
                self.click(duration_button(value), duration_words(value), states, where, {fact: value})
                return
            if fact == "age":
                text = (
                    str(value) if self.p.style != "natural" else _pick(NATURAL_AGE, self.p.id).format(n=value)
                )
            else:
                words = duration_words(value)
                text = (
                    words if self.p.style != "natural" else _pick(NATURAL_DURATION, self.p.id).format(d=words)
                )
            self.send(text, states=states, where=where, values={fact: value})
            return
        table = SIDES_BUTTON if spec.kind == "sides" else TRI_BUTTON
        plain = PLAIN_SIDES if spec.kind == "sides" else PLAIN_TRI
        if buttons:
            self.click(table[value], plain[value], states, where, {fact: value})
        elif self.p.style == "plain":
            self.send(plain[value], states=states, where=where, values={fact: value})
        else:
            self.send(
                _pick(NATURAL[fact][value], self.p.id, fact), states=states, where=where, values={fact: value}
            )

    def _retry(self, fact: str, value: Any) -> Optional[bool]:
        """Re-answer a question the bot asked again: button first, then plain words; give up at 4."""
        n = self.attempts[fact]
        where = f"answer to {fact}"
        if n > 4:
            raise _Stuck(f"{fact} asked {n} times")
        spec = self.engine.facts[fact]
        if value is None:
            return None
        if spec.kind == "number":
            if value == "unsure" or fact == "age" or n > 2:
                return None
            self.click(duration_button(value), duration_words(value), (fact,), where)
            return True
        table = SIDES_BUTTON if spec.kind == "sides" else TRI_BUTTON
        plain = PLAIN_SIDES if spec.kind == "sides" else PLAIN_TRI
        if n == 2 and button(self.replies, table[value]) is not None:
            self.click(table[value], plain[value], (fact,), where)
        else:
            self.send(plain[value], states=(fact,), where=where)
        return True

    def event_before(self, fact: str) -> Optional[dict]:
        for i, ev in enumerate(self.p.events):
            if i not in self.done_events and ev.get("before") == fact:
                self.done_events.add(i)
                return ev
        return None

    def event_after_outcome(self) -> Optional[dict]:
        for i, ev in enumerate(self.p.events):
            if i not in self.done_events and ev.get("after_outcome"):
                self.done_events.add(i)
                return ev
        return None

    # -- the conversation -------------------------------------------------------------------
    def run(self) -> Result:
        try:
            self._run()
        except _Stuck as stuck:
            self.res.stuck = str(stuck)
        except Exception as err:  # noqa: BLE001 - a crash is a result to report, not to hide
            self.res.error = f"{type(err).__name__}: {err}"
        return self.res

    def _run(self) -> None:
        self.send(self.p.opening, states=tuple(self.p.states), where="the opening")
        for _ in range(MAX_TURNS):
            if triage_of(self.replies) is not None or (self.res.final and question_of(self.replies) is None):
                ev = self.event_after_outcome()
                if ev is None:
                    return
                self.send(ev["say"], states=tuple(ev.get("states") or ()), where="a correction")
                continue
            q = question_of(self.replies)
            if q == CONSENT_FACT:
                if self.consented and self.res.turns > 6:
                    self.res.stuck = "asked for consent again"
                    return
                self.consented = True
                if self.p.consent == "click":
                    self.click("Yes, I agree", "yes", (), "")
                else:
                    self.send(self.p.consent)
                continue
            if q is not None:
                ev = self.event_before(q)
                if ev is not None:
                    self.send(ev["say"], states=tuple(ev.get("states") or ()), where="a later message")
                    continue
                self.answer(q)
                continue
            # neither a question nor an outcome: asked to describe the pain (once), else stuck
            if not self.described:
                self.described = True
                text = self.p.describe or DEFAULT_DESCRIBE
                self.send(text, states=tuple(self.p.describe_states), where="the description")
                continue
            self.res.stuck = "no question and no outcome"
            return
        self.res.stuck = f"no outcome after {MAX_TURNS} turns"


def run_personas(
    say: Say, personas: list[Persona], engine: Optional[Engine] = None, workers: int = 6, prefix: str = "sim"
) -> list[Result]:
    engine = engine or default_engine()
    run_id = zlib.crc32(repr(__import__("time").time()).encode())

    def one(p: Persona) -> Result:
        return Patient(p, say, f"{prefix}-{run_id}-{p.id}", engine).run()

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, personas))


# --- the report ------------------------------------------------------------------------------


@dataclass
class Summary:
    n: int
    exact: int
    under: int
    over: int
    repeated: int
    stuck: int
    errors: int
    late_emergency: int
    read_back_emergency: int
    mean_turns: float
    not_understood: int
    no_text: int
    custom_only: int
    spec_disagreements: list[str]

    @property
    def exact_share(self) -> float:
        return self.exact / self.n if self.n else 0.0

    @property
    def ok(self) -> bool:
        return (
            self.under == 0
            and self.exact_share >= EXACT_TARGET
            and self.repeated == 0
            and self.stuck == 0
            and self.errors == 0
            and self.late_emergency == 0
        )


def spec_disagreements(engine: Engine, personas: list[Persona]) -> list[str]:
    return [
        f"{p.id}: hand-written {p.expected}, engine says {expected_level(engine, p)}"
        for p in personas
        if expected_level(engine, p) != p.expected
    ]


def summarize(results: list[Result], engine: Engine) -> Summary:
    n = len(results)
    return Summary(
        n=n,
        exact=sum(r.exact for r in results),
        under=sum(r.under for r in results),
        over=sum(r.over for r in results),
        repeated=sum(len(r.repeats) for r in results),
        stuck=sum(bool(r.stuck) for r in results),
        errors=sum(bool(r.error) for r in results),
        late_emergency=sum(r.late_emergency for r in results),
        read_back_emergency=sum(r.read_back_emergency for r in results),
        mean_turns=sum(r.turns for r in results) / n if n else 0.0,
        not_understood=sum(r.not_understood for r in results),
        no_text=sum(r.no_text for r in results),
        custom_only=sum(r.custom_only for r in results),
        spec_disagreements=spec_disagreements(engine, [r.persona for r in results]),
    )


def table(results: list[Result], engine: Engine) -> str:
    lines = [f"{'persona':34} {'expect':9} {'got':9} {'turns':>5} {'asked':>5} {'rep':>3}  flags"]
    for r in results:
        flags = []
        if r.under:
            flags.append("UNDER")
        if r.over:
            flags.append("OVER")
        if r.repeats:
            flags.append("REPEAT:" + ",".join(f for f, _ in r.repeats))
        if r.not_understood:
            flags.append(f"not-understood x{r.not_understood}")
        if r.no_text:
            flags.append(f"no-text x{r.no_text}")
        if r.late_emergency:
            flags.append(f"LATE-EMERGENCY x{r.late_emergency}")
        if r.stuck:
            flags.append("STUCK: " + r.stuck)
        if r.error:
            flags.append("ERROR: " + r.error)
        if len(r.outcomes) > 1:
            flags.append("outcomes " + ">".join(str(o) for o in r.outcomes))
        lines.append(
            f"{r.persona.id:34} {r.expected:9} {str(r.final):9} {r.turns:5} {len(r.asked):5} "
            f"{len(r.repeats):3}  {' '.join(flags)}"
        )
    return "\n".join(lines)


def report(results: list[Result], engine: Engine, verbose: bool = False) -> tuple[str, Summary]:
    s = summarize(results, engine)
    out = [table(results, engine), ""]
    out.append(
        f"personas {s.n}  exact {s.exact}/{s.n} ({100 * s.exact_share:.1f}%)  under-triage {s.under}  "
        f"over-triage {s.over}  repeated questions {s.repeated}  mean turns {s.mean_turns:.1f}\n"
        f"late emergency advice {s.late_emergency} (read back with the advice {s.read_back_emergency})  "
        f"stuck {s.stuck}  errors {s.errors}  "
        f"not-understood replies {s.not_understood}  no-text replies {s.no_text} "
        f"(plus {s.custom_only} custom-only payload messages)"
    )
    if s.spec_disagreements:
        out.append("SPEC DISAGREEMENTS (hand-written expected vs engine on the true facts):")
        out.extend("  " + d for d in s.spec_disagreements)
    if verbose:
        for r in results:
            if r.failed or r.not_understood or r.no_text:
                out.append("")
                out.append(f"=== {r.persona.id} ({r.persona.note}): expected {r.expected}, got {r.final}")
                for m in r.misreads(engine):
                    out.append(f"  misread: {m}")
                out.extend(r.transcript)
    return "\n".join(out), s


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true", help="print each failing transcript")
    ap.add_argument("--check", action="store_true", help="exit 1 unless the targets are met")
    ap.add_argument("--only", nargs="*", help="persona ids to run")
    ap.add_argument("--workers", type=int, default=6)
    ap.add_argument(
        "--personas", type=Path, default=PERSONAS_FILE, help="persona file (default bench/personas.yml)"
    )
    args = ap.parse_args(argv)

    from tooling.stack import DEFAULT_MODEL, running_stack

    engine = default_engine()
    personas = load_personas(args.personas, engine=engine)
    if args.only:
        personas = [p for p in personas if p.id in set(args.only)]
    if not DEFAULT_MODEL.exists():
        import subprocess

        subprocess.run(["make", "train"], cwd=ROOT, check=True)
    with running_stack() as stack:
        results = run_personas(stack.say, personas, engine, workers=args.workers)
    text, s = report(results, engine, verbose=args.verbose)
    print(text)
    if args.check and not (s.ok and not s.spec_disagreements):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
