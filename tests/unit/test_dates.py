"""Durations relative to today, with an injected clock (nlp/dates.py and nlp/facts/)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import pytest

from nlp.facts import extract_facts, load_nlp

TODAY = dt.date(2026, 11, 30)  # a Monday


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_nlp()


def _fact(text: str, nlp: Any, fact: str, today: dt.date = TODAY) -> Optional[int]:
    found = {m.fact: m.value for m in extract_facts(text, nlp, today)}
    return int(found[fact]) if fact in found else None


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("since early last month", 56),
        ("my back has hurt since last month", 46),
        ("since the end of September", 66),
        ("since end of september lah", 66),
        ("since halloween", 30),
        ("my back went at Easter", 239),
        ("since Bonfire night", 25),
        ("since the 20th", 10),
        ("since the 1st of the month", 29),
        ("since Mid-Autumn festival", 66),
        ("labor day weekend", 84),
        ("It started on Saturday the 21st of November", 9),
        ("Since the first week of October", 57),
        ("Low back pain since 2026-10-20", 41),
        ("since 03/10", 58),
        ("since two days", 2),
        # a day number with its month or weekday, and the British "Friday week"
        ("since Thursday 12 November", 18),
        ("since 3rd of November", 27),
        ("it started wednesday the 18th", 12),
        ("since last Friday week", 10),
        ("it started sunday just gone", 1),
        ("since wed", 5),
        # a short reply that is a date on its own (to "how long have you had it?")
        ("early October", 56),
        ("prob mid sept.", 76),
        ("12th nov", 18),
        ("I think the 18th", 12),
        ("um it was last friday", 3),
        ("around the 20th of october", 41),
        ("my lower back has been killing me since melbourne cup day", 27),
        ("i slipped on the stairs saturday before last and my lower back's been killing me since", 9),
        ("friday arvo", 3),
        ("hey so i slept on the couch friday night and woke up with a massive crick", 3),
        ("done me back in proper liftin feed sacks on the 20th", 10),
        ("I told ya. Since da end of September. Two months give or take.", 66),
        ("Hello. I was treated for cancer; in remission since. About a week ago I developed new pain.", 7),
    ],
)
def test_start_dates_become_days_before_today(text: str, days: int, nlp: Any) -> None:
    assert _fact(text, nlp, "duration_days") == days


def test_the_same_words_on_another_day_give_another_duration(nlp: Any) -> None:
    assert _fact("since early last month", nlp, "duration_days", dt.date(2026, 3, 20)) == 43


@pytest.mark.parametrize(
    "text",
    [
        "I went to the christmas party",
        "I will be 60 at christmas",
        "I see the GP on the 3rd of December",
        "I see the GP on Monday",
        "2015",
        "I sat down",
        "I take my tablets at 20 I think",
    ],
)
def test_a_named_day_that_dates_nothing(text: str, nlp: Any) -> None:
    assert _fact(text, nlp, "duration_days") is None


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("I will be 60 at christmas", 59),
        ("I was born in June 1971", 55),
        ("turning 50 next month", 49),
        ("my legs are wobbly, but at 81 I suppose that is to be expected", 81),
    ],
)
def test_ages_said_indirectly(text: str, age: int, nlp: Any) -> None:
    assert _fact(text, nlp, "age") == age


def test_a_corrected_away_duration_is_not_taken(nlp: Any) -> None:
    assert _fact("the back ache is 3 weeks now, not 11 years", nlp, "duration_days") != 11 * 365


@pytest.mark.parametrize(
    ("text", "days"),
    [("since canadian thanksgiving", 49), ("since American Thanksgiving", 4), ("since thanksgiving", None)],
)
def test_thanksgiving_is_read_only_with_its_country(text: str, days: Optional[int], nlp: Any) -> None:
    """The US (late November) and Canada (mid October) keep it 6 weeks apart: plain Thanksgiving is
    asked about instead of guessed."""
    assert _fact(text, nlp, "duration_days") == days


# --------------------------------------------------------------------------- round 10 (blind role-play)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        # "Friday week" written short
        ("since last fri wk", 10),
        ("since last friday wk", 10),
        ("started last tues week", 13),
        # UK clinical shorthand: 2/52 = 2 weeks, 3/12 = 3 months, 5/7 = 5 days
        ("approx 2/52", 14),
        ("LBP approx 3/12", 90),
        ("back pain for 5/7", 5),
        ("pain 1/52, no red flags", 7),
        # a sentence that sums up how long, after a story of when it started
        ("Three shifts ago. The Thursday night shift. So 4 days.", 4),
        ("I did it at work on the night shift. That's 5 days.", 5),
        ("The pain came on at work after the Thursday night shift. So 4 days.", 4),
        # a named day with "on", then "ever since"
        ("tweaked my lower back on bonfire night and been sore ever since", 25),
        ("hurt my back on boxing day, been bad ever since", 339),
    ],
)
def test_round10_durations(text: str, days: int, nlp: Any) -> None:
    assert _fact(text, nlp, "duration_days") == days


@pytest.mark.parametrize(
    "text",
    [
        # not the shorthand: a score, all the time, a date
        "pain 7/10",
        "it's 24/7 pain",
        "appointment on 5/7",
        # another condition's or aid's duration, in a sentence with no word of the pain
        "i'm a wheelchair user, been one for 9 years",
        "only my feet... diabetic neuropathy ive had it about 6 years, its no different",
        "I've used a walking stick for 5 years",
        "I had polio as a child and wear a caliper, 40 years now",
        # someone else's story summed up
        "My mum had a bad fall at her house on the stairs. So 2 weeks.",
    ],
)
def test_round10_not_the_pains_duration(text: str, nlp: Any) -> None:
    assert _fact(text, nlp, "duration_days") is None


def test_another_conditions_duration_leaves_the_pains(nlp: Any) -> None:
    assert _fact("wheelchair user for 9 years and my back has hurt for 3 weeks", nlp, "duration_days") == 21
