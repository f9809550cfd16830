"""When the pain started, as a date the patient names: "since March", "the first week of October",
"since Monday", "yesterday", "at the weekend", "since 2019" (and the calendar words they use).
"""

from __future__ import annotations

import datetime as dt
import re

from nlp.dates import nth_weekday, start_dates
from nlp.facts.calendars import persian_dates
from nlp.facts.lexicon import regexes, words
from nlp.facts.numbers import ORDINAL_DAYS, ORDINAL_RE, number_value
from nlp.facts.pain_context import START_CUE, not_patients_pain, start_cue_around

_TIME_WORDS = words("time")
MONTHS = {m: i + 1 for i, m in enumerate(_TIME_WORDS["months"])}
WEEKDAYS: list[str] = _TIME_WORDS["weekdays"]
# "since wed", "last fri": the short forms, read only after a start lead ("I sat", "the sun").
_WEEKDAY_SHORT = r"mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun"
_WEEKDAY_RE = "|".join(WEEKDAYS) + "|" + _WEEKDAY_SHORT
# "last Friday week", "since last fri wk", "a week last Friday" (British): the Friday a week
# before last Friday.
WEEK_DAYS = 7
RELATIVE_DAYS: dict[str, int] = _TIME_WORDS["relative_days"]
_FILLERS = frozenset(str(w) for w in _TIME_WORDS["date_reply_fillers"])
EARLY_MONTH_DAY, MID_MONTH_DAY, LATE_MONTH_DAY, END_MONTH_DAY = 5, 15, 20, 25
# "The first week of October": the middle of that week.
WEEK_START_DAY = {"first": "4", "second": "11", "third": "18", "last": "25"}

MONTH_RE = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# "the" as people text it ("since da end of September", "tha start of oct").
_THE = r"(?:the|da|tha|teh)"
SINCE_MONTH = re.compile(
    r"\b(?:since|from|started in|began in|start of|beginning of|back in|in|started on|began on|on|"
    # "it started at the end of september", "around mid October"
    r"started at|began at|started around|began around|started towards|at|around|towards|"
    r"onset:?|onset was|commenced(?: on)?|commencing|on or about|on or around)\s+"
    rf"(?:about\s+|around\s+|roughly\s+)?(?:(?:{_WEEKDAY_RE}),?\s+)?"
    rf"(?:(?:the\s+)?(?P<day_before>\d{{1,2}}|{ORDINAL_RE})(?:st|nd|rd|th)?\s+(?:of\s+)?)?"
    r"(?:the\s+(?P<week>first|second|third|last)\s+week\s+(?:of|in)\s+)?"
    rf"(?:(?P<part>early|mid|late|(?:{_THE} )?(?:start|starting|beginning|middle|end|ending) of)\s+)?"
    rf"{MONTH_RE}\b(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b)?",
    re.I,
)
SINCE_DAY = re.compile(
    rf"\b(?P<week_before>a week\s+)?(?P<lead>since|started|began|started on|began on|from|on|last)\s+"
    rf"(?:last\s+)?(?P<wd>{_WEEKDAY_RE})\b(?P<week_after>\s+(?:gone\s+)?(?:week|wk)\b|\s+before\s+last\b)?"
    r"(?:\s+(?:night|morning|afternoon|evening|arvo|avo|lunchtime)\b)?(?!\s+(?:the\s+)?\d)",
    re.I,
)
# "slept on the couch friday night and woke up with it": a weekday and its part of the day, dated
# by a start cue in the sentence (no lead needed).
WEEKDAY_PART = re.compile(
    rf"\b(?:on\s+)?(?:last\s+)?(?P<wd>{'|'.join(WEEKDAYS)})\s+"
    r"(?:(?P<before_last>before\s+last)|night|morning|afternoon|evening|arvo|avo|lunchtime)\b",
    re.I,
)
# A weekday in full with no lead ("hurt my back friday"); not one after a plan ("see the GP friday").
BARE_WEEKDAY = re.compile(
    rf"(?<!\bon )(?<!\bsince )(?<!\blast )\b(?P<wd>{'|'.join(WEEKDAYS)})\b(?!\s+(?:week|wk|the\s+\d|\d))",
    re.I,
)
_FUTURE_BEFORE = re.compile(
    r"\b(see|seeing|appointment|appt|booked|book|till|until|til|by|next|this coming|coming|before|on)"
    r"\W+(\w+\W+){0,2}$",
    re.I,
)
# Leads that are themselves the start: "started Sunday", "since wed" need no other cue.
_START_LEADS = ("since", "started", "began", "from")
# "Wednesday the 18th", "since Thu 12th": a day of this or last month, the one on that weekday.
WEEKDAY_DATE = re.compile(
    rf"\b(?:(?P<lead>since|from|started(?: on)?|began(?: on)?|on|(?:that|it|this) was(?: on)?(?: a)?)\s+)?"
    rf"(?:last\s+)?(?P<wd>{_WEEKDAY_RE}),?\s+"
    rf"(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:of\s+)?{MONTH_RE})(?!\s*(?:am|pm|hours?|days?|weeks?))",
    re.I,
)
# "the first Friday of October", "the last Sunday in September": that weekday of that month.
NTH_WEEKDAY = re.compile(
    rf"\b(?:the\s+)?(?P<n>first|second|third|fourth|last|1st|2nd|3rd|4th)\s+(?P<wd>{'|'.join(WEEKDAYS)})\s+"
    rf"(?:of|in)\s+{MONTH_RE}\b",
    re.I,
)
_NTH = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "last": -1}  # the rest are ordinal words
# "2 sunday ago", "two Sundays back": that many of that weekday back (the first is the latest one).
WEEKDAYS_AGO = re.compile(
    rf"\b(?P<n>[1-4]|one|two|three|four|a couple of)\s+(?P<wd>{'|'.join(WEEKDAYS)})s?\s+(?:ago|back|gone)\b",
    re.I,
)
_REFERS_BACK = ("was", "was a", "was on", "was on a")
_START_BEFORE = re.compile(r"\b(since|started|began|from)\b", re.I)
# A date reply on its own is a few words ("around the 20th of october"); a longer one is a story,
# read only with its own cues.
MAX_DATE_REPLY_WORDS = 6
_TRAILING = " .!?,;:)"
# How far back a weekday-and-day date is looked for: this month and the two before.
WEEKDAY_DATE_MONTHS = 3
RELATIVE = regexes("time")["relative"]
SINCE_YEAR = re.compile(r"\bsince (?P<year>(?:19|20)\d\d)\b(?![-/.]\d)", re.I)


