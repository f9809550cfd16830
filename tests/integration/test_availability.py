"""A server that cannot answer says 503, never an empty 200 (channels/rest.py, availability.py).

Rasa's REST channel answers 200 [] when the action server is down: the processor only logs the
failed action. A client cannot tell that from a turn with nothing to say, and a load balancer
would not try another replica.
"""

from __future__ import annotations

import json
import os
import signal
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from bench.simulated_patients import RECORDED_ON
from nlp.dates import TODAY_ENV
from tooling.stack import Stack, post_json, running_stack


@pytest.fixture(scope="module")
def stack_without_actions() -> Iterator[Stack]:
    """A stack whose action server dies once the first turn has been answered."""
    with running_stack(extra_env={TODAY_ENV: RECORDED_ON}) as s:
        assert _ready(s) == (200, "ok")
        s.say("patient-before", "hi")
        os.killpg(s.actions.pid, signal.SIGKILL)
        s.actions.wait()
        yield s


def _ready(s: Stack) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(s.rasa_url + "/webhooks/rest/ready", timeout=10) as resp:
            return resp.status, json.loads(resp.read())["status"]
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())["status"]


def test_a_message_that_got_no_answer_is_a_503_with_retry_after(stack_without_actions: Stack) -> None:
    req = urllib.request.Request(
        stack_without_actions.webhook,
        data=json.dumps({"sender": "patient-before", "message": "yes"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(req, timeout=30)
    assert caught.value.code == 503
    assert caught.value.headers["Retry-After"] == "2"
    assert "send it again" in json.loads(caught.value.read())["error"]


def test_a_new_patient_is_not_answered_with_an_empty_200_either(stack_without_actions: Stack) -> None:
    status, body = post_json(stack_without_actions.webhook, {"sender": "patient-new", "message": "hi"})
    assert (status, body) != (200, b"[]") and status == 503


def test_readiness_says_the_action_server_is_not_answering(stack_without_actions: Stack) -> None:
    assert _ready(stack_without_actions) == (503, "action server not answering")


def test_bad_requests_are_still_refused_as_such(stack_without_actions: Stack) -> None:
    status, _ = post_json(stack_without_actions.webhook, {"message": "hi"})
    assert status == 400
