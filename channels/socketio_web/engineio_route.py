"""Mount the socket.io server on the Sanic app so that a client's disconnect ends quietly.

python-engineio's Sanic driver registers its request handler as a plain HTTP route. When a
websocket closes, that handler returns None (the connection was the response), and Sanic 21.12
logs "Invalid response type None (need HTTPResponse)" with an ERROR traceback for every normal
disconnect, unless the handler carries Sanic's own ``is_websocket`` mark, the one Sanic sets on the
routes it upgrades itself (sanic/app.py, ``handle_request``). Marking a thin wrapper keeps polling
requests (which return a response) unchanged and makes the websocket's end a normal one.
"""

from __future__ import annotations

import inspect
from typing import Any, Optional

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

# The attribute Sanic checks before it complains that a route returned no response.
SANIC_WEBSOCKET_MARK = "is_websocket"
ENGINEIO_METHODS = ["GET", "POST", "OPTIONS"]  # as python-engineio's own Sanic route


async def maybe_await(value: Any) -> Any:
    """Await ``value`` if it is awaitable (python-socketio >= 5.10 made
    ``AsyncServer.enter_room``/``leave_room`` coroutines; 5.9 returns None)."""
    if inspect.isawaitable(value):
        return await value
    return value


def attach(app: Sanic, sio: AsyncServer, socketio_path: str, route_name: str) -> None:
    """What ``sio.attach(app, socketio_path)`` does, with the handler marked as a websocket."""

    async def engineio_endpoint(request: Request) -> Optional[HTTPResponse]:
        result: Optional[HTTPResponse] = await sio.handle_request(request)
        return result

    setattr(engineio_endpoint, SANIC_WEBSOCKET_MARK, True)
    app.add_route(
        engineio_endpoint,
        f"/{socketio_path.strip('/')}/",
        methods=ENGINEIO_METHODS,
        name=route_name,
    )
    app.enable_websocket()  # type: ignore[no-untyped-call]  # unannotated in sanic 21.12 (Rasa's pin)
