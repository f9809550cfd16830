"""Fakes of the platform APIs and one running stack wired to them, shared by the platform tests.

Each fake is a small HTTP server on 127.0.0.1 that records every request and answers the way
the real API does (including refusing calls without the right credentials). The stack is the
real one (action server + Rasa server + trained model) started with the platform block of
credentials.yml and environment variables pointing the channels at the fakes.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tooling.stack import ROOT, Stack, free_port, running_stack

PLATFORM_BLOCK = ROOT / "channels" / "platforms" / "credentials.yml"
WAIT_S = 30.0

# The secrets the fakes expect and the channels get from the environment (test values only).
TELEGRAM_TOKEN = "123456:TEST-telegram-token"
TELEGRAM_SECRET = "test-telegram-secret_1"
TELEGRAM_PUBLIC_WEBHOOK = "https://bot.example.org/webhooks/telegram/webhook"
SLACK_TOKEN = "xoxb-test-slack-token"
SLACK_SECRET = "test-slack-signing-secret"
FB_TOKEN = "test-fb-page-token"
FB_SECRET = "test-fb-app-secret"
FB_VERIFY = "test-fb-verify-token"
TWILIO_SID = "AC00000000000000000000000000000001"
TWILIO_TOKEN = "test-twilio-auth-token"
TWILIO_NUMBER = "+15005550006"

PLATFORM_ENV_VARS = (
    "TELEGRAM_ACCESS_TOKEN",
    "TELEGRAM_SECRET_TOKEN",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_API_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "FACEBOOK_PAGE_ACCESS_TOKEN",
    "FACEBOOK_APP_SECRET",
    "FACEBOOK_VERIFY_TOKEN",
    "FACEBOOK_GRAPH_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_NUMBER",
    "TWILIO_WHATSAPP_NUMBER",
    "TWILIO_WEBHOOK_URL",
    "TWILIO_API_URL",
)


@dataclass
class Call:
    """One request the assistant made to a fake platform API."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw) if self.raw else None

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.raw.decode()).items()}

    @property
    def endpoint(self) -> str:
        return self.path.rsplit("/", 1)[-1]


Responder = Callable[[Call], tuple[int, Any]]


