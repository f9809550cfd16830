"""Start the real stack (action server + Rasa server) on free local ports, for tests and benches.

Both the conversation tests and bench/turn_latency.py talk to the assistant exactly as a patient's
client would: through the REST channel of a running Rasa server backed by the action server.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

from tooling.settings import action_server_env

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_MODEL = ROOT / "models" / "triage.tar.gz"
# Loading TensorFlow-backed Rasa on a 2-core machine takes ~10-30 s; a cold disk cache can triple it.
START_TIMEOUT_S = 180
POLL_INTERVAL_S = 0.2
REQUEST_TIMEOUT_S = 30
# As scripts/run.sh: fewer glibc malloc arenas keep the TensorFlow-linked server's memory down.
SERVER_ENV = {"MALLOC_ARENA_MAX": "2"}


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    """A running assistant: where to reach it, its processes and how long it took to start."""

    rasa_url: str
    action_url: str
    rasa: subprocess.Popen[bytes]
    actions: subprocess.Popen[bytes]
    start_seconds: float
    workdir: Path  # endpoints.yml and the servers' logs: actions.log, rasa.log
    _start_rasa: Optional[Callable[[], subprocess.Popen[bytes]]] = field(default=None, repr=False)

    def restart_rasa(self) -> None:
        """Stop the Rasa server and start it again on the same port, with the same options (what
        an in-memory conversation store held is gone, as after a real restart)."""
        assert self._start_rasa is not None
        stop_process(self.rasa)
        self.rasa = self._start_rasa()
        self.wait_until_up()

    def wait_until_up(self) -> None:
        """Until both servers answer (raises if one exits or START_TIMEOUT_S passes)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (get_ok(f"{self.action_url}/health") and get_ok(self.rasa_url + "/")):
            for proc, name in ((self.rasa, "rasa"), (self.actions, "actions")):
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} server exited: {self.log(name)[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"stack not up after {START_TIMEOUT_S} s (logs in {self.workdir})")
            time.sleep(POLL_INTERVAL_S)

    def log(self, name: str) -> str:
        """Everything one server ("rasa" or "actions") has written so far."""
        return (self.workdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def say(self, sender: str, message: Any) -> list[dict[str, Any]]:
        """Send one REST message and return the bot's replies."""
        status, body = post_json(self.webhook, {"sender": sender, "message": message})
        if status != 200:
            raise AssertionError(f"REST webhook answered {status}: {body[:200]!r}")
        replies: list[dict[str, Any]] = json.loads(body)
        return replies

    def rss_bytes(self) -> int:
        """Resident memory of both servers and their children, in bytes."""
        return sum(_tree_rss(p.pid) for p in (self.rasa, self.actions))


def post_json(url: str, payload: Any, raw: Optional[bytes] = None) -> tuple[int, bytes]:
    """POST JSON (or raw bytes) and return (status, body) without raising on HTTP errors."""
    data = raw if raw is not None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _tree_rss(pid: int) -> int:
    total = 0
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS"))
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, StopIteration):
        return total
    return total + sum(_tree_rss(int(c)) for c in children)


def get_ok(url: str) -> bool:
    """Whether a GET of the url answers 200 now (a server's readiness probe)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started in its own session: SIGTERM to its group, SIGKILL after 15 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def running_stack(
    model: Path = DEFAULT_MODEL,
    extra_env: Optional[dict[str, str]] = None,
    credentials: Optional[Path] = None,
    rasa_port: Optional[int] = None,
    endpoints_extra: str = "",
    rasa_args: Sequence[str] = (),
    action_args: Sequence[str] = (),
) -> Iterator[Stack]:
    """Start both servers, wait until a REST message gets an answer, stop them afterwards.

    `credentials` is the channels file given to Rasa (default: the repo's credentials.yml); it must
    enable the REST channel, which the start-up probe talks to. `rasa_port` fixes the Rasa server's
    port (e.g. when the credentials name the page origin); by default a free one is picked.
    `endpoints_extra` is appended to the generated endpoints.yml (e.g. a shared tracker store).
    `rasa_args` / `action_args` are added to each server's command line (e.g. `--debug`,
    `--enable-api --auth-token ...`).
    """
    if not model.exists():
        raise FileNotFoundError(f"{model} missing: run `make train` first")
    rasa_port, action_port = rasa_port or free_port(), free_port()
    workdir = Path(tempfile.mkdtemp(prefix="triage-stack-"))
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n{endpoints_extra}'
    )
    env = {**os.environ, **SERVER_ENV, **(extra_env or {})}
    logs = {name: open(workdir / f"{name}.log", "wb") for name in ("actions", "rasa")}
    started = time.perf_counter()
    actions = subprocess.Popen(
        [
            str(VENV_BIN / "python"),
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(action_port),
            *action_args,
        ],
        cwd=ROOT,
        env={**env, **action_server_env()},  # localhost only, keep-alive from deploy/stack.env
        stdout=logs["actions"],
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    rasa_cmd = [
        str(VENV_BIN / "python"),
        str(ROOT / "scripts" / "rasa_server.py"),  # `rasa` without JAX, as scripts/run.sh
        "run",
        "--model",
        str(model),
        "--port",
        str(rasa_port),
        "--interface",
        "127.0.0.1",
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials or ROOT / "credentials.yml"),
        *rasa_args,
    ]

    def start_rasa() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            rasa_cmd,
            cwd=ROOT,
            env={**env, "RASA_PORT": str(rasa_port)},  # as scripts/run.sh: the widget's origins follow it
            stdout=logs["rasa"],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    stack = Stack(
        f"http://127.0.0.1:{rasa_port}",
        f"http://127.0.0.1:{action_port}",
        start_rasa(),
        actions,
        0.0,
        workdir,
        start_rasa,
    )
    try:
        stack.wait_until_up()
        stack.say("__probe__", "hello")  # the first real turn: model and action server both answer
        stack.start_seconds = time.perf_counter() - started
        yield stack
    finally:
        stop_process(stack.rasa)
        stop_process(actions)
        for fh in logs.values():
            fh.close()
