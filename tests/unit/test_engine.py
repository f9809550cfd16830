"""Tests of the triage engine against the clinical policy (../shared/TRIAGE_POLICY.md).

The expectations here are written from the policy, not from rules.yml: the table-driven cases in
engine_cases.yml, and a reference implementation of the policy in plain Python (no YAML) that the
engine is compared with over exhaustive and random fact sets.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from triage.engine import (
    FACTS_FILE,
    RULES_FILE,
    Engine,
    Outcome,
    TableError,
    default_engine,
    load_engine,
)

HERE = Path(__file__).resolve().parent
CASES_FILE = HERE / "engine_cases.yml"

FactValue = str | int | None
Facts = dict[str, FactValue]
Truth = bool | None

P, A, U = "present", "absent", "unsure"
ONE, BOTH = "one", "both"

# ----------------------------------------------------------------------------------------------
# The policy, restated in Python (independent of facts.yml / rules.yml)
# ----------------------------------------------------------------------------------------------

LEVELS: tuple[str, ...] = ("emergency", "urgent", "soon", "routine")  # highest first
RANK: dict[str, int] = {level: len(LEVELS) - i for i, level in enumerate(LEVELS)}  # higher = worse

POLICY_RULE_LEVELS: dict[str, str] = {
    **{f"E{i}": "emergency" for i in range(1, 7)},
    **{f"U{i}": "urgent" for i in range(1, 4)},
    **{f"S{i}": "soon" for i in range(1, 8)},
}
E_RULES = frozenset(r for r, lvl in POLICY_RULE_LEVELS.items() if lvl == "emergency")

TRI_FACTS: tuple[str, ...] = (
    "bladder_bowel",
    "saddle_numbness",
    "weakness",
    "weakness_worsening",
    "numbness",
    "walking_balance",
    "major_injury",
    "cancer_history",
    "radiating_pain",
    "fever",
    "night_pain",
    "systemic",
    "lump",
    "improving",
    "mid_back",
    "mechanical",
)
SIDES_FACTS: tuple[str, ...] = ("weakness_sides", "numbness_sides")
NUMBER_FACTS: tuple[str, ...] = ("age", "duration_days")
ALL_FACTS: frozenset[str] = frozenset(TRI_FACTS + SIDES_FACTS + NUMBER_FACTS)
# Follow-up questions and their parent: an unsure parent makes an unstated follow-up unsure.
FOLLOWS: dict[str, str] = {
    "weakness_sides": "weakness",
    "weakness_worsening": "weakness",
    "numbness_sides": "numbness",
    "mechanical": "mid_back",
}
# The facts named by the E-rules of the policy:
#   E1 bladder/bowel; E2 saddle numbness; E3 weakness/numbness on both sides or weakness worsening;
#   E4 walking/balance; E5 cancer history + weakness/numbness/tingling/shooting pain; E6 injury.
POLICY_EMERGENCY_FACTS: frozenset[str] = frozenset(
    {
        "bladder_bowel",
        "saddle_numbness",
        "weakness",
        "weakness_sides",
        "weakness_worsening",
        "numbness",
        "numbness_sides",
        "walking_balance",
        "cancer_history",
        "radiating_pain",
        "major_injury",
    }
)
NON_EMERGENCY_FACTS: tuple[str, ...] = tuple(sorted(ALL_FACTS - POLICY_EMERGENCY_FACTS))
# "Reassuring" facts: present means less worrying (pain from a strain; pain getting better).
REASSURING_FACTS: frozenset[str] = frozenset({"mechanical", "improving"})
SYMPTOM_TRI_FACTS: tuple[str, ...] = tuple(f for f in TRI_FACTS if f not in REASSURING_FACTS)

OLDER_AGE = 50  # "age 50 or over"
ONE_MONTH_DAYS = 30  # "pain for more than 1 month"
SIX_WEEKS_DAYS = 42  # "pain for more than 6 weeks"


def _eq(value: FactValue, wanted: str) -> Truth:
    """Three-valued 'fact has this value': never stated is no, unsure is unknown."""
    if value is None:
        return False
    if value == U:
        return None
    return value == wanted


def _anything_but(value: FactValue, unwanted: str) -> Truth:
    """'Anything but': another value, unsure and never stated all count (design note)."""
    return value != unwanted


def _num(value: FactValue, threshold: int, *, strict: bool) -> Truth:
    if value is None:
        return False
    if value == U:
        return None
    assert isinstance(value, int)
    return value > threshold if strict else value >= threshold


def _all(*truths: Truth) -> Truth:
    if any(t is False for t in truths):
        return False
    return None if any(t is None for t in truths) else True


def _any(*truths: Truth) -> Truth:
    if any(t is True for t in truths):
        return True
    return None if any(t is None for t in truths) else False


class Ref(NamedTuple):
    level: str
    fired: frozenset[str]
    uncertain: frozenset[str]


def policy_truths(facts: Mapping[str, FactValue]) -> dict[str, Truth]:
    """Each policy rule's three-valued truth for these facts."""
    f: dict[str, FactValue] = {name: facts.get(name) for name in ALL_FACTS}
    for child, parent in FOLLOWS.items():
        if f[parent] == U and f[child] is None:
            f[child] = U
    weak, numb = _eq(f["weakness"], P), _eq(f["numbness"], P)
    return {
        "E1": _eq(f["bladder_bowel"], P),
        "E2": _eq(f["saddle_numbness"], P),
        "E3": _any(
            _all(weak, _eq(f["weakness_sides"], BOTH)),
            _all(numb, _eq(f["numbness_sides"], BOTH)),
            _all(weak, _eq(f["weakness_worsening"], P)),
        ),
        "E4": _eq(f["walking_balance"], P),
        "E5": _all(_eq(f["cancer_history"], P), _any(weak, numb, _eq(f["radiating_pain"], P))),
        "E6": _eq(f["major_injury"], P),
        "U1": _all(weak, _anything_but(f["weakness_sides"], BOTH), _anything_but(f["weakness_worsening"], P)),
        "U2": _eq(f["fever"], P),
        "U3": _eq(f["cancer_history"], P),
        "S1": _eq(f["night_pain"], P),
        "S2": _eq(f["systemic"], P),
        "S3": _eq(f["lump"], P),
        "S4": _all(
            _num(f["age"], OLDER_AGE, strict=False), _num(f["duration_days"], ONE_MONTH_DAYS, strict=True)
        ),
        "S5": _all(_num(f["duration_days"], SIX_WEEKS_DAYS, strict=True), _eq(f["improving"], A)),
        "S6": _all(numb, _anything_but(f["numbness_sides"], BOTH), _anything_but(f["weakness"], P)),
        "S7": _all(_eq(f["mid_back"], P), _anything_but(f["mechanical"], P)),
    }


