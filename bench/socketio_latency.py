"""Latency of the secure socket.io channel, measured from a local client.

    .venv/bin/python bench/socketio_latency.py --url http://127.0.0.1:5005 --message hi -n 20

For each of ``-n`` sequential sessions (bounded, loopback only): connect over
websocket with an allowed Origin, ``session_request`` -> ``session_confirm``,
send ``--message``, wait for the first ``bot_uttered``. Prints median / p95 /
max in milliseconds for the handshake and the first reply.
"""

import argparse
import asyncio
import statistics
import sys
import time
from urllib.parse import urlparse

import socketio

MAX_SESSIONS = 500
TIMEOUT_S = 15.0


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


async def one(url: str, origin: str, message: str):
    sio = socketio.AsyncClient(reconnection=False)
    confirm: asyncio.Future = asyncio.get_running_loop().create_future()
    reply: asyncio.Future = asyncio.get_running_loop().create_future()
    sio.on("session_confirm", lambda d: confirm.done() or confirm.set_result(d))
    sio.on("bot_uttered", lambda d: reply.done() or reply.set_result(d))
    t0 = time.perf_counter()
    await sio.connect(url, headers={"Origin": origin}, transports=["websocket"], wait_timeout=5)
    await sio.emit("session_request", {"session_id": None})
    token = await asyncio.wait_for(confirm, TIMEOUT_S)
    t1 = time.perf_counter()
    await sio.emit("user_uttered", {"message": message, "session_id": token})
    await asyncio.wait_for(reply, TIMEOUT_S)
    t2 = time.perf_counter()
    await sio.disconnect()
    return (t1 - t0) * 1000, (t2 - t1) * 1000


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:5005")
    ap.add_argument("--origin", default=None, help="Origin header (default: the URL's origin)")
    ap.add_argument("--message", default="hi")
    ap.add_argument("-n", type=int, default=20)
    args = ap.parse_args()
    host = urlparse(args.url).hostname or ""
    if not (host in ("localhost", "::1") or host.startswith("127.")):
        print("refusing: benchmark only loopback servers", file=sys.stderr)
        return 2
    n = max(1, min(args.n, MAX_SESSIONS))
    origin = args.origin or args.url.rstrip("/")
    hs, rp = [], []
    for _ in range(n):
        h, r = await one(args.url, origin, args.message)
        hs.append(h)
        rp.append(r)
    for name, v in (("handshake+session", hs), ("first reply", rp)):
        print(
            f"{name:18s} n={len(v)} median={statistics.median(v):.1f}ms "
            f"p95={pct(v, 95):.1f}ms max={max(v):.1f}ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
