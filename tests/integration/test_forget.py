""" "Delete my conversation": asked, confirmed by button, then gone from the conversation store
(in memory, Redis at 127.0.0.1:6379, PostgreSQL at 127.0.0.1:5432 db "test"), with a
confirmation. And a patient whose conversation was lost (a restart of a server that keeps
conversations in memory) is told it started over, not silently sent back to consent.

What the store holds is read through Rasa's HTTP API (on, with a token, in these stacks) or
straight from Redis / PostgreSQL; what the bot said is read as response names from the tracker.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Chat
from tooling.stack import Stack, running_stack

API_TOKEN = "forget-test-token-not-a-secret"
REDIS_DB = 14  # a database of its own on the machine's Redis
POSTGRES = {"host": "127.0.0.1", "port": 5432, "dbname": "test", "user": "postgres"}


def _tracker(stack: Stack, sender: str) -> dict[str, Any]:
    url = f"{stack.rasa_url}/conversations/{sender}/tracker?token={API_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def user_events(stack: Stack, sender: str) -> int:
    """How many of the patient's messages the store holds for this conversation."""
    return sum(e["event"] == "user" for e in _tracker(stack, sender)["events"])


def last_responses(stack: Stack, sender: str) -> list[str]:
    """Names of the responses of the bot's latest turn."""
    names: list[str] = []
    for event in reversed(_tracker(stack, sender)["events"]):
        if event["event"] == "user":
            break
        if event["event"] == "bot":
            names.insert(0, (event.get("metadata") or {}).get("utter_action"))
    return names


def started_with_api(**options: Any) -> Any:
    return running_stack(rasa_args=["--enable-api", "--auth-token", API_TOKEN], **options)


@pytest.fixture(scope="module")
def memory_stack() -> Iterator[Stack]:
    with started_with_api() as stack:
        yield stack


def _mid_triage(stack: Stack) -> Chat:
    chat = Chat(stack, f"forget-{uuid.uuid4().hex[:12]}")
    chat.start("my lower back has hurt for 3 weeks, I'm 58")
    chat.click("No")
    assert chat.question
    return chat


def _delete(chat: Chat) -> None:
    chat.say("please delete my conversation")
    assert {b["title"] for b in chat.buttons} == {"Yes, delete it", "No, keep it"}
    chat.click("Yes, delete it")


def test_delete_my_conversation_removes_it_from_memory(memory_stack: Stack) -> None:
    chat = _mid_triage(memory_stack)
    assert user_events(memory_stack, chat.sender) >= 3
    _delete(chat)
    assert chat.replies, "no confirmation"
    assert user_events(memory_stack, chat.sender) == 0, "the conversation is still stored"
    chat.say("hello")  # a new conversation: the opening again
    assert last_responses(memory_stack, chat.sender)[-2:] == ["utter_intro", "utter_consent"]


def test_no_keeps_the_conversation_and_goes_on(memory_stack: Stack) -> None:
    chat = _mid_triage(memory_stack)
    pending = chat.question
    chat.say("delete my data")
    chat.click("No, keep it")
    assert last_responses(memory_stack, chat.sender)[0] == "utter_forget_kept"
    assert chat.question == pending and user_events(memory_stack, chat.sender) >= 4


def test_after_a_restart_a_lost_conversation_is_told_it_started_over(memory_stack: Stack) -> None:
    pressed, typed = _mid_triage(memory_stack), _mid_triage(memory_stack)
    memory_stack.restart_rasa()  # conversations in memory are gone
    pressed.click("No")  # the question's button, still on the patient's screen
    assert last_responses(memory_stack, pressed.sender) == [
        "utter_lost_conversation",
        "utter_intro",
        "utter_consent",
    ]
    typed.say("no")
    assert last_responses(memory_stack, typed.sender)[0] == "utter_lost_conversation"
    assert typed.buttons and typed.triage is None


@pytest.fixture(scope="module")
def redis_stack() -> Iterator[tuple[Stack, str]]:
    redis = pytest.importorskip("redis")
    prefix = f"forgettest{uuid.uuid4().hex[:12]}"  # Rasa accepts only alphanumeric prefixes
    store = (
        "tracker_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n"
        f"  db: {REDIS_DB}\n  key_prefix: {prefix}\n"
    )
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    try:
        with started_with_api(endpoints_extra=store) as stack:
            yield stack, prefix
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def test_delete_my_conversation_removes_it_from_redis(redis_stack: tuple[Stack, str]) -> None:
    import redis

    stack, prefix = redis_stack
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    chat = _mid_triage(stack)
    keys = list(client.scan_iter(f"{prefix}:*{chat.sender}"))
    assert keys, "nothing stored in Redis"
    _delete(chat)
    assert not list(client.scan_iter(f"{prefix}:*{chat.sender}")), "still in Redis"


@pytest.fixture(scope="module")
def postgres_stack() -> Iterator[tuple[Stack, Any]]:
    psycopg2 = pytest.importorskip("psycopg2")
    store = (
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n"
        f"  url: {POSTGRES['host']}\n  port: {POSTGRES['port']}\n  db: {POSTGRES['dbname']}\n"
        f"  username: {POSTGRES['user']}\n"
    )
    conn = psycopg2.connect(**POSTGRES)
    conn.autocommit = True
    senders: list[str] = []
    try:
        with started_with_api(endpoints_extra=store) as stack:
            yield stack, (conn, senders)
    finally:
        with conn.cursor() as cur:
            for sender in senders:
                cur.execute("DELETE FROM events WHERE sender_id = %s", (sender,))
        conn.close()


def test_delete_my_conversation_removes_it_from_postgresql(postgres_stack: tuple[Stack, Any]) -> None:
    stack, (conn, senders) = postgres_stack
    chat = _mid_triage(stack)
    senders.append(chat.sender)

    def rows() -> int:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM events WHERE sender_id = %s", (chat.sender,))
            return int(cur.fetchone()[0])

    assert rows() > 0, "nothing stored in PostgreSQL"
    _delete(chat)
    assert rows() == 0, "still in PostgreSQL"
