"""Whether a time phrase is about the patient's own pain: the cues that tell a start ("since I
lifted"), the pain now ("my back hurts"), someone else's sentence, another condition ("in
remission 5 years") or a past history ("had sciatica 10 years ago") apart.
"""

from __future__ import annotations

import re

from nlp.facts.text import WORD, sentence_bounds

# The patient's pain, now: "I have pain", "my back hurts", "it's been aching".
PAIN_NOW = re.compile(
    r"\b(i have|i've got|i've had|i get|i'm getting|i am getting|i feel|i'm in)\b[^.?!]{0,20}"
    r"\b(pain|ache|aches|aching|soreness|backache)\b"
    r"|\b(my|the) [\w ]{0,25}\b(hurts|aches|is sore|is painful)\b",
    re.I,
)
START_CUE = re.compile(
    r"\b(start\w*|began|begun|begin|came on|come on|kicked (?:off|in)|first|since|happened|fell|"
    r"fall|did it|did my back|hurt (?:it|my back|myself)|lifted|lifting|twisted|pulled|strained|"
    r"injur\w+|crash\w*|accident|rear.?ended|hit by|knocked|came off|slipped|tripped|noticed|"
    r"going on|had it|woke up with|been like this|onset|tweak\w*|hurt|hurting|went|ricked|cricked|"
    r"jarred|wrenched|sprain\w*|overdid|put (?:it|my back) out|playing|deadlift\w*|hoovering|"
    r"gardening|bec[ao]me|bent|twing\w*|got (?:sore|bad|painful|worse|stiff)|after|training|developed|"
    r"appeared)\b",
    re.I,
)
FAMILY_WORD = re.compile(
    r"\b(mum|mom|mother|dad|father|husband|wife|son|daughter|brother|sister|friend|partner|"
    r"neighbou?r|uncle|aunt|grandma|grandad|grandpa|gran|nan|he|she|his|her)\b",
    re.I,
)
FIRST_PERSON_WORD = re.compile(r"\b(i|i'm|i've|im|ive|me|myself)\b|\bmy (back|pain|neck|legs?)\b", re.I)
NOT_PAIN_CONTEXT = re.compile(
    r"(cancer|remission|free|clear|chemo\w*|radiotherapy|treatment|diabetic|diabetes|asthma\w*|arthritis|"
    r"fibromyalgia|ms|stroke|prostate|married|retired|smok\w*|pregnant|vegan|sober)[^\w.!?;]+(\w+[^\w.!?;]+){0,2}$",
    re.I,
)
HISTORY_ONLY = re.compile(r"\b(?:had|used to have|got over|recovered from)\b", re.I)


# A clause about the patient's own pain ("dull ache in my lower back, 7 weeks, I'm 58").
_OWN_PAIN_CLAUSE = re.compile(
    r"\b(my|it'?s|it has|it's been|this)\b.*"
    r"\b(pain\w*|ache\w*|aching|hurt\w*|sore|stiff\w*|back|neck|spine)\b"
    r"|\b(pain\w*|ache\w*|aching|hurt\w*|sore|stiff\w*)\b",
    re.I,
)


MAX_BARE_DURATION_SENTENCE_WORDS = 3  # "3 days." or "about 2 weeks." standing alone


def bare_duration_of_the_pain(text: str, m: re.Match) -> bool:
    """A bare "7 weeks" set off by commas or a full stop in a sentence about the patient's own pain.

    ("...lower back stiffness from sleeping funny, 2 days.") A history or someone else's sentence,
    or a number inside a clause ("had surgery 7 weeks"), does not count.
    """
    before = text[max(0, m.start() - 2) : m.start()]
    after = text[m.end() : m.end() + 2]
    set_off = (
        re.search(r"[,;.]\s*$|^\s*$", before) is not None and re.match(r"\s*([,.;!]|$)", after) is not None
    )
    if not set_off:
        return False
    s_lo, s_hi = sentence_bounds(text, m.start())
    sentence = text[s_lo:s_hi]
    if len(WORD.findall(sentence)) <= MAX_BARE_DURATION_SENTENCE_WORDS:
        sentence = text  # "Lower back pain after gardening. 3 days. Age 30.": the message is the context
    if HISTORY_ONLY.search(sentence) or (
        FAMILY_WORD.search(sentence) and not FIRST_PERSON_WORD.search(sentence)
    ):
        return False
    return _OWN_PAIN_CLAUSE.search(sentence) is not None
