"""How long the pain has lasted, in days: "3 weeks", "a month and a half", "for years", "in the
last week", and the start dates of nlp/facts/onset.py and nlp/dates.py counted back from today.
"""

from __future__ import annotations

import datetime as dt
import re

from nlp.dates import start_dates
from nlp.facts.lexicon import regexes
from nlp.facts.mention import Mention
from nlp.facts.numbers import NUM, number_value
from nlp.facts.onset import (
    MONTHS,
    RELATIVE,
    RELATIVE_DAYS,
    SINCE_DAY,
    SINCE_MONTH,
    SINCE_YEAR,
    WEEK_START_DAY,
    WEEKDAYS,
    month_start,
)
from nlp.facts.pain_context import (
    FAMILY_WORD,
    FIRST_PERSON_WORD,
    HISTORY_ONLY,
    NOT_PAIN_CONTEXT,
    PAIN_NOW,
    START_CUE,
    bare_duration_of_the_pain,
)
from nlp.facts.text import MAX_BARE_REPLY_WORDS, sentence_bounds

DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}
# "for years" / "for months" without a number: the smallest plural (2 of the unit).
VAGUE_PLURAL_COUNT = 2
# "over a month", "more than 6 weeks": strictly more, so the rules' "more than N days" hold.
MORE_THAN_EXTRA_DAYS = 1

_UNITS = r"(?P<unit>days?|d|weeks?|wks?|wk|w|fortnights?|months?|mths?|mnths?|mos?|years?|yrs?|yr)"
_QTY = (
    rf"(?P<qty>{NUM}(?:\s+and\s+a\s+half)?|a couple of|couple of|a couple|a few|few|several|"
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
    r"running|in a row|already|or more|plus)\b)?",
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
    """How long the pain has lasted, in days."""
    out: list[Mention] = []
    short_reply = len(text.split()) <= MAX_BARE_REPLY_WORDS

    def add(days: float, m: re.Match) -> None:
        out.append(Mention("duration_days", str(max(0, int(round(days)))), m.start(), m.end(), m.group(0)))

    def not_patients_pain(m: re.Match) -> bool:
        s_lo, s_hi = sentence_bounds(text, m.start())
        sentence = text[s_lo:s_hi]
        if FAMILY_WORD.search(sentence) and not FIRST_PERSON_WORD.search(sentence):
            return True  # "my husband was in a car accident last year"
        return NOT_PAIN_CONTEXT.search(text[max(0, m.start() - 40) : m.start()]) is not None

    for m in _DURATION.finditer(text):
        if not_patients_pain(m) or _CORRECTED_AWAY.search(text[max(0, m.start() - 12) : m.start()]):
            continue  # "the back ache is 3 weeks, not 11 years": the corrected-away one
        pre = (m.group("pre") or "").lower()
        post = (m.group("post") or "").strip().lower()
        if _NO_DURATION_AFTER.search(text[m.end() : m.end() + 15]):
            continue  # "2 days a week", "62 years old", "2 weeks later"
        if not pre and _NO_DURATION_BEFORE.search(text[max(0, m.start() - 25) : m.start()]):
            continue  # "in 2 weeks", "every 3 days"
        qty = number_value(m.group("qty"))
        if qty is None:
            continue
        if post == "ago":
            s_lo, s_hi = sentence_bounds(text, m.start())
            sentence = text[s_lo:s_hi]
            started = START_CUE.search(sentence.replace(m.group(0), " ")) or (
                # "After a rowing session three days ago I have pain between my shoulder blades"
                PAIN_NOW.search(sentence) and not HISTORY_ONLY.search(sentence)
            )
            if not started or (HISTORY_ONLY.search(sentence) and _unit_days(m.group("unit")) == DAYS["year"]):
                continue  # "had sciatica 10 years ago" is not how long this pain has lasted
        elif (
            not pre.strip()
            and not post
            and not short_reply
            and not _PAIN_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
            and not bare_duration_of_the_pain(text, m)
        ):
            continue  # a bare "3 weeks" inside a long message is not clearly a duration ("pain 3 weeks" is)
        extra = MORE_THAN_EXTRA_DAYS if re.search(r"\b(over|more than|just over|well over)\b", pre) else 0
        if _AND_A_HALF_AFTER.match(text[m.end() :]):
            qty += 0.5
        add(qty * _unit_days(m.group("unit")) + extra, m)
    for m in _LAST_UNIT.finditer(text):
        if not not_patients_pain(m):
            add(_unit_days(m.group("unit")), m)
    for m in _VAGUE.finditer(text):
        add(VAGUE_PLURAL_COUNT * _unit_days(m.group("unit")), m)
    for m in SINCE_MONTH.finditer(text):
        if m.group(0).lower().startswith(("in ", "on ")) and not re.search(
            r"\b(start\w*|began|since|came on)\b", text[max(0, m.start() - 30) : m.start()], re.I
        ):
            continue  # "in March" alone is not a start date ("I had cancer in March 2019")
        if m.group("month").lower() == "may" and not m.group(0).lower().startswith(("since", "from")):
            continue  # "may" is mostly the verb
        month = next(v for k, v in MONTHS.items() if k.startswith(m.group("month").lower()[:3]))
        day = m.group("day") or m.group("day_before") or WEEK_START_DAY.get((m.group("week") or "").lower())
        start = month_start(today, month, m.group("part"), day)
        add((today - start).days, m)
    for m in SINCE_DAY.finditer(text):
        s_lo, s_hi = sentence_bounds(text, m.start())
        sentence = text[s_lo:s_hi].replace(m.group(0), " ")
        if not m.group(0).lower().startswith("since") and not START_CUE.search(sentence):
            continue  # "I see the GP on Monday"
        if not_patients_pain(m):
            continue
        wd = WEEKDAYS.index(m.group("wd").lower())
        back = (today.weekday() - wd) % len(WEEKDAYS) or len(WEEKDAYS)
        add(back, m)
    for m in RELATIVE.finditer(text):
        if not_patients_pain(m):
            continue
        phrase = m.group("phrase").lower().replace("since ", "").replace("the new year", "new year")
        if phrase in RELATIVE_DAYS:
            s_lo, s_hi = sentence_bounds(text, m.start())
            if not m.group("phrase").lower().startswith("since") and not START_CUE.search(
                text[s_lo:s_hi].replace(m.group(0), " ")
            ):
                continue
            add(RELATIVE_DAYS[phrase], m)
        elif "weekend" in phrase:
            add((today.weekday() - 5) % 7 or 7, m)  # back to the last Saturday
    for days, m in start_dates(text, today, START_CUE):
        if not not_patients_pain(m):
            add(days, m)
    for m in SINCE_YEAR.finditer(text):
        year = int(m.group("year"))
        if year <= today.year:
            add((today - dt.date(year, 1, 1)).days, m)
    return out