def _unsure_can_fire_emergency(facts: Mapping[str, FactValue], fact: str) -> bool:
    """An unsure answer whose sure answer alone already means at least urgent (the policy's
    "question that can fire an E-rule", e.g. not sure about a past cancer). A follow-up whose
    parent sign is absent or never stated cannot fire anything."""
    parent = FOLLOWS.get(fact)
    if parent is not None and facts.get(parent) not in (P, U):
        return False
    sure = BOTH if fact in SIDES_FACTS else P
    truths = policy_truths({**facts, fact: sure})
    return any(RANK[POLICY_RULE_LEVELS[r]] >= RANK["urgent"] for r, t in truths.items() if t is True)


def reference(facts: Mapping[str, FactValue]) -> Ref:
    """The policy's decision: highest level of any fired rule; an unknown E-rule, or an unsure
    answer that could fire one, floors at urgent."""
    truths = policy_truths(facts)
    fired = frozenset(r for r, t in truths.items() if t is True)
    uncertain = frozenset(r for r, t in truths.items() if t is None and r in E_RULES)
    floor = bool(uncertain) or any(
        facts.get(f) == U and _unsure_can_fire_emergency(facts, f) for f in POLICY_EMERGENCY_FACTS
    )
    levels = [POLICY_RULE_LEVELS[r] for r in fired] + (["urgent"] if floor else [])
    level = max(levels, key=RANK.__getitem__, default="routine")
    return Ref(level, fired, uncertain)


# ----------------------------------------------------------------------------------------------
# Helpers and fixtures
# ----------------------------------------------------------------------------------------------

# An ordinary adult with mechanical low back pain: every question answered reassuringly.
ROUTINE_PATIENT: Facts = {
    **{f: A for f in TRI_FACTS if f not in FOLLOWS},
    "improving": P,
    "age": 35,
    "duration_days": 10,
}

NUMBER_SAMPLES: tuple[FactValue, ...] = (None, U, 0, 18, 29, 30, 31, 41, 42, 43, 49, 50, 51, 90)


def values_of(fact: str) -> tuple[FactValue, ...]:
    """Every value a fact can take, including never stated (None)."""
    if fact in SIDES_FACTS:
        return (None, ONE, BOTH, U)
    if fact in NUMBER_FACTS:
        return NUMBER_SAMPLES
    return (None, P, A, U)


