"""No message text in any log, at any level, on the error paths too.

Patients' messages are health data. Our own code logs ids, names and counts only; this module
closes the paths that are not ours:

* **Exceptions.** An exception's message can quote the data it choked on (a ValueError quoting a
  value, an HTTP error quoting a response body that echoes the tracker). Every log record that
  carries an exception gets its traceback as frames and exception types only, never the messages
  (a log record factory, so it holds for every logger and handler of the process).
* **Rasa's structured logs** (structlog): at DEBUG Rasa logs each parsed message's text, the
  dialogue states with the user's text, slot values and whole events (the bot's read-backs quote
  the patient; the fact sources keep their words). In its structured events only the keys named
  in SAFE_KEYS keep their values, plus numbers and booleans; every other value is replaced.

Installed by the Rasa server when it imports our channels (channels/__init__.py) and by the
action server when it imports actions/actions.py. No Rasa import here.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any, Callable, MutableMapping, Optional

REDACTED = "[not logged]"
# Keys of Rasa's structured log events whose values are names, never the patient's words.
SAFE_KEYS = frozenset(
    {
        "event",
        "event_key",
        "event_info",
        "level",
        "log_level",
        "timestamp",
        "logger",
        "action_name",
        "action_extract_slot",
        "policy_name",
        "parse_data_intent",
        "intent",
        "intent_name",
        "sender_id",
        "conversation_id",
        "model_id",
        "error",
        "traceback",
    }
)


class ConfigurationError(RuntimeError):
    """A start-up error about the configuration, never about data: its message is logged."""


# Exceptions whose messages name code, files or settings, never a conversation's data: their
# messages are kept, so an operator can still read why a server did not start.
SAFE_MESSAGE_TYPES: tuple[type[BaseException], ...] = (ImportError, FileNotFoundError, ConfigurationError)


def safe_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and of its causes: where it happened and the exception types; no
    exception messages, except those of SAFE_MESSAGE_TYPES."""
    parts: list[str] = []
    seen: set[int] = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        kind = type(current)
        what = (
            str(current)
            if isinstance(current, SAFE_MESSAGE_TYPES)
            else "(message not logged: it may quote a patient)"
        )
        parts.append(
            f"Traceback (most recent call last):\n{frames}{kind.__module__}.{kind.__qualname__}: {what}"
        )
        current = current.__cause__ or current.__context__
    return "\n\nwhile handling or caused by:\n".join(reversed(parts)) if parts else ""


def _record_factory(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        exc_info = record.exc_info
        if exc_info and exc_info[1] is not None:
            record.exc_text = safe_traceback(exc_info[1])
            record.exc_info = None
        return record

    setattr(make, "_triage_safe", True)  # noqa: B010  (marks the factory as installed)
    return make


def install_record_factory() -> None:
    """Every log record with an exception keeps frames and types only (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "_triage_safe", False):
        logging.setLogRecordFactory(_record_factory(current))


def redact_event(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: values of keys not in SAFE_KEYS are replaced (numbers and booleans
    kept); an exception becomes its safe traceback."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info:
        exc = exc_info if isinstance(exc_info, BaseException) else None
        if isinstance(exc_info, tuple) and len(exc_info) == 3:
            exc = exc_info[1]
        elif exc_info is True:
            exc = sys.exc_info()[1]
        if exc is not None:
            event_dict["error"] = f"{type(exc).__module__}.{type(exc).__qualname__}"
            event_dict["traceback"] = safe_traceback(exc)
    for key, value in list(event_dict.items()):
        if key in SAFE_KEYS or value is None or isinstance(value, bool | int | float):
            continue
        event_dict[key] = REDACTED
    return event_dict


def install_structlog_redaction() -> None:
    """Put redact_event first in the configured structlog processors (idempotent). The list is
    changed in place, so loggers Rasa already created use it too."""
    import structlog

    processors = structlog.get_config()["processors"]
    if redact_event not in processors:
        processors.insert(0, redact_event)
