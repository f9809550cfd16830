"""Write the published intake Questionnaire: python -m triage.publish_fhir (docs/fhir/)."""

from __future__ import annotations

import json
from pathlib import Path

from triage.engine import default_engine
from triage.fhir import questionnaire

OUT = Path(__file__).resolve().parent.parent / "docs" / "fhir" / "questionnaire.json"


def render() -> str:
    return json.dumps(questionnaire(default_engine()), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
