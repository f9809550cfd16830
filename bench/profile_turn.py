"""Where a turn's CPU goes: py-spy samples both servers during the bench/turn_cpu.py conversations.

py-spy is a sampling profiler (a binary on PyPI: `pip install py-spy`; a tool, not a product
dependency, so not in requirements.txt). It samples each server's running threads (idle ones are
left out, so a sample is CPU time) without pausing them, and the samples are attributed to the
components below by the frames on their stacks. ms/turn = samples / rate / turns. cProfile was
tried first: its per-thread CPU clock is a system call per function call and inflated the turn
five-fold, mostly in the calls it measured.

    .venv/bin/python -m bench.profile_turn [--py-spy PATH] [--top 30]
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from bench.patients.driver import Patient
from bench.patients.personas import PERSONAS_FILE, load_personas
from bench.simulated_patients import RECORDED_ON
from bench.turn_cpu import LONG_CONVERSATIONS, PERSONA_STRIDE, assistant_long
from tooling.stack import running_stack
from triage.clock import TODAY_ENV
from triage.engine import default_engine

RATE_HZ = 250  # samples a second: ~10,000 CPU samples over the run, under 1 % cost to the servers
WARMUP_CONVERSATIONS = 2
STOP_WAIT_S = 30  # py-spy writes its file within a second of SIGINT; generous

COMPONENTS = (
    ("rasa", "REST channel: whole request handler", "channels/rest.py", "receive"),
    ("rasa", "message processing (handle_message)", "rasa/core/processor.py", "handle_message"),
    ("rasa", "NLU pipeline (worker thread, awaited by the above)", "channels/inbound.py", "_run_nlu"),
    ("rasa", "    FactExtractor (spaCy + medspaCy)", "nlp/rasa_component.py", "process"),
    ("rasa", "    CountVectorsFeaturizer", "count_vectors_featurizer.py", "process"),
    ("rasa", "    LogisticRegressionClassifier", "logistic_regression_classifier.py", "process"),
    (
        "rasa",
        "  policies: predict_next_action",
        "rasa/core/processor.py",
        "predict_next_with_tracker_if_should",
    ),
    (
        "rasa",
        "    RulePolicy.predict_action_probabilities",
        "policies/rule_policy.py",
        "predict_action_probabilities",
    ),
    ("rasa", "    tracker.past_states", "rasa/shared/core/trackers.py", "past_states"),
    ("rasa", "  action call: RemoteAction.run", "rasa/core/actions/action.py", "run"),
    ("rasa", "    tracker to JSON (current_state)", "rasa/shared/core/trackers.py", "current_state"),
    ("rasa", "  tracker store: retrieve", "rasa/core/tracker_store.py", "retrieve"),
    ("rasa", "  tracker store: save", "rasa/core/tracker_store.py", "save"),
    ("actions", "sanic webhook handler", "rasa_sdk/endpoint.py", "webhook"),
    ("actions", "  request JSON parse", "sanic/request.py", "load_json"),
    ("actions", "  ActionTurn.run", "actions/actions.py", "run"),
    ("actions", "    plan_turn (planner, answer readers)", "dialogue/planner.py", "plan_turn"),
    ("actions", "  response JSON", "sanic/response.py", "json"),
)


def _samples(path: Path) -> Counter[tuple[str, ...]]:
    """py-spy's raw output: one `frame;frame;... count` line per distinct stack, root first."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            stacks[tuple(stack.split(";"))] += int(count)
    return stacks


def _matches(frame: str, suffix: str, name: str) -> bool:
    func, _, where = frame.partition(" (")
    return func == name and where.rsplit(":", 1)[0].endswith(suffix)


def _component(stacks: Counter[tuple[str, ...]], suffix: str, name: str) -> int:
    return sum(n for stack, n in stacks.items() if any(_matches(f, suffix, name) for f in stack))


def _record(py_spy: str, pid: int, out: Path) -> subprocess.Popen[bytes]:
    cmd = [py_spy, "record", "-p", str(pid), "-r", str(RATE_HZ), "-f", "raw", "--full-filenames", "--gil"]
    return subprocess.Popen(
        [*cmd, "--nonblocking", "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy", help="the py-spy binary")
    parser.add_argument("--top", type=int, default=0, help="also print the N leaf frames with most samples")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="prof-"))
    engine = default_engine()
    personas = load_personas(PERSONAS_FILE, engine=engine)[::PERSONA_STRIDE]
    turns = 0

    def say(sender: str, text: object) -> object:
        nonlocal turns
        turns += 1
        return stack.say(sender, text)

    with running_stack(extra_env={TODAY_ENV: RECORDED_ON}) as stack:
        pids = {"rasa": stack.rasa.pid, "actions": stack.actions.pid}
        for i in range(WARMUP_CONVERSATIONS):
            assistant_long(f"warm-{i}", stack.say)
        spies = {server: _record(args.py_spy, pid, out / f"{server}.txt") for server, pid in pids.items()}
        for i, p in enumerate(personas):
            Patient(p, say, f"prof-{i}-{p.id}", engine).run()
        for i in range(LONG_CONVERSATIONS):
            assistant_long(f"prof-long-{i}", say)
        for spy in spies.values():
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=STOP_WAIT_S)
    stacks = {server: _samples(out / f"{server}.txt") for server in pids}
    totals = {server: sum(st.values()) for server, st in stacks.items()}
    grand = sum(totals.values())

    def row(server: str, label: str, n: int) -> None:
        print(f"{server:8} {label:46} {1000 * n / RATE_HZ / turns:8.2f} {n / grand:6.1%}")

    print(f"{turns} turns sampled at {RATE_HZ} Hz: {grand} samples of a running thread")
    print(f"{'server':8} {'component':46} {'ms/turn':>8} {'share':>6}")
    for server, total in totals.items():
        row(server, "(all CPU of the server)", total)
    for server, label, suffix, name in COMPONENTS:
        row(server, label, _component(stacks[server], suffix, name))
    if args.top:
        for server, st in stacks.items():
            leaves: Counter[str] = Counter()
            for stack_, n in st.items():
                leaves[stack_[-1]] += n
            print(f"\n== {server}: top {args.top} leaf frames")
            for frame, n in leaves.most_common(args.top):
                print(f"{1000 * n / RATE_HZ / turns:7.2f} ms  {frame}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
