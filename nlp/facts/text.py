"""Text and span helpers the readers share: message sizes, sentences, clauses, nearest cues.

Offsets always point into the original message (markup is blanked, not removed), so every
Mention's span can be shown back to the patient or the clinician.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from typing import Iterable, Iterator

from spacy.tokens import Doc, Span

# Longer input is cut: a chat message is never this long, and it bounds the time per message.
MAX_TEXT_CHARS = 20_000
# Long text is processed in pieces cut at sentence ends: ConText compares every modifier with
# every other (quadratic), and no scope crosses a sentence, so pieces give the same facts faster.
CHUNK_CHARS = 1_000
# Bare replies ("both legs", "just the left", "about 45") are short; longer text is a statement.
MAX_BARE_REPLY_WORDS = 8
_SENT_INDEX_KEY = "triage_facts_sent_index"

_CLAUSE_BREAK = re.compile(r"\b(?:but|however|whereas|while|whilst|although|though|except)\b|;")
WORD = re.compile(r"[\w']+")
_MARKUP = re.compile(r"<[^<>]{0,200}>|&(?:nbsp|amp|lt|gt|quot|#\d{1,5});")


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """Char span of the sentence around ``pos`` (regex split: used where no Doc is at hand)."""
    start = max(text.rfind(c, 0, pos) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, pos) for c in ".!?\n") if i != -1]
    return start, (min(ends) if ends else len(text))


def blank_markup(text: str) -> str:
    """HTML tags / entities -> spaces of the same length, so offsets still point into the original."""
    return _MARKUP.sub(lambda m: " " * len(m.group(0)), text)


# Emoji and other pictographs (Unicode "other symbol"), their joiners and variation selectors:
# no pattern reads them, and each is a token of its own, which the pattern matchers pay for (a
# message of 10,000 emoji took seconds); blanked, a run of them is one whitespace token.
_PICTOGRAPH_CATEGORIES = frozenset({"So", "Co", "Cn"})
_EMOJI_GLUE = frozenset("\u200d\ufe0e\ufe0f\u20e3") | frozenset(map(chr, range(0x1F3FB, 0x1F400)))


def blank_pictographs(text: str) -> str:
    """Emoji and other pictographs -> spaces (one per code point: offsets are unchanged)."""
    if text.isascii():
        return text
    return "".join(" " if _is_pictograph(c) else c for c in text)


def _is_pictograph(c: str) -> bool:
    return c in _EMOJI_GLUE or (ord(c) > 0x7F and unicodedata.category(c) in _PICTOGRAPH_CATEGORIES)


def chunks(text: str) -> list[tuple[int, str]]:
    """(offset, piece) pieces of at most CHUNK_CHARS, cut after a sentence end where possible."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > CHUNK_CHARS:
        window = text[start : start + CHUNK_CHARS]
        cut = max(window.rfind(c) for c in ".!?\n")
        if cut <= 0:
            cut = window.rfind(" ")
        cut = start + (cut + 1 if cut > 0 else CHUNK_CHARS)
        pieces.append((start, text[start:cut]))
        start = cut
    pieces.append((start, text[start:]))
    return pieces


def sent_of(doc: Doc, token_i: int) -> Span:
    """The sentence holding token ``token_i``, via an index cached on the doc.

    Why: ``Span.sent`` rescans the whole doc on every call in spaCy 3.4, which made a
    10,000-character message take seconds; this is one bisect per lookup.
    """
    index = doc.user_data.get(_SENT_INDEX_KEY)
    if index is None:
        sents = list(doc.sents) or [doc[:]]
        index = ([s.start for s in sents], sents)
        doc.user_data[_SENT_INDEX_KEY] = index
    starts, sents = index
    return sents[max(0, bisect.bisect_right(starts, token_i) - 1)]


def clause(doc: Doc, span: Span) -> tuple[int, int]:
    """Char span of the clause holding ``span``: its sentence cut at 'but', 'however', ';'..."""
    sent = sent_of(doc, span.start)
    s_start, s_end = sent.start_char, sent.end_char
    start, end = s_start, s_end
    for m in _CLAUSE_BREAK.finditer(doc.text, s_start, s_end):
        if m.end() <= span.start_char:
            start = m.end()
        elif m.start() >= span.end_char:
            end = m.start()
            break
    return start, end


def nearest(matches: Iterable[tuple[int, int, str]], start: int, end: int) -> tuple[int, int, str] | None:
    """The cue nearest to [start, end); ties go to the first listed (callers list safer first)."""
    best, best_dist = None, None
    for m in matches:
        dist = 0 if m[0] < end and start < m[1] else min(abs(m[0] - end), abs(start - m[1]))
        if best_dist is None or dist < best_dist:
            best, best_dist = m, dist
    return best


def find_all(
    patterns: list[re.Pattern[str]], text: str, lo: int, hi: int, tag: str
) -> Iterator[tuple[int, int, str]]:
    """(start, end, tag) of every match of ``patterns`` in text[lo:hi], pattern by pattern."""
    for p in patterns:
        for m in p.finditer(text, lo, hi):
            yield (m.start(), m.end(), tag)
