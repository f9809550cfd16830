"""Start dates people give for their pain, as days before today: named days and relative months.

"Since Bonfire night", "after Easter", "since early last month", "since the 20th", "since the 1st
of the month". Today is passed in (an injected clock in tests). The pain's duration is told apart
from a symptom's by the caller (nlp/facts/onset.py), not here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import yaml

from triage import clock

# Replays set the date (triage/clock.py): the blind role-play rounds were held on 2026-11-30, and
# "since early last month" said then is 7-8 weeks, but 4 weeks on 1 December.
TODAY_ENV = clock.TODAY_ENV

NAMED_DAYS_FILE = Path(__file__).resolve().parent / "patterns" / "named_days.yml"
# Where in a month "early / mid / late" and "the start / end of" fall.
PART_DAY = {"early": 5, "start": 1, "beginning": 1, "mid": 15, "middle": 15, "late": 25, "end": 25, "": 15}
# "Around / at / over Christmas" needs a start cue in the sentence ("I did it at Christmas"); "since"
# and "from" do not. A sentence about the future ("I'll be 60 at Christmas") dates nothing.
_FUTURE = re.compile(r"\b(will|'ll|going to|gonna|next|coming|till|until)\b", re.I)
_LEAD = (
    r"(?:(?P<lead>since|from|after|around|about|at|over|on|before)\s+)?(?:the\s+)?"
    r"(?:(?P<shift>week|weekend|day|fortnight|couple of days|few days|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+"
    r"(?P<side>before|after)\s+(?:the\s+)?)?"
)
# "The week before Thanksgiving", "the day after Boxing Day": the named day moved by this much.
SHIFT_DAYS = {"week": 7, "weekend": 3, "day": 1, "fortnight": 14, "couple of days": 2, "few days": 3}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NOT_A_DATE_AFTER = (
    "party|dinner|lunch|do|shopping|sale|tree|card|present|gift|costume|film|movie|jumper|market|food|meal|"
    "leftovers|turkey|feast|pie"
)
# A named day with no "since" / "from" dates the pain only in a reply this short ("labor day
# weekend", "Halloween I think") or with a start cue in its sentence.
MAX_BARE_DATE_WORDS = 4


def _easter(year: int) -> dt.date:
    """Western Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = ((h + l_ - 7 * m + 114) % 31) + 1
    return dt.date(year, month, day)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th such weekday of the month (Monday = 0); n = -1 is the last."""
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    if n > 0:
        return first + dt.timedelta(days=offset + 7 * (n - 1))
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


RULES: dict[str, Callable[[int], dt.date]] = {
    "easter": _easter,
    "good_friday": lambda y: _easter(y) - dt.timedelta(days=2),
    "us_thanksgiving": lambda y: nth_weekday(y, 11, 3, 4),
    "ca_thanksgiving": lambda y: nth_weekday(y, 10, 0, 2),
    "us_labor_day": lambda y: nth_weekday(y, 9, 0, 1),
    "us_memorial_day": lambda y: nth_weekday(y, 5, 0, -1),
    "au_melbourne_cup": lambda y: nth_weekday(y, 11, 1, 1),  # first Tuesday of November
    "nz_labour_day": lambda y: nth_weekday(y, 10, 0, 4),  # fourth Monday of October
}


@functools.lru_cache(maxsize=1)
def named_days_data() -> dict[str, Any]:
    """patterns/named_days.yml, read once (the named days here, the Persian months in
    nlp/facts/calendars.py)."""
    return dict(yaml.safe_load(NAMED_DAYS_FILE.read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=1)
def _named_days() -> dict[str, Callable[[int], list[dt.date]]]:
    raw = named_days_data()
    days: dict[str, Callable[[int], list[dt.date]]] = {}
    for name, md in (raw.get("fixed") or {}).items():
        month, day = (int(x) for x in str(md).split("-"))
        days[name] = functools.partial(_fixed_day, month=month, day=day)
    for name, rule in (raw.get("rule") or {}).items():
        days[name] = functools.partial(_ruled_day, rule=RULES[rule])
    for name, dates in (raw.get("table") or {}).items():
        parsed = tuple(dt.date.fromisoformat(str(s)) for s in dates)
        days[name] = functools.partial(_tabled_days, dates=parsed)
    return days


def _shifted(day: dt.date, shift: str, before: bool) -> dt.date:
    """ "The week before", "the Tuesday after": the named day moved by a span or to a weekday."""
    if shift in WEEKDAYS:
        target = WEEKDAYS.index(shift)
        if before:
            return day - dt.timedelta(days=(day.weekday() - target - 1) % 7 + 1)
        return day + dt.timedelta(days=(target - day.weekday() - 1) % 7 + 1)
    span = dt.timedelta(days=SHIFT_DAYS[shift])
    return day - span if before else day + span


def _fixed_day(year: int, month: int, day: int) -> list[dt.date]:
    return [dt.date(year, month, day)]


def _ruled_day(year: int, rule: Callable[[int], dt.date]) -> list[dt.date]:
    return [rule(year)]


def _tabled_days(year: int, dates: tuple[dt.date, ...]) -> list[dt.date]:
    return [d for d in dates if d.year == year]


@functools.lru_cache(maxsize=1)
def _named_re() -> re.Pattern[str]:
    names = sorted(_named_days(), key=len, reverse=True)
    alts = "|".join(
        re.escape(n).replace(r"\'", "'?").replace("'", "'?").replace(r"\ ", r"\s+") for n in names
    )
    # "the Christmas party", "a Halloween costume": the day names a thing, not a date
    return re.compile(rf"\b{_LEAD}(?P<name>{alts})(?:'?s)?\b(?!\s+(?:{_NOT_A_DATE_AFTER})s?\b)", re.I)


def last_occurrence(name: str, today: dt.date) -> Optional[dt.date]:
    """The latest date of this named day on or before today (this year's, else last year's)."""
    rule = _named_days().get(name)
    if rule is None:
        return None
    past = [d for year in (today.year, today.year - 1) for d in rule(year) if d <= today]
    return max(past) if past else None


_RELATIVE_MONTH = re.compile(
    r"\b(?:since|from|in|around|about|during|starting|started|began)?\s*(?:the\s+)?"
    r"(?:(?P<part>early|mid|late|start of|beginning of|middle of|end of)\s*-?\s*)?"
    r"(?P<which>last|this)\s+month\b",
    re.I,
)
_DAY_OF_MONTH = re.compile(
    r"\b(?P<lead>since|from|on)\s+the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|"
    r"sep|oct|nov|dec))(?:\s+of\s+(?:the|this)\s+month)?",
    re.I,
)


_NUMERIC_DATE = re.compile(
    r"\b(?:since|from|started(?: on)?|began(?: on)?|starting)\s+(?:the\s+)?"
    r"(?P<a>\d{1,4})[-/.](?P<b>\d{1,2})(?:[-/.](?P<c>\d{2,4}))?\b",
    re.I,
)


def _numeric_start(m: re.Match[str], today: dt.date) -> Optional[dt.date]:
    """2026-10-03, 03/10, 10/03/2026: ISO when the year comes first; otherwise day/month or
    month/day, whichever is a real date on or before today, the more recent when both are."""
    a, b, c = m.group("a"), m.group("b"), m.group("c")
    candidates: list[tuple[int, int, int]] = []
    if len(a) == 4:
        if c:
            candidates.append((int(a), int(b), int(c)))
    else:
        year = int(c) + (2000 if c and len(c) == 2 else 0) if c else today.year
        candidates += [(year, int(b), int(a)), (year, int(a), int(b))]
    dates = []
    for year, month, day in candidates:
        try:
            date = dt.date(year, month, day)
        except ValueError:
            continue
        if date > today and not c:
            try:
                date = date.replace(year=date.year - 1)
            except ValueError:
                continue
        if date <= today:
            dates.append(date)
    return max(dates) if dates else None


# A week number, as the Nordics and Germany date things ("since week 44", "from vecka 41"): the
# Monday of that ISO week, this year's or, when it is still to come, last year's.
_WEEK_NUMBER = re.compile(
    r"\b(?:since|from|after|in|during|started(?: in)?|began(?: in)?|starting)\s+(?:the\s+)?"
    r"(?:week|wk|vecka|uke|uge|viikko|v\.)\s*(?P<n>\d{1,2})\b",
    re.I,
)
MAX_ISO_WEEK = 53


def _week_start(number: int, today: dt.date) -> Optional[dt.date]:
    for year in (today.year, today.year - 1):
        try:
            monday = dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            continue
        if monday <= today:
            return monday
    return None


def start_dates(text: str, today: dt.date, start_cue: re.Pattern[str]) -> Iterator[tuple[int, re.Match[str]]]:
    """(days before today, the match) for every start date the text gives."""
    for m in _WEEK_NUMBER.finditer(text):
        number = int(m.group("n"))
        monday = _week_start(number, today) if 1 <= number <= MAX_ISO_WEEK else None
        if monday is not None:
            yield (today - monday).days, m
    for m in _named_re().finditer(text):
        lead = (m.group("lead") or "").lower()
        sentence = _sentence(text, m.start())
        if _FUTURE.search(sentence):
            continue
        bare_reply = not lead and len(text.split()) <= MAX_BARE_DATE_WORDS
        cued = start_cue.search(sentence.replace(m.group(0), " ")) is not None
        if lead not in ("since", "from", "after") and not bare_reply and not cued:
            continue
        name = re.sub(r"\s+", " ", m.group("name").lower()).replace("'", "'")
        key = next((k for k in _named_days() if k.replace("'", "") == name.replace("'", "")), None)
        start = last_occurrence(key, today) if key else None
        if start is not None and m.group("shift"):
            start = _shifted(start, m.group("shift").lower(), m.group("side").lower() == "before")
        if start is not None and start <= today:
            yield (today - start).days, m
    for m in _RELATIVE_MONTH.finditer(text):
        part = (m.group("part") or "").split()[0].lower() if m.group("part") else ""
        if m.group("which").lower() == "last":
            first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        else:
            first = today.replace(day=1)
        start = first.replace(day=PART_DAY.get(part, PART_DAY[""]))
        if start > today:
            start = first
        yield (today - start).days, m
    for m in _NUMERIC_DATE.finditer(text):
        start = _numeric_start(m, today)
        if start is not None:
            yield (today - start).days, m
    for m in _DAY_OF_MONTH.finditer(text):
        sentence = _sentence(text, m.start()).replace(m.group(0), " ")
        if m.group("lead").lower() == "on" and not start_cue.search(sentence):
            continue  # "I see the GP on the 3rd"; "did my back in on the 20th" is a start
        day = int(m.group("day"))
        if not 1 <= day <= 31:
            continue
        month_start = today.replace(day=1)
        try:
            start = month_start.replace(day=day)
        except ValueError:
            continue
        if start > today:
            prev = month_start - dt.timedelta(days=1)
            try:
                start = prev.replace(day=day)
            except ValueError:
                continue
        yield (today - start).days, m


def _sentence(text: str, pos: int) -> str:
    start = max(text.rfind(c, 0, pos) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, pos) for c in ".!?\n") if i >= 0]
    return text[start : min(ends) if ends else len(text)]


def today() -> dt.date:
    """The date durations are counted from (triage/clock.py: the deployment's time zone)."""
    return clock.today()
