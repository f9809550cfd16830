"""The intake as FHIR R4: a Questionnaire generated from the fact schema, and a
QuestionnaireResponse for one outcome (what a clinic's system files in the record).

Plain dicts, no FHIR library at run time: the resources are validated with fhir.resources in the
tests (tests/unit/test_fhir.py), and the published Questionnaire is docs/fhir/questionnaire.json.
Yes / no use HL7 v2 table 0136; "not sure" uses the data-absent-reason "asked-unknown", as FHIR
recommends for a question that was asked and the answer is not known.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping, Optional

from . import clock
from .engine import (
    ABSENT,
    BOTH,
    KIND_VALUES,
    LEVELS,
    NUMBER,
    ONE,
    PRESENT,
    UNSURE,
    Engine,
    FactValue,
    Outcome,
)

# Canonical URL of the published Questionnaire (its version is the rule table's policy_version).
QUESTIONNAIRE_URL = "https://back-pain-triage.example.org/fhir/Questionnaire/intake"
ANSWERS_SYSTEM = "https://back-pain-triage.example.org/fhir/CodeSystem/answers"
LEVEL_SYSTEM = "https://back-pain-triage.example.org/fhir/CodeSystem/triage-level"
YES_NO_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0136"
ABSENT_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
LEVEL_ITEM, RULES_ITEM = "triage-level", "triage-rules"

CODINGS: dict[str, dict[str, str]] = {
    PRESENT: {"system": YES_NO_SYSTEM, "code": "Y", "display": "Yes"},
    ABSENT: {"system": YES_NO_SYSTEM, "code": "N", "display": "No"},
    UNSURE: {"system": ABSENT_REASON_SYSTEM, "code": "asked-unknown", "display": "Asked But Unknown"},
    ONE: {"system": ANSWERS_SYSTEM, "code": "one-side", "display": "One side"},
    BOTH: {"system": ANSWERS_SYSTEM, "code": "both-sides", "display": "Both sides"},
}
UNITS = {"years": "a", "days": "d"}  # UCUM


def _coding(value: str) -> dict[str, str]:
    return dict(CODINGS[value])


def questionnaire(engine: Engine) -> dict[str, Any]:
    """The intake Questionnaire: one item per fact (follow-ups enabled by their parent's yes)."""
    items: list[dict[str, Any]] = []
    for name, spec in engine.facts.items():
        item: dict[str, Any] = {"linkId": name, "text": spec.label, "required": False}
        if spec.kind == NUMBER:
            item["type"] = "integer"
            if spec.unit:
                item["code"] = [
                    {"system": "http://unitsofmeasure.org", "code": UNITS.get(spec.unit, spec.unit)}
                ]
        else:
            item["type"] = "coding"
            item["answerOption"] = [{"valueCoding": _coding(v)} for v in KIND_VALUES[spec.kind]]
        if spec.follows:
            item["enableWhen"] = [
                {"question": spec.follows, "operator": "=", "answerCoding": _coding(PRESENT)}
            ]
        items.append(item)
    items.append(
        {
            "linkId": LEVEL_ITEM,
            "text": "Triage level",
            "type": "coding",
            "readOnly": True,
            "answerOption": [{"valueCoding": {"system": LEVEL_SYSTEM, "code": lvl}} for lvl in LEVELS],
        }
    )
    items.append(
        {"linkId": RULES_ITEM, "text": "Rules fired", "type": "string", "repeats": True, "readOnly": True}
    )
    return {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "version": engine.policy_version,
        "name": "BackPainTriageIntake",
        "title": "Back and neck pain warning-sign check",
        "status": "active",
        "subjectType": ["Patient"],
        "date": engine.valid_from,
        "item": items,
    }


def _answer(spec_kind: str, value: FactValue) -> Optional[dict[str, Any]]:
    if spec_kind == NUMBER:
        return {"valueInteger": value} if isinstance(value, int) else {"valueCoding": _coding(UNSURE)}
    return {"valueCoding": _coding(str(value))} if value in CODINGS else None


def questionnaire_response(
    engine: Engine, outcome: Outcome, facts: Mapping[str, FactValue], authored: Optional[datetime] = None
) -> dict[str, Any]:
    """The completed intake for one outcome: every fact with a value, the level and the rules."""
    authored = authored or clock.now()
    items: list[dict[str, Any]] = []
    for name, spec in engine.facts.items():
        value = facts.get(name)
        answer = _answer(spec.kind, value) if value is not None else None
        if answer is not None:
            items.append({"linkId": name, "text": spec.label, "answer": [answer]})
    items.append(
        {
            "linkId": LEVEL_ITEM,
            "text": "Triage level",
            "answer": [{"valueCoding": {"system": LEVEL_SYSTEM, "code": outcome.level}}],
        }
    )
    if outcome.fired:
        items.append(
            {
                "linkId": RULES_ITEM,
                "text": "Rules fired",
                "answer": [{"valueString": r} for r in outcome.fired],
            }
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": f"{QUESTIONNAIRE_URL}|{engine.policy_version}",
        "authored": authored.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "item": items,
    }