def month_start(today: dt.date, month: int, part: str | None, day: str | None) -> dt.date:
    """The most recent past (or current) date in ``month`` matching the description."""
    if day:
        d = int(day)
    elif part and "early" in part:
        d = EARLY_MONTH_DAY
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
    a weekday, a relative day, a named day (nlp/dates.py), a year; else the date a short reply
    names on its own."""
    return _said_dates(text, today) or _bare_date(text, today) or _last_sentence_date(text, today)


def _last_sentence_date(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """A reply that ends with a date on its own ("Since Deepavali madam, I told no. 8th November"):
    the last sentence read as a short reply, placed where it stands in the text."""
    cut = max(text.rstrip(_TRAILING).rfind(c) for c in ".!?\n")
    if cut <= 0:
        return []
    found = _bare_date(text[cut + 1 :], today)
    if not found:
        return []
    days, m = found[0]
    where = re.compile(re.escape(m.group(0))).search(text, cut + 1)
    return [(days, where)] if where else []


def _bare_date(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """A short reply that is a date on its own ("early October", "wednesday the 18th", "last
    friday", "prob mid sept"): read as if it began with "since", from the first word on which the
    date runs to the end of the reply. A bare year is not read ("2015" answers the cancer question)."""
    words = text.split()
    if len(words) > MAX_DATE_REPLY_WORDS:
        return []
    for i in range(len(words)):
        if i and words[i - 1].lower().strip(_TRAILING) not in _FILLERS:
            break  # "I will be 60 at christmas": a sentence, not a date
        tail = " ".join(words[i:]).rstrip(_TRAILING)
        said = "since " + tail
        found = [(days, m) for days, m in _said_dates(said, today) if m.start() == 0 and m.end() == len(said)]
        found = [(days, m) for days, m in found if not SINCE_YEAR.fullmatch(m.group(0))]
        if found:
            where = re.search(re.escape(tail), text)
            return [(max(days for days, _ in found), where)] if where else []
    return []


def _said_dates(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    return (
        _since_month(text, today)
        + _since_weekday(text, today)
        + _weekday_date(text, today)
        + _relative_day(text, today)
        + _weekday_of_month(text, today)
        + list(persian_dates(text, today))
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
        r"\b(start\w*|began|since|came on|commenc\w*|onset)\b", text[max(0, m.start() - 30) : m.start()], re.I
    ):
        return False  # "in March" alone is not a start date ("I had cancer in March 2019")
    return bool(
        m.group("month").lower() != "may" or said.startswith(("since", "from"))
    )  # "may": mostly the verb


def _month_date(today: dt.date, m: re.Match[str]) -> dt.date:
    month = next(v for k, v in MONTHS.items() if k.startswith(m.group("month").lower()[:3]))
    before = m.group("day_before")
    before = str(ORDINAL_DAYS.get(before.lower(), before)) if before else None
    day = m.group("day") or before or WEEK_START_DAY.get((m.group("week") or "").lower())
    return month_start(today, month, m.group("part"), day)


def _weekday_index(name: str) -> int:
    return next(i for i, wd in enumerate(WEEKDAYS) if wd.startswith(name.lower()[:3]))


def _since_weekday(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """A weekday ("since Monday", "started on Tuesday", "last Friday week"): back to the last one
    (a week for today's), a week more for "Friday week"."""
    out = []
    for m in SINCE_DAY.finditer(text):
        lead = m.group("lead").lower()
        if not lead.startswith(_START_LEADS) and not start_cue_around(text, m):
            continue  # "I see the GP on Monday"
        if not_patients_pain(text, m):
            continue
        if lead != "since" and lead in ("on", "last") and len(m.group("wd")) <= len("thurs"):
            if m.group("wd").lower() not in WEEKDAYS:
                continue  # "on sat" / "last sun": short forms only after since / started
        days = (today.weekday() - _weekday_index(m.group("wd"))) % len(WEEKDAYS) or len(WEEKDAYS)
        if m.group("week_before") or m.group("week_after"):
            days += WEEK_DAYS
        out.append((days, m))
    for m in WEEKDAY_PART.finditer(text):
        if any(m.start() < o.end() and o.start() < m.end() for _, o in out):
            continue  # "since Friday night": read above
        if start_cue_around(text, m) and not not_patients_pain(text, m):
            days = (today.weekday() - _weekday_index(m.group("wd"))) % len(WEEKDAYS) or len(WEEKDAYS)
            out.append((days + (WEEK_DAYS if m.group("before_last") else 0), m))
    for m in BARE_WEEKDAY.finditer(text):
        # "did it liftin boxes at work friday", "hurt my back friday": a weekday named in full with
        # no lead, dated by a start cue in its sentence
        if any(m.start() < o.end() and o.start() < m.end() for _, o in out) or _FUTURE_BEFORE.search(
            text[max(0, m.start() - 25) : m.start()]
        ):
            continue
        if start_cue_around(text, m) and not not_patients_pain(text, m):
            out.append(
                ((today.weekday() - _weekday_index(m.group("wd"))) % len(WEEKDAYS) or len(WEEKDAYS), m)
            )
    return out


def _weekday_date(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """A weekday with a day number ("Wednesday the 18th"): the latest such day on or before
    today that falls on that weekday (else the latest with that number)."""
    out = []
    for m in WEEKDAY_DATE.finditer(text):
        lead = (m.group("lead") or "").lower()
        # "since the church bazaar. That was a Saturday, the 14th": the day of a start said before
        told_before = lead.endswith(_REFERS_BACK) and _START_BEFORE.search(text[: m.start()]) is not None
        if not lead.startswith(_START_LEADS) and not told_before and not start_cue_around(text, m):
            continue
        if not_patients_pain(text, m):
            continue
        day, weekday = int(m.group("day")), _weekday_index(m.group("wd"))
        dates = []
        first = today.replace(day=1)
        for _ in range(WEEKDAY_DATE_MONTHS):
            try:
                candidate = first.replace(day=day)
            except ValueError:
                candidate = None
            if candidate is not None and candidate <= today:
                dates.append(candidate)
            first = (first - dt.timedelta(days=1)).replace(day=1)
        if dates:
            start = next((d for d in dates if d.weekday() == weekday), dates[0])
            out.append(((today - start).days, m))
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
            days = (today.weekday() - 5) % 7 or 7  # back to the last Saturday
            if "before last" in phrase or "but one" in phrase:
                days += WEEK_DAYS  # "the weekend before last": the Saturday a week before that
            out.append((days, m))
    return out


def _since_year(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """A year ("since 2019"): from the first of January of that year."""
    years = [(int(m.group("year")), m) for m in SINCE_YEAR.finditer(text)]
    return [((today - dt.date(year, 1, 1)).days, m) for year, m in years if year <= today.year]


def _weekday_of_month(text: str, today: dt.date) -> list[tuple[int, re.Match[str]]]:
    """A weekday of a month ("the first Friday of October"), or a count of weekdays back ("2 sunday
    ago"): those days, not the latest Friday or Sunday."""
    out = []
    for m in NTH_WEEKDAY.finditer(text):
        if not_patients_pain(text, m):
            continue
        month = next(v for k, v in MONTHS.items() if k.startswith(m.group("month").lower()[:3]))
        said = m.group("n").lower()
        n, weekday = _NTH.get(said) or ORDINAL_DAYS[said], _weekday_index(m.group("wd"))
        for year in (today.year, today.year - 1):
            day = nth_weekday(year, month, weekday, n)
            if day <= today:
                out.append(((today - day).days, m))
                break
    for m in WEEKDAYS_AGO.finditer(text):
        if not_patients_pain(text, m):
            continue
        latest = (today.weekday() - _weekday_index(m.group("wd"))) % len(WEEKDAYS) or len(WEEKDAYS)
        out.append((latest + WEEK_DAYS * (int(number_value(m.group("n")) or 1) - 1), m))
    return out
