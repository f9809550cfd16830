"""The summary for the doctor (triage/summary.py)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from triage import clock
from triage.engine import default_engine
from triage.summary import build_summary, describe_duration, template_values

ENGINE = default_engine()
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)
FACTS = {
    "bladder_bowel": "absent",
    "saddle_numbness": "unsure",
    "weakness": "present",
    "weakness_sides": "one",
    "weakness_worsening": "absent",
    "cancer_history": "present",
    "age": 62,
    "duration_days": 21,
    "mid_back": "present",
}


def test_summary_has_what_a_clinician_needs() -> None:
    outcome = ENGINE.evaluate(FACTS)
    s = build_summary(ENGINE, FACTS, outcome, NOW)
    assert s["created_at"] == "2026-11-21T09:30+00:00"
    assert s["age"] == 62 and s["duration_days"] == 21 and s["duration"] == "about 3 weeks"
    assert s["location"] == "middle of the back"
    assert s["positives"] == [
        "new weakness in an arm or leg (one side, not getting worse)",
        "a history of cancer",
    ]
    assert s["negatives"] == ["new bladder or bowel problems"]
    assert s["unknown"] == ["numbness in the saddle area"]
    assert s["level"] == "emergency" and s["rules"] == ["E5", "U1", "U3", "S7"]


def test_template_values_are_all_filled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.TIMEZONE_ENV, raising=False)
    values = template_values(build_summary(ENGINE, FACTS, ENGINE.evaluate(FACTS), NOW))
    assert values["summary_created"] == "21 Nov 2026, 09:30 UTC"
    assert values["summary_level"].startswith("EMERGENCY")
    assert values["summary_rules"] == "E5, U1, U3, S7"
    assert all(isinstance(v, str) and v for v in values.values())


def test_summary_before_any_answer_says_what_is_missing() -> None:
    values = template_values(build_summary(ENGINE, {}, None, NOW))
    assert values["summary_age"] == "not given" and values["summary_duration"] == "not given"
    assert values["summary_positives"] == "none" and values["summary_level"].startswith("not decided")


def test_unsure_age_is_listed_as_unknown() -> None:
    s = build_summary(ENGINE, {"age": "unsure"}, None, NOW)
    assert s["age"] is None and "age" in s["unknown"]


@pytest.mark.parametrize(
    "days,shown",
    [
        (1, "1 day"),
        (10, "10 days"),
        (14, "about 2 weeks"),
        (45, "about 6 weeks"),
        (90, "about 3 months"),
        (800, "2 years"),
    ],
)
def test_durations_read_naturally(days: int, shown: str) -> None:
    assert describe_duration(days) == shown


def test_each_sign_says_where_it_came_from_and_location_is_in_the_patients_terms() -> None:
    from triage.engine import default_engine
    from triage.summary import build_summary

    engine = default_engine()
    facts = {"bladder_bowel": "absent", "saddle_numbness": "present", "fever": "unsure", "mid_back": "absent"}
    sources = {
        "bladder_bowel": {"how": "button", "words": ""},
        "saddle_numbness": {"how": "said", "words": "my bum's gone to sleep"},
        "fever": {"how": "answered", "words": "dunno, bit warm maybe"},
        "where": {"how": "said", "words": "lower back"},
    }
    summary = build_summary(engine, facts, engine.evaluate(facts), sources=sources)
    assert summary["positives"] == ['numbness in the saddle area (said: "my bum\'s gone to sleep")']
    assert summary["negatives"][0] == "new bladder or bowel problems (tapped No)"
    assert summary["unknown"] == ['fever or chills (answered: "dunno, bit warm maybe")']
    assert summary["location"] == "lower back"
    assert "a lump or swelling" in summary["not_asked"] and "fever or chills" not in summary["not_asked"]
    assert summary["policy_version"] == engine.policy_version


def test_the_summary_time_and_today_are_the_deployments(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 00:30 UTC on 1 December it is still 30 November in New York: the summary shows the
    clinic's time and "since Thursday" counts from the clinic's day (triage/clock.py)."""
    monkeypatch.setenv(clock.TIMEZONE_ENV, "America/New_York")
    late = datetime(2026, 12, 1, 0, 30, tzinfo=timezone.utc)
    values = template_values(build_summary(ENGINE, FACTS, ENGINE.evaluate(FACTS), late))
    assert values["summary_created"] == "30 Nov 2026, 19:30 EST"
    monkeypatch.setenv(clock.TIMEZONE_ENV, "Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        clock.zone()


def test_a_strain_is_no_sign_of_low_back_pain() -> None:
    # "clearly from a strain" is asked of mid-back pain only (S7); said of low back pain it is not
    # listed among what the patient said yes to (round 10 and 12 evaluators read it as a warning sign)
    low = build_summary(ENGINE, {**FACTS, "mid_back": "absent", "mechanical": "present"}, None, NOW)
    assert not any("strain" in item for item in low["positives"] + low["negatives"] + low["not_asked"])
    mid = build_summary(ENGINE, {**FACTS, "mechanical": "present"}, None, NOW)
    assert any("strain" in item for item in mid["positives"])


def test_a_fixed_today_dates_the_summary_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A replay's TRIAGE_TODAY dates the summary as well as the durations (round 17 saw a summary
    dated the day after the one its durations were counted from)."""
    monkeypatch.setenv(clock.TODAY_ENV, "2026-11-30")
    assert clock.now().date() == clock.today() == date(2026, 11, 30)
    monkeypatch.delenv(clock.TODAY_ENV)
    assert clock.now().date() == clock.today()
