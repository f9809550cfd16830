"""The production stack on one machine: HAProxy in front of N Rasa replicas, each with its own
action server, conversations in PostgreSQL, per-conversation locks in Redis.

    python -m tooling.cluster_cli start    # `make stack`: starts it in the background, waits until it answers
    python -m tooling.cluster_cli stop     # `make stack-stop`: stops exactly the processes `start` started
    python -m tooling.cluster status

The settings (ports, replicas, stores, timeouts) are deploy/stack.env, overridden by the
environment; the configs are deploy/haproxy.cfg (rendered into build/stack/) and
deploy/endpoints.yml (read by every replica, values from the environment). Tests and benches
start their own stack on free ports with `running_cluster()` (a database and lock prefix of their
own, removed afterwards).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import string
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from tooling.cluster_stores import (  # noqa: F401  (re-exported for the tests and the bench)
    PROBE_SENDER,
    clear_locks,
    drop_database,
    ensure_database,
    forget_probes,
)
from tooling.settings import action_server_env, read_settings
from tooling.stack import DEFAULT_MODEL, ROOT, SERVER_ENV, VENV_BIN, free_port, post_json

DEPLOY = ROOT / "deploy"
HAPROXY_TEMPLATE = DEPLOY / "haproxy.cfg"
ENDPOINTS_FILE = DEPLOY / "endpoints.yml"
STATE_DIR = ROOT / "build" / "stack"
PIDS_FILE = "pids.json"
SECRET_FILE = "socketio_session_secret"
# Loading TensorFlow-backed Rasa on a 2-core machine takes ~10-30 s, more for several at once on a
# cold disk cache: the same allowance as tooling/stack.py, for all replicas together.
START_TIMEOUT_S = 240
POLL_INTERVAL_S = 0.2
# A stopped server has this long to finish in-flight messages before it is killed.
STOP_GRACE_S = 15
READY_PATH = "/webhooks/rest/ready"
REST_PATH = "/webhooks/rest/webhook"
# The header HAProxy adds to every answer: the replica that gave it (deploy/haproxy.cfg).
REPLICA_HEADER = "X-Replica"
# 48 random bytes, URL-safe: well over channels/socketio_web/sessions.py's 32-character minimum.
SECRET_BYTES = 48


@dataclass
class Replica:
    """One Rasa server and its action server."""

    name: str
    rasa_port: int
    action_port: int
    rasa: Optional[subprocess.Popen[bytes]] = None
    actions: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"


@dataclass
class Cluster:
    """A running (or to-be-started) stack: its settings, replicas and HAProxy."""

    settings: dict[str, str]
    replicas: list[Replica]
    state_dir: Path
    model: Path = DEFAULT_MODEL
    haproxy: Optional[subprocess.Popen[bytes]] = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def lb_url(self) -> str:
        host = self.settings["LB_HOST"]
        host = "127.0.0.1" if host in ("0.0.0.0", "*", "") else host
        return f"http://{host}:{self.settings['LB_PORT']}"

    @property
    def webhook(self) -> str:
        return self.lb_url + REST_PATH

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def processes(self) -> list[tuple[str, subprocess.Popen[bytes]]]:
        procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        for r in self.replicas:
            procs += [(f"{r.name}-actions", p) for p in [r.actions] if p is not None]
            procs += [(f"{r.name}-rasa", p) for p in [r.rasa] if p is not None]
        procs += [("haproxy", p) for p in [self.haproxy] if p is not None]
        return procs


def plan(settings: dict[str, str], state_dir: Path = STATE_DIR, model: Path = DEFAULT_MODEL) -> Cluster:
    """The stack the settings describe (nothing started)."""
    count = int(settings["REPLICAS"])
    if count < 1:
        raise ValueError("REPLICAS must be at least 1")
    rasa_base, action_base = int(settings["RASA_BASE_PORT"]), int(settings["ACTION_BASE_PORT"])
    replicas = [Replica(f"rasa{i + 1}", rasa_base + i, action_base + i) for i in range(count)]
    return Cluster(settings, replicas, state_dir, model)


# --- configuration ---------------------------------------------------------------------------


def render_haproxy(cluster: Cluster, template: Path = HAPROXY_TEMPLATE) -> str:
    """deploy/haproxy.cfg with this stack's address and server lines."""

    def servers(extra: str = "") -> str:
        return "\n".join(
            f"    server {r.name} 127.0.0.1:{r.rasa_port} check{extra.format(name=r.name)}"
            for r in cluster.replicas
        )

    return string.Template(template.read_text(encoding="utf-8")).substitute(
        lb_host=cluster.settings["LB_HOST"],
        lb_port=cluster.settings["LB_PORT"],
        rest_servers=servers(),
        web_servers=servers(" cookie {name}"),
        platform_servers=servers(),
    )


