"""The one clock of the assistant: today's date for durations and the time shown in summaries.

Both are in the deployment's time zone (``TRIAGE_TIMEZONE``, an IANA name such as
"Europe/London"; UTC when unset), so that "since Thursday" said at 23:30 in New York counts from
the patient's Monday, not the server's Tuesday in UTC. ``TRIAGE_TODAY`` (an ISO date) fixes the
date only to replay recorded conversations on the day they were held.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIMEZONE_ENV = "TRIAGE_TIMEZONE"
TODAY_ENV = "TRIAGE_TODAY"
DEFAULT_TIMEZONE = "UTC"


def zone() -> dt.tzinfo:
    """The deployment's time zone (an unknown name is refused, never silently UTC)."""
    name = os.environ.get(TIMEZONE_ENV, "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"{TIMEZONE_ENV}={name!r} is not a known time zone") from err


def now() -> dt.datetime:
    """Now, in the deployment's time zone; on TRIAGE_TODAY's date when a replay sets it, so that
    the summary's date and the durations in it are counted from the same day."""
    current = dt.datetime.now(zone())
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if not fixed:
        return current
    day = dt.date.fromisoformat(fixed)
    return current.replace(year=day.year, month=day.month, day=day.day)


def today() -> dt.date:
    """The date durations are counted from: TRIAGE_TODAY when a replay sets it, else today in
    the deployment's time zone."""
    return now().date()
