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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional

from triage.engine import (
    EMERGENCY,
    LEVELS,
    NUMBER,
    PRESENT,
    UNCERTAIN_EMERGENCY_FLOOR,
    UNSURE,
    Engine,
    FactValue,
    Outcome,
    Rule,
    default_engine,
)
from triage.summary import build_summary, template_values

# Phases of a conversation (slot "phase").
INTRO, CONSENT, ASKING, DONE = "intro", "consent", "asking", "done"
# Pseudo-fact that a yes/no answers while the patient is asked to agree to the terms.
CONSENT_FACT = "consent"

# The policy is for adults: below this age the patient is told to see a doctor instead.
ADULT_AGE_YEARS = 18
# Messages longer than this get a gentle note (they are still read in full, so an emergency sign
# anywhere in them still counts). About ten long sentences: more than any answer needs.
LONG_MESSAGE_CHARS = 1500
# Below this share of ASCII letters a message is taken as written in another script.
MIN_ASCII_LETTER_SHARE = 0.5
# A message of at least this many words, of which fewer than this share are common English words,
# is taken as another language ("me duele mucho la espalda": 1 of 5).
MIN_WORDS_FOR_LANGUAGE_GUESS = 3
MIN_ENGLISH_WORD_SHARE = 0.25

ANSWER_INTENTS = {"affirm": "yes", "deny": "no", "unsure": "unsure"}
# A yes/no/not-sure taken from the intent alone (the fact extractor found no clear answer word)
# must be a confident one: a wrong "yes" to a health question is worse than asking again.
ANSWER_INTENT_MIN_CONFIDENCE = 0.6
TRIAGE_INTENTS = {"describe_symptoms", "inform", *ANSWER_INTENTS}
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

# Generic answer entities from the NLU: a reply whose meaning depends on the pending question.
ANSWER_ENTITY, SIDES_ENTITY, NUMBER_ENTITY, ANSWER_TO_ENTITY = "answer", "sides", "number", "answer_to"
YES, NO, FINE = "yes", "no", "fine"
POLARITY_VALUE = {YES: PRESENT, NO: "absent", UNSURE: UNSURE}
# "It's fine" / "all normal" means no problem: absent for a symptom, but yes for these questions.
FINE_MEANS_YES = {"improving", CONSENT_FACT}
# "It's worse than on Monday" / "about the same, maybe a touch worse" answer only the two trend
# questions: not improving, and (sure or not) a weakness getting worse. Elsewhere they answer nothing.
TREND_ANSWERS: dict[str, dict[str, str]] = {
    "worse": {"improving": NO, "weakness_worsening": YES},
    "worse-maybe": {"improving": NO, "weakness_worsening": UNSURE},
}

# When the pending question is the key, a bare mention of the listed fact (no yes/no, no side)
# with one of the listed values answers that question: "no numbness there" to "any numbness in
# the saddle area?" means the saddle area, and must neither leave that question open nor rule
# out numbness in the legs; "I didn't injure it" to "a major injury?" is a no (only a no: "I
# lifted a box" is no major injury).
CONTEXT_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "saddle_numbness": {"numbness": (PRESENT, "absent")},
    "major_injury": {"mechanical": ("absent",)},
}
# Wiping the conversation needs the words for it: the classifier once sent "Everything feels
# normal down there" to start_over.
_RESTART_WORDS = re.compile(
    r"\b(start (?:over|again|afresh)|restart|reset|begin again|from (?:the )?(?:scratch|beginning|start)|"
    r"new (?:conversation|chat|start)|clear (?:everything|it all|all)|forget (?:everything|it all))\b",
    re.I,
)


def sides_given(msg: Message) -> bool:
    """The message names a side or sides (then it is about the limbs)."""
    return any(e.get("entity") in (SIDES_ENTITY, "numbness_sides", "weakness_sides") for e in msg.entities)


# A small list of very common English words: enough to tell "me duele la espalda" from English.
_ENGLISH_WORDS = frozenset(
    """a i im i'm me my mine the and or but not no yes it its it's is are was were be been have has
    had do does did dont don't can cant can't to of in on at for with from by up down this that
    there here what why how when where who you your we they he she him her them back pain neck
    hurt hurts hurting leg legs arm arms feel feeling numb sore ache aching hi hello hey thanks
    thank please ok okay sure yeah yep nope maybe just very really bit some any""".split()
)


