"""Unit tests of the platform channels' pure parts (no server): settings, buttons, number answers."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from channels.platforms import answers, api, base, facebook, slack, telegram, twilio
from channels.platforms.settings import api_base, log_state, read_settings
from channels.platforms.text import numbered_line, shorten, split_text
from tests.integration.platforms.conftest import PLATFORM_BLOCK, FakeApi
from tooling.stack import ROOT

YES_NO = [
    {"title": "Yes", "payload": '/affirm{"answer_to":"fever"}'},
    {"title": "No", "payload": '/deny{"answer_to":"fever"}'},
    {"title": "Not sure", "payload": '/unsure{"answer_to":"fever"}'},
]


# --- settings ---


def test_settings_come_from_the_variables_credentials_yml_names() -> None:
    env = {"MY_TG_TOKEN": " 123:abc ", "TELEGRAM_SECRET_TOKEN": ""}
    settings = read_settings("telegram", {"access_token_env": "MY_TG_TOKEN"}, telegram.SETTINGS, env)
    assert settings.on and settings["access_token_env"] == "123:abc"
    assert settings["secret_token_env"] is None, "an empty variable is unset"
    assert settings["api_url_env"] == "https://api.telegram.org"


def test_unset_required_variables_switch_the_channel_off() -> None:
    settings = read_settings("facebook", None, facebook.SETTINGS, {"FACEBOOK_APP_SECRET": "s"})
    assert not settings.on and settings.partly_set
    assert settings.missing == ("FACEBOOK_PAGE_ACCESS_TOKEN", "FACEBOOK_VERIFY_TOKEN")
    assert not read_settings("twilio", {}, twilio.SETTINGS, {}).partly_set


@pytest.mark.parametrize("value", ["123456:AAH-real-looking-token", "xoxb-1-2", "a b"])
def test_a_secret_in_credentials_yml_is_refused(value: str) -> None:
    with pytest.raises(RasaException, match="NAME of an environment variable"):
        read_settings("telegram", {"access_token_env": value}, telegram.SETTINGS, {})


def test_rasa_style_secret_keys_are_refused() -> None:
    with pytest.raises(RasaException, match="unknown key"):
        read_settings("slack", {"slack_token": "xoxb-123"}, slack.SETTINGS, {})


def test_one_log_line_per_channel(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="channels.platforms")
    log_state(read_settings("twilio", None, twilio.SETTINGS, {}), "twilio/webhook")
    partial = read_settings("slack", None, slack.SETTINGS, {"SLACK_BOT_TOKEN": "x"})
    log_state(partial, "slack/webhook")
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, "twilio channel off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_NUMBER not set"),
        (
            logging.WARNING,
            "slack channel off: SLACK_SIGNING_SECRET not set (the channel's other variables are)",
        ),
    ]


def test_api_urls_must_be_http() -> None:
    settings = read_settings("slack", None, slack.SETTINGS, {"SLACK_API_URL": "file:///etc/passwd"})
    with pytest.raises(RasaException, match="SLACK_API_URL"):
        api_base(settings, "api_url_env")


def test_the_block_for_credentials_yml_loads_every_channel() -> None:
    block = yaml.safe_load(PLATFORM_BLOCK.read_text())
    modules = {"telegram": telegram, "slack": slack, "facebook": facebook, "twilio": twilio}
    assert len(block) == 4
    for path, options in block.items():
        module = modules[path.split(".")[2]]
        settings = read_settings(module.PLATFORM, options, module.SETTINGS, {})
        assert not settings.on
        assert set(options) == {s.key for s in module.SETTINGS}, "the block lists every variable"


def test_credentials_yml_enables_the_platforms_with_this_block() -> None:
    """credentials.yml must carry channels/platforms/credentials.yml verbatim (as YAML)."""
    block = yaml.safe_load(PLATFORM_BLOCK.read_text())
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert {k: credentials.get(k, "missing") for k in block} == block
    assert "channels.rest.ValidatingRestInput" in credentials  # REST stays on


# --- buttons per platform ---


def test_sms_options_are_numbered() -> None:
    assert (
        twilio.with_options("Any fever?", YES_NO) == "Any fever?\n\nReply 1 for Yes, 2 for No, 3 for Not sure"
    )
    consent = [{"title": "Yes, I agree", "payload": "/a"}, {"title": "No, thanks", "payload": "/d"}]
    assert numbered_line(consent) == 'Reply 1 for "Yes, I agree", 2 for "No, thanks"'


def test_facebook_quick_replies_fit_the_limits() -> None:
    assert [r["title"] for r in facebook.quick_replies(YES_NO)] == ["Yes", "No", "Not sure"]
    long = [
        {"title": "Less than a month, maybe a bit longer", "payload": "/a"},
        {"title": "More than six weeks and getting worse", "payload": "/b"},
    ]
    replies = facebook.quick_replies(long)
    assert [r["title"] for r in replies] == ["1. Less than a…", "2. More than six…"]
    assert all(len(r["title"]) <= 20 for r in replies)
    assert facebook.numbered(long) and not facebook.numbered(YES_NO)
    many = [{"title": f"Option {i}", "payload": f"/o{i}"} for i in range(14)]
    assert facebook.quick_replies(many) == [] and facebook.numbered(many)
    assert len(facebook.quick_replies(many[:13])) == 13


def test_shorten_cuts_at_a_word_and_marks_the_cut() -> None:
    assert shorten("Yes", 20) == "Yes"
    assert shorten("Pain that wakes me up at night", 20) == "Pain that wakes me…"
    assert shorten("Supercalifragilisticexpialidocious", 10) == "Supercali…"
    assert all(len(shorten("word " * 30, n)) <= n for n in range(5, 40))


def test_telegram_keyboard_rows_and_long_payloads() -> None:
    row = telegram.inline_keyboard(YES_NO)["inline_keyboard"]
    assert len(row) == 1 and [k["text"] for k in row[0]] == ["Yes", "No", "Not sure"]
    durations = [
        {"title": t, "payload": "/inform"} for t in ("Less than a month", "1 month to 6 weeks", "More")
    ]
    assert len(telegram.inline_keyboard(durations)["inline_keyboard"]) == 3, "long titles one per row"
    long_payload = '/inform{"answer_to":"duration_days","duration_days":"14","note":"longer than 64 bytes"}'
    key = telegram.inline_keyboard([{"title": "A", "payload": long_payload}])["inline_keyboard"][0][0]
    assert key["callback_data"].startswith(answers.TOKEN_PREFIX) and len(key["callback_data"].encode()) <= 64


def test_slack_buttons_are_block_kit() -> None:
    blocks = slack.button_blocks("Any fever?", YES_NO)
    assert blocks[0] == {"type": "section", "text": {"type": "plain_text", "text": "Any fever?"}}
    assert [e["value"] for e in blocks[1]["elements"]] == [b["payload"] for b in YES_NO]
    assert len({e["action_id"] for e in blocks[1]["elements"]}) == 3
    many = [{"title": f"Option {i}", "payload": f"/o{i}"} for i in range(30)]
    assert [len(b["elements"]) for b in slack.button_blocks("q", many)[1:]] == [25, 5]


def test_custom_payloads_are_never_sent() -> None:
    sent: list[str] = []

    class Recorder(base.PlatformOutput):
        async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
            sent.append(text)

    message = {"text": "Please call 911.", "custom": {"triage": {"level": "emergency", "rules": ["E1"]}}}
    asyncio.run(Recorder().send_response("p", message))
    asyncio.run(Recorder().send_response("p", {"custom": {"summary": {"level": "emergency"}}}))
    assert sent == ["Please call 911."]


def test_split_text_keeps_parts_within_the_limit() -> None:
    text = "\n".join(f"Line {i} " + "word " * 20 for i in range(60))
    parts = split_text(text, 500)
    assert all(len(part) <= 500 for part in parts) and len(parts) > 1
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


# --- platform API calls ---


def test_api_calls_retry_server_errors_and_log_failures_without_bodies(
    caplog: pytest.LogCaptureFixture,
) -> None:
    answers = iter([(503, {"error": "busy"}), (200, {"ok": True, "result": 1}), (400, {"ok": False})])
    fake = FakeApi("fake", lambda call: next(answers))
    client = api.ApiClient("telegram", telegram._error_of)

    async def two_calls() -> tuple[Any, Any]:
        try:
            first = await client.call("sendMessage", "POST", fake.url + "/x", json={"text": "my back hurts"})
            second = await client.call("sendMessage", "POST", fake.url + "/x", json={"text": "my back hurts"})
            return first, second
        finally:
            await client.close()

    try:
        with caplog.at_level(logging.WARNING, logger="channels.platforms"):
            first, second = asyncio.run(two_calls())
    finally:
        fake.close()
    assert first == {"ok": True, "result": 1} and len(fake.calls) == 3, "retried once after the 503"
    assert second is None
    assert [r.getMessage() for r in caplog.records] == ["telegram: sendMessage failed: HTTP 400 (not ok)"]


# --- answers resolved from the tracker store ---


def _replica(store: InMemoryTrackerStore) -> Any:
    """What a Rasa server's request.app looks like to the channels (app.ctx.agent.tracker_store)."""
    return SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))


