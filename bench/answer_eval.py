"""Per-question answer accuracy of the whole reading path (fact patterns + learned reader + rules),
on labelled replies that no training or pattern work reads (tests/answers_heldout/).

Prints, per question kind: accuracy of the direct answer (yes / no / unsure / not an answer; one /
both for the sides questions; duration within +-30 %), and the two costly mistakes on emergency
questions: a "no" recorded for a real yes (under-triage) and a "yes" recorded for a real no
(false emergency). A reply that is read back or asked again instead is counted apart: it is safe,
but costs a turn.

    .venv/bin/python bench/answer_eval.py [--cases tests/answers_heldout/heldout.yml] [--verbose]
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Optional

from answers.classifier import default_reader, load_corpus
from answers.interpret import Interpreter, Message
from nlp.facts import extract_mentions, load_nlp
from triage.engine import default_engine

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "answers_heldout" / "heldout.yml"
# The day the corpus writers counted relative dates from.
CORPUS_TODAY = dt.date(2026, 11, 30)
# A duration within this share of the true one counts as right (issue 8: +-30 %).
DURATION_TOLERANCE = 0.3
VALUE_REPLY = {"present": "yes", "absent": "no", "unsure": "unsure"}


def entities(text: str, nlp: Any) -> tuple[dict[str, Any], ...]:
    """The NLU's entities for a text, as Rasa would hand them to the action server."""
    return tuple(
        {
            "entity": m.fact,
            "value": m.value,
            "time": m.time,
            "person": m.person,
            "certainty": m.certainty,
            "who": m.who,
            "first_person": m.first_person,
            "text": m.text,
            "start": m.start,
            "end": m.end,
        }
        for m in extract_mentions(text, nlp, CORPUS_TODAY)
    )


def read(interpreter: Interpreter, question: str, text: str, nlp: Any) -> tuple[str, Optional[str]]:
    """(what was read: yes/no/unsure/one/both/<days>/none/confirm, possible signs flagged)."""
    reading = interpreter.interpret(question, Message(text=text, intent=None, entities=entities(text, nlp)))
    answer = reading.answer
    if answer.confirm is not None:
        got = "confirm"
    elif answer.value is None:
        got = "none"
    elif question == "duration_days" and answer.value != "unsure":
        got = str(answer.value)
    else:
        got = VALUE_REPLY.get(str(answer.value), str(answer.value))
    flagged = ",".join(sorted({f.fact for f in reading.possible})) or None
    return got, flagged


def correct(question: str, expected: str, got: str) -> bool:
    if question == "duration_days" and expected not in ("unsure", "none"):
        try:
            return abs(int(got) - int(expected)) <= DURATION_TOLERANCE * int(expected)
        except ValueError:
            return False
    return got == expected


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=Path, default=HELDOUT)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    engine = default_engine()
    interpreter = Interpreter(engine, default_reader())
    nlp = load_nlp()
    cases = load_corpus([args.cases])
    per: dict[str, Counter[str]] = defaultdict(Counter)
    sign_hits = Counter[str]()
    for case in cases:
        expected = case.answer
        got, flagged = read(interpreter, case.question, case.text, nlp)
        c = per[case.question]
        c["n"] += 1
        ok = correct(case.question, expected, got)
        c["ok"] += ok
        emergency = case.question in engine.emergency_facts
        if got == "confirm" or (got == "none" and expected != "none"):
            c["asked_again"] += 1
        if emergency and expected == "yes" and got == "no":
            c["missed_yes"] += 1
        if emergency and expected == "no" and got == "yes":
            c["false_yes"] += 1
        for sign, value in case.other.items():
            if value == "present" and sign in engine.emergency_facts and sign != case.question:
                sign_hits["said"] += 1
                found = {e["entity"] for e in entities(case.text, nlp) if e.get("certainty") == "definite"}
                sign_hits["definite"] += sign in found
                sign_hits["possible"] += bool(flagged and sign in flagged.split(","))
        if args.verbose and not ok:
            print(f"  {case.question:18} want {expected:7} got {got:8} {case.text[:90]!r}")
    total = Counter[str]()
    print(f"{'question':20} {'n':>4} {'exact':>6} {'asked again':>11} {'missed yes':>10} {'false yes':>9}")
    for question in engine.facts:
        c = per.get(question)
        if not c:
            continue
        total.update(c)
        print(
            f"{question:20} {c['n']:>4} {c['ok'] / c['n']:>6.3f} {c['asked_again']:>11} "
            f"{c['missed_yes']:>10} {c['false_yes']:>9}"
        )
    print(
        f"{'all':20} {total['n']:>4} {total['ok'] / max(1, total['n']):>6.3f} {total['asked_again']:>11} "
        f"{total['missed_yes']:>10} {total['false_yes']:>9}"
    )
    if sign_hits["said"]:
        print(
            f"emergency signs said in passing: {sign_hits['said']}, "
            f"read as definite {sign_hits['definite']}, flagged possible {sign_hits['possible']}"
        )


if __name__ == "__main__":
    main()
