"""When the pain started, as a date the patient names: "since March", "the first week of October",
"since Monday", "yesterday", "at the weekend", "since 2019" (and the calendar words they use).
"""

from __future__ import annotations

import datetime as dt
import re

MID_MONTH_DAY, LATE_MONTH_DAY, END_MONTH_DAY = 15, 20, 25
# "The first week of October": the middle of that week.
WEEK_START_DAY = {"first": "4", "second": "11", "third": "18", "last": "25"}
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
MONTH_RE = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
SINCE_MONTH = re.compile(
    r"\b(?:since|from|started in|began in|start of|beginning of|back in|in|started on|began on|on)\s+"
    r"(?:about\s+|around\s+|roughly\s+)?(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?"
    r"(?:the\s+(?P<day_before>\d{1,2})(?:st|nd|rd|th)?\s+of\s+)?"
    r"(?:the\s+(?P<week>first|second|third|last)\s+week\s+(?:of|in)\s+)?"
    r"(?:(?P<part>early|mid|late|(?:the )?(?:start|beginning|middle|end) of)\s+)?"
    rf"{MONTH_RE}\b(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b)?",
    re.I,
)
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
SINCE_DAY = re.compile(
    r"\b(?:since|started|began|started on|began on|on|last)\s+(?:last\s+)?"
    r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)
RELATIVE = re.compile(
    r"\b(?P<phrase>since yesterday|yesterday|last night|since last night|this morning|since this morning|"
    r"earlier today|since today|today|since last week|last week|since last year|"
    r"last year|since the weekend|at the weekend|over the weekend|last weekend)\b",
    re.I,
)
SINCE_YEAR = re.compile(r"\bsince (?P<year>(?:19|20)\d\d)\b(?![-/.]\d)", re.I)
RELATIVE_DAYS = {
    "yesterday": 1,
    "last night": 1,
    "this morning": 0,
    "earlier today": 0,
    "today": 0,
    "last week": 7,
    "last year": 365,
}


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
