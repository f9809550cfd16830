"""When the pain started, as a date the patient names: "since March", "the first week of October",
"since Monday", "yesterday", "at the weekend", "since 2019" (and the calendar words they use).
"""

from __future__ import annotations

import datetime as dt
import re

from nlp.dates import start_dates
from nlp.facts.lexicon import regexes, words
from nlp.facts.pain_context import START_CUE, not_patients_pain, start_cue_around

_TIME_WORDS = words("time")
MONTHS = {m: i + 1 for i, m in enumerate(_TIME_WORDS["months"])}
WEEKDAYS: list[str] = _TIME_WORDS["weekdays"]
_WEEKDAY_RE = "|".join(WEEKDAYS)
RELATIVE_DAYS: dict[str, int] = _TIME_WORDS["relative_days"]
MID_MONTH_DAY, LATE_MONTH_DAY, END_MONTH_DAY = 15, 20, 25
# "The first week of October": the middle of that week.
WEEK_START_DAY = {"first": "4", "second": "11", "third": "18", "last": "25"}

MONTH_RE = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
SINCE_MONTH = re.compile(
    r"\b(?:since|from|started in|began in|start of|beginning of|back in|in|started on|began on|on)\s+"
    rf"(?:about\s+|around\s+|roughly\s+)?(?:(?:{_WEEKDAY_RE}),?\s+)?"
    r"(?:the\s+(?P<day_before>\d{1,2})(?:st|nd|rd|th)?\s+of\s+)?"
    r"(?:the\s+(?P<week>first|second|third|last)\s+week\s+(?:of|in)\s+)?"
    r"(?:(?P<part>early|mid|late|(?:the )?(?:start|beginning|middle|end) of)\s+)?"
    rf"{MONTH_RE}\b(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b)?",
    re.I,
)
SINCE_DAY = re.compile(
    rf"\b(?:since|started|began|started on|began on|on|last)\s+(?:last\s+)?(?P<wd>{_WEEKDAY_RE})\b", re.I
)
RELATIVE = regexes("time")["relative"]
SINCE_YEAR = re.compile(r"\bsince (?P<year>(?:19|20)\d\d)\b(?![-/.]\d)", re.I)


def month_start(today: dt.date, month: int, part: str | None, day: str | None) -> dt.date:
    """The most recent past (or current) date in ``month`` matching the description."""
    if day:
        d = int(day)
    elif part and ("mid" in part or "middle" in part):
        d = MID_MONTH_DAY
    elif part and "late" in part:
        d = LATE_MONTH_DAY
    elif part and "end" in part:
        d = END_MONTH_DAY
    else:
        d = 1
    year = today.year
    for _ in range(2):
        try:
            candidate = dt.date(year, month, d)
        except ValueError:  # "February 30th"
            candidate = dt.date(year, month, 1)
        if candidate <= today:
            return candidate
        year -= 1
    return candidate


def onset_days(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """(days before today, phrase) for each start date of the patient's pain, in this order: a month,
    a weekday, a relative day, a named day (nlp/dates.py), a year."""
    return (
        _since_month(text, today)
        + _since_weekday(text, today)
        + _relative_day(text, today)
        + [(days, m) for days, m in start_dates(text, today, START_CUE) if not not_patients_pain(text, m)]
        + _since_year(text, today)
    )


def _since_month(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """A month ("since March", "the first week of October", "mid-June"): its most recent such date."""
    return [
        ((today - _month_date(today, m)).days, m)
        for m in SINCE_MONTH.finditer(text)
        if _month_is_a_start(text, m)
    ]


def _month_is_a_start(text: str, m: re.Match[str]) -> bool:
    said = m.group(0).lower()
    if said.startswith(("in ", "on ")) and not re.search(
        r"\b(start\w*|began|since|came on)\b", text[max(0, m.start() - 30) : m.start()], re.I
    ):
        return False  # "in March" alone is not a start date ("I had cancer in March 2019")
    return bool(
        m.group("month").lower() != "may" or said.startswith(("since", "from"))
    )  # "may": mostly the verb


def _month_date(today: dt.date, m: re.Match[str]) -> dt.date:
    month = next(v for k, v in MONTHS.items() if k.startswith(m.group("month").lower()[:3]))
    day = m.group("day") or m.group("day_before") or WEEK_START_DAY.get((m.group("week") or "").lower())
    return month_start(today, month, m.group("part"), day)


def _since_weekday(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """A weekday ("since Monday", "started on Tuesday"): back to the last one (a week for today's)."""
    out = []
    for m in SINCE_DAY.finditer(text):
        if not m.group(0).lower().startswith("since") and not start_cue_around(text, m):
            continue  # "I see the GP on Monday"
        if not_patients_pain(text, m):
            continue
        wd = WEEKDAYS.index(m.group("wd").lower())
        out.append(((today.weekday() - wd) % len(WEEKDAYS) or len(WEEKDAYS), m))
    return out


def _relative_day(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """A relative day: "since yesterday", "this morning", "last week", "at the weekend"."""
    out = []
    for m in RELATIVE.finditer(text):
        if not_patients_pain(text, m):
            continue
        phrase = m.group("phrase").lower().replace("since ", "").replace("the new year", "new year")
        if phrase in RELATIVE_DAYS:
            if not m.group("phrase").lower().startswith("since") and not start_cue_around(text, m):
                continue
            out.append((RELATIVE_DAYS[phrase], m))
        elif "weekend" in phrase:
            out.append(((today.weekday() - 5) % 7 or 7, m))  # back to the last Saturday
    return out


def _since_year(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """A year ("since 2019"): from the first of January of that year."""
    years = [(int(m.group("year")), m) for m in SINCE_YEAR.finditer(text)]
    return [((today - dt.date(year, 1, 1)).days, m) for year, m in years if year <= today.year]
