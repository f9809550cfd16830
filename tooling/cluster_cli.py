"""`make stack` / `make stack-stop` / status: start the production stack in the background and
record its processes (build/stack/pids.json), stop exactly those, or say which still run.

    python -m tooling.cluster_cli start | stop | status
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Optional, cast

from tooling.cluster import (
    PIDS_FILE,
    POLL_INTERVAL_S,
    REST_PATH,
    STATE_DIR,
    STOP_GRACE_S,
    Cluster,
    plan,
    start,
)
from tooling.settings import read_settings


def _record(cluster: Cluster) -> None:
    entries = [
        {"name": name, "pid": proc.pid, "args": [str(a) for a in cast(list[Any], proc.args)]}
        for name, proc in cluster.processes()
    ]
    (cluster.state_dir / PIDS_FILE).write_text(
        json.dumps({"lb_url": cluster.lb_url, "processes": entries}, indent=1)
    )


def _recorded(state_dir: Path) -> list[dict[str, Any]]:
    path = state_dir / PIDS_FILE
    if not path.exists():
        return []
    return list(json.loads(path.read_text())["processes"])


def _alive_as_recorded(entry: dict[str, Any]) -> bool:
    """The recorded pid is still the process we started (not a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{entry['pid']}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return bool([c.decode(errors="replace") for c in cmdline if c] == entry["args"])


def cli_stop(state_dir: Path = STATE_DIR) -> int:
    entries = [e for e in _recorded(state_dir) if _alive_as_recorded(e)]
    for entry in reversed(entries):
        try:
            os.killpg(entry["pid"], signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + STOP_GRACE_S
        while _alive_as_recorded(entry) and time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL_S)
        if _alive_as_recorded(entry):
            os.killpg(entry["pid"], signal.SIGKILL)
        print(f"  stopped {entry['name']} (pid {entry['pid']})")
    (state_dir / PIDS_FILE).unlink(missing_ok=True)
    if not entries:
        print("  no stack running (nothing recorded in build/stack/pids.json)")
    return 0


def cli_start(settings: dict[str, str], state_dir: Path = STATE_DIR) -> int:
    if any(_alive_as_recorded(e) for e in _recorded(state_dir)):
        print("  a stack is already running: `make stack-stop` first", file=sys.stderr)
        return 1
    cluster = plan(settings, state_dir)
    started = time.perf_counter()
    start(cluster)
    _record(cluster)
    s = settings
    print(
        f"""
  Production stack up in {time.perf_counter() - started:.0f} s
  --------------------------------------------------------
  HAProxy:  {cluster.lb_url}   (REST: POST {REST_PATH}; widget: {cluster.lb_url}/)
  replicas: {", ".join(f"{r.name} :{r.rasa_port} (actions :{r.action_port})" for r in cluster.replicas)}
  tracker:  postgresql://{s["TRACKER_DB_USER"]}@{s["TRACKER_DB_HOST"]}:{s["TRACKER_DB_PORT"]}/{s["TRACKER_DB"]}
  locks:    redis://{s["LOCK_REDIS_HOST"]}:{s["LOCK_REDIS_PORT"]}/{s["LOCK_REDIS_DB"]}
  logs:     {state_dir}/
  e.g.      curl -s {cluster.webhook} -d '{{"sender":"me","message":"hi"}}'
  Stop:     make stack-stop
"""
    )
    return 0


def cli_status(state_dir: Path = STATE_DIR) -> int:
    entries = _recorded(state_dir)
    if not entries:
        print("  no stack recorded")
        return 1
    for e in entries:
        print(f"  {e['name']:<16} pid {e['pid']:<8} {'running' if _alive_as_recorded(e) else 'GONE'}")
    return 0 if all(_alive_as_recorded(e) for e in entries) else 1


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("command", choices=["start", "stop", "status"])
    args = ap.parse_args(argv)
    if args.command == "start":
        return cli_start(read_settings())
    if args.command == "stop":
        return cli_stop()
    return cli_status()


if __name__ == "__main__":
    sys.exit(main())
