"""Telegram end to end: Bot API updates in, Bot API calls out (to a local fake)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, Optional

from channels.platforms.text import note
from tests.integration.platforms.conftest import (
    TELEGRAM_PUBLIC_WEBHOOK,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    Call,
    Platforms,
    actions_log,
    assert_not_logged,
    assert_outcome,
    unique_number,
)

_update_ids = iter(range(500_000, 10**9))


def webhook(p: Platforms) -> str:
    return f"{p.stack.rasa_url}/webhooks/telegram/webhook"


def post_update(p: Platforms, update: dict[str, Any], secret: Optional[str] = TELEGRAM_SECRET) -> int:
    """POST an update as Telegram does (JSON, with the secret token header when set)."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    req = urllib.request.Request(webhook(p), data=json.dumps(update).encode(), headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Pat", "language_code": "en"}


def text_update(chat_id: int, text: str, chat_type: str = "private") -> dict[str, Any]:
    chat = {"id": chat_id, "type": chat_type}
    chat.update({"first_name": "Pat"} if chat_type == "private" else {"title": "Back pain group"})
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": next(_update_ids),
            "from": user(abs(chat_id)),
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        },
    }


def callback_update(chat_id: int, sent: dict[str, Any], title: str) -> dict[str, Any]:
    """The update Telegram sends when the patient presses `title` under the bot's message `sent`."""
    keyboard = sent["reply_markup"]["inline_keyboard"]
    data = next(key["callback_data"] for row in keyboard for key in row if key["text"] == title)
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": user(chat_id),
            "message": {
                "message_id": sent["_message_id"],
                "from": {"id": 123456, "is_bot": True, "first_name": "Triage", "username": "triage_bot"},
                "chat": {"id": chat_id, "first_name": "Pat", "type": "private"},
                "date": int(time.time()),
                "text": sent["text"],
                "reply_markup": sent["reply_markup"],
            },
            "chat_instance": "-5551234",
            "data": data,
        },
    }


def sent(calls: list[Call], chat_id: int, since: int = 0) -> list[dict[str, Any]]:
    """sendMessage bodies to this chat (with the order index of the call as _message_id)."""
    out = []
    for i, call in enumerate(calls[since:], start=since):
        if call.endpoint == "sendMessage" and str(call.json["chat_id"]) == str(chat_id):
            out.append({**call.json, "_message_id": 1000 + i})
    return out


def wait_keyboard(p: Platforms, chat_id: int, since: int) -> dict[str, Any]:
    """Wait for the next message with an inline keyboard to this chat."""
    return p.telegram.wait_for(
        lambda calls: next((m for m in sent(calls, chat_id, since) if "reply_markup" in m), None)
    )


def wait_text(p: Platforms, chat_id: int, since: int, part: str) -> list[dict[str, Any]]:
    return p.telegram.wait_for(
        lambda calls: sent(calls, chat_id, since)
        if any(part in m["text"] for m in sent(calls, chat_id, since))
        else None
    )


def titles(message: dict[str, Any]) -> list[str]:
    return [key["text"] for row in message["reply_markup"]["inline_keyboard"] for key in row]


def test_webhook_registered_on_start_with_the_secret(platforms: Platforms) -> None:
    calls = [c for c in platforms.telegram.snapshot() if c.endpoint == "setWebhook"]
    assert calls, "no setWebhook call on start"
    assert calls[0].path == f"/bot{TELEGRAM_TOKEN}/setWebhook"
    body = calls[0].json
    assert body["url"] == TELEGRAM_PUBLIC_WEBHOOK and body["secret_token"] == TELEGRAM_SECRET
    assert "callback_query" in body["allowed_updates"]