def concrete_values(fact: str) -> tuple[FactValue, ...]:
    if fact in SIDES_FACTS:
        return (ONE, BOTH)
    if fact in NUMBER_FACTS:
        return (0, 29, 30, 31, 42, 43, 49, 50, 51, 90)
    return (P, A)


def random_facts(rng: random.Random, unsure_weight: float = 1.0) -> Facts:
    out: Facts = {}
    for fact in sorted(ALL_FACTS):
        options = values_of(fact)
        weights = [unsure_weight if v == U else 1.0 for v in options]
        value = rng.choices(options, weights=weights)[0]
        if value is not None:
            out[fact] = value
    return out


def random_sample(n: int, seed: int, unsure_weight: float = 1.0) -> Iterator[Facts]:
    rng = random.Random(seed)
    for _ in range(n):
        yield random_facts(rng, unsure_weight)


def with_(facts: Mapping[str, FactValue], **changes: FactValue) -> Facts:
    out = dict(facts)
    for name, value in changes.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def compare(engine: Engine, facts: Mapping[str, FactValue]) -> str | None:
    """A description of how the engine differs from the policy reference, or None."""
    got = engine.evaluate(facts)
    want = reference(facts)
    if got.level != want.level or set(got.fired) != want.fired or set(got.uncertain) != want.uncertain:
        return (
            f"facts={dict(facts)}: engine level={got.level} fired={sorted(got.fired)} "
            f"uncertain={sorted(got.uncertain)}; policy level={want.level} "
            f"fired={sorted(want.fired)} uncertain={sorted(want.uncertain)}"
        )
    return None


@pytest.fixture(scope="module")
def engine() -> Engine:
    return default_engine()


def load_cases() -> list[dict[str, Any]]:
    with CASES_FILE.open(encoding="utf-8") as fh:
        return list(yaml.safe_load(fh)["cases"])


CASES = load_cases()


# ----------------------------------------------------------------------------------------------
# Table-driven cases
# ----------------------------------------------------------------------------------------------


def test_cases_file_is_well_formed() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    allowed = {
        "rule",
        "kind",
        "name",
        "facts",
        "level",
        "fires",
        "not_fires",
        "fired_exactly",
        "uncertain",
        "watch_for",
        "education_includes",
    }
    for case in CASES:
        assert set(case) <= allowed, f"{case['name']}: unknown keys {set(case) - allowed}"
        assert case["kind"] in ("positive", "near_miss"), case["name"]
        assert case["rule"] in POLICY_RULE_LEVELS, case["name"]
        assert case["level"] in LEVELS, case["name"]
        assert set(case["facts"]) <= ALL_FACTS, case["name"]
        fires, not_fires = set(case.get("fires", [])), set(case.get("not_fires", []))
        assert not fires & not_fires, case["name"]
        assert (fires | not_fires) <= set(POLICY_RULE_LEVELS), case["name"]
        if case["kind"] == "positive":
            assert case["rule"] in fires, f"{case['name']}: a positive case lists its rule in fires"
        else:
            assert case["rule"] in not_fires, f"{case['name']}: a near-miss lists its rule in not_fires"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(engine: Engine, case: dict[str, Any]) -> None:
    out = engine.evaluate(case["facts"])
    fired = set(out.fired)
    assert out.level == case["level"], f"level {out.level!r}, fired {sorted(fired)}"
    missing = set(case.get("fires", [])) - fired
    assert not missing, f"should fire {sorted(missing)}; fired {sorted(fired)}"
    wrong = set(case.get("not_fires", [])) & fired
    assert not wrong, f"must not fire {sorted(wrong)}; fired {sorted(fired)}"
    if "fired_exactly" in case:
        assert fired == set(case["fired_exactly"])
    if "uncertain" in case:
        assert set(out.uncertain) == set(case["uncertain"])
    if "watch_for" in case:
        assert set(out.watch_for) == set(case["watch_for"])
    for topic in case.get("education_includes", []):
        assert topic in out.education, f"education {out.education} lacks {topic!r}"
    # Every case agrees with the independent reference, too.
    assert compare(engine, case["facts"]) is None


def test_routine_patient_is_routine(engine: Engine) -> None:
    out = engine.evaluate(ROUTINE_PATIENT)
    assert (out.level, out.fired, out.uncertain, out.watch_for) == ("routine", (), (), ())