@dataclass(frozen=True)
class Message:
    """What the NLU made of the patient's latest message."""

    text: str = ""
    intent: Optional[str] = None
    entities: tuple[Mapping[str, Any], ...] = ()
    confidence: float = 1.0  # of the intent

    @property
    def meaningful(self) -> bool:
        """Has at least one letter or digit: an empty, emoji-only or punctuation message has none,
        and the intent classifier's guess for it (often "affirm") must never answer a question."""
        return any(c.isalnum() for c in self.text or "")


@dataclass(frozen=True)
class State:
    """Everything the conversation knows, as read from the slots."""

    facts: Mapping[str, FactValue] = field(default_factory=dict)
    pending: Optional[str] = None  # the fact the last question asked about
    phase: str = INTRO
    last_level: Optional[str] = None  # level of the last outcome given
    last_rules: tuple[str, ...] = ()


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


def _first(entities: Iterable[Mapping[str, Any]], name: str) -> Optional[str]:
    for ent in entities:
        if ent.get("entity") == name and ent.get("value") not in (None, ""):
            return str(ent["value"])
    return None


def _to_number(value: Any) -> Optional[int]:
    try:
        number = int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


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


_QUESTION_START = re.compile(
    r"^\W*(what|what's|whats|why|how|can|could|should|shall|is|are|am|do|does|did|will|would|when|"
    r"where|who|which|tell me|explain|any idea|i wonder|i want to know|i'd like to know)\b",
    re.I,
)


def looks_like_question(text: str) -> bool:
    """A question mark, or a question word first ("what is a biopsy", "tell me about MRI")."""
    return "?" in text or _QUESTION_START.match(text) is not None


def answer_polarity(msg: Message, use_intent: bool = True) -> Optional[str]:
    """The reply's yes/no/unsure (or fine/worse): the extractor's answer word, else a confident
    intent on a message with letters or digits (never the classifier's guess for an empty one)."""
    polarity = _first(msg.entities, ANSWER_ENTITY)
    if (
        polarity is None
        and use_intent
        and msg.intent in ANSWER_INTENTS
        and msg.meaningful
        and msg.confidence >= ANSWER_INTENT_MIN_CONFIDENCE
    ):
        polarity = ANSWER_INTENTS[msg.intent]
    return polarity


def merge_facts(engine: Engine, state: State, msg: Message) -> tuple[dict[str, FactValue], set[str], bool]:
    """Apply what the message says to the facts.

    Returns the new facts, the names that changed, and whether the pending question was answered.
    Order of precedence: a fact the patient states outright beats a bare yes/no/not-sure, which is
    taken as the answer to the question it belongs to (the button's answer_to, else the pending one).
    """
    facts: dict[str, FactValue] = {name: state.facts.get(name) for name in engine.facts}
    stated: dict[str, FactValue] = {}
    for ent in msg.entities:
        name, value = ent.get("entity"), ent.get("value")
        if name not in engine.facts or value in (None, ""):
            continue
        spec = engine.facts[name]
        if spec.kind == NUMBER and value != UNSURE:
            value = _to_number(value)
        if value is not None and spec.valid(value):
            stated[name] = value

    target = _first(msg.entities, ANSWER_TO_ENTITY) or state.pending
    if target not in engine.facts:  # e.g. the consent question: no health fact to set
        target = None
    polarity = answer_polarity(msg, use_intent=not stated)

    # "No numbness there" in reply to the saddle question is about the saddle area, not the legs.
    for alias, values in CONTEXT_ALIASES.get(target or "", {}).items():
        if stated.get(alias) in values and target not in stated and polarity is None and not sides_given(msg):
            stated[target] = stated.pop(alias)

    if polarity == FINE:
        polarity = YES if (target or CONSENT_FACT) in FINE_MEANS_YES else NO
    elif polarity in TREND_ANSWERS:
        polarity = TREND_ANSWERS[polarity].get(target or "")

    if target is not None and target not in stated:
        spec = engine.facts[target]
        sides = _first(msg.entities, SIDES_ENTITY)
        number = _to_number(_first(msg.entities, NUMBER_ENTITY))
        if polarity == UNSURE:
            stated[target] = UNSURE
        elif spec.kind == "tri" and polarity in (YES, NO):
            stated[target] = POLARITY_VALUE[polarity]
        elif spec.kind == "sides" and sides in ("one", "both"):
            stated[target] = sides
        elif spec.kind == NUMBER and number is not None:
            stated[target] = number
        # "Yes, in both legs" answers the weakness question and its follow-up at once.
        if spec.kind == "tri" and sides in ("one", "both") and stated.get(target) == PRESENT:
            for child in engine.facts.values():
                if child.follows == target and child.kind == "sides" and child.name not in stated:
                    stated[child.name] = sides
    answered = target is not None and target in stated

    changed = {name for name, value in stated.items() if facts[name] != value}
    facts.update(stated)
    return facts, changed, answered


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
    return {engine.facts[f].follows for f in rule.facts() if engine.facts[f].follows}


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
    return None


