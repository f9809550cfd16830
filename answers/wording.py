"""Where words stand in a message: the sentence around a mention (to read it back), whether a
duration is the pain's or another thing's, a lone age, where the pain is."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Optional, Sequence

import yaml

from answers.lead import fold

LOCATIONS_FILE = Path(__file__).resolve().parent / "locations.yml"
# Read-back quotes are cut to this many characters (a sentence, not a paragraph).
MAX_READ_BACK_CHARS = 160
# A reply to the age question with one number in it, in a few words, is the age; plausible ages only.
MAX_AGE_REPLY_WORDS = 6
# Words kept on each side of a fact's words when quoting them for the doctor: enough for the
# negation or the hedge before them ("no not numb nowhere") and what they are about.
QUOTE_CONTEXT_WORDS = 5
# A sentence this short is quoted whole (its negation may stand further back than the window).
QUOTE_WHOLE_SENTENCE_WORDS = 16
MIN_AGE_YEARS, MAX_AGE_YEARS = 1, 120
# (an aside in brackets after it too: "41 (42 next week eek)")
_OPENING_NUMBER = re.compile(r"^\W*(\d{1,3})\s*([.!,;:(]|going on\b|but feel\w*\b|feels like\b)")
_NOT_AN_AGE = re.compile(
    r"\d\s*(days?|d|weeks?|wks?|months?|mths?|hours?|hrs?|ago|kg|kgs|lbs?|km|k|miles?|/10|%|am|pm|st|nd|rd|th)\b",
    re.I,
)
# A sentence ends at ! ? a new line or a full stop that is not a decimal point ("38.5" stays whole).
_SENTENCE_END = re.compile(r"[!?\n]|\.(?!\d)")
_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=\d))+(?:[!?\n]|\.(?!\d))*")
# Words that may stand around a duration in a reply that only tells how long ("i meant the back
# started like 10 days ago"): no answer word, no sign.
_TIME_FILLER = frozenset(
    "i i'm im me my mean meant sorry oh and so er um erm hmm well it it's its been for since started start "
    "began begun about around roughly approx approximately like maybe nearly almost just over under ish "
    "already now ago or back the this that pain ache aching neck was is has had think reckon guess say "
    "probably prob prolly".split()
)
# ... and around a correction of a time said before ("Scratch what I said about 3 weeks, it's
# longer. Since the middle of October."): still only a time.
_CORRECTION_FILLER = frozenset(
    "scratch what said told you longer shorter more less than actually wait correction wrong mistake "
    "earlier before day days week weeks fortnight month months year years a couple few that's thats "
    "bit lot much way got".split()
)
# A message that corrects the time it said before: "scratch what I said about 3 weeks", "not 3
# weeks, longer", "it's longer than that". A duration in it is the pain's (it was the pain's before).
_TIME_SAID = r"(?:\d+|an?|one|two|three|four|five|six|few|couple)\s+(?:days?|weeks?|months?|years?)\b"
_CORRECTS_A_TIME = re.compile(
    rf"\b(?:scratch|forget|ignore)\s+(?:that\s+|what i said\s+(?:about\s+)?|the\s+)?(?:about\s+)?{_TIME_SAID}"
    rf"|\b(?:what i said|what i told you)\s+about\s+(?:the\s+)?{_TIME_SAID}"
    rf"|\bnot\s+(?:about\s+)?{_TIME_SAID}\s*,?\s*(?:it'?s|more like|longer|shorter|more|less)"
    r"|\b(?:it'?s|its|it is|it was|been|it's been)\s+(?:a (?:bit|lot)\s+)?(?:longer|shorter|more|less)"
    r"\s+than\s+(?:that|i said|what i said)",
    re.I,
)
# Where a clause ends inside a sentence: a quote for the summary stays within it.
_CLAUSE_BREAK = re.compile(r"[,;:]|\s[-–—]\s")
# A question tag at the end of a statement: "like ants walking, you know?", "that's normal, isn't it?"
_TAG_QUESTION = re.compile(
    r"[,\s]*\b(you know|y'?know|right|isn'?t it|innit|eh|yeah|ok|okay|see|no|ya know|you see)\W*\?+[\s.!?]*$",
    re.I,
)
# The saddle area in the patient's words (sitting alone is not it: "numb when I sit" may be a leg).
_SADDLE = re.compile(
    r"\b(down there|down below|bum|bottom|buttocks?|bum cheeks?|groin|genitals?|privates|private parts|"
    r"crotch|backside|arse|ass|perineum|taint|inner thighs?|nether regions?|my bits|when i wipe|wiping|"
    r"back passage|insides? (of )?(my|the) thighs|saddle)\b",
    re.I,
)
# Where a question starts inside a sentence that ends in "?": a question word opening a clause
# ("..., should I be worried??", "... 😅 is that normal??"); "is it my neck?" is all question.
_QUESTION_OPENS = re.compile(
    r"(?:^|[,;:!.\u2026)\]]|[^\w\s'\u2019]|\b(?:and|so|but|or)\b)\s*"
    r"\b(?:is|are|should|shall|could|can|do|does|did|will|would|what|why|how|am|must|any chance)\b",
    re.I,
)
# An arm or a leg, or a part of one, named.
_LIMB = re.compile(
    # (the inner thighs, "the inside of the thighs", are the saddle area)
    r"\b(arms?|legs?|hands?|feet|foot|fingers?|toes?|"
    r"(?<!inner )(?<!inside of the )(?<!inside of my )(?<!inside the )(?<!inside my )(?<!insides of the )"
    r"(?<!insides of my )thighs?|"
    r"calf|calves|knees?|shins?|ankles?|wrists?|"
    r"shoulders?|elbows?|hips?)\b",
    re.I,
)
_WHOLE_NUMBER = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.])")
_PAIN_WORDS = re.compile(
    r"\b(pain\w*|hurt\w*|ach\w*|sore\w*|twing\w*|back(?!\s+passage)|neck|spine|sciatica|tweak\w*|pulled|strain\w*|"
    r"put (it|my back) out|did my back)\b",
    re.I,
)
# A sentence that starts with no subject ("Has been for a week or so.", "Since Tuesday.", "Going on
# three weeks"): its subject is the last sentence's.
# A time counted from the strain or fall that began the pain ("since i lifted a pallet at work").
_SINCE_A_STRAIN = re.compile(
    r"\b(since|after|when) (i|we) (\w+ ){0,2}?(lifted|lifting|fell|twisted|bent|picked|carried|carrying|"
    r"moved|moving|slipped|tripped|pulled|pushed|shovell?ed|dug|strained|hurt|did my back|put my back)\b",
    re.I,
)
_NO_SUBJECT = re.compile(r"^\W*(has been|have been|been|since|for|going on|started|began|came on)\b", re.I)
# "It's been the same since last week": the pain's in an opening, but in an answer to the weakness
# question "it" is the weakness.
_IT_WORDS = re.compile(r"\b(did it|it started|it began|it came on|it happened|it'?s been)\b", re.I)
_OTHER_THING_WORDS = re.compile(
    r"\b(numb\w*|tingl\w*|pins and needles|weak\w*|wee(?:s|ing|d)?|pee(?:s|ing|d)?|urine|bladder|bowel\w*|"
    r"poo(?:s|ing|ed|p)?|stool|leak\w*|wet|weight|diet\w*|slimming|tablets?|pills?|meds?|medication|"
    r"amitriptyline|sweat\w*|fever|temperature|lump|swelling|walk\w*|balance|cancer|chemo\w*|job|work\w*|"
    r"retired|married|gym|diabet\w*|ms|multiple sclerosis|stroke|arthritis|prostate|fibro\w*|neuropathy|"
    r"asthma|heart|blood pressure|condition|disease|diagnosed|operation|surgery|shiver\w*|chills|"
    r"hot and cold|flu|jab|vaccin\w*|rain\w*|weather|storm|snow\w*|fell|fall\w*|trip\w*|went over|stumbl\w*|"
    r"wheelchair|paralys\w*|polio|caliper)\b",
    re.I,
)
# A sentence about an earlier episode ("had a bad back in 2024, went in like a week", "I had
# sciatica myself last year"): its duration is that episode's, unless it says "since" or "for the
# last/past".
_PAST_EPISODE = re.compile(
    r"\b(in (19|20)\d\d|last (year|summer|winter|spring|autumn|fall|time)|years ago|back in (19|20)\d\d|"
    r"back in the day|that time|the time (before|when)|once before|previously|the one before)\b",
    re.I,
)
_ONGOING_DURATION = re.compile(r"^\W*(since|from|for the (last|past))\b", re.I)
# ...unless the sentence turns from that episode to this one ("had sciatica years ago but this is
# different, ... for about a week").
_TURN_TO_NOW = re.compile(
    r"\b(but|this time|now|this is|this one|currently|at the moment|these days)\b", re.I
)
# "It's not the middle of my back, it's lower": a place said with a negation just before it.
_NEGATED_PLACE = re.compile(r"\b(not|no|isn'?t|never|nothing in)\W+(\w+\W+){0,3}$", re.I)


@functools.lru_cache(maxsize=1)
def _locations() -> list[tuple[str, re.Pattern[str], bool]]:
    """(label, pattern, fallback): a fallback place counts only when no other is said."""
    rows = yaml.safe_load(LOCATIONS_FILE.read_text(encoding="utf-8")) or []
    return [(str(r["label"]), re.compile(str(r["pattern"]), re.I), bool(r.get("fallback"))) for r in rows]


def pain_location(text: str) -> Optional[str]:
    """Where the pain is, in a clinician's words ("lower back", "neck and upper back"), if said."""
    folded = fold(text)
    said = [
        (label, fallback)
        for label, pattern, fallback in _locations()
        if any(not _NEGATED_PLACE.search(folded[: m.start()]) for m in pattern.finditer(folded))
    ]
    found = [label for label, fallback in said if not fallback] or [label for label, _ in said]
    return " and ".join(found) if found else None


