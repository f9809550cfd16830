"""Keep-alive between Rasa and the action server: the server never closes a connection a client
is about to reuse (deploy/stack.env, ACTION_KEEP_ALIVE_S).

Sanic closes a connection idle for 5 s by default; a client that pools connections and reuses one
just as the server closes it gets a failed request. Rasa 3.6.21 opened a new connection for every
action call; our speed fixes (channels/speedups.py) keep one session per endpoint and reuse its
connections (checked below), so what keeps a reused connection alive is that the action server
waits longer than a pooling aiohttp client keeps an idle connection (checked on a real action
server).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from collections.abc import Iterator

import aiohttp
import pytest
from rasa.utils.endpoints import EndpointConfig

from tooling.settings import action_server_env, read_settings
from tooling.stack import ROOT, VENV_BIN, free_port

ACTION_START_TIMEOUT_S = 60  # the SDK alone starts in ~2 s; a cold disk on a busy machine, more


async def _aiohttp_idle_reuse_s() -> float:
    connector = aiohttp.TCPConnector()  # the default a pooling client (and Rasa's session) gets
    try:
        return float(connector._keepalive_timeout)  # type: ignore[attr-defined]
    finally:
        await connector.close()


def test_the_action_server_outwaits_a_pooling_client() -> None:
    assert float(read_settings()["ACTION_KEEP_ALIVE_S"]) > asyncio.run(_aiohttp_idle_reuse_s())


def test_rasa_reuses_one_connection_for_its_action_calls() -> None:
    """With the speed fixes, Rasa's action client (EndpointConfig.request) keeps its session: one
    connection for several calls; and a connection the server closed is replaced, not failed."""
    from channels import speedups

    speedups.apply()
    connections = 0
    response = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    closing = response.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    close_after_first = False

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:  # answer every request on this connection, as a keep-alive server does
                head = await reader.readuntil(b"\r\n\r\n")
                lengths = [
                    int(h.split(b":")[1])
                    for h in head.lower().split(b"\r\n")
                    if h.startswith(b"content-length")
                ]
                await reader.readexactly(lengths[0] if lengths else 0)
                writer.write(closing if close_after_first else response)
                await writer.drain()
                if close_after_first:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        finally:
            writer.close()

    async def scenario() -> None:
        nonlocal close_after_first
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "action_turn"}, method="post") == {}
        assert connections == 1, f"Rasa opened {connections} connections for 3 calls"
        close_after_first = True  # the server now closes each connection after its answer
        for _ in range(2):
            assert await endpoint.request(json={"next_action": "action_turn"}, method="post") == {}
        await asyncio.sleep(0.1)
        server.close()
        await server.wait_closed()

    asyncio.run(scenario())


def _http_get(sock: socket.socket, path: str) -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode())
    return sock.recv(4096)


@pytest.fixture(scope="module")
def action_server() -> Iterator[tuple[int, subprocess.Popen]]:
    port = free_port()
    proc = subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **action_server_env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + ACTION_START_TIMEOUT_S
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None, "the action server exited"
            assert time.monotonic() < deadline, "the action server did not start"
            time.sleep(0.2)
    yield port, proc
    proc.terminate()
    proc.wait(timeout=15)


def test_an_idle_connection_is_still_open_when_a_pooling_client_reuses_it(
    action_server: tuple[int, subprocess.Popen],
) -> None:
    port, _ = action_server
    idle_s = asyncio.run(_aiohttp_idle_reuse_s())  # the longest a pooling client waits to reuse
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        assert _http_get(sock, "/health").startswith(b"HTTP/1.1 200")
        time.sleep(idle_s)
        assert _http_get(sock, "/health").startswith(b"HTTP/1.1 200"), "the action server closed it"
