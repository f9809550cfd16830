"""Twilio SMS and WhatsApp: ``channels.platforms.twilio.TwilioChannel`` in credentials.yml.

Environment (names can be changed in credentials.yml):

* TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN (required): the account, and the token that signs
  Twilio's webhooks and authenticates our API calls.
* TWILIO_NUMBER (required): the number SMS replies come from (E.164, e.g. +15017122661).
* TWILIO_WHATSAPP_NUMBER: the WhatsApp sender (``whatsapp:+1...`` or ``+1...``); default
  ``whatsapp:`` + TWILIO_NUMBER.
* TWILIO_WEBHOOK_URL: the public URL Twilio calls (``https://.../webhooks/twilio/webhook``).
  Twilio signs that exact URL; behind a proxy or TLS terminator the server sees another one,
  so set it there. Default: the URL of the request as received.
* TWILIO_API_URL: REST API base, default https://api.twilio.com.

Every webhook must carry a valid ``X-Twilio-Signature`` (checked with twilio's RequestValidator)
and our AccountSid, else 403; Rasa's ``TwilioInput`` checks nothing. Neither SMS nor WhatsApp
(outside templates) has buttons, so options are numbered ("Reply 1 for Yes, 2 for No, 3 for Not
sure") and a bare number answers the last question asked, read from the tracker store. Messages
go out through the REST API without blocking the server (Rasa's uses the blocking Twilio client).
"""

from __future__ import annotations

import hmac
import urllib.parse
from typing import Any, Dict, List, Optional, Sequence

import aiohttp
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from channels.platforms.api import ApiClient
from channels.platforms.base import Incoming, Parsed, PlatformChannel, PlatformOutput, platform_id
from channels.platforms.settings import EnvSetting, Settings, api_base
from channels.platforms.text import Button, numbered_line, split_text

PLATFORM = "twilio"
DEFAULT_API_URL = "https://api.twilio.com"
SIGNATURE_HEADER = "X-Twilio-Signature"
BODY_LIMIT = 1600  # characters of one message (Twilio splits SMS segments itself)
WHATSAPP = "whatsapp:"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

SETTINGS = (
    EnvSetting("account_sid_env", "TWILIO_ACCOUNT_SID", required=True),
    EnvSetting("auth_token_env", "TWILIO_AUTH_TOKEN", required=True),
    EnvSetting("number_env", "TWILIO_NUMBER", required=True),
    EnvSetting("whatsapp_number_env", "TWILIO_WHATSAPP_NUMBER"),
    EnvSetting("webhook_url_env", "TWILIO_WEBHOOK_URL"),
    EnvSetting("api_url_env", "TWILIO_API_URL", default=DEFAULT_API_URL),
)


def _error_of(status: int, body: Any) -> Optional[str]:
    if status < 400:
        return None
    if isinstance(body, dict) and body.get("code"):
        return f"code {body['code']}"  # not the message: it can quote the phone number
    return "error"


def numbered(buttons: Sequence[Button]) -> bool:
    """SMS and WhatsApp always show options by number."""
    return True


def with_options(text: str, buttons: Sequence[Button]) -> str:
    return f"{text}\n\n{numbered_line(buttons)}" if buttons else text


class _Form(Dict[str, List[str]]):
    """The webhook's POST parameters, blank ones included: Twilio signs those too (Sanic drops them)."""

    @classmethod
    def parse(cls, body: bytes) -> _Form:
        form = cls()
        for key, value in urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            form.setdefault(key, []).append(value)
        return form

    def getlist(self, key: str) -> List[str]:  # what twilio's RequestValidator reads
        return self[key]

    def first(self, key: str) -> str:
        return (self.get(key) or [""])[0]


class TwilioOutput(PlatformOutput):
    """Sends with POST /2010-04-01/Accounts/<sid>/Messages.json."""

    PLATFORM = PLATFORM

    def __init__(
        self, api: ApiClient, api_url: str, sid: str, token: str, sms_from: str, whatsapp_from: str
    ) -> None:
        super().__init__()
        self.api = api
        self.url = f"{api_url}/2010-04-01/Accounts/{sid}/Messages.json"
        self.auth = aiohttp.BasicAuth(sid, token)
        self.sms_from = sms_from
        self.whatsapp_from = whatsapp_from

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        to = platform_id(PLATFORM, recipient_id)
        sender = self.whatsapp_from if to.startswith(WHATSAPP) else self.sms_from
        for part in split_text(text, BODY_LIMIT):
            form = {"To": to, "From": sender, "Body": part}
            await self.api.call("Messages.create", "POST", self.url, data=form, auth=self.auth)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, with_options(text, buttons))


class TwilioChannel(PlatformChannel):
    """Twilio messaging webhook (``/webhooks/twilio/webhook``) for SMS and WhatsApp."""

    PLATFORM, SETTINGS, REFUSED = PLATFORM, SETTINGS, f"bad or missing {SIGNATURE_HEADER}"

    def setup(self, settings: Settings) -> None:
        self.account_sid = settings.value("account_sid_env")
        self.auth_token = settings.value("auth_token_env")
        self.twilio_number = settings.value("number_env")
        whatsapp = settings["whatsapp_number_env"] or self.twilio_number
        self.whatsapp_number = whatsapp if whatsapp.startswith(WHATSAPP) else WHATSAPP + whatsapp
        self.webhook_url = settings["webhook_url_env"]
        self.api_url = api_base(settings, "api_url_env")
        self.api = ApiClient(PLATFORM, _error_of)
        self.validator = RequestValidator(self.auth_token)

    def authentic(self, request: Request) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER) or ""
        if not signature:
            return False
        form = _Form.parse(request.body)
        if not self.validator.validate(self.webhook_url or request.url, form, signature):
            return False
        return hmac.compare_digest(form.first("AccountSid").encode(), self.account_sid.encode())

    def parse(self, request: Request) -> Parsed:
        form = _Form.parse(request.body)
        sender, words, sid = form.first("From"), form.first("Body"), form.first("MessageSid") or None
        if sender and words.strip():
            channel = "whatsapp" if sender.startswith(WHATSAPP) else "sms"
            return [Incoming(sender, words, sid, metadata={"twilio_channel": channel})]
        if sender and form.first("NumMedia") not in ("", "0"):  # a picture or voice note only
            return [Incoming(sender, delivery_id=sid, note="text_only")]
        return []

    def acknowledge(self) -> HTTPResponse:
        return response.text(EMPTY_TWIML, content_type="text/xml")

    def output(self, incoming: Optional[Incoming] = None) -> TwilioOutput:
        return TwilioOutput(
            self.api,
            self.api_url,
            self.account_sid,
            self.auth_token,
            self.twilio_number,
            self.whatsapp_number,
        )

    def shows_numbers(self, buttons: Sequence[Button]) -> bool:
        return numbered(buttons)

    async def close(self) -> None:
        await self.api.close()
