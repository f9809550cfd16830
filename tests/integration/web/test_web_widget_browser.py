"""The widget in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Runs against the page served at ``chat_base_url``: the throwaway test bot by
default, or the real bot with ``CHAT_BASE_URL=http://localhost:5005``. The
generic checks (keyboard use, escaping, storage, contrast, 360 px) work with
any bot; the scripted conversation uses the test bot's button titles unless
the real bot's are given (see ``SCENARIO``).

Screenshots: $WIDGET_SCREENSHOT_DIR (default /tmp/bpw-widget-screenshots).
"""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.integration.web.conftest import TESTBOT_SOON_LABEL
from tests.integration.web.widget_driver import ChatWidget, launch_browser

XSS = "<img src=x onerror=alert(1)>"

# Conversation script for the throwaway bot; override for the real bot via env, e.g.
# WIDGET_GREETING="hello" WIDGET_EMERGENCY_BUTTON="Yes" WIDGET_ROUTINE_BUTTON="No"
SCENARIO = {
    "greeting": os.environ.get("WIDGET_GREETING", "hi"),
    "emergency_button": os.environ.get("WIDGET_EMERGENCY_BUTTON", "Yes"),
    "routine_button": os.environ.get("WIDGET_ROUTINE_BUTTON", "No"),
    "summary_request": os.environ.get("WIDGET_SUMMARY_REQUEST", "summary"),
}

CONTRAST_JS = r"""
() => {
  function parse(c) { const m = c.match(/[\d.]+/g); return m ? m.map(Number) : [0,0,0,0]; }
  function lum(rgb) {
    const a = rgb.slice(0,3).map(v => {
      v /= 255; return v <= 0.03928 ? v/12.92 : Math.pow((v+0.055)/1.055, 2.4); });
    return 0.2126*a[0] + 0.7152*a[1] + 0.0722*a[2];
  }
  function bg(el) {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255,255,255,1];
  }
  const bad = [];
  const root = document.querySelector('[data-bpw=root]');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const el = n.parentElement;
    if (!n.nodeValue.trim() || el.closest('.bpw-vh') || !el.getClientRects().length) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden') continue;
    const l1 = lum(parse(cs.color)), l2 = lum(bg(el));
    const ratio = (Math.max(l1,l2)+0.05)/(Math.min(l1,l2)+0.05);
    if (ratio < 4.5) bad.push(n.nodeValue.trim().slice(0,40) + ' ' + ratio.toFixed(2));
  }
  return bad;
}
"""


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as b:
        yield b


def new_chat(browser, base_url, width=1280, height=800):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def assert_no_injected_markup(chat: ChatWidget):
    assert chat.root.locator("img").count() == 0
    assert chat.dialogs == [], chat.dialogs
    assert chat.errors == [], chat.errors


def test_keyboard_conversation_card_escaping_and_reconnect(browser, chat_base_url, using_testbot):
    context, page = new_chat(browser, chat_base_url)
    chat = ChatWidget(page)
    page.goto(chat_base_url + "/")

    # --- keyboard only: focus the launcher, open with Enter, focus lands in the input
    chat.launcher.focus()
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    expect(chat.input).to_be_focused()
    chat.wait_ready()
    token = chat.session_token()
    assert token and token.count(".") == 2

    page.keyboard.type(SCENARIO["greeting"])
    page.keyboard.press("Enter")
    expect(chat.replies.get_by_role("button").first).to_be_visible()
    titles = chat.button_titles()
    assert SCENARIO["emergency_button"] in titles, titles
    # Shift+Tab from the input reaches the last quick reply; Enter sends it
    target = SCENARIO["emergency_button"]
    for _ in range(len(titles)):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.textContent") == target:
            break
    assert page.evaluate("() => document.activeElement.textContent") == target
    page.keyboard.press("Enter")
    expect(chat.user_messages().last).to_have_text("You said: " + target)
    expect(chat.replies).to_be_hidden()  # buttons disappear after use
    expect(chat.input).to_be_focused()  # focus goes back to the input

    card = chat.wait_for_card("emergency")
    expect(card).to_have_attribute("role", "alert")
    expect(card.get_by_role("heading")).to_contain_text("Emergency")
    assert card.locator("svg.bpw-icon").count() == 1
    bg = card.evaluate("e => getComputedStyle(e).backgroundColor")
    r, g, b = (int(x) for x in re.findall(r"\d+", bg)[:3])
    assert r > 120 and g < 60 and b < 60, bg  # red
    chat.screenshot("widget-emergency-1280.png")

    # --- escaping: markup typed by the user is shown as text, never parsed
    chat.send_text(XSS, wait_reply=using_testbot)
    expect(chat.user_messages().last).to_have_text("You said: " + XSS)
    if using_testbot:
        expect(chat.bot_messages().last).to_have_text("Assistant said: You said: " + XSS)
    assert_no_injected_markup(chat)

    # --- bot text with a URL becomes a safe link
    chat.send_text(SCENARIO["greeting"])
    chat.click_button(SCENARIO["routine_button"])
    routine = chat.wait_for_card("routine")
    if using_testbot:
        link = routine.get_by_role("link")
        expect(link).to_have_attribute("href", "https://www.nhs.uk/conditions/back-pain/")
        expect(link).to_have_attribute("rel", re.compile("noopener"))
        expect(link).to_have_attribute("target", "_blank")

    # --- contrast of every visible text node in the widget
    assert page.evaluate(CONTRAST_JS) == []

    # --- history: sessionStorage only, never localStorage
    stored = page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('bpw:'))")
    assert len(stored) == 1
    assert page.evaluate("() => localStorage.length") == 0
    assert XSS in page.evaluate("k => sessionStorage.getItem(k)", stored[0])

    # --- reload: same session, history restored, conversation goes on
    n_before = chat.log.locator(".bpw-row").count()
    page.reload()
    chat = ChatWidget(page)
    expect(chat.panel).to_be_visible()  # open state kept
    chat.wait_ready()
    assert chat.session_token() == token
    assert chat.log.locator(".bpw-row").count() == n_before
    chat.wait_for_card("emergency")
    assert_no_injected_markup(chat)

    # --- reconnect of the socket keeps the session
    page.evaluate("() => window.BackPainWidget.reconnect()")
    chat.wait_ready()
    assert chat.session_token() == token
    chat.send_text(SCENARIO["greeting"])

    # --- Escape closes the panel and returns focus to the launcher
    chat.input.focus()
    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_focused()
    assert chat.errors == []
    context.close()


