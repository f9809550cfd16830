"""Facebook Messenger end to end: signed webhook events in, Send API calls out (to a local fake)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Optional

from actions.locale import locale_vars
from channels.platforms.text import note
from tests.integration.platforms.conftest import (
    FB_SECRET,
    FB_TOKEN,
    FB_VERIFY,
    Call,
    Platforms,
    actions_log,
    assert_not_logged,
    assert_outcome,
    unique_number,
)

PAGE_ID = "1122334455"


def signature_headers(body: bytes, secret: str = FB_SECRET) -> dict[str, str]:
    """What Meta sends: X-Hub-Signature-256 (and the legacy SHA-1 header) over the raw body."""
    return {
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
        "X-Hub-Signature": "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest(),
    }


def post(p: Platforms, events: list[dict[str, Any]], headers: Optional[dict[str, str]] = None) -> int:
    body = json.dumps(
        {"object": "page", "entry": [{"id": PAGE_ID, "time": int(time.time() * 1000), "messaging": events}]}
    ).encode()
    all_headers = {
        "Content-Type": "application/json",
        **(signature_headers(body) if headers is None else headers),
    }
    req = urllib.request.Request(
        f"{p.stack.rasa_url}/webhooks/facebook/webhook", data=body, headers=all_headers
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def event(psid: str, **content: Any) -> dict[str, Any]:
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": int(time.time() * 1000),
        **content,
    }


def text(psid: str, words: str) -> dict[str, Any]:
    return event(psid, message={"mid": f"m_{unique_number()}", "text": words})


def quick_reply(psid: str, reply: dict[str, Any]) -> dict[str, Any]:
    """A tap on a quick reply: the title comes as text, the payload as quick_reply.payload."""
    return event(
        psid,
        message={
            "mid": f"m_{unique_number()}",
            "text": reply["title"],
            "quick_reply": {"payload": reply["payload"]},
        },
    )


def postback(psid: str, title: str, payload: str) -> dict[str, Any]:
    return event(psid, postback={"mid": f"m_{unique_number()}", "title": title, "payload": payload})


def sent(calls: list[Call], psid: str, since: int = 0) -> list[dict[str, Any]]:
    return [
        c.json["message"]
        for c in calls[since:]
        if c.endpoint == "messages" and c.json["recipient"]["id"] == psid
    ]


def with_replies(p: Platforms, psid: str, since: int) -> dict[str, Any]:
    return p.facebook.wait_for(
        lambda calls: next((m for m in sent(calls, psid, since) if "quick_replies" in m), None)
    )


def shown(message: dict[str, Any]) -> str:
    """The text a message shows: its own, or its button template's (the emergency advice)."""
    template = (message.get("attachment") or {}).get("payload") or {}
    return str(message.get("text") or template.get("text", ""))