def sentences(text: str) -> list[str]:
    """The message's sentences (a full stop between digits is a decimal point)."""
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def statements(text: str) -> str:
    """The message without its questions: "Tweaked my lower back. Can I still fly?" -> the first;
    "my lower back has been achy for 10 days 😅 is that normal??" -> what comes before the question."""
    out = []
    for sentence in _SENTENCE.findall(text):
        if not sentence.rstrip().endswith("?"):
            out.append(sentence)
            continue
        asked = _QUESTION_OPENS.search(sentence)
        if asked is not None:
            out.append(sentence[: asked.start()])
    return " ".join(out)


def only_a_time(text: str, words: str) -> bool:
    """The message says how long (or since when) and nothing else: "About two weeks now.", "i meant
    the back started like 10 days ago" (the rest of an opening sent in two halves)."""
    at = text.find(words) if words else -1
    if at < 0:
        return False
    rest = (text[:at] + " " + text[at + len(words) :]).lower().replace("\u2019", "'")
    filler = _TIME_FILLER | _CORRECTION_FILLER if corrects_a_time(text) else _TIME_FILLER
    return all(w in filler for w in re.findall(r"[a-z']+", rest))


def names_the_pain(text: str) -> bool:
    """The words name the pain or the back ("the pain hasn't changed"), not just "it"."""
    return _PAIN_WORDS.search(text) is not None


