"""rasa-webchat (from the npm registry, the widget most Rasa sites embed) against the REAL assistant.

rasa-webchat renders only plain ``{"text"}`` and ``{"text", "quick_replies"}`` messages and drops
text that travels beside a ``custom`` payload. A patient who uses it must still read the emergency
advice and the doctor's summary: this drives it in headless Chromium through an emergency and a
routine conversation and looks for those words on the screen. Screenshots go to SCREENSHOT_DIR.
The bundle is fetched (pinned, integrity-checked) by `make webchat`; the page is served to the browser by
Playwright at the bot's own origin, so the channel's origin allow-list applies unchanged.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml
from playwright.sync_api import Page, Route, expect

from tests.integration.web.widget_driver import SCREENSHOT_DIR, npm_file
from tooling.stack import Stack

ROOT = Path(__file__).resolve().parents[3]
PAGE_PATH = "/rasa-webchat-test/"
TIMEOUT_MS = 20_000  # rasa-webchat shows each message after a typing delay
MAX_TURNS = 20  # more questions than the triage can ask


def response_start(name: str, topic: str) -> str:
    """The first sentence of a response, from the content files (no patient text in tests)."""
    responses = yaml.safe_load((ROOT / "data" / "responses" / f"{topic}.yml").read_text())["responses"]
    text = str(responses[name][0]["text"])
    return text.split(". ")[0].split(" (")[0].split("{")[0].strip()


EMERGENCY_HEADLINE = response_start("utter_level_emergency", "outcome")
SUMMARY_HEADING = response_start("utter_summary", "summary")


def page_html(socket_url: str) -> str:
    """A page that embeds rasa-webchat as its README says, opened, with no typing delay."""
    config = {
        "socketUrl": socket_url,
        "socketPath": "/socket.io/",
        "title": "Back pain check",
        "embedded": True,
        "params": {"storage": "session"},
    }
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>rasa-webchat</title></head>"
        "<body><div id='webchat'></div><script src='index.js'></script><script>"
        f"window.WebChat.default(Object.assign({json.dumps(config)}, "
        "{customMessageDelay: function () { return 0; }}), null);"
        "</script></body></html>"
    )


def open_webchat(browser, stack: Stack) -> Page:
    bundle = npm_file("rasa-webchat", "index.js")  # the version tooling/npm_packages.txt pins
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("dialog", lambda d: (_ for _ in ()).throw(AssertionError(f"a script ran: {d.message!r}")))
    base = stack.rasa_url.rstrip("/")

    def serve(route: Route) -> None:
        if route.request.url.endswith("/index.js"):
            route.fulfill(body=bundle.read_bytes(), content_type="text/javascript")
        else:
            route.fulfill(body=page_html(base), content_type="text/html")

    page.route(f"{base}{PAGE_PATH}**", serve)
    page.goto(f"{base}{PAGE_PATH}index.html")
    expect(page.locator(".rw-new-message")).to_be_visible(timeout=TIMEOUT_MS)
    return page


def bot_texts(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".rw-response").all_inner_texts()]


def say(page: Page, text: str) -> None:
    """Type and send a message, then wait until the bot has answered it."""
    before = len(bot_texts(page))
    box = page.locator(".rw-new-message")
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('.rw-response').length > n", arg=before, timeout=TIMEOUT_MS
    )
    time.sleep(0.5)  # a turn's replies arrive as several messages


def test_emergency_advice_reaches_rasa_webchat(chromium, real_bot: Stack) -> None:
    page = open_webchat(chromium, real_bot)
    say(page, "hello, my lower back has hurt for a week")
    say(page, "yes")
    say(page, "since yesterday I can't feel my bum or my inner thighs")
    headline = page.locator(".rw-response", has_text=EMERGENCY_HEADLINE)
    expect(headline.first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator(".rw-response", has_text=SUMMARY_HEADING).first).to_be_visible(timeout=TIMEOUT_MS)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "rasa-webchat-emergency.png"))
    assert "911" in headline.first.inner_text()  # the number to call, in the headline itself


def test_routine_outcome_and_summary_reach_rasa_webchat(chromium, real_bot: Stack) -> None:
    page = open_webchat(chromium, real_bot)
    say(page, "I strained my lower back lifting boxes 4 days ago, hurts when I bend, I'm 34")
    say(page, "yes")
    summary = page.locator(".rw-response", has_text=SUMMARY_HEADING)
    for _ in range(MAX_TURNS):
        if summary.count():
            break
        last = bot_texts(page)[-1].lower()
        say(page, "less than a month" if "how long" in last else "no")
    expect(summary.first).to_be_visible(timeout=TIMEOUT_MS)
    text = summary.first.inner_text()
    assert "routine" in text.lower() and "34" in text  # the level and the age the patient gave
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "rasa-webchat-routine.png"), full_page=True)
