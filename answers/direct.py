"""The direct answer to the question asked: yes / no / not sure / not an answer, from a button,
the words it leads with, the facts it names, or the learned readers; with the words to read back
when the answer must be confirmed before it is used (rules 1 and 2 of answers/interpret.py)."""

from __future__ import annotations

from typing import Any, Optional

from answers.ages import age_said
from answers.classifier import AnswerReader
from answers.contract import Answer, FactValue, Person, Reply, Source, StatedFact, Time
from answers.lead import (
    EPISODE_FACTS,
    fold,
    lead_reply,
    names_recent_topic,
    names_topic,
    says_it_happened,
    says_it_is_new,
    says_limbs_work,
    says_not_new,
    says_not_sure,
    says_recent,
    says_same_again,
    says_sign_fine,
    says_topic_fine,
)
from answers.message import (
    AGE_FACT,
    ANSWER_ENTITY,
    CONSENT_QUESTION,
    DURATION_FACT,
    NUMBER_ENTITY,
    Message,
)
from answers.shapes import (
    DOUBTS_IT_IS_REAL,
    TOPIC_THEN_NO,
    confirm,
    fine_with_the_lead,
    no_after_the_hedge,
    sides_answer,
    trouble_beside_fine,
)
from answers.wording import (
    in_a_question,
    in_first_sentence,
    lone_age,
    quote,
    sentence_around,
    sentence_saying,
    to_number,
)
from nlp.questions import looks_like_question
from triage.engine import ABSENT, NUMBER, PRESENT, UNSURE, Engine

ANSWER_INTENTS = {"affirm": Reply.YES, "deny": Reply.NO, "unsure": Reply.UNSURE}
# A yes/no taken from the intent classifier alone must be confident, and the message must have a
# letter or digit: its guess for an empty or emoji-only message is often "affirm".
ANSWER_INTENT_MIN_CONFIDENCE = 0.6
# The learned reader's answer is used at or above these probabilities (measured on the held-out
# set, bench/answer_eval.py). A "no" to an emergency question needs more: it is the costliest
# mistake, and below this the question is asked again instead.
READER_MIN_PROBABILITY = 0.55
READER_EMERGENCY_NO_PROBABILITY = 0.65
READER_EMERGENCY_YES_PROBABILITY = 0.6
# The sign detector's probability that makes a negation the patterns found unclear, and the higher
# one that makes a clear leading "no" worth reading back (measured on round-1 role-play replies:
# leaked or retained urine described after a "no" scored 0.63-0.82, "no, walk still ok" 0.54).
SIGN_DOUBTS_A_NEGATION = 0.85
SIGN_DOUBTS_A_NO = 0.85
# A yes from the reply reader this likely makes a "no" or a negation found by the patterns unclear.
READER_HEARD_YES = 0.5
# A reply reader's yes to one emergency question is about another sign when that sign's detector
# is at least this sure, the asked sign's own detector is not (below SIGN_DOUBTS_A_NO) and trails
# it by this margin ("CAN'T FEEL MY BUM WHEN I WIPE" to the bladder question: saddle 1.0, bladder
# 0.6 — the saddle sign, not a bladder problem; the bladder question stays open).
SIGN_OF_ANOTHER_QUESTION = 0.85
SIGN_OF_ANOTHER_MARGIN = 0.3
# Facts that count however long ago they were: an old one is never "not new".
EVER_FACTS = frozenset({"cancer_history"})
# A reply this short that names the sign and ends in "no" is a no ("fever no", "cancer me never").
MAX_TOPIC_REPLY_WORDS = 5
# A leading "no" followed by at least this many words carries an explanation worth reading.
MIN_EXPLANATION_WORDS = 5
# "It's fine" / "all normal" means no problem: no for a symptom, yes for these questions.
FINE_MEANS_YES = {"improving", CONSENT_QUESTION}
# "Worse than on Monday" answers only the trend questions.
TREND_ANSWERS: dict[str, dict[str, Reply]] = {
    "worse": {"improving": Reply.NO, "weakness_worsening": Reply.YES},
    "worse-maybe": {"improving": Reply.NO, "weakness_worsening": Reply.UNSURE},
}
POLARITY_VALUE = {Reply.YES: PRESENT, Reply.NO: "absent", Reply.UNSURE: UNSURE}


