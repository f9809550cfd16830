"""The judge: one conversation's result against the persona's truth, and the round's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from bench.patients.personas import Persona, expected_level
from triage.engine import LEVELS, Engine

# The understanding target (issue 7): at least this share of exact levels.
EXACT_TARGET = 0.95
# The summary target (issue 8): a pain duration within this share of the true one is right (a
# patient's own "about three weeks" is no more precise than that).
DURATION_TOLERANCE = 0.30
# Answers with a polarity: a summary that lists one of these opposite to the truth is wrong.
POLAR = ("present", "absent")


@dataclass
class Result:
    persona: Persona
    expected: str
    final: Optional[str] = None
    outcomes: list[str] = field(default_factory=list)
    final_facts: dict[str, Any] = field(default_factory=dict)
    turns: int = 0
    asked: list[str] = field(default_factory=list)
    repeats: list[tuple[str, str]] = field(default_factory=list)  # (fact, where it was stated)
    not_understood: int = 0
    no_text: int = 0  # replies with no text, no buttons and no custom payload
    custom_only: int = 0  # replies that only carry a custom payload (REST sends custom on its own)
    stuck: str = ""
    transcript: list[str] = field(default_factory=list)
    error: str = ""
    late_emergency: int = 0  # turns where an emergency sign was given but no emergency advice came
    read_back_emergency: int = 0  # ...where it came with the words read back, to be confirmed

    @property
    def under(self) -> bool:
        return self.final is None or LEVELS.index(self.final) > LEVELS.index(self.expected)

    @property
    def over(self) -> bool:
        return self.final is not None and LEVELS.index(self.final) < LEVELS.index(self.expected)

    @property
    def exact(self) -> bool:
        return self.final == self.expected

    @property
    def failed(self) -> bool:
        return (
            not self.exact
            or bool(self.repeats)
            or bool(self.stuck)
            or bool(self.error)
            or bool(self.late_emergency)
        )

    def misreads(self, engine: Engine) -> list[str]:
        """Facts in the final payload that differ from what the patient said (rule-relevant only)."""
        out = []
        for name, got in self.final_facts.items():
            want = self.persona.truth.get(name)
            if want is None and _follows(engine, name):
                continue  # a follow-up of a sign the patient does not have: cannot change anything
            if not _same(engine, name, got, want):
                out.append(f"{name}: bot has {got!r}, truth {want!r}")
        return out

    def summary_errors(self, engine: Engine) -> list[str]:
        """What the doctor's summary (the final payload's facts) gets wrong, by issue 8's measure: a
        wrong age, a duration off by more than DURATION_TOLERANCE, a sign with the wrong polarity.
        A fact not asked or "not sure" is not wrong; a fact the card does not decide is not judged."""
        out = []
        for name, got in self.final_facts.items():
            want = self.persona.truth.get(name)
            if name not in engine.facts or want is None or got is None:
                continue
            if name == "age" and isinstance(got, int) and isinstance(want, int) and got != want:
                out.append(f"age {got}, truth {want}")
            elif name == "duration_days" and isinstance(got, int) and isinstance(want, int):
                if abs(got - want) > DURATION_TOLERANCE * want:
                    out.append(f"pain for {got} days, truth {want}")
            elif got in POLAR and want in POLAR and got != want:
                out.append(f"{name} listed {got}, truth {want}")
        return out


def _follows(engine: Engine, name: str) -> bool:
    return name in engine.facts and engine.facts[name].follows is not None


def _bucket(engine: Engine, name: str, value: Any) -> Any:
    if not isinstance(value, int) or engine.facts[name].kind != "number":
        return value
    cuts = sorted(engine.thresholds.get(name, []) + ([18] if name == "age" else []))
    return tuple(value >= c for c in cuts) + tuple(value > c for c in cuts)


def _same(engine: Engine, name: str, got: Any, want: Any) -> bool:
    if name not in engine.facts:
        return True
    return _bucket(engine, name, got) == _bucket(engine, name, want)


@dataclass
class Summary:
    n: int
    exact: int
    under: int
    over: int
    repeated: int
    stuck: int
    errors: int
    late_emergency: int
    read_back_emergency: int
    mean_turns: float
    not_understood: int
    no_text: int
    custom_only: int
    spec_disagreements: list[str]
    summary_errors: int = 0
    summary_wrong: int = 0  # patients whose summary has at least one error

    @property
    def exact_share(self) -> float:
        return self.exact / self.n if self.n else 0.0

    @property
    def ok(self) -> bool:
        return (
            self.under == 0
            and self.exact_share >= EXACT_TARGET
            and self.repeated == 0
            and self.stuck == 0
            and self.errors == 0
            and self.late_emergency == 0
        )


def spec_disagreements(engine: Engine, personas: list[Persona]) -> list[str]:
    return [
        f"{p.id}: hand-written {p.expected}, engine says {expected_level(engine, p)}"
        for p in personas
        if expected_level(engine, p) != p.expected
    ]


def summarize(results: list[Result], engine: Engine) -> Summary:
    n = len(results)
    summary_errors = [r.summary_errors(engine) for r in results]
    return Summary(
        n=n,
        exact=sum(r.exact for r in results),
        under=sum(r.under for r in results),
        over=sum(r.over for r in results),
        repeated=sum(len(r.repeats) for r in results),
        stuck=sum(bool(r.stuck) for r in results),
        errors=sum(bool(r.error) for r in results),
        late_emergency=sum(r.late_emergency for r in results),
        read_back_emergency=sum(r.read_back_emergency for r in results),
        mean_turns=sum(r.turns for r in results) / n if n else 0.0,
        not_understood=sum(r.not_understood for r in results),
        no_text=sum(r.no_text for r in results),
        custom_only=sum(r.custom_only for r in results),
        spec_disagreements=spec_disagreements(engine, [r.persona for r in results]),
        summary_errors=sum(map(len, summary_errors)),
        summary_wrong=sum(map(bool, summary_errors)),
    )


def table(results: list[Result], engine: Engine) -> str:
    lines = [f"{'persona':34} {'expect':9} {'got':9} {'turns':>5} {'asked':>5} {'rep':>3}  flags"]
    for r in results:
        flags = []
        if r.under:
            flags.append("UNDER")
        if r.over:
            flags.append("OVER")
        if r.repeats:
            flags.append("REPEAT:" + ",".join(f for f, _ in r.repeats))
        if r.not_understood:
            flags.append(f"not-understood x{r.not_understood}")
        if r.no_text:
            flags.append(f"no-text x{r.no_text}")
        if r.late_emergency:
            flags.append(f"LATE-EMERGENCY x{r.late_emergency}")
        if r.stuck:
            flags.append("STUCK: " + r.stuck)
        if r.error:
            flags.append("ERROR: " + r.error)
        if len(r.outcomes) > 1:
            flags.append("outcomes " + ">".join(str(o) for o in r.outcomes))
        lines.append(
            f"{r.persona.id:34} {r.expected:9} {str(r.final):9} {r.turns:5} {len(r.asked):5} "
            f"{len(r.repeats):3}  {' '.join(flags)}"
        )
    return "\n".join(lines)


def report(results: list[Result], engine: Engine, verbose: bool = False) -> tuple[str, Summary]:
    s = summarize(results, engine)
    out = [table(results, engine), ""]
    out.append(
        f"personas {s.n}  exact {s.exact}/{s.n} ({100 * s.exact_share:.1f}%)  under-triage {s.under}  "
        f"over-triage {s.over}  repeated questions {s.repeated}  mean turns {s.mean_turns:.1f}\n"
        f"late emergency advice {s.late_emergency} (read back with the advice {s.read_back_emergency})  "
        f"stuck {s.stuck}  errors {s.errors}  "
        f"not-understood replies {s.not_understood}  no-text replies {s.no_text} "
        f"(plus {s.custom_only} custom-only payload messages)\n"
        f"summary errors {s.summary_errors} in {s.summary_wrong} patients (wrong age, duration off by more "
        f"than {DURATION_TOLERANCE:.0%}, a sign listed with the wrong polarity)"
    )
    if s.spec_disagreements:
        out.append("SPEC DISAGREEMENTS (hand-written expected vs engine on the true facts):")
        out.extend("  " + d for d in s.spec_disagreements)
    if verbose:
        for r in results:
            if r.failed or r.not_understood or r.no_text or r.summary_errors(engine):
                out.append("")
                out.append(f"=== {r.persona.id} ({r.persona.note}): expected {r.expected}, got {r.final}")
                for m in r.misreads(engine):
                    out.append(f"  misread: {m}")
                for m in r.summary_errors(engine):
                    out.append(f"  summary: {m}")
                out.extend(r.transcript)
    return "\n".join(out), s
