"""The patient's age: "I'm 62", "62 years old", "62yo", "aged 62", "in my late 50s", "born in 1971",
"I'll be 60 at Christmas" -- and not someone else's ("my 62 year old mum").
"""

from __future__ import annotations

import datetime as dt
import re

from nlp import dates
from nlp.facts.lexicon import regexes, words
from nlp.facts.mention import Mention
from nlp.facts.numbers import NUM, number_value
from nlp.facts.onset import MONTH_RE, MONTHS

# Plausible ages for "I'm N" (smaller numbers there are usually "I'm 6 weeks into this").
MIN_AGE, MAX_AGE = 12, 110
# An age put right by a year or two needs no "I'm" to be an age ("74 - no wait, 73. 74 in January").
MAX_AGE_SLIP = 2
DECADE_OFFSET = {"early": 0, "mid": 5, "late": 7, "": 0}  # "in my late 50s" -> 57

_AGE_NOT_UNIT = (
    r"(?!\s*(?:%|'|\"|-?\s*(?:weeks?|wks?|days?|months?|mths?|hours?|hrs?|minutes?|mins?|kg|kgs|kilos?|"
    r"lbs?|pounds?|stone|st|cm|ft|feet|foot|inches|times?|x|out of|/|mg|percent|th|nd|rd|pm|am|"
    r"o'?clock|miles?|steps?|years? (?:into|ago|since|of|with)|yrs? (?:into|ago))\b))"
)
DECADE_WORDS = {w: 10 * (i + 2) for i, w in enumerate(words("age")["decades"])}
_AGE_PATTERNS = [
    # "18 and I hurt my back", "45, lower back pain": a two-digit number opening the message.
    re.compile(r"^\W*(?P<n>\d{2})\s*(?:,|\band\b|;)(?!\s*(?:days?|weeks?|months?|years?|hours?)\b)", re.I),
    # "About 2 weeks. 33." / "back pain 3 days, 57": a lone two-digit number closing a description.
    re.compile(r"(?:[.!?,;]\s*)(?P<n>\d{2})\s*[.!]?\s*$"),
    # "lower back, 4 days, 25, from footy": a lone two-digit item in a comma list.
    re.compile(r"(?:^|,)\s*(?P<n>\d{2})\s*,(?!\s*(?:days?|weeks?|months?|years?|hours?)\b)", re.I),
    re.compile(
        r"\b(?:i'?m|i am|im)\s+(?:now\s+|only\s+|just\s+|nearly\s+|almost\s+|about\s+|actually\s+)?"
        rf"(?P<n>{NUM})\b{_AGE_NOT_UNIT}(?!\s+(?:and\s+a\s+half\s+)?(?:weeks?|days?|months?)\b)",
        re.I,
    ),
    re.compile(rf"\b(?P<n>{NUM})\s*-?\s*(?:years?|yrs?|yr|y)\s*-?\s*old\b", re.I),
    # "I am Sunita, 58 years.", "I am 52 years, bus driver": years without "old" after "I am"
    re.compile(
        r"\b(?:i'?m|i am|im)\s+(?:[a-z]+\s*,\s*)?(?P<n>\d{2,3})\s*(?:years?|yrs?)\b"
        r"(?!\s*(?:ago|of|with|since|in|into|back|now|and)\b)",
        re.I,
    ),
    # "I am bus driver, 52 years.": the age as the last item of a sentence about oneself
    re.compile(
        r"\b(?:i'?m|i am|im)\b[^.!?\d]{0,30},\s*(?P<n>\d{2,3})\s*(?:years?|yrs?)\b"
        r"(?!\s*(?:ago|of|with|since|in|into|back|now|and)\b)",
        re.I,
    ),
    # "I have 54 years", "mwen gen 74 an", "tengo 61 años": the age as other languages say it
    re.compile(
        r"\b(?:i have|i got|i've got|mwen gen|m gen|tengo|j'?ai)\s+(?P<n>\d{2,3})\s*"
        r"(?:years?|yrs?|an|ans|años|anos)\b"
        r"(?!\s*(?:ago|of|with|since|in|into|back|now|that|i)\b)",
        re.I,
    ),
    re.compile(r"\b(?P<n>\d{1,3})\s*(?:yo|y/o|y\.o\.?|yrs?\s*old)\b", re.I),
    re.compile(rf"\b(?P<n>{NUM})\s*(?:years?|yrs?)\s+of\s+age\b", re.I),
    re.compile(
        r"^\W*(?:male|female|man|woman|m|f)\W{1,3}(?P<n>\d{2})\b(?!\s*(?:days?|weeks?|months?|kg|lbs?))", re.I
    ),
    # "52M. lower back pain", "G'day. 41M, lower back": age and sex in the clinic's shorthand, at
    # the start of a sentence (never "20m walk" or "10m ago" inside one)
    re.compile(
        r"(?:^|[.!?;:]\s+)\W*(?P<n>[1-9]\d)\s?(?:m|f|male|female|yo ?m|yo ?f)\b(?=\s*(?:[,.;:/]|$))", re.I
    ),
    re.compile(
        r"(?<!since the )(?<!at the )(?<!from the )(?<!of the )"
        rf"\bage(?:d)?\s*(?::|=|-|is|of)?\s*(?P<n>{NUM})\b{_AGE_NOT_UNIT}",
        re.I,
    ),
    # "at 81 I suppose that is to be expected", "at 67, you expect aches": 25 and over only (a time
    # of day is 1-12, or 13-23 in a 24-hour clock: "at 20 I take my tablets").
    re.compile(
        r"\bat\s+(?P<n>2[5-9]|[3-9]\d|1[01]\d),?\s+(?:i|you|one|that|it'?s|what|who|we)\b(?!\s*(?:am|pm)\b)",
        re.I,
    ),
    re.compile(rf"\b(?:just\s+|recently\s+)?turned\s+(?P<n>{NUM})\b{_AGE_NOT_UNIT}", re.I),
    # "no worse than you'd expect of a man of 62", "a gentleman of some seventy-eight years"
    re.compile(
        r"\b(?:a|an)\s+(?:old\s+)?(?:man|woman|lady|gentleman|chap|bloke|fella|girl|lad|guy|gal|person)\s+"
        rf"of\s+(?:some\s+|about\s+|around\s+|nearly\s+)?(?P<n>{NUM})\b"
        r"(?!\s*(?:stone|st|kg|kilos|pounds|lbs?|cm|inches|feet|ft)\b)",
        re.I,
    ),
    # "seventy-eight is my age", "62 is my age"
    re.compile(rf"\b(?P<n>{NUM})\s+(?:is|'s)\s+my\s+age\b", re.I),
    re.compile(
        r"\bin my (?P<part>early |mid |mid-|late )?(?P<decade>[2-9]0)'?s\b|"
        r"\bin my (?P<part2>early |mid |mid-|late )?"
        rf"(?P<word>{'|'.join(DECADE_WORDS)})\b",
        re.I,
    ),
]
# A birth year ("born in June 1971", "b. 1948", "I'm a 1962 baby").
_BORN = re.compile(
    r"\b(?:born|b\.)\s+(?:in\s+|on\s+)?(?:(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?)?"
    rf"(?:{MONTH_RE}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?)?(?P<year>(?:19|20)\d\d)\b",
    re.I,
)
# An age the patient is about to reach ("I'll be 60 at Christmas", "turning 50 next month").
_AGE_NEXT = re.compile(
    rf"\b(?:i'?ll be|i will be|i'?m going to be|i'?m gonna be|i'?m turning|turning|i turn)\s+(?P<n>{NUM})\b"
    rf"{_AGE_NOT_UNIT}",
    re.I,
)
_AGE = regexes("age")
_OTHER_PERSON_AFTER = _AGE["other_person_after"]
_OTHER_PERSON_BEFORE = _AGE["other_person_before"]