def session_secret(cluster: Cluster) -> str:
    """The secret every replica signs widget sessions with: from the environment, else one kept in
    the state folder (so sessions survive a restart of the stack)."""
    if os.environ.get("SOCKETIO_SESSION_SECRET"):
        return os.environ["SOCKETIO_SESSION_SECRET"]
    path = cluster.state_dir / SECRET_FILE
    if not path.exists():
        path.write_text(secrets.token_urlsafe(SECRET_BYTES))
        path.chmod(0o600)
    return path.read_text().strip()


def replica_env(cluster: Cluster, replica: Replica) -> dict[str, str]:
    """The environment of one Rasa replica: deploy/endpoints.yml reads its values from it."""
    s = cluster.settings
    lb_port = s["LB_PORT"]
    origins = os.environ.get("WEB_ALLOWED_ORIGINS", f"http://localhost:{lb_port} http://127.0.0.1:{lb_port}")
    return {
        **os.environ,
        **SERVER_ENV,
        **{key: s[key] for key in s if key.startswith(("TRACKER_DB", "LOCK_"))},
        "ACTION_ENDPOINT_URL": replica.action_url,
        "TICKET_LOCK_LIFETIME": s["TICKET_LOCK_LIFETIME"],
        "SOCKETIO_SESSION_SECRET": session_secret(cluster),
        # the widget is reached through the load balancer: its page's origin is the balancer's
        "WEB_ALLOWED_ORIGINS": origins,
        **cluster.extra_env,
    }


def action_env(cluster: Cluster) -> dict[str, str]:
    return {
        **os.environ,
        **SERVER_ENV,
        **action_server_env(cluster.settings),
        **cluster.extra_env,
    }


# --- prerequisites ---------------------------------------------------------------------------


def ensure_haproxy() -> str:
    """The haproxy binary; installed from Debian's archive (as `make browser` installs Chromium)
    when missing and we are root."""
    found = shutil.which("haproxy")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError(
            "haproxy is not installed: run `sudo apt-get install -y haproxy` (or make haproxy)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "haproxy"], check=True, env=env, stdout=subprocess.DEVNULL
    )
    found = shutil.which("haproxy")
    if not found:
        raise RuntimeError("apt-get installed haproxy but it is not on PATH")
    return found


def _spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def start_actions(cluster: Cluster, replica: Replica) -> None:
    cmd = [
        str(VENV_BIN / "python"),
        "-m",
        "rasa_sdk",
        "--actions",
        "actions",
        "--port",
        str(replica.action_port),
    ]
    replica.actions = _spawn(cmd, action_env(cluster), cluster.state_dir / f"{replica.name}-actions.log")


def start_rasa(cluster: Cluster, replica: Replica) -> None:
    cmd = [
        str(VENV_BIN / "python"),
        str(ROOT / "scripts" / "rasa_server.py"),  # `rasa` without JAX, as scripts/run.sh
        "run",
        "--model",
        str(cluster.model),
        "--port",
        str(replica.rasa_port),
        "--interface",
        "127.0.0.1",
        "--endpoints",
        str(ENDPOINTS_FILE),
        "--credentials",
        str(ROOT / "credentials.yml"),
    ]
    replica.rasa = _spawn(cmd, replica_env(cluster, replica), cluster.state_dir / f"{replica.name}-rasa.log")


def start_haproxy(cluster: Cluster) -> None:
    binary = ensure_haproxy()
    cfg = cluster.state_dir / "haproxy.cfg"
    cfg.write_text(render_haproxy(cluster))
    subprocess.run([binary, "-c", "-q", "-f", str(cfg)], check=True)
    # -db: stay in the foreground (this module supervises it); logs go to its stdout
    cluster.haproxy = _spawn(
        [binary, "-db", "-f", str(cfg)], dict(os.environ), cluster.state_dir / "haproxy.log"
    )