class DirectAnswers:
    """The answer to the pending question, with the learned reader when it is built."""

    def __init__(self, engine: Engine, reader: Optional[AnswerReader] = None) -> None:
        self.engine = engine
        self.reader = reader

    def from_reply(self, target: str, reply: Reply, confidence: float, source: Source) -> Answer:
        spec = self.engine.facts[target]
        value: FactValue = None
        if reply is Reply.UNSURE:
            value = UNSURE
        elif spec.kind == "tri" and reply in (Reply.YES, Reply.NO):
            value = POLARITY_VALUE[reply]
        return Answer(target, reply, value, confidence, source)

    def answer(
        self, target: str, msg: Message, stated: dict[str, StatedFact], rest: list[StatedFact]
    ) -> Answer:
        engine = self.engine
        text = msg.text or ""
        spec = engine.facts[target]
        emergency = target in engine.emergency_facts
        meaningful = msg.meaningful and not says_same_again(text)  # "ditto" alone: asked again
        lead = lead_reply(text) if meaningful else None
        own = stated.get(target)
        prediction = self.reader.reply(target, text) if self.reader and meaningful else None

        if spec.kind == "sides":
            return sides_answer(target, msg, own, prediction, lead, READER_MIN_PROBABILITY)
        if own is None and lead is None and any(f.fact == target and f.person is Person.OTHER for f in rest):
            # "me old man had prostate cancer": someone else's, and nothing said of the patient's
            # own: no answer (the planner asks about the patient themselves), never a read-back
            return Answer(target)
        past = [f for f in rest if f.fact == target and f.time is Time.PAST and f.person is Person.SELF]
        if own is None and past and lead in (None, Reply.NO):
            if target in EPISODE_FACTS and says_recent(text):
                # "no, but I wet myself yesterday, it's fine now": one recent episode is the sign;
                # read back (with the advice) before anything is recorded
                return Answer(
                    target, Reply.NONE, None, 0.0, Source.FACT, sentence_around(text, past[0].words)
                )
            # "Had sciatica at uni, nothing like that now": a past episode is a no for now.
            return Answer(target, Reply.NO, "absent", 1.0, Source.FACT)
        if spec.kind == NUMBER:
            said = age_said(text, engine.thresholds.get(AGE_FACT, [])) if target == AGE_FACT else None
            if said is not None:  # "over 50, leave it at that", "fifty-something", "over 18" (unsure)
                return Answer(target, Reply.UNSURE if said == UNSURE else Reply.YES, said, 1.0, Source.WORDS)
            number = to_number(msg.first(NUMBER_ENTITY))
            if number is None and target == AGE_FACT:
                number = lone_age(text)
            if own is not None:
                return Answer(target, Reply.YES, own.value, 1.0, Source.FACT)
            if number is not None and target != DURATION_FACT:
                # (a bare "1" or "3" to how long is no duration: days, weeks, or the first button?)
                return Answer(target, Reply.YES, number, 1.0, Source.WORDS)
            if lead is Reply.UNSURE or msg.first(ANSWER_ENTITY) == UNSURE:
                return Answer(target, Reply.UNSURE, UNSURE, 1.0, Source.WORDS)
            return Answer(target)

        if lead is Reply.UNSURE and no_after_the_hedge(text, own, target):  # "maybe not kah, legs ok"
            return Answer(target, Reply.NO, ABSENT, 1.0, Source.WORDS)
        if lead is Reply.UNSURE and own is not None and own.value == ABSENT:
            # "don't know if my bum is numb": a negation inside a "don't know" is no "no"
            return Answer(target, Reply.UNSURE, UNSURE, 1.0, Source.WORDS)
        if own is not None and lead is Reply.UNSURE and own.value == PRESENT:
            if emergency and says_recent(text):
                # "I'd rather not say... a mishap Thursday, never happened before": firm read-back
                return confirm(target, sentence_around(text, own.words), said_new=True)
            hedged_yes = not says_not_sure(text) and not DOUBTS_IT_IS_REAL.search(fold(text))
            if emergency and hedged_yes and not says_not_new(text, target):
                # "possibly? both legs feel weak going up stairs. could be im just unfit": a hedged
                # yes (not a "not sure"), the sign then stated; read back before anything is recorded
                return confirm(target, sentence_around(text, own.words), said_new=True)
            # "possibly?? or am I imagining it... inner thighs weird and tingly": not sure
            return Answer(target, Reply.UNSURE, UNSURE, 1.0, Source.WORDS)
        if own is not None:  # the message names the asked fact itself
            topic_no = TOPIC_THEN_NO.match(text)
            if (
                lead is Reply.NO
                and own.value == PRESENT
                and topic_no
                and own.words.lower() in topic_no.group(1).lower()
            ):
                # "weak no. arm leg strong same before": the topic named, then the answer
                return Answer(target, Reply.NO, "absent", 1.0, Source.WORDS)
            if lead is Reply.NO and own.value == PRESENT and len(text.split()) <= MAX_TOPIC_REPLY_WORDS:
                # "fever no", "weak none": the topic named, then the answer
                return Answer(target, Reply.NO, "absent", 1.0, Source.WORDS)
            if lead is Reply.NO and own.value == PRESENT and in_a_question(text, own.words):
                # "no never. OH GOD do you think it's cancer???": the sign is in a question
                return Answer(target, Reply.NO, "absent", 1.0, Source.WORDS)
            if lead is Reply.NO and own.value == PRESENT and says_limbs_work(target, text):
                # "no. i feel weak all body from the fever but legs ok, arms ok" (not "bowels
                # fine... only thing is I been leakin": one part fine, the sign in the other)
                return Answer(target, Reply.NO, "absent", 1.0, Source.WORDS)
            if lead is Reply.NO and own.value == PRESENT:
                # "no. my bum goes a bit dead after driving, but it's always been like that" (a
                # cancer history counts however long ago it was, so it is always read back)
                if says_not_new(text, target) and target not in EVER_FACTS:
                    return Answer(target, Reply.NO, "absent", 1.0, Source.WORDS)
                words = sentence_saying(text, own.words)
                return confirm(target, words, said_new=names_recent_topic(target, text))
            if own.value == "absent" and lead is Reply.YES and says_it_is_new(text):
                # "well its new yeah ... but its not like im wetting myself proper": it says the
                # sign is new; the rest plays it down, it does not deny it
                return Answer(target, Reply.YES, PRESENT, 1.0, Source.WORDS)
            if (
                own.value == "absent"
                and lead is Reply.YES
                and not in_first_sentence(text, text.find(own.words))
                and trouble_beside_fine(target, text)
            ):
                # "Yes, as I said, since Saturday the urine does not come properly ... The bowel is
                # normal": the clear yes answers; a later sentence denies only a part of the sign
                # ("Yes, no problem. Toilet is normal." stays a no: no trouble is told)
                return Answer(target, Reply.YES, PRESENT, 1.0, Source.WORDS)
            other_sign = any(
                f.value == PRESENT and f.fact != target and f.fact in self.engine.emergency_facts
                for f in stated.values()
            )
            if (
                own.value == "absent"
                and emergency
                and lead is Reply.NO
                and not other_sign
                and self._explains_a_yes(target, text, prediction)
            ):
                # "no. but these 2 day I not feel when need pee": the explanation is the sign;
                # said to be recent, the advice that comes with the read-back is firm. (Not when it
                # names another emergency sign, which gets the advice itself: "Negative on weakness
                # as such, although I have been rather unsteady on my feet")
                return confirm(target, quote(text), said_new=names_recent_topic(target, text))
            if (
                own.value == "absent"
                and emergency
                and lead is not Reply.NO
                and not other_sign
                and not says_topic_fine(target, text)
            ):
                # A negation the patterns found is clear only if the learned readers do not hear
                # the sign in it ("I cannot hold the stool, it comes and I don't feel it"); not
                # when the message names another sign they may be hearing ("bladder fine, bowels
                # fine. bit numb down there when i wipe")
                if self._hears_a_yes(target, text, prediction):
                    return Answer(target, Reply.NONE, None, 0.0, Source.FACT, quote(text))
            if own.value == PRESENT and emergency and target not in EVER_FACTS and says_not_new(text, target):
                # "a numb patch where the cow kicked me in the summer, it's old": the sign, but
                # explained as old; asked again with the words read back, never an emergency yet.
                return confirm(target, sentence_around(text, own.words), source=Source.FACT, said_old=True)
            reply = {PRESENT: Reply.YES, "absent": Reply.NO}.get(str(own.value), Reply.UNSURE)
            return Answer(target, reply, own.value, 1.0, Source.FACT)

        generic = msg.first(ANSWER_ENTITY)
        if (
            lead in (Reply.NO, Reply.UNSURE)
            and emergency
            and self._explains_a_yes(target, text, prediction, stated)
        ):
            # "Not really. Well, I had to strain to get going this morning", "I dont know sir.. the
            # water is coming alone in my trousers, I am not feel it coming": the explanation may
            # describe the very sign asked about. Read it back (with the advice; firmly when it
            # says the sign is recent) before recording anything.
            return confirm(target, quote(text), said_new=names_recent_topic(target, text))
        if lead is not None:
            if lead is Reply.YES and generic == "fine" and fine_with_the_lead(msg):
                lead = None  # "yes, all fine" is read below as fine
            else:
                return self.from_reply(target, lead, 1.0, Source.WORDS)
        if looks_like_question(text) and not (
            emergency and (says_it_happened(text) or self._hears_a_yes(target, text, None, SIGN_DOUBTS_A_NO))
        ):
            # a question back ("what counts as a fever?") answers nothing; one that describes the
            # asked sign ("kinda? cant really feel my bum on the loo. maybe thats normal idk?") is read
            return Answer(target)
        if generic == "fine":
            reply = Reply.YES if target in FINE_MEANS_YES else Reply.NO
            return self.from_reply(target, reply, 1.0, Source.WORDS)
        if generic in TREND_ANSWERS:
            trend = TREND_ANSWERS[generic].get(target)
            return self.from_reply(target, trend, 1.0, Source.WORDS) if trend else Answer(target)
        if generic in ("yes", "no", "unsure"):
            return self.from_reply(target, Reply(generic), 1.0, Source.WORDS)

        intent_reply = ANSWER_INTENTS.get(msg.intent or "")
        if intent_reply is not None and msg.meaningful and msg.confidence >= ANSWER_INTENT_MIN_CONFIDENCE:
            # The intent classifier's yes/no/not sure, when the reader has no confident answer.
            reader_sure = prediction is not None and prediction.probability >= READER_MIN_PROBABILITY
            if not reader_sure and not stated and not (emergency and intent_reply is Reply.NO):
                return self.from_reply(target, intent_reply, msg.confidence, Source.CLASSIFIER)
        if (
            stated
            and any(self.engine.facts[f].kind != NUMBER for f in stated)
            and not (emergency and self._hears_a_yes(target, text, None, SIGN_DOUBTS_A_NO))
        ):
            # the message is about the facts it names, not a bare reply to this one; unless the
            # asked sign's detector hears it too ("my left foot's gone a bit floppy ... Its got
            # worse this week" names the pain's trend, and answers the weakness question)
            prediction = None
        if prediction is not None and prediction.label != Reply.NONE.value:
            reply = Reply(prediction.label) if prediction.label in Reply._value2member_map_ else Reply.NONE
            needed = READER_MIN_PROBABILITY
            if emergency and reply is Reply.NO:
                needed = READER_EMERGENCY_NO_PROBABILITY
                if says_recent(text):
                    # "wet the armchair twice this week, never done that before": a reader's "no"
                    # beside words that say something is new is no clear negative
                    return confirm(
                        target, quote(text), confidence=prediction.probability, source=Source.CLASSIFIER
                    )
            old_news = says_not_new(text, target, undated_events=True)
            if emergency and reply is Reply.YES and target not in EVER_FACTS and old_news:
                # "I get up twice in the night to pee but that's since the op in 2019, nothing new
                # there": a reader's yes to a sign the patient calls old is read back (is it new?),
                # never an emergency yet
                return confirm(
                    target,
                    quote(text),
                    confidence=prediction.probability,
                    source=Source.CLASSIFIER,
                    said_old=True,
                )
            if emergency and reply is Reply.YES and self._yes_to_another_sign(target, text):
                # the description is of another emergency sign (flagged possible below, asked
                # next); this question stays open
                return Answer(target, Reply.NONE, None, prediction.probability, Source.CLASSIFIER)
            if emergency and reply is Reply.YES and prediction.probability < READER_EMERGENCY_YES_PROBABILITY:
                # A possible yes to an emergency question: read it back, then ask again.
                return confirm(
                    target, quote(text), confidence=prediction.probability, source=Source.CLASSIFIER
                )
            if prediction.probability >= needed:
                return self.from_reply(target, reply, prediction.probability, Source.CLASSIFIER)
            return self._unplaced(target, text, emergency, prediction.probability)

        return self._unplaced(target, text, emergency, 0.0)

    def _unplaced(self, target: str, text: str, emergency: bool, probability: float) -> Answer:
        """No clear answer. To an emergency question, a reply that names the sign's topic ("a
        couple of little leaks. I don't always notice") is read back, with the advice, and asked
        again: never just "didn't understand" (nor a no)."""
        if (
            emergency
            and names_topic(target, text)
            and (not looks_like_question(text) or says_it_happened(text))
        ):
            # ("does it count if I wet myself yesterday? because I did": a question that says it)
            old = target not in EVER_FACTS and says_not_new(text, target)  # "walk with stick since stroke"
            return confirm(target, quote(text), confidence=probability, said_old=old)
        source = Source.CLASSIFIER if probability else Source.NONE
        return Answer(target, Reply.NONE, None, probability, source)

    def _yes_to_another_sign(self, target: str, text: str) -> bool:
        """The sign detectors hear another emergency sign, and not the asked one."""
        if self.reader is None:
            return False
        signs = self.reader.signs(text)
        own = signs.get(target, 0.0)
        if own >= SIGN_DOUBTS_A_NO:
            return False
        return any(
            p >= SIGN_OF_ANOTHER_QUESTION and p - own >= SIGN_OF_ANOTHER_MARGIN
            for name, p in signs.items()
            if name != target
        )

    def _explains_a_yes(
        self, target: str, text: str, prediction: Any, stated: Optional[dict[str, StatedFact]] = None
    ) -> bool:
        """After a leading no, does the explanation look like the asked sign, present and new?
        A clear no needs stronger evidence to be doubted than a negation the patterns found."""
        if len(text.split()) < MIN_EXPLANATION_WORDS:
            return False
        if trouble_beside_fine(target, text):
            # "No, I can pee, but since Saturday it comes not properly ... The Bowel is normal": a
            # sentence that says one part is fine backs no other sentence's recent trouble
            return True
        if says_sign_fine(target, text):
            # "No, walking's fine, we did the Living Desert walk last week", "Not have weakness
            # po, I can stand on the tip of foot": it backs the no
            return False
        if names_recent_topic(target, text):
            return True  # "no. but these 2 day I not feel when need pee"
        if says_not_new(text, target):
            return False
        if any(f.value == PRESENT and f.fact != target for f in (stated or {}).values()):
            return False  # "No weakness sir. But the fever was 38.6": the readers hear the fever
        return self._hears_a_yes(target, text, prediction, SIGN_DOUBTS_A_NO)

    def _hears_a_yes(
        self, target: str, text: str, prediction: Any, sign_needed: float = SIGN_DOUBTS_A_NEGATION
    ) -> bool:
        """The learned readers hear the asked sign as present: its detector, or a yes reply."""
        if sign_needed == SIGN_DOUBTS_A_NEGATION and names_recent_topic(target, text):
            return True  # a negation found in "since yesterday I cannot retain the urine"
        if self.reader is None:
            return False
        if self.reader.signs(text).get(target, 0.0) >= sign_needed:
            return True
        return (
            prediction is not None
            and prediction.label == "yes"
            and prediction.probability >= READER_HEARD_YES
        )
