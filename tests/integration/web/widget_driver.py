"""Playwright helpers to drive the chat widget in Debian's headless Chromium.

Usable against any bot that speaks the widget contract::

    with launch_browser() as browser:
        page = browser.new_page()
        chat = ChatWidget.open(page, "http://localhost:5005")
        chat.send_text("hello")
        chat.click_button("No")
        chat.wait_for_card("routine")
"""

import contextlib
import os
import re
import shutil
from pathlib import Path
from typing import Iterator, List, Optional, Pattern, Union

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

DEFAULT_TIMEOUT_MS = int(os.environ.get("WIDGET_TIMEOUT_MS", "15000"))
ROOT = Path(__file__).resolve().parents[3]
NPM_PACKAGES = ROOT / "tooling" / "npm_packages.txt"
SCREENSHOT_DIR = Path(os.environ.get("WIDGET_SCREENSHOT_DIR", "/tmp/bpw-widget-screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """Debian's Chromium (``apt-get install chromium``); override with $CHROMIUM_PATH."""
    for cand in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if cand and os.path.exists(cand):
            return cand
    raise RuntimeError(
        "Chromium not found: run `apt-get update && apt-get install -y chromium chromium-driver` "
        "or set CHROMIUM_PATH"
    )


def npm_file(name: str, filename: str) -> Path:
    """A file of an npm package that `make webchat` (tooling/fetch_npm.sh) fetched into build/, at
    the version pinned in tooling/npm_packages.txt."""
    for line in NPM_PACKAGES.read_text().splitlines():
        fields = line.split()
        if fields and fields[0] == name:
            path = ROOT / "build" / f"{name}-{fields[1]}" / filename
            assert path.is_file(), f"{path} missing: run `make webchat`"
            return path
    raise KeyError(f"{name} is not in {NPM_PACKAGES}")


@contextlib.contextmanager
def launch_browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class ChatWidget:
    """Page object for web/widget.js."""

    def __init__(self, page: Page, timeout_ms: int = DEFAULT_TIMEOUT_MS):
        self.page = page
        self.timeout = timeout_ms
        self.root = page.locator("[data-bpw=root]")
        self.panel = self.root.locator(".bpw-panel")
        self.log = self.root.get_by_role("log")
        self.input = self.root.get_by_label("Your message")
        self.launcher = self.root.locator(".bpw-launcher")
        self.replies = self.root.locator(".bpw-replies")
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    # ---------------------------------------------------------------- setup
    @classmethod
    def open(cls, page: Page, base_url: str, path: str = "/", **kw) -> "ChatWidget":
        """Load the page, open the widget and wait until the session is confirmed."""
        chat = cls(page, **kw)
        page.goto(base_url.rstrip("/") + path)
        chat.open_panel()
        chat.wait_ready()
        return chat

    def open_panel(self) -> None:
        if self.panel.is_hidden():
            self.launcher.click()
        expect(self.panel).to_be_visible(timeout=self.timeout)

    def wait_ready(self) -> None:
        self.page.wait_for_function(
            "() => !!(window.BackPainWidget && window.BackPainWidget.isReady())", timeout=self.timeout
        )

    def session_token(self) -> Optional[str]:
        return self.page.evaluate("() => window.BackPainWidget.sessionToken()")

    # ---------------------------------------------------------------- actions
    def bot_messages(self) -> Locator:
        return self.log.locator(".bpw-msg--bot")

    def user_messages(self) -> Locator:
        return self.log.locator(".bpw-msg--user")

    def _bot_count(self) -> int:
        return self.log.locator(".bpw-row--bot").count()

    def send_text(self, text: str, wait_reply: bool = True) -> None:
        """Type ``text`` into the input and press Enter; optionally wait for a bot reply."""
        before = self._bot_count()
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.user_messages().last).to_have_text("You said: " + text, timeout=self.timeout)
        if wait_reply:
            self.wait_for_bot_count(before + 1)

    def click_button(self, title: str, wait_reply: bool = True) -> None:
        """Click the quick-reply button titled ``title`` (exact)."""
        before = self._bot_count()
        btn = self.replies.get_by_role("button", name=title, exact=True)
        expect(btn).to_be_visible(timeout=self.timeout)
        btn.click()
        expect(self.user_messages().last).to_have_text("You said: " + title, timeout=self.timeout)
        if wait_reply:
            self.wait_for_bot_count(before + 1)

    def button_titles(self) -> List[str]:
        return [t.strip() for t in self.replies.get_by_role("button").all_inner_texts()]

    def wait_for_bot_count(self, n: int) -> None:
        self.page.wait_for_function(
            "n => document.querySelectorAll('[data-bpw=root] .bpw-log .bpw-row--bot').length >= n",
            arg=n,
            timeout=self.timeout,
        )

    def wait_for_bot_text(self, pattern: Union[str, Pattern[str]]) -> Locator:
        """Wait for a bot bubble containing ``pattern`` (substring or regex)."""
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        loc = self.log.locator(".bpw-msg--bot, .bpw-card, .bpw-summary").filter(has_text=rx).last
        expect(loc).to_be_visible(timeout=self.timeout)
        return loc

    def wait_for_card(self, level: str) -> Locator:
        """Wait for the triage outcome card of ``level`` (emergency|urgent|soon|routine)."""
        card = self.log.locator(f".bpw-card[data-level='{level}']").last
        expect(card).to_be_visible(timeout=self.timeout)
        return card

    def wait_for_summary(self) -> Locator:
        card = self.log.locator(".bpw-summary").last
        expect(card).to_be_visible(timeout=self.timeout)
        return card

    def save_summary(self) -> str:
        """Click "Save summary" on the last summary; return the downloaded text."""
        card = self.wait_for_summary()
        with self.page.expect_download(timeout=self.timeout) as dl:
            card.get_by_role("button", name=re.compile("Save summary")).click()
        path = dl.value.path()
        return Path(path).read_text(encoding="utf-8")

    def screenshot(self, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / name
        self.page.screenshot(path=str(path), full_page=False)
        return path
