"""The fact schema and the rule table as typed data, validated on load: a bad table fails loudly
(TableError) instead of triaging wrongly. No evaluation here (triage/engine.py does that)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

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
        return condition_facts(self.when)


def condition_facts(cond: Mapping[str, Any]) -> set[str]:
    if "fact" in cond:
        return {cond["fact"]}
    if "not" in cond:
        return condition_facts(cond["not"])
    key = "all" if "all" in cond else "any"
    return set().union(*(condition_facts(c) for c in cond[key]))


def collect_thresholds(cond: Mapping[str, Any], out: dict[str, list[int]]) -> None:
    if "fact" in cond:
        for op in ("at_least", "more_than"):
            if op in cond:
                out.setdefault(cond["fact"], []).append(cond[op])
        return
    if "not" in cond:
        collect_thresholds(cond["not"], out)
        return
    for c in cond.get("all", cond.get("any", [])):
        collect_thresholds(c, out)


def load_facts(doc: Mapping[str, Any]) -> dict[str, FactSpec]:
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


def load_rules(doc: Mapping[str, Any], facts: Mapping[str, FactSpec]) -> tuple[Rule, ...]:
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
