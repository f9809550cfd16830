"""When the pain started, as a date the patient names: "since March", "the first week of October",
"since Monday", "yesterday", "at the weekend", "since 2019" (and the calendar words they use).
"""

from __future__ import annotations

import datetime as dt
import re

from nlp.facts.lexicon import regexes, words

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