def corrects_a_time(text: str) -> bool:
    """The message corrects how long it said before ("scratch what I said about 3 weeks")."""
    return _CORRECTS_A_TIME.search(text) is not None


def names_the_saddle(text: str) -> bool:
    """The saddle area named ("gone a bit dead down there when i wipe"), not just sitting."""
    return _SADDLE.search(text) is not None


def names_a_limb(text: str) -> bool:
    """Whether an arm or a leg (or a part of one) is named: "no, only my feet are numb" is about
    the limbs, "no numbness there" to the saddle question is not."""
    return _LIMB.search(text) is not None


def general_place(where: str) -> bool:
    """Whether a place is only the general one ("back"): a later, more exact one replaces it."""
    return any(fallback and label == where for label, _, fallback in _locations())


def quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_READ_BACK_CHARS else text[: MAX_READ_BACK_CHARS - 1].rstrip() + "\u2026"


def in_first_sentence(text: str, start: int) -> bool:
    """Whether a position lies in the message's first sentence ("yes, all fine" vs "well yeah.
    just the right foot... rest of me's fine")."""
    end = _SENTENCE_END.search(text)
    return end is None or start <= end.start()


def sentence_around(text: str, words: str) -> str:
    """The sentence of the message that holds these words (for reading them back)."""
    pos = text.find(words) if words else -1
    if pos < 0:
        return quote(text)
    # a full stop between digits is a decimal point ("temp was 38.4"), not the sentence's end
    stops = [m.start() for m in _SENTENCE_END.finditer(text)]
    start = max([i for i in stops if i < pos], default=-1) + 1
    ends = [i for i in stops if i >= pos + len(words)]
    return quote(text[start : (min(ends) + 1 if ends else len(text))].strip())