@dataclass
class FakeApi:
    """A platform API on 127.0.0.1 that records requests; `respond` decides each answer."""

    name: str
    respond: Responder
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        fake = self
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                call = Call(
                    self.command,
                    parsed.path,
                    urllib.parse.parse_qs(parsed.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                with fake._lock:
                    fake.calls.append(call)
                status, body = fake.respond(call)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def snapshot(self) -> list[Call]:
        with self._lock:
            return list(self.calls)

    def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = WAIT_S) -> Any:
        """Poll the recorded calls until `predicate(calls)` is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate(self.snapshot())
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} fake: condition not met in {timeout} s")
            time.sleep(0.05)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- how each fake answers (like the real API, including auth failures) ---


def telegram_respond(call: Call) -> tuple[int, Any]:
    if not call.path.startswith(f"/bot{TELEGRAM_TOKEN}/"):
        return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
    if call.endpoint == "sendMessage":
        body = call.json
        message_id = int(time.monotonic() * 1000) % 10_000_000
        return 200, {
            "ok": True,
            "result": {
                "message_id": message_id,
                "chat": {"id": body["chat_id"], "type": "private"},
                "date": int(time.time()),
                "text": body["text"],
            },
        }
    return 200, {"ok": True, "result": True}


def slack_respond(call: Call) -> tuple[int, Any]:
    if call.headers.get("authorization") != f"Bearer {SLACK_TOKEN}":
        return 200, {"ok": False, "error": "invalid_auth"}
    body = call.json or {}
    return 200, {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"}


def facebook_respond(call: Call) -> tuple[int, Any]:
    """The Graph API takes the token as a Bearer header; this fake also refuses it in the query."""
    if call.headers.get("authorization") != f"Bearer {FB_TOKEN}" or "access_token" in call.query:
        return 400, {
            "error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}
        }
    return 200, {"recipient_id": (call.json or {}).get("recipient", {}).get("id"), "message_id": "m_test"}


def twilio_respond(call: Call) -> tuple[int, Any]:
    expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    if call.headers.get("authorization") != expected:
        return 401, {"code": 20003, "message": "Authenticate", "status": 401}
    if call.path != f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json":
        return 404, {"code": 20404, "message": "Not found", "status": 404}
    return 201, {"sid": "SM" + "0" * 32, "status": "queued"}


@dataclass
class Platforms:
    stack: Stack
    telegram: FakeApi
    slack: FakeApi
    facebook: FakeApi
    twilio: FakeApi

    def log(self) -> str:
        return rasa_log(self.stack)


def rasa_log(stack: Stack) -> str:
    """What the Rasa server wrote so far (its stdout is a file; /proc names it)."""
    return Path(os.readlink(f"/proc/{stack.rasa.pid}/fd/1")).read_text(errors="replace")


def actions_log(stack: Stack) -> str:
    return Path(os.readlink(f"/proc/{stack.actions.pid}/fd/1")).read_text(errors="replace")


def credentials_file(directory: Path) -> Path:
    """REST (for the stack's start-up probe) plus the platform block of credentials.yml."""
    path = directory / "credentials.yml"
    path.write_text("channels.rest.ValidatingRestInput:\n\n" + PLATFORM_BLOCK.read_text())
    return path


@pytest.fixture(scope="session")
def platforms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platforms]:
    fakes = {
        "telegram": FakeApi("telegram", telegram_respond),
        "slack": FakeApi("slack", slack_respond),
        "facebook": FakeApi("facebook", facebook_respond),
        "twilio": FakeApi("twilio", twilio_respond),
    }
    env = {
        "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_WEBHOOK_URL": TELEGRAM_PUBLIC_WEBHOOK,
        "TELEGRAM_API_URL": fakes["telegram"].url,
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_URL": fakes["slack"].url + "/api",
        "FACEBOOK_PAGE_ACCESS_TOKEN": FB_TOKEN,
        "FACEBOOK_APP_SECRET": FB_SECRET,
        "FACEBOOK_VERIFY_TOKEN": FB_VERIFY,
        "FACEBOOK_GRAPH_URL": fakes["facebook"].url + "/v23.0",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": TWILIO_NUMBER,
        "TWILIO_WHATSAPP_NUMBER": "",
        "TWILIO_WEBHOOK_URL": "",
        "TWILIO_API_URL": fakes["twilio"].url,
    }
    assert set(env) == set(PLATFORM_ENV_VARS)
    credentials = credentials_file(tmp_path_factory.mktemp("platforms"))
    try:
        with running_stack(extra_env=env, credentials=credentials) as stack:
            yield Platforms(stack, **fakes)
    finally:
        for fake in fakes.values():
            fake.close()


# --- what a patient's conversation checks on every platform ---

# Free text a patient types in these tests; none of it may appear in the server logs.
PATIENT_TEXTS = ("my back hurts", "it's my lower back", "thanks a lot")


def assert_no_raw_json(texts: list[str]) -> None:
    """The outcome's custom payload (triage/summary data) never reaches the patient as JSON."""
    for text in texts:
        assert not text.lstrip().startswith(("{", "[")), f"raw JSON sent to a patient: {text[:80]!r}"
        for marker in ('"triage"', '"summary"', '"rules"', '"level"', "uncertain_rules"):
            assert marker not in text, f"raw JSON sent to a patient: {text[:80]!r}"


def assert_outcome(texts: list[str]) -> None:
    joined = "\n".join(texts)
    assert "warning sign that needs emergency care" in joined
    assert "Summary for your doctor" in joined
    assert_no_raw_json(texts)


def assert_not_logged(*stacks_logs: str) -> None:
    for log in stacks_logs:
        for text in PATIENT_TEXTS:
            assert text not in log, f"patient text {text!r} in a server log"


_ids = itertools.count(1)


def unique_number() -> int:
    """A chat/user number no other test uses in this run."""
    return 7_000_000 + os.getpid() % 1000 * 1000 + next(_ids)
