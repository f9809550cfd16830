"""The web widget against the REAL assistant, in headless Chromium (Debian's chromium).

A patient opens the clinic's demo page, agrees, and talks by clicking buttons and typing: one
conversation to an emergency outcome, one to a routine outcome with the doctor's summary, and a
message with an HTML injection that must be shown as text. Screenshots go to
widget_driver.SCREENSHOT_DIR.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.web.widget_driver import ChatWidget
from tooling.stack import Stack

INJECTION = "<img src=x onerror=alert(1)> my back hurts"


MAX_QUESTIONS = 20  # more than the triage can ask
REPLY_WAIT_S = 10.0  # a turn's replies arrive as several messages; buttons come with the last


def answer_every_question_until_a_card(chat: ChatWidget) -> None:
    """Press "No" (or the shortest duration) to each question until an outcome card shows.

    A turn's replies arrive as several socket.io messages, so after a click we wait until either
    the next question's buttons or a card are there, instead of reading the buttons at once.
    """
    cards = chat.log.locator(".bpw-card[data-level]")
    for _ in range(MAX_QUESTIONS):
        deadline = time.monotonic() + REPLY_WAIT_S
        titles: list[str] = []
        while time.monotonic() < deadline and not titles and cards.count() == 0:
            time.sleep(0.1)
            titles = chat.button_titles()
        if cards.count():
            return
        assert titles, "neither a question with buttons nor an outcome card"
        chat.click_button("Less than a month" if "Less than a month" in titles else "No")
    # say what the patient saw, so a failure on a loaded CI machine can be read afterwards
    seen = chat.log.locator(".bpw-row--bot").all_inner_texts()[-6:]
    raise AssertionError(f"no outcome after answering every question; last bot messages: {seen}")


def open_chat(browser, stack: Stack) -> ChatWidget:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("dialog", lambda d: pytest.fail(f"a script ran: dialog {d.message!r}"))
    return ChatWidget.open(page, stack.rasa_url)


def test_emergency_conversation_by_typing_and_clicking(chromium, real_bot: Stack) -> None:
    chat = open_chat(chromium, real_bot)
    chat.send_text("hello, my lower back has hurt for a week")
    chat.click_button("Yes, I agree")
    chat.click_button("No")  # bladder / bowel
    chat.send_text("actually I can't feel my bum or my inner thighs")
    card = chat.wait_for_card("emergency")
    # the headline (sent as its own text message before the card's payload) is inside the card
    assert "911" in card.inner_text()
    assert card.locator("a[href='tel:911']").count() == 1  # the number, one tap away
    chat.screenshot("real-bot-emergency.png")
    assert chat.errors == [], chat.errors


def test_routine_conversation_with_summary_and_escaped_html(chromium, real_bot: Stack) -> None:
    chat = open_chat(chromium, real_bot)
    chat.send_text(INJECTION)
    # The injected markup is shown as the patient's own text, not run or rendered.
    assert "<img src=x onerror=alert(1)> my back hurts" in chat.user_messages().first.inner_text()
    assert chat.page.locator("[data-bpw=root] img").count() == 0
    chat.click_button("Yes, I agree")
    chat.send_text("I strained it lifting boxes 4 days ago, hurts when I bend, I'm 34, lower back")
    answer_every_question_until_a_card(chat)
    chat.wait_for_card("routine")
    summary = chat.wait_for_summary()
    assert "34" in summary.inner_text()  # the age the patient gave
    chat.screenshot("real-bot-routine.png")
    assert chat.errors == [], chat.errors