# --- the outcome -------------------------------------------------------------------------------


def summary_reply(engine: Engine, facts: Mapping[str, FactValue], outcome: Optional[Outcome]) -> Reply:
    """The doctor's summary: shown in the chat and, as data, in the custom payload."""
    summary = build_summary(engine, facts, outcome)
    return Reply("utter_summary", {"summary": summary}, template_values(summary))


def outcome_replies(outcome: Outcome, engine: Optional[Engine] = None) -> list[Reply]:
    """Level and what to do (with the payload), reasons, what to watch for, education, safety net,
    and the summary for the doctor."""
    replies = [Reply(f"utter_level_{outcome.level}", {"triage": outcome.payload()})]
    if outcome.reasons:
        replies.append(Reply("utter_reasons_intro"))
        replies.extend(Reply(name) for name in outcome.reasons)
    if outcome.watch_for:
        replies.append(Reply("utter_uncertain_intro"))
        replies.extend(Reply(f"utter_watch_{name}") for name in outcome.watch_for)
    replies.extend(Reply(f"utter_edu_{topic}") for topic in outcome.education)
    replies.append(Reply("utter_safety_net"))
    replies.append(summary_reply(engine or default_engine(), outcome.facts, outcome))
    return replies


# --- one turn ----------------------------------------------------------------------------------


def _chat_reply(msg: Message, state: State, had_facts: bool) -> list[Reply]:
    """The reply to what the message is about, besides any facts in it."""
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
    if intent == "greet":
        replies.append(Reply("utter_greet"))
    elif intent == "why_ask":
        replies.append(Reply(f"utter_why_{state.pending}" if state.pending else "utter_no_pending"))
    elif intent and intent.startswith(TOPIC_INTENT_PREFIX) and (not had_facts or looks_like_question(text)):
        # A statement of symptoms that merely sounds like a topic ("no, the pain does not wake me
        # at night" -> ask_bone_pain) is an answer, not a question to answer.
        if intent == UNKNOWN_TOPIC_INTENT:
            replies.append(Reply(UNKNOWN_TOPIC_RESPONSE))
        else:
            replies.append(Reply(TOPIC_RESPONSE_PREFIX + intent[len(TOPIC_INTENT_PREFIX) :]))
    elif intent in CHAT_REPLIES and not had_facts:
        replies.append(Reply(CHAT_REPLIES[intent]))
    elif not had_facts and intent == "nlu_fallback" and looks_like_question(text):
        # A question we could not place: say honestly that it is not one we answer here.
        replies.append(Reply(UNKNOWN_TOPIC_RESPONSE))
    elif not had_facts and intent in FALLBACK_INTENTS and intent != "out_of_scope":
        replies.append(Reply("utter_not_understood"))
    return replies


