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

from .engine import ABSENT, PRESENT, UNSURE, Engine, FactValue, Outcome

WORDS_FILE = Path(__file__).resolve().parent / "summary_words.yml"
DAYS_PER_WEEK, DAYS_PER_MONTH, DAYS_PER_YEAR = 7, 30, 365
# Durations shown in days up to two weeks, in weeks up to about two months, then in months/years:
# the precision a patient's own estimate has.
SHOW_WEEKS_FROM_DAYS, SHOW_MONTHS_FROM_DAYS, SHOW_YEARS_FROM_DAYS = 14, 60, 730
# Facts shown in their own lines (age, duration, location), not among the signs.
CONTEXT_FACTS = ("age", "duration_days", "mid_back")


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    with WORDS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def describe_duration(days: FactValue) -> Optional[str]:
    """'about 3 weeks' rather than '21 days': as precise as the patient's own estimate."""
    if not isinstance(days, int):
        return None
    w = words()
    if days >= SHOW_YEARS_FROM_DAYS:
        return w["years"].format(n=round(days / DAYS_PER_YEAR))
    if days >= SHOW_MONTHS_FROM_DAYS:
        return w["months"].format(n=round(days / DAYS_PER_MONTH))
    if days >= SHOW_WEEKS_FROM_DAYS:
        return w["weeks"].format(n=round(days / DAYS_PER_WEEK))
    return w["days"].format(n=days)


def build_summary(
    engine: Engine, facts: Mapping[str, FactValue], outcome: Optional[Outcome], now: Optional[datetime] = None
) -> dict[str, Any]:
    """Structured summary: age, duration, location, pertinent positives/negatives, unknowns, level."""
    now = now or datetime.now(timezone.utc)
    checked = engine.check_facts(facts)
    positives, negatives, unknown = [], [], []
    for name, spec in engine.facts.items():
        folded = spec.follows is not None and spec.follows not in CONTEXT_FACTS
        if name in CONTEXT_FACTS or folded:
            continue
        value = checked[name]
        label = _label(engine, checked, name)
        if value == PRESENT:
            positives.append(label)
        elif value == ABSENT:
            negatives.append(label)
        elif value == UNSURE:
            unknown.append(label)
    for name in ("age", "duration_days"):
        if checked[name] == UNSURE:
            unknown.append(engine.facts[name].label)
    return {
        "created_at": now.astimezone(timezone.utc).isoformat(timespec="minutes"),
        "age": checked["age"] if isinstance(checked["age"], int) else None,
        "duration_days": checked["duration_days"] if isinstance(checked["duration_days"], int) else None,
        "duration": describe_duration(checked["duration_days"]),
        "location": words()["locations"].get(checked["mid_back"] or "") if checked["mid_back"] else None,
        "positives": positives,
        "negatives": negatives,
        "unknown": unknown,
        "level": outcome.level if outcome else None,
        "rules": list(outcome.fired) if outcome else [],
        "uncertain_rules": list(outcome.uncertain) if outcome else [],
    }


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
        "summary_created": datetime.fromisoformat(summary["created_at"]).strftime("%Y-%m-%d %H:%M UTC"),
        "summary_age": str(summary["age"]) if summary["age"] is not None else w["not_given"],
        "summary_duration": summary["duration"] or w["not_given"],
        "summary_location": summary["location"] or w["not_given"],
        "summary_positives": listed(summary["positives"]),
        "summary_negatives": listed(summary["negatives"]),
        "summary_unknown": listed(summary["unknown"]),
        "summary_level": w["levels"][level] if level else w["not_decided"],
        "summary_rules": ", ".join(summary["rules"]) or w["none"],
    }
