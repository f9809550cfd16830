"""The REST driver: plays one persona's conversation through the REST channel, reading only what
a REST client sees (reply texts, buttons whose payloads name the question, custom.triage)."""

from __future__ import annotations

import json
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional

from actions.locale import emergency_numbers
from bench.patients.judge import Result
from bench.patients.personas import Persona, expected_level
from bench.patients.phrasebook import (
    NATURAL,
    NATURAL_AGE,
    NATURAL_DURATION,
    NOT_MINE,
    PLAIN_SIDES,
    PLAIN_TRI,
    SIDES_BUTTON,
    TRI_BUTTON,
    duration_button,
    duration_words,
    pick,
)
from triage.engine import Engine, default_engine

# A conversation that has not reached an outcome after this many patient messages is stuck.
MAX_TURNS = 40
CONSENT_FACT = "consent"
EMERGENCY_LEVEL = "emergency"
NOT_UNDERSTOOD = "didn't understand"
# What the read-back of a possible emergency sign tells the patient to do, with any locale's
# number (a patient who says where they are gets their own: actions/locales.yml).
_NUMBERS = "|".join(re.escape(n) for n in emergency_numbers())
READ_BACK_ADVICE = re.compile(rf"and it is new, please call ({_NUMBERS})\b")
FIRM_ADVICE = re.compile(rf"That is a warning sign that needs emergency care\. Please call ({_NUMBERS})\b")
DEFAULT_DESCRIBE = "my lower back hurts"

Say = Callable[[str, str], list]


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
            if any(FIRM_ADVICE.search(r.get("text") or "") for r in self.replies):
                pass  # the words read back with firm advice to call now: advised in this turn
            elif any(READ_BACK_ADVICE.search(r.get("text") or "") for r in self.replies):
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
                    str(value) if self.p.style != "natural" else pick(NATURAL_AGE, self.p.id).format(n=value)
                )
            else:
                words = duration_words(value)
                text = (
                    words if self.p.style != "natural" else pick(NATURAL_DURATION, self.p.id).format(d=words)
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
                pick(NATURAL[fact][value], self.p.id, fact), states=states, where=where, values={fact: value}
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