def test_no_facts_at_all_is_routine(engine: Engine) -> None:
    out = engine.evaluate({})
    assert (out.level, out.fired, out.uncertain) == ("routine", (), ())
    assert "self_care" in out.education


# ----------------------------------------------------------------------------------------------
# Highest level wins
# ----------------------------------------------------------------------------------------------

# One clean fact set per level, on disjoint facts.
LEVEL_EXAMPLES: dict[str, Facts] = {
    "emergency": {"major_injury": P},
    "urgent": {"fever": P},
    "soon": {"lump": P},
    "routine": {"radiating_pain": P},
}


@pytest.mark.parametrize("a,b", list(itertools.product(LEVELS, LEVELS)))
def test_highest_level_wins_for_every_pair_of_levels(engine: Engine, a: str, b: str) -> None:
    facts = {**LEVEL_EXAMPLES[a], **LEVEL_EXAMPLES[b]}
    assert engine.level(facts) == max(a, b, key=RANK.__getitem__)


# One clean positive fact set per rule (used for every pair of rules on disjoint facts).
RULE_EXAMPLES: dict[str, Facts] = {
    "E1": {"bladder_bowel": P},
    "E2": {"saddle_numbness": P},
    "E3": {"numbness": P, "numbness_sides": BOTH},
    "E4": {"walking_balance": P},
    "E5": {"cancer_history": P, "radiating_pain": P},
    "E6": {"major_injury": P},
    "U1": {"weakness": P, "weakness_sides": ONE, "weakness_worsening": A},
    "U2": {"fever": P},
    "U3": {"cancer_history": P},
    "S1": {"night_pain": P},
    "S2": {"systemic": P},
    "S3": {"lump": P},
    "S4": {"age": 60, "duration_days": 35},
    "S5": {"duration_days": 50, "improving": A},
    "S6": {"numbness": P, "numbness_sides": ONE},
    "S7": {"mid_back": P, "mechanical": A},
}
# Pairs whose facts interact by design (one rule excludes the other, or turns it into another).
# (cancer history + a neuro sign is E5, so U3 with U1/S6 also fires E5: checked by the cases.)
INTERACTING = {
    frozenset({"U1", "S6"}),
    frozenset({"U1", "E5"}),
    frozenset({"S6", "E5"}),
    frozenset({"E3", "E5"}),
    frozenset({"E3", "S6"}),
    frozenset({"U1", "U3"}),
    frozenset({"S6", "U3"}),
}
RULE_PAIRS = [
    (r1, r2)
    for r1, r2 in itertools.combinations(sorted(RULE_EXAMPLES), 2)
    if not set(RULE_EXAMPLES[r1]) & set(RULE_EXAMPLES[r2]) and frozenset({r1, r2}) not in INTERACTING
]


def test_rule_examples_fire_alone(engine: Engine) -> None:
    for rule, facts in RULE_EXAMPLES.items():
        out = engine.evaluate(facts)
        assert rule in out.fired, rule
        assert out.level == POLICY_RULE_LEVELS[rule], rule


@pytest.mark.parametrize("r1,r2", RULE_PAIRS)
def test_highest_level_wins_for_pairs_of_rules(engine: Engine, r1: str, r2: str) -> None:
    out = engine.evaluate({**RULE_EXAMPLES[r1], **RULE_EXAMPLES[r2]})
    assert {r1, r2} <= set(out.fired)
    assert out.level == max(POLICY_RULE_LEVELS[r1], POLICY_RULE_LEVELS[r2], key=RANK.__getitem__)


# ----------------------------------------------------------------------------------------------
# Uncertain answers
# ----------------------------------------------------------------------------------------------


def test_emergency_facts_match_policy(engine: Engine) -> None:
    assert set(engine.emergency_facts) == set(POLICY_EMERGENCY_FACTS)
    assert set(engine.facts) == set(ALL_FACTS)


