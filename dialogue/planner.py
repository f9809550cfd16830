"""The triage conversation, one turn at a time, as plain Python.

The Rasa action is a thin adapter around plan_turn(): it turns the tracker into a State and a
Message, and the returned Plan into slot events and response names. Keeping the turn logic here
means every conversation rule (emergency first, ask only what can change the level, corrections,
uncertain answers) is testable without Rasa, and the action server keeps no state of its own.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from answers.contract import Interpretation
from answers.contract import Reply as AnswerReply
from answers.contract import Source as AnswerSource
from answers.interpret import CONSENT_QUESTION, Interpreter, Message, default_interpreter
from nlp.questions import looks_like_question
from triage.engine import (
    EMERGENCY,
    LEVELS,
    PRESENT,
    UNCERTAIN_EMERGENCY_FLOOR,
    UNSURE,
    Engine,
    FactValue,
    Outcome,
    Rule,
    default_engine,
)
from triage.fhir import questionnaire_response
from triage.summary import LOCATION_SOURCE, build_summary, template_values

# Phases of a conversation (slot "phase").
INTRO, CONSENT, ASKING, DONE = "intro", "consent", "asking", "done"
# Pseudo-fact that a yes/no answers while the patient is asked to agree to the terms.
CONSENT_FACT = CONSENT_QUESTION

# The policy is for adults: below this age the patient is told to see a doctor instead.
ADULT_AGE_YEARS = 18
# Messages longer than this get a gentle note (they are still read in full, so an emergency sign
# anywhere in them still counts). About ten long sentences: more than any answer needs.
LONG_MESSAGE_CHARS = 1500
# Below this share of ASCII letters a message is taken as written in another script.
MIN_ASCII_LETTER_SHARE = 0.5
# A message of at least this many words, of which fewer than this share are common English words,
# is taken as another language ("me duele mucho la espalda": 1 of 5).
MIN_WORDS_FOR_LANGUAGE_GUESS = 4
MIN_ENGLISH_WORD_SHARE = 0.25

FALLBACK_INTENTS = {"nlu_fallback", "out_of_scope", None}
CHAT_REPLIES = {
    "thanks": "utter_thanks",
    "goodbye": "utter_goodbye",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
}
TOPIC_INTENT_PREFIX = "ask_"
TOPIC_RESPONSE_PREFIX = "utter_topic_"
UNKNOWN_TOPIC_INTENT = "ask_unknown_topic"
UNKNOWN_TOPIC_RESPONSE = "utter_topic_unknown"
# A question that is not understood is asked again at most this many times (the last time shorter,
# pointing at the buttons); then it is recorded "not sure" and the patient is told. So every
# conversation reaches an outcome, and an unanswered emergency question floors it at urgent.
MAX_REASKS = 2
# (used by _read_back) a history of cancer alone is urgent (U3): no emergency words in its read-back
URGENT_ALONE_LEVEL = "urgent"
# A patient may ask questions of their own (or "why do you ask?") before answering: the pending
# question comes back each time, but not forever.
MAX_REASKS_AFTER_QUESTIONS = 4
# Asked before any outcome below emergency even when they cannot change the level: the doctor's
# summary needs the age and how long the pain has lasted (and S4/S5 read them if anything changes).
SUMMARY_FACTS = ("age", "duration_days")
# Wiping the conversation needs the words for it: the classifier once sent "Everything feels
# normal down there" to start_over.
_RESTART_WORDS = re.compile(
    r"\b(start (?:over|again|afresh)|restart|reset|begin again|from (?:the )?(?:scratch|beginning|start)|"
    r"new (?:conversation|chat|start)|clear (?:everything|it all|all)|forget (?:everything|it all))\b",
    re.I,
)


# Common English words, from a data file: enough to tell "me duele la espalda" from English slang.
ENGLISH_WORDS_FILE = Path(__file__).resolve().parent / "english_words.txt"
_ENGLISH_WORDS = frozenset(
    w.strip()
    for w in ENGLISH_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    if w.strip() and not w.startswith("#")
)


@dataclass(frozen=True)
class State:
    """Everything the conversation knows, as read from the slots."""

    facts: Mapping[str, FactValue] = field(default_factory=dict)
    pending: Optional[str] = None  # the fact the last question asked about
    phase: str = INTRO
    last_level: Optional[str] = None  # level of the last outcome given
    last_rules: tuple[str, ...] = ()
    reasks: int = 0  # times the pending question was asked again because it was not understood
    asides: int = 0  # times it came back after a question of the patient's instead of an answer
    described: bool = False  # the patient has already described the pain (never asked again)
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # fact -> where it came from
    proxy: bool = False  # someone is typing for the patient ("he" / "she" is the patient)


@dataclass(frozen=True)
class Reply:
    """One bot message: a response name, its payload for integrations and its template values."""

    response: str
    custom: Optional[Mapping[str, Any]] = None
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    """What to do this turn: new state and the replies, in order."""

    state: State
    replies: list[Reply]
    changed: set[str]
    outcome: Optional[Outcome] = None

    @property
    def responses(self) -> list[str]:
        """Just the response names, in order (what tests mostly assert on)."""
        return [r.response for r in self.replies]


# --- reading the message -----------------------------------------------------------------------


def looks_non_english(text: str) -> bool:
    """A cheap guess that a message is in another language (we only understand English)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    ascii_share = sum(c.isascii() for c in letters) / len(letters)
    if ascii_share < MIN_ASCII_LETTER_SHARE:
        return True
    folded = unicodedata.normalize("NFKD", re.sub(r"<[^>]*>", " ", text.lower()))
    words = re.findall(r"[a-z']+", folded)
    if len(words) < MIN_WORDS_FOR_LANGUAGE_GUESS:
        return False
    return sum(w in _ENGLISH_WORDS for w in words) / len(words) < MIN_ENGLISH_WORD_SHARE


