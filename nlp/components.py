"""Custom spaCy factories of the triage pipeline. Import this module before ``spacy.load``.

Why a module of their own: ``spacy.load("nlp/model")`` (ours, or Rasa's ``SpacyNLP``) can only
rebuild components whose factories are registered, so every process that loads the model imports
this first (``nlp.facts.load_nlp`` and ``nlp.rasa_component`` do).
"""

import json
import logging
from pathlib import Path
from typing import Any, Iterable

from spacy.language import Language
from spacy.tokens import Doc

# medspaCy (its factories, Span._.is_negated & co.) without QuickUMLS: see nlp/medspacy_light.py.
from nlp import anchored  # noqa: F401  (registers the anchored entity ruler's factory)
from nlp.medspacy_light import ConText, ConTextRule

# A texted g-dropping ("walkin", "killin'") is repaired only for words at least this long: shorter
# ones are real words more often than not ("thin" / "thing", "sin" / "sing", "pin" / "ping").
MIN_G_DROPPED_LEN = 5
# Fuzzy typo repair only for words at least this long: short words are too often real words
# one letter away from a keyword ("every" / "fever", "numb" / "dumb"); short typos are listed.
MIN_FUZZY_LEN = 6
RULES_FILE = "rules.json"
# Words that may stand between a dialect "me" and the body word it owns ("me left leg").
BODY_WORD_MODIFIERS = frozenset(
    {
        "left",
        "right",
        "lower",
        "upper",
        "low",
        "bad",
        "sore",
        "poor",
        "whole",
        "other",
        "good",
        "dodgy",
        "gammy",
        "crook",
    }
)


def quiet_noisy_loggers() -> None:
    """PyRuSH (pulled in by medspaCy) logs every sentence at DEBUG through loguru: silence it."""
    try:
        from loguru import logger as loguru_logger

        loguru_logger.disable("PyRuSH")
        loguru_logger.disable("medspacy")
    except ImportError:  # loguru is optional for us
        pass
    for name in ("PyRuSH", "medspacy"):
        logging.getLogger(name).setLevel(logging.WARNING)


quiet_noisy_loggers()


def _deletes(word: str) -> set[str]:
    """All strings one deletion away from ``word``."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class TypoNormalizer:
    """Rewrite ``token.norm_`` of misspelt key words to their canonical spelling.

    Why: patients type on phones ("numbess", "bladdr", "weekness"). Patterns match on NORM, so
    repairing NORM here lets one clean pattern cover the typos, while the text and the character
    offsets stay exactly as written. Explicit typos come from a list; otherwise a word one edit
    away from a keyword (insert, delete or substitute one letter) is repaired, unless it is a
    protected real word ("cancel" is not "cancer").
    """

    def __init__(
        self,
        typos: dict[str, str],
        keywords: list[str],
        protected: list[str],
        dialect_possessives: Iterable[str] = (),
        possessed: Iterable[str] = (),
        name_before: Iterable[str] = (),
        not_names: Iterable[str] = (),
        ing_words: Iterable[str] = (),
        side_letters: dict[str, str] | None = None,
    ) -> None:
        # "-ing" words the patterns use: their texted forms without the g read as them
        self.g_dropped = {w[:-1]: w for w in (x.lower() for x in ing_words) if len(w) > MIN_G_DROPPED_LEN}
        self.side_letters = {k.lower(): v.lower() for k, v in (side_letters or {}).items()}
        self.name_before = {w.lower() for w in name_before}
        self.not_names = {w.lower() for w in not_names} | {p.lower() for p in possessed}
        self.possessives = {p.lower() for p in dialect_possessives}
        self.possessed = {p.lower() for p in possessed}
        self.typos = {k.lower(): v.lower() for k, v in typos.items()}
        self.keywords = sorted({k.lower() for k in keywords})
        self.protected = {p.lower() for p in protected}
        self._keyword_set = set(self.keywords)
        self._by_delete: dict[str, list[str]] = {}
        for keyword in self.keywords:
            for variant in _deletes(keyword):
                self._by_delete.setdefault(variant, []).append(keyword)

    def repair(self, word: str) -> str | None:
        """The canonical spelling of ``word``, or None if it is not a known typo."""
        if word in self.typos:
            return self.typos[word]
        g_dropped = self.g_dropped.get(word.rstrip("'’"))
        if g_dropped is not None and word not in self.protected:
            return g_dropped  # "walkin", "killin'", "shootin": texted without the g
        if word.endswith("s") and word[:-1] in self._keyword_set:
            return None  # a plural is not a typo ("accidents" must stay plural)
        if (
            len(word) < MIN_FUZZY_LEN
            or not word.isalpha()
            or word in self._keyword_set
            or word in self.protected
        ):
            return None
        candidates = set(self._by_delete.get(word, ()))  # a letter missing
        for variant in _deletes(word):
            if variant in self._keyword_set:  # a letter too many
                candidates.add(variant)
            candidates.update(self._by_delete.get(variant, ()))  # a letter wrong
        candidates = {c for c in candidates if len(c) >= MIN_FUZZY_LEN}
        return min(candidates) if candidates else None

    def _body_word_after(self, doc: Doc, i: int) -> bool:
        """A body word here, or after one side or state word ("me left leg", "me lower back")."""
        if doc[i].norm_ in self.possessed:
            return True
        modifier = doc[i].lower_ in BODY_WORD_MODIFIERS
        return modifier and i + 1 < len(doc) and doc[i + 1].norm_ in self.possessed

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            fixed = self.repair(token.lower_)
            if fixed is not None:
                token.norm_ = fixed
        for token in doc[:-1]:
            # "bk of my R leg", "L foot": a side letter before a body word is that side
            side = self.side_letters.get(token.lower_)
            if side is not None and self._body_word_after(doc, token.i + 1):
                token.norm_ = side
        for token in doc[:-1]:
            # "can't feel me backside": a dialect possessive before a body word reads as "my"
            if token.lower_ in self.possessives and self._body_word_after(doc, token.i + 1):
                token.norm_ = "my"
        for token in doc:
            if self._names_someone(doc, token):
                token.norm_ = "relative"
        return doc

    def _names_someone(self, doc: Doc, token: Any) -> bool:
        """ "my Ken", "Dennis's": a person's name (capitalised, not a known word, not first in
        its sentence unless "'s" follows), so what is said of them is not the patient's."""
        if not (token.is_title and token.is_alpha and len(token) > 1) or token.lower_ in self.not_names:
            return False
        before = doc[token.i - 1].lower_ if token.i > 0 else ""
        after = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
        sentence_start = token.is_sent_start or (
            token.i > 0 and doc[token.i - 1].text in (".", "!", "?", "\n")
        )
        possessive = after in ("'s", "’s") and token.i > 0 and not sentence_start
        return before in self.name_before or possessive


