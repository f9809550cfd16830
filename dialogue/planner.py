"""The triage conversation, one turn at a time, as plain Python.

The Rasa action is a thin adapter around plan_turn(): it turns the tracker into a State and a
Message, and the returned Plan into slot events and response names. Keeping the turn logic here
means every conversation rule (emergency first, ask only what can change the level, corrections,
uncertain answers) is testable without Rasa, and the action server keeps no state of its own.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from answers.contract import Interpretation, Person
from answers.contract import Reply as AnswerReply
from answers.interpret import SADDLE_SIGN_OF, Interpreter, Message, default_interpreter
from answers.lead import names_recent_topic, names_topic, says_not_new
from answers.wording import names_a_limb
from dialogue.chat import (
    HOLD_ON_RESPONSE,
    PRIVACY_RESPONSE,
    TOPIC_RESPONSE_PREFIX,
    chat_reply,
    looks_non_english,
)
from dialogue.forget import asks_to_forget, forget_answer
from dialogue.outcome import outcome_replies, summary_reply
from dialogue.proxy import typed_for_someone
from dialogue.questions import ask, next_question, possible_sign, read_back
from dialogue.records import answer_again, answer_deferred, merge, record_sources
from dialogue.state import ASKING, CONSENT, CONSENT_FACT, DONE, INTRO, Plan, Reply, State
from nlp.questions import looks_like_question
from triage.engine import ABSENT, EMERGENCY, PRESENT, UNSURE, Engine, FactValue, default_engine
from triage.relevance import is_relevant

# Re-exported: the planner's public face, for the action adapter and the tests.
__all__ = [
    "ASKING",
    "CONSENT",
    "DONE",
    "INTRO",
    "Message",
    "Plan",
    "State",
    "is_relevant",
    "looks_non_english",
    "next_question",
    "outcome_replies",
    "plan_turn",
]

# The policy is for adults: below this age the patient is told to see a doctor instead.
ADULT_AGE_YEARS = 18
# A question that is not understood is asked again at most this many times (the last time shorter,
# pointing at the buttons); then it is recorded "not sure" and the patient is told. So every
# conversation reaches an outcome, and an unanswered emergency question floors it at urgent.
MAX_REASKS = 2
# A patient may ask questions of their own (or "why do you ask?") before answering: the pending
# question comes back each time, but not forever.
MAX_REASKS_AFTER_QUESTIONS = 4
# Wiping the conversation needs the words for it: the classifier once sent "Everything feels
# normal down there" to start_over.
_RESTART_WORDS = re.compile(
    r"\b(start (?:over|again|afresh)|restart|reset|begin again|from (?:the )?(?:scratch|beginning|start)|"
    r"new (?:conversation|chat|start)|clear (?:everything|it all|all)|forget (?:everything|it all))\b",
    re.I,
)

# A message this short that only answers yes / no / not sure, as the first message of a
# conversation, answers a question this conversation never asked: the earlier one was lost.
MAX_LOST_ANSWER_WORDS = 4


_WHAT_QUESTION = re.compile(
    r"\b(what (was|is|were) (the|your|that) question|what did you (ask|say)|(repeat|say) (the|that|your) "
    r"question|ask (me )?(that|it) again|what was that again|come again\?)",
    re.I,
)
_CORRECTION = re.compile(
    r"\b(i said|i meant|i did ?n.?t say|i never said|not what i said|you misunderstood|misunderstood|"
    r"you got (it|that|me) wrong|that'?s (wrong|not right|not true|incorrect)|wrong|i do ?n.?t have|"
    r"i have ?n.?t got|there is no|there'?s no|i told you no|i said no|(you )?(don'?t|do not|not) understand|"
    r"(it|this|that) (is|'?s) old|not new|(is )?not (an )?emergency|i panicked|i was panicking|i overreacted|"
    r"i exaggerated|i can feel everything)\b",
    re.I,
)


def _disputed_trigger(engine: Engine, state: State, msg: Message) -> Optional[str]:
    """After an emergency outcome, a message disputing it ("that's wrong", "that's old") or
    denying the saddle sign in a limb sign's words ("my groin and bum arent numb", "nothing is
    numb": the NLU reads a numbness that is absent): the sign that fired the emergency, to be asked
    again (a correction of an emergency sign is confirmed by
    asking it plainly, never taken from an aside)."""
    text = msg.text or ""
    if state.phase != DONE or state.last_level != EMERGENCY:
        return None
    present = {
        f
        for rule in engine.rules
        if rule.id in state.last_rules and rule.level == EMERGENCY
        for f in rule.facts()
        if state.facts.get(f) == PRESENT and engine.facts[f].follows is None
    }
    # ("wait fr?? like rn? its prob just from the wipeout right" asks whether to go now: a question
    # disputes only in words of correction, never by calling the sign old)
    disputes = bool(_CORRECTION.search(text) or (says_not_new(text) and not looks_like_question(text)))
    denied: set[str] = set()
    for e in msg.entities:
        fact, value = str(e.get("entity")), e.get("value")
        if fact in present and value != state.facts.get(fact):
            return None  # the correction names the fired sign and changes it: the usual reading
        if SADDLE_SIGN_OF.get(fact) in present and value == ABSENT and not names_a_limb(text):
            denied.add(SADDLE_SIGN_OF[fact])  # "nothing is numb" after the saddle advice
    if not disputes and not denied:
        return None
    # ("I never said me waterworks were worse, I said I don't know" restates the sign it disputes)
    if denied:
        present = denied
    elif len(present) > 1:
        # "its not my water its always been like that": the fired sign whose topic is named
        present = {f for f in present if names_topic(f, text, negated_too=True)}
    return sorted(present)[0] if len(present) == 1 or denied else None


def _answers_something(reading: Interpretation) -> bool:
    """The message answers the pending question (or consent), whatever else it does."""
    return reading.answer.reply is not AnswerReply.NONE or reading.answer.confirm is not None


def plan_turn(
    state: State, msg: Message, engine: Optional[Engine] = None, interpreter: Optional[Interpreter] = None
) -> Plan:
    """Decide this turn: read the message, check for an emergency first, then reply and ask."""
    engine = engine or default_engine()
    interpreter = interpreter or default_interpreter(engine)
    # A typed "/restart" is text, not a restart: only the patient's words start over.
    if msg.intent == "start_over" and _RESTART_WORDS.search(msg.text or "") and not msg.typed_command:
        fresh = State(phase=ASKING)
        return Plan(fresh, [Reply("utter_start_over"), Reply("utter_ask_describe")], set(engine.facts))
    after_forget_offer = state.forget_asked
    if after_forget_offer:
        confirmed = forget_answer(engine, interpreter, state, msg)
        if confirmed is not None:
            return confirmed
        state = replace(state, forget_asked=False)  # the offer lapses: an ordinary turn

    consenting = state.phase in (INTRO, CONSENT)
    question = CONSENT_FACT if consenting else state.pending
    trigger = _disputed_trigger(engine, state, msg)
    if trigger is not None:
        # "I said there is NO loss of feeling": ask the sign that made it an emergency again,
        # rather than repeat the advice; the answer then goes through the usual rules.
        plan = ask(state, dict(state.facts), trigger, [Reply("utter_check_again")])
        plan.state = replace(plan.state, phase=DONE)
        return plan
    proxy = typed_for_someone(msg.text or "", state.proxy)
    again = answer_again(engine, state, msg.text or "")
    if again is not None:
        msg = replace(msg, text=again, intent=None, entities=())  # "ditto": the answer before
    forget = asks_to_forget(msg)
    # "Delete my conversation", or what follows the offer to, answers no triage question (it is
    # read for the facts it states only).
    reading = interpreter.interpret(None if forget or after_forget_offer else question, msg, proxy=proxy)
    facts, changed, answered = merge(engine, state, reading, msg.text or "")
    # Where each fact came from, for the doctor's summary; kept with the state from here on.
    state = replace(
        state, sources=record_sources(state.sources, reading, changed, msg.text or ""), proxy=proxy
    )
    if forget and engine.evaluate(facts).level != EMERGENCY:
        # Asked to confirm first (an emergency sign in the same message gets the advice instead;
        # the patient can ask again).
        asking = replace(state, facts=facts, forget_asked=True)
        return Plan(asking, [Reply("utter_forget_confirm")], changed)
    plan = _decide(engine, state, msg, reading, facts, changed, answered)
    plan.state = replace(
        plan.state, sources=state.sources, proxy=proxy, deferred=answer_deferred(state, plan)
    )
    return plan


def _decide(
    engine: Engine,
    state: State,
    msg: Message,
    reading: Interpretation,
    facts: dict[str, FactValue],
    changed: set[str],
    answered: bool,
) -> Plan:
    """The turn, once the message is read: emergency first, then replies, read-backs, questions."""
    consenting = state.phase in (INTRO, CONSENT)
    outcome = engine.evaluate(facts)
    described = state.described or bool(changed) or msg.intent == "describe_symptoms"

    # Emergency first: whatever else this message is about (even before consent), the advice
    # comes in this turn.
    if outcome.level == EMERGENCY:
        new = State(facts, None, DONE, EMERGENCY, outcome.fired, reasks=0, described=True)
        if state.last_level != EMERGENCY or set(outcome.fired) - set(state.last_rules):
            return Plan(new, outcome_replies(outcome, engine, state.sources), changed, outcome)
        replies = chat_reply(msg, state, bool(changed) or _answers_something(reading), False)
        # "I will ask my husband to drive me now": the reminder, never "I can only help with back pain"
        replies = [r for r in replies if r.response != "utter_out_of_scope"]
        if not any(r.response.endswith("_question_emergency") for r in replies):
            replies.append(Reply("utter_emergency_reminder"))  # (the answer to "can I wait?" says it)
        if changed:
            # "and now both feet tingle" after the advice: the doctor's summary must hold it
            replies.append(summary_reply(engine, facts, outcome, state.sources))
        return Plan(new, replies, changed)

    if state.phase == ASKING and state.pending and not changed and _WHAT_QUESTION.search(msg.text or ""):
        # "sorry was on the phone. what was the question again?": the question once more, not
        # "I can't answer that" and not counted as a failed answer
        return ask(state, facts, state.pending, [], state.reasks)

    # An answer is not a question to answer ("Okay, yes, go ahead" is consent, not a topic).
    replies = chat_reply(
        msg,
        state,
        bool(changed) or _answers_something(reading),
        state.phase == ASKING and state.pending is not None,
        sign_pending=state.phase == ASKING and state.pending in engine.emergency_facts,
    )
    if state.last_level == EMERGENCY and changed:
        # A correction took the emergency away: say so once, never just move on.
        replies.insert(0, Reply("utter_advice_changed"))
        state = replace(state, last_level=None, last_rules=())
    if msg.intent == "request_summary":
        given = engine.evaluate(facts) if state.phase == DONE and state.last_level else None
        replies.append(summary_reply(engine, facts, given, state.sources))
    age = facts.get("age")
    if isinstance(age, int) and age < ADULT_AGE_YEARS:
        return Plan(State(facts, None, DONE), [*replies, Reply("utter_not_for_children")], changed)
    if consenting:
        return _consent_turn(engine, msg, state, reading, facts, changed, replies, described)

    # A possible emergency sign (hedged, or in words only the learned reader knows) is the very
    # next question, in this turn, with the patient's words read back; so is an answer that must
    # be confirmed ("no, but ..." describing the sign asked about).
    possible = possible_sign(engine, facts, reading)
    if possible is not None and state.phase != DONE or (possible is not None and changed):
        sign, words = possible
        # "ass n taint been kinda numb since yesterday": the sign named as new gets the firm advice
        echo = read_back(engine, sign, words, new=names_recent_topic(sign, words), facts=facts)
        return ask(state, facts, sign, [*replies, echo], changed=changed)
    if reading.asks_meaning and state.pending:
        # put the question again in simpler words (its short form), never counted as a failure
        return ask(state, facts, state.pending, [Reply("utter_put_simply")], state.reasks, short=True)
    if reading.answer.confirm is not None and state.pending and state.reasks >= MAX_REASKS:
        # read back twice and still not a clear answer: "not sure" (an emergency sign left unsure
        # floors the outcome at urgent, with what to watch for), never a loop of read-backs
        facts = {**facts, state.pending: UNSURE}
        return _after_answer(
            engine, state, facts, {*changed, state.pending}, [*replies, Reply("utter_noted_unsure")]
        )
    if reading.answer.confirm is not None and state.pending:
        # "no, but since last week it feels numb down there": said new, so the advice is firm
        echo = read_back(
            engine,
            state.pending,
            reading.answer.confirm,
            new=reading.answer.said_new,
            old=reading.answer.said_old,
            facts=facts,
        )
        return ask(state, facts, state.pending, [*replies, echo], state.reasks + 1, changed=changed)

    question = next_question(engine, facts)
    if state.phase == DONE and not changed:
        if not replies:
            replies.append(Reply("utter_after_outcome"))
        return Plan(
            State(facts, None, DONE, state.last_level, state.last_rules, reasks=0, described=True),
            replies,
            changed,
        )

    if question is not None and state.pending == question and not answered and not changed:
        if any(r.response != "utter_too_long" for r in replies):
            # A question of the patient's, or "why do you ask?", answered: the question comes
            # back. Counted too, so that endless questions still reach an outcome.
            if state.asides >= MAX_REASKS_AFTER_QUESTIONS:
                facts = {**facts, question: UNSURE}
                return _after_answer(
                    engine, state, facts, {question}, [*replies, Reply("utter_noted_unsure")]
                )
            if replies[-1].response == HOLD_ON_RESPONSE:
                # "hang on, door": the question waits for the patient (it is on screen already)
                return Plan(replace(state, facts=facts, asides=state.asides + 1), replies, changed)
            if replies[-1].response.startswith(TOPIC_RESPONSE_PREFIX):
                replies.append(Reply("utter_continue"))  # back to the triage after a question
            plan = ask(state, facts, question, replies, state.reasks)
            plan.state = replace(plan.state, asides=state.asides + 1)
            return plan
        if not any(r.response != "utter_too_long" for r in replies):
            # Not understood: ask again, the second time shorter and pointing at the buttons;
            # after that, record "not sure" and move on (never a dead end).
            if state.reasks >= MAX_REASKS:
                facts = {**facts, question: UNSURE}
                changed = {question}
                replies.append(Reply("utter_noted_unsure"))
                return _after_answer(engine, state, facts, changed, replies)
            if any(f.fact == question and f.person is Person.OTHER for f in reading.ignored):
                # "me old man had prostate cancer": noted as someone else's, and asked of the
                # patient themselves (counted, so that it still ends)
                replies.append(Reply("utter_about_you"))
                return ask(state, facts, question, replies, state.reasks + 1, short=True)
            if state.reasks == 0:
                replies.append(Reply("utter_not_understood"))
                return ask(state, facts, question, replies, 1)
            replies.append(Reply("utter_still_not_understood"))
            return ask(state, facts, question, replies, state.reasks + 1, short=True)
        return ask(state, facts, question, replies, state.reasks, changed=changed)
    if question is not None and state.pending == question and not answered and changed and not replies:
        replies.append(Reply("utter_noted"))  # other facts given, this one still open
    return _after_answer(engine, state, facts, changed, replies)


def _after_answer(
    engine: Engine, state: State, facts: dict[str, FactValue], changed: set[str], replies: list[Reply]
) -> Plan:
    """The next question, or the outcome when no answer could change the level any more."""
    outcome = engine.evaluate(facts)
    if outcome.level == EMERGENCY:
        new = State(facts, None, DONE, EMERGENCY, outcome.fired, reasks=0, described=True)
        return Plan(new, [*replies, *outcome_replies(outcome, engine, state.sources)], changed, outcome)
    question = next_question(engine, facts)
    if question is not None:
        return ask(state, facts, question, replies, changed=changed)
    new = State(facts, None, DONE, outcome.level, outcome.fired, reasks=0, described=True)
    if state.phase == DONE and state.last_level == outcome.level and tuple(state.last_rules) == outcome.fired:
        replies.append(Reply("utter_outcome_unchanged", {"triage": outcome.payload()}))
        if changed:
            # the advice stays, but the doctor's summary must hold what was just added
            replies.append(summary_reply(engine, facts, outcome, state.sources))
        return Plan(new, replies, changed, outcome)
    return Plan(new, [*replies, *outcome_replies(outcome, engine, state.sources)], changed, outcome)


def _answers_a_lost_question(msg: Message, reading: Interpretation, changed: set[str]) -> bool:
    if msg.earlier_button:
        return True
    bare = len((msg.text or "").split()) <= MAX_LOST_ANSWER_WORDS
    return bare and not changed and reading.answer.reply is not AnswerReply.NONE


def _consent_turn(
    engine: Engine,
    msg: Message,
    state: State,
    reading: Interpretation,
    facts: dict[str, FactValue],
    changed: set[str],
    replies: list[Reply],
    described: bool,
) -> Plan:
    """Before any health question the patient must agree; facts they already gave are kept.

    Describe once: the invitation to describe the pain comes only after consent, and only to a
    patient who has not described it yet.
    """
    reply = reading.answer.reply
    # "ok but what happens to my answers after? do they get saved": answered, then asked again
    about_data = any(r.response == PRIVACY_RESPONSE for r in replies)
    if state.phase == CONSENT and reply is AnswerReply.YES and not about_data:
        ack = [Reply("utter_consent_thanks")]
        if not described:
            return Plan(State(facts, None, ASKING), [*ack, Reply("utter_ask_describe")], changed)
        plan = _after_answer(
            engine, State(facts, None, ASKING, described=True, sources=state.sources), facts, changed, ack
        )
        return plan
    if state.phase == CONSENT and reply in (AnswerReply.NO, AnswerReply.UNSURE):
        return Plan(
            State(facts, None, CONSENT, described=described), [Reply("utter_consent_declined")], changed
        )
    opening = [Reply("utter_intro")] if state.phase == INTRO else []
    if state.phase == INTRO and _answers_a_lost_question(msg, reading, changed):
        # an old button, or a bare "no", as the first message: the conversation it answered is
        # gone (a server restart, a deleted conversation). Say so: a "no" to consent now would
        # otherwise end a triage the patient thinks is still going.
        opening.insert(0, Reply("utter_lost_conversation"))
    # The opening greets and explains what to do: drop a second greeting or "didn't understand".
    dropped = ("utter_not_understood", "utter_greet") if opening else ("utter_not_understood",)
    replies = [r for r in replies if r.response not in dropped]
    return Plan(
        State(facts, None, CONSENT, described=described),
        [*opening, *replies, Reply("utter_consent")],
        changed,
    )