# --- choosing the next question ----------------------------------------------------------------


def _rank(level: Optional[str]) -> int:
    """Higher is more serious; None (no rule) ranks lowest."""
    return len(LEVELS) - LEVELS.index(level) if level else 0


def _rule_effect(engine: Engine, rule: Rule, facts: Mapping[str, FactValue]) -> Optional[str]:
    """The level a rule contributes for these facts (an unsure emergency rule floors urgent)."""
    truth = engine.truth(rule.when, engine.effective(facts))
    if truth is True:
        return rule.level
    if truth is None and rule.level == EMERGENCY:
        return UNCERTAIN_EMERGENCY_FLOOR
    return None


@lru_cache(maxsize=4096)
def _could_raise(
    engine: Engine, rule: Rule, name: str, known: tuple[tuple[str, FactValue], ...], floor: str
) -> bool:
    """Could an answer about `name` make this rule decide a level above `floor`?

    Tries every answer to the question together with every completion of the rule's other unknown
    facts, and asks that the answer itself be what makes the difference (so a question is not
    asked just because some other, still unknown, fact could fire the rule on its own).
    """
    base = dict(known)
    unknown = [f for f in sorted(rule.facts()) if base.get(f) is None and f != name]
    options = [[None, *engine.candidate_values(f)] for f in unknown]
    for combo in itertools.product(*options):
        trial = {**base, **dict(zip(unknown, combo, strict=False))}
        without = _rank(_rule_effect(engine, rule, {**trial, name: None}))
        for value in engine.candidate_values(name):
            effect = _rank(_rule_effect(engine, rule, {**trial, name: value}))
            if effect > _rank(floor) and effect != without:
                return True
    return False


def is_relevant(engine: Engine, facts: Mapping[str, FactValue], name: str, current: Outcome) -> bool:
    """Ask about `name` only if some answer could change the outcome level."""
    if facts.get(name) is not None:
        return False
    spec = engine.facts[name]
    if spec.follows is not None and facts.get(spec.follows) != PRESENT:
        return False
    # Could it lower the level? (e.g. mid-back pain that turns out to be from a strain)
    for value in engine.candidate_values(name):
        if engine.level({**facts, name: value}) != current.level:
            return True
    # Could it raise the level, once the other facts of a rule are known too?
    for rule in engine.rules:
        if name in rule.facts() and _rank(rule.level) > _rank(current.level):
            known = tuple(sorted((f, facts.get(f)) for f in rule.facts() | _parents(engine, rule)))
            if _could_raise(engine, rule, name, known, current.level):
                return True
    return False


def _parents(engine: Engine, rule: Rule) -> set[str]:
    return {parent for f in rule.facts() if (parent := engine.facts[f].follows) is not None}


