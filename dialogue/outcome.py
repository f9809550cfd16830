"""The outcome's replies: level and what to do, reasons, what to watch for, education, safety
net, and the summary for the doctor (with its FHIR QuestionnaireResponse)."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from dialogue.state import Reply
from triage.engine import Engine, FactValue, Outcome, default_engine
from triage.fhir import questionnaire_response
from triage.summary import build_summary, template_values


def summary_reply(
    engine: Engine,
    facts: Mapping[str, FactValue],
    outcome: Optional[Outcome],
    sources: Optional[Mapping[str, Mapping[str, str]]] = None,
) -> Reply:
    """The doctor's summary: shown in the chat and, as data, in the custom payload (with the FHIR
    QuestionnaireResponse once there is an outcome, so that the widget can save both)."""
    summary = build_summary(engine, facts, outcome, sources=sources)
    custom: dict[str, Any] = {"summary": summary}
    if outcome is not None:
        custom["fhir"] = questionnaire_response(engine, outcome, outcome.facts)
    return Reply("utter_summary", custom, template_values(summary))


def outcome_replies(
    outcome: Outcome,
    engine: Optional[Engine] = None,
    sources: Optional[Mapping[str, Mapping[str, str]]] = None,
) -> list[Reply]:
    """Level and what to do (with the payload), reasons, what to watch for, education, safety net,
    and the summary for the doctor."""
    engine = engine or default_engine()
    fhir = questionnaire_response(engine, outcome, outcome.facts)
    replies = [Reply(f"utter_level_{outcome.level}", {"triage": outcome.payload(), "fhir": fhir})]
    if outcome.reasons:
        replies.append(Reply("utter_reasons_intro"))
        replies.extend(Reply(name) for name in outcome.reasons)
    if outcome.watch_for:
        replies.append(Reply("utter_uncertain_intro"))
        replies.extend(Reply(f"utter_watch_{name}") for name in outcome.watch_for)
    replies.extend(Reply(f"utter_edu_{topic}") for topic in outcome.education)
    replies.append(Reply("utter_safety_net"))
    replies.append(summary_reply(engine, outcome.facts, outcome, sources))
    return replies
