"""`make shell`: chat with the assistant in the terminal, while `make run` is up or not.

Rasa's own `rasa shell` binds Rasa's default port (and the action server its own), so it cannot
run beside `make run`; and it shows buttons as a menu where a bare Enter picks the first one, so
piped input with a stray newline answered the consent question. This shell starts its own action
server and Rasa server on free local ports (tooling.stack, with its endpoints file in a temp
folder), or talks to a running server (`--url`), over the REST channel. It reads one message per
line; a blank line is never sent, and a button is pressed only by typing its title.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, TextIO

from tooling.stack import REQUEST_TIMEOUT_S, running_stack

Reply = dict[str, Any]
Say = Callable[[str], list[Reply]]

STOP = "/stop"  # as `rasa shell`
PROMPT = "you: "
BOT_PREFIX = "bot: "
WEBHOOK_PATH = "/webhooks/rest/webhook"
TOKEN_ENV = "REST_AUTH_TOKEN"  # as channels/rest.py: when the REST channel requires a bearer token
SENDER_PREFIX = "shell-"  # no ":" (reserved by channels/rest.py for the messaging platforms)
SENDER_RANDOM_BYTES = 8
# Only the REST channel: the shell needs no web widget or platform webhooks listening.
SHELL_CREDENTIALS = "channels.rest.ValidatingRestInput:\n"


def messages(lines: Iterable[str]) -> Iterator[str]:
    """The messages in ``lines``: each stripped, blank ones (a stray Enter, a trailing newline in
    piped input, a Windows line end) dropped, so nothing is ever answered by accident."""
    for line in lines:
        text = line.strip()
        if text:
            yield text


def button_payload(text: str, buttons: list[Reply]) -> Optional[str]:
    """The payload of the button whose title is ``text`` (case-insensitive), else None: a button
    is pressed only by typing its title, never by an empty line or a number."""
    for button in buttons:
        if str(button.get("title", "")).strip().casefold() == text.casefold():
            payload = button.get("payload")
            return str(payload) if payload else None
    return None


def show(replies: list[Reply], out: TextIO) -> list[Reply]:
    """Print the bot's replies; return the buttons of the last one that has any."""
    buttons: list[Reply] = []
    for reply in replies:
        if reply.get("text"):
            out.write(BOT_PREFIX + str(reply["text"]).replace("\n", "\n     ") + "\n")
        if reply.get("buttons"):
            buttons = list(reply["buttons"])
            out.write("     " + "  ".join(f"[{b.get('title')}]" for b in buttons) + "\n")
    out.flush()
    return buttons


def chat(lines: Iterable[str], say: Say, out: TextIO) -> int:
    """Send each message of ``lines`` and print the replies until ``/stop`` or the end of the
    input; return how many messages were sent."""
    buttons: list[Reply] = []
    sent = 0
    for text in messages(lines):
        if text == STOP:
            break
        buttons = show(say(button_payload(text, buttons) or text), out)
        sent += 1
    return sent


def rest_say(base_url: str, sender: str) -> Say:
    """A ``say`` that posts to the REST channel at ``base_url`` as ``sender``."""
    headers = {"Content-Type": "application/json"}
    if os.environ.get(TOKEN_ENV):
        headers["Authorization"] = f"Bearer {os.environ[TOKEN_ENV]}"

    def say(text: str) -> list[Reply]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        req = urllib.request.Request(base_url.rstrip("/") + WEBHOOK_PATH, data=body, headers=headers)
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as resp:
            replies: list[Reply] = json.loads(resp.read())
        return replies

    return say


def read_lines(stdin: TextIO, out: TextIO) -> Iterator[str]:
    """Lines from ``stdin``, with a prompt when a person is typing (not when input is piped)."""
    interactive = stdin.isatty()
    while True:
        if interactive:
            out.write(PROMPT)
            out.flush()
        line = stdin.readline()
        if not line:
            return
        yield line


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with the assistant in the terminal.")
    parser.add_argument("--url", help="a running Rasa server (default: start one on free ports)")
    parser.add_argument("--model", type=Path, help="the model to load (default: models/triage.tar.gz)")
    args = parser.parse_args(argv)
    sender = SENDER_PREFIX + secrets.token_hex(SENDER_RANDOM_BYTES)
    with ExitStack() as stack:
        url = args.url
        if not url:
            sys.stderr.write("Starting the assistant on free ports (a few seconds)...\n")
            credentials = Path(tempfile.mkdtemp(prefix="triage-shell-")) / "credentials.yml"
            credentials.write_text(SHELL_CREDENTIALS)
            options: dict[str, Any] = {"credentials": credentials}
            if args.model:
                options["model"] = args.model
            servers = stack.enter_context(running_stack(**options))
            url = servers.rasa_url
            sys.stderr.write(f"Rasa server {servers.rasa_url}, action server {servers.action_url}\n")
        sys.stderr.write(f"Type a message and press Enter ({STOP} or Ctrl-D to end).\n")
        try:
            chat(read_lines(sys.stdin, sys.stdout), rest_say(url, sender), sys.stdout)
        except KeyboardInterrupt:
            sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
