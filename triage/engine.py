"""The triage engine: facts in, level and fired rules out.

Plain Python with no Rasa import, so the clinical logic can be tested exhaustively and reasoned
about on its own. The rules are data (rules.yml) over the facts defined in facts.yml; both files
are validated on load and a bad table fails loudly (TableError) instead of triaging wrongly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import yaml

HERE = Path(__file__).resolve().parent
FACTS_FILE = HERE / "facts.yml"
RULES_FILE = HERE / "rules.yml"

PRESENT, ABSENT, UNSURE = "present", "absent", "unsure"
ONE, BOTH = "one", "both"
KIND_VALUES: dict[str, tuple[str, ...]] = {
    "tri": (PRESENT, ABSENT, UNSURE),
    "sides": (ONE, BOTH, UNSURE),
}
NUMBER = "number"
LEVELS: tuple[str, ...] = ("emergency", "urgent", "soon", "routine")  # highest first
EMERGENCY, URGENT, SOON, ROUTINE = LEVELS
# An emergency rule that might fire, had the patient been sure, keeps the outcome at least here
# (policy, "Uncertain answers").
UNCERTAIN_EMERGENCY_FLOOR = URGENT
MAX_EDUCATION_TOPICS = 3  # issue spec: 1-3 short education paragraphs per outcome

COMPARISONS = ("equals", "is_not", "at_least", "more_than")
COMBINATORS = ("all", "any", "not")
RULE_KEYS = {"id", "level", "when", "source", "reason", "education"}

FactValue = Union[str, int, None]
Facts = Mapping[str, FactValue]
# Three-valued truth: True, False, or None for "unknown" (the patient was unsure).
Truth = Optional[bool]


class TableError(ValueError):
    """The fact schema or the rule table is malformed; triage must not run on it."""


@dataclass(frozen=True)
class FactSpec:
    """One fact from facts.yml."""

    name: str
    kind: str
    label: str
    follows: Optional[str] = None
    unit: Optional[str] = None

    def valid(self, value: FactValue) -> bool:
        """Whether value is allowed for this fact (None means never stated)."""
        if value is None or value == UNSURE:
            return True
        if self.kind == NUMBER:
            return isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return value in KIND_VALUES[self.kind]


@dataclass(frozen=True, eq=False)  # identity hash: rules are cache keys in the dialogue
class Rule:
    """One row of the rule table."""

    id: str
    level: str
    when: Mapping[str, Any]
    source: str
    reason: str
    education: tuple[str, ...]

    def facts(self) -> set[str]:
        """Names of the facts the condition reads."""
        return _condition_facts(self.when)


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


def _condition_facts(cond: Mapping[str, Any]) -> set[str]:
    if "fact" in cond:
        return {cond["fact"]}
    if "not" in cond:
        return _condition_facts(cond["not"])
    key = "all" if "all" in cond else "any"
    return set().union(*(_condition_facts(c) for c in cond[key]))


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
        self.facts: dict[str, FactSpec] = _load_facts(facts_doc)
        self.rules: tuple[Rule, ...] = _load_rules(rules_doc, self.facts)
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
            _collect_thresholds(rule.when, self.thresholds)

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
            reasons=tuple(r.reason for r in fired),
            education=self._education(level, fired + uncertain, given),
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
            if facts.get(name) == PRESENT:
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


def _collect_thresholds(cond: Mapping[str, Any], out: dict[str, list[int]]) -> None:
    if "fact" in cond:
        for op in ("at_least", "more_than"):
            if op in cond:
                out.setdefault(cond["fact"], []).append(cond[op])
        return
    if "not" in cond:
        _collect_thresholds(cond["not"], out)
        return
    for c in cond.get("all", cond.get("any", [])):
        _collect_thresholds(c, out)


def _load_facts(doc: Mapping[str, Any]) -> dict[str, FactSpec]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("facts"), Mapping):
        raise TableError("facts file must have a 'facts' mapping")
    specs: dict[str, FactSpec] = {}
    for name, body in doc["facts"].items():
        if not isinstance(body, Mapping):
            raise TableError(f"fact {name!r}: must be a mapping")
        kind = body.get("kind")
        if kind not in (*KIND_VALUES, NUMBER):
            raise TableError(f"fact {name!r}: unknown kind {kind!r}")
        extra = set(body) - {"kind", "label", "follows", "unit"}
        if extra:
            raise TableError(f"fact {name!r}: unknown keys {sorted(extra)}")
        if not body.get("label"):
            raise TableError(f"fact {name!r}: needs a label")
        specs[name] = FactSpec(name, kind, body["label"], body.get("follows"), body.get("unit"))
    for spec in specs.values():
        if spec.follows is not None and spec.follows not in specs:
            raise TableError(f"fact {spec.name!r} follows unknown fact {spec.follows!r}")
    return specs


def _check_condition(cond: Any, facts: Mapping[str, FactSpec], where: str) -> None:
    if not isinstance(cond, Mapping) or not cond:
        raise TableError(f"{where}: a condition must be a non-empty mapping")
    keys = set(cond)
    if keys & set(COMBINATORS):
        if len(keys) != 1:
            raise TableError(f"{where}: a combinator stands alone, got {sorted(keys)}")
        (op,) = keys
        if op == "not":
            _check_condition(cond["not"], facts, where)
            return
        items = cond[op]
        if not isinstance(items, list) or not items:
            raise TableError(f"{where}: '{op}' needs a non-empty list")
        for item in items:
            _check_condition(item, facts, where)
        return
    ops = keys - {"fact"}
    if "fact" not in keys or len(ops) != 1 or not ops <= set(COMPARISONS):
        raise TableError(f"{where}: unknown operator or malformed comparison {dict(cond)}")
    (op,) = ops
    name, value = cond["fact"], cond[op]
    if name not in facts:
        raise TableError(f"{where}: unknown fact {name!r}")
    spec = facts[name]
    if op in ("at_least", "more_than"):
        if spec.kind != NUMBER or isinstance(value, bool) or not isinstance(value, int):
            raise TableError(f"{where}: '{op}' needs a number fact and a whole number")
    elif spec.kind == NUMBER or value not in KIND_VALUES[spec.kind] or value == UNSURE:
        raise TableError(f"{where}: {value!r} is not a value of fact {name!r}")


def _load_rules(doc: Mapping[str, Any], facts: Mapping[str, FactSpec]) -> tuple[Rule, ...]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("rules"), list):
        raise TableError("rules file must have a 'rules' list")
    if tuple(doc.get("levels") or ()) != LEVELS:
        raise TableError(f"levels must be {list(LEVELS)}, highest first")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, body in enumerate(doc["rules"]):
        where = f"rule #{i + 1}"
        if not isinstance(body, Mapping):
            raise TableError(f"{where}: must be a mapping")
        missing, extra = RULE_KEYS - set(body), set(body) - RULE_KEYS
        if missing or extra:
            raise TableError(f"{where}: missing {sorted(missing)}, unknown {sorted(extra)}")
        rid = body["id"]
        where = f"rule {rid}"
        if not isinstance(rid, str) or not rid or rid in seen:
            raise TableError(f"{where}: id must be a unique non-empty string")
        seen.add(rid)
        if body["level"] not in LEVELS[:-1]:
            raise TableError(f"{where}: level must be one of {list(LEVELS[:-1])}")
        if not isinstance(body["source"], str) or not body["source"].strip():
            raise TableError(f"{where}: needs a source")
        if not isinstance(body["reason"], str) or not body["reason"].startswith("utter_"):
            raise TableError(f"{where}: reason must be a response name (utter_...)")
        edu = body["education"]
        if not isinstance(edu, list) or not all(isinstance(t, str) and t for t in edu):
            raise TableError(f"{where}: education must be a list of topic names")
        _check_condition(body["when"], facts, where)
        rules.append(Rule(rid, body["level"], body["when"], body["source"], body["reason"], tuple(edu)))
    return tuple(rules)


# The parts of the table that decide a level: a change to any of them is a new policy version.
POLICY_KEYS = ("thresholds", "levels", "rules")


def table_fingerprint(rules_doc: Mapping[str, Any]) -> str:
    """sha256 of the deciding parts of the rule table, independent of comments and key order."""
    deciding = {key: rules_doc.get(key) for key in POLICY_KEYS}
    canonical = json.dumps(deciding, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