# A negation in a sentence: it does not say the sign is there.
_NEGATED = re.compile(r"\b(no|not|never|none|nothing)\b|n'?t\b", re.I)


def sentence_saying(text: str, words: str) -> str:
    """The sentence that says the sign is there, for a read-back: "No, I don't have cancer now. But
    I had breast cancer in 2015" reads back the second; else the first that holds the words."""
    for sentence in sentences(text):
        if words and words.lower() in sentence.lower() and not _NEGATED.search(sentence):
            return quote(sentence.strip())
    return sentence_around(text, words)


def words_around(text: str, words: str) -> str:
    """The words with what stands around them in their sentence (for the doctor's summary):
    "not numb nowhere", "I don't fall", "Not improving", never the bare "numb" / "fall" /
    "improving" that would read as the opposite."""
    sentence = sentence_around(text, words) if words else ""
    tokens = sentence.split()
    if len(tokens) <= max(QUOTE_WHOLE_SENTENCE_WORDS, QUOTE_CONTEXT_WORDS * 2 + len(words.split())):
        return sentence  # "Not have weakness po, I can stand on the tip of foot.": all of it
    at = sentence.find(words)
    if at < 0:
        return sentence
    before = [m.start() for m in re.finditer(r"\S+", sentence[:at])][-QUOTE_CONTEXT_WORDS:]
    after = [m.end() for m in re.finditer(r"\S+", sentence[at + len(words) :])][:QUOTE_CONTEXT_WORDS]
    start = before[0] if before else at
    end = at + len(words) + (after[-1] if after else 0)
    # within its clause: "today I wet myself without noticing", not "...noticing, and it feels"
    cut_before = max((m.end() for m in _CLAUSE_BREAK.finditer(sentence, start, at)), default=start)
    cut_after = next((m.start() for m in _CLAUSE_BREAK.finditer(sentence, at + len(words), end)), end)
    return sentence[cut_before:cut_after].strip()


