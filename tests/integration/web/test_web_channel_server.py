"""channels.secure_socketio against a real Rasa server (the throwaway test bot).

Each test talks socket.io (python-socketio's AsyncClient, websocket transport)
or plain HTTP to the server started by the ``testbot_server`` fixture.
"""

import asyncio
import re
from pathlib import Path
from typing import Any, List, Optional

import pytest
import requests
import socketio

from channels.secure_socketio import SessionSigner
from tests.integration.web.conftest import TESTBOT_SOON_LABEL

EVIL = "http://evil.example"
REPLY_WAIT = 10.0
WIDGET_PARTS = Path(__file__).resolve().parents[3] / "web" / "widget"
QUIET_WAIT = 2.0


class Chat:
    """A socket.io client that collects ``bot_uttered`` events."""

    def __init__(self, url: str, origin: Optional[str]):
        self.url = url
        self.origin = origin
        self.sio = socketio.AsyncClient(reconnection=False)
        self.messages: List[Any] = []
        self.confirms: asyncio.Queue = asyncio.Queue()
        self._new = asyncio.Event()
        self.sio.on("bot_uttered", self._on_bot)
        self.sio.on("session_confirm", self._on_confirm)

    async def _on_bot(self, data: Any) -> None:
        self.messages.append(data)
        self._new.set()

    async def _on_confirm(self, data: Any) -> None:
        await self.confirms.put(data)

    async def connect(self) -> "Chat":
        headers = {"Origin": self.origin} if self.origin else {}
        await self.sio.connect(self.url, headers=headers, transports=["websocket"], wait_timeout=5)
        return self

    async def session(self, session_id: Any = None) -> str:
        await self.sio.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirms.get(), REPLY_WAIT)

    async def say(self, text: str, session_id: Any = None) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": session_id})

    async def wait_for(self, pred, timeout: float = REPLY_WAIT) -> Any:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            for m in self.messages:
                if pred(m):
                    return m
            left = end - loop.time()
            if left <= 0:
                raise AssertionError(f"no matching bot message; got {self.messages!r}")
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


def text_has(s: str):
    return lambda m: isinstance(m, dict) and s in (m.get("text") or "")


def tracker_texts(server, sender_id: str) -> List[str]:
    r = requests.get(
        f"{server.url}/conversations/{sender_id}/tracker",
        params={"token": server.api_token},
        timeout=10,
    )
    r.raise_for_status()
    return [e.get("text") for e in r.json()["events"] if e.get("event") == "user"]


def run(coro):
    return asyncio.run(coro)


# ------------------------------------------------------------------ origin
def test_foreign_origin_is_refused_on_polling_handshake(testbot_server):
    url = f"{testbot_server.url}/socket.io/?EIO=4&transport=polling"
    bad = requests.get(url, headers={"Origin": EVIL}, timeout=10)
    assert bad.status_code == 400
    assert "sid" not in bad.text
    good = requests.get(url, headers={"Origin": testbot_server.origin}, timeout=10)
    assert good.status_code == 200
    assert '"sid"' in good.text
    assert good.headers.get("Access-Control-Allow-Origin") == testbot_server.origin


@pytest.mark.parametrize(
    "origin",
    [EVIL, "http://localhost:5005.evil.example", "null", "http://127.0.0.1:1"],
)
def test_foreign_origin_is_refused_on_websocket(testbot_server, origin):
    async def go():
        chat = Chat(testbot_server.url, origin)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await chat.connect()
        await chat.close()

    run(go())


def test_allowed_origins_connect_and_chat(testbot_server):
    async def go():
        for origin in (f"http://localhost:{testbot_server.port}", testbot_server.origin):
            chat = await Chat(testbot_server.url, origin).connect()
            token = await chat.session()
            await chat.say("hi", token)
            m = await chat.wait_for(text_has("bladder"))
            assert [b["title"] for b in m["quick_replies"]] == ["Yes", "No"]
            await chat.close()

    run(go())


