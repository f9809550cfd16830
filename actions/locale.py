"""Which emergency number and department the patient text names (configuration, not code)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import yaml

LOCALES_FILE = Path(__file__).resolve().parent / "locales.yml"
LOCALE_ENV = "TRIAGE_LOCALE"


@cache
def _table() -> dict:
    with LOCALES_FILE.open(encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    if doc.get("default") not in doc.get("locales", {}):
        raise ValueError(f"{LOCALES_FILE}: default locale must be one of the locales")
    return doc


def locale_vars(locale: str | None = None) -> dict[str, str]:
    """Template variables for the chosen locale (env TRIAGE_LOCALE, else the file's default)."""
    table = _table()
    name = (locale or os.environ.get(LOCALE_ENV) or table["default"]).upper()
    if name not in table["locales"]:
        raise ValueError(f"unknown locale {name!r}; known: {sorted(table['locales'])}")
    chosen = dict(table["locales"][name])
    chosen["emergency_numbers"] = ", ".join(
        f"{v['emergency_number']} in {v['where']}" for v in table["locales"].values()
    )
    return chosen