def next_question(engine: Engine, facts: Mapping[str, FactValue]) -> Optional[str]:
    """The most dangerous still-unknown fact whose answer could change the level, or None."""
    current = engine.evaluate(facts)
    if current.level == EMERGENCY:
        return None
    # A follow-up heard before its parent ("I strained it" before we know the pain is mid-back)
    # must not stop us asking the parent: judge the parent as if the follow-up were unknown.
    probe = dict(facts)
    for name, spec in engine.facts.items():
        if spec.follows and facts.get(spec.follows) is None:
            probe[name] = None
    for name in engine.facts:  # facts.yml order: most dangerous first
        if is_relevant(engine, probe, name, engine.evaluate(probe)):
            return name
    for name in SUMMARY_FACTS:
        if facts.get(name) is None:
            return name
    return None


# --- the outcome -------------------------------------------------------------------------------


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


# --- one turn ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _care_patterns() -> dict[str, re.Pattern[str]]:
    data = yaml.safe_load((Path(__file__).with_name("care_questions.yml")).read_text(encoding="utf-8"))
    return {key: re.compile(str(value), re.I) for key, value in data.items()}


def care_question(text: str) -> Optional[str]:
    """ "care" for a question about where or when to get care, "activity" for one about whether an
    everyday activity is OK, else None (the caller checks that the message is a question)."""
    patterns = _care_patterns()
    folded = text.lower()
    if not patterns["ask"].search(folded):
        return None
    if patterns["place"].search(folded):
        return "care"
    if patterns["activity"].search(folded):
        return "activity"
    return None


def _chat_reply(msg: Message, state: State, had_facts: bool, asking: bool) -> list[Reply]:
    """The reply to what the message is about, besides any facts in it.

    asking: a triage question is pending, so an unplaced message is a failed answer (asked again
    below), never "off-topic".
    """
    intent, text = msg.intent, msg.text or ""
    replies: list[Reply] = []
    if len(text) > LONG_MESSAGE_CHARS:
        replies.append(Reply("utter_too_long"))
    if not had_facts and not msg.meaningful:
        replies.append(Reply("utter_empty" if not text.strip() else "utter_not_understood"))
        return replies
    if not had_facts and intent in FALLBACK_INTENTS | {"describe_symptoms"} and looks_non_english(text):
        replies.append(Reply("utter_non_english"))
        return replies
    question = looks_like_question(text)
    care = care_question(text) if question else None
    if care is not None:
        # "A&E now or wait for the GP?", "can I still train?": answered from this conversation's
        # own level once there is one, never with a general text that may not fit it
        level = state.last_level if state.phase == DONE and state.last_level else "pending"
        replies.append(Reply(f"utter_{care}_question_{level}"))
    elif intent == "greet" and not had_facts:
        replies.append(Reply("utter_greet"))
    elif intent == "why_ask":
        if state.pending:
            replies.append(Reply(f"utter_why_{state.pending}"))
        elif state.phase == DONE:  # "does it matter that my mum had cancer?" after the outcome
            replies.append(Reply(UNKNOWN_TOPIC_RESPONSE if question else "utter_after_outcome"))
        else:
            replies.append(Reply("utter_no_pending"))
    elif intent and intent.startswith(TOPIC_INTENT_PREFIX) and (not had_facts or question):
        # A statement of symptoms that merely sounds like a topic ("no, the pain does not wake me
        # at night" -> ask_bone_pain) is an answer, not a question to answer.
        if intent == UNKNOWN_TOPIC_INTENT:
            replies.append(Reply(UNKNOWN_TOPIC_RESPONSE))
        else:
            replies.append(Reply(TOPIC_RESPONSE_PREFIX + intent[len(TOPIC_INTENT_PREFIX) :]))
    elif intent in CHAT_REPLIES and not had_facts and not (asking and intent == "out_of_scope"):
        replies.append(Reply(CHAT_REPLIES[intent]))
    elif (
        question
        and "?" in text
        and not had_facts
        and intent in FALLBACK_INTENTS | {"describe_symptoms", "inform"}
    ):
        # A question of the patient's we could not place: acknowledged honestly, never ignored.
        replies.append(Reply(UNKNOWN_TOPIC_RESPONSE))
    return replies


