"""The codebase keeps its shape: no product module over MAX_LINES, and the layers of
/work/shared/ARCHITECTURE-NOTES.md (messages come in through channels, Rasa understands them,
actions translate between Rasa and the domain, and the domain knows nothing of Rasa) hold in
every import, including those inside functions and ``TYPE_CHECKING`` blocks.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Beyond this a module does more than one thing, or should be split to be read in one sitting.
MAX_LINES = 400
PYTHON_PACKAGES = ("triage", "answers", "dialogue", "nlp", "actions", "channels", "tooling")
WEB = "web"
VENDORED = ("web/vendor/",)  # third-party files, kept as published

RASA = ("rasa", "rasa_sdk")
NLU = ("spacy", "medspacy")
# package -> the top-level packages it must never import, each group with its reason.
FORBIDDEN: dict[str, dict[str, tuple[str, ...]]] = {
    # the pure core: facts, rules, engine, summary, FHIR; imported by the rest, importing none of it
    "triage": {
        "the layers above it": ("nlp", "answers", "dialogue", "actions", "channels", "tooling"),
        "Rasa (the domain knows nothing of it)": RASA,
        "the language pipeline": NLU,
    },
    # language -> typed mentions; read by the answer interpreter, never reading it
    "nlp": {"the layers above it": ("answers", "dialogue", "actions", "channels", "tooling")},
    # (pending question, mentions) -> typed answer; the planner reads it
    "answers": {
        "the layers above it": ("dialogue", "actions", "channels", "tooling"),
        "Rasa (the domain knows nothing of it)": RASA,
    },
    # the planner: what to say and ask next, from the typed answer
    "dialogue": {
        "the layers above it": ("actions", "channels", "tooling"),
        "Rasa (the domain knows nothing of it)": RASA,
    },
    # the thin rasa-sdk adapter: tracker <-> state, plan -> events; Rasa reaches it, not channels
    "actions": {
        "the channels (messages reach actions through Rasa)": ("channels", "tooling"),
        "the Rasa server (the action server speaks rasa_sdk)": ("rasa",),
    },
    # the way in: channels hand messages to Rasa, which understands them and calls the actions
    "channels": {
        "the layers behind Rasa (messages reach them through Rasa)": (
            "nlp",
            "answers",
            "dialogue",
            "actions",
            "tooling",
        ),
    },
}


def project_files() -> list[str]:
    """Every file git tracks or would track (new ones included, ignored build outputs not)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted({p for p in out.stdout.splitlines() if (ROOT / p).is_file()})


def product_modules() -> list[str]:
    files = project_files()
    python = [p for p in files if p.endswith(".py") and p.split("/", 1)[0] in PYTHON_PACKAGES]
    js = [p for p in files if p.startswith(WEB + "/") and p.endswith(".js") and not p.startswith(VENDORED)]
    return python + js


def line_count(path: str) -> int:
    return len((ROOT / path).read_text(encoding="utf-8").splitlines())


def imported_packages(path: str, source: str | None = None) -> dict[str, int]:
    """The top-level packages the module at ``path`` (or ``source``, as if it were at ``path``)
    imports, each with the line of its first import."""
    text = (ROOT / path).read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text, filename=path)
    package = path.split("/")[:-1]
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the module's own package
                base = package[: len(package) - (node.level - 1)]
                assert base, f"{path}:{node.lineno}: relative import above the top-level package"
                names = [".".join(base + ([node.module] if node.module else []))]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            found.setdefault(name.split(".", 1)[0], node.lineno)
    return found


def test_no_product_module_is_over_the_limit() -> None:
    modules = product_modules()
    # the scan sees what it must (a listing gone wrong would pass vacuously)
    assert {"triage/engine.py", "channels/secure_socketio.py", "web/widget.js"} <= set(modules)
    assert not any(m.startswith(VENDORED) for m in modules)
    too_long = {m: n for m in modules if (n := line_count(m)) > MAX_LINES}
    assert not too_long, f"over {MAX_LINES} lines (split by concern): {too_long}"


@pytest.mark.parametrize("layer", list(FORBIDDEN))
def test_imports_follow_the_layers(layer: str) -> None:
    modules = [p for p in product_modules() if p.endswith(".py") and p.split("/", 1)[0] == layer]
    assert modules, f"no Python modules found in {layer}/"
    broken = []
    for path in modules:
        imports = imported_packages(path)
        for reason, packages in FORBIDDEN[layer].items():
            broken += [f"{path}:{imports[p]} imports {p} ({reason})" for p in packages if p in imports]
    assert not broken, "\n".join(broken)


def test_the_import_reader_sees_every_kind_of_import() -> None:
    """Plain, from-, relative, function-level and TYPE_CHECKING imports all count."""
    sample = (
        "import os.path\n"
        "from rasa.core import channels\n"
        "from . import sibling\n"
        "from ..engine import Engine\n"
        "def load():\n"
        "    import spacy\n"
        "if TYPE_CHECKING:\n"
        "    from answers.contract import Reply\n"
    )
    assert imported_packages("triage/sub/mod.py", sample) == {
        "os": 1,
        "rasa": 2,
        "triage": 3,
        "spacy": 6,
        "answers": 8,
    }
