"""Twilio SMS and WhatsApp end to end: signed form webhooks in, Messages API calls out (to a fake).

Neither has buttons: options are numbered and a bare number answers them, resolved from the
tracker store (not from memory of this process).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.error
import urllib.parse
import urllib.request
from typing import Optional

from channels.platforms.text import note
from tests.integration.platforms.conftest import (
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
    Call,
    Platforms,
    actions_log,
    assert_not_logged,
    assert_outcome,
    unique_number,
)


def twilio_signature(url: str, params: dict[str, str], token: str = TWILIO_TOKEN) -> str:
    """X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + each key+value in key order))."""
    data = url + "".join(key + params[key] for key in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def webhook(p: Platforms) -> str:
    return f"{p.stack.rasa_url}/webhooks/twilio/webhook"


def sms_params(sender: str, body: str, to: str = TWILIO_NUMBER, account: str = TWILIO_SID) -> dict[str, str]:
    """The form Twilio posts for an incoming SMS (WhatsApp: the numbers carry a whatsapp: prefix)."""
    n = unique_number()
    params = {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": f"SM{n:032d}",
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": f"SM{n:032d}",
        "FromState": "CA",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": f"SM{n:032d}",
        "AccountSid": account,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    if sender.startswith("whatsapp:"):
        params.update(
            {"ProfileName": "Pat", "WaId": sender.removeprefix("whatsapp:+"), "MessageType": "text"}
        )
    return params


def post(p: Platforms, params: dict[str, str], signature: Optional[str] = "valid") -> tuple[int, bytes, str]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "I-Twilio-Idempotency-Token": "t"}
    if signature == "valid":
        headers["X-Twilio-Signature"] = twilio_signature(webhook(p), params)
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature
    req = urllib.request.Request(webhook(p), data=urllib.parse.urlencode(params).encode(), headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as err:
        return err.code, err.read(), ""


def say(p: Platforms, sender: str, body: str) -> None:
    status, answer, content_type = post(p, sms_params(sender, body))
    assert status == 200 and content_type.startswith("text/xml") and b"<Response>" in answer


def sent(calls: list[Call], to: str, since: int = 0) -> list[dict[str, str]]:
    return [c.form for c in calls[since:] if c.endpoint == "Messages.json" and c.form.get("To") == to]


def wait_body(p: Platforms, to: str, since: int, part: str) -> list[dict[str, str]]:
    def ready(calls: list[Call]) -> Optional[list[dict[str, str]]]:
        messages = sent(calls, to, since)
        return messages if any(part in m["Body"] for m in messages) else None

    return p.twilio.wait_for(ready)


def phone() -> str:
    return f"+1555{unique_number():07d}"


def test_sms_conversation_answered_by_numbers_to_the_outcome(platforms: Platforms) -> None:
    p, patient = platforms, phone()
    start = len(p.twilio.snapshot())
    say(p, patient, "hello")
    messages = wait_body(p, patient, start, "Reply 1 for")
    assert messages[-1]["Body"].endswith('Reply 1 for "Yes, I agree", 2 for "No, thanks"')
    assert all(m["From"] == TWILIO_NUMBER for m in messages)
    assert "diagnosis" in messages[0]["Body"] and "Reply" not in messages[0]["Body"]

    mark = len(p.twilio.snapshot())
    say(p, patient, "1")  # "Yes, I agree"
    wait_body(p, patient, mark, "Tell me about your back")

    mark = len(p.twilio.snapshot())
    say(p, patient, "it's my lower back")
    question = wait_body(p, patient, mark, "Reply 1 for")[-1]["Body"]
    assert "bladder" in question
    assert question.endswith("\n\nReply 1 for Yes, 2 for No, 3 for Not sure")

    mark = len(p.twilio.snapshot())
    say(p, patient, " 1 ")  # "Yes"
    wait_body(p, patient, mark, "Summary for your doctor")
    after = len(p.twilio.snapshot())
    say(p, patient, "thanks a lot")
    p.twilio.wait_for(lambda calls: sent(calls, patient, after))
    assert_outcome([m["Body"] for m in sent(p.twilio.snapshot(), patient, mark)])


def test_a_number_without_such_an_option_is_passed_on_as_text(platforms: Platforms) -> None:
    p, patient = platforms, phone()
    start = len(p.twilio.snapshot())
    say(p, patient, "my back hurts")
    wait_body(p, patient, start, "Reply 1 for")
    mark = len(p.twilio.snapshot())
    say(p, patient, "7")  # two options only: not a consent, so the question comes again
    again = wait_body(p, patient, mark, "Reply 1 for")
    assert not any("Tell me about your back" in m["Body"] for m in again)


def test_whatsapp_gets_numbered_options_from_the_whatsapp_sender(platforms: Platforms) -> None:
    p, patient = platforms, "whatsapp:" + phone()
    start = len(p.twilio.snapshot())
    status, _, _ = post(p, sms_params(patient, "my back hurts", to="whatsapp:" + TWILIO_NUMBER))
    assert status == 200
    consent = wait_body(p, patient, start, "Reply 1 for")
    assert consent[-1]["Body"].endswith('Reply 1 for "Yes, I agree", 2 for "No, thanks"')
    assert all(m["From"] == "whatsapp:" + TWILIO_NUMBER for m in consent)
    mark = len(p.twilio.snapshot())
    assert post(p, sms_params(patient, "2", to="whatsapp:" + TWILIO_NUMBER))[0] == 200  # "No, thanks"
    declined = wait_body(p, patient, mark, "")
    assert not any("Tell me about your back" in m["Body"] for m in declined)


def test_bad_signatures_are_refused(platforms: Platforms) -> None:
    p, patient = platforms, phone()
    params = sms_params(patient, "my back hurts")
    assert post(p, params, signature=None)[0] == 403
    assert post(p, params, signature=twilio_signature(webhook(p), params, token="not-the-token"))[0] == 403
    other_url = webhook(p).replace("/webhook", "/other")
    assert post(p, params, signature=twilio_signature(other_url, params))[0] == 403
    tampered = {**params, "Body": "1"}
    assert post(p, tampered, signature=twilio_signature(webhook(p), params))[0] == 403
    foreign = sms_params(patient, "my back hurts", account="AC" + "9" * 32)  # signed, another account
    assert post(p, foreign)[0] == 403

    other = phone()
    start = len(p.twilio.snapshot())
    say(p, other, "my back hurts")
    wait_body(p, other, start, "Reply 1 for")
    assert sent(p.twilio.snapshot(), patient) == [], "a refused request was answered"


def test_a_picture_without_text_gets_a_note(platforms: Platforms) -> None:
    p, patient = platforms, phone()
    params = sms_params(patient, "")
    params.update(
        {"NumMedia": "1", "MediaContentType0": "image/jpeg", "MediaUrl0": "https://api.twilio.com/m/1"}
    )
    start = len(p.twilio.snapshot())
    assert post(p, params)[0] == 200
    said = p.twilio.wait_for(lambda calls: sent(calls, patient, start))
    assert [m["Body"] for m in said] == [note("text_only")] and said[0]["From"] == TWILIO_NUMBER


def test_no_patient_text_in_the_logs(platforms: Platforms) -> None:
    assert_not_logged(platforms.log(), actions_log(platforms.stack))