# An age taken back and said again: "Im 87 no Im 88", "74 - no wait, 73", "82, sorry 83".
_AGE_CORRECTED = re.compile(
    r"\b(?P<old>\d{2,3})\W+(?:(?:no|nope|sorry|wait|i mean|actually|rather|or rather)\W+)+"
    r"(?:i'?m\s+|im\s+|i am\s+)?(?P<new>\d{2,3})\b(?!\s*(?:days?|weeks?|months?|years? ago)\b)",
    re.I,
)


def age_mentions(text: str, today: dt.date | None = None) -> list[Mention]:
    """'I'm 62', '62 years old', '62yo', 'aged 62', 'age: 62', 'in my 50s' (not someone else's);
    failing those, a birth year, then an age about to be reached. An age taken back ("Im 87 no
    Im 88") is the one said after."""
    stated = _stated_ages(text)
    for m in _AGE_CORRECTED.finditer(text):
        old, new = int(m.group("old")), int(m.group("new"))
        slip = abs(old - new) <= MAX_AGE_SLIP and MIN_AGE <= old <= MAX_AGE  # "74 - no wait, 73"
        if (slip or any(a.value == m.group("old") for a in stated)) and MIN_AGE <= new <= MAX_AGE:
            return [Mention("age", str(new), m.start("new"), m.end("new"), m.group("new"))]
    today = today or dates.today()
    return stated or _birth_year_age(text, today) or _next_birthday_age(text)