# For each fact that can fire an E-rule: the smallest otherwise-reassuring context in which the
# answer decides an E-rule (a follow-up is asked only when its parent is present), the E-rules
# that "not sure" leaves open, and answers (the fact and its follow-ups) that make it an emergency.
UNSURE_CONTEXTS: dict[str, tuple[Facts, set[str], Facts]] = {
    "bladder_bowel": ({}, {"E1"}, {"bladder_bowel": P}),
    "saddle_numbness": ({}, {"E2"}, {"saddle_numbness": P}),
    "weakness": ({}, {"E3"}, {"weakness": P, "weakness_worsening": P}),
    "weakness_sides": ({"weakness": P, "weakness_worsening": A}, {"E3"}, {"weakness_sides": BOTH}),
    "weakness_worsening": ({"weakness": P, "weakness_sides": ONE}, {"E3"}, {"weakness_worsening": P}),
    "numbness": ({}, {"E3"}, {"numbness": P, "numbness_sides": BOTH}),
    "numbness_sides": ({"numbness": P}, {"E3"}, {"numbness_sides": BOTH}),
    "walking_balance": ({}, {"E4"}, {"walking_balance": P}),
    "major_injury": ({}, {"E6"}, {"major_injury": P}),
    # radiating pain alone is routine: "not sure" about cancer must still keep it urgent
    "cancer_history": ({"radiating_pain": P}, {"E5"}, {"cancer_history": P}),
    "radiating_pain": ({"cancer_history": P}, {"E5"}, {"radiating_pain": P}),
}


def test_unsure_contexts_cover_every_emergency_fact() -> None:
    assert set(UNSURE_CONTEXTS) == set(POLICY_EMERGENCY_FACTS)


@pytest.mark.parametrize("fact", sorted(UNSURE_CONTEXTS))
def test_unsure_emergency_fact_keeps_urgent_and_is_named(engine: Engine, fact: str) -> None:
    context, open_rules, emergency_answer = UNSURE_CONTEXTS[fact]
    base = {**ROUTINE_PATIENT, **context}
    # The context is right: the answer to this question decides an emergency here.
    assert fact in emergency_answer
    assert engine.level({**base, **emergency_answer}) == "emergency"
    out = engine.evaluate({**base, fact: U})
    assert RANK[out.level] >= RANK["urgent"], f"{fact} unsure gave {out.level}"
    assert out.level == "urgent"  # only the uncertainty (or a U-rule) raises it; nothing fired E
    assert fact in out.watch_for
    assert set(out.uncertain) == open_rules
    assert set(out.uncertain).isdisjoint(out.fired)
    assert out.payload()["watch_for"] == list(out.watch_for)


@pytest.mark.parametrize(
    "fact", sorted(f for f in POLICY_EMERGENCY_FACTS if f not in FOLLOWS and f != "radiating_pain")
)
def test_unsure_emergency_fact_with_otherwise_routine_patient(engine: Engine, fact: str) -> None:
    """Policy, literally: "not sure" to a question that can fire an E-rule never leaves the outcome
    below urgent and names the sign to watch for. (Follow-up questions are left out: they are only
    asked when the parent symptom is present, see the test above; radiating pain only fires E5
    with a cancer history, see the next test.)"""
    out = engine.evaluate({**ROUTINE_PATIENT, fact: U})
    assert RANK[out.level] >= RANK["urgent"], (
        f"{fact}=unsure with an otherwise routine patient gave {out.level!r} "
        f"(uncertain={out.uncertain}, watch_for={out.watch_for})"
    )
    assert fact in out.watch_for


def test_unsure_radiating_pain_matters_only_with_a_cancer_history(engine: Engine) -> None:
    """Shooting pain alone is no rule (policy): without a cancer history "not sure" about it can
    fire nothing, and the dialogue does not ask it. With a possible cancer history it can fire E5."""
    assert engine.evaluate({**ROUTINE_PATIENT, "radiating_pain": U}).level == "routine"
    out = engine.evaluate({**ROUTINE_PATIENT, "cancer_history": U, "radiating_pain": U})
    assert out.level == "urgent" and {"cancer_history", "radiating_pain"} <= set(out.watch_for)
    out = engine.evaluate({**ROUTINE_PATIENT, "cancer_history": P, "radiating_pain": U})
    assert out.level == "urgent" and "radiating_pain" in out.watch_for and "E5" in out.uncertain


@pytest.mark.parametrize("fact", NON_EMERGENCY_FACTS)
def test_unsure_non_emergency_fact_neither_raises_nor_lowers(engine: Engine, fact: str) -> None:
    bases = [
        ROUTINE_PATIENT,
        {},
        *(r for r in RULE_EXAMPLES.values()),
        *random_sample(150, seed=NON_EMERGENCY_FACTS.index(fact) + 100),
    ]
    for base in bases:
        missing = with_(base, **{fact: None})
        unsure = with_(base, **{fact: U})
        got_missing, got_unsure = engine.evaluate(missing), engine.evaluate(unsure)
        assert got_unsure.level == got_missing.level, f"{fact}: {missing}"
        assert fact not in got_unsure.watch_for
        # the summary lists it as unknown
        assert got_unsure.payload()["facts"][fact] == U


