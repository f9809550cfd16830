"""Fixtures for the web widget / secure socket.io channel tests.

``testbot_server`` trains (once, cached by content hash) the throwaway bot in
tests/integration/web/testbot and runs it with ``channels.secure_socketio`` on a free
localhost port. The browser test uses ``chat_base_url``: the env variable
``CHAT_BASE_URL`` (e.g. ``http://localhost:5005`` for the real bot started by
``make run``) or, when unset, the throwaway bot.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest
import requests
import yaml

if TYPE_CHECKING:
    from tooling.stack import Stack

REPO = Path(__file__).resolve().parents[3]
TESTBOT = Path(__file__).resolve().parent / "testbot"
CACHE = Path(os.environ.get("BPW_TESTBOT_CACHE", Path(tempfile.gettempdir()) / "bpw-testbot-cache"))
TEST_SECRET = "test-secret-for-tests-web-only-0123456789abcdef"
API_TOKEN = "bpw-test-api-token"
# The test bot's widget labels: the shipped ones with one changed, so a browser test can tell the
# widget shows the words the server sent, not its built-in copies.
TESTBOT_SOON_LABEL = "Soon (label sent by the test server)"
START_TIMEOUT = float(os.environ.get("BPW_SERVER_START_TIMEOUT", "180"))


@dataclass
class RasaServer:
    url: str
    port: int
    secret: str
    api_token: str
    log: Path

    @property
    def origin(self) -> str:
        return self.url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["SOCKETIO_SESSION_SECRET"] = TEST_SECRET
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def _train_testbot() -> Path:
    h = hashlib.sha256()
    for f in sorted(TESTBOT.rglob("*.yml")):
        h.update(str(f.relative_to(TESTBOT)).encode() + b"\0" + f.read_bytes())
    model = CACHE / f"testbot-{h.hexdigest()[:16]}.tar.gz"
    if model.exists():
        return model
    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bpw-train-"))
    cmd = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(TESTBOT / "config.yml"),
        "--domain", str(TESTBOT / "domain.yml"),
        "--data", str(TESTBOT / "data"),
        "--out", str(work),
        "--fixed-model-name", "testbot",
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=work, env=_env(), capture_output=True, text=True, timeout=600)
    built = work / "testbot.tar.gz"
    if proc.returncode != 0 or not built.exists():
        raise RuntimeError(f"training the test bot failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    shutil.move(str(built), str(model))
    shutil.rmtree(work, ignore_errors=True)
    return model


def start_rasa(model: Path, extra_origins=()) -> "tuple[subprocess.Popen, RasaServer]":
    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="bpw-server-"))
    origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}", *extra_origins]
    labels = yaml.safe_load((REPO / "channels" / "socketio_web" / "widget_labels.yml").read_text())
    labels["levels"]["soon"] = TESTBOT_SOON_LABEL
    (work / "widget_labels.yml").write_text(yaml.safe_dump(labels))
    (work / "credentials.yml").write_text(
        "channels.secure_socketio.SecureSocketIOInput:\n"
        f"  labels_file: {work / 'widget_labels.yml'}\n"
        "  allowed_origins:\n" + "".join(f"    - {o}\n" for o in origins)
    )
    (work / "endpoints.yml").write_text("{}\n")
    log = work / "rasa.log"
    cmd = [
        sys.executable, "-m", "rasa", "run",
        "--model", str(model),
        "--credentials", str(work / "credentials.yml"),
        "--endpoints", str(work / "endpoints.yml"),
        "--interface", "127.0.0.1", "--port", str(port),
        "--enable-api", "--auth-token", API_TOKEN,
    ]  # fmt: skip
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=work, env=_env(), stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"rasa run exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url + "/status", params={"token": API_TOKEN}, timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.5)
    else:
        proc.terminate()
        raise RuntimeError(f"rasa run did not start in {START_TIMEOUT}s:\n{log.read_text()[-4000:]}")
    return proc, RasaServer(url=url, port=port, secret=TEST_SECRET, api_token=API_TOKEN, log=log)


def stop_rasa(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def testbot_model() -> Path:
    return _train_testbot()


@pytest.fixture(scope="session")
def testbot_server(testbot_model: Path) -> Iterator[RasaServer]:
    proc, server = start_rasa(testbot_model)
    try:
        yield server
    finally:
        stop_rasa(proc)


@pytest.fixture(scope="session")
def chat_base_url(request) -> str:
    """Base URL of the page under test: $CHAT_BASE_URL or the throwaway bot."""
    env = os.environ.get("CHAT_BASE_URL")
    if env:
        return env.rstrip("/")
    return request.getfixturevalue("testbot_server").url


@pytest.fixture(scope="session")
def using_testbot() -> bool:
    return not os.environ.get("CHAT_BASE_URL")


@pytest.fixture(scope="session")
def real_bot() -> Iterator["Stack"]:
    """The real assistant (both servers) with the repo's own credentials.yml on a port that is not
    Rasa's default: the widget's allowed origins must follow the port (RASA_PORT), as `make run`
    sets it. Shared by the browser tests of the project's widget and of rasa-webchat."""
    from tooling.stack import free_port, running_stack

    with running_stack(rasa_port=free_port()) as stack:
        yield stack


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    """A headless Chromium per browser-test module: Playwright's sync API keeps an event loop
    running while it is open, which other modules' asyncio tests cannot share."""
    from tests.integration.web.widget_driver import launch_browser

    with launch_browser() as b:
        yield b
