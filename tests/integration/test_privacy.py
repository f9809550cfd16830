"""No message text in any log: both servers at DEBUG, a whole conversation, and forced error paths
(the conversation store breaking mid-conversation, a turn failing in the action server, the
action server gone). A made-up word in every message of the patient must appear in no log line.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Chat
from tooling.stack import Stack, post_json, running_stack

# Unique to this run, and no word of any language: any line holding it holds the patient's text.
MARKER = f"quorbit{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def debug_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Path]]:
    """Both servers at DEBUG, keeping conversations in an SQLite file (so the test can break it)."""
    db = tmp_path_factory.mktemp("store") / "conversations.db"
    store = f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{db}"\n'
    with running_stack(rasa_args=["--debug"], action_args=["--debug"], endpoints_extra=store) as stack:
        yield stack, db


def test_no_message_text_in_any_log_even_on_error_paths(debug_stack: tuple[Stack, Path]) -> None:
    stack, db = debug_stack
    chat = Chat(stack, "privacy-patient-1")
    chat.say(f"hello, {MARKER} here, my lower back has hurt for 3 weeks and I'm 58")
    chat.click("Yes, I agree")
    chat.say(f"no, well a couple of little leaks {MARKER}, I don't always notice")  # read back, quoted
    chat.say(f"what is {MARKER} and is it cauda equina?")
    chat.say(f'/deny{{"answer_to":"{MARKER}"}}')  # a typed command, read as words
    chat.say(f"no, {MARKER}")
    chat.say(f"please delete my conversation {MARKER}")
    chat.click("No, keep it")
    other = Chat(stack, "privacy-patient-2")
    other.say(f"I wet myself and can't feel my bum {MARKER}")  # an emergency, with the summary
    assert other.triage is not None and other.triage["level"] == "emergency"

    # Forced error 1: the conversation store breaks mid-conversation (Rasa falls back to memory).
    db.write_bytes(b"this is no database " * 512)
    chat.say(f"no, nothing like that {MARKER}")
    assert chat.replies, "the patient got no answer while the store was broken"

    # Forced error 2: a turn fails in the action server (a slot value it cannot read, and the
    # patient's words in the tracker it was sent).
    tracker = {
        "sender_id": "privacy-patient-3",
        "slots": {"reasks": MARKER, "phase": "asking"},
        "latest_message": {"text": f"my back {MARKER}", "intent": {"name": "describe_symptoms"}},
        "events": [{"event": "user", "text": f"my back {MARKER}"}],
    }
    call = {"next_action": "action_turn", "tracker": tracker, "domain": {}, "version": "3.6.2"}
    status, body = post_json(f"{stack.action_url}/webhook", call)
    assert status == 200 and json.loads(body)["responses"][0]["response"] == "utter_internal_error"

    # Forced error 3: the action server is gone; Rasa's call to it fails.
    stack.actions.terminate()
    stack.actions.wait(timeout=30)
    # The REST channel answers 503 then (never an empty 200: channels/availability.py).
    status, _ = post_json(
        stack.webhook, {"sender": "privacy-patient-4", "message": f"my back hurts {MARKER}"}
    )
    assert status == 503

    rasa_log, actions_log = stack.log("rasa"), stack.log("actions")
    assert "DEBUG" in rasa_log and "DEBUG" in actions_log, "the servers did not log at DEBUG"
    errors = [line for line in rasa_log.splitlines() if " ERROR " in line]
    assert any("SQLTrackerStore" in line for line in errors), "the store error path was not taken"
    assert any("action_turn" in line for line in errors), "the failed action call was not logged"
    assert " ERROR " in actions_log, "the action error path was not taken"
    assert MARKER not in rasa_log, "message text in the Rasa server's log"
    assert MARKER not in actions_log, "message text in the action server's log"
