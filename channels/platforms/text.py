"""The words the channels add themselves (from notes.yml) and the text helpers that fit buttons
and long messages into each platform's limits."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence

import yaml

NOTES_FILE = Path(__file__).resolve().with_name("notes.yml")
# Every note the channels say; the file must hold exactly these (a typo fails at start, not mid-chat).
NOTE_NAMES = frozenset(
    {
        "choose",
        "text_only",
        "edited",
        "numbered_reply",
        "numbered_option",
        "option_separator",
        "numbered_list_item",
        "numbered_list_end",
        "answered",
        "call_button",
        "call_line",
    }
)

Button = Mapping[str, Any]


@lru_cache(maxsize=1)
def notes() -> Dict[str, str]:
    """The notes, checked once: every name the code uses is there, and nothing else."""
    loaded = yaml.safe_load(NOTES_FILE.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict) or set(loaded) != NOTE_NAMES:
        got = set(loaded) if isinstance(loaded, dict) else set()
        raise ValueError(
            f"{NOTES_FILE.name}: missing {sorted(NOTE_NAMES - got)}, unknown {sorted(got - NOTE_NAMES)}"
        )
    if not all(isinstance(v, str) and v for v in loaded.values()):
        raise ValueError(f"{NOTES_FILE.name}: every note must be non-empty text")
    return dict(loaded)


def note(name: str, **values: Any) -> str:
    """A note by name, its {placeholders} filled."""
    return str(notes()[name]).format(**values)


def clean_title(title: Any) -> str:
    """A button title on one line, runs of spaces made one."""
    return " ".join(str(title or "").split())


def shorten(title: Any, limit: int) -> str:
    """Fit a title into `limit` characters, cutting at a word where possible and marking the cut."""
    clean = clean_title(title)
    if len(clean) <= limit:
        return clean
    cut = clean[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-/(") + "…"


def numbered_line(buttons: Sequence[Button]) -> str:
    """'Reply 1 for Yes, 2 for No, 3 for Not sure' (titles with commas are quoted)."""
    parts = []
    for i, button in enumerate(buttons, start=1):
        title = clean_title(button.get("title"))
        if "," in title:
            title = f'"{title}"'
        parts.append(note("numbered_option", n=i, title=title))
    return note("numbered_reply", options=note("option_separator").join(parts))


def numbered_list(buttons: Sequence[Button]) -> str:
    """Full option texts, one per line, for platforms that had to shorten or drop buttons."""
    lines = [
        note("numbered_list_item", n=i, title=clean_title(b.get("title")))
        for i, b in enumerate(buttons, start=1)
    ]
    return "\n".join(lines + [note("numbered_list_end")])


def split_text(text: str, limit: int) -> List[str]:
    """Split a long text into parts of at most `limit` characters, at paragraph or line breaks."""
    text = (text or "").strip()
    if len(text) <= limit:
        return [text]
    parts: List[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut < limit // 3:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
