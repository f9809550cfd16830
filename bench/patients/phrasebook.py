"""How a simulated patient words an answer: the phrasebook (data, phrasebook.yml) and durations."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import yaml

PHRASEBOOK_FILE = Path(__file__).resolve().parent / "phrasebook.yml"
_BOOK: dict[str, Any] = yaml.safe_load(PHRASEBOOK_FILE.read_text(encoding="utf-8"))

TRI_BUTTON: dict[str, str] = _BOOK["buttons"]["tri"]
SIDES_BUTTON: dict[str, str] = _BOOK["buttons"]["sides"]
PLAIN_TRI: dict[str, str] = _BOOK["plain"]["tri"]
PLAIN_SIDES: dict[str, str] = _BOOK["plain"]["sides"]
NATURAL: dict[str, dict[str, list[str]]] = _BOOK["natural"]
NATURAL_AGE: list[str] = _BOOK["natural_age"]
NATURAL_DURATION: list[str] = _BOOK["natural_duration"]
NOT_MINE: str = _BOOK["not_mine"]  # asked a follow-up about a sign the patient does not have


def duration_words(days: int) -> str:
    if days == 1:
        return "1 day"
    if days % 30 == 0 and days >= 60:
        return f"{days // 30} months"
    if days % 7 == 0 and 14 <= days <= 70:
        return f"{days // 7} weeks"
    return f"{days} days"


def duration_button(days: int) -> str:
    """The duration button whose value falls on the same side of every threshold (30, 42 days)."""
    if days <= 30:
        return "Less than a month"
    return "1 month to 6 weeks" if days <= 42 else "More than 6 weeks"


def pick(options: list[str], *keys: str) -> str:
    return options[zlib.crc32("|".join(keys).encode()) % len(options)]
