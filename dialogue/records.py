"""What a turn records: the facts it states merged with the direct answer, where each fact came
from (for the doctor's summary), and a question of the patient's put off until the outcome."""

from __future__ import annotations

import re
from typing import Mapping, Optional

from answers.contract import Interpretation
from answers.contract import Source as AnswerSource
from answers.direct import EVER_FACTS
from answers.interpret import SADDLE_SIGN_OF, TRI_KIND
from answers.lead import says_correction, says_same_again
from answers.message import DURATION_FACT
from answers.wording import corrects_a_time, general_place, names_a_limb, sentence_around, words_around
from dialogue.state import DONE, Plan, Reply, State
from triage.engine import ABSENT, PRESENT, UNSURE, Engine, FactValue
from triage.summary import LOCATION_SOURCE

# A question of the patient's whose answer depends on the outcome is put off with this reply
# ("utter_care_question_pending") and answered with the outcome.
DEFERRED_SUFFIX = "_question_pending"
# ("on one side" names a limb sign too)
_ONE_SIDE = re.compile(r"\bside\b", re.I)


def _limb_or_side(text: str) -> bool:
    return names_a_limb(text) or _ONE_SIDE.search(text) is not None


def merge(
    engine: Engine, state: State, reading: Interpretation, text: str = ""
) -> tuple[dict[str, FactValue], set[str], bool]:
    """Apply the interpretation: facts stated, then the direct answer to the question asked."""
    facts: dict[str, FactValue] = {name: state.facts.get(name) for name in engine.facts}
    stated = reading.stated()
    for f in reading.facts:
        if (
            f.fact in SADDLE_SIGN_OF
            and reading.answer.question != f.fact
            and state.facts.get(SADDLE_SIGN_OF[f.fact]) == PRESENT
            and not _limb_or_side(sentence_around(text, f.words) if f.words else text)
        ):
            # "seriously? its just a bit numb" after saddle numbness was advised on: the numbness
            # talked about, not a new numb arm or leg
            stated.pop(f.fact, None)
    known, said = state.facts.get(DURATION_FACT), stated.get(DURATION_FACT)
    if reading.only_a_duration and known is not None and not corrects_a_time(text):
        stated.pop(DURATION_FACT, None)  # the pain's duration is known: this one may be the sign's
    elif (
        isinstance(known, int)
        and isinstance(said, int)
        and said < known
        and reading.answer.question != DURATION_FACT
        and not says_correction(text)
    ):
        # "numb round the back passage. Has been for a week or so" after "since mid-September": a
        # shorter time said later is more likely a sign's than the pain's; the longer one (the
        # cautious one for S4 / S5) stays unless the patient corrects it
        stated.pop(DURATION_FACT, None)
    answer = reading.answer
    asked = answer.question if answer.answered and answer.question in engine.facts else None
    asking = text.rstrip().endswith("?")
    for name, value in list(stated.items()):
        related = asked is not None and asked in (
            name,
            engine.facts[name].follows,
            engine.facts[asked].follows,
        )
        if (
            value == ABSENT
            and state.facts.get(name) == PRESENT
            and not related
            and (asking or (name in EVER_FACTS and not says_correction(text)))
        ):
            # "no i mean the cancer was years ago, does that still count?" after "I had cancer": a
            # history told is never taken away by a no read in passing, nor a sign by a question of
            # the patient's; only by an answer to its question (or a related one) or a correction
            stated.pop(name)
    if answer.answered and answer.question in engine.facts:
        stated[answer.question] = answer.value
    changed = {name for name, value in stated.items() if facts[name] != value}
    facts.update(stated)
    for name, spec in engine.facts.items():
        if spec.follows in changed and facts[str(spec.follows)] != PRESENT and facts[name] is not None:
            # "There is no weakness": which side it was on, and whether it got worse, go with it
            facts[name] = None
            changed.add(name)
    return facts, changed, answer.answered


def answer_deferred(before: State, plan: Plan) -> Optional[str]:
    """A question of the patient's put off until the outcome ("can I go back to work?" asked
    mid-triage) is answered with the outcome, from its level; until then it is kept."""
    deferred = before.deferred
    for r in plan.replies:
        if r.response.startswith("utter_") and r.response.endswith(DEFERRED_SUFFIX):
            deferred = r.response[len("utter_") : -len(DEFERRED_SUFFIX)]
    if deferred is None or plan.outcome is None or plan.state.phase != DONE:
        return deferred
    level = plan.state.last_level or plan.outcome.level
    plan.replies = [r for r in plan.replies if not r.response.endswith(DEFERRED_SUFFIX)]
    plan.replies.append(Reply(f"utter_{deferred}_question_{level}"))
    return None


def record_sources(
    before: Mapping[str, Mapping[str, str]], reading: Interpretation, changed: set[str], text: str
) -> dict[str, Mapping[str, str]]:
    """Where each changed fact came from: a question's answer (its button or the patient's words)
    or the patient's own words, volunteered."""
    sources = dict(before)
    answer = reading.answer
    for fact in reading.facts:
        if fact.fact in changed:
            sources[fact.fact] = {"how": "said", "words": words_around(text, fact.words)}
    known = (sources.get(LOCATION_SOURCE) or {}).get("words")
    vaguer = known is not None and general_place(reading.where or "") and not general_place(str(known))
    if (
        reading.where
        and not vaguer
        and (known is None or answer.question == "mid_back" or general_place(str(known)))
    ):
        # where the pain is, for the doctor (not a rule fact): the first place the patient names
        # (a story may name a neighbour's neck later), or their answer to the mid-back question;
        # "my back" is replaced by a more exact place said later, never the other way round
        sources[LOCATION_SOURCE] = {"how": "said", "words": reading.where}
    if answer.question in changed and answer.answered:
        how = "button" if answer.source is AnswerSource.BUTTON else "answered"
        sources[str(answer.question)] = {"how": how, "words": "" if how == "button" else answer.words}
    return sources


# The answer words a repeated answer stands for ("ditto" after a no is a no).
_AGAIN_WORDS = {PRESENT: "yes", ABSENT: "no", UNSURE: "not sure"}


def answer_again(engine: Engine, state: State, text: str) -> Optional[str]:
    """ "same", "ditto", "as above" to a yes / no question: the patient's answer to the question
    before, as its plain word ("no"), or None when the message is not that or there is no such
    answer (then it is asked again, never guessed)."""
    if state.pending not in engine.facts or engine.facts[state.pending].kind != TRI_KIND:
        return None
    if not says_same_again(text):
        return None
    answered = [
        fact
        for fact, source in state.sources.items()
        if source.get("how") in ("answered", "button")
        and fact in engine.facts
        and engine.facts[fact].kind == TRI_KIND
    ]
    last = state.facts.get(answered[-1]) if answered else None
    return _AGAIN_WORDS.get(str(last)) if last is not None else None
