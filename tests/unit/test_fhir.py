"""FHIR R4 for the record, validated with fhir.resources (never with hand-written checks)."""

from __future__ import annotations

import datetime as dt

import pytest
from fhir.resources.questionnaire import Questionnaire
from fhir.resources.questionnaireresponse import QuestionnaireResponse

from dialogue.planner import outcome_replies
from triage.engine import default_engine
from triage.fhir import QUESTIONNAIRE_URL, questionnaire, questionnaire_response
from triage.publish_fhir import OUT, render

ENGINE = default_engine()
CASES = {
    "emergency": {"bladder_bowel": "present", "age": 61, "duration_days": 10},
    "urgent": {
        "weakness": "present",
        "weakness_sides": "one",
        "weakness_worsening": "absent",
        "fever": "unsure",
    },
    "soon": {"night_pain": "present", "age": 55, "duration_days": 45, "improving": "absent"},
    "routine": {f: "absent" for f in ("bladder_bowel", "saddle_numbness", "fever")}
    | {"age": 30, "duration_days": 3},
}


def test_the_questionnaire_validates_and_has_one_item_per_fact() -> None:
    q = Questionnaire.parse_obj(questionnaire(ENGINE))
    assert q.url == QUESTIONNAIRE_URL and q.version == ENGINE.policy_version
    link_ids = [item.linkId for item in q.item]
    assert link_ids[: len(ENGINE.facts)] == list(ENGINE.facts)


def test_the_published_questionnaire_is_the_generated_one() -> None:
    assert OUT.read_text(encoding="utf-8") == render(), "run: python -m triage.publish_fhir"


@pytest.mark.parametrize("level", list(CASES))
def test_every_outcome_carries_a_valid_questionnaire_response(level: str) -> None:
    outcome = ENGINE.evaluate(CASES[level])
    assert outcome.level == level
    custom = outcome_replies(outcome, ENGINE)[0].custom
    assert custom is not None and custom["triage"]["policy_version"] == ENGINE.policy_version
    qr = QuestionnaireResponse.parse_obj(custom["fhir"])
    assert qr.status == "completed" and qr.questionnaire == f"{QUESTIONNAIRE_URL}|{ENGINE.policy_version}"
    answers = {item.linkId: item.answer for item in qr.item}
    assert answers["triage-level"][0].valueCoding.code == level
    fired = [a.valueString for a in answers.get("triage-rules") or []]
    assert fired == list(outcome.fired)
    for name, value in CASES[level].items():
        got = answers[name][0]
        if isinstance(value, int):
            assert got.valueInteger == value
        else:
            assert (
                got.valueCoding.code
                == {
                    "present": "Y",
                    "absent": "N",
                    "unsure": "asked-unknown",
                    "one": "one-side",
                    "both": "both-sides",
                }[value]
            )


def test_facts_never_stated_are_not_answered() -> None:
    outcome = ENGINE.evaluate({"fever": "present"})
    qr = questionnaire_response(
        ENGINE, outcome, outcome.facts, dt.datetime(2026, 11, 30, 12, tzinfo=dt.timezone.utc)
    )
    assert [i["linkId"] for i in qr["item"]] == ["fever", "triage-level", "triage-rules"]
    assert qr["authored"] == "2026-11-30T12:00:00+00:00"