def test_summary_save_and_small_screen(browser, chat_base_url, using_testbot):
    context, page = new_chat(browser, chat_base_url, width=360, height=740)
    chat = ChatWidget.open(page, chat_base_url)
    box = chat.panel.bounding_box()
    assert box["width"] <= 360 and box["x"] >= 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    chat.send_text(SCENARIO["greeting"])
    chat.click_button(SCENARIO["routine_button"])
    chat.wait_for_card("routine")
    chat.send_text(SCENARIO["summary_request"])
    summary = chat.wait_for_summary()
    text = chat.save_summary()
    assert text.startswith("Back pain summary")
    if using_testbot:
        assert "Where: lower back" in text and "  - fever" in text
        expect(summary).to_contain_text("Not sure or not known")
    created = next(line for line in text.splitlines() if line.startswith("Created: "))
    assert "T" not in created.split(": ", 1)[1] and "+00:00" not in created  # readable, not ISO
    # the summary card fits in 360 px and the save button is reachable
    sbox = summary.bounding_box()
    assert sbox["x"] >= 0 and sbox["x"] + sbox["width"] <= 360
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert page.evaluate(CONTRAST_JS) == []
    chat.screenshot("widget-summary-360.png")

    # "New chat" starts a fresh server session and clears the history
    old = chat.session_token()
    chat.root.get_by_role("button", name="New chat").click()
    page.wait_for_function(
        "t => window.BackPainWidget.sessionToken() && window.BackPainWidget.sessionToken() !== t", arg=old
    )
    chat.wait_ready()
    assert chat.log.locator(".bpw-card, .bpw-summary").count() == 0
    assert chat.errors == []
    context.close()


def test_forged_token_in_storage_gets_a_fresh_session(browser, chat_base_url):
    """A tampered token in sessionStorage must not resume anything."""
    context, page = new_chat(browser, chat_base_url)
    chat = ChatWidget.open(page, chat_base_url)
    good = chat.session_token()
    sid, ts, mac = good.split(".")
    key = page.evaluate("() => Object.keys(sessionStorage).find(k => k.startsWith('bpw:'))")
    page.evaluate(
        """([k, t]) => { const s = JSON.parse(sessionStorage.getItem(k));
           s.token = t; s.messages = [{from: 'user', text: 'earlier', t: 0}];
           sessionStorage.setItem(k, JSON.stringify(s)); }""",
        [key, f"{sid}.{ts}.{'A' * len(mac)}"],
    )
    page.reload()
    chat = ChatWidget(page)
    chat.open_panel()
    chat.wait_ready()
    new = chat.session_token()
    assert new.split(".")[0] != sid
    expect(chat.log).to_contain_text("could not be resumed")
    context.close()


def test_every_outcome_level_renders_distinctly(browser, testbot_server):
    """Widget rendering of all four levels (always on the throwaway bot)."""
    context, page = new_chat(browser, testbot_server.url, width=360, height=740)
    chat = ChatWidget.open(page, testbot_server.url)
    chat.send_text("urgentcard")
    urgent = chat.wait_for_card("urgent")
    expect(urgent).to_contain_text("Please see a doctor today.")
    expect(urgent).to_contain_text("Reference: U1, U2")
    chat.send_text("sooncard")
    soon = chat.wait_for_card("soon")  # a card without text
    expect(soon.get_by_role("heading")).to_have_text("Outcome: " + TESTBOT_SOON_LABEL)  # the server's word
    chat.send_text("hi")
    chat.click_button("No")
    routine = chat.wait_for_card("routine")
    chat.send_text("hi")
    chat.click_button("Yes")
    emergency = chat.wait_for_card("emergency")
    backgrounds = {
        c.evaluate("e => getComputedStyle(e).backgroundColor") for c in (urgent, soon, routine, emergency)
    }
    assert len(backgrounds) == 4, backgrounds
    for card in (urgent, soon, routine):
        assert card.get_attribute("role") is None  # only the emergency is an alert
    expect(emergency).to_have_attribute("role", "alert")
    assert page.evaluate(CONTRAST_JS) == []
    urgent.scroll_into_view_if_needed()
    chat.screenshot("widget-levels-360.png")
    assert chat.errors == []
    context.close()
