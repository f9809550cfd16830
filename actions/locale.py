"""Which emergency number and department the patient text names (configuration, not code)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LOCALES_FILE = Path(__file__).resolve().parent / "locales.yml"
LOCALE_ENV = "TRIAGE_LOCALE"


@dataclass(frozen=True)
class LocaleTable:
    """The locales file, checked: each locale's template variables are texts."""

    default: str
    locales: dict[str, dict[str, str]]
    cues: dict[str, re.Pattern[str]]
    hints: dict[str, re.Pattern[str]]


def _texts(name: str, values: Any) -> dict[str, str]:
    if not isinstance(values, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in values.items()
    ):
        raise ValueError(f"{LOCALES_FILE}: locale {name} must map names to texts")
    return dict(values)


@cache
def _table() -> LocaleTable:
    with LOCALES_FILE.open(encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    raw = doc.get("locales", {})
    if doc.get("default") not in raw:
        raise ValueError(f"{LOCALES_FILE}: default locale must be one of the locales")
    cues = {name: re.compile(str(p)) for name, p in (doc.get("cues") or {}).items()}
    hints = {name: re.compile(str(p)) for name, p in (doc.get("hints") or {}).items()}
    unknown = sorted((set(cues) | set(hints)) - set(raw))
    if unknown:
        raise ValueError(f"{LOCALES_FILE}: cues for unknown locales {unknown}")
    return LocaleTable(
        default=doc["default"],
        locales={name: _texts(name, v) for name, v in raw.items()},
        cues=cues,
        hints=hints,
    )


def emergency_numbers() -> tuple[str, ...]:
    """Every locale's emergency number (what a patient may be told to call)."""
    return tuple(v["emergency_number"] for v in _table().locales.values())


def _first_named(patterns: dict[str, re.Pattern[str]], text: str) -> str | None:
    """The locale whose pattern matches earliest in the message, if any."""
    folded = text.lower().replace("\u2019", "'")
    found = [(m.start(), name) for name, pattern in patterns.items() if (m := pattern.search(folded))]
    return min(found)[1] if found else None


def locale_said(text: str) -> str | None:
    """The locale the message places the patient in ("kia ora", "A&E", "I'm in Sydney"), if any:
    the one named first."""
    return _first_named(_table().cues, text)


def locale_hinted(text: str) -> str | None:
    """The locale the message's words suggest ("half term", "arvo", "Tylenol"), if any: weaker than
    a place or a number, so used only while the conversation has no locale of its own."""
    return _first_named(_table().hints, text)


def locale_vars(locale: str | None = None) -> dict[str, str]:
    """Template variables for the chosen locale (env TRIAGE_LOCALE, else the file's default)."""
    table = _table()
    name = (locale or os.environ.get(LOCALE_ENV) or table.default).upper()
    if name not in table.locales:
        raise ValueError(f"unknown locale {name!r}; known: {sorted(table.locales)}")
    chosen = dict(table.locales[name])
    chosen["emergency_numbers"] = ", ".join(
        f"{v['emergency_number']} in {v['where']}" for v in table.locales.values()
    )
    return chosen
