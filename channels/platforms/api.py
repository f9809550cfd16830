"""The HTTP client the channels call their platform APIs with: aiohttp with aiohttp-retry.

Failures are logged with the call name and status only: request and response bodies can carry
message text or phone numbers, and some URLs carry a token (Telegram's ``/bot<token>/``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Callable, Optional

import aiohttp
from aiohttp_retry import ExponentialRetry, RetryClient

logger = logging.getLogger(__name__)

ErrorOf = Callable[[int, Any], Optional[str]]

# A platform API that does not answer within this is treated as down (the webhook answered long
# ago; the patient waits for the reply).
HTTP_TIMEOUT_S = 15
# The first try and two retries, on connection errors, timeouts, 429 and 5xx.
ATTEMPTS = 3
# Waits between tries: 0.5 s, then 1 s (start * factor ** attempt, attempt counting from 1).
FIRST_WAIT_S = 0.25
WAIT_FACTOR = 2.0
# A Retry-After longer than this is cut to it: the message is still worth sending a bit late,
# not after a minute of silence.
MAX_RETRY_AFTER_S = 5.0
TOO_MANY_REQUESTS = 429

# aiohttp-retry logs each retry's exception at DEBUG; its repr can name the URL. Kept quiet.
_retry_logger = logging.getLogger(f"{__name__}.retry")
_retry_logger.setLevel(logging.WARNING)


def retry_after(header: Optional[str], default: float) -> float:
    """Seconds to wait: the platform's Retry-After (capped), else our own back-off."""
    try:
        return min(max(float(header), 0.0), MAX_RETRY_AFTER_S) if header else default
    except ValueError:
        return default


class _HonourRetryAfter(ExponentialRetry):
    """Exponential back-off that waits as long as the platform asks in Retry-After (capped)."""

    def get_timeout(self, attempt: int, response: Optional[aiohttp.ClientResponse] = None) -> float:
        default = super().get_timeout(attempt, response)
        if response is None:
            return default
        response.release()  # this answer is dropped for the retry: free its connection now
        return retry_after(response.headers.get("Retry-After"), default)


RETRY = _HonourRetryAfter(
    attempts=ATTEMPTS,
    start_timeout=FIRST_WAIT_S,
    factor=WAIT_FACTOR,
    statuses={TOO_MANY_REQUESTS},  # and every 5xx (retry_all_server_errors)
    exceptions={aiohttp.ClientError, asyncio.TimeoutError},
)


class ApiClient:
    """One retrying aiohttp session per channel (created in the server's loop on first use)."""

    def __init__(self, platform: str, error_of: ErrorOf) -> None:
        self.platform = platform
        self.error_of = error_of
        self._client: Optional[RetryClient] = None
        self._session: Optional[aiohttp.ClientSession] = None

    def _get_client(self) -> RetryClient:
        if self._client is None or self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S))
            self._client = RetryClient(
                client_session=self._session, retry_options=RETRY, logger=_retry_logger
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        self._client = self._session = None

    async def call(self, name: str, method: str, url: str, **kwargs: Any) -> Optional[Any]:
        """Make one API call (retried); return the decoded JSON answer, or None when it failed."""
        try:
            async with self._get_client().request(method, url, **kwargs) as resp:
                status, body = resp.status, _json_or_none(await resp.read())
        except (aiohttp.ClientError, asyncio.TimeoutError) as err:
            logger.warning("%s: %s failed: %s", self.platform, name, type(err).__name__)
            return None
        error = self.error_of(status, body)
        if error is None:
            return body if body is not None else {}
        logger.warning("%s: %s failed: HTTP %s (%s)", self.platform, name, status, error)
        return None


def _json_or_none(raw: bytes) -> Optional[Any]:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
