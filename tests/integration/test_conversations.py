"""Whole conversations through the REST channel of the running assistant (NLU + dialogue + actions)."""

from __future__ import annotations

import json
import threading

import pytest

from tests.conftest import Chat
from tooling.stack import Stack, post_json

NUMBER_ANSWERS = {"age": "35", "duration_days": "about 10 days"}


def test_routine_back_strain(chat: Chat) -> None:
    chat.start("hi")
    chat.say("I hurt my lower back lifting boxes 5 days ago, it eases when I lie down. I'm 34")
    triage = chat.answer_until_outcome({})
    assert triage["level"] == "routine" and triage["rules"] == []
    assert not {"age", "duration_days"} & set(chat.asked), "asked what the patient already said"
    assert len(chat.asked) == len(set(chat.asked))


def test_soon_night_pain(chat: Chat) -> None:
    chat.start("Hello, my back pain wakes me up at night")
    triage = chat.answer_until_outcome(NUMBER_ANSWERS)
    assert triage["level"] == "soon" and "S1" in triage["rules"]
    assert "night_pain" not in chat.asked


def test_urgent_cancer_history(chat: Chat) -> None:
    chat.start("I had breast cancer in 2019 and now my back has been aching for a couple of weeks")
    triage = chat.answer_until_outcome(NUMBER_ANSWERS)
    assert triage["level"] == "urgent" and "U3" in triage["rules"]
    assert "cancer_history" not in chat.asked


def test_emergency_in_the_first_message(chat: Chat) -> None:
    chat.say("my back is killing me and I've wet myself twice today, can't feel my bum on the toilet")
    assert chat.triage is not None and chat.triage["level"] == "emergency"
    assert {"E1", "E2"} <= set(chat.triage["rules"])
    assert chat.question is None, "kept asking after an emergency sign"


def test_emergency_revealed_answering_another_question(chat: Chat) -> None:
    chat.start("my back hurts")
    chat.say("it's my lower back")
    assert chat.question == "bladder_bowel"
    chat.say("no, but both my legs have gone weak")
    assert chat.triage is not None and chat.triage["level"] == "emergency"
    assert "E3" in chat.triage["rules"]


def test_correction_changes_the_triage(chat: Chat) -> None:
    chat.start("lower back pain for 3 days after gardening, I'm 30")
    triage = chat.answer_until_outcome({})
    assert triage["level"] == "routine"
    chat.say("actually I do have some numbness in both legs")
    assert chat.triage is not None and chat.triage["level"] == "emergency"


def test_not_sure_to_an_emergency_question(chat: Chat) -> None:
    chat.start("my back hurts")
    chat.say("lower back")
    assert chat.question == "bladder_bowel"
    chat.click("Not sure")
    triage = chat.answer_until_outcome(NUMBER_ANSWERS)
    assert triage["level"] == "urgent"
    assert "bladder_bowel" in triage["watch_for"]


def test_buttons_answer_questions(chat: Chat) -> None:
    chat.start("my back hurts")
    chat.say("lower back")
    chat.click("No")
    assert chat.question == "saddle_numbness"
    chat.click("Yes")
    assert chat.triage is not None and chat.triage["level"] == "emergency"


def test_why_do_you_ask(chat: Chat) -> None:
    chat.start("my back hurts")
    chat.say("lower back")
    pending = chat.question
    chat.say("why do you ask?")
    assert chat.question == pending and len(chat.replies) >= 2


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "x" * 10_000,
        "😀😀😀🔥",
        "me duele mucho la espalda",
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
    ],
)
def test_bad_input_gets_a_polite_answer_and_keeps_the_conversation(chat: Chat, message: str) -> None:
    chat.start("it wakes me at night")
    before = chat.question
    assert before
    chat.say(message)
    assert chat.text.strip(), "no answer"
    assert "<script>" not in chat.text
    assert chat.question == before, "lost the pending question"
    triage = chat.answer_until_outcome(NUMBER_ANSWERS)
    assert "S1" in triage["rules"], "lost a fact given before the bad message"


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"sender": "x"}',
        b"[]",
        b'{"sender": "x", "message": {"a": 1}}',
        b"",
        b'{"message": "hi"}',
        b'{"sender": "", "message": "hi"}',
        b'{"sender": "x", "message": null}',
        b'{"sender": "twilio:+15551234567", "message": "hi"}',  # a platform's conversation
        b'{"sender": "x", "message": "' + b"a" * 100_001 + b'"}',
    ],
    ids=lambda raw: repr(raw[:40]),
)
def test_malformed_requests_get_a_clear_http_error(stack: Stack, raw: bytes) -> None:
    status, _ = post_json(stack.webhook, None, raw=raw)
    assert 400 <= status < 500, status
    # and the server still serves others
    assert stack.say("after-malformed", "hi")


def test_patients_do_not_mix(stack: Stack) -> None:
    a, b = Chat(stack), Chat(stack)
    a.start("my back hurts")
    b.start("I had bowel cancer and my back hurts")
    a.say("I've lost control of my bladder")
    b.say("no")
    assert a.triage is not None and a.triage["level"] == "emergency"
    assert b.triage is None and b.question is not None  # still being asked: no outcome of a's


def test_parallel_patients_each_get_their_own_outcome(stack: Stack) -> None:
    results: dict[int, str] = {}

    def patient(i: int) -> None:
        c = Chat(stack)
        c.start("my back hurts and it wakes me at night" if i % 2 else "I can't feel my groin or bum")
        results[i] = c.answer_until_outcome(NUMBER_ANSWERS)["level"]

    threads = [threading.Thread(target=patient, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: ("soon" if i % 2 else "emergency") for i in range(6)}


def test_outcome_payload_shape(chat: Chat) -> None:
    chat.say("I was in a car crash yesterday and now my back hurts")
    triage = chat.triage
    assert triage is not None
    assert set(triage) >= {"level", "rules", "facts"}
    assert triage["level"] == "emergency" and "E6" in triage["rules"]
    json.dumps(triage)


def test_topic_questions_mid_triage_then_back_to_the_question(chat: Chat) -> None:
    chat.start("my lower back aches and it wakes me at night")
    pending = chat.question
    assert pending
    chat.say("what is cauda equina syndrome?")
    assert "Source:" in chat.text, "no cited answer"
    assert chat.question == pending, "did not go back to the pending question"
    chat.say("do I need an MRI?")
    assert "MRI" in chat.text and chat.question == pending
    chat.say("is ibuprofen ok with my blood pressure tablets?")  # outside the sources
    assert chat.question == pending
    triage = chat.answer_until_outcome({"age": "35", "duration_days": "2 weeks"})
    assert "S1" in triage["rules"], "a fact given before the questions was lost"


def test_summary_on_request_and_at_the_end(chat: Chat) -> None:
    chat.start("I'm 58 and my mid back has hurt for 5 weeks")
    chat.say("can I get a summary for my doctor?")
    summaries = [r["custom"]["summary"] for r in chat.replies if "summary" in (r.get("custom") or {})]
    assert summaries and summaries[0]["age"] == 58 and summaries[0]["level"] is None
    chat.answer_until_outcome({})
    summaries = [r["custom"]["summary"] for r in chat.replies if "summary" in (r.get("custom") or {})]
    assert summaries and summaries[0]["level"] == chat.triage["level"]
    assert summaries[0]["duration_days"] == 35 and summaries[0]["location"] == "middle of the back"
