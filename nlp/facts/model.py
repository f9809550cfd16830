"""Loading the saved spaCy pipeline (nlp/model, built by nlp/build_pipeline.py) once per process."""

from __future__ import annotations

import functools
from pathlib import Path

from spacy.language import Language

NLP_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = NLP_DIR.parent


def _resolve_model_path(path: str | Path) -> Path:
    """Relative paths work from the repo root as well as from the current directory."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    return REPO_ROOT / p


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> Language:
    import spacy

    from nlp import components  # noqa: F401  (registers our factories before spacy.load)

    return spacy.load(path)


def load_nlp(path: str | Path = "nlp/model") -> Language:
    """Load the saved pipeline once per process (it is read-only, so sharing is safe)."""
    return _load_cached(str(_resolve_model_path(path).resolve()))
