"""How long the pain has lasted, in days: "3 weeks", "a month and a half", "for years", "in the
last week", and the start dates of nlp/facts/onset.py and nlp/dates.py counted back from today.
"""

from __future__ import annotations

import datetime as dt
import re

from nlp.facts.lexicon import regexes
from nlp.facts.mention import Mention
from nlp.facts.numbers import NUM, number_value
from nlp.facts.onset import onset_days
from nlp.facts.pain_context import (
    HISTORY_ONLY,
    PAIN_NOW,
    bare_duration_of_the_pain,
    not_patients_pain,
    start_cue_around,
)
from nlp.facts.text import MAX_BARE_REPLY_WORDS, WORD, sentence_bounds

DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}
# "for years" / "for months" without a number: the smallest plural (2 of the unit).
VAGUE_PLURAL_COUNT = 2
# "like 10 days ago", "oh about 2 weeks ago I think": a reply of a few words around an "ago" dates
# the pain even with no start word.
MAX_WORDS_AROUND_AGO = 3
# "over a month", "more than 6 weeks": strictly more, so the rules' "more than N days" hold.
MORE_THAN_EXTRA_DAYS = 1

_UNITS = r"(?P<unit>days?|d|weeks?|wks?|wk|w|fortnights?|months?|mths?|mnths?|mos?|years?|yrs?|yr)"
_QTY = (
    rf"(?P<qty>{NUM}(?:\s+and\s+(?:a\s+)?half)?|a couple of|couple of|a couple|a few|few|several|"
    r"half an?|an?)(?:(?<=\d)|\b)"
)
_PRE = (
    r"(?P<pre>(?:(?:for|since|past|last|about|around|over|almost|nearly|roughly|approximately|"
    r"approx|more than|less than|under|at least|just over|just under|the|going on|been|it's been|some|"
    r"its been|coming up to|getting on for|well over|probably|maybe|like|only|already|already been)"
    r"\s+){0,4})"
)
_DURATION = re.compile(
    rf"\b{_PRE}{_QTY}\s*-?\s*{_UNITS}\b(?P<post>\s+(?:ago|now|into (?:this|it)|of (?:this|pain|it|"
    r"back pain|(?:\w+\s+){0,3}?(?:pain|ache|aching|backache|stiffness|agony))|on and off|or so|straight|"
    r"running|in a row|already|or more|plus|give or take|or thereabouts|or something|roughly|odd|"
    # "three weeks tuesday", "a month on Friday" (British): that long as of that day
    r"(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b)?",
    re.I,
)
# UK clinical shorthand: "2/52" is 2 weeks, "3/12" 3 months, "5/7" 5 days (a count over the number
# of those units in a year or a week). Only a count smaller than its denominator ("24/7" is not).
_CLINICAL_UNIT_DAYS = {7: DAYS["day"], 12: DAYS["month"], 52: DAYS["week"]}
_CLINICAL = re.compile(r"(?<![\w/.-])(?P<qty>\d{1,2}(?:\.5)?)\s*/\s*(?P<per>52|12|7)\b(?![/.-]?\d)")
# "since 3/12", "on 5/7": a date, not the shorthand
_DATE_LEAD = re.compile(
    r"\b(?:since|from|on|started|began|begun|date|dated|the|until|till|by|appt|appointment|dob)\W*$", re.I
)
# "f/u oncology 6/12", "review 2/52", "see again in 3/12": a plan, not how long the pain has lasted
_PLAN_LEAD = re.compile(
    r"\b(?:f/?u|follow[- ]?up|review|rv|r/v|recall|repeat|re-?assess\w*|see|seen|again|in|within|next|"
    r"oncology|clinic|gp|physio|opd|appt|appointment)(?:\s+\w+)?\W*$",
    re.I,
)
_TIME = regexes("time")
_LAST_UNIT = _TIME["last_unit"]
_VAGUE = _TIME["vague"]
_NO_DURATION_AFTER = _TIME["no_duration_after"]
_AND_A_HALF_AFTER = _TIME["and_a_half_after"]
_NO_DURATION_BEFORE = _TIME["no_duration_before"]
_PAIN_BEFORE = _TIME["pain_before"]
_CORRECTED_AWAY = _TIME["corrected_away"]
# "all been fine for years", "clear for years": how long something has been well, not the pain
_FINE_BEFORE = re.compile(
    r"\b(fine|ok|okay|good|well|gone|better|clear|normal|free|nothing|no (problems|trouble|issues))"
    r"\s+(\w+\s+)?$",
    re.I,
)


def _unit_days(unit: str) -> int:
    u = unit.lower()
    if u.startswith("fortnight"):
        return DAYS["fortnight"]
    if u.startswith("w"):
        return DAYS["week"]
    if u.startswith("m"):
        return DAYS["month"]
    if u.startswith("y"):
        return DAYS["year"]
    return DAYS["day"]