# ------------------------------------------------------------------ sessions
def test_session_id_is_issued_and_signed_by_the_server(testbot_server):
    async def go():
        chat = await Chat(testbot_server.url, testbot_server.origin).connect()
        client_choice = "0123456789abcdef0123456789abcdef"
        token = await chat.session(client_choice)
        await chat.close()
        return token

    token = run(go())
    session_id = SessionSigner(testbot_server.secret).verify(token)
    assert session_id is not None, token
    assert session_id != "0123456789abcdef0123456789abcdef"
    assert SessionSigner("another-secret-" * 3).verify(token) is None


def test_signed_id_round_trips_and_keeps_the_conversation(testbot_server):
    async def go():
        a = await Chat(testbot_server.url, testbot_server.origin).connect()
        token = await a.session()
        await a.say("hi", token)
        await a.wait_for(text_has("bladder"))
        await a.close()

        # reconnect (new socket) with the signed id: same session
        a2 = await Chat(testbot_server.url, testbot_server.origin).connect()
        again = await a2.session(token)
        assert again == token
        await a2.say('/deny{"answer_to":"bladder_bowel"}', again)
        card = await a2.wait_for(lambda m: "custom" in m)
        await a2.close()
        return token, card, a2.messages

    token, card, messages = run(go())
    assert card["custom"]["triage"]["level"] == "routine"
    headline = messages[messages.index(card) - 1]
    assert "routine care" in headline["text"]
    session_id = SessionSigner(testbot_server.secret).verify(token)
    texts = tracker_texts(testbot_server, session_id)
    assert texts[:2] == ["hi", '/deny{"answer_to":"bladder_bowel"}'], texts


def test_forged_or_guessed_session_ids_get_nothing_of_another_session(testbot_server):
    signer = SessionSigner(testbot_server.secret)
    forger = SessionSigner("attacker-chosen-secret-" * 2)

    async def go():
        victim = await Chat(testbot_server.url, testbot_server.origin).connect()
        v_token = await victim.session()
        v_id = signer.verify(v_token)
        await victim.say("hi", v_token)
        await victim.wait_for(text_has("bladder"))
        seen_by_victim = len(victim.messages)

        sid_part, ts, mac = v_token.split(".")
        forged = [
            v_id,  # the bare (guessed / leaked) id
            f"{sid_part}.{ts}.{mac[:-2]}AA",  # tampered signature
            f"{sid_part}.{int(ts) + 1}.{mac}",  # tampered timestamp
            forger.issue(v_id),  # signed with another secret
            f"{v_id}.{ts}",  # missing signature
            {"session_id": v_token},  # wrong type
        ]
        attacker_ids = set()
        for i, fake in enumerate(forged):
            attacker = await Chat(testbot_server.url, testbot_server.origin).connect()
            a_token = await attacker.session(fake)
            a_id = signer.verify(a_token)
            assert a_id is not None and a_id != v_id, (fake, a_token)
            attacker_ids.add(a_id)
            # even with the victim's id in the message, the reply goes to the attacker's session
            await attacker.say(f"attacker message {i}", v_id)
            await attacker.wait_for(text_has(f"You said: attacker message {i}"))
            assert not any("bladder" in (m.get("text") or "") for m in attacker.messages)
            await attacker.close()
        assert len(attacker_ids) == len(forged)

        # a socket that never asked for a session cannot post into the victim's one
        sneaky = await Chat(testbot_server.url, testbot_server.origin).connect()
        await sneaky.say("sneaky message", v_id)
        await sneaky.say("sneaky message 2", forged[1])
        await asyncio.sleep(QUIET_WAIT)
        assert sneaky.messages == []
        await sneaky.close()

        # the victim got nothing of the attackers' turns
        await asyncio.sleep(0.5)
        assert len(victim.messages) == seen_by_victim, victim.messages
        await victim.close()
        return v_id, attacker_ids

    v_id, attacker_ids = run(go())
    assert tracker_texts(testbot_server, v_id) == ["hi"]
    for a_id in attacker_ids:
        assert all(not t.startswith("sneaky") for t in tracker_texts(testbot_server, a_id))


