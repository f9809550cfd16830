"""Personas: one patient each, with TRUE facts and how they talk (bench/personas*.yml, or a round
of blind role-play records), validated against the fact schema."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from nlp.questions import looks_like_question
from triage.engine import LEVELS, Engine, default_engine

PERSONAS_FILE = Path(__file__).resolve().parent.parent / "personas.yml"
STYLES = ("buttons", "plain", "natural", "mixed")


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
        answers = {
            k: _roleplay_answer(v) for k, v in (rec.get("answers") or {}).items() if k in engine.facts and v
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
                # what the patient volunteered between answers, added by the team from the
                # transcript where the answers alone cannot replay it (a correction said in passing)
                "events": list(rec.get("replay_events") or []),
                "note": str(rec.get("voice", "")),
            }
        )
    return out


def _roleplay_answer(said: Any) -> Any:
    """One recorded answer. A reply that asks something back ("what is bowels") states nothing yet:
    the patient answers when asked again (the retry uses the true value). The team may mark, from
    the transcript, which facts an answer states ({text, states}): "nah not really" to a true
    bladder sign states nothing; the leak told in passing at the next question states both (the
    judge then wants the advice in that turn)."""
    if isinstance(said, dict):
        return {"text": str(said["text"]), "states": list(said.get("states") or [])}
    if looks_like_question(str(said)):
        return {"text": str(said), "states": []}
    return str(said)


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
