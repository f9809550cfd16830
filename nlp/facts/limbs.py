"""Sides of a present weakness or numbness ("both legs", "just the left") and whether a present
weakness is getting worse: the nearest cue in its clause (or in a following "It's getting worse.").
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc, Span

from nlp.facts.lexicon import cue_regexes, regexes
from nlp.facts.mention import LIMB_FACTS, Mention
from nlp.facts.text import clause, find_all, nearest, sent_of

# A cue found in a text: (start, end, value).
Cue = tuple[int, int, str]
# How far after a weakness sentence a pronoun sentence ("It's getting worse.") still refers to it.
FOLLOW_SENTENCES = 1
_PRONOUN_START = regexes("symptom_context")["pronoun_start"]


def _as_the_sign(follow_up: Mention, sign: Mention) -> Mention:
    """Whose, when and how sure a follow-up is: as the sign it qualifies ("both her feet" is hers)."""
    return replace(follow_up, time=sign.time, person=sign.person, certainty=sign.certainty, who=sign.who)


def limb_mentions(doc: Doc, tri: list[tuple[Mention, Span]]) -> list[Mention]:
    """Sides of a present weakness/numbness, and whether a present weakness is getting worse."""
    cues = cue_regexes()
    text = doc.text
    out: list[Mention] = []
    for mention, ent in tri:
        if mention.fact not in LIMB_FACTS or mention.value != "present":
            continue
        lo, hi = clause(doc, ent)
        side_cues = list(find_all(cues["both"], text, lo, hi, "both"))
        side_cues += list(find_all(cues["one"], text, lo, hi, "one"))
        best = nearest(side_cues, mention.start, mention.end)
        if best is not None:
            sides = Mention(f"{mention.fact}_sides", best[2], best[0], best[1], text[best[0] : best[1]])
            out.append(_as_the_sign(sides, mention))
        if mention.fact == "weakness":
            trend = _worsening(doc, ent, lo, hi)
            if trend is not None:
                out.append(_as_the_sign(trend, mention))
    return out


def trend_cues(text: str, lo: int, hi: int) -> tuple[list[Cue], list[Cue]]:
    """The 'not getting worse' cues ("absent") and the 'getting worse' ones ("present") in
    text[lo:hi]; a "worse" inside a "not getting worse" is the steady cue's only."""
    cues = cue_regexes()
    stable = list(find_all(cues["stable"], text, lo, hi, "absent"))
    worse = [
        w
        for w in find_all(cues["worse"], text, lo, hi, "present")
        if not any(s[0] <= w[0] < s[1] or w[0] <= s[0] < w[1] for s in stable)
    ]
    return stable, worse


def of_the_pain(text: str, lo: int, cue: Cue) -> bool:
    """The cue follows a pain word ("the pain is getting worse"): the pain's trend, not a weakness's."""
    return cue_regexes()["pain_subject"].search(text[lo : cue[0]]) is not None


def _worsening(doc: Doc, ent: Span, lo: int, hi: int) -> Mention | None:
    """Nearest 'getting worse' / 'not getting worse' cue in the clause or the next pronoun sentence."""
    text = doc.text
    ranges = [(lo, hi)]
    sent = sent_of(doc, ent.start)
    for _ in range(FOLLOW_SENTENCES):
        if sent.end >= len(doc):
            break
        sent = sent_of(doc, sent.end)
        if _PRONOUN_START.search(sent.text):
            ranges.append((sent.start_char, sent.end_char))
    found: list[Cue] = []
    for r_lo, r_hi in ranges:
        stable, worse = trend_cues(text, r_lo, r_hi)
        found += [cue for cue in stable + worse if not of_the_pain(text, r_lo, cue)]
    # present first so that, at equal distance, worsening (the emergency) wins
    found.sort(key=lambda c: c[2] != "present")
    best = nearest(found, ent.start_char, ent.end_char)
    if best is None:
        return None
    return Mention("weakness_worsening", best[2], best[0], best[1], text[best[0] : best[1]])