def about_the_pain(text: str, words: str, answering: bool, signs: Sequence[str] = ()) -> bool:
    """A duration said in a sentence about the pain; in an opening, also one about nothing else
    in particular ("About 2 weeks."). In an answer to another question it must name the pain:
    "that is new, since yesterday" to the fever question dates the fever. ``signs``: the words of
    the signs the message states; a sentence that holds one and no pain word dates that sign
    ("cant even do a jimmy riddle proper since yesterday")."""
    if words and re.search(r"\b(than|as)\s+" + re.escape(words), text, re.I):
        return False  # "the leg is worse today than yesterday": a comparison, no start
    if corrects_a_time(text):
        return True  # "Scratch what I said about 3 weeks, it's longer. Since the middle of October."
    sentence = sentence_around(text, words) if words else text
    if not answering and _SINCE_A_STRAIN.search(sentence):
        return True  # "been 10 days since i lifted a pallet at work": the pain's start, told in an opening
    if not _PAIN_WORDS.search(sentence) and any(w and w in sentence for w in signs):
        return False
    past = _PAST_EPISODE.search(sentence)
    if past and not _ONGOING_DURATION.search(words or ""):
        at = sentence.find(words) if words else -1
        between = sentence[past.end() : at] if at > past.end() else ""
        if not _TURN_TO_NOW.search(between):
            return False
    if _PAIN_WORDS.search(sentence) or (not answering and _IT_WORDS.search(sentence)):
        return True
    if _NO_SUBJECT.match(sentence):
        # "It is numb round the back passage. Has been for a week or so.": a sentence with no
        # subject goes on about the one before it
        at = text.find(sentence.rstrip("\u2026"))
        before = text[:at].strip() if at > 0 else ""
        last = sentence_around(before, before[-20:]) if before else ""
        if _PAIN_WORDS.search(last):
            return True  # "low back, a dull ache across both sides. been going since september"
        if _OTHER_THING_WORDS.search(last):
            return False
    return not answering and not _OTHER_THING_WORDS.search(sentence)


def sentence_and_next(text: str, words: str) -> str:
    """The sentence holding the words and the one after ("...tingle sometimes. None of that has
    changed."): where an explanation of a mention usually is."""
    first = sentence_around(text, words)
    start = text.find(first.rstrip("\u2026"))
    rest = text[start + len(first) :] if start >= 0 else ""
    return f"{first} {sentence_around(rest, rest.strip()[:20]) if rest.strip() else ''}"


# A clause before the last one of a "?" sentence is a statement only if it is this long and asks
# nothing itself ("...down below that feels kind of numb like when i wipe, thought thats the
# stitches?"; not "Numb in what sense, reduced sensation?").
MIN_STATEMENT_WORDS = 6
_WH_WORD = re.compile(
    r"\b(what|which|how|why|who|whether)\b", re.I
)  # ("when", "where": mostly joining words)


def in_a_question(text: str, words: str) -> bool:
    """The words stand in a sentence that asks something ("do you think it's cancer???")."""
    if not words:
        return False
    sentence = _TAG_QUESTION.sub("", sentence_around(text, words))  # "..., you know?" asks nothing
    if "?" not in sentence:
        return False
    # where the question starts: a question word opening a clause, else the last clause before
    # the "?" ("... when i wipe i cant really feel it, thought thats the stitches still?")
    opens = _QUESTION_OPENS.search(sentence)
    mark = sentence.index("?")
    start = opens.start() if opens else max(sentence.rfind(c, 0, mark) for c in ",;:") + 1
    before = sentence[:start]
    if not opens and (len(before.split()) < MIN_STATEMENT_WORDS or _WH_WORD.search(before)):
        start = 0  # "Numb in what sense, reduced sensation?": all one question
    at = sentence.lower().find(words.lower())
    return at < 0 or at + len(words) > start


def lone_age(text: str) -> Optional[int]:
    """The one whole number in a short reply to "how old are you?" ("71 this year", "71 po"),
    or a number that opens the reply on its own ("45. Do I need to call my oncologist?")."""
    opening = _OPENING_NUMBER.match(text)
    if opening is not None:
        text = opening.group(1)
    if len(text.split()) > MAX_AGE_REPLY_WORDS:
        return None
    numbers = _WHOLE_NUMBER.findall(text)
    if len(numbers) != 1 or _NOT_AN_AGE.search(text):
        return None  # "10 days ago" (meant for the duration question) is no age
    value = int(numbers[0])
    return value if MIN_AGE_YEARS <= value <= MAX_AGE_YEARS else None


def to_number(value: Any) -> Optional[int]:
    try:
        number = int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None
