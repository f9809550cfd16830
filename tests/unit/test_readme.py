"""The README stays honest: its file map names what exists, and everything tracked is mapped."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def file_map() -> dict[str, str]:
    section = README.split("## File map", 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block, "no file map block"
    entries = {}
    for line in block.group(1).splitlines():
        if line.strip() and not line[0].isspace():  # indented lines continue a description
            path, _, what = line.partition(" ")
            entries[path] = what.strip()
    return entries


def tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [p for p in out.stdout.splitlines() if (ROOT / p).exists()]


def test_every_mapped_path_exists_and_says_what_it_is() -> None:
    for path, what in file_map().items():
        assert (ROOT / path).exists(), f"README maps {path}, which does not exist"
        assert what, f"{path} has no description"


def test_every_tracked_file_is_covered_by_the_map() -> None:
    mapped = file_map()
    for path in tracked():
        covered = path in mapped or any(m.endswith("/") and path.startswith(m) for m in mapped)
        assert covered, f"{path} is not in the README file map"


def test_readme_names_the_two_commands_ci_uses() -> None:
    assert "make run" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()