def _store_with(sender: str, events: list[Any]) -> InMemoryTrackerStore:
    store = InMemoryTrackerStore(Domain.empty())
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    return store


def test_a_number_answers_the_last_numbered_question_on_any_replica() -> None:
    question = BotUttered("Any fever?", data={"buttons": YES_NO})
    store = _store_with("twilio:+1555", [UserUttered("hi"), question, BotUttered("You can also type why.")])
    other_replica = _replica(store)  # shares only the tracker store with the one that asked

    def resolve(text: str) -> str:
        return asyncio.run(answers.resolve_answer(other_replica, "twilio:+1555", text, twilio.numbered))

    assert resolve("2") == '/deny{"answer_to":"fever"}'
    assert resolve(" 3. ") == '/unsure{"answer_to":"fever"}'
    assert resolve("4") == "4" and resolve("0") == "0", "no such option: passed on"
    assert resolve("2 days") == "2 days"
    assert asyncio.run(answers.resolve_answer(other_replica, "twilio:+1999", "2", twilio.numbered)) == "2"


def test_a_number_after_the_patient_already_answered_is_text() -> None:
    events = [UserUttered("hi"), BotUttered("Any fever?", data={"buttons": YES_NO}), UserUttered("no")]
    store = _store_with("s", events + [BotUttered("How old are you?")])
    assert asyncio.run(answers.resolve_answer(_replica(store), "s", "54", twilio.numbered)) == "54"
    assert asyncio.run(answers.resolve_answer(_replica(store), "s", "2", twilio.numbered)) == "2"