def call_buttons(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    templates = [((m.get("attachment") or {}).get("payload") or {}) for m in messages]
    return [b for t in templates for b in t.get("buttons") or [] if b.get("type") == "phone_number"]


def wait_text(p: Platforms, psid: str, since: int, part: str) -> None:
    p.facebook.wait_for(lambda calls: any(part in shown(m) for m in sent(calls, psid, since)))


def test_subscription_handshake(platforms: Platforms) -> None:
    url = f"{platforms.stack.rasa_url}/webhooks/facebook/webhook?"
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": FB_VERIFY}
    with urllib.request.urlopen(url + urllib.parse.urlencode(query), timeout=10) as resp:
        assert resp.status == 200 and resp.read() == b"1158201444"
    query["hub.verify_token"] = "wrong"
    try:
        urllib.request.urlopen(url + urllib.parse.urlencode(query), timeout=10)
        raise AssertionError("wrong verify token accepted")
    except urllib.error.HTTPError as err:
        assert err.code == 403


def test_conversation_with_quick_replies_and_postback_to_the_outcome(platforms: Platforms) -> None:
    p, psid = platforms, str(unique_number())
    start = len(p.facebook.snapshot())
    assert post(p, [text(psid, "hello")]) == 200
    consent = with_replies(p, psid, start)
    assert consent["quick_replies"] == [
        {"content_type": "text", "title": "Yes, I agree", "payload": '/affirm{"answer_to":"consent"}'},
        {"content_type": "text", "title": "No, thanks", "payload": '/deny{"answer_to":"consent"}'},
    ]
    calls = p.facebook.snapshot()[start:]
    assert all(c.path == "/v23.0/me/messages" for c in calls)
    assert all(c.headers["authorization"] == f"Bearer {FB_TOKEN}" for c in calls), "the token in a header"
    assert all("access_token" not in c.query and FB_TOKEN not in c.path for c in calls), "not in the URL"
    assert all(c.json["messaging_type"] == "RESPONSE" for c in calls)

    mark = len(p.facebook.snapshot())
    assert post(p, [quick_reply(psid, consent["quick_replies"][0])]) == 200
    wait_text(p, psid, mark, "Tell me about your back")

    mark = len(p.facebook.snapshot())
    assert post(p, [text(psid, "it's my lower back")]) == 200
    question = with_replies(p, psid, mark)
    assert [r["title"] for r in question["quick_replies"]] == ["Yes", "No", "Not sure"]
    assert "bladder" in question["text"]

    # "Yes" arrives as a postback (a button template or the persistent menu sends those).
    mark = len(p.facebook.snapshot())
    assert post(p, [postback(psid, "Yes", question["quick_replies"][0]["payload"])]) == 200
    wait_text(p, psid, mark, "Summary for your doctor")
    after = len(p.facebook.snapshot())
    assert post(p, [text(psid, "thanks a lot")]) == 200
    p.facebook.wait_for(lambda calls: sent(calls, psid, after))
    outcome = sent(p.facebook.snapshot(), psid, mark)
    assert_outcome([shown(m) for m in outcome])
    number = locale_vars()["emergency_number"]  # what the action server put in custom.triage.call
    call = {"type": "phone_number", "title": note("call_button", number=number), "payload": f"+{number}"}
    assert call_buttons(outcome) == [call], "the emergency advice carries one call button"
    assert call_buttons(sent(p.facebook.snapshot(), psid, 0)[:mark]) == [], "no call button before it"


def test_bad_signatures_are_refused(platforms: Platforms) -> None:
    p, psid = platforms, str(unique_number())
    events = [text(psid, "my back hurts")]
    assert post(p, events, headers={}) == 403
    body = json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "messaging": events}]}).encode()
    assert post(p, events, headers=signature_headers(body, secret="not-the-secret")) == 403
    assert post(p, events, headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}) == 403
    legacy_only = {"X-Hub-Signature": signature_headers(b"")["X-Hub-Signature"]}
    assert post(p, events, headers=legacy_only) == 403

    other = str(unique_number())
    start = len(p.facebook.snapshot())
    assert post(p, [text(other, "my back hurts")]) == 200
    with_replies(p, other, start)
    assert sent(p.facebook.snapshot(), psid) == [], "a refused request was answered"


def test_echoes_and_deliveries_are_not_answered(platforms: Platforms) -> None:
    p, psid = platforms, str(unique_number())
    echo = event(psid, message={"mid": "m_echo", "text": "my back hurts", "is_echo": True, "app_id": 1})
    delivery = event(psid, delivery={"mids": ["m_1"], "watermark": int(time.time() * 1000)})
    other = str(unique_number())
    start = len(p.facebook.snapshot())
    assert post(p, [echo, delivery, text(other, "my back hurts")]) == 200  # one batch, several events
    with_replies(p, other, start)
    assert sent(p.facebook.snapshot(), psid) == []


def test_a_picture_gets_a_note_that_only_text_is_read(platforms: Platforms) -> None:
    p, psid = platforms, str(unique_number())
    picture = {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/t1/p.jpg"}}
    start = len(p.facebook.snapshot())
    assert post(p, [event(psid, message={"mid": "m_pic", "attachments": [picture]})]) == 200
    said = p.facebook.wait_for(lambda calls: sent(calls, psid, start))
    assert said == [{"text": note("text_only")}]


def test_no_patient_text_in_the_logs(platforms: Platforms) -> None:
    assert_not_logged(platforms.log(), actions_log(platforms.stack))
