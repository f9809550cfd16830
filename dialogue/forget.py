"""Deleting the conversation at the patient's request: asked in words, then confirmed by button."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from answers.contract import Reply as AnswerReply
from answers.interpret import FORGET_QUESTION, Interpreter, Message
from dialogue.questions import ask
from dialogue.state import ASKING, CONSENT, INTRO, Plan, Reply, State
from triage.engine import Engine

# Deleting the conversation needs the words for it too (and a confirming yes, asked by button).
_FORGET_WORDS = re.compile(
    r"\b(delete|delet|delte|erase|remove|wipe|destroy|get rid of|erasure|forget (?:me|about me))\b", re.I
)


def asks_to_forget(msg: Message) -> bool:
    return msg.intent == "forget_me" and bool(_FORGET_WORDS.search(msg.text or "")) and not msg.typed_command


def forget_answer(engine: Engine, interpreter: Interpreter, state: State, msg: Message) -> Optional[Plan]:
    """The answer to "delete this whole conversation?": a yes deletes it, a no keeps it and goes on
    where the conversation was; anything else (None) is an ordinary turn."""
    reading = interpreter.interpret(FORGET_QUESTION, msg)
    reply = reading.answer.reply
    stated = reading.stated()
    kept = replace(state, forget_asked=False)
    if reply is AnswerReply.YES and not stated:
        return Plan(kept, [Reply("utter_forgotten")], set(), forget=True)
    if reply not in (AnswerReply.NO, AnswerReply.UNSURE) or stated:
        return None  # "no, but I've wet myself": read as an ordinary message (emergency first)
    replies = [Reply("utter_forget_kept")]
    if state.phase in (INTRO, CONSENT):
        return Plan(replace(kept, phase=CONSENT), [*replies, Reply("utter_consent")], set())
    if state.phase == ASKING and state.pending:
        plan = ask(kept, dict(state.facts), state.pending, replies, state.reasks)
        plan.state = replace(plan.state, described=state.described, sources=state.sources, proxy=state.proxy)
        return plan
    if state.phase == ASKING:
        return Plan(kept, [*replies, Reply("utter_ask_describe")], set())
    return Plan(kept, replies, set())