_CORRECTION = re.compile(
    r"\b(i said|i meant|i did ?n.?t say|i never said|not what i said|you misunderstood|misunderstood|"
    r"you got (it|that|me) wrong|that'?s (wrong|not right|not true|incorrect)|wrong|i do ?n.?t have|"
    r"i have ?n.?t got|there is no|there'?s no|i told you no|i said no|(you )?(don'?t|do not|not) understand|"
    r"(it|this|that) (is|'?s) old|not new|(is )?not (an )?emergency|i panicked|i was panicking|i overreacted|"
    r"i exaggerated|i can feel everything)\b",
    re.I,
)


def _disputed_trigger(engine: Engine, state: State, msg: Message) -> Optional[str]:
    """After an emergency outcome, a message disputing it names no fact: the one sign that fired
    the emergency, if exactly one did, to be asked again."""
    if state.phase != DONE or state.last_level != EMERGENCY or not _CORRECTION.search(msg.text or ""):
        return None
    if any(e.get("entity") in engine.facts for e in msg.entities):
        return None  # the correction names its fact: the usual reading handles it
    present = {
        f
        for rule in engine.rules
        if rule.id in state.last_rules and rule.level == EMERGENCY
        for f in rule.facts()
        if state.facts.get(f) == PRESENT and engine.facts[f].follows is None
    }
    return present.pop() if len(present) == 1 else None


def _answers_something(reading: Interpretation) -> bool:
    """The message answers the pending question (or consent), whatever else it does."""
    return reading.answer.reply is not AnswerReply.NONE or reading.answer.confirm is not None


def _merge(
    engine: Engine, state: State, reading: Interpretation
) -> tuple[dict[str, FactValue], set[str], bool]:
    """Apply the interpretation: facts stated, then the direct answer to the question asked."""
    facts: dict[str, FactValue] = {name: state.facts.get(name) for name in engine.facts}
    stated = reading.stated()
    answer = reading.answer
    if answer.answered and answer.question in engine.facts:
        stated[answer.question] = answer.value
    changed = {name for name, value in stated.items() if facts[name] != value}
    facts.update(stated)
    return facts, changed, answer.answered


def _possible_sign(
    engine: Engine, facts: Mapping[str, FactValue], reading: Interpretation
) -> Optional[tuple[str, str]]:
    """A possible emergency sign to ask about next (fact, the patient's words), most dangerous first."""
    order = list(engine.facts)
    candidates = [
        f
        for f in reading.possible
        if facts.get(f.fact) != PRESENT
        and f.fact in engine.facts
        and _parent_present(engine, facts, f.fact)
        # a learned detector's hunch only raises a sign not yet asked about, or one left "not
        # sure" ("I mean the pee. it come out and I am not feel it" after a "don't know"); a yes or
        # a no changes only from the patient's words ("since thursday like i said" reopens nothing)
        and not (f.learned and facts.get(f.fact) not in (None, UNSURE))
    ]
    if not candidates:
        return None
    best = min(candidates, key=lambda f: order.index(f.fact))
    return best.fact, best.words


def _read_back(engine: Engine, fact: str, words: str) -> Reply:
    """The patient's words read back before an answer is used. For a possible emergency sign the
    read-back itself carries the advice (call now if it is new), so it is never a turn late."""
    # every sign that can be (part of) an emergency by itself: not a cancer history or shooting
    # pain, which are one only together (E5)
    sign = fact in engine.emergency_facts and engine.level({fact: PRESENT}) != URGENT_ALONE_LEVEL
    name = (
        "utter_read_back_emergency"
        if sign and fact not in ("cancer_history", "radiating_pain")
        else "utter_read_back"
    )
    return Reply(name, values={"words": words})


def _parent_present(engine: Engine, facts: Mapping[str, FactValue], name: str) -> bool:
    """A follow-up may be asked only while its parent sign is present (a top-level fact always)."""
    parent = engine.facts[name].follows
    return parent is None or facts.get(parent) == PRESENT


def _ask(
    state: State,
    facts: dict[str, FactValue],
    question: str,
    replies: list[Reply],
    reasks: int = 0,
    changed: Optional[set[str]] = None,
    short: bool = False,
) -> Plan:
    """Ask `question` next (its short form when asked again or put more simply)."""
    ask = f"utter_ask_{question}_short" if short else f"utter_ask_{question}"
    return Plan(
        State(facts, question, ASKING, state.last_level, state.last_rules, reasks, True),
        [*replies, Reply(ask)],
        changed or set(),
    )


