"""The entry points: a message (or a Doc of our pipeline) -> its fact mentions, one per fact.

Runs every reader (symptoms, limbs, age, duration, short replies) over the message, in pieces
when it is long, and resolves conflicts on the safe side.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from spacy.language import Language
from spacy.tokens import Doc

from nlp import dates
from nlp.facts.age import age_mentions
from nlp.facts.durations import duration_mentions
from nlp.facts.limbs import limb_mentions
from nlp.facts.mention import IGNORE_LABEL, NUMBER_FACTS, Mention
from nlp.facts.model import load_nlp
from nlp.facts.pain_context import in_a_pain_clause, in_a_symptom_clause
from nlp.facts.replies import generic_mentions
from nlp.facts.symptoms import tri_mentions
from nlp.facts.text import MAX_TEXT_CHARS, blank_markup, blank_pictographs, chunks
from nlp.spelling import respell, standard_spelling
from triage.engine import ABSENT, PRESENT

# A sign's values that say it is there (the sides say it too).
PRESENT_VALUES = frozenset({PRESENT, "both", "one"})


def _resolve(mentions: list[Mention]) -> list[Mention]:
    """One mention per fact. Conflicts: present beats absent, both beats one (safety first)."""
    rank = {"present": 0, "both": 0, "absent": 1, "one": 1, "yes": 0, "no": 0, "unsure": 0}
    chosen: dict[str, Mention] = {}
    for m in mentions:
        cur = chosen.get(m.fact)
        if cur is None:
            chosen[m.fact] = m
        elif m.fact == "duration_days":
            if int(m.value) > int(cur.value):
                chosen[m.fact] = m  # the longest stated duration is the pain's
        elif m.fact in NUMBER_FACTS or m.fact == "number":
            continue  # first stated wins
        elif rank.get(m.value, 1) < rank.get(cur.value, 1):
            chosen[m.fact] = m
    return sorted(chosen.values(), key=lambda m: (m.start, m.fact))


def extract_facts(
    doc_or_text: Doc | str | None,
    nlp: Language | None = None,
    today: dt.date | None = None,
) -> list[Mention]:
    """The facts the message states about the patient, now and definitely: one mention per fact."""
    return [m for m in extract_mentions(doc_or_text, nlp, today) if m.definite_own_now]


def extract_mentions(
    doc_or_text: Doc | str | None,
    nlp: Language | None = None,
    today: dt.date | None = None,
) -> list[Mention]:
    """All facts the message states about the patient, one definite mention per fact, followed by
    the mentions that are someone else's, past or only possible (for the answer interpreter).

    ``doc_or_text``: raw text, or a Doc already made by this pipeline (e.g. Rasa's SpacyNLP with
    our model). ``today`` anchors relative durations ("since March"); default: the local date.
    """
    if doc_or_text is None:
        return []
    if isinstance(doc_or_text, str):
        # read in the standard spelling ("sinse wednsday", "it nuh numb"); quote the patient's own
        own = doc_or_text[:MAX_TEXT_CHARS]
        if standard_spelling(own) != own:
            standard, starts, ends = respell(own)
            return [_in_own_words(m, own, starts, ends) for m in _mentions(standard, nlp, today)]
    return _mentions(doc_or_text, nlp, today)


def _mentions(doc_or_text: Doc | str, nlp: Language | None, today: dt.date | None) -> list[Mention]:
    """extract_mentions, of a text already in the standard spelling (or a Doc)."""
    text, docs = _parse(doc_or_text, nlp)
    if not docs:
        return []
    today = today or dates.today()
    facts, others, symptom_seen = _symptom_mentions(docs)
    ages = age_mentions(text, today)
    facts += ages
    # ("a gentleman of some seventy-eight years": an age, not how long the pain has lasted)
    durations = [
        d
        for d in duration_mentions(text, today)
        if not any(a.start < d.end and d.start < a.end for a in ages)
    ]
    # "back bad for 3 weeks ... my feet have been numb for 10 years": the pain's time, not the sign's
    # (when a sign's time is the only one said, "numb down there since yesterday", it dates it all:
    # blind annotators read it so, 5 of 37 held-out durations; the sign's own rule is then at least
    # as high as the duration rules, so no under-triage follows from it)
    of_the_pain = [d for d in durations if not in_a_symptom_clause(text, d.start, d.end)] or durations
    # ... and one in a clause that names the pain beats one that does not ("rain here since October")
    facts += [d for d in of_the_pain if in_a_pain_clause(text, d.start, d.end)] or of_the_pain
    facts = _without_pain_worsening(facts)
    facts += generic_mentions(text, facts, symptom_seen)
    definite = _resolve(facts)
    # "i dont know, maybe i lost a little weight ... appetite normal": a part of the sign said maybe
    # is no clear no, so the others' "absent" does not decide it (the hedge travels on instead)
    hedged = {m.fact for m in others if m.value in PRESENT_VALUES and m.is_own_possible_now}
    definite = [m for m in definite if not (m.fact in hedged and m.value == ABSENT)]
    stated = {m.fact for m in definite}
    return definite + [m for m in others if m.fact not in stated]


def _in_own_words(m: Mention, own: str, starts: tuple[int, ...], ends: tuple[int, ...]) -> Mention:
    """A mention found in the respelled message, at the patient's own words."""
    if m.end <= m.start or m.end > len(starts):
        return m
    start, end = starts[m.start], ends[m.end - 1]
    return dataclasses.replace(m, start=start, end=end, text=own[start:end])


def _parse(doc_or_text: Doc | str, nlp: Language | None) -> tuple[str, list[tuple[int, Doc]]]:
    """The text and its (offset, Doc) pieces; no pieces for a blank text."""
    if isinstance(doc_or_text, Doc):
        return doc_or_text.text, [(0, doc_or_text)]
    text = blank_pictographs(blank_markup(str(doc_or_text)[:MAX_TEXT_CHARS]))
    if not text.strip():
        return text, []
    nlp = nlp or load_nlp()
    pieces = chunks(text)
    return text, list(zip((off for off, _ in pieces), nlp.pipe(piece for _, piece in pieces), strict=False))


def _symptom_mentions(docs: list[tuple[int, Doc]]) -> tuple[list[Mention], list[Mention], bool]:
    """Symptom and limb mentions of every piece, at their offsets in the message: the patient's
    own now, the others (someone else's, past, possible), and whether any symptom phrase was seen."""
    facts: list[Mention] = []
    others: list[Mention] = []
    symptom_seen = False
    for offset, doc in docs:
        every = tri_mentions(doc)
        tri = [(m, ent) for m, ent in every if m.definite_own_now]
        others += [_shifted(m, offset) for m, _ in every if not m.definite_own_now]
        found = [m for m, _ in tri] + limb_mentions(doc, tri)
        facts += [_shifted(m, offset) for m in found]
        symptom_seen = symptom_seen or any(ent.label_ != IGNORE_LABEL for ent in doc.ents)
    return facts, others, symptom_seen


def _shifted(m: Mention, offset: int) -> Mention:
    return dataclasses.replace(m, start=m.start + offset, end=m.end + offset)


def _without_pain_worsening(facts: list[Mention]) -> list[Mention]:
    """In "my legs are weak and it's getting worse" the weakness worsens, not the pain, so a pain
    "not improving" read from the same words is dropped."""
    worsening_cues = [m for m in facts if m.fact == "weakness_worsening"]
    return [
        m
        for m in facts
        if not (
            m.fact == "improving"
            and m.value == "absent"
            and any(w.start < m.end and m.start < w.end for w in worsening_cues)
        )
    ]
