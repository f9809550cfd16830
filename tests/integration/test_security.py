"""Channel security of the stack as `make run` starts it (scripts/run.sh): what is reachable."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from tooling.stack import DEFAULT_MODEL, ROOT, START_TIMEOUT_S, free_port

TOKEN = "test-token-not-a-secret"
REST_TOKEN = "rest-token-not-a-secret"
ALLOWED = "https://clinic.example"


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    """Status and headers; 0 when nothing listens (yet)."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers)
    except (urllib.error.URLError, ConnectionError):
        return 0, {}


def _listen_addresses(port: int) -> set[str]:
    """Local IPv4/IPv6 addresses with a LISTEN socket on `port` (from /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                if len(addr) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(addr)[::-1]))
                else:
                    found.add("ipv6:" + addr)
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """scripts/run.sh with an API token and one allowed CORS origin, on free ports."""
    rasa_port, action_port = free_port(), free_port()
    work = tmp_path_factory.mktemp("run")
    (work / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
    )
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "ENDPOINTS": str(work / "endpoints.yml"),
        "MODEL": str(DEFAULT_MODEL),
        "RASA_API_TOKEN": TOKEN,
        "CORS_ORIGINS": ALLOWED,
        "REST_AUTH_TOKEN": REST_TOKEN,
    }
    log = open(work / "run.log", "wb")
    proc = subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while _get(f"http://127.0.0.1:{rasa_port}/")[0] != 200 or not _listen_addresses(action_port):
            assert proc.poll() is None, (work / "run.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "run.sh did not come up"
            time.sleep(0.3)
        yield {"rasa": rasa_port, "actions": action_port}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def test_action_server_listens_on_localhost_only(served: dict[str, int]) -> None:
    assert _listen_addresses(served["actions"]) == {"127.0.0.1"}


def test_http_api_needs_the_token(served: dict[str, int]) -> None:
    base = f"http://127.0.0.1:{served['rasa']}"
    assert _get(f"{base}/conversations/someone/tracker")[0] == 401
    assert _get(f"{base}/status")[0] == 401
    assert _get(f"{base}/status?token={TOKEN}")[0] == 200


def test_cors_allows_only_the_configured_origin(served: dict[str, int]) -> None:
    url = f"http://127.0.0.1:{served['rasa']}/webhooks/rest/"
    _, headers = _get(url, {"Origin": ALLOWED})
    assert headers.get("Access-Control-Allow-Origin") == ALLOWED
    _, headers = _get(url, {"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in headers


def test_without_a_token_the_api_is_off(stack) -> None:
    # The shared test stack runs like `make run` with no RASA_API_TOKEN: no API routes at all.
    assert _get(f"{stack.rasa_url}/conversations/someone/tracker")[0] == 404
    assert _get(f"{stack.rasa_url}/status")[0] == 404


def test_rest_token_when_configured(served: dict[str, int]) -> None:
    # run.sh was started with REST_AUTH_TOKEN set: requests without the bearer token are refused.
    import json

    url = f"http://127.0.0.1:{served['rasa']}/webhooks/rest/webhook"
    body = json.dumps({"sender": "sec-1", "message": "hi"}).encode()
    for headers, expected in (({}, 401), ({"Authorization": f"Bearer {REST_TOKEN}"}, 200)):
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status = resp.status
        except urllib.error.HTTPError as err:
            status = err.code
        assert status == expected, headers


def test_rasa_listens_on_localhost_only_by_default(served: dict[str, int]) -> None:
    # run.sh was started without RASA_HOST
    assert _listen_addresses(served["rasa"]) == {"127.0.0.1"}


@dataclass
class Started:
    code: Optional[int]  # the exit code if it stopped by itself, None if it came up
    addresses: set[str]  # where it listened (empty if it never did)
    output: str


def _start(cmd: list[str], env: dict[str, str], port: int) -> Started:
    """Start `cmd` and wait until it exits or `port` listens; then stop it."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        addresses: set[str] = set()
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while proc.poll() is None and not addresses:
                assert time.monotonic() < deadline, "neither refused nor started"
                time.sleep(0.3)
                addresses = _listen_addresses(port)
            code = proc.poll()
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
        log.seek(0)
        return Started(code, addresses, log.read().decode("utf-8", "replace"))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment without REST_AUTH_TOKEN, with an endpoints file of its own."""
    (tmp_path / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{free_port()}/webhook"\n'
    )
    env = {k: v for k, v in os.environ.items() if k != "REST_AUTH_TOKEN"}
    return {**env, "ENDPOINTS": str(tmp_path / "endpoints.yml"), "ACTION_PORT": str(free_port()), **extra}


def test_run_refuses_another_interface_without_a_rest_token(tmp_path: Path) -> None:
    port = free_port()
    env = _env(tmp_path, RASA_HOST="0.0.0.0", RASA_PORT=str(port))
    started = _start(["bash", "scripts/run.sh"], env, port)
    assert started.code not in (None, 0) and not started.addresses, "started on 0.0.0.0 without a token"
    assert "REST_AUTH_TOKEN" in started.output


def test_the_server_itself_refuses_another_interface_without_a_rest_token(tmp_path: Path) -> None:
    # Started without run.sh and without --interface: `rasa run` would listen on 0.0.0.0.
    port = free_port()
    env = _env(tmp_path)
    cmd = [str(ROOT / ".venv" / "bin" / "python"), "scripts/rasa_server.py", "run"]
    cmd += ["--model", str(DEFAULT_MODEL), "--port", str(port), "--endpoints", env["ENDPOINTS"]]
    cmd += ["--credentials", "credentials.yml"]
    started = _start(cmd, env, port)
    assert started.code not in (None, 0) and not started.addresses, "listened on 0.0.0.0 without a token"
    assert "REST_AUTH_TOKEN" in started.output


def test_run_listens_where_rasa_host_says_with_a_rest_token(tmp_path: Path) -> None:
    port = free_port()
    env = _env(tmp_path, RASA_HOST="0.0.0.0", RASA_PORT=str(port), REST_AUTH_TOKEN=REST_TOKEN)
    started = _start(["bash", "scripts/run.sh"], env, port)
    assert started.code is None, started.output[-2000:]
    assert started.addresses == {"0.0.0.0"}
