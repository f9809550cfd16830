"""Unit tests of what the platform specs send and check (no Rasa server; local fake APIs):
Slack signatures through slack_sdk, the Messenger token in a header, the emergency call button,
and the channels' own words coming from notes.yml."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pytest

from channels.platforms import base, facebook, slack, telegram, text
from channels.platforms.api import ApiClient
from channels.platforms.settings import read_settings
from tests.integration.platforms.conftest import (
    FB_TOKEN,
    SLACK_SECRET,
    SLACK_TOKEN,
    FakeApi,
    facebook_respond,
    slack_respond,
)

NUMBER = "112"  # any locale's number: the channels take it from the payload, never from code
EMERGENCY = {
    "text": "Something you told me is a warning sign. Please call 112 now.",
    "custom": {"triage": {"level": "emergency", "rules": ["E1"], "call": NUMBER}},
}
ROUTINE = {
    "text": "You can look after this at home.",
    "custom": {"triage": {"level": "routine", "rules": []}},
}


@pytest.fixture
def fb_api() -> Iterator[FakeApi]:
    fake = FakeApi("facebook", facebook_respond)
    yield fake
    fake.close()


def _send(output: base.PlatformOutput, api: ApiClient, message: dict[str, Any], to: str = "p:1") -> None:
    async def go() -> None:
        try:
            await output.send_response(to, message)
        finally:
            await api.close()

    asyncio.run(go())


def _facebook(fake: FakeApi) -> tuple[facebook.FacebookOutput, ApiClient]:
    api = ApiClient("facebook", facebook._error_of)
    return facebook.FacebookOutput(api, fake.url + "/v23.0", FB_TOKEN), api


# --- Messenger: the token in a header, the call button ---


def test_messenger_sends_its_token_in_the_authorization_header(fb_api: FakeApi) -> None:
    output, api = _facebook(fb_api)
    _send(output, api, ROUTINE)
    (call,) = fb_api.snapshot()
    assert call.headers["authorization"] == f"Bearer {FB_TOKEN}"
    assert call.query == {} and FB_TOKEN not in call.path, "no token in the URL"


def test_messenger_emergency_advice_carries_a_call_button(fb_api: FakeApi) -> None:
    output, api = _facebook(fb_api)
    _send(output, api, EMERGENCY)
    (call,) = fb_api.snapshot()
    template = call.json["message"]["attachment"]["payload"]
    assert template["template_type"] == "button" and template["text"] == EMERGENCY["text"]
    assert template["buttons"] == [
        {"type": "phone_number", "title": text.note("call_button", number=NUMBER), "payload": f"+{NUMBER}"}
    ]


def test_messenger_emergency_advice_arrives_even_if_the_call_button_is_refused() -> None:
    def refuse_buttons(call: Any) -> tuple[int, Any]:
        if "attachment" in ((call.json or {}).get("message") or {}):
            return 400, {
                "error": {"message": "(#100) Invalid phone number", "type": "OAuthException", "code": 100}
            }
        return facebook_respond(call)

    fake = FakeApi("facebook", refuse_buttons)
    try:
        output, api = _facebook(fake)
        _send(output, api, EMERGENCY)
        sent = [c.json["message"] for c in fake.snapshot()]
    finally:
        fake.close()
    assert "attachment" in sent[0] and sent[-1] == {"text": EMERGENCY["text"]}


def test_messenger_routine_outcome_has_no_call_button(fb_api: FakeApi) -> None:
    output, api = _facebook(fb_api)
    _send(output, api, ROUTINE)
    assert [c.json["message"] for c in fb_api.snapshot()] == [{"text": ROUTINE["text"]}]


def test_a_long_emergency_advice_keeps_every_word_and_ends_with_the_button(fb_api: FakeApi) -> None:
    output, api = _facebook(fb_api)
    long = {**EMERGENCY, "text": " ".join(["Please call 112 now."] * 60)}
    _send(output, api, long)
    messages = [c.json["message"] for c in fb_api.snapshot()]
    assert len(messages) > 1 and "attachment" in messages[-1]
    assert all(len(m["attachment"]["payload"]["text"]) <= facebook.TEMPLATE_TEXT_LIMIT for m in messages[-1:])
    shown = [m.get("text") or m["attachment"]["payload"]["text"] for m in messages]
    assert " ".join(shown).split() == long["text"].split()


def test_only_an_emergency_payload_with_a_number_gives_a_call() -> None:
    assert base.call_number(EMERGENCY["custom"]) == NUMBER
    assert base.call_number({"triage": {"level": "emergency", "call": "+44 20-7946"}}) == "44207946"
    assert base.call_number(ROUTINE["custom"]) is None
    assert base.call_number({"triage": {"level": "routine", "call": "911"}}) is None, "level decides"
    assert base.call_number({"triage": {"level": "emergency"}}) is None
    assert base.call_number({"triage": {"level": "emergency", "call": "tel:911<script>"}}) is None
    assert base.call_number(None) is None


# --- Telegram: no call button exists, the number on a line of its own ---


def _telegram_sent(message: dict[str, Any]) -> list[dict[str, Any]]:
    fake = FakeApi("telegram", lambda call: (200, {"ok": True, "result": {}}))
    api = ApiClient("telegram", telegram._error_of)
    try:
        _send(telegram.TelegramOutput(api, fake.url + "/botT"), api, message, to="telegram:42")
        return [c.json for c in fake.snapshot()]
    finally:
        fake.close()


def test_telegram_emergency_advice_ends_with_the_number_to_call() -> None:
    (sent,) = _telegram_sent(EMERGENCY)
    assert sent["text"] == f"{EMERGENCY['text']}\n\n{text.note('call_line', number=NUMBER)}"
    assert "reply_markup" not in sent, "Telegram buttons cannot open tel: links"


def test_telegram_routine_outcome_has_no_number_line() -> None:
    (sent,) = _telegram_sent(ROUTINE)
    assert sent["text"] == ROUTINE["text"]


# --- Slack: signatures checked by slack_sdk, Web API through its client ---


def _slack_channel(api_url: str = "http://127.0.0.1:9/api") -> slack.SlackChannel:
    env = {"SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SECRET, "SLACK_API_URL": api_url}
    return slack.SlackChannel(read_settings("slack", None, slack.SETTINGS, env))


def _signed(body: bytes, timestamp: int, secret: str = SLACK_SECRET) -> SimpleNamespace:
    """A request as Slack signs it (computed here by hand, independently of slack_sdk)."""
    digest = hmac.new(secret.encode(), b"v0:%d:" % timestamp + body, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}
    return SimpleNamespace(body=body, headers=headers)


def test_slack_signature_is_checked_by_slack_sdk() -> None:
    channel = _slack_channel()
    assert type(channel.verifier).__module__.startswith("slack_sdk.signature")
    body, now = b'{"type":"event_callback","event_id":"Ev1"}', int(time.time())
    assert channel.authentic(_signed(body, now)), "a valid request"
    tampered = _signed(body, now)
    tampered.body = body.replace(b"Ev1", b"Ev2")
    assert not channel.authentic(tampered), "a tampered body"
    assert not channel.authentic(_signed(body, now, secret="not-the-secret"))
    assert not channel.authentic(_signed(body, now - 600)), "a replay 10 minutes late"
    bad_time = _signed(body, now)
    bad_time.headers["X-Slack-Request-Timestamp"] = "soon"
    assert not channel.authentic(bad_time), "a timestamp that is no number is refused, not an error"
    assert not channel.authentic(SimpleNamespace(body=body, headers={}))


def test_slack_posts_through_slack_sdk_without_logging_message_text(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeApi("slack", slack_respond)
    channel = _slack_channel(fake.url + "/api")
    caplog.set_level(logging.DEBUG)
    try:
        asyncio.run(channel.output().send_response("slack:D1", {"text": "my back hurts"}))
    finally:
        fake.close()
    (call,) = fake.snapshot()
    assert call.path == "/api/chat.postMessage" and call.headers["authorization"] == f"Bearer {SLACK_TOKEN}"
    assert "slackclient/" in call.headers["user-agent"], "sent by slack_sdk's web client"
    assert call.json["text"] == "my back hurts"
    assert "my back hurts" not in caplog.text, "message text in a log (health data)"


# --- the channels' own words: notes.yml, never Python ---


def test_notes_file_holds_exactly_the_notes_the_channels_use() -> None:
    assert set(text.notes()) == text.NOTE_NAMES
    sources = "\n".join(p.read_text() for p in Path(text.__file__).parent.glob("*.py"))
    used = set(re.findall(r"""note\(\s*["'](\w+)["']""", sources)) | set(
        re.findall(r"""note=["'](\w+)["']""", sources)
    )
    assert used == text.NOTE_NAMES, f"unused {text.NOTE_NAMES - used}, unknown {used - text.NOTE_NAMES}"


def test_no_note_wording_is_left_in_the_code() -> None:
    sources = "\n".join(p.read_text() for p in Path(text.__file__).parent.glob("*.py"))
    phrases = {
        name: literal
        for name, words in text.notes().items()
        # a phrase, not a single word like "Reply" a docstring may quote
        if len((literal := re.sub(r"\{\w+\}", "", words).strip(" ,")).split()) >= 2
    }
    assert len(phrases) >= len(text.NOTE_NAMES) // 2, "most notes are phrases, so most are checked"
    for name, literal in phrases.items():
        assert literal not in sources, f"the wording of note {name!r} is in the code"


@pytest.fixture
def marked_notes(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every note replaced by a marker, so a test sees the words come from the file's loader."""
    marked = {name: f"<{name}>" for name in text.NOTE_NAMES}
    marked.update(
        numbered_reply="<reply {options}>",
        numbered_option="<{n}={title}>",
        numbered_list_item="<{n}.{title}>",
        call_line="<call {number}>",
    )
    monkeypatch.setattr(text, "notes", lambda: marked)
    return marked


def test_the_channels_words_come_from_the_notes_file(marked_notes: dict[str, str]) -> None:
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    from channels.platforms import twilio

    assert twilio.with_options("Q?", buttons) == "Q?\n\n<reply <1=Yes><option_separator><2=No>>"
    assert text.numbered_list(buttons).endswith("<numbered_list_end>")
    (sent,) = _telegram_sent({"buttons": buttons})
    assert sent["text"] == "<choose>"
    (sent,) = _telegram_sent(EMERGENCY)
    assert sent["text"].endswith(f"<call {NUMBER}>")


def test_the_notes_are_plain_and_short() -> None:
    """Patient-facing like every response: short sentences, no markup."""
    for name, words in text.notes().items():
        assert len(words.split()) <= 25 and "<" not in words, name
