"""Import medspaCy without QuickUMLS.

medspacy.util imports QuickUMLS at import time, only to register a UMLS concept-mapping component
we do not use; QuickUMLS in turn imports NLTK, SciPy's MATLAB reader and scikit-learn's data sets.
Measured on the reference machine: +49 MB resident and +0.6 s start for nothing. While medspaCy
is first imported, a placeholder stands in for QuickUMLS; it is removed again right after, so a
real `import quickumls` elsewhere still gets the real package.
"""

from __future__ import annotations

import sys
import types

_STUBS = ("quickumls", "quickumls.spacy_component")


def _import() -> types.ModuleType:
    if "medspacy" in sys.modules or "quickumls" in sys.modules:
        import medspacy

        return medspacy  # type: ignore[no-any-return]
    package = types.ModuleType("quickumls")
    package.__path__ = []  # a package, so "from quickumls import spacy_component" works
    package.spacy_component = types.ModuleType("quickumls.spacy_component")  # type: ignore[attr-defined]
    sys.modules.update({"quickumls": package, "quickumls.spacy_component": package.spacy_component})
    try:
        import medspacy
    finally:
        for name in _STUBS:
            sys.modules.pop(name, None)
    return medspacy  # type: ignore[no-any-return]


medspacy = _import()
from medspacy.context import ConText, ConTextRule  # noqa: E402  (only after the light import)

__all__ = ["ConText", "ConTextRule", "medspacy"]
