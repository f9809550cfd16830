"""The symptom reader: fact phrases found by the EntityRuler, valued by medspaCy ConText.

ConText marks a phrase negated / someone else's / historical / hypothetical / uncertain; this
module turns that, plus what the sentence and clause around it say (a question about symptoms,
"years ago", "all clear now", "Cancer? No."), into a fact value, or into a mention that is not
the patient's, not now or not definite (kept for the answer interpreter).
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.tokens import Doc, Span

from nlp.facts.lexicon import cue_regexes, regexes
from nlp.facts.mention import IGNORE_LABEL, TRI_FACTS, Mention
from nlp.facts.text import clause, sent_of
from nlp.questions import QUESTION_START

_CONTEXT = regexes("symptom_context")
_FIRST_PERSON = _CONTEXT["first_person"]
_HYPOTHETICAL_QUESTION_CUE = _CONTEXT["hypothetical_question_cue"]
_ON_MY_BODY = _CONTEXT["on_my_body"]
_MINE_IN_SPAN = _CONTEXT["mine_in_span"]
# "can't feel her bum": a phrase whose own possessive is someone else's
_THEIRS_IN_SPAN = re.compile(r"\b(his|her|their)\b", re.I)
# "I had sciatica myself": the writer says it of themselves (they may be typing for someone else)
_I_BEFORE = re.compile(r"\b(i|i'?ve|ive|i'?m|im|i'?d)\b(?P<rest>[^.!?;]*)$", re.I)
_SOMEONE_BETWEEN = re.compile(
    r"\b(he|she|his|her|him|they|their|mum|mom|mam|dad|husband|wife|partner|son|daughter|gran\w*|nan)\b", re.I
)
_MYSELF_AFTER = re.compile(r"\W*(myself|me too|as well)\b", re.I)
_FOLLOW_UP_EXAMPLE = _CONTEXT["follow_up_example"]
_PAST_SENTENCE = _CONTEXT["past_sentence"]
_PAST_CLAUSE = _CONTEXT["past_clause"]
_NO_PROBLEMS_AFTER = _CONTEXT["no_problems_after"]
_NO_START = _CONTEXT["no_start"]
_TIME_ONLY = _CONTEXT["time_only"]
_PAIN_WORD = _CONTEXT["pain_word"]
_HAD_IT_BEFORE = _CONTEXT["had_it_before"]
_NEGATION_BEFORE = _CONTEXT["negation_before"]
_OLD_EPISODE_QUESTION = _CONTEXT["old_episode_question"]
_SAMENESS = _CONTEXT["sameness"]
_PAIN_TOPIC = _CONTEXT["pain_topic"]
# "No change." / "Its no different.": a sentence this short takes its topic from the one before.
MAX_BARE_SAMENESS_WORDS = 4


def _had_it_before(before: str) -> bool:
    """ "I had / was treated for ... " right before a cancer word, with no negation ahead of it."""
    m = _HAD_IT_BEFORE.search(before)
    return m is not None and not _NEGATION_BEFORE.search(before[: m.start()])


def _is_hypothetical_question(sent: Span) -> bool:
    """'Can sciatica cause numbness?' asks about a symptom; 'Is it bad that my legs are numb?' has it."""
    t = sent.text.strip()
    if not t.endswith("?"):
        return False
    if _HYPOTHETICAL_QUESTION_CUE.search(t):
        return True
    return QUESTION_START.search(t) is not None and _FIRST_PERSON.search(t) is None


def _is_hypothetical_sentence(doc: Doc, sent: Span) -> bool:
    """A hypothetical question, or its follow-up list ("What are the signs? Like numbness?")."""
    if _is_hypothetical_question(sent):
        return True
    if sent.start > 0 and _FOLLOW_UP_EXAMPLE.search(sent.text):
        return _is_hypothetical_question(sent_of(doc, sent.start - 1))
    return False


def _echo_answer(doc: Doc, ent: Span) -> str | None:
    """'Cancer? No, never.': a bare topic question answered by the next sentence's yes/no."""
    sent = sent_of(doc, ent.start)
    words = [t for t in sent if not t.is_punct and not t.is_space]
    if not sent.text.strip().endswith("?") or len(words) != len(ent) or sent.end >= len(doc):
        return None
    following = sent_of(doc, sent.end).text.strip()
    for value, pattern in cue_regexes()["answers"]:
        if pattern.match(following):
            return value
    return None


