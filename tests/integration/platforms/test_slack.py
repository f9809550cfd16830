"""Slack end to end: signed Events API and interactivity requests in, Web API calls out (to a fake)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Optional

from tests.integration.platforms.conftest import (
    SLACK_SECRET,
    SLACK_TOKEN,
    Call,
    Platforms,
    actions_log,
    assert_not_logged,
    assert_outcome,
    unique_number,
)

TEAM = "T0TESTTEAM"


def sign(body: bytes, timestamp: int, secret: str = SLACK_SECRET) -> str:
    """Slack's request signature: v0=hex(HMAC-SHA256(secret, 'v0:<timestamp>:<body>'))."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post(
    p: Platforms,
    body: bytes,
    content_type: str,
    signature: Optional[str] = "valid",
    timestamp: Optional[int] = None,
) -> tuple[int, bytes]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(timestamp)}
    if signature == "valid":
        headers["X-Slack-Signature"] = sign(body, timestamp)
    elif signature is not None:
        headers["X-Slack-Signature"] = signature
    req = urllib.request.Request(f"{p.stack.rasa_url}/webhooks/slack/webhook", data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def post_event(p: Platforms, event: dict[str, Any], event_id: Optional[str] = None, **kwargs: Any) -> int:
    envelope = {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0TESTAPP",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{unique_number()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": "U0BOTUSER", "is_bot": True}],
    }
    return post(p, json.dumps(envelope).encode(), "application/json", **kwargs)[0]


def dm(user: str, channel: str, text: str, channel_type: str = "im") -> dict[str, Any]:
    """A message.im event (a patient writing to the app in a direct message)."""
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "event_ts": f"{time.time():.6f}",
        "channel_type": channel_type,
        "team": TEAM,
        "client_msg_id": f"c{unique_number()}",
    }


def press(p: Platforms, user: str, channel: str, sent: dict[str, Any], title: str, **kwargs: Any) -> int:
    """The block_actions interactivity request Slack sends when `title` is pressed (form-encoded)."""
    button = next(
        e
        for b in sent["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == title
    )
    ts = f"{time.time():.6f}"
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "pat", "name": "pat", "team_id": TEAM},
        "api_app_id": "A0TESTAPP",
        "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": "123.456.abc",
        "team": {"id": TEAM, "domain": "example"},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {
            "type": "message",
            "user": "U0BOTUSER",
            "ts": ts,
            "text": sent["text"],
            "blocks": sent["blocks"],
        },
        "state": {"values": {}},
        "response_url": "https://hooks.slack.com/actions/T0TESTTEAM/1/abc",
        "actions": [{**button, "block_id": "b1", "action_ts": ts}],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    return post(p, body, "application/x-www-form-urlencoded", **kwargs)[0]


def posted(calls: list[Call], channel: str, since: int = 0) -> list[dict[str, Any]]:
    return [
        c.json for c in calls[since:] if c.endpoint == "chat.postMessage" and c.json["channel"] == channel
    ]


def with_buttons(p: Platforms, channel: str, since: int) -> dict[str, Any]:
    return p.slack.wait_for(
        lambda calls: next((m for m in posted(calls, channel, since) if "blocks" in m), None)
    )


def wait_text(p: Platforms, channel: str, since: int, part: str) -> None:
    p.slack.wait_for(lambda calls: any(part in m["text"] for m in posted(calls, channel, since)))