@Language.factory(
    "typo_normalizer",
    default_config={
        "typos": {},
        "keywords": [],
        "protected": [],
        "dialect_possessives": [],
        "possessed": [],
        "name_before": [],
        "not_names": [],
        "ing_words": [],
        "side_letters": {},
    },
)
def make_typo_normalizer(
    nlp: Language,
    name: str,
    typos: dict[str, str],
    keywords: list[str],
    protected: list[str],
    dialect_possessives: list[str],
    possessed: list[str],
    name_before: list[str],
    not_names: list[str],
    ing_words: list[str],
    side_letters: dict[str, str],
) -> TypoNormalizer:
    """Factory for ``TypoNormalizer`` (its word lists live in the saved config)."""
    return TypoNormalizer(
        typos,
        keywords,
        protected,
        dialect_possessives,
        possessed,
        name_before,
        not_names,
        ing_words,
        side_letters,
    )


def _rule_kwargs(rule: dict[str, Any]) -> dict[str, Any]:
    """ConTextRule keyword arguments from a saved rule dict (lists back to sets)."""
    kwargs = dict(rule)
    for key in ("terminated_by", "allowed_types", "excluded_types"):
        if kwargs.get(key) is not None:
            kwargs[key] = {str(v).upper() for v in kwargs[key]}
    return kwargs


@Language.factory(
    "triage_context",
    default_config={"max_scope": None, "prune_on_target_overlap": True},
)
class TriageContext(ConText):  # type: ignore[misc]  # medspaCy ships no type information
    """medspaCy ConText whose rule set is saved with the model.

    Why a subclass: medspaCy 1.3.1's ConText has no ``to_disk``/``from_disk``, so rules added with
    ``.add()`` (our lay-language rules) would be lost by ``nlp.to_disk``. This keeps the medspaCy
    default rules plus ours in ``rules.json`` inside the model. ``prune_on_target_overlap`` is on:
    a negation word inside a symptom phrase ("can't pee", "not able to walk") is part of the
    symptom, not a negation of the words after it.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "triage_context",
        max_scope: int | None = None,
        prune_on_target_overlap: bool = True,
    ) -> None:
        super().__init__(
            nlp,
            name=name,
            rules=None,
            max_scope=max_scope,
            prune_on_target_overlap=prune_on_target_overlap,
        )
        self.rule_dicts: list[dict[str, Any]] = []

    def add_rule_dicts(self, rule_dicts: Iterable[dict[str, Any]]) -> None:
        """Add rules given as plain dicts (the form they are saved in)."""
        rule_dicts = list(rule_dicts)
        # ConTextRule.from_dict rejects terminated_by, so build the rules directly.
        self.add([ConTextRule(**_rule_kwargs(d)) for d in rule_dicts])
        self.rule_dicts.extend(rule_dicts)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with open(path / RULES_FILE, "w", encoding="utf-8") as f:
            json.dump({"context_rules": self.rule_dicts}, f, indent=1, sort_keys=True)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "TriageContext":
        with open(Path(path) / RULES_FILE, encoding="utf-8") as f:
            self.add_rule_dicts(json.load(f)["context_rules"])
        return self
