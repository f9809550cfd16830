"""Evaluate nlp/facts/ on the held-out set: per-fact precision/recall and the safety targets.

Why: the extractor is rules; this is the number that says whether a change helped or hurt, and
``--check`` makes CI fail when a safety target is missed. Usage:
    .venv/bin/python bench/nlu_eval.py [--check] [--errors] [--model nlp/model] [--cases FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]

from nlp.facts import EMERGENCY_FACTS, extract_facts, load_nlp  # noqa: E402

DEFAULT_CASES = REPO_ROOT / "tests" / "nlu" / "heldout_facts.yml"
# Targets (product spec): emergency facts must almost never be missed, and a negated or someone
# else's symptom must never be read as the patient's.
MIN_EMERGENCY_RECALL = 0.95
MIN_PRECISION = 0.90
MAX_NOT_PATIENTS_AS_PRESENT = 0
GUARDED_TAGS = frozenset({"negation", "family", "hypothetical", "history"})
PRESENT_VALUES = frozenset({"present", "both"})

Pair = tuple[str, str]


@dataclass
class Result:
    """Counts over the whole set."""

    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    not_patients_as_present: list[tuple[str, Pair]] = field(default_factory=list)
    errors: list[tuple[str, set[Pair], set[Pair]]] = field(default_factory=list)
    seconds: float = 0.0
    n_cases: int = 0


def load_cases(path: Path) -> tuple[dt.date, list[dict]]:
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    today = data["today"]
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    return today, data["cases"]


def evaluate(cases: list[dict], today: dt.date, nlp) -> Result:
    res = Result()
    for case in cases:
        expected = {(k, str(v)) for k, v in (case.get("facts") or {}).items()}
        started = time.perf_counter()
        got = {(m.fact, m.value) for m in extract_facts(case["text"], nlp, today)}
        res.seconds += time.perf_counter() - started
        res.n_cases += 1
        for fact, _value in got & expected:
            res.tp[fact] += 1
        for fact, value in got - expected:
            res.fp[fact] += 1
            guarded = GUARDED_TAGS & set(case.get("tags") or ())
            if guarded and value in PRESENT_VALUES and (fact, value) not in expected:
                res.not_patients_as_present.append((case["text"], (fact, value)))
        for fact, _value in expected - got:
            res.fn[fact] += 1
        if got != expected:
            res.errors.append((case["text"], expected - got, got - expected))
    return res


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def emergency_recall(res: Result) -> float:
    tp = sum(res.tp[f] for f in EMERGENCY_FACTS)
    return _ratio(tp, tp + sum(res.fn[f] for f in EMERGENCY_FACTS))


def report(res: Result, show_errors: bool) -> list[str]:
    """Print the table and return the list of missed targets."""
    facts = sorted(set(res.tp) | set(res.fp) | set(res.fn))
    print(f"{'fact':<19}{'P':>6}{'R':>6}{'sup':>5}{'fp':>4}{'fn':>4}")
    for f in facts:
        p = _ratio(res.tp[f], res.tp[f] + res.fp[f])
        r = _ratio(res.tp[f], res.tp[f] + res.fn[f])
        mark = " *" if f in EMERGENCY_FACTS else ""
        print(f"{f:<19}{p:6.2f}{r:6.2f}{res.tp[f] + res.fn[f]:5d}{res.fp[f]:4d}{res.fn[f]:4d}{mark}")
    tp, fp, fn = sum(res.tp.values()), sum(res.fp.values()), sum(res.fn.values())
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    em_recall = emergency_recall(res)
    n_bad = len(res.not_patients_as_present)
    exact = res.n_cases - len(res.errors)
    print(
        f"micro P={precision:.3f} R={recall:.3f} | emergency(*) R={em_recall:.3f} | "
        f"negated/other/hypothetical/past read as present: {n_bad} | "
        f"exact cases {exact}/{res.n_cases} | {1000 * res.seconds / max(res.n_cases, 1):.2f} ms/msg"
    )
    for text, pair in res.not_patients_as_present:
        print(f"  NOT-PATIENT'S AS PRESENT: {pair} <- {text!r}")
    if show_errors:
        for text, missed, extra in res.errors:
            print(f"  {text!r}: missed {sorted(missed)} extra {sorted(extra)}")
    missed_targets = []
    if em_recall < MIN_EMERGENCY_RECALL:
        missed_targets.append(f"emergency recall {em_recall:.3f} < {MIN_EMERGENCY_RECALL}")
    if precision < MIN_PRECISION:
        missed_targets.append(f"precision {precision:.3f} < {MIN_PRECISION}")
    if n_bad > MAX_NOT_PATIENTS_AS_PRESENT:
        missed_targets.append(f"{n_bad} negated/other-person facts read as present")
    return missed_targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--errors", action="store_true", help="list every case that differs")
    parser.add_argument("--model", default="nlp/model")
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    args = parser.parse_args(argv)
    today, cases = load_cases(args.cases)
    nlp = load_nlp(args.model)
    missed = report(evaluate(cases, today, nlp), args.errors)
    if args.check and missed:
        print("TARGETS MISSED: " + "; ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
