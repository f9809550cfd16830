"""Reading grade (Flesch–Kincaid) of every patient-facing response text.

Usage:
    python -m bench.readability              # table name -> grade, then max and mean
    python -m bench.readability --check      # also exit 1 if any text is above --max (default 9)
    python -m bench.readability --check --max 8

Before grading, Rasa slot templates are replaced by typical values ({emergency_number} -> "999")
and "Source: ..." citation lines are removed (a reference is not prose the patient must follow).
No dependency beyond PyYAML; the functions are import-safe so tests can reuse them.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESPONSES_DIR = ROOT / "data" / "responses"
DEFAULT_MAX_GRADE = 9.0

# Typical values for the slot templates used in the responses. Choose realistic, not flattering,
# values: "the emergency department" is longer than "A&E" or "the ER".
TEMPLATE_VALUES = {
    "emergency_number": "999",
    "emergency_department": "the emergency department",
}

# Words the vowel-group heuristic gets wrong and that occur in this kind of text.
SYLLABLE_EXCEPTIONS = {
    "area": 3,
    "areas": 3,
    "being": 2,
    "idea": 3,
    "ideas": 3,
    "doing": 2,
    "going": 2,
    "someone": 2,
    "anyone": 3,
    "everyone": 3,
    "sometimes": 2,
    "something": 2,
    "anything": 3,
    "everything": 3,
    "nothing": 2,
    "somewhere": 2,
    "elsewhere": 2,
    "whole": 1,
    "before": 2,
    "more": 1,
    "sure": 1,
    "are": 1,
    "were": 1,
    "there": 1,
    "where": 1,
    "here": 1,
    "these": 1,
    "those": 1,
    "one": 1,
    "once": 1,
    "people": 2,
    "able": 2,
    "table": 2,
    "single": 2,
    "ankle": 2,
    "little": 2,
    "simple": 2,
    "trouble": 2,
    "tingle": 2,
    "tingling": 2,
    "middle": 2,
    "bottle": 2,
    "muscle": 2,
    "muscles": 2,
    "cancer": 2,
    "diagnosis": 4,
    "saddle": 2,
    "spine": 1,
    "spinal": 2,
    "tumour": 2,
    "tumor": 2,
    "tumours": 2,
    "tumors": 2,
    "sciatica": 4,
    "cauda": 2,
    "equina": 3,
    "mri": 3,
    "nhs": 3,
    "nice": 1,
    "gp": 2,
    "scan": 1,
    "scans": 1,
    "science": 2,
    "quiet": 2,
    "via": 2,
    "create": 2,
    "fluid": 2,
    "realise": 3,
    "realize": 3,
    "really": 2,
    "usually": 4,
    "unusual": 4,
    "actual": 3,
    "actually": 4,
    "period": 3,
    "serious": 3,
    "radiculopathy": 6,
    "myelopathy": 5,
    "sarcoma": 3,
    "metastatic": 4,
    "biopsy": 3,
    "pee": 1,
    "poo": 1,
    "toilet": 2,
    "fire": 1,
    "tired": 1,
    "hour": 1,
    "hours": 1,
    "our": 1,
    "yourself": 2,
    "chest": 1,
    "worse": 1,
    "course": 1,
    "pharmacist": 3,
    "emergency": 4,
    "department": 3,
    "wednesday": 2,
    "business": 2,
    "every": 2,
    "different": 3,
    "evening": 2,
    "interest": 3,
    "family": 3,
    "several": 3,
    "general": 3,
    "camera": 3,
    "average": 3,
    "whether": 2,
}

_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,]\d+)*")
_SENTENCE_END_RE = re.compile(r"[.!?]+(?=\s|$)|[\n\r]+|:\s*\n")
_TEMPLATE_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def count_syllables(word: str) -> int:
    """Syllables in one English word (heuristic with exceptions; numbers count per digit)."""
    w = word.lower().replace("’", "'")
    if not w:
        return 0
    if w[0].isdigit():
        digits = re.sub(r"\D", "", w)
        return max(1, min(len(digits), 3))
    if "'" in w:  # contractions and possessives: don't, I'll, it's, you're
        w = (
            w.split("'")[0]
            if w.endswith(("'s", "'t", "'ll", "'re", "'ve", "'d", "'m"))
            else w.replace("'", "")
        )
        if not w:
            return 1
    if w in SYLLABLE_EXCEPTIONS:
        return SYLLABLE_EXCEPTIONS[w]
    if len(w) <= 3:
        return 1
    base = w
    # Silent e before a suffix: safely, movement, careful, homeless.
    base = re.sub(r"([^aeiouy])e(ly|ful|ment|ness|less)$", r"\1\2", base)
    # Silent endings: -ed after most consonants, -es after most consonants, final silent e.
    if re.search(r"[^aeiouy]ed$", base) and not re.search(r"[td]ed$", base):
        base = base[:-2]
    elif re.search(r"[^aeiouy]es$", base) and not re.search(r"(?:[sxzcg]|ch|sh)es$", base):
        base = base[:-2]
    elif base.endswith("e") and not base.endswith(("le", "ee", "ye", "ie")):
        base = base[:-1]
    groups = re.findall(r"[aeiouy]+", base)
    n = len(groups)
    # Vowel pairs that usually split into two syllables (radiating, fluid, area), except in
    # -tion/-sion/-cial/-tial/-cious and after q (quiet is an exception above).
    for m in re.finditer(r"(?<!q)(ia|io|iu|ua|uo|eo)", base):
        before = base[max(0, m.start() - 1) : m.start()]
        if before in ("t", "s", "c", "g") and m.group(1) in ("ia", "io", "iu"):
            continue
        n += 1
    return max(1, n)


def words_of(text: str) -> List[str]:
    return _WORD_RE.findall(text)


def sentences_of(text: str) -> List[str]:
    parts = [p.strip() for p in _SENTENCE_END_RE.split(text)]
    return [p for p in parts if words_of(p)]


def prepare(text: str, values: Dict[str, str] | None = None) -> str:
    """Text as a patient reads it: templates filled, citation lines removed, bullets cleaned."""
    values = {**TEMPLATE_VALUES, **(values or {})}
    text = _TEMPLATE_RE.sub(lambda m: values.get(m.group(1), m.group(1).replace("_", " ")), text)
    kept = [
        line for line in text.splitlines() if not line.strip().lower().startswith(("source:", "sources:"))
    ]
    text = "\n".join(kept)
    text = re.sub(r"^\s*[-•*]\s+", "", text, flags=re.MULTILINE)
    return text.strip()


def fk_grade(text: str) -> float:
    """Flesch–Kincaid grade of already prepared text. Empty text scores 0."""
    words = words_of(text)
    if not words:
        return 0.0
    sentences = max(1, len(sentences_of(text)))
    syllables = sum(count_syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


def grade(text: str) -> float:
    """Reading grade of a raw response text (templates and citation lines handled)."""
    return fk_grade(prepare(text))


def load_responses(directory: Path = RESPONSES_DIR) -> Dict[str, List[dict]]:
    """All responses from every YAML file in the directory: name -> list of variants."""
    out: Dict[str, List[dict]] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (data.get("responses") or {}).items():
            out[name] = variants
    return out


def iter_texts(directory: Path = RESPONSES_DIR) -> Iterator[Tuple[str, str]]:
    """(label, text) for every response variant that has text; label is name or name[i]."""
    for name, variants in load_responses(directory).items():
        for i, variant in enumerate(variants or []):
            text = (variant or {}).get("text")
            if text:
                yield (name if len(variants) == 1 else f"{name}[{i}]"), text


def grades(directory: Path = RESPONSES_DIR) -> Dict[str, float]:
    return {label: grade(text) for label, text in iter_texts(directory)}


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=RESPONSES_DIR, help="responses directory")
    parser.add_argument("--check", action="store_true", help="exit 1 if a text is above --max")
    parser.add_argument("--max", type=float, default=DEFAULT_MAX_GRADE, help="highest grade allowed")
    parser.add_argument("--quiet", action="store_true", help="only the summary and failures")
    args = parser.parse_args(argv)

    table = grades(args.dir)
    if not table:
        print(f"no response texts found in {args.dir}")
        return 1 if args.check else 0
    width = max(len(k) for k in table)
    too_hard = {k: g for k, g in table.items() if g > args.max}
    for label, g in sorted(table.items(), key=lambda kv: -kv[1]):
        if not args.quiet or label in too_hard:
            flag = "  <-- above max" if label in too_hard else ""
            print(f"{label:<{width}}  {g:5.1f}{flag}")
    values = list(table.values())
    print(
        f"\ntexts: {len(values)}  max: {max(values):.1f}  mean: {sum(values) / len(values):.1f}"
        f"  above {args.max:g}: {len(too_hard)}"
    )
    return 1 if args.check and too_hard else 0


if __name__ == "__main__":
    sys.exit(main())