def test_conversation_with_inline_keyboard_to_the_outcome(platforms: Platforms) -> None:
    p, chat = platforms, unique_number()
    start = len(p.telegram.snapshot())
    assert post_update(p, text_update(chat, "hello")) == 200
    consent = wait_keyboard(p, chat, start)
    assert titles(consent) == ["Yes, I agree", "No, thanks"]
    keys = consent["reply_markup"]["inline_keyboard"][0]
    assert keys[0]["callback_data"] == '/affirm{"answer_to":"consent"}'
    intro = sent(p.telegram.snapshot(), chat, start)[0]
    assert intro is not consent and "reply_markup" not in intro and "diagnosis" in intro["text"]
    assert all(c.path.startswith(f"/bot{TELEGRAM_TOKEN}/") for c in p.telegram.snapshot()[start:])

    # The patient presses "Yes, I agree": a callback_query with that button's data.
    mark = len(p.telegram.snapshot())
    assert post_update(p, callback_update(chat, consent, "Yes, I agree")) == 200
    wait_text(p, chat, mark, "Tell me about your back")
    calls = p.telegram.snapshot()[mark:]
    answered = [c.json for c in calls if c.endpoint == "answerCallbackQuery"]
    assert answered and answered[0]["callback_query_id"]
    edits = [c.json for c in calls if c.endpoint == "editMessageText"]
    assert edits and edits[0]["text"].endswith("✓ Yes, I agree") and "reply_markup" not in edits[0]

    mark = len(p.telegram.snapshot())
    assert post_update(p, text_update(chat, "it's my lower back")) == 200
    question = wait_keyboard(p, chat, mark)
    assert titles(question) == ["Yes", "No", "Not sure"]
    assert len(question["reply_markup"]["inline_keyboard"]) == 1, "short answers share one row"
    assert "bladder" in question["text"]

    mark = len(p.telegram.snapshot())
    assert post_update(p, callback_update(chat, question, "Yes")) == 200
    wait_text(p, chat, mark, "Summary for your doctor")
    # One more message: once it is answered, everything of the outcome turn has been sent.
    after = len(p.telegram.snapshot())
    assert post_update(p, text_update(chat, "thanks a lot")) == 200
    p.telegram.wait_for(lambda calls: sent(calls, chat, after))
    assert_outcome([m["text"] for m in sent(p.telegram.snapshot(), chat, mark)])


def test_start_command_opens_with_the_intro(platforms: Platforms) -> None:
    p, chat = platforms, unique_number()
    start = len(p.telegram.snapshot())
    assert post_update(p, text_update(chat, "/start")) == 200
    consent = wait_keyboard(p, chat, start)
    assert titles(consent) == ["Yes, I agree", "No, thanks"]
    assert "diagnosis" in sent(p.telegram.snapshot(), chat, start)[0]["text"], "the intro comes first"


def test_wrong_or_missing_secret_token_is_refused(platforms: Platforms) -> None:
    p, chat = platforms, unique_number()
    assert post_update(p, text_update(chat, "my back hurts"), secret="wrong") == 403
    assert post_update(p, text_update(chat, "my back hurts"), secret=None) == 403
    # A valid update from someone else is answered; the refused chat never is.
    other = unique_number()
    start = len(p.telegram.snapshot())
    assert post_update(p, text_update(other, "my back hurts")) == 200
    wait_keyboard(p, other, start)
    assert sent(p.telegram.snapshot(), chat) == []


def test_group_chats_are_not_answered(platforms: Platforms) -> None:
    p, group = platforms, -unique_number()
    assert post_update(p, text_update(group, "my back hurts", chat_type="group")) == 200
    other = unique_number()
    start = len(p.telegram.snapshot())
    assert post_update(p, text_update(other, "my back hurts")) == 200
    wait_keyboard(p, other, start)
    assert sent(p.telegram.snapshot(), group) == []


def test_edits_and_photos_get_a_note_instead_of_an_answer(platforms: Platforms) -> None:
    p, chat = platforms, unique_number()
    start = len(p.telegram.snapshot())
    edited = text_update(chat, "no")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": int(time.time())}
    assert post_update(p, edited) == 200
    photo = text_update(chat, "")
    del photo["message"]["text"]
    photo["message"]["photo"] = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}]
    assert post_update(p, photo) == 200
    notes = p.telegram.wait_for(lambda calls: len(sent(calls, chat, start)) >= 2 and sent(calls, chat, start))
    assert sorted(m["text"] for m in notes) == sorted([note("edited"), note("text_only")])


def test_no_patient_text_in_the_logs(platforms: Platforms) -> None:
    assert_not_logged(platforms.log(), actions_log(platforms.stack))
