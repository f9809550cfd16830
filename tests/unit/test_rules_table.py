"""Tests of the shipped fact schema and rule table, and of the table validation.

The table must match the policy (../shared/TRIAGE_POLICY.md): the rule ids and their levels, the
facts each rule reads and its sources. Every rule needs cases in engine_cases.yml, and every
response the table names must exist in the Rasa responses. A malformed table must fail loudly
(TableError) instead of triaging wrongly.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.test_engine import NUMBER_FACTS, SIDES_FACTS, TRI_FACTS
from triage.engine import (
    FACTS_FILE,
    RULES_FILE,
    Engine,
    TableError,
    default_engine,
    load_engine,
    table_fingerprint,
)

ROOT = Path(__file__).resolve().parents[2]
CASES_FILE = Path(__file__).resolve().parent / "engine_cases.yml"
DOMAIN_FILE = ROOT / "domain.yml"
RESPONSES_DIR = ROOT / "data" / "responses"

Doc = dict[str, Any]


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


FACTS_DOC: Doc = _read(FACTS_FILE)
RULES_DOC: Doc = _read(RULES_FILE)
CASES: list[dict[str, Any]] = list(_read(CASES_FILE)["cases"])

# ----------------------------------------------------------------------------------------------
# What the policy says (written from TRIAGE_POLICY.md)
# ----------------------------------------------------------------------------------------------

POLICY_RULE_LEVELS: dict[str, str] = {
    **{f"E{i}": "emergency" for i in range(1, 7)},
    **{f"U{i}": "urgent" for i in range(1, 4)},
    **{f"S{i}": "soon" for i in range(1, 8)},
}
POLICY_LEVELS = ["emergency", "urgent", "soon", "routine"]

# The facts each rule reads, from the policy's "fires when the patient has" column.
POLICY_RULE_FACTS: dict[str, set[str]] = {
    "E1": {"bladder_bowel"},
    "E2": {"saddle_numbness"},
    "E3": {"weakness", "weakness_sides", "weakness_worsening", "numbness", "numbness_sides"},
    "E4": {"walking_balance"},
    "E5": {"cancer_history", "weakness", "numbness", "radiating_pain"},
    "E6": {"major_injury"},
    "U1": {"weakness", "weakness_sides", "weakness_worsening"},
    "U2": {"fever"},
    "U3": {"cancer_history"},
    "S1": {"night_pain"},
    "S2": {"systemic"},
    "S3": {"lump"},
    "S4": {"age", "duration_days"},
    "S5": {"duration_days", "improving"},
    "S6": {"numbness", "numbness_sides", "weakness"},
    "S7": {"mid_back", "mechanical"},
}

META, SARCOMA = "metastatic-spinal-tumor-symptoms", "sarcoma-back-pain-red-flags"
# The sources the policy gives each rule (every one must be cited).
POLICY_RULE_SOURCES: dict[str, set[str]] = {
    "E1": {META, SARCOMA},
    "E2": {META, SARCOMA},
    "E3": {META, "NHS"},
    "E4": {META},
    "E5": {META, SARCOMA, "NICE"},
    "E6": {"NHS"},
    "U1": {META},
    "U2": {SARCOMA, "NHS"},
    "U3": {SARCOMA, "NICE"},
    "S1": {META, SARCOMA},
    "S2": {SARCOMA},
    "S3": {SARCOMA},
    "S4": {SARCOMA},
    "S5": {SARCOMA},
    "S6": {META},
    "S7": {SARCOMA, "NHS"},
}

# The fact contract the tests are written against (the fact lists live in test_engine.py).
FACT_KINDS: dict[str, str] = {
    **{f: "tri" for f in TRI_FACTS},
    **{f: "sides" for f in SIDES_FACTS},
    **{f: "number" for f in NUMBER_FACTS},
}
FACT_FOLLOWS: dict[str, str] = {
    "weakness_sides": "weakness",
    "weakness_worsening": "weakness",
    "numbness_sides": "numbness",
    "mechanical": "mid_back",
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


# ----------------------------------------------------------------------------------------------
# The shipped table
# ----------------------------------------------------------------------------------------------


def test_shipped_table_validates() -> None:
    eng = load_engine()
    assert len(eng.rules) == len(RULES_DOC["rules"])
    Engine(copy.deepcopy(FACTS_DOC), copy.deepcopy(RULES_DOC))  # the docs the mutations start from


def test_levels_are_the_policy_levels() -> None:
    assert RULES_DOC["levels"] == POLICY_LEVELS


def test_rule_ids_and_levels_are_the_policy_ones(engine: Engine) -> None:
    assert {r.id: r.level for r in engine.rules} == POLICY_RULE_LEVELS
    assert len(engine.rules) == len(POLICY_RULE_LEVELS)  # no duplicates


@pytest.mark.parametrize("body", RULES_DOC["rules"], ids=[r.get("id", "?") for r in RULES_DOC["rules"]])
def test_every_rule_has_id_level_source_reason_education(body: dict[str, Any]) -> None:
    for key in ("id", "level", "when", "source", "reason", "education"):
        assert key in body, f"rule {body.get('id')} lacks {key!r}"
    assert isinstance(body["id"], str) and body["id"]
    assert body["level"] in POLICY_LEVELS[:-1]
    assert isinstance(body["source"], str) and body["source"].strip()
    assert isinstance(body["reason"], str) and body["reason"].startswith("utter_")
    assert isinstance(body["education"], list) and body["education"], "an outcome needs a topic"


@pytest.mark.parametrize("rule_id", sorted(POLICY_RULE_FACTS))
def test_rule_reads_the_facts_the_policy_names(engine: Engine, rule_id: str) -> None:
    rule = {r.id: r for r in engine.rules}[rule_id]
    assert rule.facts() == POLICY_RULE_FACTS[rule_id]


@pytest.mark.parametrize("rule_id", sorted(POLICY_RULE_SOURCES))
def test_rule_cites_the_policy_sources(engine: Engine, rule_id: str) -> None:
    rule = {r.id: r for r in engine.rules}[rule_id]
    for source in POLICY_RULE_SOURCES[rule_id]:
        assert source in rule.source, f"{rule_id} does not cite {source}: {rule.source!r}"


def test_thresholds_are_the_policy_ones(engine: Engine) -> None:
    # age 50 or over; more than 1 month (30 days); more than 6 weeks (42 days)
    assert {k: sorted(v) for k, v in engine.thresholds.items()} == {
        "age": [50],
        "duration_days": [30, 42],
    }


def test_fact_schema_is_the_contract(engine: Engine) -> None:
    assert {n: s.kind for n, s in engine.facts.items()} == FACT_KINDS
    assert {n: s.follows for n, s in engine.facts.items() if s.follows} == FACT_FOLLOWS
    assert all(s.label for s in engine.facts.values())
    # a follow-up is listed after its parent (the dialogue asks in this order)
    order = list(engine.facts)
    assert all(order.index(c) > order.index(p) for c, p in FACT_FOLLOWS.items())


# ----------------------------------------------------------------------------------------------
# Every rule has cases (a new rule without tests fails)
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", [r["id"] for r in RULES_DOC["rules"]])
def test_every_rule_has_a_positive_case_and_a_near_miss(rule_id: str) -> None:
    positives = [
        c for c in CASES if c["rule"] == rule_id and c["kind"] == "positive" and rule_id in c.get("fires", [])
    ]
    near_misses = [
        c
        for c in CASES
        if c["rule"] == rule_id and c["kind"] == "near_miss" and rule_id in c.get("not_fires", [])
    ]
    assert positives, f"{rule_id} has no positive case in {CASES_FILE.name}"
    assert near_misses, f"{rule_id} has no near-miss case in {CASES_FILE.name}"


def test_cases_name_only_rules_in_the_table() -> None:
    ids = {r["id"] for r in RULES_DOC["rules"]}
    for case in CASES:
        named = {
            case["rule"],
            *case.get("fires", []),
            *case.get("not_fires", []),
            *case.get("fired_exactly", []),
            *case.get("uncertain", []),
        }
        assert named <= ids, f"{case['name']}: unknown rules {named - ids}"


def test_every_emergency_rule_has_an_unsure_case() -> None:
    for rule_id in (r for r, lvl in POLICY_RULE_LEVELS.items() if lvl == "emergency"):
        assert any(rule_id in c.get("uncertain", []) for c in CASES), rule_id


# ----------------------------------------------------------------------------------------------
# Validation fails loudly on a bad table
# ----------------------------------------------------------------------------------------------


def _rule(rules_doc: Doc, rule_id: str) -> dict[str, Any]:
    return next(r for r in rules_doc["rules"] if r["id"] == rule_id)


def _set_when(rule_id: str, when: Any) -> Callable[[Doc, Doc], None]:
    def mutate(_facts: Doc, rules: Doc) -> None:
        _rule(rules, rule_id)["when"] = when

    return mutate


def _set_key(rule_id: str, key: str, value: Any) -> Callable[[Doc, Doc], None]:
    def mutate(_facts: Doc, rules: Doc) -> None:
        _rule(rules, rule_id)[key] = value

    return mutate


def _del_key(rule_id: str, key: str) -> Callable[[Doc, Doc], None]:
    def mutate(_facts: Doc, rules: Doc) -> None:
        del _rule(rules, rule_id)[key]

    return mutate


def _nested_fact(_facts: Doc, rules: Doc) -> None:
    _rule(rules, "E3")["when"]["any"][1]["all"][0]["fact"] = "numbnes"


def _nested_threshold(value: Any) -> Callable[[Doc, Doc], None]:
    def mutate(_facts: Doc, rules: Doc) -> None:
        _rule(rules, "S4")["when"]["all"][0]["at_least"] = value

    return mutate


def _levels(value: Any) -> Callable[[Doc, Doc], None]:
    def mutate(_facts: Doc, rules: Doc) -> None:
        if value is None:
            del rules["levels"]
        else:
            rules["levels"] = value

    return mutate


def _fact_education(_facts: Doc, rules: Doc) -> None:
    rules["fact_education"] = {"radiating_pains": "sciatica"}


def _level_education(_facts: Doc, rules: Doc) -> None:
    rules["level_education"] = {"later": "imaging"}


def _follows(_facts: Doc, _rules: Doc) -> None:
    _facts["facts"]["mechanical"]["follows"] = "midback"


def _fact_kind(_facts: Doc, _rules: Doc) -> None:
    _facts["facts"]["fever"]["kind"] = "boolean"


def _fact_label(_facts: Doc, _rules: Doc) -> None:
    del _facts["facts"]["fever"]["label"]


def _duplicate(_facts: Doc, rules: Doc) -> None:
    rules["rules"].append(copy.deepcopy(_rule(rules, "S3")))


Mutation = Callable[[Doc, Doc], None]
BAD_TABLES: list[tuple[str, Mutation, str | None]] = [
    ("unknown fact", _set_when("E1", {"fact": "bladder", "equals": "present"}), "bladder"),
    ("unknown fact nested in any/all", _nested_fact, "numbnes"),
    ("unknown operator", _set_when("S2", {"fact": "systemic", "is": "present"}), "S2"),
    ("unknown number operator", _set_when("S4", {"fact": "age", "greater_than": 50}), "S4"),
    ("unknown combinator", _set_when("E3", {"either": [{"fact": "weakness", "equals": "present"}]}), "E3"),
    (
        "two operators in one comparison",
        _set_when("S4", {"fact": "age", "at_least": 50, "more_than": 49}),
        "S4",
    ),
    ("comparison without a fact", _set_when("E1", {"equals": "present"}), "E1"),
    (
        "combinator mixed with a comparison",
        _set_when("E1", {"fact": "bladder_bowel", "equals": "present", "all": []}),
        "E1",
    ),
    ("empty all list", _set_when("E1", {"all": []}), "E1"),
    (
        "any that is not a list",
        _set_when("E1", {"any": {"fact": "bladder_bowel", "equals": "present"}}),
        "E1",
    ),
    ("empty condition", _set_when("E1", {}), "E1"),
    (
        "tri fact compared with a sides value",
        _set_when("E1", {"fact": "bladder_bowel", "equals": "both"}),
        "E1",
    ),
    (
        "sides fact compared with a tri value",
        _set_when("E3", {"fact": "weakness_sides", "equals": "present"}),
        "E3",
    ),
    ("equals unsure", _set_when("E1", {"fact": "bladder_bowel", "equals": "unsure"}), "E1"),
    ("is_not with a wrong value", _set_when("S7", {"fact": "mechanical", "is_not": "yes"}), "S7"),
    ("equals on a number fact", _set_when("S4", {"fact": "age", "equals": 50}), "S4"),
    ("misspelt value", _set_when("U2", {"fact": "fever", "equals": "Present"}), "U2"),
    ("duplicate id", _set_key("E2", "id", "E1"), "E1"),
    ("duplicate rule", _duplicate, "S3"),
    ("missing source", _del_key("E1", "source"), "source"),
    ("empty source", _set_key("E1", "source", "   "), "E1"),
    ("missing condition", _del_key("U3", "when"), "when"),
    ("missing reason", _del_key("U3", "reason"), "reason"),
    ("reason not a response name", _set_key("U3", "reason", "Contact your cancer team"), "U3"),
    ("education not a list", _set_key("U3", "education", "cancer_history"), "U3"),
    ("unknown rule key", _set_key("U3", "severity", "high"), "severity"),
    ("empty id", _set_key("U3", "id", ""), None),
    ("bad level", _set_key("S1", "level", "critical"), "S1"),
    ("rule at level routine", _set_key("S1", "level", "routine"), "S1"),
    ("number operator on a tri fact", _set_when("U2", {"fact": "fever", "at_least": 1}), "U2"),
    ("number operator on a sides fact", _set_when("E3", {"fact": "weakness_sides", "more_than": 1}), "E3"),
    ("float threshold", _nested_threshold(49.5), "S4"),
    ("string threshold", _nested_threshold("50"), "S4"),
    ("boolean threshold", _nested_threshold(True), "S4"),
    ("levels reordered", _levels(["urgent", "emergency", "soon", "routine"]), None),
    ("levels missing routine", _levels(["emergency", "urgent", "soon"]), None),
    ("levels with an extra level", _levels(["emergency", "urgent", "soon", "later", "routine"]), None),
    ("levels missing", _levels(None), None),
    ("fact_education naming an unknown fact", _fact_education, "radiating_pains"),
    ("level_education naming an unknown level", _level_education, "later"),
    ("follows naming an unknown fact", _follows, "midback"),
    ("unknown fact kind", _fact_kind, "fever"),
    ("fact without a label", _fact_label, "fever"),
]


@pytest.mark.parametrize(
    "mutate,match", [(m, x) for _, m, x in BAD_TABLES], ids=[name for name, _, _ in BAD_TABLES]
)
def test_bad_table_fails_loudly(mutate: Mutation, match: str | None) -> None:
    facts_doc, rules_doc = copy.deepcopy(FACTS_DOC), copy.deepcopy(RULES_DOC)
    mutate(facts_doc, rules_doc)
    with pytest.raises(TableError, match=re.escape(match) if match else None):
        Engine(facts_doc, rules_doc)


@pytest.mark.parametrize(
    "facts_doc,rules_doc",
    [
        ({}, RULES_DOC),
        ({"facts": []}, RULES_DOC),
        (FACTS_DOC, {}),
        (FACTS_DOC, {**RULES_DOC, "rules": {"E1": {}}}),
        (FACTS_DOC, {**RULES_DOC, "rules": ["E1"]}),
    ],
)
def test_malformed_documents_fail_loudly(facts_doc: Any, rules_doc: Any) -> None:
    with pytest.raises(TableError):
        Engine(copy.deepcopy(facts_doc), copy.deepcopy(rules_doc))


# ----------------------------------------------------------------------------------------------
# Every response the table names exists in the Rasa responses
# ----------------------------------------------------------------------------------------------


def _table_topics() -> set[str]:
    topics = {t for r in RULES_DOC["rules"] for t in r["education"]}
    topics |= set(RULES_DOC.get("routine_education") or [])
    topics |= set((RULES_DOC.get("fact_education") or {}).values())
    topics |= set((RULES_DOC.get("level_education") or {}).values())
    return topics


REQUIRED_RESPONSES: list[str] = sorted(
    {r["reason"] for r in RULES_DOC["rules"]} | {f"utter_edu_{t}" for t in _table_topics()}
)


def _response_files() -> list[Path]:
    files = [DOMAIN_FILE] if DOMAIN_FILE.is_file() else []
    if RESPONSES_DIR.is_dir():
        files += sorted([*RESPONSES_DIR.glob("*.yml"), *RESPONSES_DIR.glob("*.yaml")])
    return files


@pytest.fixture(scope="module")
def responses() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path in _response_files():
        doc = _read(path) or {}
        assert isinstance(doc, dict), f"{path}: not a YAML mapping"
        found.update(doc.get("responses") or {})
    return found


def test_table_names_responses() -> None:
    assert REQUIRED_RESPONSES
    assert all(re.fullmatch(r"utter_[A-Za-z0-9_]+", name) for name in REQUIRED_RESPONSES)


@pytest.mark.parametrize("name", REQUIRED_RESPONSES)
def test_response_named_by_the_table_exists(responses: dict[str, Any], name: str) -> None:
    files = [str(p.relative_to(ROOT)) for p in _response_files()]
    assert name in responses, f"response {name!r} is not defined in {files or 'any responses file'}"
    variations = responses[name]
    assert isinstance(variations, list) and variations, f"{name}: no variations"
    assert all(
        isinstance(v, dict) and (v.get("text") or "").strip() for v in variations
    ), f"{name}: every variation needs a text"


# --- audit trail: every outcome names the table version that produced it --------------------------

VERSIONS_FILE = Path(__file__).resolve().parents[2] / "triage" / "policy_versions.yml"


def test_the_table_matches_its_recorded_version() -> None:
    """Changing a rule, threshold or level without a new policy_version fails here."""
    engine = default_engine()
    versions = yaml.safe_load(VERSIONS_FILE.read_text(encoding="utf-8"))["versions"]
    assert engine.policy_version in versions, f"policy_version {engine.policy_version} is not recorded"
    recorded = versions[engine.policy_version]
    assert str(recorded["valid_from"]) == engine.valid_from
    assert (
        recorded["sha256"] == engine.fingerprint
    ), "the rule table changed: give it a new policy_version and valid_from, and record it"


def test_a_changed_rule_changes_the_fingerprint() -> None:
    doc = yaml.safe_load((Path(__file__).resolve().parents[2] / "triage" / "rules.yml").read_text())
    before = table_fingerprint(doc)
    doc["thresholds"]["older_age_years"] = 49
    assert table_fingerprint(doc) != before


def test_every_outcome_carries_the_policy_version() -> None:
    engine = default_engine()
    assert engine.evaluate({}).payload()["policy_version"] == engine.policy_version


def test_a_table_without_a_version_is_refused() -> None:
    doc = yaml.safe_load(RULES_FILE.read_text())
    del doc["policy_version"]
    with pytest.raises(TableError, match="policy_version"):
        Engine(yaml.safe_load(FACTS_FILE.read_text()), doc)
