"""Thin rasa-sdk adapter: tracker -> (State, Message), plan -> slot events and response names.

All decisions are made by dialogue.planner.plan_turn; this module only translates, so the
action server holds no state of its own and can be replicated behind a load balancer. The turn is
computed in a worker thread (the answer readers are CPU work: a long message must not hold up
the action server's event loop, and so every other patient). A turn that fails answers with an
apology and the emergency number, and logs where it failed, never the exception's message (it
can quote the patient); rasa-sdk's own error handler would also echo the whole request (the
tracker, with every message) back to the Rasa server, which logs it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.locale import locale_hinted, locale_said, locale_vars
from answers.message import Message
from dialogue.planner import INTRO, Plan, State, plan_turn
from privacy.logs import install_record_factory, safe_traceback
from triage.engine import EMERGENCY, default_engine

logger = logging.getLogger(__name__)
install_record_factory()  # exception messages never reach the action server's logs

PENDING_SLOT = "pending_question"
PHASE_SLOT = "phase"
LEVEL_SLOT = "last_level"
RULES_SLOT = "last_rules"
REASKS_SLOT = "reasks"
DESCRIBED_SLOT = "described"
PROXY_SLOT = "proxy"
SOURCES_SLOT = "fact_sources"
ASIDES_SLOT = "asides"
DEFERRED_SLOT = "deferred_question"
FORGET_ASKED_SLOT = "forget_asked"
# Where the patient said they are ("kia ora", "A&E"): their emergency number (actions/locales.yml).
LOCALE_SLOT = "patient_locale"
# Set when the patient confirmed "delete my conversation": the Rasa server then deletes it
# instead of saving it (channels/stores.py).
FORGET_SLOT = "forget_conversation"
# Keys channels/inbound.py adds to the parse data of a "/..." message read as words.
TYPED_COMMAND_KEY, EARLIER_BUTTON_KEY = "typed_command", "earlier_button"
# Entity keys the answer interpreter reads besides entity and value: whose, when and how sure.
MENTION_KEYS = ("entity", "value", "time", "person", "certainty", "who", "first_person")


def state_from_tracker(tracker: Tracker) -> State:
    """Rebuild the conversation state from the slots (the only place it is kept)."""
    engine = default_engine()
    facts = {}
    for name, spec in engine.facts.items():
        value = tracker.get_slot(name)
        if spec.kind == "number" and isinstance(value, float) and value.is_integer():
            value = int(value)
        facts[name] = value if spec.valid(value) else None
    return State(
        facts=facts,
        pending=tracker.get_slot(PENDING_SLOT),
        phase=tracker.get_slot(PHASE_SLOT) or INTRO,
        last_level=tracker.get_slot(LEVEL_SLOT),
        last_rules=tuple(tracker.get_slot(RULES_SLOT) or ()),
        reasks=int(tracker.get_slot(REASKS_SLOT) or 0),
        asides=int(tracker.get_slot(ASIDES_SLOT) or 0),
        deferred=tracker.get_slot(DEFERRED_SLOT),
        described=bool(tracker.get_slot(DESCRIBED_SLOT)),
        proxy=bool(tracker.get_slot(PROXY_SLOT)),
        sources=dict(tracker.get_slot(SOURCES_SLOT) or {}),
        forget_asked=bool(tracker.get_slot(FORGET_ASKED_SLOT)),
    )


def message_from_tracker(tracker: Tracker) -> Message:
    """The latest user message as the dialogue needs it (text, intent, entities)."""
    latest = tracker.latest_message or {}
    intent_data = latest.get("intent") or {}
    intent = intent_data.get("name")
    text = latest.get("text") or ""
    entities = tuple(
        {
            **{key: e[key] for key in MENTION_KEYS if key in e},
            "text": text[e["start"] : e["end"]]
            if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
            else "",
        }
        for e in latest.get("entities") or []
    )
    confidence = float(intent_data.get("confidence") or 0.0)
    return Message(
        text=text,
        intent=intent,
        entities=entities,
        confidence=confidence,
        typed_command=bool(latest.get(TYPED_COMMAND_KEY)),
        earlier_button=bool(latest.get(EARLIER_BUTTON_KEY)),
    )


def plan_events(before: State, plan: Plan) -> List[EventType]:
    """Slot events for everything that changed (facts, pending question, phase, last outcome)."""
    after = plan.state
    events: List[EventType] = []
    for name in default_engine().facts:
        if before.facts.get(name) != after.facts.get(name):
            events.append(SlotSet(name, after.facts.get(name)))
    for slot, old, new in (
        (PENDING_SLOT, before.pending, after.pending),
        (PHASE_SLOT, before.phase, after.phase),
        (LEVEL_SLOT, before.last_level, after.last_level),
        (RULES_SLOT, list(before.last_rules), list(after.last_rules)),
        (REASKS_SLOT, before.reasks, after.reasks),
        (ASIDES_SLOT, before.asides, after.asides),
        (DEFERRED_SLOT, before.deferred, after.deferred),
        (DESCRIBED_SLOT, before.described, after.described),
        (PROXY_SLOT, before.proxy, after.proxy),
        (SOURCES_SLOT, dict(before.sources), dict(after.sources)),
        (FORGET_ASKED_SLOT, before.forget_asked, after.forget_asked),
    ):
        if old != new:
            events.append(SlotSet(slot, new))
    if plan.forget:
        events.append(SlotSet(FORGET_SLOT, True))
    return events


def _with_call_number(custom: Any, template_vars: Dict[str, str]) -> Optional[Dict[str, Any]]:
    """The payload, with the number to call in an emergency outcome, so a widget or a platform
    can offer it one tap away (a tel: link, a call button)."""
    if not custom:
        return None
    payload = dict(custom)
    triage = payload.get("triage")
    if isinstance(triage, dict) and triage.get("level") == EMERGENCY:
        payload["triage"] = {**triage, "call": template_vars["emergency_number"]}
    return payload


class ActionTurn(Action):  # type: ignore[misc]  # rasa-sdk ships no type information
    """Every user message ends here: facts, emergency check, reply, next question or outcome."""

    def name(self) -> str:
        return "action_turn"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        text = str(tracker.latest_message.get("text") or "")
        said = locale_said(text) or (None if tracker.get_slot(LOCALE_SLOT) else locale_hinted(text))
        template_vars = locale_vars(said or tracker.get_slot(LOCALE_SLOT))
        try:
            state = state_from_tracker(tracker)
            plan = await asyncio.get_running_loop().run_in_executor(
                None, plan_turn, state, message_from_tracker(tracker)
            )
        except Exception as err:
            # Where it failed and the type only: the message of an exception can quote the patient.
            logger.error(
                "turn failed sender=%s: %s\n%s", tracker.sender_id, type(err).__name__, safe_traceback(err)
            )
            dispatcher.utter_message(response="utter_internal_error", **template_vars)
            return []
        for reply in plan.replies:
            dispatcher.utter_message(
                response=reply.response,
                json_message=_with_call_number(reply.custom, template_vars),
                **template_vars,
                **reply.values,
            )
        # Ids and response names only: message text is health data and never logged.
        logger.debug(
            "turn sender=%s responses=%s level=%s",
            tracker.sender_id,
            plan.responses,
            plan.outcome.level if plan.outcome else None,
        )
        events = plan_events(state, plan)
        if said and said != tracker.get_slot(LOCALE_SLOT):
            events.append(SlotSet(LOCALE_SLOT, said))  # their country's number from now on
        return events
