"""The summary for the doctor: what a clinician reads in 20 seconds, as data and as template values.

Pure Python (no Rasa). build_summary() gives the structured summary that goes into the `custom`
payload; template_values() turns it into the values of the utter_summary response template.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from . import clock
from .engine import ABSENT, PRESENT, UNSURE, Engine, FactValue, Outcome

WORDS_FILE = Path(__file__).resolve().parent / "summary_words.yml"
DAYS_PER_WEEK, DAYS_PER_MONTH, DAYS_PER_YEAR = 7, 30, 365
# Durations shown in days up to two weeks, in weeks up to about two months, then in months/years:
# the precision a patient's own estimate has.
SHOW_WEEKS_FROM_DAYS, SHOW_MONTHS_FROM_DAYS, SHOW_YEARS_FROM_DAYS = 14, 60, 730
# The key under which the sources keep where the pain is (not a fact: the doctor's summary only).
LOCATION_SOURCE = "where"
# Quotes of the patient's words in the summary are cut to this length (one short phrase each).
MAX_QUOTE_CHARS = 70
# A reply this short ("no", "nope", "not sure") is shown as its answer, not quoted.
SHORT_ANSWER_WORDS = 2
# Facts shown in their own lines (age, duration, location), not among the signs.
CONTEXT_FACTS = ("age", "duration_days", "mid_back")


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    with WORDS_FILE.open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


def describe_duration(days: FactValue) -> Optional[str]:
    """'about 3 weeks' rather than '21 days': as precise as the patient's own estimate."""
    if not isinstance(days, int):
        return None
    w = words()
    if days >= SHOW_YEARS_FROM_DAYS:
        return str(w["years"]).format(n=round(days / DAYS_PER_YEAR))
    if days >= SHOW_MONTHS_FROM_DAYS:
        return str(w["months"]).format(n=round(days / DAYS_PER_MONTH))
    if days >= SHOW_WEEKS_FROM_DAYS:
        return str(w["weeks"]).format(n=round(days / DAYS_PER_WEEK))
    return str(w["day"] if days == 1 else w["days"]).format(n=days)


def build_summary(
    engine: Engine,
    facts: Mapping[str, FactValue],
    outcome: Optional[Outcome],
    now: Optional[datetime] = None,
    sources: Optional[Mapping[str, Mapping[str, str]]] = None,
) -> dict[str, Any]:
    """Structured summary: age, duration, location, pertinent positives/negatives (emergency signs
    first, each with where it came from), unknowns, what was not asked, level and policy version."""
    now = now or clock.now()
    sources = sources or {}
    checked = engine.check_facts(facts)
    positives, negatives, unknown, not_asked = [], [], [], []
    for name, spec in engine.facts.items():  # facts.yml order: emergency signs first
        folded = spec.follows is not None and spec.follows not in CONTEXT_FACTS
        # "clearly from a strain" is asked of mid-back pain only (S7): of low back pain it is no sign
        moot = spec.follows in CONTEXT_FACTS and checked[str(spec.follows)] == ABSENT
        if name in CONTEXT_FACTS or folded or moot:
            continue
        value = checked[name]
        label = _label(engine, checked, name)
        source = _source(sources.get(name), value)
        shown = f"{label} ({source})" if source else label
        if value == PRESENT:
            positives.append(shown)
        elif value == ABSENT:
            negatives.append(shown)
        elif value == UNSURE:
            unknown.append(shown)
        else:
            not_asked.append(label)
    for name in ("age", "duration_days"):
        if checked[name] == UNSURE:
            unknown.append(engine.facts[name].label)
    return {
        "created_at": now.astimezone(timezone.utc).isoformat(timespec="minutes"),
        "age": checked["age"] if isinstance(checked["age"], int) else None,
        "duration_days": checked["duration_days"] if isinstance(checked["duration_days"], int) else None,
        "duration": describe_duration(checked["duration_days"]),
        "location": _location(checked, sources),
        "positives": positives,
        "negatives": negatives,
        "unknown": unknown,
        "not_asked": not_asked,
        "evidence": {name: dict(source) for name, source in sources.items() if checked.get(name) is not None},
        "level": outcome.level if outcome else None,
        "rules": list(outcome.fired) if outcome else [],
        "policy_version": engine.policy_version,
        "uncertain_rules": list(outcome.uncertain) if outcome else [],
    }


def _location(facts: Mapping[str, FactValue], sources: Mapping[str, Mapping[str, str]]) -> Optional[str]:
    """Where the pain is: in the patient's terms when they said it, else from the mid-back answer."""
    said = (sources.get(LOCATION_SOURCE) or {}).get("words")
    if said:
        return str(said)
    mid_back = facts.get("mid_back")
    return words()["locations"].get(str(mid_back)) if mid_back else None


def _source(source: Optional[Mapping[str, str]], value: FactValue) -> str:
    """'tapped No', 'answered: "nah all good"', 'said: "my bum's gone to sleep"'."""
    w = words()["sources"]
    if not source:
        return ""
    if source.get("how") == "button":
        return str(w["button"]).format(answer=w["values"].get(str(value), str(value)))
    quoted = " ".join(str(source.get("words") or "").split())
    if source.get("how") == "answered" and 0 < len(quoted.split()) <= SHORT_ANSWER_WORDS:
        return str(w["short"]).format(answer=w["values"].get(str(value), str(value)))  # "answered No"
    if len(quoted) > MAX_QUOTE_CHARS:
        quoted = quoted[: MAX_QUOTE_CHARS - 1].rstrip() + "\u2026"
    template = w["answered"] if source.get("how") == "answered" else w["said"]
    return template.format(words=quoted) if quoted else ""


def _label(engine: Engine, facts: Mapping[str, FactValue], name: str) -> str:
    """A sign's label with its follow-up answers: "... arm or leg (both sides, getting worse)"."""
    shown = words()["follow_ups"]
    details = [
        shown[child.name][facts[child.name]]
        for child in engine.facts.values()
        if child.follows == name and child.name in shown and facts.get(child.name) is not None
    ]
    label = engine.facts[name].label
    return f"{label} ({', '.join(details)})" if details else label


def template_values(summary: Mapping[str, Any]) -> dict[str, str]:
    """Values for the utter_summary template (all strings; missing ones say so)."""
    w = words()
    join = "; ".join

    def listed(items: list[str]) -> str:
        return join(items) if items else w["none"]

    level = summary["level"]
    return {
        "summary_created": _readable_time(summary["created_at"]),
        "summary_age": str(summary["age"]) if summary["age"] is not None else w["not_given"],
        "summary_duration": summary["duration"] or w["not_given"],
        "summary_location": summary["location"] or w["not_given"],
        "summary_positives": listed(summary["positives"]),
        "summary_negatives": listed(summary["negatives"]),
        "summary_unknown": listed(summary["unknown"]),
        "summary_not_asked": listed(summary.get("not_asked") or []),
        "summary_level": w["levels"][level] if level else w["not_decided"],
        "summary_rules": ", ".join(summary["rules"]) or w["none"],
        "summary_policy": summary["policy_version"],
    }


def _readable_time(iso: str) -> str:
    """'30 Nov 2026, 12:13 EST': unambiguous in every locale (no 11/30 vs 30/11), never raw ISO,
    in the deployment's time zone (triage/clock.py) with its name."""
    when = datetime.fromisoformat(iso).astimezone(clock.zone())
    return f"{when.day} {when.strftime(words()['time_format'])}"
