"""Months of another calendar that people date their pain by: the Persian (Solar Hijri) months.

"Since the first of Azar", "from 5 Aban", "since Mehr": said on 30 November 2026, the first of Azar
is 22 November (8 days). The months' Gregorian first days are data (nlp/patterns/named_days.yml).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Iterator

from nlp.dates import named_days_data
from nlp.facts.numbers import ORDINAL_DAYS, ORDINAL_RE

# Month names that are also everyday words ("tir", "dey") date only with a day number.
MIN_BARE_NAME_CHARS = 4
MAX_PERSIAN_MONTH_DAYS = 31


@functools.lru_cache(maxsize=1)
def persian_months() -> dict[str, tuple[int, int]]:
    """Month name -> (Gregorian month, day) it begins on."""
    raw = named_days_data().get("persian_months") or {}
    return {name: (int(md.split("-")[0]), int(md.split("-")[1])) for name, md in raw.items()}


@functools.lru_cache(maxsize=1)
def _month_re() -> re.Pattern[str]:
    names = "|".join(sorted(persian_months(), key=len, reverse=True))
    return re.compile(
        r"\b(?:since|from|after|on|started(?: on| in)?|began(?: on| in)?|starting|in|start of|"
        r"beginning of)\s+"
        rf"(?:the\s+)?(?:(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?|(?P<ord>{ORDINAL_RE}))\s+(?:of\s+)?)?"
        rf"(?P<month>{names})\b(?:\s+(?P<day_after>\d{{1,2}})\b)?",
        re.I,
    )


def persian_dates(text: str, today: dt.date) -> Iterator[tuple[int, re.Match[str]]]:
    """(days before today, the match) for each Persian-calendar start date in the text."""
    for m in _month_re().finditer(text):
        month = m.group("month").lower()
        day = m.group("day") or m.group("day_after")
        number = int(day) if day else ORDINAL_DAYS.get((m.group("ord") or "").lower())
        if number is None and len(month) < MIN_BARE_NAME_CHARS:
            continue
        if number is not None and not 1 <= number <= MAX_PERSIAN_MONTH_DAYS:
            continue
        g_month, g_day = persian_months()[month]
        for year in (today.year, today.year - 1):
            start = dt.date(year, g_month, g_day) + dt.timedelta(days=(number or 1) - 1)
            if start <= today:
                yield (today - start).days, m
                break
