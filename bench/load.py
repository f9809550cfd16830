"""Load through the balancer: N simulated patients at once, each a whole scripted triage.

    .venv/bin/python -m bench.load [--patients 300] [--replicas 1 2] [--seed 7] [--think 3 9]
                                   [--ramp 30] [--url http://127.0.0.1:8080]

For each replica count it starts the production stack (tooling/cluster.py: HAProxy, the replicas
with their action servers, PostgreSQL, Redis; its own database and lock prefix, on free ports),
or uses the stack at --url (e.g. `make stack`). Each patient has a sender of its own, starts at a
random moment within the ramp, and waits 3-9 s (random, seeded) before each message, as a person
reading and typing: hello, consent, a description with a unique age and pain duration, then a
button answer to every question (mostly No; a few Yes to signs that raise the level, and some
patients an emergency sign) until the outcome.

Every reply is checked against that patient's own conversation. Cross-talk is a reply that belongs
to someone else's: addressed to another sender (`recipient_id`), an outcome with another
patient's facts (age and duration are unique per patient), or a question or outcome that this
patient's own answers do not lead to (the triage core says what comes next: next_question(),
evaluate()). Errors are answers other than 200, timeouts and refused connections; after a 503
the client waits Retry-After and sends the message again (up to 3 times; "unanswered" counts the
messages that never got an answer). Latency is per answered message, as the patient's client sees
it; throughput counts messages answered per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

import aiohttp

from bench.patients.driver import question_of, triage_of
from bench.simulated_patients import RECORDED_ON
from dialogue.questions import next_question
from nlp.dates import TODAY_ENV
from triage.engine import ABSENT, PRESENT, Engine, FactValue, default_engine

DEFAULT_PATIENTS = 300
DEFAULT_SEED = 7
# A person reads the reply and types or taps the next answer: 3 to 9 s (the brief's think time).
DEFAULT_THINK_S = (3.0, 9.0)
# Patients arrive over this many seconds rather than all in the same instant, as they would.
DEFAULT_RAMP_S = 30.0
# HAProxy waits 30 s for a replica (deploy/haproxy.cfg, timeout server); the client a little more.
REQUEST_TIMEOUT_S = 35.0
# Unique (age, duration) per patient: 32 ages x 27 durations = 864 pairs >= 300 patients. Under 50
# and under 4 weeks, so no age-and-duration rule fires by itself and the questions run long.
AGES = range(18, 50)
DURATIONS_DAYS = range(1, 28)
# Signs a patient may say Yes to without any follow-up question (each raises the level) ...
YES_SIGNS = ("fever", "night_pain", "systemic", "lump", "cancer_history")
YES_SHARE = 0.15  # ... each with this chance, so most conversations stay long
# ... and the share of patients who say Yes to the first emergency question (ends at once).
EMERGENCY_SHARE = 0.05
EMERGENCY_SIGN = "bladder_bowel"
CONSENT = "consent"
# A conversation that has not ended after this many messages is stuck.
MAX_MESSAGES = 40
REPLICA_HEADER = "X-Replica"
# After a 503 the patient's client waits Retry-After (2 s from the stack) and sends the message
# again, at most this many times, before the conversation counts as broken off.
RETRIES_AFTER_503 = 3
DEFAULT_RETRY_AFTER_S = 2.0


@dataclass
class Profile:
    """One patient: who they are and how they will answer."""

    index: int
    sender: str
    age: int
    days: int
    yes: frozenset[str]
    think: list[float]
    start_s: float


@dataclass
class Outcome:
    """What happened to one patient."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    cross_talk: list[str] = field(default_factory=list)
    replicas: set[str] = field(default_factory=set)
    unanswered: int = 0
    finished: bool = False


def profiles(count: int, seed: int, think: tuple[float, float], ramp_s: float) -> list[Profile]:
    rng = random.Random(seed)
    pairs = rng.sample([(a, d) for a in AGES for d in DURATIONS_DAYS], count)
    run = uuid.uuid4().hex[:6]
    out = []
    for i, (age, days) in enumerate(pairs):
        yes = {s for s in YES_SIGNS if rng.random() < YES_SHARE}
        if rng.random() < EMERGENCY_SHARE:
            yes.add(EMERGENCY_SIGN)
        waits = [rng.uniform(*think) for _ in range(MAX_MESSAGES)]
        out.append(Profile(i, f"load-{run}-{i}", age, days, frozenset(yes), waits, rng.uniform(0, ramp_s)))
    return out


