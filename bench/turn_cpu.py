"""CPU per REST turn of the assistant (Rasa + action server) against a plain `rasa init` bot.

Both run side by side in one process run (other load on the machine hits both alike), and their
conversations are interleaved one by one. CPU time, not wall time, is measured: the sum over every
thread of each server's process tree of /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU,
user + system), read before and after each turn; the totals are cross-checked with the 10 ms
user + sys ticks of /proc/<pid>/stat (which also count exited threads and reaped children).

The assistant plays simulated patients (bench/personas.yml, through the same REST driver as
bench/simulated_patients.py) and long conversations (consent, many topic questions, then a whole
triage); the plain bot plays rasa init's own conversation, short and long. Flatness: the same
messages cost the same late in a long conversation as early in it.

    .venv/bin/python -m bench.turn_cpu [--check]
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bench.patients.driver import Patient
from bench.patients.personas import PERSONAS_FILE, load_personas
from bench.plain_bot import CONVERSATION as PLAIN_CONVERSATION
from bench.plain_bot import running_plain_bot
from bench.simulated_patients import RECORDED_ON
from bench.turn_latency import SCRIPT
from tooling.stack import post_json, running_stack
from triage.clock import TODAY_ENV
from triage.engine import default_engine

# Every PERSONA_STRIDE-th persona of the 92: ~30 patients of every level and answering style.
PERSONA_STRIDE = 3
# Topic questions, answerable at any point; repeated, they make a long conversation whose early and
# late turns carry identical messages, so their costs compare like for like.
CYCLE = (
    "what is cauda equina syndrome?",
    "do I need an MRI?",
    "what are red flags?",
    "can cancer cause back pain?",
)
CYCLES = 10  # 2 + 4 x 10 + the 14-turn triage = 56 turns: a long conversation by any measure
LONG_CONVERSATIONS = 4  # x 56 = 224 timed turns, enough for stable early/late windows
PLAIN_CYCLES = 4  # 4 x 12 = 48 turns: the plain bot's long conversation
PLAIN_SHORT_CONVERSATIONS = 30  # as many short plain conversations as persona conversations
WARMUP_CONVERSATIONS = 2  # unmeasured: first-call costs (imports, caches) are not per turn
# Targets (issue 9): the assistant costs at most 1.5x (stretch 1.2x) the plain bot per turn, and a
# late turn no more than an early one. FLAT_TOLERANCE absorbs the noise of single-turn readings
# (a few per cent run to run on this 2-core machine), not growth.
RATIO_TARGET, RATIO_STRETCH = 1.5, 1.2
FLAT_TOLERANCE = 1.10
CLOCK_TICKS_PER_S = 100  # USER_HZ on Linux: /proc/<pid>/stat counts in these


def _tree(pid: int) -> list[int]:
    """The process and its live descendants."""
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [pid] + [p for kid in kids for p in _tree(int(kid))]


def cpu_ns(pid: int) -> int:
    """Nanoseconds on a CPU of every live thread of the process tree (schedstat's first field)."""
    total = 0
    for p in _tree(pid):
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, IndexError, ValueError):
                continue  # a thread that exited between the listing and the read
    return total