def _get_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)
    except (urllib.error.URLError, OSError):
        return 0


def _post_status(url: str, payload: Any) -> int:
    try:
        return post_json(url, payload)[0]
    except (urllib.error.URLError, OSError):
        return 0


def replica_ready(replica: Replica) -> bool:
    return _get_status(replica.url + READY_PATH) == 200


def _log_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


def wait_until(cluster: Cluster, ready: Any, what: str, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not ready():
        for name, proc in cluster.processes():
            if proc.poll() is not None:
                log = cluster.state_dir / f"{name}.log"
                raise RuntimeError(
                    f"{name} exited ({proc.returncode}) while waiting for {what}:\n{_log_tail(log)}"
                )
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout_s} s (logs in {cluster.state_dir})")
        time.sleep(POLL_INTERVAL_S)


def start(cluster: Cluster) -> Cluster:
    """Start every process, wait until each replica is ready and the balancer answers a message."""
    cluster.state_dir.mkdir(parents=True, exist_ok=True)
    if not cluster.model.exists():
        raise FileNotFoundError(f"{cluster.model} missing: run `make train` first")
    ensure_haproxy()
    ensure_database(cluster.settings)
    try:
        for r in cluster.replicas:
            start_actions(cluster, r)
            start_rasa(cluster, r)
        for r in cluster.replicas:
            wait_until(cluster, lambda r=r: replica_ready(r), f"replica {r.name}")
            # the first turn of an action server loads its answer readers (~1-2 s): done here,
            # straight to the replica, so no patient waits for it
            post_json(r.url + REST_PATH, {"sender": f"{PROBE_SENDER}{uuid.uuid4().hex[:8]}", "message": "hi"})
        start_haproxy(cluster)
        probe = f"{PROBE_SENDER}{uuid.uuid4().hex[:8]}"
        wait_until(
            cluster,
            lambda: _post_status(cluster.webhook, {"sender": probe, "message": "hi"}) == 200,
            "HAProxy",
        )
        forget_probes(cluster.settings)
    except BaseException:
        stop(cluster)
        raise
    return cluster


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # each process leads its own session: its group is its own
    except ProcessLookupError:
        pass


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()


def stop(cluster: Cluster) -> None:
    """Stop the balancer first (no new messages), then the replicas and their action servers."""
    for _, proc in reversed(cluster.processes()):
        stop_process(proc)


def kill_replica(cluster: Cluster, name: str) -> None:
    """kill -9 one replica's Rasa server (as a crash would), leaving its action server running."""
    proc = cluster.replica(name).rasa
    assert proc is not None
    _signal_group(proc, signal.SIGKILL)
    proc.wait()


@contextmanager
def running_cluster(
    replicas: int = 2,
    model: Path = DEFAULT_MODEL,
    extra_env: Optional[dict[str, str]] = None,
    state_dir: Optional[Path] = None,
) -> Iterator[Cluster]:
    """A stack of its own on free ports, with its own tracker database and lock prefix (both
    removed afterwards): for tests and benches, beside `make stack` and `make run`."""
    tag = uuid.uuid4().hex[:10]
    base = read_settings()
    settings = {
        **base,
        "LB_HOST": "127.0.0.1",
        "LB_PORT": str(free_port()),
        "REPLICAS": str(replicas),
        "TRACKER_DB": f"triage_test_{tag}",
        "LOCK_KEY_PREFIX": f"triagetest{tag}",
    }
    state = state_dir or Path(tempfile.mkdtemp(prefix="triage-cluster-"))
    cluster = plan(settings, state, model)
    for r in cluster.replicas:  # free ports instead of the fixed ones of `make stack`
        r.rasa_port, r.action_port = free_port(), free_port()
    cluster.extra_env = dict(extra_env or {})
    try:
        start(cluster)
        yield cluster
    finally:
        stop(cluster)
        drop_database(settings)
        clear_locks(settings)


# --- the command line (make stack / stack-stop) -------------------------------------------------