class Patient:
    """Plays one profile through the balancer and checks every reply against its own conversation."""

    def __init__(self, p: Profile, url: str, engine: Engine, owners: dict[tuple[int, int], str]) -> None:
        self.p, self.url, self.engine, self.owners = p, url, engine, owners
        self.facts: dict[str, FactValue] = {"age": p.age, "duration_days": p.days}
        self.out = Outcome()

    async def send(self, session: aiohttp.ClientSession, message: str) -> Optional[list[dict[str, Any]]]:
        """One message; after a 503 it is sent again once Retry-After has passed, as a client
        should (each 503 still counts as an error). None: never answered."""
        for _ in range(1 + RETRIES_AFTER_503):
            started = time.perf_counter()
            try:
                async with session.post(self.url, json={"sender": self.p.sender, "message": message}) as resp:
                    body = await resp.read()
                    elapsed = (time.perf_counter() - started) * 1000
                    if resp.headers.get(REPLICA_HEADER):
                        self.out.replicas.add(resp.headers[REPLICA_HEADER])
                    if resp.status == 200:
                        self.out.latencies_ms.append(elapsed)
                        replies: list[dict[str, Any]] = json.loads(body)
                        break
                    self.out.errors[f"HTTP {resp.status}"] += 1
                    if resp.status != 503:
                        return None
                    await asyncio.sleep(float(resp.headers.get("Retry-After", DEFAULT_RETRY_AFTER_S)))
            except asyncio.TimeoutError:
                self.out.errors["timeout"] += 1
                return None
            except aiohttp.ClientError as e:
                self.out.errors[type(e).__name__] += 1
                return None
        else:
            self.out.unanswered += 1
            return None
        for r in replies:
            if r.get("recipient_id") != self.p.sender:
                self.out.cross_talk.append(f"reply addressed to {r.get('recipient_id')!r}")
        return replies

    def wrong(self, what: str) -> None:
        self.out.cross_talk.append(what)

    def expected_outcome(self, triage: dict[str, Any]) -> None:
        facts = triage.get("facts") or {}
        mine = (facts.get("age"), facts.get("duration_days"))
        if mine != (self.p.age, self.p.days):
            owner = self.owners.get(mine)  # type: ignore[arg-type]
            self.wrong(f"outcome with the facts of {owner or 'nobody'}: age/duration {mine}")
            return
        for name, value in self.facts.items():
            if facts.get(name) != value:
                self.wrong(f"outcome says {name}={facts.get(name)!r}, the patient said {value!r}")
        level = self.engine.level(self.facts)
        if triage.get("level") != level:
            self.wrong(f"outcome level {triage.get('level')!r}, this patient's answers give {level!r}")

    async def run(self, session: aiohttp.ClientSession) -> Outcome:
        await asyncio.sleep(self.p.start_s)
        replies = await self.send(session, "hi")
        if replies is None:
            return self.out
        if question_of(replies) != CONSENT:
            self.wrong("no consent question after hello")
            return self.out
        script = [
            _button(replies, "Yes, I agree"),
            f"My back has been sore for {self.p.days} days. I'm {self.p.age}.",
        ]
        expected: Optional[str] = None
        for turn in range(MAX_MESSAGES):
            await asyncio.sleep(self.p.think[turn])
            if script:
                message = script.pop(0)
                describing = not script
            else:
                asked = question_of(replies)
                assert asked is not None
                answer = "Yes" if asked in self.p.yes else "No"
                self.facts[asked] = PRESENT if answer == "Yes" else ABSENT
                message, describing = _button(replies, answer), False
            replies_or_none = await self.send(session, message)
            if replies_or_none is None:
                return self.out
            replies = replies_or_none
            if message.startswith("/affirm") and CONSENT in message:
                if question_of(replies) or triage_of(replies):
                    self.wrong("after consent: not the request to describe the pain")
                    return self.out
                continue
            triage = triage_of(replies)
            expected = next_question(self.engine, self.facts)
            if triage is not None:
                if expected is not None:
                    self.wrong(f"an outcome where this patient's answers still need {expected!r}")
                self.expected_outcome(triage)
                self.out.finished = True
                return self.out
            asked = question_of(replies)
            if asked != expected:
                where = "after the description" if describing else "after an answer"
                self.wrong(f"{where}: asked {asked!r}, this patient's answers lead to {expected!r}")
                return self.out
        self.out.errors["no outcome"] += 1
        return self.out


