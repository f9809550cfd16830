"""Could a fact still change the level? Part of the pure triage core, so that the conversation
asks only questions whose answer matters and never re-implements the policy's floors."""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Mapping, Optional

from triage.engine import (
    EMERGENCY,
    LEVELS,
    PRESENT,
    UNCERTAIN_EMERGENCY_FLOOR,
    Engine,
    FactValue,
    Outcome,
    Rule,
)


def _rank(level: Optional[str]) -> int:
    """Higher is more serious; None (no rule) ranks lowest."""
    return len(LEVELS) - LEVELS.index(level) if level else 0


def rule_effect(engine: Engine, rule: Rule, facts: Mapping[str, FactValue]) -> Optional[str]:
    """The level a rule contributes for these facts (an unsure emergency rule floors urgent)."""
    truth = engine.truth(rule.when, engine.effective(facts))
    if truth is True:
        return rule.level
    if truth is None and rule.level == EMERGENCY:
        return UNCERTAIN_EMERGENCY_FLOOR
    return None


@lru_cache(maxsize=4096)
def could_raise(
    engine: Engine, rule: Rule, name: str, known: tuple[tuple[str, FactValue], ...], floor: str
) -> bool:
    """Could an answer about `name` make this rule decide a level above `floor`?

    Tries every answer to the question together with every completion of the rule's other unknown
    facts, and asks that the answer itself be what makes the difference (so a question is not
    asked just because some other, still unknown, fact could fire the rule on its own).
    """
    base = dict(known)
    unknown = [f for f in sorted(rule.facts()) if base.get(f) is None and f != name]
    options = [[None, *engine.candidate_values(f)] for f in unknown]
    for combo in itertools.product(*options):
        trial = {**base, **dict(zip(unknown, combo, strict=False))}
        without = _rank(rule_effect(engine, rule, {**trial, name: None}))
        for value in engine.candidate_values(name):
            effect = _rank(rule_effect(engine, rule, {**trial, name: value}))
            if effect > _rank(floor) and effect != without:
                return True
    return False


def is_relevant(engine: Engine, facts: Mapping[str, FactValue], name: str, current: Outcome) -> bool:
    """Ask about `name` only if some answer could change the outcome level."""
    if facts.get(name) is not None:
        return False
    spec = engine.facts[name]
    if spec.follows is not None and facts.get(spec.follows) != PRESENT:
        return False
    # Could it lower the level? (e.g. mid-back pain that turns out to be from a strain)
    for value in engine.candidate_values(name):
        if engine.level({**facts, name: value}) != current.level:
            return True
    # Could it raise the level, once the other facts of a rule are known too?
    for rule in engine.rules:
        if name in rule.facts() and _rank(rule.level) > _rank(current.level):
            known = tuple(sorted((f, facts.get(f)) for f in rule.facts() | _parents(engine, rule)))
            if could_raise(engine, rule, name, known, current.level):
                return True
    return False


def _parents(engine: Engine, rule: Rule) -> set[str]:
    return {parent for f in rule.facts() if (parent := engine.facts[f].follows) is not None}


def first_relevant(
    engine: Engine, facts: Mapping[str, FactValue], current: Optional[Outcome] = None
) -> Optional[str]:
    """The most dangerous still-unknown fact whose answer could change the level, or None (also
    once the level is an emergency: nothing can raise it, and the advice must not wait)."""
    current = current or engine.evaluate(facts)
    if current.level == EMERGENCY:
        return None
    # A follow-up heard before its parent ("I strained it" before we know the pain is mid-back)
    # must not stop us asking the parent: judge the parent as if the follow-up were unknown.
    probe = dict(facts)
    for name, spec in engine.facts.items():
        if spec.follows and facts.get(spec.follows) is None:
            probe[name] = None
    for name in engine.facts:  # facts.yml order: most dangerous first
        if is_relevant(engine, probe, name, engine.evaluate(probe)):
            return name
    return None
