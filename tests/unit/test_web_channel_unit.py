"""Unit tests of channels.secure_socketio (no server)."""

import asyncio
from typing import Any, Dict, List

import pytest
import yaml

from channels.secure_socketio import (
    SecureSocketIOInput,
    SecureSocketIOOutput,
    SessionSigner,
    default_origins,
    maybe_await,
    normalise_origins,
)
from channels.socketio_web.labels import load_labels

SECRET = "unit-test-secret-0123456789abcdef0123456789"


# ------------------------------------------------------------------ signer
def test_token_round_trip_and_tampering():
    s = SessionSigner(SECRET)
    token = s.issue()
    sid = s.verify(token)
    assert sid and len(sid) == 32
    assert s.verify(s.issue(sid)) == sid
    a, ts, mac = token.split(".")
    other = "f" * 32 if a != "f" * 32 else "e" * 32
    for bad in [
        f"{other}.{ts}.{mac}",
        f"{a}.{int(ts) - 1}.{mac}",
        f"{a}.{ts}.{mac[::-1]}",
        f"{a}.{ts}",
        a,
        "",
        None,
        123,
        {"session_id": token},
        token + ".x",
        "x" * 500,
    ]:
        assert s.verify(bad) is None, bad
    assert SessionSigner(SECRET + "x").verify(token) is None


def test_token_expiry_and_future_timestamps():
    s = SessionSigner(SECRET, max_age=100)
    token = s.issue(now=1_000_000)
    assert s.verify(token, now=1_000_050)
    assert s.verify(token, now=1_000_101) is None
    assert s.verify(token, now=999_000) is None  # issued "in the future"


def test_random_secret_when_unset(caplog):
    with caplog.at_level("WARNING"):
        a, b = SessionSigner(None), SessionSigner("")
    assert "SOCKETIO_SESSION_SECRET is not set" in caplog.text
    assert b.verify(a.issue()) is None


# ------------------------------------------------------------------ origins
def test_default_origins_follow_the_port_or_the_environment():
    assert default_origins({}) == ["http://localhost:5005", "http://127.0.0.1:5005"]
    assert default_origins({"RASA_PORT": "5105"}) == ["http://localhost:5105", "http://127.0.0.1:5105"]
    assert default_origins(
        {"RASA_PORT": "5105", "WEB_ALLOWED_ORIGINS": " https://a.example  https://b.example "}
    ) == [
        "https://a.example",
        "https://b.example",
    ]


def test_origin_allow_list_defaults_and_validation(monkeypatch):
    monkeypatch.delenv("WEB_ALLOWED_ORIGINS", raising=False)
    monkeypatch.setenv("RASA_PORT", "5105")
    assert normalise_origins(None) == ["http://localhost:5105", "http://127.0.0.1:5105"]
    monkeypatch.setenv("WEB_ALLOWED_ORIGINS", "https://*.example")
    with pytest.raises(ValueError):
        normalise_origins(None)  # the environment's list is validated like any other
    assert normalise_origins(["https://clinic.example/", "http://[::1]:5005"]) == [
        "https://clinic.example",
        "http://[::1]:5005",
    ]
    assert normalise_origins("https://a.example") == ["https://a.example"]
    for bad in (
        ["*"],
        [],
        ["https://a.example/path"],
        ["a.example"],
        ["ftp://a.example"],
        ["https://*.example"],
    ):
        with pytest.raises(ValueError):
            normalise_origins(bad)


def test_channel_passes_exact_origins_to_socketio(monkeypatch):
    monkeypatch.setenv("SOCKETIO_SESSION_SECRET", SECRET)
    monkeypatch.delenv("WEB_ALLOWED_ORIGINS", raising=False)
    monkeypatch.delenv("RASA_PORT", raising=False)
    ch = SecureSocketIOInput.from_credentials({"allowed_origins": ["https://clinic.example"]})
    ch.blueprint(lambda m: None)
    assert ch.sio.eio.cors_allowed_origins == ["https://clinic.example"]
    ch2 = SecureSocketIOInput.from_credentials(None)
    ch2.blueprint(lambda m: None)
    assert ch2.sio.eio.cors_allowed_origins == ["http://localhost:5005", "http://127.0.0.1:5005"]


