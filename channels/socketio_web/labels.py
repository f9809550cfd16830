"""The web widget's labels (widget_labels.yml), checked at start-up and sent to each new session.

The widget renders what the server sends, so the card titles and the summary's headings are
content beside the rest of the patient-facing text, and a deployment can change them without
touching JavaScript. A file that lacks a label the widget needs is refused when the server starts,
not discovered by a patient.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import yaml

LABELS_EVENT = "widget_labels"  # the socket.io event; clients that do not know it ignore it
DEFAULT_LABELS_FILE = Path(__file__).resolve().parent / "widget_labels.yml"

# The shape the widget reads: a name -> either a text or a nested shape.
Shape = Dict[str, Any]
LEVEL_NAMES = ("emergency", "urgent", "soon", "routine")
REQUIRED: Shape = {
    "levels": dict.fromkeys(LEVEL_NAMES, str),
    "unknown_level": str,
    "outcome_prefix": str,
    "reference_prefix": str,
    "call": str,
    "summary": {
        "heading": str,
        "file_title": str,
        "save": str,
        "save_fhir": str,
        "fields": dict.fromkeys(
            ("age", "duration", "location", "level", "rules", "policy_version", "created_at"), str
        ),
        "lists": dict.fromkeys(("positives", "negatives", "unknown", "not_asked"), str),
    },
}


def _check(value: Any, shape: Any, where: str) -> None:
    if shape is str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"widget labels: {where} must be a non-empty text")
        return
    if not isinstance(value, dict):
        raise ValueError(f"widget labels: {where} must be a mapping")
    for key, inner in shape.items():
        if key not in value:
            raise ValueError(f"widget labels: {where}.{key} is missing")
        _check(value[key], inner, f"{where}.{key}")


def load_labels(path: Optional[Path] = None) -> Dict[str, Any]:
    """The labels in ``path`` (default: the shipped file), checked against what the widget needs."""
    labels = yaml.safe_load((path or DEFAULT_LABELS_FILE).read_text(encoding="utf-8"))
    _check(labels, REQUIRED, "labels")
    if "{number}" not in labels["call"]:
        raise ValueError("widget labels: call must contain {number}")
    return dict(labels)
