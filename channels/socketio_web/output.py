"""The socket.io output: text as plain text messages, a ``custom`` payload as a message of its own.

Clients of Rasa's socket.io protocol (rasa-webchat, mobile SDKs) render only ``{"text"}`` /
``{"text", "quick_replies"}`` messages and silently drop text that travels beside a payload, so an
emergency headline must never share a message with one.
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.core.channels.socketio import SocketIOOutput

# Response keys other than text, buttons and custom that Rasa's own output knows how to send.
OTHER_RESPONSE_KEYS = ("image", "attachment", "elements")


class SecureSocketIOOutput(SocketIOOutput):  # type: ignore[misc]  # Rasa ships no type information
    """Sends every word as a plain message, as stock Rasa does (see the module docstring)."""

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        # stock Rasa passes the payload as keyword arguments to ``sio.emit`` (broken for anything
        # but ``{"data": ...}``): send it as the event's data instead
        await self._send_message(recipient_id, {"custom": json_message})

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        custom = message.get("custom")
        if not isinstance(custom, dict) or not custom:
            await super().send_response(recipient_id, message)
            return
        rest = {k: v for k, v in message.items() if k != "custom"}
        text = rest.pop("text", None)
        buttons = rest.pop("buttons", None) or rest.pop("quick_replies", None)
        if text:
            # one text message (not split into paragraphs): a widget that shows the payload as a
            # card takes the text just before it into the card
            plain: Dict[str, Any] = {"text": text}
            if buttons:
                plain["quick_replies"] = [
                    {"content_type": "text", "title": b.get("title"), "payload": b.get("payload")}
                    for b in buttons
                ]
            await self._send_message(recipient_id, plain)
        await self._send_message(recipient_id, {"custom": custom})
        others = {k: v for k, v in rest.items() if k in OTHER_RESPONSE_KEYS}
        if others:
            await super().send_response(recipient_id, others)
