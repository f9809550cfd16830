"""Failover through the production stack (tooling/cluster.py, deploy/): HAProxy in front of two
Rasa replicas, conversations in PostgreSQL, locks in Redis.

The stack is the test's own (free ports, its own tracker database and lock prefix, removed
afterwards), so it runs beside `make stack`, `make run` and CI's other tests. HAProxy is installed
by `make test` (make haproxy) or, when missing, by the fixture itself: nothing is skipped.
The tests run in file order on one stack: each leaves it as the next one expects.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

import pytest
import socketio

from bench.simulated_patients import RECORDED_ON
from nlp.dates import TODAY_ENV
from tests.conftest import Chat
from tooling.cluster import (
    REPLICA_HEADER,
    Cluster,
    ensure_haproxy,
    replica_ready,
    running_cluster,
    start_actions,
    start_rasa,
)

# The brief: the patient's next message is answered within 5 s by the other replica.
FAILOVER_DEADLINE_S = 5.0
# HAProxy brings a replica back after 2 good checks 1 s apart (deploy/haproxy.cfg): 3 s is enough.
BACK_IN_ROTATION_S = 3.0
REQUEST_TIMEOUT_S = 30
# A replica started again loads its model in ~10-30 s on the 2-core machine.
START_AGAIN_TIMEOUT_S = 120
# The patient's message has reached the replica (and it holds the lock) well within a second.
HANG_BEFORE_KILL_S = 1.0
OPENING = "my back has hurt for 3 weeks and it wakes me at night, I'm 40"
# socket.io: how long to wait for the server's confirmation or first reply.
SOCKET_WAIT_S = 15.0
# Enough senders that both replicas get some (the chance that 12 all hash to one is 1 in 2,048).
STICKY_SENDERS = 12


class Balancer:
    """Talks to HAProxy as a REST client; a Stack look-alike for tests.conftest.Chat."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.status = 0
        self.replica: Optional[str] = None
        self.seconds = 0.0
        self.headers: Any = {}  # the response's headers (case-insensitive)
        self.body = b""

    def post(self, sender: str, message: str) -> int:
        req = urllib.request.Request(
            self.cluster.webhook,
            data=json.dumps({"sender": sender, "message": message}).encode(),
            headers={"Content-Type": "application/json"},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as resp:
                self.status, self.headers, self.body = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            self.status, self.headers, self.body = err.code, err.headers, err.read()
        self.seconds = time.perf_counter() - started
        self.replica = self.headers.get(REPLICA_HEADER)
        return self.status

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        if self.post(sender, message) != 200:
            raise AssertionError(f"HAProxy answered {self.status}: {self.body[:200]!r}")
        replies: list[dict[str, Any]] = json.loads(self.body)
        return replies


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    ensure_haproxy()
    with running_cluster(replicas=2, extra_env={TODAY_ENV: RECORDED_ON}) as c:
        yield c


def _sender(tag: str) -> str:
    return f"failover-{tag}-{uuid.uuid4().hex[:8]}"


def _other(cluster: Cluster, name: Optional[str]) -> str:
    return next(r.name for r in cluster.replicas if r.name != name)


def _kill(proc: Any) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # kill -9 (each server leads its own process group)
    proc.wait()


def _reference(cluster: Cluster) -> tuple[list[str], dict[str, Any]]:
    """The questions and final facts of the scripted conversation when nothing fails."""
    chat = Chat(Balancer(cluster), _sender("reference"))  # type: ignore[arg-type]
    chat.start(OPENING)
    triage = chat.answer_until_outcome({})
    return chat.asked, triage["facts"]


def test_each_patient_sticks_to_one_replica(cluster: Cluster) -> None:
    lb, served_by = Balancer(cluster), {}
    for i in range(STICKY_SENDERS):
        sender = _sender(f"sticky{i}")
        replicas = set()
        for message in ("hi", "yes"):
            assert lb.post(sender, message) == 200
            replicas.add(lb.replica)
        assert len(replicas) == 1, f"{sender} was answered by {replicas}"
        served_by[sender] = replicas.pop()
    assert set(served_by.values()) == {r.name for r in cluster.replicas}


class WidgetClient:
    """The web widget's side of socket.io: session_request, user_uttered, bot_uttered."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.texts: asyncio.Queue[str] = asyncio.Queue()
        self.confirms: asyncio.Queue[str] = asyncio.Queue()
        self.sio.on("bot_uttered", lambda data: self.texts.put_nowait(str(data.get("text") or "")))
        self.sio.on("session_confirm", lambda token: self.confirms.put_nowait(str(token)))

    async def open(self, url: str, origin: str, transport: str, token: Optional[str] = None) -> str:
        await self.sio.connect(url, headers={"Origin": origin}, transports=[transport], wait_timeout=5)
        await self.sio.emit("session_request", {"session_id": token})
        return await asyncio.wait_for(self.confirms.get(), SOCKET_WAIT_S)

    async def say(self, text: str, token: str) -> str:
        await self.sio.emit("user_uttered", {"message": text, "session_id": token})
        return await asyncio.wait_for(self.texts.get(), SOCKET_WAIT_S)

    def replica_cookie(self) -> Optional[str]:
        jar = self.sio.eio.http.cookie_jar if self.sio.eio.http else []
        return next((c.value for c in jar if c.key == "triage_replica"), None)


def test_the_widget_sticks_to_a_replica_and_its_session_resumes_on_another(cluster: Cluster) -> None:
    """socket.io polling only works when every request of an engine.io session reaches the replica
    holding it (HAProxy's cookie); the conversation then follows the signed token anywhere."""
    # "localhost", not an IP: aiohttp keeps cookies only for host names; an allowed origin
    lb = f"http://localhost:{cluster.settings['LB_PORT']}"

    async def scenario() -> None:
        widget = WidgetClient()
        token = await widget.open(lb, lb, "polling")
        assert (await widget.say("hi", token)).startswith("Hello.")
        first = widget.replica_cookie()
        await widget.sio.disconnect()
        assert first in {r.name for r in cluster.replicas}

        other = cluster.replica(_other(cluster, first))
        again = WidgetClient()  # straight to the other replica, over websocket, with the token
        assert await again.open(other.url, lb, "websocket", token) == token
        assert (await again.say("yes", token)).startswith("Thank you.")  # it knows the consent question
        await again.sio.disconnect()

    asyncio.run(scenario())


def test_a_replica_whose_action_server_dies_is_passed_over(cluster: Cluster) -> None:
    asked, facts = _reference(cluster)
    lb = Balancer(cluster)
    chat = Chat(lb, _sender("actions"))  # type: ignore[arg-type]
    chat.start(OPENING)
    chat.say("no")
    assert chat.asked == asked[:2]
    serving = cluster.replica(lb.replica or "")
    assert serving.actions is not None
    _kill(serving.actions)

    chat.say("no")  # rasa answers 503, HAProxy tries the other replica: the patient gets 200
    assert lb.replica == _other(cluster, serving.name)
    assert chat.asked == asked[:3], "the questions did not carry on where they were"

    start_actions(cluster, serving)  # the action server comes back, and so does the replica
    deadline = time.monotonic() + 60
    while not replica_ready(serving):
        assert time.monotonic() < deadline, "the replica did not become ready again"
        time.sleep(0.2)
    time.sleep(BACK_IN_ROTATION_S)
    assert chat.answer_until_outcome({})["facts"] == facts
    assert chat.asked == asked


def test_a_replica_killed_mid_triage_is_replaced_within_5_s_and_no_fact_is_lost(cluster: Cluster) -> None:
    asked, facts = _reference(cluster)
    lb = Balancer(cluster)
    chat = Chat(lb, _sender("killed"))  # type: ignore[arg-type]
    chat.start(OPENING)
    for _ in range(3):
        chat.say("no")
    assert chat.asked == asked[:4]
    serving = cluster.replica(lb.replica or "")
    assert serving.rasa is not None and serving.actions is not None
    _kill(serving.rasa)  # the replica serving this patient crashes between two messages
    _kill(serving.actions)

    chat.say("no")
    assert lb.seconds < FAILOVER_DEADLINE_S, f"answered after {lb.seconds:.1f} s"
    assert lb.replica == _other(cluster, serving.name)
    assert chat.asked == asked[:5], "the questions did not carry on where they were"
    assert chat.answer_until_outcome({})["facts"] == facts
    assert chat.asked == asked


def test_a_replica_killed_while_answering_leaves_a_lock_that_expires(cluster: Cluster) -> None:
    """The dead replica held the patient's lock: HAProxy sends the message on (no answer came),
    and the other replica answers once the lock expires (TICKET_LOCK_LIFETIME, deploy/stack.env)."""
    dead = next(r for r in cluster.replicas if r.rasa is not None and r.rasa.poll() is not None)
    start_actions(cluster, dead)  # the crashed replica comes back first, and rejoins
    start_rasa(cluster, dead)
    deadline = time.monotonic() + START_AGAIN_TIMEOUT_S
    while not replica_ready(dead):
        assert time.monotonic() < deadline, "the replica did not start again"
        time.sleep(0.2)
    time.sleep(BACK_IN_ROTATION_S)

    asked, facts = _reference(cluster)
    lb = Balancer(cluster)
    chat = Chat(lb, _sender("midturn"))  # type: ignore[arg-type]
    chat.start(OPENING)
    chat.say("no")
    serving = cluster.replica(lb.replica or "")
    assert serving.rasa is not None and serving.actions is not None
    os.killpg(serving.actions.pid, signal.SIGSTOP)  # the turn hangs in the action call, lock held
    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(chat.say, "no")
        time.sleep(HANG_BEFORE_KILL_S)
        _kill(serving.rasa)  # crashes in the middle of the patient's turn
        _kill(serving.actions)
        answer.result(timeout=REQUEST_TIMEOUT_S)
    lock_s = float(cluster.settings["TICKET_LOCK_LIFETIME"])
    assert lb.replica == _other(cluster, serving.name)
    assert (
        lb.seconds < HANG_BEFORE_KILL_S + lock_s + FAILOVER_DEADLINE_S
    ), f"answered after {lb.seconds:.1f} s"
    assert chat.asked == asked[:3], "the questions did not carry on where they were"
    assert chat.answer_until_outcome({})["facts"] == facts


def test_when_no_replica_can_answer_the_answer_is_503_never_an_empty_200(cluster: Cluster) -> None:
    survivor = next(r for r in cluster.replicas if r.rasa is not None and r.rasa.poll() is None)
    lb, sender = Balancer(cluster), _sender("down")
    assert lb.post(sender, "hi") == 200 and lb.replica == survivor.name
    assert survivor.actions is not None
    _kill(survivor.actions)

    assert lb.post(sender, "yes") == 503  # the only replica up cannot run the patient's turn
    assert lb.headers.get("Retry-After") == "2" and "send it again" in json.loads(lb.body)["error"]

    assert survivor.rasa is not None
    _kill(survivor.rasa)
    assert lb.post(sender, "yes") == 503  # no replica at all: HAProxy's own answer
    assert lb.seconds < FAILOVER_DEADLINE_S
    assert lb.headers.get("Retry-After") == "2" and "send it again" in json.loads(lb.body)["error"]
