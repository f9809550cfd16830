"""The answer to the consent question ("Is that OK with you?"): a yes starts the questions."""

from __future__ import annotations

import re

from answers.contract import Reply
from answers.direct import ANSWER_INTENT_MIN_CONFIDENCE, ANSWER_INTENTS
from answers.lead import fold, lead_reply, lead_words
from answers.message import ANSWER_ENTITY, ANSWER_TO_ENTITY, YES_NO_QUESTIONS, Message


def consent_reply(msg: Message) -> Reply:
    """Yes / no / not an answer to "is that OK with you?" (the terms), from a button, the words it
    leads with, the generic answer entity, or a confident intent."""
    if msg.intent in ANSWER_INTENTS and msg.first(ANSWER_TO_ENTITY) in YES_NO_QUESTIONS:
        return ANSWER_INTENTS[msg.intent]
    lead = lead_reply(msg.text) if msg.meaningful else None
    generic = msg.first(ANSWER_ENTITY)
    if msg.meaningful and any(p.match(fold(msg.text)) for p in lead_words()["consent_yes"][:1]):
        return Reply.YES  # "no worries, fire away": the "no" is of the worries
    if lead is None and (
        generic == "fine" or any(p.match(fold(msg.text)) for p in lead_words()["consent_yes"])
    ):
        return Reply.YES
    if lead is None and generic in ("yes", "no", "unsure"):
        return Reply(generic)
    if lead in (None, Reply.UNSURE) and msg.meaningful and _reluctant_yes(fold(msg.text)):
        return Reply.YES
    if lead is None and msg.intent in ANSWER_INTENTS and msg.meaningful:
        if msg.confidence >= ANSWER_INTENT_MIN_CONFIDENCE:
            return ANSWER_INTENTS[msg.intent]
    return lead or Reply.NONE


def _reluctant_yes(text: str) -> bool:
    """ "i guess", "possibly. go on then", "dunno, ok then": a hedge that ends in consent (the rest
    after the first stop read as a consent word)."""
    words = lead_words()
    if any(p.match(text.strip()) for p in words["consent_reluctant"]):
        return True
    parts = re.split(r"[.,;!?]+", text.strip(), maxsplit=1)
    rest = parts[1].strip() if len(parts) > 1 else ""
    return bool(rest) and (
        lead_reply(rest) is Reply.YES
        or any(p.match(rest) for p in words["consent_yes"])
        or any(p.match(rest) for p in words["consent_reluctant"])
    )
