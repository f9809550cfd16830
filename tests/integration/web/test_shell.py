"""`make shell` (tooling/shell.py): runs beside `make run`, and piped input answers nothing by accident.

The unit tests drive the shell's loop with a fake bot; the last one starts the real shell, as
`make shell` does, while the ports `make run` uses are held, and pipes it blank lines.
"""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import yaml

from tooling import shell

ROOT = Path(__file__).resolve().parents[3]
RUN_SH = (ROOT / "scripts" / "run.sh").read_text()
CONSENT = yaml.safe_load((ROOT / "data" / "responses" / "consent.yml").read_text())["responses"]
SHELL_TIMEOUT_S = 240  # the shell starts both servers (model load) before the first message


def run_default(name: str) -> int:
    """The port `make run` uses, read from scripts/run.sh so this test follows it."""
    found = re.search(rf"{name}=\$\{{{name}:-(\d+)\}}", RUN_SH)
    assert found, f"{name} default not found in scripts/run.sh"
    return int(found.group(1))


class FakeBot:
    """Answers every message with the consent question and its buttons; records what it got."""

    def __init__(self) -> None:
        self.got: list[str] = []
        self.consent = CONSENT["utter_consent"][0]

    def say(self, text: str) -> list[dict[str, Any]]:
        self.got.append(text)
        buttons = [
            {**b, "payload": b["payload"].replace("{{", "{").replace("}}", "}")}
            for b in self.consent["buttons"]
        ]
        return [{"text": self.consent["text"], "buttons": buttons}]


def test_blank_lines_are_never_sent() -> None:
    bot, out = FakeBot(), io.StringIO()
    piped = ["\n", "hello\n", "\n", "   \n", "\r\n", "\t\n", ""]
    assert shell.chat(piped, bot.say, out) == 1
    assert bot.got == ["hello"]  # the consent question was asked and nothing answered it
    assert "[Yes, I agree]" in out.getvalue()


def test_a_button_is_pressed_only_by_its_title() -> None:
    bot = FakeBot()
    agree = bot.consent["buttons"][0]
    shell.chat(
        ["hi\n", "\n", "1\n", agree["title"].upper() + "\n", "yes\n", "/stop\n", "no\n"],
        bot.say,
        io.StringIO(),
    )
    assert bot.got[0] == "hi" and bot.got[1] == "1"  # a number is text, not the first button
    assert bot.got[2].startswith("/affirm{") and "consent" in bot.got[2]
    assert bot.got[3:] == ["yes"]  # nothing after /stop


def test_make_shell_runs_beside_make_run_and_blank_piped_lines_do_not_consent() -> None:
    run_ports = {run_default("RASA_PORT"), run_default("ACTION_PORT")}
    with ExitStack() as held:
        for port in run_ports:  # as if `make run` were up (if it is, the port is already taken)
            sock = held.enter_context(socket.socket())
            try:
                sock.bind(("127.0.0.1", port))
                sock.listen()
            except OSError:
                pass
        proc = subprocess.run(
            [sys.executable, "-m", "tooling.shell"],
            cwd=ROOT,
            input="\n\nhello\n\n\n   \n\n",
            capture_output=True,
            text=True,
            timeout=SHELL_TIMEOUT_S,
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    ports = {int(p) for p in re.findall(r"http://127\.0\.0\.1:(\d+)", proc.stderr)}
    assert len(ports) == 2 and not ports & run_ports, proc.stderr[-1000:]
    assert CONSENT["utter_consent"][0]["text"] in proc.stdout  # "hello" was answered ...
    assert CONSENT["utter_consent_thanks"][0]["text"] not in proc.stdout  # ... and consent not given
    assert proc.stdout.count("bot: ") >= 1
