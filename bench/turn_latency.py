"""Benchmark the running assistant as a patient's client sees it (REST + action server).

Prints: training time (timed here on a scratch copy, so the real model is untouched), server start
time (process launch to first answered message), resident memory of both servers after the run,
and turn latency p50/p95 over scripted multi-turn conversations.
Targets on the 2-core reference machine: p95 turn <= 25 ms, start <= 15 s, memory <= 700 MB.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tooling.stack import ROOT, VENV_BIN, running_stack  # noqa: E402

# One scripted conversation: consent, a description with several facts, answers, a question back,
# a correction, and a final outcome. Repeated by several senders.
SCRIPT = [
    "hi",
    '/affirm{"answer_to":"consent"}',
    "my lower back has hurt for 3 weeks, it's worse at night. I'm 58",
    "no",
    "no",
    "why do you ask?",
    "no",
    "no",
    "no",
    "no",
    "no",
    "no",
    "no",
    "actually I do get pins and needles in my left leg",
    "no",
    "thanks",
]
CONVERSATIONS = 20  # 20 x 16 = 320 timed turns: enough for a stable p95
WARMUP_TURNS = 5
TARGETS = {"p95_ms": 25.0, "start_s": 15.0, "rss_mb": 700.0}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def time_training() -> float:
    """Train a model from scratch into a scratch directory and return the seconds it took."""
    out = Path(tempfile.mkdtemp(prefix="bench-train-"))
    started = time.perf_counter()
    subprocess.run(
        [str(VENV_BIN / "rasa"), "train", "--out", str(out), "--quiet", "--force"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-train", action="store_true", help="skip the training-time measurement")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()

    train_s = None if args.no_train else time_training()
    latencies: list[float] = []
    with running_stack() as stack:
        for i in range(WARMUP_TURNS):
            stack.say("warmup", SCRIPT[i])
        for c in range(CONVERSATIONS):
            for message in SCRIPT:
                t0 = time.perf_counter()
                stack.say(f"bench-{c}", message)
                latencies.append((time.perf_counter() - t0) * 1000)
        rss_mb = stack.rss_bytes() / 2**20
        start_s = stack.start_seconds

    p50, p95 = statistics.median(latencies), percentile(latencies, 95)
    print(f"turns timed:        {len(latencies)} ({CONVERSATIONS} conversations x {len(SCRIPT)} turns)")
    print(f"turn latency p50:   {p50:.1f} ms")
    print(f"turn latency p95:   {p95:.1f} ms   (target <= {TARGETS['p95_ms']:.0f} ms)")
    print(f"turn latency max:   {max(latencies):.1f} ms")
    print(
        f"server start:       {start_s:.1f} s    "
        f"(target <= {TARGETS['start_s']:.0f} s; launch to first answer)"
    )
    print(
        f"resident memory:    {rss_mb:.0f} MB   (target <= {TARGETS['rss_mb']:.0f} MB; Rasa + action server)"
    )
    if train_s is not None:
        print(f"training time:      {train_s:.1f} s")
    missed = p95 > TARGETS["p95_ms"] or start_s > TARGETS["start_s"] or rss_mb > TARGETS["rss_mb"]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
