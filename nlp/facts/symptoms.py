"""The symptom reader: fact phrases found by the EntityRuler, valued by medspaCy ConText.

ConText marks a phrase negated / someone else's / historical / hypothetical / uncertain; this
module turns that, plus what the sentence and clause around it say (a question about symptoms,
"years ago", "all clear now", "Cancer? No."), into a fact value, or into a mention that is not
the patient's, not now or not definite (kept for the answer interpreter).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from nlp.facts.lexicon import cue_regexes
from nlp.facts.mention import IGNORE_LABEL, TRI_FACTS, Mention
from nlp.facts.text import clause, sent_of
from nlp.questions import QUESTION_START

_FIRST_PERSON = re.compile(
    r"\bmy\b|\b(that|since|because|as|and|but|when|now|so|if)\s+i\b|\bi\s*('ve|'m|am|have)\s+(got|been|had|noticed|having|getting)\b",
    re.I,
)
# Questions about what a symptom would mean are hypothetical even when they say "my".
_HYPOTHETICAL_QUESTION_CUE = re.compile(
    r"\b(cause|causes|lead to|leads to|sign of|signs of|warning signs?|symptoms? of|normal to|what if|"
    r"look out for|watch out for|should i worry|do i need to worry)\b",
    re.I,
)
# "My partner noticed a swelling on the right side of my lower back": whoever noticed it, a sign on
# "my" body is the patient's.
_ON_MY_BODY = re.compile(r"\s+(?:on|in|at|around|near|under|over|down)\b[^.?!;]{0,25}?\bmy\b", re.I)
# "Someone rear-ended my car": the phrase itself says whose it is.
_MINE_IN_SPAN = re.compile(r"\b(my|me)\b", re.I)
_FOLLOW_UP_EXAMPLE = re.compile(r"^\W*(like|such as|e\.?g\.?|for example|things like|or)\b", re.I)
# "..., but that was years ago": the whole sentence is the past.
_PAST_SENTENCE = re.compile(
    r"\b(that|it|this) (was|were|happened) (\w+ ){0,3}(years|decades|ages|a long time) ago\b|"
    r"\b(that|it|this) was (years|decades|ages|a long time) ago\b",
    re.I,
)
# The same, within the clause of the mention only ("had sciatica years ago, but this is low down"):
# "had sciatica at school, nothing like that now", "it's gone now", "leg tingle that time".
_PAST_CLAUSE = re.compile(
    r"\blong (time )?ago\b|\b(that time|at the time|back then|those days|in the past)\b|"
    r"\b(nothing|none|gone|cleared( up)?|all clear|better|fine)( like (that|it|this))?"
    r"( since| now| anymore| any more)\b|"
    r"\b(not|no longer|never) (now|anymore|any more|since|these days)\b|"
    r"\b(had|got) [\w ]{1,25}\b(at school|at uni|at university|at college|as a (kid|child|teenager)|"
    r"when i was (young|little|a kid|younger|pregnant|\d+)|years ago|in (19|20)\d\d|last year|back in)\b",
    re.I,
)
# "No balance problems", "no appetite issues": a phrase that starts with "no" ("no balance") is
# not a symptom when a problem noun follows: the "no" negates the problem.
_NO_PROBLEMS_AFTER = re.compile(
    r"\s+(problems?|issues?|troubles?|changes?|difficult(y|ies)|concerns?|worries)\b", re.I
)
_TIME_ONLY = re.compile(r"^(at|during|in|through|every|most|all|throughout)\b", re.I)
_PAIN_WORD = re.compile(
    r"\b(pain\w*|hurt\w*|ache\w*|aching|sore|agony|worse|throb\w*|kill\w*|bad|unbearable|awful|terrible|wak\w*|woke|sleep\w*)\b",
    re.I,
)

# "I had / was treated for / beat ... cancer": a history, whatever follows ("all clear", "in
# remission"); not after "never" or "not" ("I've never had cancer").
_HAD_IT_BEFORE = re.compile(
    r"(?<!never )(?<!not )(?<!n't )(?<!nt )\b(had|have had|i'?ve had|diagnosed with|treated for|survived|"
    r"beat|beaten|got over|recovered from)\b(?!\s+(?:no|any|never))[^.!?]{0,25}$",
    re.I,
)
_NEGATION_BEFORE = re.compile(r"\b(never|not|no|n't|nt|haven't|havent|hasn't)\b[^.!?,;]{0,20}$", re.I)


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
        fact, polarity = ent.label_, ent.ent_id_
        if fact == IGNORE_LABEL or fact not in TRI_FACTS:
            continue
        mine = _ON_MY_BODY.match(doc.text, ent.end_char) or _MINE_IN_SPAN.search(ent.text)
        span = (ent.start_char, ent.end_char, ent.text)
        asserted = polarity == "present" and not ent._.is_negated
        if ent._.is_family and not mine:
            if asserted:  # someone else's ("my dad had cancer"): kept for the record only
                out.append((Mention(fact, "present", *span, person="other"), ent))
            continue
        if ent._.is_uncertain and asserted and not ent._.is_hypothetical:
            # "I think my bum might be a bit numb": possible, so the dialogue asks it next
            out.append((Mention(fact, "present", *span, certainty="possible"), ent))
            continue
        if ent._.is_hypothetical:
            continue  # not a statement ("what if I lose control of my bladder?")
        if ent._.is_historical and fact != "cancer_history":
            if asserted:  # a past episode is not a current symptom; a cancer history always counts
                out.append((Mention(fact, "present", *span, time="past"), ent))
            continue
        sent = sent_of(doc, ent.start)
        if _is_hypothetical_sentence(doc, sent):
            continue
        if fact == "night_pain" and _TIME_ONLY.match(ent.text) and not _PAIN_WORD.search(sent.text):
            continue  # "my hands go to sleep at night": night, but not night *pain*
        c_lo, c_hi = clause(doc, ent)
        # a past phrase in the clause counts when it holds the mention or follows it ("had
        # sciatica at school", "pins and needles, gone now"), not when it ends before it ("my mum
        # had cancer last year and now my lower back hurts")
        clause_past = any(m.end() + c_lo > ent.start_char for m in _PAST_CLAUSE.finditer(doc.text[c_lo:c_hi]))
        past = _PAST_SENTENCE.search(sent.text) or clause_past
        if fact != "cancer_history" and past:
            if asserted:
                out.append((Mention(fact, "present", *span, time="past"), ent))
            continue
        echo = _echo_answer(doc, ent)
        if echo is not None:
            if echo in ("yes", "no") and polarity != "ignore":
                value = "present" if echo == "yes" else "absent"
                out.append((Mention(fact, value, ent.start_char, ent.end_char, ent.text), ent))
            continue
        negated = bool(ent._.is_negated) or _NO_PROBLEMS_AFTER.match(doc.text, ent.end_char) is not None
        if (
            negated
            and fact == "cancer_history"
            and _had_it_before(doc.text[max(0, ent.start_char - 40) : ent.start_char])
        ):
            negated = False  # "I had breast cancer in 2015, all clear now": a history is a history
        if polarity == "present":
            value = "absent" if negated else "present"
        elif polarity == "neutral" and negated:
            value = "absent"
        elif polarity == "absent" and not negated:
            value = "absent"
        else:
            continue
        out.append((Mention(fact, value, ent.start_char, ent.end_char, ent.text), ent))
    return out
