"""Build the symptom-fact spaCy pipeline from nlp/patterns/*.yml and save it (default nlp/model).

Why a build step: the pattern files are the reviewed source; the saved model is a reproducible
artefact (same inputs -> same files) that both ``nlp.facts.load_nlp`` and Rasa's ``SpacyNLP``
can load. Usage: ``.venv/bin/python nlp/build_pipeline.py [--out nlp/model]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as a script: make "nlp" importable from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import spacy  # noqa: E402
from spacy.attrs import NORM, ORTH  # noqa: E402
from spacy.language import Language  # noqa: E402
from spacy.pipeline.sentencizer import Sentencizer  # noqa: E402

from nlp import anchored, components  # noqa: E402  (registers our factories: typo_normalizer, the ruler, ...)
from nlp.dsl import compile_phrase  # noqa: E402
from nlp.phrases import as_phrases  # noqa: E402

NLP_DIR = Path(__file__).resolve().parent
PATTERN_DIR = NLP_DIR / "patterns"
REPO_ROOT = NLP_DIR.parent
FACTS_FILE = REPO_ROOT / "triage" / "facts.yml"
DEFAULT_OUT = NLP_DIR / "model"
# "..", "...", up to a row of dots, and the one-character ellipsis (with dots after it)
ELLIPSES = tuple("." * n for n in range(2, 13)) + tuple("\u2026" + "." * n for n in range(0, 6))
SPECIAL_FILES = {"named_days.yml", "context.yml", "typos.yml", "cues.yml"}
POLARITIES = ("present", "absent", "neutral", "ignore")
IGNORE_LABEL = "IGNORE"  # swallows phrases that must not be read as any fact
# medspaCy 1.3.1's tuple_overlaps misses a scope that contains another, so a terminator with a
# whole-sentence scope never cuts a short (max_scope) negation. A 1-token scope around the
# terminator (or pseudo / patient marker) makes the overlap test see it.
TERMINATOR_SCOPE = 1


def _load_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def known_facts() -> set[str]:
    """Fact names of the contract (triage/facts.yml)."""
    return set(_load_yaml(FACTS_FILE)["facts"])


def ruler_patterns(nlp: Language) -> list[dict[str, Any]]:
    """EntityRuler patterns from the topic files; label = fact, id = polarity."""
    facts = known_facts()
    patterns: list[dict[str, Any]] = []
    for path in sorted(PATTERN_DIR.glob("*.yml")):
        if path.name in SPECIAL_FILES:
            continue
        for fact, by_polarity in (_load_yaml(path) or {}).items():
            if fact not in facts:
                raise ValueError(f"{path.name}: {fact!r} is not a fact of {FACTS_FILE.name}")
            for polarity, phrases in by_polarity.items():
                if polarity not in POLARITIES:
                    raise ValueError(f"{path.name}: {fact}.{polarity} is not one of {POLARITIES}")
                label = IGNORE_LABEL if polarity == "ignore" else fact
                for phrase in phrases:
                    for tokens in compile_phrase(nlp, phrase, possessives=fact in POSSESSIVE_FACTS):
                        patterns.append({"label": label, "pattern": tokens, "id": polarity})
    return patterns


# The signs a relative typing for the patient describes with "his" / "her" ("she can't feel her
# bum", "his legs are weak"): their phrases also match those possessives. Not the injury or pain
# phrases, where "broke his back" is nearly always someone else's story.
POSSESSIVE_FACTS = frozenset(
    {"bladder_bowel", "saddle_numbness", "weakness", "numbness", "walking_balance", "weakness_worsening"}
)


def context_rule_dicts(nlp: Language) -> list[dict[str, Any]]:
    """medspaCy default ConText rules (minus the dropped ones) plus ours, as plain dicts."""
    spec = _load_yaml(PATTERN_DIR / "context.yml")
    drop = set(spec.get("drop_default", []))
    default_file = Path(components.ConText.__init__.__code__.co_filename).resolve()  # type: ignore[attr-defined]  # medspaCy's class, re-exported
    default_path = default_file.parents[2] / "resources" / "en" / "context_rules.json"
    with open(default_path, encoding="utf-8") as f:
        defaults = json.load(f)["context_rules"]
    rules = [dict(r) for r in defaults if r["literal"] not in drop]
    for rule in spec["rules"]:
        extra = {k: v for k, v in rule.items() if k not in ("pattern", "tokens", "literal")}
        if "tokens" in rule:
            rules.append({"literal": rule["literal"], "pattern": rule["tokens"], **extra})
            continue
        for tokens in compile_phrase(nlp, rule["pattern"]):
            literal = " ".join(
                str(t.get("NORM", t.get("TEXT", "?"))) for t in tokens
            )  # readable name for debugging
            rules.append({"literal": literal, "pattern": tokens, **extra})
    for rule in rules:
        if rule["direction"].upper() in ("TERMINATE", "PSEUDO") and not rule.get("max_scope"):
            rule["max_scope"] = TERMINATOR_SCOPE
    return rules


def _shouted_contractions(nlp: Language) -> None:
    """Split "CANT", "DONT", "I'M" as spaCy splits "cant", "dont", "i'm": its special cases are
    written in lower and title case only, and a patient in pain often types in capitals."""
    tokenizer: Any = nlp.tokenizer  # spaCy types it as a plain callable; it is a Tokenizer
    for text, pieces in list(tokenizer.rules.items()):
        upper = text.upper()
        if upper == text or not text.isascii() or upper in tokenizer.rules:
            continue
        tokenizer.add_special_case(
            upper,
            [{ORTH: p[ORTH].upper(), NORM: p.get(NORM, p[ORTH].lower())} for p in pieces],
        )


def _pattern_words(patterns: list[dict[str, Any]], rules: list[dict[str, Any]]) -> set[str]:
    """Every literal NORM the entity patterns and ConText rules match."""
    found: set[str] = set()
    token_lists = [p["pattern"] for p in patterns] + [r["pattern"] for r in rules if r.get("pattern")]
    found.update(w for r in rules if not r.get("pattern") for w in str(r["literal"]).lower().split())
    for tokens in token_lists:
        for spec in tokens:
            norm = spec.get("NORM")
            if isinstance(norm, str):
                found.add(norm)
            elif isinstance(norm, dict) and isinstance(norm.get("IN"), list):
                found.update(str(n) for n in norm["IN"])
    return found


def ing_words(words: set[str]) -> list[str]:
    """The "-ing" words of the patterns whose g-dropped form ("walkin") is not itself a pattern
    word: one repair in the typo normaliser covers every texted "-in" the patterns could meet."""
    return sorted(w for w in words if w.endswith("ing") and w.isalpha() and w[:-1] not in words)


def _apostrophe_g_dropped(nlp: Language, words: list[str]) -> None:
    """Keep "killin'" one token (read as "killing"): spaCy would split the apostrophe off, and a
    stray token in the middle of a phrase stops its pattern matching."""
    tokenizer: Any = nlp.tokenizer  # spaCy types it as a plain callable; it is a Tokenizer
    for word in words:
        for form in {word[:-1], word[:-1].capitalize(), word[:-1].upper()}:
            for apostrophe in ("'", "’"):
                tokenizer.add_special_case(form + apostrophe, [{ORTH: form + apostrophe, NORM: word}])


def build(out: Path | str | None = DEFAULT_OUT) -> Language:
    """Assemble the pipeline; save it to ``out`` unless ``out`` is None."""
    nlp = spacy.blank("en")
    _shouted_contractions(nlp)
    typos = _load_yaml(PATTERN_DIR / "typos.yml")
    # compiled first (they only need the tokenizer): the normaliser learns their "-ing" words
    patterns = ruler_patterns(nlp)
    rules = context_rule_dicts(nlp)
    g_words = ing_words(_pattern_words(patterns, rules))
    _apostrophe_g_dropped(nlp, [w for w in g_words if len(w) > components.MIN_G_DROPPED_LEN])
    nlp.add_pipe(
        "typo_normalizer",
        config={
            "typos": typos["typos"],
            "keywords": typos["keywords"],
            "protected": typos["protected"],
            "dialect_possessives": typos["dialect_possessives"],
            "possessed": typos["possessed"],
            "name_before": typos["name_before"],
            "not_names": typos["not_names"],
            "ing_words": g_words,
            "side_letters": typos["side_letters"],
        },
    )
    # An ellipsis ends a sentence too: older texters write "No problems there..... I get up in the
    # night to spend a penny", and a "no" must not reach across it into the next thought.
    punct = [*Sentencizer.default_punct_chars, *ELLIPSES]
    nlp.add_pipe("sentencizer", config={"punct_chars": punct})
    # spaCy's EntityRuler, its token patterns each run only on messages with a word it needs (nlp/anchored.py)
    ruler: Any = nlp.add_pipe(
        anchored.FACTORY, name="entity_ruler", config={"phrase_matcher_attr": "NORM", "overwrite_ents": True}
    )
    ruler.add_patterns(as_phrases(nlp, patterns))  # plain word sequences: phrase matcher
    context: Any = nlp.add_pipe("triage_context")  # spaCy types pipes as Pipe, without their methods
    context.add_rule_dicts(rules)
    nlp.meta["name"] = "triage_facts"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Back-pain triage symptom facts (rules; see nlp/patterns)"
    if out is not None:
        nlp.to_disk(out)
    return nlp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="model directory")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    nlp = build(args.out)
    ruler: Any = nlp.get_pipe("entity_ruler")
    context: Any = nlp.get_pipe("triage_context")
    n_patterns, n_rules = len(ruler.patterns), len(context.rule_dicts)
    elapsed = time.perf_counter() - started
    print(f"saved {args.out}: {n_patterns} entity patterns, {n_rules} ConText rules, {elapsed:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