def button_titles(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def ids() -> tuple[str, str]:
    n = unique_number()
    return f"U{n}", f"D{n}"


def test_conversation_with_block_kit_buttons_to_the_outcome(platforms: Platforms) -> None:
    p, (user, channel) = platforms, ids()
    start = len(p.slack.snapshot())
    assert post_event(p, dm(user, channel, "hello")) == 200
    consent = with_buttons(p, channel, start)
    assert button_titles(consent) == ["Yes, I agree", "No, thanks"]
    values = [e["value"] for b in consent["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert values == ['/affirm{"answer_to":"consent"}', '/deny{"answer_to":"consent"}']
    assert consent["blocks"][0]["type"] == "section" and "OK with you" in consent["blocks"][0]["text"]["text"]
    assert all(c.headers["authorization"] == f"Bearer {SLACK_TOKEN}" for c in p.slack.snapshot()[start:])

    mark = len(p.slack.snapshot())
    assert press(p, user, channel, consent, "Yes, I agree") == 200
    wait_text(p, channel, mark, "Tell me about your back")
    updates = [c.json for c in p.slack.snapshot()[mark:] if c.endpoint == "chat.update"]
    assert updates and updates[0]["channel"] == channel
    assert [b["type"] for b in updates[0]["blocks"]] == [
        "section",
        "context",
    ], "buttons replaced by the answer"
    assert updates[0]["blocks"][-1]["elements"][0]["text"] == "✓ Yes, I agree"

    mark = len(p.slack.snapshot())
    assert post_event(p, dm(user, channel, "it's my lower back")) == 200
    question = with_buttons(p, channel, mark)
    assert button_titles(question) == ["Yes", "No", "Not sure"] and "bladder" in question["text"]

    mark = len(p.slack.snapshot())
    assert press(p, user, channel, question, "Yes") == 200
    wait_text(p, channel, mark, "Summary for your doctor")
    after = len(p.slack.snapshot())
    assert post_event(p, dm(user, channel, "thanks a lot")) == 200
    p.slack.wait_for(lambda calls: posted(calls, channel, after))
    assert_outcome([m["text"] for m in posted(p.slack.snapshot(), channel, mark)])


def test_url_verification_challenge(platforms: Platforms) -> None:
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    status, answer = post(platforms, body.encode(), "application/json")
    assert status == 200
    assert json.loads(answer) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_bad_signatures_are_refused(platforms: Platforms) -> None:
    p, (user, channel) = platforms, ids()
    event = dm(user, channel, "my back hurts")
    assert post_event(p, event, signature=None) == 403
    assert post_event(p, event, signature="v0=" + "0" * 64) == 403
    body = json.dumps({"type": "event_callback", "event": event}).encode()
    wrong_key = sign(body, int(time.time()), secret="not-the-secret")
    assert post(p, body, "application/json", signature=wrong_key)[0] == 403
    old = int(time.time()) - 600  # correctly signed but replayed 10 minutes later
    assert post(p, body, "application/json", signature=sign(body, old), timestamp=old)[0] == 403
    # A signed button press with a tampered body is refused too.
    fake = {
        "blocks": [
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Yes"}, "value": "/affirm"}
                ],
            }
        ],
        "text": "q",
    }
    assert press(p, user, channel, fake, "Yes", signature="v0=" + "1" * 64) == 403

    other_user, other_channel = ids()
    start = len(p.slack.snapshot())
    assert post_event(p, dm(other_user, other_channel, "my back hurts")) == 200
    with_buttons(p, other_channel, start)
    assert posted(p.slack.snapshot(), channel) == [], "a refused request was answered"


def test_only_direct_messages_are_answered(platforms: Platforms) -> None:
    p, (user, _) = platforms, ids()
    public = f"C{unique_number()}"
    assert post_event(p, dm(user, public, "my back hurts", channel_type="channel")) == 200
    mention = {**dm(user, public, "<@U0BOTUSER> my back hurts"), "type": "app_mention"}
    mention.pop("channel_type")
    assert post_event(p, mention) == 200
    other_user, other_channel = ids()
    start = len(p.slack.snapshot())
    assert post_event(p, dm(other_user, other_channel, "my back hurts")) == 200
    with_buttons(p, other_channel, start)
    assert posted(p.slack.snapshot(), public) == []


def test_no_patient_text_in_the_logs(platforms: Platforms) -> None:
    assert_not_logged(platforms.log(), actions_log(platforms.stack))


def test_a_redelivered_event_is_answered_once(platforms: Platforms) -> None:
    """Slack sends an event again when it thinks it was missed (same event_id, X-Slack-Retry-Num)."""
    p, (user, channel) = platforms, ids()
    start = len(p.slack.snapshot())
    event, event_id = dm(user, channel, "hello"), f"Ev{unique_number()}"
    assert post_event(p, event, event_id=event_id) == 200
    with_buttons(p, channel, start)
    for _ in range(3):
        assert post_event(p, event, event_id=event_id) == 200
    time.sleep(2.0)  # time enough for a second answer to arrive, were one sent
    answers = [m for m in posted(p.slack.snapshot(), channel, start) if "blocks" in m]
    assert len(answers) == 1, answers