# ------------------------------------------------------------------ enter_room (rasa#13027)
class FakeSio:
    """Mimics AsyncServer's room/session API; ``async_rooms`` like python-socketio >= 5.10."""

    def __init__(self, async_rooms: bool):
        self.async_rooms = async_rooms
        self.rooms: Dict[str, set] = {}
        self.sessions: Dict[str, dict] = {}

    def _enter(self, sid, room, namespace=None):
        self.rooms.setdefault(sid, set()).add(room)

    def _leave(self, sid, room, namespace=None):
        self.rooms.get(sid, set()).discard(room)

    def enter_room(self, sid, room, namespace=None):
        if self.async_rooms:

            async def coro():
                self._enter(sid, room)

            return coro()
        self._enter(sid, room)

    def leave_room(self, sid, room, namespace=None):
        if self.async_rooms:

            async def coro():
                self._leave(sid, room)

            return coro()
        self._leave(sid, room)

    async def get_session(self, sid, namespace=None):
        return dict(self.sessions.get(sid, {}))

    async def save_session(self, sid, session, namespace=None):
        self.sessions[sid] = session


@pytest.mark.parametrize("async_rooms", [False, True], ids=["socketio-5.9", "socketio>=5.10"])
def test_bind_session_enters_room_with_sync_and_async_enter_room(async_rooms):
    ch = SecureSocketIOInput(session_secret=SECRET)
    sio = FakeSio(async_rooms)

    async def go():
        sid1, tok1 = await ch._bind_session(sio, "sock1", None)
        assert sio.rooms["sock1"] == {sid1}
        # a new session for the same socket leaves the old room
        sid2, tok2 = await ch._bind_session(sio, "sock1", "forged")
        assert sid2 != sid1 and sio.rooms["sock1"] == {sid2}
        # the signed token brings the socket back to the first session
        sid3, tok3 = await ch._bind_session(sio, "sock2", tok1)
        assert sid3 == sid1 and tok3 == tok1 and sio.rooms["sock2"] == {sid1}
        assert sio.sessions["sock2"]["session_id"] == sid1

    asyncio.run(go())


def test_maybe_await():
    async def coro():
        return 5

    async def go():
        assert await maybe_await(None) is None
        assert await maybe_await(coro()) == 5

    asyncio.run(go())


# ------------------------------------------------------------------ output
class RecordingSio:
    def __init__(self):
        self.emitted: List[Any] = []

    async def emit(self, event, data=None, room=None, **kw):
        self.emitted.append((event, data, room))


def test_output_sends_text_as_plain_messages_and_the_payload_as_its_own():
    """rasa-webchat renders only plain text messages: text beside a payload would be dropped."""
    sio = RecordingSio()
    out = SecureSocketIOOutput(sio, "bot_uttered")
    triage = {"triage": {"level": "urgent", "rules": ["U1"], "facts": {}}}
    buttons = [{"title": "OK", "payload": "/affirm"}]

    async def go():
        await out.send_response(
            "room1", {"text": "See a GP today.\n\nToday.", "custom": dict(triage), "buttons": buttons}
        )
        await out.send_response("room1", {"text": "plain\n\nsplit"})
        await out.send_custom_json("room1", {"summary": {"age": 40}})
        await out.send_response("room1", {"custom": {"summary": {"age": 41}}})

    asyncio.run(go())
    assert sio.emitted[0] == (
        "bot_uttered",
        {
            "text": "See a GP today.\n\nToday.",
            "quick_replies": [{"content_type": "text", "title": "OK", "payload": "/affirm"}],
        },
        "room1",
    )
    assert sio.emitted[1] == ("bot_uttered", {"custom": triage}, "room1")
    assert [e[1] for e in sio.emitted[2:4]] == [{"text": "plain"}, {"text": "split"}]
    assert sio.emitted[4] == ("bot_uttered", {"custom": {"summary": {"age": 40}}}, "room1")
    assert sio.emitted[5] == ("bot_uttered", {"custom": {"summary": {"age": 41}}}, "room1")
    assert len(sio.emitted) == 6
    # no message carries text and a payload together
    assert not any("text" in e[1] and "custom" in e[1] for e in sio.emitted)


# ------------------------------------------------------------------ widget labels
def test_widget_labels_load_and_a_missing_one_is_refused(tmp_path):
    labels = load_labels()
    assert set(labels["levels"]) == {"emergency", "urgent", "soon", "routine"}
    assert "{number}" in labels["call"]
    del labels["summary"]["lists"]["not_asked"]
    broken = tmp_path / "labels.yml"
    broken.write_text(yaml.safe_dump(labels))
    with pytest.raises(ValueError, match="not_asked"):
        load_labels(broken)
    labels = load_labels()
    labels["levels"]["soon"] = ""
    broken.write_text(yaml.safe_dump(labels))
    with pytest.raises(ValueError, match="soon"):
        SecureSocketIOInput(session_secret=SECRET, labels_file=str(broken))