def test_unsure_answer_that_could_hide_an_emergency_is_flagged(engine: Engine) -> None:
    """For any facts: if resolving one unsure emergency fact (with its unstated follow-ups) could
    fire an E-rule that does not fire now, the outcome is at least urgent and names that fact."""
    failures: list[str] = []
    hidden = 0  # (facts, unsure fact) pairs where a sure answer could fire a new E-rule
    for facts in random_sample(1000, seed=7, unsure_weight=3.0):
        out = engine.evaluate(facts)
        now = reference(facts).fired & E_RULES
        for fact in sorted(POLICY_EMERGENCY_FACTS):
            if facts.get(fact) != U:
                continue
            free = [fact] + [c for c, p in FOLLOWS.items() if p == fact and facts.get(c) is None]
            for combo in itertools.product(*(concrete_values(f) for f in free)):
                resolved = {**facts, **dict(zip(free, combo, strict=True))}
                if (reference(resolved).fired & E_RULES) - now:
                    hidden += 1
                    if RANK[out.level] < RANK["urgent"] or fact not in out.watch_for:
                        failures.append(f"{facts}: {fact} -> level {out.level}, watch {out.watch_for}")
                    break
    assert hidden >= 100, f"the sample reached only {hidden} hidden emergencies"
    assert not failures, failures[:5]


def test_uncertain_outcomes_are_consistent(engine: Engine) -> None:
    uncertain = 0
    for facts in random_sample(1000, seed=11, unsure_weight=3.0):
        out = engine.evaluate(facts)
        uncertain += bool(out.uncertain)
        assert set(out.uncertain) <= E_RULES
        assert not set(out.uncertain) & set(out.fired)
        unsure_given = {f for f, v in facts.items() if v == U}
        assert set(out.watch_for) <= unsure_given & POLICY_EMERGENCY_FACTS
        if out.uncertain:
            assert out.watch_for, facts
        if out.uncertain or out.watch_for:
            assert RANK[out.level] >= RANK["urgent"], facts
        # Every watched sign is one whose sure answer could fire an E-rule or mean urgent care.
        for fact in out.watch_for:
            assert any(
                fact in engine_rule.facts() for engine_rule in engine.rules if engine_rule.id in out.uncertain
            ) or (_unsure_can_fire_emergency(facts, fact)), (fact, facts)
        assert len(set(out.watch_for)) == len(out.watch_for)
    assert uncertain >= 100, f"only {uncertain} uncertain outcomes in the sample"


# ----------------------------------------------------------------------------------------------
# Engine == policy reference, exhaustively and at random
# ----------------------------------------------------------------------------------------------

NEURO_SWEEP = (
    "bladder_bowel",
    "weakness",
    "weakness_sides",
    "weakness_worsening",
    "numbness",
    "numbness_sides",
    "cancer_history",
    "radiating_pain",
)
DURATION_SWEEP = ("age", "duration_days", "improving", "mid_back", "mechanical", "fever")


def _sweep(engine: Engine, names: tuple[str, ...], values: Mapping[str, tuple[FactValue, ...]]) -> int:
    failures: list[str] = []
    count = 0
    for combo in itertools.product(*(values[n] for n in names)):
        facts = {n: v for n, v in zip(names, combo, strict=True) if v is not None}
        count += 1
        diff = compare(engine, facts)
        if diff:
            failures.append(diff)
    assert not failures, f"{len(failures)} of {count} differ, e.g. {failures[:3]}"
    return count


def test_exhaustive_sweep_neuro_facts(engine: Engine) -> None:
    values = {n: values_of(n) for n in NEURO_SWEEP}
    # E1 reads bladder_bowel alone and "absent" reads like "never stated"; dropping it keeps the
    # sweep fast (absent is covered by the random sweep and the cases).
    values["bladder_bowel"] = (None, P, U)
    count = _sweep(engine, NEURO_SWEEP, values)
    assert count == 3 * 4 ** (len(NEURO_SWEEP) - 1)


def test_exhaustive_sweep_age_duration_facts(engine: Engine) -> None:
    values = {n: values_of(n) for n in DURATION_SWEEP}
    values["age"] = (None, U, 18, 49, 50, 51)
    values["duration_days"] = (None, U, 0, 30, 31, 42, 43, 365)
    _sweep(engine, DURATION_SWEEP, values)


def test_random_full_fact_sets_match_policy(engine: Engine) -> None:
    failures = [d for facts in random_sample(2000, seed=3) if (d := compare(engine, facts))]
    assert not failures, failures[:3]