def duration_mentions(text: str, today: dt.date) -> list[Mention]:
    """How long the pain has lasted, in days: every duration and start date the text gives for it
    (extract.py keeps the longest)."""
    found = _counted(text) + _clinical(text) + _in_the_last(text) + _vague(text) + onset_days(text, today)
    return [
        Mention("duration_days", str(max(0, int(round(days)))), m.start(), m.end(), m.group(0))
        for days, m in found
    ]


def _counted(text: str) -> list[tuple[float, re.Match[str]]]:
    """A number of units: "3 weeks", "about a month and a half", "2 days ago"."""
    short_reply = len(text.split()) <= MAX_BARE_REPLY_WORDS
    out = []
    for m in _DURATION.finditer(text):
        days = _counted_days(text, m, short_reply)
        if days is not None:
            out.append((days, m))
    return out


def _counted_days(text: str, m: re.Match[str], short_reply: bool) -> float | None:
    """The days of one counted duration, or None when it is not how long this pain has lasted."""
    if not_patients_pain(text, m) or _CORRECTED_AWAY.search(text[max(0, m.start() - 12) : m.start()]):
        return None  # "the back ache is 3 weeks, not 11 years": the corrected-away one
    pre = (m.group("pre") or "").lower()
    post = (m.group("post") or "").strip().lower()
    if _NO_DURATION_AFTER.search(text[m.end() : m.end() + 15]):
        return None  # "2 days a week", "62 years old", "2 weeks later"
    if not pre and _NO_DURATION_BEFORE.search(text[max(0, m.start() - 25) : m.start()]):
        return None  # "in 2 weeks", "every 3 days"
    qty = number_value(m.group("qty"))
    if qty is None or not _of_this_pain(text, m, pre, post, short_reply):
        return None
    extra = MORE_THAN_EXTRA_DAYS if re.search(r"\b(over|more than|just over|well over)\b", pre) else 0
    if _AND_A_HALF_AFTER.match(text[m.end() :]):
        qty += 0.5
    return qty * _unit_days(m.group("unit")) + extra


def _of_this_pain(text: str, m: re.Match[str], pre: str, post: str, short_reply: bool) -> bool:
    """Whether a counted duration is how long this pain has lasted."""
    if post == "ago":
        # "like 10 days ago" as the whole reply dates the pain ("had sciatica 10 years ago" does not)
        alone = (
            short_reply and len(WORD.findall(text)) - len(WORD.findall(m.group(0))) <= MAX_WORDS_AROUND_AGO
        )
        return (alone and not HISTORY_ONLY.search(text)) or _ago_dates_this_pain(text, m)
    # a bare "3 weeks" inside a long message is not clearly a duration ("pain 3 weeks" is)
    return bool(
        pre.strip()
        or post
        or short_reply
        or _PAIN_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
        or bare_duration_of_the_pain(text, m)
    )


def _ago_dates_this_pain(text: str, m: re.Match[str]) -> bool:
    """A "3 days ago" dates this pain when its sentence tells a start or the pain now."""
    s_lo, s_hi = sentence_bounds(text, m.start())
    sentence = text[s_lo:s_hi]
    started = start_cue_around(text, m) or (
        # "After a rowing session three days ago I have pain between my shoulder blades"
        PAIN_NOW.search(sentence) and not HISTORY_ONLY.search(sentence)
    )
    if not started:
        return False
    # "had sciatica 10 years ago" is not how long this pain has lasted
    return not (HISTORY_ONLY.search(sentence) and _unit_days(m.group("unit")) == DAYS["year"])


def _clinical(text: str) -> list[tuple[float, re.Match[str]]]:
    """The clinic's shorthand: "approx 2/52" (2 weeks), "3/12" (3 months), "5/7" (5 days)."""
    out: list[tuple[float, re.Match[str]]] = []
    for m in _CLINICAL.finditer(text):
        qty, per = float(m.group("qty")), int(m.group("per"))
        before = text[max(0, m.start() - 25) : m.start()]
        if not 0 < qty < per or _DATE_LEAD.search(before[-15:]) or _PLAN_LEAD.search(before):
            continue
        if not_patients_pain(text, m):
            continue
        out.append((qty * _CLINICAL_UNIT_DAYS[per], m))
    return out


def _in_the_last(text: str) -> list[tuple[int, re.Match[str]]]:
    """One unit: "in the last week", "over the past month"."""
    return [
        (_unit_days(m.group("unit")), m) for m in _LAST_UNIT.finditer(text) if not not_patients_pain(text, m)
    ]


def _vague(text: str) -> list[tuple[int, re.Match[str]]]:
    """The smallest plural: "for weeks", "for years"."""
    return [
        (VAGUE_PLURAL_COUNT * _unit_days(m.group("unit")), m)
        for m in _VAGUE.finditer(text)
        if not _FINE_BEFORE.search(text[max(0, m.start() - 25) : m.start()])
        and not not_patients_pain(text, m)
    ]