def _stated_ages(text: str) -> list[Mention]:
    out: list[Mention] = []
    for pattern in _AGE_PATTERNS:
        for m in pattern.finditer(text):
            value = _stated_age(text, m)
            if value is not None:
                out.append(Mention("age", str(int(value)), m.start(), m.end(), text[m.start() : m.end()]))
    return out


def _stated_age(text: str, m: re.Match[str]) -> float | None:
    """The age one match states, or None when it is someone else's or implausible."""
    if _OTHER_PERSON_AFTER.search(text[m.end() : m.end() + 30]):
        return None  # "my 62 year old mum"
    if _someone_else_before(text, m):
        return None  # "my dad is 62 years old"
    value = number_value(m.group("n")) if m.groupdict().get("n") else _decade_age(m)
    if value is None or not MIN_AGE <= value <= MAX_AGE:
        return None
    return value


def _decade_age(m: re.Match[str]) -> int:
    """'in my late 50s' -> 57, 'in my forties' -> 40."""
    decade = m.group("decade")
    base = int(decade) if decade else DECADE_WORDS[m.group("word").lower()]
    part = (m.group("part") or m.group("part2") or "").strip().rstrip("-").lower()
    return base + DECADE_OFFSET.get(part, 0)


def _someone_else_before(text: str, m: re.Match[str]) -> bool:
    return _OTHER_PERSON_BEFORE.search(text[max(0, m.start() - 40) : m.start()]) is not None


def _birth_year_age(text: str, today: dt.date) -> list[Mention]:
    """'I was born in June 1971': the age today (the first plausible birth date of the patient's)."""
    for m in _BORN.finditer(text):
        if _someone_else_before(text, m):
            continue
        year = int(m.group("year"))
        month_name = (m.group("month") or "").lower()[:3]
        month = next((v for k, v in MONTHS.items() if k.startswith(month_name)), 1) if month_name else 1
        age = today.year - year - (1 if month_name and month > today.month else 0)
        if MIN_AGE <= age <= MAX_AGE:
            return [Mention("age", str(age), m.start(), m.end(), m.group(0))]
    return []


def _next_birthday_age(text: str) -> list[Mention]:
    """'I'll be 60 at Christmas': 59 until then (the first plausible one)."""
    for m in _AGE_NEXT.finditer(text):
        value = number_value(m.group("n"))
        if value is not None and MIN_AGE < value <= MAX_AGE:
            return [Mention("age", str(int(value) - 1), m.start(), m.end(), m.group(0))]
    return []
