"""Two Rasa servers (each with its own action server) share one conversation store in Redis.

The actions keep no state of their own, so a load balancer may send each message of a patient to
a different server: the conversation, its facts and the emergency check must not notice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import redis

from tests.conftest import Chat
from tooling.stack import Stack, running_stack

REDIS_DB = 13  # a database of its own on the machine's Redis (127.0.0.1:6379)


class Alternating:
    """A Stack look-alike that sends each message to the next server in turn."""

    def __init__(self, stacks: list[Stack]) -> None:
        self.stacks, self.turn = stacks, 0

    def say(self, sender: str, message: str) -> list[dict]:
        stack = self.stacks[self.turn % len(self.stacks)]
        self.turn += 1
        return stack.say(sender, message)


@pytest.fixture(scope="module")
def two_servers() -> Iterator[list[Stack]]:
    prefix = f"triagetest{uuid.uuid4().hex[:12]}"  # Rasa accepts only alphanumeric prefixes
    shared = (
        f"tracker_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n  db: {REDIS_DB}\n"
        f"  key_prefix: {prefix}\n"
        f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n  db: {REDIS_DB}\n"
        f"  key_prefix: {prefix}\n"
    )
    store = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    try:
        with ExitStack() as stack:
            yield [stack.enter_context(running_stack(endpoints_extra=shared)) for _ in range(2)]
        assert store.keys(f"{prefix}:*"), "nothing was stored under this run's own prefix"
    finally:
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)


def test_a_conversation_moves_between_servers(two_servers: list[Stack]) -> None:
    chat = Chat(Alternating(two_servers))  # type: ignore[arg-type]
    chat.start("my back has hurt for 3 weeks and it wakes me at night, I'm 40")
    assert chat.question == "bladder_bowel"
    chat.say("no")  # server 2 knows what server 1 asked
    assert chat.question == "saddle_numbness"
    triage = chat.answer_until_outcome({})
    assert triage["level"] == "soon" and "S1" in triage["rules"]
    assert triage["facts"]["age"] == 40 and triage["facts"]["bladder_bowel"] == "absent"


def test_an_emergency_told_to_the_other_server_is_caught(two_servers: list[Stack]) -> None:
    chat = Chat(Alternating(two_servers))  # type: ignore[arg-type]
    chat.start("I had prostate cancer and my back aches")
    chat.say("no")
    chat.say("my left leg has gone numb")
    assert chat.triage is not None and chat.triage["level"] == "emergency"
    assert "E5" in chat.triage["rules"]
