"""Someone typing for the patient ("my husband can't type, his back..."): said once, it holds
until the patient takes over. The wordings are data (dialogue/proxy.yml)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml


@lru_cache(maxsize=1)
def _proxy_patterns() -> dict[str, list[re.Pattern[str]]]:
    data = yaml.safe_load(Path(__file__).with_name("proxy.yml").read_text(encoding="utf-8"))
    relation = str(data["relation"])
    return {
        key: [re.compile(str(p).replace("{relation}", relation), re.I) for p in data[key]]
        for key in ("on", "off")
    }


def typed_for_someone(text: str, before: bool) -> bool:
    """Is someone typing for the patient after this message? Said once, it holds until the
    patient takes over ("this is him now")."""
    folded = text.lower().replace("\u2019", "'")
    patterns = _proxy_patterns()
    if any(p.search(folded) for p in patterns["off"]):
        return False
    return before or any(p.search(folded) for p in patterns["on"])