def tri_mentions(doc: Doc) -> list[tuple[Mention, Span]]:
    """Fact phrases found by the EntityRuler, valued by their ConText modifiers."""
    out: list[tuple[Mention, Span]] = []
    for ent in doc.ents:
        if ent.label_ == IGNORE_LABEL or ent.label_ not in TRI_FACTS or _sameness_of_something_else(doc, ent):
            continue
        mention = _read(doc, ent)
        if mention is not None:
            out.append((_with_whose_words(doc, ent, mention), ent))
    return out


def _sameness_of_something_else(doc: Doc, ent: Span) -> bool:
    """ "right arm and leg weak since my stroke 2019. no change": a bare "no change / no different /
    the same" is the pain not improving only when its sentence (or, for a sentence of a few words,
    the one before) is about the pain; otherwise it is about whatever else was said."""
    if ent.label_ != "improving" or not _SAMENESS.search(ent.text) or _PAIN_TOPIC.search(ent.text):
        return False
    sent = sent_of(doc, ent.start)
    if _PAIN_TOPIC.search(sent.text):
        return False
    words = [t for t in sent if not t.is_punct and not t.is_space]
    if len(words) <= MAX_BARE_SAMENESS_WORDS and sent.start > 0:
        return not _PAIN_TOPIC.search(sent_of(doc, sent.start - 1).text)
    return True


def _with_whose_words(doc: Doc, ent: Span, mention: Mention) -> Mention:
    """The mention with the words that say whose it is: the other-person cue ConText found, and
    whether the writer says it of themselves."""
    who = ""
    if mention.person == "other":
        cues = [
            doc[m.modifier_span[0] : m.modifier_span[1]].text
            for m in ent._.modifiers
            if m.category == "FAMILY"
        ]
        theirs = _THEIRS_IN_SPAN.search(ent.text)
        who = (cues[0] if cues else theirs.group(0) if theirs else "").lower()
    lo, _ = clause(doc, ent)
    before = _I_BEFORE.search(doc.text[lo : ent.start_char])
    first_person = bool(before and not _SOMEONE_BETWEEN.search(before.group("rest"))) or bool(
        _MYSELF_AFTER.match(doc.text, ent.end_char)
    )
    return replace(mention, who=who, first_person=first_person and mention.person == "self")


# (decided, mention): a reader that decided returns the mention, or None when the phrase says nothing.
_Verdict = tuple[bool, Mention | None]


def _read(doc: Doc, ent: Span) -> Mention | None:
    """One fact phrase: whose, when and how sure it is first, then its value."""
    asserted = ent.ent_id_ == "present" and not ent._.is_negated
    decided, mention = _context_marks(ent, doc.text, asserted)
    if not decided:
        decided, mention = _sentence_marks(doc, ent, asserted)
    if decided:
        return mention
    echo = _echo_answer(doc, ent)
    if echo is not None:
        return _echo_mention(ent, echo)
    value = _own_value(doc, ent)
    return None if value is None else Mention(ent.label_, value, ent.start_char, ent.end_char, ent.text)


def _record_only(
    ent: Span, asserted: bool, time: str = "now", person: str = "self", certainty: str = "definite"
) -> Mention | None:
    """A phrase that is not the patient's, not now or not definite: kept (for the record) only if asserted."""
    if not asserted:
        return None
    return Mention(ent.label_, "present", ent.start_char, ent.end_char, ent.text, time, person, certainty)