def test_text_comes_as_a_plain_message_and_the_payload_right_after_it(testbot_server):
    """As stock Rasa: any socket.io client (rasa-webchat) shows the text, whatever it does with
    the payload."""

    async def go():
        chat = await Chat(testbot_server.url, testbot_server.origin).connect()
        token = await chat.session()
        await chat.say("hi", token)  # the question with its buttons: a payload counts only then
        await chat.wait_for(lambda m: "quick_replies" in m or "buttons" in m)
        await chat.say('/affirm{"answer_to":"bladder_bowel"}', token)
        m = await chat.wait_for(lambda m: "custom" in m)
        await chat.say("summary", token)
        s = await chat.wait_for(lambda m: "summary" in (m.get("custom") or {}))
        await chat.close()
        return m, s, chat.messages

    m, s, messages = run(go())
    assert m == {
        "custom": {"triage": {"level": "emergency", "rules": ["E1"], "facts": {"bladder_bowel": True}}}
    }
    assert messages[messages.index(m) - 1]["text"].startswith("This could be serious")
    assert s["custom"]["summary"]["location"] == "lower back"
    assert not any("text" in x and "custom" in x for x in messages)


def test_a_client_disconnect_logs_no_error(testbot_server):
    """A patient closing the tab is normal: the server log must not fill with ERROR tracebacks
    (python-engineio's Sanic route used to end every websocket with one)."""
    before = testbot_server.log.stat().st_size

    async def go():
        for transports in (["websocket"], ["polling"]):
            chat = Chat(testbot_server.url, testbot_server.origin)
            headers = {"Origin": chat.origin}
            await chat.sio.connect(chat.url, headers=headers, transports=transports, wait_timeout=5)
            await chat.session()
            await chat.say("hi")
            await chat.wait_for(lambda m: "text" in m)
            await chat.close()
        await asyncio.sleep(QUIET_WAIT)  # the server notices the close and ends the request

    run(go())
    with open(testbot_server.log, "rb") as fh:
        fh.seek(before)
        added = fh.read().decode("utf-8", "replace")
    assert "ERROR" not in added and "Traceback" not in added, added[-3000:]


def test_a_new_session_gets_the_widget_labels_first(testbot_server):
    """The widget renders the words the server sends (content, not code), before any message."""
    got: List[Any] = []

    async def go():
        chat = Chat(testbot_server.url, testbot_server.origin)
        chat.sio.on("widget_labels", lambda data: got.append(("labels", data)))
        chat.sio.on("session_confirm", lambda data: got.append(("confirm", data)))
        await chat.connect()
        await chat.sio.emit("session_request", {"session_id": None})
        for _ in range(int(REPLY_WAIT * 10)):
            if len(got) == 2:
                break
            await asyncio.sleep(0.1)
        await chat.close()

    run(go())
    assert [kind for kind, _ in got] == ["labels", "confirm"]
    labels = got[0][1]
    assert labels["levels"]["soon"] == TESTBOT_SOON_LABEL
    assert labels["summary"]["heading"] and labels["summary"]["lists"]["unknown"]


# ------------------------------------------------------------------ static web
def test_demo_page_and_widget_files_are_served(testbot_server):
    base = testbot_server.url
    page = requests.get(base + "/", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'src="/web/widget.js"' in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # non-browser clients still get Rasa's health text
    assert requests.get(base + "/", timeout=10).text.startswith("Hello from Rasa")
    js = requests.get(base + "/web/widget.js", timeout=10)
    assert js.status_code == 200 and "javascript" in js.headers["Content-Type"]
    # widget.js loads the widget's parts from web/widget/: every one it names is there and served
    parts = re.findall(r"'([a-z]+\.js)'", js.text.split("var PARTS = [", 1)[1].split("];", 1)[0])
    assert sorted(parts) == sorted(f.name for f in WIDGET_PARTS.glob("*.js")), parts
    for part in parts:
        r = requests.get(f"{base}/web/widget/{part}", timeout=10)
        assert r.status_code == 200 and "javascript" in r.headers["Content-Type"], part
    assert requests.get(base + "/web/vendor/socket.io.min.js", timeout=10).status_code == 200
    assert requests.get(base + "/web/widget.css", timeout=10).headers["Content-Type"].startswith("text/css")
    for bad in (
        "/web/../channels/secure_socketio.py",
        "/web/%2e%2e/channels/secure_socketio.py",
        "/web/nope.js",
    ):
        r = requests.get(base + bad, timeout=10)
        assert r.status_code == 404, (bad, r.status_code)
        assert "SessionSigner" not in r.text