def plan_turn(state: State, msg: Message, engine: Optional[Engine] = None) -> Plan:
    """Decide this turn: merge the facts, check for an emergency first, then reply and ask."""
    engine = engine or default_engine()
    if msg.intent == "start_over" and _RESTART_WORDS.search(msg.text or ""):
        fresh = State(phase=ASKING)
        return Plan(fresh, [Reply("utter_start_over"), Reply("utter_ask_describe")], set(engine.facts))

    consenting = state.phase in (INTRO, CONSENT)
    if consenting and _first(msg.entities, ANSWER_TO_ENTITY) in (None, CONSENT_FACT):
        # A yes/no now answers the consent question, never a health question.
        state = State(state.facts, CONSENT_FACT, state.phase, state.last_level, state.last_rules)
    facts, changed, answered = merge_facts(engine, state, msg)
    outcome = engine.evaluate(facts)

    # Emergency first: whatever else this message is about (even before consent), the advice
    # comes in this turn.
    if outcome.level == EMERGENCY:
        new = State(facts, None, DONE, EMERGENCY, outcome.fired)
        if state.last_level != EMERGENCY or set(outcome.fired) - set(state.last_rules):
            return Plan(new, outcome_replies(outcome, engine), changed, outcome)
        replies = _chat_reply(msg, state, bool(changed))
        return Plan(new, [*replies, Reply("utter_emergency_reminder")], changed)

    replies = _chat_reply(msg, state, bool(changed))
    if msg.intent == "request_summary":
        given = engine.evaluate(facts) if state.phase == DONE and state.last_level else None
        replies.append(summary_reply(engine, facts, given))
    age = facts.get("age")
    if isinstance(age, int) and age < ADULT_AGE_YEARS:
        return Plan(State(facts, None, DONE), [*replies, Reply("utter_not_for_children")], changed)
    if consenting:
        return _consent_turn(engine, state, msg, facts, changed, replies)

    question = next_question(engine, facts)
    if state.phase == DONE and not changed:
        if not replies:
            replies.append(Reply("utter_after_outcome"))
        return Plan(State(facts, None, DONE, state.last_level, state.last_rules), replies, changed)

    if question is not None:
        if state.pending == question and not answered:
            if changed and not replies:
                replies.append(Reply("utter_noted"))  # other facts given, this one still open
            elif not replies:
                replies.append(Reply("utter_not_understood"))
            elif replies[-1].response.startswith(TOPIC_RESPONSE_PREFIX):
                replies.append(Reply("utter_continue"))  # back to the triage after a question
        replies.append(Reply(f"utter_ask_{question}"))
        return Plan(State(facts, question, ASKING, state.last_level, state.last_rules), replies, changed)

    new = State(facts, None, DONE, outcome.level, outcome.fired)
    if state.phase == DONE and state.last_level == outcome.level and tuple(state.last_rules) == outcome.fired:
        replies.append(Reply("utter_outcome_unchanged", {"triage": outcome.payload()}))
        return Plan(new, replies, changed, outcome)
    return Plan(new, [*replies, *outcome_replies(outcome, engine)], changed, outcome)


def _consent_turn(
    engine: Engine,
    state: State,
    msg: Message,
    facts: dict[str, FactValue],
    changed: set[str],
    replies: list[Reply],
) -> Plan:
    """Before any health question the patient must agree; facts they already gave are kept."""
    polarity = answer_polarity(msg)
    if polarity == FINE:  # "that's fine" to "is that OK with you?"
        polarity = YES
    if state.phase == CONSENT and polarity == YES:
        question = next_question(engine, facts)
        ack = [Reply("utter_consent_thanks")]
        if not any(v is not None for v in facts.values()):
            return Plan(State(facts, None, ASKING), [*ack, Reply("utter_ask_describe")], changed)
        if question is None:
            outcome = engine.evaluate(facts)
            new = State(facts, None, DONE, outcome.level, outcome.fired)
            return Plan(new, [*ack, *outcome_replies(outcome, engine)], changed, outcome)
        return Plan(State(facts, question, ASKING), [*ack, Reply(f"utter_ask_{question}")], changed)
    if state.phase == CONSENT and polarity in (NO, UNSURE):
        return Plan(State(facts, None, CONSENT), [Reply("utter_consent_declined")], changed)
    opening = [Reply("utter_intro")] if state.phase == INTRO else []
    # The opening greets and explains what to do: drop a second greeting or "didn't understand".
    dropped = ("utter_not_understood", "utter_greet") if opening else ("utter_not_understood",)
    replies = [r for r in replies if r.response not in dropped]
    return Plan(State(facts, None, CONSENT), [*opening, *replies, Reply("utter_consent")], changed)
