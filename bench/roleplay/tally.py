"""First-run figures of a round of blind role-play, from the evaluators' own records.

    .venv/bin/python -m bench.roleplay.tally bench/roleplay/round1

Each evaluator recorded, per patient, what happened in the live chat (bench/roleplay/BRIEF.md).
This sums those records; it does not re-run anything (bench/simulated_patients.py --personas DIR
replays the same patients against the current build).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

COUNTS = ("not_understood", "repeated_questions", "off_topic_replies", "own_questions_ignored")
LISTS = ("misreadings", "summary_errors", "wrong_text")


def records(folder: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted(folder.glob("*.yml")):
        out += [r for r in yaml.safe_load(path.read_text()) or [] if isinstance(r, dict) and "result" in r]
    return out


def _late(result: dict[str, Any]) -> bool:
    said, advised = result.get("emergency_first_said_turn"), result.get("emergency_advised_turn")
    return isinstance(said, int) and (not isinstance(advised, int) or advised > said)


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent / "round1"
    recs = records(folder)
    n = len(recs)
    res = [r["result"] for r in recs]
    exact = sum(r.get("final_level") == p["expected"] for r, p in zip(res, recs, strict=False))
    print(f"round {folder.name}: {n} patients from {len(list(folder.glob('*.yml')))} evaluators")
    print(f"  exact final level        {exact}/{n} ({100 * exact / max(1, n):.1f}%)")
    print(f"  under-triage (final)     {sum(bool(r.get('under_triage')) for r in res)}")
    print(f"  over-triage (final)      {sum(bool(r.get('over_triage')) for r in res)}")
    print(f"  reached an outcome       {sum(bool(r.get('reached_outcome')) for r in res)}/{n}")
    print(f"  late emergency advice    {sum(_late(r) for r in res)} patients")
    print(f"  false emergency from no  {sum(bool(r.get('false_emergency_from_no')) for r in res)} patients")
    print(f"  asked to describe again  {sum(bool(r.get('asked_to_describe_again')) for r in res)} patients")
    for key in COUNTS:
        total = sum(int(r.get(key) or 0) for r in res)
        print(f"  {key.replace('_', ' '):24} {total} ({total / max(1, n):.2f} per conversation)")
    for key in LISTS:
        print(f"  {key.replace('_', ' '):24} {sum(len(r.get(key) or []) for r in res)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
