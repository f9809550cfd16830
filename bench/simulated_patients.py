"""Simulated patients: whole conversations through the REST channel, judged like an outside evaluator.

Each persona in bench/personas.yml is one patient with TRUE facts. The simulator sends the
opening, agrees to the terms, then answers every question from the true facts in the persona's
style (clicking the button payload or typing), with the persona's mid-conversation behaviours
("why do you ask?", topic questions, corrections). It reads only what a REST client sees: the
reply texts, the buttons (the question's fact is the `answer_to` of their payloads) and the
`custom.triage` payload.

Judged per persona:
  expected level   engine.evaluate(true facts) (the bot only asks what can change the level, and
                   stopping early at an emergency is right because the sign is in the truth);
                   the hand-written `expected` in the YAML must agree (else: a spec disagreement)
  under / over     final level below / above the expected one
  repeated         questions about a fact the patient had already stated (in the opening, in an
                   earlier answer, or volunteered in a message)
  turns, replies with no text, "I didn't understand" replies, NLU misreads (facts in the final
  payload that differ from what the patient said)

    .venv/bin/python -m bench.simulated_patients [--verbose] [--check] [--only ID ...] [--workers N]
                                                 [--personas PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from bench.patients.driver import Say, run_personas
from bench.patients.judge import EXACT_TARGET, Result, report, spec_disagreements, summarize
from bench.patients.personas import PERSONAS_FILE, Persona, load_personas
from nlp.dates import TODAY_ENV
from triage.engine import default_engine

ROOT = Path(__file__).resolve().parent.parent
# The personas and the role-play rounds were written on this day: their "since early last month"
# is counted from it (nlp/dates.py), so a replay on a later day judges the same conversation.
RECORDED_ON = "2026-11-30"
# Re-exported for the tests, which replay the same personas through the same judge.
__all__ = [
    "EXACT_TARGET",
    "PERSONAS_FILE",
    "ROOT",
    "Persona",
    "Result",
    "Say",
    "load_personas",
    "report",
    "run_personas",
    "spec_disagreements",
    "summarize",
]


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true", help="print each failing transcript")
    ap.add_argument("--check", action="store_true", help="exit 1 unless the targets are met")
    ap.add_argument("--only", nargs="*", help="persona ids to run")
    ap.add_argument("--workers", type=int, default=6)
    ap.add_argument(
        "--personas", type=Path, default=PERSONAS_FILE, help="persona file (default bench/personas.yml)"
    )
    ap.add_argument(
        "--today",
        default=RECORDED_ON,
        help=f"the date relative durations are counted from (default {RECORDED_ON}, when they were written)",
    )
    args = ap.parse_args(argv)

    from tooling.stack import DEFAULT_MODEL, running_stack

    engine = default_engine()
    personas = load_personas(args.personas, engine=engine)
    if args.only:
        personas = [p for p in personas if p.id in set(args.only)]
    if not DEFAULT_MODEL.exists():
        import subprocess

        subprocess.run(["make", "train"], cwd=ROOT, check=True)
    with running_stack(extra_env={TODAY_ENV: args.today}) as stack:
        results = run_personas(stack.say, personas, engine, workers=args.workers)
    text, s = report(results, engine, verbose=args.verbose)
    print(text)
    if args.check and not (s.ok and not s.spec_disagreements):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
