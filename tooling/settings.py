"""deploy/stack.env: the stack's named numbers (ports, stores, timeouts), one KEY=VALUE a line.

Read by tooling/cluster.py (`make stack`), tooling/stack.py (tests, benches) and scripts/run.sh
(`make run`), so a number such as the action server's keep-alive has one home. A variable set in
the environment wins over the file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "deploy" / "stack.env"


def read_settings(path: Path = SETTINGS_FILE, environ: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """The file as a dict (KEY=VALUE lines, # comments), each value overridden by the environment."""
    environ = os.environ if environ is None else environ
    settings: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}: not KEY=VALUE: {raw!r}")
        settings[key.strip()] = value.strip()
    return {key: environ.get(key, value) for key, value in settings.items()}


def action_server_env(settings: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """What every action server is started with, wherever it runs (make run, make stack, tests)."""
    s = read_settings() if settings is None else settings
    return {
        "SANIC_HOST": "127.0.0.1",  # the action server has no auth: never exposed
        # Sanic reads SANIC_* at start-up; its default keep-alive is 5 s (reason in stack.env)
        "SANIC_KEEP_ALIVE_TIMEOUT": s["ACTION_KEEP_ALIVE_S"],
    }
