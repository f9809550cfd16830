"""What to ask next: the question whose answer matters most, a possible emergency sign first,
with the patient's own words read back before an uncertain answer is used."""

from __future__ import annotations

from typing import Mapping, Optional

from answers.contract import Interpretation
from answers.lead import EVENT_FACTS
from dialogue.state import ASKING, Plan, Reply, State
from triage.engine import EMERGENCY, PRESENT, UNSURE, Engine, FactValue
from triage.relevance import first_relevant

# (used by read_back) a history of cancer alone is urgent (U3): no emergency words in its read-back
URGENT_ALONE_LEVEL = "urgent"
# Asked before any outcome below emergency even when they cannot change the level: the doctor's
# summary needs the age and how long the pain has lasted (and S4/S5 read them if anything changes).
SUMMARY_FACTS = ("age", "duration_days")


def next_question(engine: Engine, facts: Mapping[str, FactValue]) -> Optional[str]:
    """The most dangerous still-unknown fact whose answer could change the level; then the facts the
    doctor's summary needs; None once there is nothing to ask (or the level is an emergency)."""
    current = engine.evaluate(facts)
    if current.level == EMERGENCY:
        return None
    relevant = first_relevant(engine, facts, current)
    if relevant is not None:
        return relevant
    for name in SUMMARY_FACTS:
        if facts.get(name) is None:
            return name
    return None


def possible_sign(
    engine: Engine, facts: Mapping[str, FactValue], reading: Interpretation
) -> Optional[tuple[str, str]]:
    """A possible emergency sign to ask about next (fact, the patient's words), most dangerous first."""
    order = list(engine.facts)
    candidates = [
        f
        for f in reading.possible
        if facts.get(f.fact) != PRESENT
        and f.fact in engine.facts
        and parent_present(engine, facts, f.fact)
        # a learned detector's hunch only raises a sign not yet asked about, or one left "not
        # sure" ("I mean the pee. it come out and I am not feel it" after a "don't know"); a yes or
        # a no changes only from the patient's words ("since thursday like i said" reopens nothing)
        and not (f.learned and facts.get(f.fact) not in (None, UNSURE))
    ]
    if not candidates:
        return None
    best = min(candidates, key=lambda f: order.index(f.fact))
    return best.fact, best.words


def read_back(
    engine: Engine,
    fact: str,
    words: str,
    new: bool = False,
    old: bool = False,
    facts: Optional[Mapping[str, FactValue]] = None,
) -> Reply:
    """The patient's words read back before an answer is used. For a possible emergency sign the
    read-back itself carries the advice (call now if it is new), so it is never a turn late; when
    the patient says it is new (``new``), the advice is given firmly and confirmed by the question.
    A cancer history or shooting pain is an emergency only together (E5): its read-back carries the
    advice when the other is already known (``facts``), "not really, I had a small breast cancer"
    after tingling legs."""
    sign = fact in engine.emergency_facts and engine.level({fact: PRESENT}) != URGENT_ALONE_LEVEL
    if fact in ("cancer_history", "radiating_pain"):
        now = engine.level(facts) if facts is not None else None
        sign = facts is not None and engine.level({**facts, fact: PRESENT}) == EMERGENCY != now
    if not sign:
        return Reply("utter_read_back", values={"words": words})
    if old and not new and fact not in EVENT_FACTS:
        # "weak since my stroke in 2019, no change": has it changed lately? (still with the advice;
        # an injury told as minor or long before is read back as it is: it does not "change")
        return Reply("utter_read_back_old", values={"words": words})
    return Reply("utter_read_back_new" if new else "utter_read_back_emergency", values={"words": words})


def parent_present(engine: Engine, facts: Mapping[str, FactValue], name: str) -> bool:
    """A follow-up may be asked only while its parent sign is present (a top-level fact always)."""
    parent = engine.facts[name].follows
    return parent is None or facts.get(parent) == PRESENT


def ask(
    state: State,
    facts: dict[str, FactValue],
    question: str,
    replies: list[Reply],
    reasks: int = 0,
    changed: Optional[set[str]] = None,
    short: bool = False,
) -> Plan:
    """Ask `question` next (its short form when asked again or put more simply)."""
    response = f"utter_ask_{question}_short" if short else f"utter_ask_{question}"
    return Plan(
        State(facts, question, ASKING, state.last_level, state.last_rules, reasks=reasks, described=True),
        [*replies, Reply(response)],
        changed or set(),
    )
