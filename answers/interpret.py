"""Read one message as an answer to the pending question, plus every other fact it states.

The rules that make a misunderstanding safe live here (README, "Misunderstandings fail safe"):

1. The direct answer decides the question asked. A clear lead ("no", "yeah nah", "God forbid")
   stays the answer whatever explanation follows, unless the explanation describes the very sign
   asked about as present and does not say it is old: then the words are read back first.
2. An emergency sign is recorded absent only from a clear negative: a button, a clear lead word,
   or the learned reader's confident "no" that nothing in the message contradicts.
3. A possible emergency sign (hedged, or described in words the fact patterns do not know but the
   learned detector does) is never recorded: it is asked next, with the patient's words read back.

Nothing here decides a triage level; the planner does, from the Interpretation.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Optional

from answers.classifier import AnswerReader, default_reader
from answers.consent import consent_reply
from answers.contract import Answer, Certainty, Interpretation, Reply, Source, StatedFact, Time
from answers.direct import ANSWER_INTENTS, EVER_FACTS, SIGN_DOUBTS_A_NEGATION, DirectAnswers
from answers.lead import (
    asks_meaning,
    lead_reply,
    names_recent_topic,
    says_limbs_work,
    says_not_new,
    says_sign_fine,
)
from answers.message import (
    ANSWER_ENTITY,
    ANSWER_TO_ENTITY,
    CONSENT_QUESTION,
    DURATION_FACT,
    FORGET_QUESTION,
    SIDES_ENTITY,
    YES_NO_QUESTIONS,
    Message,
)
from answers.shapes import SIDES_VALUES, has_a_doubt_clause, says_weakness_steady
from answers.stated import after_self_correction, stated_facts, without_quoted_lines
from answers.wording import (
    about_the_pain,
    names_a_limb,
    names_the_pain,
    names_the_saddle,
    only_a_time,
    pain_location,
    quote,
    sentence_and_next,
    sentence_around,
    statements,
)
from nlp.questions import looks_like_question
from triage.engine import ABSENT, NUMBER, PRESENT, UNSURE, Engine

# Numbness said with the saddle area named and no limb is the saddle sign (here, in the summary's
# records and in a correction after the saddle emergency).
LIMB_NUMBNESS, SADDLE_NUMBNESS = "numbness", "saddle_numbness"
SADDLE_SIGN_OF = {LIMB_NUMBNESS: SADDLE_NUMBNESS}
# The kind of a yes / no / not sure question about a sign (triage/facts.yml).
TRI_KIND = "tri"
# Whether the pain gets better: "it hasn't changed" said of another sign is not about it (unless the
# question asked is itself about a trend: "it's getting better" answers "is the weakness worse?").
IMPROVING_FACT = "improving"
WEAKNESS_FACT = "weakness"
BLADDER_FACT = "bladder_bowel"
WORSENING_FACT = "weakness_worsening"
TREND_QUESTIONS = frozenset({IMPROVING_FACT, WORSENING_FACT})

# Re-exported: what the planner, the actions and the tests read from here.
__all__ = [
    "CONSENT_QUESTION",
    "FORGET_QUESTION",
    "Interpreter",
    "Message",
    "default_interpreter",
    "lead_reply",
    "pain_location",
    "says_not_new",
]

# The sign detectors flag a possible emergency sign at or above this probability (recall first:
# a false flag costs one question, a missed sign may cost a late emergency).
SIGN_POSSIBLE_PROBABILITY = 0.6
# ...or at this lower one when the message also names the sign's topic as recent.
SIGN_WITH_RECENT_TOPIC = 0.3
# When the pending question is the key, a bare mention of the listed fact with one of the listed
# values answers that question: "no numbness there" to the saddle question is about the saddle
# area; "I didn't injure it" to the injury question is a no.
CONTEXT_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "saddle_numbness": {"numbness": (PRESENT, "absent")},
    "major_injury": {"mechanical": ("absent",)},
}


class Interpreter:
    """(pending question, message) -> Interpretation, with the learned reader when it is built."""

    def __init__(self, engine: Engine, reader: Optional[AnswerReader] = None) -> None:
        self.engine = engine
        self.reader = reader
        self.direct = DirectAnswers(engine, reader)

    def interpret(self, question: Optional[str], msg: Message, proxy: bool = False) -> Interpretation:
        """``proxy``: someone is typing for the patient, so "he" / "she" / "my mum" is the patient
        and what the typist says of themselves ("I had sciatica myself") is not."""
        msg = after_self_correction(without_quoted_lines(msg))
        engine = self.engine
        text = msg.text or ""
        own, rest = stated_facts(engine, msg, proxy)
        stated = {f.fact: f for f in own}
        limb = stated.get(LIMB_NUMBNESS)
        if limb is not None:
            around = sentence_around(text, limb.words) if limb.words else text
            if names_the_saddle(around) and (
                not names_a_limb(around) or says_limbs_work(LIMB_NUMBNESS, around)
            ):
                # "its also gone a bit dead down there when i wipe": numb in the saddle area (and
                # "odd round the back passage, not unlike after the dentist" is that one feeling;
                # "legs are fine its just down below that feels kind of numb": the legs are not it)
                numb = stated.pop(LIMB_NUMBNESS)
                stated.setdefault(SADDLE_NUMBNESS, replace(numb, fact=SADDLE_NUMBNESS))
                stated.pop(LIMB_NUMBNESS + "_sides", None)
            elif (
                BLADDER_FACT in stated and stated[BLADDER_FACT].value == PRESENT and not names_a_limb(around)
            ):
                # "no numb krub. but 2 day I pee in my pant, no feel when I need pee": the bladder's
                # feeling, told as the bladder sign; no numb arm or leg
                stated.pop(LIMB_NUMBNESS)
                stated.pop(LIMB_NUMBNESS + "_sides", None)
        button_target = msg.first(ANSWER_TO_ENTITY)
        target = button_target or question
        duration = stated.get(DURATION_FACT)
        answering = target in engine.facts and target != DURATION_FACT  # a health question is pending
        if (
            duration is not None
            and answering
            and button_target is None
            and engine.facts[str(target)].kind == TRI_KIND
            and only_a_time(text, duration.words)
        ):
            # "About two weeks now." just after the bladder question: the rest of the opening,
            # never a yes to the sign (the question is asked again)
            answer = Answer(target, Reply.NONE, words=quote(text))
            now = replace(duration, time=Time.NOW)
            where = pain_location(statements(text))
            return Interpretation(answer, (now,), (), tuple(rest), False, where, only_a_duration=True)
        if (
            duration is not None
            and target != DURATION_FACT
            and not about_the_pain(text, duration.words, answering, _sign_words(engine, own))
        ):
            # "The numbness started 2 days ago", "Slimming World since September": another
            # thing's duration, not the pain's.
            rest.append(replace(stated.pop(DURATION_FACT), time=Time.PAST))
        trend = stated.get(IMPROVING_FACT)
        if (
            trend is not None
            and answering
            and target not in TREND_QUESTIONS
            and engine.facts[str(target)].kind == TRI_KIND
            and not names_the_pain(trend.words or "")
        ):
            # "it's the MS and it hasn't changed at all" to the numbness question: "it" is the
            # numbness, not the pain (whether the pain improves is asked on its own)
            rest.append(stated.pop(IMPROVING_FACT))
        is_question = looks_like_question(text)

        if target in engine.facts and asks_meaning(text) and not self._says_a_sign(target, stated, msg):
            # "dont know what numbness mean": asked again in simpler words, nothing recorded of it
            # (its age and duration are kept: "define normal, im 54"; never a sign, as "dont know
            # what numbness mean" reads as a negation)
            answer = Answer(target, Reply.NONE, words=quote(text))
            kept = tuple(
                f for name, f in stated.items() if engine.facts[name].kind == NUMBER and name != target
            )
            return Interpretation(answer, kept, (), tuple(rest), True, None, asks_meaning=True)
        if target in YES_NO_QUESTIONS or target not in engine.facts:
            yes_no = target in YES_NO_QUESTIONS
            answer = Answer(target, consent_reply(msg) if yes_no else Reply.NONE)
            return self._finish(target, answer, stated, rest, msg, is_question)

        # "No numbness there" to the saddle question is about the saddle area, not the legs.
        generic = msg.first(ANSWER_ENTITY)
        for alias, values in CONTEXT_ALIASES.get(target, {}).items():
            fact = stated.get(alias)
            if (
                fact is not None
                and fact.value in values
                and target not in stated
                and (generic is None or not names_a_limb(text))
            ):
                if not msg.first(SIDES_ENTITY) and not any(f.fact.endswith("_sides") for f in own):
                    stated[target] = replace(stated.pop(alias), fact=target)

        if button_target is not None and msg.intent in ANSWER_INTENTS:
            answer = self.direct.from_reply(target, ANSWER_INTENTS[msg.intent], 1.0, Source.BUTTON)
        else:
            answer = replace(self.direct.answer(target, msg, stated, rest), words=quote(text))
            if (
                answer.source is Source.FACT
                and answer.reply is Reply.YES
                and target not in engine.emergency_facts
                and has_a_doubt_clause(text)
            ):
                # "Also weight, I am not sure. Pants are little loose ... so I don't know": a clue
                # told with a doubt of its own is "not sure" (the summary lists it so)
                answer = replace(answer, reply=Reply.UNSURE, value=UNSURE)
        if answer.confirm is not None:
            stated.pop(target, None)  # read back before anything about it is recorded
        elif answer.answered:
            stated.pop(target, None)
        return self._finish(target, answer, stated, rest, msg, is_question)

    def _says_a_sign(self, target: str, stated: dict[str, StatedFact], msg: Message) -> bool:
        """More than a question about a word: a sign stated, or the learned detector hears the
        asked one ("Define 'problems'. ... since Friday I leaked"); not when the message denies one
        ("...my bum feels normal. not numb") unless it says the sign is recent."""
        if any(f.value == PRESENT for f in stated.values()):
            return True
        if self.reader is None or not msg.meaningful:
            return False
        denies = any(f.value == ABSENT for f in stated.values())
        heard = self.reader.signs(msg.text).get(target, 0.0) >= SIGN_POSSIBLE_PROBABILITY
        return heard and (not denies or names_recent_topic(target, msg.text))

    # --- everything else the message says ------------------------------------------------------

    def _finish(
        self,
        target: Optional[str],
        answer: Answer,
        stated: dict[str, StatedFact],
        rest: list[StatedFact],
        msg: Message,
        is_question: bool,
    ) -> Interpretation:
        engine = self.engine
        facts = [
            f
            for f in stated.values()
            if not (
                target in engine.facts and engine.facts[f.fact].follows == target and answer.value != PRESENT
            )
        ]
        parent = engine.facts[target].follows if target in engine.facts else None
        if parent and engine.facts[str(target)].kind == "sides" and answer.reply is Reply.NO:
            facts.append(StatedFact(parent, ABSENT, words=quote(msg.text)))
        # "Yes, in both legs" answers the weakness question and its follow-up at once.
        sides = msg.first(SIDES_ENTITY)
        if target in engine.facts and answer.value == PRESENT and sides in SIDES_VALUES:
            for child in engine.facts.values():
                if child.follows == target and child.kind == "sides" and child.name not in stated:
                    facts.append(StatedFact(child.name, sides, words=sides))
        # "Yes, the right hand. But not getting worse." answers whether it is getting worse too.
        steady = target == WEAKNESS_FACT and answer.value == PRESENT and WORSENING_FACT not in stated
        if steady and says_weakness_steady(msg.text or ""):
            facts.append(StatedFact(WORSENING_FACT, ABSENT, words=quote(msg.text)))
        possible = [
            f
            for f in rest
            if f.certainty is Certainty.POSSIBLE
            and f.fact in engine.emergency_facts
            and f.fact != answer.question
        ]
        hedged = msg.meaningful and lead_reply(msg.text) is Reply.UNSURE
        for f in list(facts):
            if hedged and f.value == PRESENT and f.fact in engine.emergency_facts and f.fact != target:
                # "possibly?? or am I imagining it ... inner thighs weird and tingly": possible only
                facts.remove(f)
                possible.append(replace(f, certainty=Certainty.POSSIBLE))
                continue
            old_news = f.value == PRESENT and f.fact in engine.emergency_facts and f.fact not in EVER_FACTS
            if (
                old_news
                and f.fact != target
                # its own sentence ("...going to sleep last Christmas."), or with the next
                and (
                    says_not_new(sentence_around(msg.text, f.words), f.fact)
                    or says_not_new(sentence_and_next(msg.text, f.words), f.fact)
                )
            ):
                # "my legs feel heavy when I'm tired, none of that has changed": a sign explained as
                # old is asked about (is it new?), never recorded as a new one
                facts.remove(f)
                possible.append(replace(f, certainty=Certainty.POSSIBLE))
        demoted = {f.fact for f in possible}
        facts = [f for f in facts if engine.facts[f.fact].follows not in demoted]  # its sides go too
        if self.reader is not None and msg.meaningful:
            # An emergency sign is recorded absent only from a clear no: a negation the patterns
            # found that the sign detector doubts ("I cannot retain the urine, it escapes me") is
            # asked next, with the words read back, instead.
            signs = self.reader.signs(msg.text)
            doubted = [
                f
                for f in facts
                if f.value == ABSENT
                and f.fact != target
                and f.fact in engine.emergency_facts
                and (signs.get(f.fact, 0.0) >= SIGN_DOUBTS_A_NEGATION or names_recent_topic(f.fact, msg.text))
                and f.fact not in {p.fact for p in possible}
                and lead_reply(msg.text) is not Reply.NO
            ]
            for f in doubted:
                facts.remove(f)
                possible.append(replace(f, value=PRESENT, certainty=Certainty.POSSIBLE))
        mentioned = {f.fact for f in facts} | {f.fact for f in rest} | {f.fact for f in possible} | {target}
        if self.reader is not None and msg.meaningful:
            # a sign told inside a question counts too ("i keep finding im wet?? is that normal")
            for sign, probability in sorted(self.reader.signs(msg.text).items(), key=lambda kv: -kv[1]):
                recent = names_recent_topic(sign, msg.text) and probability >= SIGN_WITH_RECENT_TOPIC
                fine = says_sign_fine(sign, msg.text)  # "Legs strong, I walk 5 km yesterday"
                if (
                    sign not in mentioned
                    and not fine
                    and (probability >= SIGN_POSSIBLE_PROBABILITY or recent)
                ):
                    possible.append(
                        StatedFact(
                            sign, PRESENT, certainty=Certainty.POSSIBLE, words=quote(msg.text), learned=True
                        )
                    )
        ignored = [f for f in rest if f.certainty is not Certainty.POSSIBLE]
        possible = [
            replace(f, words=sentence_around(msg.text, f.words) if f.words else quote(msg.text))
            for f in possible
        ]
        # where the pain is, from what the message states ("lower back pain 10 days ... do I need
        # to see someone?" names it; "is it my neck?" does not)
        where = pain_location(statements(msg.text)) if msg.meaningful else None
        return Interpretation(answer, tuple(facts), tuple(possible), tuple(ignored), is_question, where)


def _sign_words(engine: Engine, facts: list[StatedFact]) -> tuple[str, ...]:
    """The words of the yes / no signs a message states (a duration in their sentence is theirs)."""
    return tuple(
        f.words for f in facts if f.words and f.fact in engine.facts and engine.facts[f.fact].kind == TRI_KIND
    )


@functools.lru_cache(maxsize=4)
def default_interpreter(engine: Engine) -> Interpreter:
    return Interpreter(engine, default_reader())
