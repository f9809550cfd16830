"""Shared fixtures. The REST tests run against the real stack started once per session."""

from __future__ import annotations

import itertools
import json
from typing import Any, Iterator, Optional

import pytest

from bench.simulated_patients import RECORDED_ON
from nlp.dates import TODAY_ENV
from tooling.stack import Stack, running_stack

_ids = itertools.count()
# The injected clock of every conversation test: relative dates ("since early last month") are
# counted from the day the recorded and role-played patients were written (RECORDED_ON).


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """Action server + Rasa server with the trained model (make test trains it first)."""
    with running_stack(extra_env={TODAY_ENV: RECORDED_ON}) as s:
        yield s


class Chat:
    """One patient talking to the assistant through the REST channel."""

    def __init__(self, stack: Stack, sender: Optional[str] = None) -> None:
        self.stack = stack
        self.sender = sender or f"test-patient-{next(_ids)}"
        self.replies: list[dict[str, Any]] = []
        self.asked: list[str] = []  # facts the assistant asked about, in order

    def say(self, message: str) -> list[dict[str, Any]]:
        self.replies = self.stack.say(self.sender, message)
        fact = self.question
        if fact:
            self.asked.append(fact)
        return self.replies

    def click(self, title: str) -> list[dict[str, Any]]:
        """Press a button of the last reply, as a chat widget would (sends its payload)."""
        for button in self.buttons:
            if button["title"] == title:
                return self.say(button["payload"])
        raise AssertionError(f"no button {title!r} in {[b['title'] for b in self.buttons]}")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for r in self.replies for b in r.get("buttons") or []]

    @property
    def text(self) -> str:
        return "\n".join(r.get("text") or "" for r in self.replies)

    @property
    def question(self) -> Optional[str]:
        """The fact the last reply asks about (read from its buttons' answer_to)."""
        for button in self.buttons:
            payload = button["payload"]
            if "{" in payload:
                fact = json.loads(payload[payload.index("{") :]).get("answer_to")
                if fact and fact != "consent":
                    return fact
        return None

    @property
    def triage(self) -> Optional[dict[str, Any]]:
        for r in self.replies:
            custom = r.get("custom") or {}
            if "triage" in custom:
                return custom["triage"]
        return None

    def start(self, first_message: str = "hi") -> Chat:
        """Open the conversation and agree to the terms."""
        self.say(first_message)
        if self.triage is None:
            self.click("Yes, I agree")
        return self

    def answer_until_outcome(self, answers: dict[str, str], default: str = "no", limit: int = 25) -> dict:
        """Answer each question from `answers` (by fact), else `default`, until the outcome."""
        for _ in range(limit):
            if self.triage is not None:
                return self.triage
            fact = self.question
            assert fact, f"neither a question nor an outcome: {self.text!r}"
            self.say(answers.get(fact, default))
        raise AssertionError(f"no outcome after {limit} turns")


@pytest.fixture
def chat(stack: Stack) -> Chat:
    return Chat(stack)