def plan_turn(
    state: State, msg: Message, engine: Optional[Engine] = None, interpreter: Optional[Interpreter] = None
) -> Plan:
    """Decide this turn: read the message, check for an emergency first, then reply and ask."""
    engine = engine or default_engine()
    interpreter = interpreter or default_interpreter(engine)
    if msg.intent == "start_over" and _RESTART_WORDS.search(msg.text or ""):
        fresh = State(phase=ASKING)
        return Plan(fresh, [Reply("utter_start_over"), Reply("utter_ask_describe")], set(engine.facts))

    consenting = state.phase in (INTRO, CONSENT)
    question = CONSENT_FACT if consenting else state.pending
    trigger = _disputed_trigger(engine, state, msg)
    if trigger is not None:
        # "I said there is NO loss of feeling": ask the sign that made it an emergency again,
        # rather than repeat the advice; the answer then goes through the usual rules.
        plan = _ask(state, dict(state.facts), trigger, [Reply("utter_check_again")])
        plan.state = replace(plan.state, phase=DONE)
        return plan
    proxy = typed_for_someone(msg.text or "", state.proxy)
    reading = interpreter.interpret(question, msg, proxy=proxy)
    facts, changed, answered = _merge(engine, state, reading)
    # Where each fact came from, for the doctor's summary; kept with the state from here on.
    state = replace(state, sources=_sources(state.sources, reading, changed), proxy=proxy)
    plan = _decide(engine, state, msg, reading, facts, changed, answered)
    plan.state = replace(plan.state, sources=state.sources, proxy=proxy)
    return plan


@lru_cache(maxsize=1)
def _proxy_patterns() -> dict[str, list[re.Pattern[str]]]:
    data = yaml.safe_load(Path(__file__).with_name("proxy.yml").read_text(encoding="utf-8"))
    relation = str(data["relation"])
    return {
        key: [re.compile(str(p).replace("{relation}", relation), re.I) for p in data[key]]
        for key in ("on", "off")
    }


def typed_for_someone(text: str, before: bool) -> bool:
    """Is someone typing for the patient after this message? Said once, it holds until the
    patient takes over ("this is him now")."""
    folded = text.lower().replace("\u2019", "'")
    patterns = _proxy_patterns()
    if any(p.search(folded) for p in patterns["off"]):
        return False
    return before or any(p.search(folded) for p in patterns["on"])


