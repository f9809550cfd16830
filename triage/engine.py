"""The triage engine: facts in, level and fired rules out.

Plain Python with no Rasa import, so the clinical logic can be tested exhaustively and reasoned
about on its own. The rules are data (rules.yml) over the facts defined in facts.yml; both files
are validated on load and a bad table fails loudly (TableError) instead of triaging wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from triage.schema import (
    ABSENT,
    BOTH,
    EMERGENCY,
    FACTS_FILE,
    KIND_VALUES,
    LEVELS,
    MAX_EDUCATION_TOPICS,
    NUMBER,
    ONE,
    PRESENT,
    ROUTINE,
    RULES_FILE,
    SOON,
    UNCERTAIN_EMERGENCY_FLOOR,
    UNSURE,
    URGENT,
    Facts,
    FactSpec,
    FactValue,
    Rule,
    TableError,
    Truth,
    collect_thresholds,
    load_facts,
    load_rules,
    table_fingerprint,
)

# Re-exported: the engine module is the core's front door for the NLU, the dialogue and the tests.
__all__ = [
    "ABSENT",
    "BOTH",
    "EMERGENCY",
    "FACTS_FILE",
    "KIND_VALUES",
    "LEVELS",
    "NUMBER",
    "ONE",
    "PRESENT",
    "ROUTINE",
    "RULES_FILE",
    "SOON",
    "UNCERTAIN_EMERGENCY_FLOOR",
    "UNSURE",
    "URGENT",
    "Engine",
    "FactSpec",
    "FactValue",
    "Outcome",
    "Rule",
    "TableError",
    "default_engine",
    "load_engine",
    "table_fingerprint",
]


@dataclass(frozen=True)
class Outcome:
    """What the engine decides for one set of facts."""

    level: str
    fired: tuple[str, ...]
    uncertain: tuple[str, ...] = ()  # emergency rules that might fire: the patient was unsure
    watch_for: tuple[str, ...] = ()  # unsure answers that could fire an emergency rule (facts order)
    reasons: tuple[str, ...] = ()  # response names, one per fired rule
    education: tuple[str, ...] = ()  # topics (utter_edu_<topic>), at most MAX_EDUCATION_TOPICS
    facts: Mapping[str, FactValue] = field(default_factory=dict)
    policy_version: str = ""  # of the rule table that decided it (audit trail)

    def payload(self) -> dict[str, Any]:
        """The integration payload: {"level", "rules", "facts", ...} (JSON-ready)."""
        return {
            "policy_version": self.policy_version,
            "level": self.level,
            "rules": list(self.fired),
            "uncertain_rules": list(self.uncertain),
            "watch_for": list(self.watch_for),
            "facts": {k: v for k, v in self.facts.items() if v is not None},
        }


def _and(values: list[Truth]) -> Truth:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: list[Truth]) -> Truth:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


class Engine:
    """A validated fact schema and rule table, and the evaluation over them."""

    def __init__(self, facts_doc: Mapping[str, Any], rules_doc: Mapping[str, Any]) -> None:
        self.facts: dict[str, FactSpec] = load_facts(facts_doc)
        self.rules: tuple[Rule, ...] = load_rules(rules_doc, self.facts)
        self.policy_version = str(rules_doc.get("policy_version") or "")
        self.valid_from = str(rules_doc.get("valid_from") or "")
        if not self.policy_version or not self.valid_from:
            raise TableError("the rule table needs a policy_version and a valid_from date")
        self.fingerprint = table_fingerprint(rules_doc)
        self.routine_education = tuple(rules_doc.get("routine_education") or ())
        self.fact_education: dict[str, str] = dict(rules_doc.get("fact_education") or {})
        self.level_education: dict[str, str] = dict(rules_doc.get("level_education") or {})
        for name in self.fact_education:
            if name not in self.facts:
                raise TableError(f"fact_education names unknown fact {name!r}")
        for name in self.level_education:
            if name not in LEVELS:
                raise TableError(f"level_education names unknown level {name!r}")
        # Facts that can fire an emergency rule: "not sure" to these never leaves the outcome
        # below urgent (derived from the table, so it cannot drift from it).
        self.emergency_facts: frozenset[str] = frozenset(
            f for r in self.rules if r.level == EMERGENCY for f in r.facts()
        )
        self.thresholds: dict[str, list[int]] = {}
        for rule in self.rules:
            collect_thresholds(rule.when, self.thresholds)

    # --- facts -------------------------------------------------------------------------------

    def check_facts(self, facts: Facts) -> dict[str, FactValue]:
        """Validate a facts mapping and return it with every known fact present (None if unset)."""
        unknown = set(facts) - set(self.facts)
        if unknown:
            raise ValueError(f"unknown facts: {sorted(unknown)}")
        out: dict[str, FactValue] = {}
        for name, spec in self.facts.items():
            value = facts.get(name)
            if not spec.valid(value):
                raise ValueError(f"invalid value {value!r} for fact {name!r}")
            out[name] = value
        return out

    def effective(self, facts: Facts) -> dict[str, FactValue]:
        """Facts as the rules read them: a follow-up of an unsure parent is unsure too."""
        return self._with_unsure_follow_ups(self.check_facts(facts))

    def _with_unsure_follow_ups(self, checked: dict[str, FactValue]) -> dict[str, FactValue]:
        """effective() for facts already checked (evaluate's hot path validates only once)."""
        out = dict(checked)
        for name, spec in self.facts.items():
            if spec.follows and out[spec.follows] == UNSURE and out[name] is None:
                out[name] = UNSURE
        return out

    # --- evaluation --------------------------------------------------------------------------

    def truth(self, cond: Mapping[str, Any], facts: Facts) -> Truth:
        """Three-valued truth of a condition (None: depends on something the patient was unsure of)."""
        if "all" in cond:
            return _and([self.truth(c, facts) for c in cond["all"]])
        if "any" in cond:
            return _or([self.truth(c, facts) for c in cond["any"]])
        if "not" in cond:
            inner = self.truth(cond["not"], facts)
            return None if inner is None else not inner
        value = facts.get(cond["fact"])
        if "is_not" in cond:  # "anything but": unsure and never-stated both count
            return bool(value != cond["is_not"])
        if value is None:
            return False  # never stated: not present
        if value == UNSURE:
            return None
        if "equals" in cond:
            return bool(value == cond["equals"])
        if "at_least" in cond:
            return bool(value >= cond["at_least"])
        return bool(value > cond["more_than"])

    def evaluate(self, facts: Facts) -> Outcome:
        """Decide the level: the highest level of any fired rule, with the uncertainty floor."""
        given = self.check_facts(facts)
        eff = self._with_unsure_follow_ups(given)
        fired: list[Rule] = []
        uncertain: list[Rule] = []
        for rule in self.rules:
            t = self.truth(rule.when, eff)
            if t is True:
                fired.append(rule)
            elif t is None and rule.level == EMERGENCY:
                uncertain.append(rule)
        # Policy: "not sure" to a question that can fire an emergency rule never leaves the outcome
        # below urgent, and the patient is told which sign to watch for.
        watch = [name for name in self.facts if self._must_watch(name, given, uncertain)]
        candidates = [r.level for r in fired]
        if watch or uncertain:
            candidates.append(UNCERTAIN_EMERGENCY_FLOOR)
        level = min(candidates, key=LEVELS.index) if candidates else ROUTINE
        return Outcome(
            policy_version=self.policy_version,
            level=level,
            fired=tuple(r.id for r in fired),
            uncertain=tuple(r.id for r in uncertain),
            watch_for=tuple(watch),
            # Only the rules of the level given: a lower rule's text carries its own time frame
            # ("a doctor should check it within a week"), which reads as a reason to wait.
            reasons=tuple(r.reason for r in fired if r.level == level),
            education=self._education(level, [r for r in fired if r.level == level] + uncertain, given),
            facts=given,
        )

    def _must_watch(self, name: str, given: Mapping[str, FactValue], uncertain: list[Rule]) -> bool:
        """Is this an unsure answer to a question that can fire an emergency rule?

        It is when an emergency rule is undecided because of it, or when the sure answer alone
        would already mean at least urgent care (e.g. "not sure if I've had cancer": having had
        cancer means urgent, and with a nerve sign an emergency). A follow-up whose parent sign is
        absent cannot fire anything (the side of a weakness the patient does not have).
        """
        if given[name] != UNSURE or name not in self.emergency_facts:
            return False
        parent = self.facts[name].follows
        if parent is not None and given[parent] not in (PRESENT, UNSURE):
            return False
        if any(name in r.facts() for r in uncertain):
            return True
        sure = BOTH if self.facts[name].kind == "sides" else PRESENT
        trial = self._with_unsure_follow_ups({**given, name: sure})
        sure_levels = [r.level for r in self.rules if self.truth(r.when, trial) is True]
        return any(LEVELS.index(lv) <= LEVELS.index(UNCERTAIN_EMERGENCY_FLOOR) for lv in sure_levels)

    def level(self, facts: Facts) -> str:
        """Shorthand for evaluate(facts).level."""
        return self.evaluate(facts).level

    def _education(self, level: str, rules: list[Rule], facts: Facts) -> tuple[str, ...]:
        """Topics for the fired (and uncertain emergency) rules, most serious first."""
        topics: list[str] = []
        # Highest-level rules first, so the most important explanation is never cut.
        for rule in sorted(rules, key=lambda r: LEVELS.index(r.level)):
            topics.extend(rule.education)
        for name, topic in self.fact_education.items():
            if facts.get(name) == PRESENT and level != EMERGENCY:  # (their texts give later time frames)
                topics.append(topic)
        if level in self.level_education:
            topics.append(self.level_education[level])
        if level == ROUTINE:
            topics.extend(self.routine_education)
        unique = list(dict.fromkeys(topics))
        return tuple(unique[:MAX_EDUCATION_TOPICS])

    def candidate_values(self, name: str) -> list[FactValue]:
        """The answers worth trying for a fact when deciding whether to ask about it."""
        spec = self.facts[name]
        if spec.kind != NUMBER:
            return list(KIND_VALUES[spec.kind])
        values: set[int] = set()
        for t in self.thresholds.get(name, []):
            values.update({max(t - 1, 0), t, t + 1})
        return [*sorted(values), UNSURE]


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_engine(facts_path: Path = FACTS_FILE, rules_path: Path = RULES_FILE) -> Engine:
    """Read and validate the fact schema and the rule table (raises TableError on a bad table)."""
    return Engine(_read_yaml(facts_path), _read_yaml(rules_path))


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The engine over the shipped tables, loaded once per process."""
    return load_engine()