# ----------------------------------------------------------------------------------------------
# Monotonicity
# ----------------------------------------------------------------------------------------------


def test_adding_a_present_symptom_never_lowers_the_level(engine: Engine) -> None:
    failures: list[str] = []
    for facts in random_sample(400, seed=5):
        before = RANK[engine.level(facts)]
        changes: list[tuple[str, FactValue]] = []
        changes += [(f, P) for f in SYMPTOM_TRI_FACTS if facts.get(f) in (None, A)]
        changes += [(f, BOTH) for f in SIDES_FACTS if facts.get(f) != BOTH]
        for f in NUMBER_FACTS:
            value = facts.get(f)
            if isinstance(value, int):
                changes += [(f, value + 1), (f, value + 30)]
        for fact, value in changes:
            after = engine.level({**facts, fact: value})
            if RANK[after] < before:
                failures.append(f"{facts} + {fact}={value}: {engine.level(facts)} -> {after}")
    assert not failures, failures[:5]


def test_not_sure_about_an_emergency_fact_never_lowers_the_level(engine: Engine) -> None:
    failures: list[str] = []
    for facts in random_sample(400, seed=9):
        before = engine.level(facts)
        for fact in sorted(POLICY_EMERGENCY_FACTS):
            if facts.get(fact) in (None, A, ONE):
                after = engine.level({**facts, fact: U})
                if RANK[after] < RANK[before]:
                    failures.append(f"{facts} + {fact}=unsure: {before} -> {after}")
    assert not failures, failures[:5]


def test_correcting_an_answer_recomputes(engine: Engine) -> None:
    facts: Facts = {"numbness": A, "night_pain": P}
    assert engine.level(facts) == "soon"
    facts["numbness"] = P
    facts["numbness_sides"] = BOTH  # "actually I do have some numbness, in both legs"
    assert engine.level(facts) == "emergency"
    facts["numbness"] = A
    assert engine.level(facts) == "soon"


def test_evaluate_does_not_mutate_its_input(engine: Engine) -> None:
    facts: Facts = {"weakness": U, "mid_back": U}
    snapshot = dict(facts)
    out = engine.evaluate(facts)
    assert facts == snapshot
    assert out.facts["weakness_sides"] is None  # the derived "unsure" is not reported as stated
    assert out.facts["weakness"] == U


# ----------------------------------------------------------------------------------------------
# Outcome shape: payload, reasons, education
# ----------------------------------------------------------------------------------------------

PAYLOAD_EXAMPLES: list[Facts] = [
    {},
    ROUTINE_PATIENT,
    {"bladder_bowel": P, "weakness": U, "age": 61, "duration_days": U},
    {"cancer_history": P, "radiating_pain": P, "numbness": P, "numbness_sides": ONE},
    {"numbness": P, "numbness_sides": U, "mid_back": P},
]


@pytest.mark.parametrize("facts", PAYLOAD_EXAMPLES)
def test_payload_shape(engine: Engine, facts: Facts) -> None:
    out = engine.evaluate(facts)
    payload = out.payload()
    assert json.loads(json.dumps(payload)) == payload  # JSON-serialisable, round-trips
    assert {"level", "rules", "facts"} <= set(payload)
    assert payload["level"] == out.level and payload["level"] in LEVELS
    assert payload["rules"] == list(out.fired)
    assert all(isinstance(r, str) for r in payload["rules"])
    assert payload["facts"] == {k: v for k, v in facts.items() if v is not None}
    assert payload["uncertain_rules"] == list(out.uncertain)


def test_outcome_type_and_reasons(engine: Engine) -> None:
    by_id = {r.id: r for r in engine.rules}
    for facts in random_sample(300, seed=13):
        out = engine.evaluate(facts)
        assert isinstance(out, Outcome)
        assert len(set(out.fired)) == len(out.fired)
        # reasons for the rules of the level given only (a lower rule's time frame is no reason)
        assert out.reasons == tuple(by_id[r].reason for r in out.fired if by_id[r].level == out.level)
        if out.fired and not out.watch_for and not out.uncertain:
            assert out.reasons  # the level came from a fired rule: its reason is given
        assert set(out.facts) == ALL_FACTS


