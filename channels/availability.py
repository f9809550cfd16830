"""Could this server answer the message it just handled? (The REST channel's 503 and readiness.)

Rasa 3.6 swallows a failed custom action: the processor logs "Encountered an exception while
running action 'action_turn'. Bot will continue, but the actions events are lost" and carries on,
so its REST channel answers 200 with an empty list, which a client cannot tell from a reply with
nothing in it. Every reply of this assistant comes from action_turn, so a failed action means the
patient got no answer: the channel says 503 instead (channels/rest.py).

`track_turn()` opens a record for one message; `RemoteAction.run`, wrapped by `apply()`, notes a
failure in it. The record is a context variable: it follows the message through Rasa's awaits,
and messages handled at the same time each have their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Optional

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# The action server answers /health in ~1 ms when idle, but it answers it on the same event loop
# that runs the patients' turns (and its very first turn loads the answer readers, ~1-2 s): a
# server that is busy is alive, and must not be taken out of the balancer. One that is down
# refuses the connection at once, whatever this is. deploy/haproxy.cfg waits 4 s for the check.
HEALTH_TIMEOUT_S = 3.0
# The action server's liveness route (rasa_sdk.endpoint), beside its /webhook.
HEALTH_PATH = "/health"

_failures: ContextVar[Optional[list[str]]] = ContextVar("triage_turn_failures", default=None)
_WRAPPED_MARK = "_triage_notes_failures"


@contextmanager
def track_turn() -> Iterator[list[str]]:
    """Collect what failed while one message is handled (empty: the server answered)."""
    failures: list[str] = []
    token = _failures.set(failures)
    try:
        yield failures
    finally:
        _failures.reset(token)


def note_failure(what: str) -> None:
    """Record a failure for the message being handled (no-op outside `track_turn`)."""
    failures = _failures.get()
    if failures is not None:
        failures.append(what)


def apply() -> None:
    """Wrap RemoteAction.run so that a failed custom action is noted (idempotent)."""
    original = RemoteAction.run
    if getattr(original, _WRAPPED_MARK, False):
        return

    async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
        try:
            return await original(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise  # Rasa predicts another action: a rejection is not a failure to answer
        except Exception as e:
            note_failure(f"custom action {self.name()!r} failed: {type(e).__name__}")  # never the message
            raise

    setattr(run, _WRAPPED_MARK, True)
    # setattr: a method replaced on the class, which mypy would flag where Rasa's types are known.
    setattr(RemoteAction, "run", run)  # noqa: B010


def health_url(action_endpoint: EndpointConfig) -> Optional[str]:
    """The action server's /health URL, from its webhook URL (http://host:port/webhook)."""
    url = (action_endpoint.url or "").rstrip("/")
    if not url:
        return None
    base = url.removesuffix("/webhook")
    return base + HEALTH_PATH


async def action_server_ready(action_endpoint: Optional[EndpointConfig]) -> bool:
    """True when the action server answers its /health with 200 within HEALTH_TIMEOUT_S."""
    url = health_url(action_endpoint) if action_endpoint is not None else None
    if url is None:
        return False
    try:
        timeout = aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as resp:
            return resp.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as e:
        logger.info(f"action server not ready at {url}: {e!r}")
        return False