def _context_marks(ent: Span, text: str, asserted: bool) -> _Verdict:
    """ConText's own marks: someone else's, only possible, hypothetical, historical."""
    mine = _ON_MY_BODY.match(text, ent.end_char) or _MINE_IN_SPAN.search(ent.text)
    if (ent._.is_family or _THEIRS_IN_SPAN.search(ent.text)) and not mine:
        # someone else's ("my dad had cancer"): kept for the record only
        return True, _record_only(ent, asserted, person="other")
    if ent._.is_uncertain and asserted and not ent._.is_hypothetical:
        # "I think my bum might be a bit numb": possible, so the dialogue asks it next
        return True, _record_only(ent, asserted, certainty="possible")
    if ent._.is_hypothetical:
        return True, None  # not a statement ("what if I lose control of my bladder?")
    if ent._.is_historical and ent.label_ != "cancer_history":
        # a past episode is not a current symptom; a cancer history always counts
        return True, _record_only(ent, asserted, time="past")
    return False, None


def _sentence_marks(doc: Doc, ent: Span, asserted: bool) -> _Verdict:
    """What the sentence and clause around it say: a question about symptoms, night without pain, the past."""
    sent = sent_of(doc, ent.start)
    if _is_hypothetical_sentence(doc, sent):
        return True, None
    if (
        ent.label_ == "night_pain"
        and asserted
        and _TIME_ONLY.match(ent.text)
        and not _PAIN_WORD.search(sent.text)
    ):
        # "my hands go to sleep at night": night, but not night *pain* ("at night it is ok" still
        # says the nights are fine)
        return True, None
    # ("a bit better now": "better now" says a sign is gone, but of the pain it is the improving)
    if ent.label_ not in ("cancer_history", "improving") and (
        _in_the_past(doc, ent, sent) or _old_episode_question(sent)
    ):
        return True, _record_only(ent, asserted, time="past")
    return False, None


def _old_episode_question(sent: Span) -> bool:
    """ "cud it b my old sciatica from 2015 back again?": a question whether an old episode is back."""
    return sent.text.strip().endswith("?") and _OLD_EPISODE_QUESTION.search(sent.text) is not None


def _in_the_past(doc: Doc, ent: Span, sent: Span) -> bool:
    """The sentence is about the past, or a past phrase in the clause holds or follows the mention."""
    c_lo, c_hi = clause(doc, ent)
    # a past phrase in the clause counts when it holds the mention or follows it ("had
    # sciatica at school", "pins and needles, gone now"), not when it ends before it ("my mum
    # had cancer last year and now my lower back hurts")
    clause_past = any(m.end() + c_lo > ent.start_char for m in _PAST_CLAUSE.finditer(doc.text[c_lo:c_hi]))
    return bool(_PAST_SENTENCE.search(sent.text) or clause_past)


def _echo_mention(ent: Span, echo: str) -> Mention | None:
    """'Cancer? No.': the yes or no is the fact's value (an ignore phrase takes none)."""
    if echo in ("yes", "no") and ent.ent_id_ != "ignore":
        value = "present" if echo == "yes" else "absent"
        return Mention(ent.label_, value, ent.start_char, ent.end_char, ent.text)
    return None


def _own_value(doc: Doc, ent: Span) -> str | None:
    """The value of the patient's own phrase, from its polarity and negation (None: it says nothing)."""
    polarity = ent.ent_id_
    negated = bool(ent._.is_negated) or (
        _NO_START.match(ent.text) is not None and _NO_PROBLEMS_AFTER.match(doc.text, ent.end_char) is not None
    )
    if (
        negated
        and ent.label_ == "cancer_history"
        and _had_it_before(doc.text[max(0, ent.start_char - 40) : ent.start_char])
    ):
        negated = False  # "I had breast cancer in 2015, all clear now": a history is a history
    if polarity == "present":
        return "absent" if negated else "present"
    if (polarity == "neutral" and negated) or (polarity == "absent" and not negated):
        return "absent"
    return None