def test_education_has_one_to_three_topics(engine: Engine) -> None:
    by_id = {r.id: r for r in engine.rules}
    samples = [c["facts"] for c in CASES] + list(random_sample(1000, seed=17))
    levels: set[str] = set()
    for facts in samples:
        out = engine.evaluate(facts)
        levels.add(out.level)
        assert 1 <= len(out.education) <= 3, (facts, out.education)
        assert len(set(out.education)) == len(out.education), out.education
        assert all(isinstance(t, str) and t for t in out.education)
        if out.level == "routine":
            assert "self_care" in out.education, (facts, out.education)
        if out.level == "emergency":
            # the most important explanation is never cut: it comes first
            first_topics = {t for r in out.fired if r in E_RULES for t in by_id[r].education}
            assert out.education[0] in first_topics, (facts, out.education)
    assert levels == set(LEVELS), "every level's education was checked"


def test_radiating_pain_gets_sciatica_education(engine: Engine) -> None:
    out = engine.evaluate({"radiating_pain": P})
    assert out.level == "routine"
    assert "sciatica" in out.education and "self_care" in out.education


# ----------------------------------------------------------------------------------------------
# Invalid input
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts",
    [
        {"backache": P},
        {"Weakness": P},
        {"numbness_side": ONE},
        {"fever": P, "temperature": 39},
    ],
)
def test_unknown_fact_name_raises(engine: Engine, facts: Facts) -> None:
    with pytest.raises(ValueError):
        engine.evaluate(facts)


@pytest.mark.parametrize(
    "fact,value",
    [
        ("fever", "yes"),
        ("fever", ONE),
        ("fever", True),
        ("fever", 1),
        ("fever", "Present"),
        ("weakness", BOTH),
        ("weakness_sides", P),
        ("weakness_sides", "left"),
        ("numbness_sides", 2),
        ("age", "fifty"),
        ("age", P),
        ("age", -1),
        ("age", 50.5),
        ("age", True),
        ("duration_days", "31"),
        ("duration_days", -3),
        ("mid_back", [P]),
    ],
)
def test_invalid_fact_value_raises(engine: Engine, fact: str, value: Any) -> None:
    with pytest.raises(ValueError):
        engine.evaluate({fact: value})


@pytest.mark.parametrize(
    "fact,value",
    [
        ("age", 0),
        ("age", U),
        ("duration_days", 0),
        ("weakness_sides", U),
        ("fever", U),
        ("mechanical", A),
        ("fever", None),
    ],
)
def test_edge_values_are_accepted(engine: Engine, fact: str, value: FactValue) -> None:
    engine.evaluate({fact: value})


# ----------------------------------------------------------------------------------------------
# Engine construction and evaluation details
# ----------------------------------------------------------------------------------------------


def _docs() -> tuple[dict[str, Any], dict[str, Any]]:
    with FACTS_FILE.open(encoding="utf-8") as fh:
        facts_doc = yaml.safe_load(fh)
    with RULES_FILE.open(encoding="utf-8") as fh:
        rules_doc = yaml.safe_load(fh)
    return facts_doc, rules_doc


def test_engine_from_parsed_docs_behaves_like_default(engine: Engine) -> None:
    facts_doc, rules_doc = _docs()
    built = Engine(copy.deepcopy(facts_doc), copy.deepcopy(rules_doc))
    loaded = load_engine()
    for facts in random_sample(200, seed=19):
        assert built.evaluate(facts) == engine.evaluate(facts) == loaded.evaluate(facts)


def test_not_combinator_is_three_valued() -> None:
    facts_doc, _ = _docs()
    rules_doc = {
        "policy_version": "test",
        "valid_from": "2026-11-30",
        "levels": list(LEVELS),
        "rules": [
            {
                "id": "X1",
                "level": "emergency",
                "source": "test",
                "reason": "utter_reason_X1",
                "education": ["x"],
                "when": {"not": {"fact": "fever", "equals": A}},
            }
        ],
    }
    eng = Engine(facts_doc, rules_doc)
    assert eng.evaluate({"fever": P}).fired == ("X1",)
    assert eng.evaluate({"fever": A}).fired == ()
    out = eng.evaluate({"fever": U})
    assert (out.fired, out.uncertain, out.level, out.watch_for) == ((), ("X1",), "urgent", ("fever",))


def test_candidate_values_straddle_every_threshold(engine: Engine) -> None:
    age = engine.candidate_values("age")
    duration = engine.candidate_values("duration_days")
    assert {49, 50, U} <= set(age)
    assert {30, 31, 42, 43, U} <= set(duration)
    assert set(engine.candidate_values("fever")) == {P, A, U}
    assert set(engine.candidate_values("weakness_sides")) == {ONE, BOTH, U}


def test_table_error_is_a_value_error() -> None:
    assert issubclass(TableError, ValueError)