def test_numbers_map_only_where_the_platform_showed_numbers() -> None:
    store = _store_with("s", [UserUttered("hi"), BotUttered("Any fever?", data={"buttons": YES_NO})])
    assert asyncio.run(answers.resolve_answer(_replica(store), "s", "2", facebook.numbered)) == "2"
    assert asyncio.run(answers.resolve_answer(_replica(store), "s", "2")) == "2"


def test_a_button_token_resolves_to_the_payload_it_stands_for() -> None:
    long_payload = '/inform{"answer_to":"duration_days","duration_days":"14","note":"longer than 64 bytes"}'
    asked = BotUttered("How long?", data={"buttons": [{"title": "2 weeks", "payload": long_payload}]})
    later = BotUttered("Any fever?", data={"buttons": YES_NO})
    store = _store_with("s", [UserUttered("hi"), asked, UserUttered("x"), later])
    token = answers.button_token(long_payload, 64)
    assert asyncio.run(answers.resolve_answer(_replica(store), "s", token)) == long_payload, "older button"
    assert asyncio.run(answers.resolve_answer(_replica(store), "s", "#b:0000")) == "#b:0000"


def test_conversation_ids_are_namespaced_per_platform() -> None:
    assert base.conversation_id("telegram", 42) == "telegram:42"
    assert base.platform_id("twilio", "twilio:whatsapp:+1555") == "whatsapp:+1555"
    assert base.platform_id("slack", "U123") == "U123"


def test_a_delivery_id_is_answered_once_then_forgotten_after_its_time() -> None:
    log = base.DeliveryLog(ttl_s=60, max_ids=3)
    assert log.first_time("Ev1", now=0) and not log.first_time("Ev1", now=10)
    assert log.first_time(None) and log.first_time(None)  # no id: nothing to compare
    assert log.first_time("Ev1", now=100)  # remembered for ttl_s only
    for n in range(2, 6):
        assert log.first_time(f"Ev{n}", now=100)
    assert len(log._seen) <= 3 and log.first_time("Ev1", now=100)  # bounded: oldest forgotten
