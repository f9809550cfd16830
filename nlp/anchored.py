"""The entity ruler with its token patterns split by a word each one needs (docs/performance.md).

Why: spaCy's Matcher starts every one of its ~8,000 token patterns at every token of a message,
and checks each one's first token there: most of the symptom reader's time (3.1 ms of 3.8 a
message over 10,307 texts from the data and personas on the reference machine), although a
message holds a handful of the words the patterns are about. Almost every pattern has a token
without an operator whose NORM is one word or IN a list of words: it cannot match a message
without one of those words. Here each pattern sits in a small Matcher per such word (the token
with the fewest), and a message runs only the Matchers of its own words, plus one for the
patterns with no such token; 0.47 ms a message on the same texts.

The matches are the same: each pattern is matched by spaCy's own Matcher on the same doc, only
on fewer docs, and the ruler merges all matches as one set (a pattern listed under two of a
message's words is found twice, and counted once), then picks entities as before
(tests/unit/test_anchored.py compares them with spaCy's EntityRuler).
"""

from typing import Any, Callable, Iterable, Optional

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import EntityRuler
from spacy.pipeline.entityruler import DEFAULT_ENT_ID_SEP
from spacy.tokens import Doc
from spacy.vocab import Vocab

FACTORY = "anchored_entity_ruler"


def needed_words(pattern: list[dict[str, Any]]) -> Optional[list[str]]:
    """The words of the token (without an operator, so always matched) whose NORM is one word or
    IN the fewest words: one of them must be in a message for the pattern to match. None if no
    token is such."""
    best: Optional[list[str]] = None
    for token in pattern:
        if "OP" in token:
            continue
        norm = token.get("NORM")
        if isinstance(norm, str):
            words = [norm]
        elif isinstance(norm, dict) and set(norm) == {"IN"} and all(isinstance(w, str) for w in norm["IN"]):
            words = list(norm["IN"])
        else:
            continue
        if words and (best is None or len(words) < len(best)):
            best = words
    return best


class AnchoredMatcher:
    """What the entity ruler needs of a Matcher (add, call, len, in, remove), one Matcher per word."""

    def __init__(self, vocab: Vocab, validate: bool = False) -> None:
        self._vocab = vocab
        self._validate = validate
        self._always = Matcher(vocab, validate=validate)  # patterns without a needed word
        self._by_norm: dict[int, Matcher] = {}
        self._keys: set[int] = set()

    def _normalize_key(self, key: Any) -> Any:
        return self._always._normalize_key(key)

    def _matchers(self) -> Iterable[Matcher]:
        return [self._always, *self._by_norm.values()]

    def add(
        self, key: Any, patterns: list[list[dict[str, Any]]], on_match: Any = None, greedy: Any = None
    ) -> None:
        """Each pattern to the Matcher of each of its needed words (or to the one for all)."""
        if on_match is not None or greedy is not None:
            # Both act on a key's matches together, which are here spread over several Matchers.
            raise NotImplementedError("on_match and greedy are not supported by the anchored matcher")
        for pattern in patterns:
            words = needed_words(pattern)
            if words is None:
                self._always.add(key, [pattern])
                continue
            for word in dict.fromkeys(words):
                norm = self._vocab.strings.add(word)
                matcher = self._by_norm.get(norm)
                if matcher is None:
                    matcher = self._by_norm[norm] = Matcher(self._vocab, validate=self._validate)
                matcher.add(key, [pattern])
        self._keys.add(self._normalize_key(key))

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Matches of the patterns that can match the doc (a pattern found twice is listed twice)."""
        found: list[tuple[int, int, int]] = list(self._always(doc))
        for norm in {token.norm for token in doc}:
            matcher = self._by_norm.get(norm)
            if matcher is not None:
                found.extend(matcher(doc))
        return found

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: Any) -> bool:
        return self._normalize_key(key) in self._keys

    def remove(self, key: Any) -> None:
        for matcher in self._matchers():
            if key in matcher:
                matcher.remove(key)
        self._keys.discard(self._normalize_key(key))


class AnchoredEntityRuler(EntityRuler):
    """spaCy's EntityRuler with the AnchoredMatcher for its token patterns."""

    def __init__(self, nlp: Language, name: str = "entity_ruler", **kwargs: Any) -> None:
        super().__init__(nlp, name, **kwargs)
        # The ruler uses only add, call, len, in and remove of its Matcher, which this one has.
        self.matcher = AnchoredMatcher(nlp.vocab, validate=self._validate)  # type: ignore[assignment]

    def clear(self) -> None:
        super().clear()
        self.matcher = AnchoredMatcher(self.nlp.vocab, validate=self._validate)  # type: ignore[assignment]


@Language.factory(
    FACTORY,
    assigns=["doc.ents", "token.ent_type", "token.ent_iob"],
    default_config={
        "phrase_matcher_attr": None,
        "validate": False,
        "overwrite_ents": False,
        "ent_id_sep": DEFAULT_ENT_ID_SEP,
        "scorer": {"@scorers": "spacy.entity_ruler_scorer.v1"},
    },
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_anchored_entity_ruler(
    nlp: Language,
    name: str,
    phrase_matcher_attr: Optional[str],
    validate: bool,
    overwrite_ents: bool,
    ent_id_sep: str,
    scorer: Optional[Callable[..., Any]],
) -> AnchoredEntityRuler:
    """Factory with the entity ruler's own settings."""
    return AnchoredEntityRuler(
        nlp,
        name,
        phrase_matcher_attr=phrase_matcher_attr,
        validate=validate,
        overwrite_ents=overwrite_ents,
        ent_id_sep=ent_id_sep,
        scorer=scorer,
    )