def cpu_ticks_s(pid: int) -> float:
    """user + sys + reaped children's user + sys of the process tree, in seconds (10 ms ticks)."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime (fields 14-17)
    return total / CLOCK_TICKS_PER_S


@dataclass
class Meter:
    """CPU of a set of server processes, and every timed turn's share of it."""

    name: str
    pids: dict[str, int]  # server name -> pid
    turns: list[tuple[str, int, str, dict[str, int]]] = field(default_factory=list)  # sender, n, text, ns
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    timing: bool = False

    def now(self) -> dict[str, int]:
        return {server: cpu_ns(pid) for server, pid in self.pids.items()}

    def ticks(self) -> float:
        return sum(cpu_ticks_s(pid) for pid in self.pids.values())

    def wrap(self, say: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
        """`say`, recording the CPU each timed turn cost each server."""

        def timed(sender: str, text: Any) -> Any:
            before = self.now()
            replies = say(sender, text)
            after = self.now()
            if self.timing:
                self.counts[sender] += 1
                delta = {s: after[s] - before[s] for s in after}
                self.turns.append((sender, self.counts[sender], str(text), delta))
            return replies

        return timed


def _plain_say(webhook: str) -> Callable[[str, Any], Any]:
    def say(sender: str, text: Any) -> Any:
        status, body = post_json(webhook, {"sender": sender, "message": text})
        if status != 200:
            raise AssertionError(f"plain bot answered {status}")
        return json.loads(body)

    return say


def _ms(ns: float) -> float:
    return ns / 1e6


def window_ms(meter: Meter, senders: set[str], first: int, last: int) -> float:
    """Mean CPU (ms, all servers) of the turns numbered first..last of the given conversations."""
    picked = [sum(d.values()) for s, n, _, d in meter.turns if s in senders and first <= n <= last]
    return _ms(statistics.fmean(picked)) if picked else float("nan")


def report(
    meter: Meter, total_ns: dict[str, int], ticks_s: float, long: set[str], early: int, late: int, width: int
) -> dict[str, float]:
    """Print one bot's numbers; return per turn, early and late window means (ms)."""
    n = len(meter.turns)
    per_turn = _ms(sum(total_ns.values()) / n)
    split = ", ".join(f"{s} {_ms(v / n):.1f}" for s, v in total_ns.items())
    e = window_ms(meter, long, early, early + width - 1)
    lt = window_ms(meter, long, late, late + width - 1)
    print(f"{meter.name}:")
    print(f"  turns timed:         {n} in {len(meter.counts)} conversations")
    print(f"  CPU per turn:        {per_turn:.1f} ms  ({split})")
    print(f"  cross-check (ticks): {1000 * ticks_s / n:.1f} ms  (/proc/<pid>/stat, 10 ms ticks)")
    print(
        f"  flatness:            same {width} messages at turns {early}-{early + width - 1}: {e:.1f} ms, "
        f"at turns {late}-{late + width - 1}: {lt:.1f} ms  (late/early {lt / e:.2f})"
    )
    return {"per_turn": per_turn, "early": e, "late": lt}


def assistant_long(sender: str, say: Callable[[str, Any], Any]) -> None:
    for text in (*SCRIPT[:2], *CYCLE * CYCLES, *SCRIPT[2:]):
        say(sender, text)


def plain_long(sender: str, say: Callable[[str, Any], Any], cycles: int) -> None:
    for text in PLAIN_CONVERSATION * cycles:
        say(sender, text)


def run(check: bool) -> int:
    engine = default_engine()
    personas = load_personas(PERSONAS_FILE, engine=engine)[::PERSONA_STRIDE]
    with running_stack(extra_env={TODAY_ENV: RECORDED_ON}) as stack, running_plain_bot() as plain:
        ours = Meter(
            "this assistant (Rasa + action server)", {"rasa": stack.rasa.pid, "actions": stack.actions.pid}
        )
        base = Meter("plain rasa init bot (Rasa)", {"rasa": plain.process.pid})
        ours_say, base_say = ours.wrap(stack.say), base.wrap(_plain_say(plain.webhook))
        for i in range(WARMUP_CONVERSATIONS):
            assistant_long(f"warm-{i}", ours_say)
            plain_long(f"warm-{i}", base_say, PLAIN_CYCLES)
        ours.timing = base.timing = True
        start = {m.name: (m.now(), m.ticks()) for m in (ours, base)}
        jobs: list[Callable[[], object]] = []
        for i, p in enumerate(personas):
            jobs.append(Patient(p, ours_say, f"cpu-{i}-{p.id}", engine).run)
            jobs.append(partial(plain_long, f"plain-{i}", base_say, 1))
        for i in range(PLAIN_SHORT_CONVERSATIONS - len(personas)):
            jobs.append(partial(plain_long, f"plain-x{i}", base_say, 1))
        for i in range(LONG_CONVERSATIONS):
            jobs.append(partial(assistant_long, f"long-{i}", ours_say))
            jobs.append(partial(plain_long, f"plain-long-{i}", base_say, PLAIN_CYCLES))
        for job in jobs:
            job()
        totals = {}
        for m in (ours, base):
            before, ticks_before = start[m.name]
            after = m.now()
            totals[m.name] = ({s: after[s] - before[s] for s in after}, m.ticks() - ticks_before)
    long_ours = {f"long-{i}" for i in range(LONG_CONVERSATIONS)}
    long_base = {f"plain-long-{i}" for i in range(LONG_CONVERSATIONS)}
    early_ours = len(SCRIPT[:2]) + 1
    a = report(
        ours, *totals[ours.name], long_ours, early_ours, early_ours + len(CYCLE) * (CYCLES - 1), len(CYCLE)
    )
    w = len(PLAIN_CONVERSATION)
    b = report(base, *totals[base.name], long_base, 1, 1 + w * (PLAIN_CYCLES - 1), w)
    ratio = a["per_turn"] / b["per_turn"]
    print(f"ratio (assistant / plain): {ratio:.2f}  (target <= {RATIO_TARGET}, stretch <= {RATIO_STRETCH})")
    flat = a["late"] <= a["early"] * FLAT_TOLERANCE
    print(f"flat as a conversation grows: {'yes' if flat else 'NO'}  (late <= early x {FLAT_TOLERANCE})")
    return 1 if check and (ratio > RATIO_TARGET or not flat) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    return run(parser.parse_args(argv).check)


if __name__ == "__main__":
    raise SystemExit(main())