def _sources(
    before: Mapping[str, Mapping[str, str]], reading: Interpretation, changed: set[str]
) -> dict[str, Mapping[str, str]]:
    """Where each changed fact came from: a question's answer (its button or the patient's words)
    or the patient's own words, volunteered."""
    sources = dict(before)
    answer = reading.answer
    for fact in reading.facts:
        if fact.fact in changed:
            sources[fact.fact] = {"how": "said", "words": fact.words}
    if reading.where and (LOCATION_SOURCE not in sources or answer.question == "mid_back"):
        # where the pain is, for the doctor (not a rule fact): the first place the patient names
        # (a story may name a neighbour's neck later), or their answer to the mid-back question
        sources[LOCATION_SOURCE] = {"how": "said", "words": reading.where}
    if answer.question in changed and answer.answered:
        how = "button" if answer.source is AnswerSource.BUTTON else "answered"
        sources[str(answer.question)] = {"how": how, "words": "" if how == "button" else answer.words}
    return sources


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
        new = State(facts, None, DONE, EMERGENCY, outcome.fired, 0, True)
        if state.last_level != EMERGENCY or set(outcome.fired) - set(state.last_rules):
            return Plan(new, outcome_replies(outcome, engine, state.sources), changed, outcome)
        replies = _chat_reply(msg, state, bool(changed) or _answers_something(reading), False)
        return Plan(new, [*replies, Reply("utter_emergency_reminder")], changed)

    # An answer is not a question to answer ("Okay, yes, go ahead" is consent, not a topic).
    replies = _chat_reply(
        msg,
        state,
        bool(changed) or _answers_something(reading),
        state.phase == ASKING and state.pending is not None,
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
        return _consent_turn(engine, state, reading, facts, changed, replies, described)

    # A possible emergency sign (hedged, or in words only the learned reader knows) is the very
    # next question, in this turn, with the patient's words read back; so is an answer that must
    # be confirmed ("no, but ..." describing the sign asked about).
    possible = _possible_sign(engine, facts, reading)
    if possible is not None and state.phase != DONE or (possible is not None and changed):
        sign, words = possible
        return _ask(state, facts, sign, [*replies, _read_back(engine, sign, words)], changed=changed)
    if reading.asks_meaning and state.pending:
        # put the question again in simpler words (its short form), never counted as a failure
        return _ask(state, facts, state.pending, [Reply("utter_put_simply")], state.reasks, short=True)
    if reading.answer.confirm is not None and state.pending:
        read_back = _read_back(engine, state.pending, reading.answer.confirm)
        if reading.answer.said_new and read_back.response == "utter_read_back_emergency":
            # "no, but since last week it feels numb down there": the patterns found the sign and
            # the patient says it is new, so the advice is given now, firmly, and confirmed below
            read_back = Reply("utter_read_back_new", values=dict(read_back.values))
        return _ask(state, facts, state.pending, [*replies, read_back], state.reasks, changed=changed)

    question = next_question(engine, facts)
    if state.phase == DONE and not changed:
        if not replies:
            replies.append(Reply("utter_after_outcome"))
        return Plan(State(facts, None, DONE, state.last_level, state.last_rules, 0, True), replies, changed)

    if question is not None and state.pending == question and not answered and not changed:
        if any(r.response != "utter_too_long" for r in replies):
            # A question of the patient's, or "why do you ask?", answered: the question comes
            # back. Counted too, so that endless questions still reach an outcome.
            if state.asides >= MAX_REASKS_AFTER_QUESTIONS:
                facts = {**facts, question: UNSURE}
                return _after_answer(
                    engine, state, facts, {question}, [*replies, Reply("utter_noted_unsure")]
                )
            if replies[-1].response.startswith(TOPIC_RESPONSE_PREFIX):
                replies.append(Reply("utter_continue"))  # back to the triage after a question
            plan = _ask(state, facts, question, replies, state.reasks)
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
            if state.reasks == 0:
                replies.append(Reply("utter_not_understood"))
                return _ask(state, facts, question, replies, 1)
            replies.append(Reply("utter_still_not_understood"))
            return _ask(state, facts, question, replies, state.reasks + 1, short=True)
        return _ask(state, facts, question, replies, state.reasks, changed=changed)
    if question is not None and state.pending == question and not answered and changed and not replies:
        replies.append(Reply("utter_noted"))  # other facts given, this one still open
    return _after_answer(engine, state, facts, changed, replies)


def _after_answer(
    engine: Engine, state: State, facts: dict[str, FactValue], changed: set[str], replies: list[Reply]
) -> Plan:
    """The next question, or the outcome when no answer could change the level any more."""
    outcome = engine.evaluate(facts)
    if outcome.level == EMERGENCY:
        new = State(facts, None, DONE, EMERGENCY, outcome.fired, 0, True)
        return Plan(new, [*replies, *outcome_replies(outcome, engine, state.sources)], changed, outcome)
    question = next_question(engine, facts)
    if question is not None:
        return _ask(state, facts, question, replies, changed=changed)
    new = State(facts, None, DONE, outcome.level, outcome.fired, 0, True)
    if state.phase == DONE and state.last_level == outcome.level and tuple(state.last_rules) == outcome.fired:
        replies.append(Reply("utter_outcome_unchanged", {"triage": outcome.payload()}))
        return Plan(new, replies, changed, outcome)
    return Plan(new, [*replies, *outcome_replies(outcome, engine, state.sources)], changed, outcome)


def _consent_turn(
    engine: Engine,
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
    if state.phase == CONSENT and reply is AnswerReply.YES:
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
    # The opening greets and explains what to do: drop a second greeting or "didn't understand".
    dropped = ("utter_not_understood", "utter_greet") if opening else ("utter_not_understood",)
    replies = [r for r in replies if r.response not in dropped]
    return Plan(
        State(facts, None, CONSENT, described=described),
        [*opening, *replies, Reply("utter_consent")],
        changed,
    )