def _button(replies: list[dict[str, Any]], title: str) -> str:
    for r in replies:
        for b in r.get("buttons") or []:
            if b.get("title") == title:
                return str(b["payload"])
    return title.lower()  # typed, as a patient would when there is no button


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class Report:
    replicas: str
    outcomes: list[Outcome]
    wall_s: float

    def row(self) -> dict[str, Any]:
        lat = [x for o in self.outcomes for x in o.latencies_ms]
        errors: Counter[str] = sum((o.errors for o in self.outcomes), Counter())
        return {
            "replicas": self.replicas,
            "patients": len(self.outcomes),
            "finished": sum(o.finished for o in self.outcomes),
            "requests": len(lat) + sum(errors.values()),
            "errors": sum(errors.values()),
            "unanswered": sum(o.unanswered for o in self.outcomes),
            "error kinds": dict(errors),
            "cross-talk": sum(len(o.cross_talk) for o in self.outcomes),
            "switched replica": sum(len(o.replicas) > 1 for o in self.outcomes),
            "p50 ms": percentile(lat, 50),
            "p95 ms": percentile(lat, 95),
            "p99 ms": percentile(lat, 99),
            "max ms": max(lat, default=float("nan")),
            "mean ms": statistics.fmean(lat) if lat else float("nan"),
            "msg/s": len(lat) / self.wall_s if self.wall_s else float("nan"),
            "wall s": self.wall_s,
        }


async def drive(url: str, patients: list[Profile]) -> tuple[list[Outcome], float]:
    engine = default_engine()
    owners = {(p.age, p.days): p.sender for p in patients}
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)

    async def one(p: Profile) -> Outcome:
        # each patient its own client and connection, as each person has their own browser or app
        async with aiohttp.ClientSession(timeout=timeout) as session:
            return await Patient(p, url, engine, owners).run(session)

    started = time.perf_counter()
    outcomes = await asyncio.gather(*(one(p) for p in patients))
    return list(outcomes), time.perf_counter() - started


def run_once(url: str, args: argparse.Namespace, label: str) -> Report:
    patients = profiles(args.patients, args.seed, (args.think[0], args.think[1]), args.ramp)
    print(f"  {label}: {len(patients)} patients ...", flush=True)
    outcomes, wall = asyncio.run(drive(url, patients))
    report = Report(label, outcomes, wall)
    for o, p in zip(outcomes, patients, strict=True):
        for what in o.cross_talk[:3]:
            print(f"    cross-talk {p.sender}: {what}")
    return report


def print_table(reports: list[Report]) -> None:
    cols = [
        "replicas",
        "patients",
        "finished",
        "requests",
        "errors",
        "unanswered",
        "cross-talk",
        "switched replica",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "msg/s",
        "wall s",
    ]
    rows = [r.row() for r in reports]
    print("\n  " + "  ".join(f"{c:>9}" for c in cols))
    for row in rows:
        cells = [f"{row[c]:>9.1f}" if isinstance(row[c], float) else f"{row[c]!s:>9}" for c in cols]
        print("  " + "  ".join(cells))
    for row in rows:
        if row["error kinds"]:
            print(f"  errors with {row['replicas']} replica(s): {row['error kinds']}")


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--patients", type=int, default=DEFAULT_PATIENTS)
    ap.add_argument("--replicas", type=int, nargs="+", default=[1, 2], help="replica counts to run")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--think", type=float, nargs=2, default=DEFAULT_THINK_S, metavar=("MIN_S", "MAX_S"))
    ap.add_argument("--ramp", type=float, default=DEFAULT_RAMP_S, help="seconds over which patients arrive")
    ap.add_argument("--url", help="an already running balancer (e.g. make stack's); default: start one")
    ap.add_argument("--check", action="store_true", help="exit 1 on any error or cross-talk")
    args = ap.parse_args(argv)
    print(
        f"load: {args.patients} patients, think {args.think[0]:g}-{args.think[1]:g} s, ramp {args.ramp:g} s, "
        f"seed {args.seed}, through HAProxy"
    )
    reports = []
    if args.url:
        reports.append(run_once(args.url.rstrip("/") + "/webhooks/rest/webhook", args, "given"))
    else:
        from tooling.cluster import running_cluster

        for n in args.replicas:
            with running_cluster(replicas=n, extra_env={TODAY_ENV: RECORDED_ON}) as cluster:
                reports.append(run_once(cluster.webhook, args, str(n)))
    print_table(reports)
    bad = any(r.row()["errors"] or r.row()["cross-talk"] for r in reports)
    return 1 if args.check and bad else 0


if __name__ == "__main__":
    sys.exit(main())
