"""Learned answer readers, trained on the answer corpus (data/answers/*.yml).

Two kinds of model, both TF-free scikit-learn (word and character n-grams, logistic regression):

* reply models: given the pending question and the message, yes / no / unsure / none (or one /
  both for the sides questions). One model for the symptom questions, with the question as a
  feature; one for "has it got better?" (where "fine" means yes); one for the sides questions.
* sign detectors: for each emergency sign, does this message describe it, whatever was asked?
  They only ever make a sign *possible* (asked next, the words read back), never recorded.

Patterns tuned case by case fit the phrasings they were tuned on; these learn from a corpus
written in many voices, and are judged on a held-out set that no training reads
(bench/answer_eval.py).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "data" / "answers"
MODEL_FILE = Path(__file__).resolve().parent / "model" / "answers.joblib"
MODEL_ENV = "ANSWER_MODEL"

SIDES_QUESTIONS = frozenset({"weakness_sides", "numbness_sides"})
TREND_QUESTIONS = frozenset({"improving"})
NUMBER_QUESTIONS = frozenset({"age", "duration_days"})
# The signs a detector is trained for: those that can fire an emergency rule on their own.
SIGN_FACTS = ("bladder_bowel", "saddle_numbness", "weakness", "walking_balance", "major_injury", "numbness")
# A sign description needs some words: "yes" or "yep definitely" describes nothing.
MIN_SIGN_WORDS = 4
# A detector needs at least this many descriptions of its sign to be trained at all.
MIN_SIGN_EXAMPLES = 5
# Logistic-regression inverse regularisation: tuned on a split of the training corpus only.
REPLY_C = 8.0
SIGN_C = 4.0


@dataclass(frozen=True)
class Example:
    question: str
    text: str
    answer: str
    hedged: bool
    other: dict[str, Any]


def load_corpus(paths: Optional[Iterable[Path]] = None) -> list[Example]:
    """All labelled answers in the given files (default: every data/answers/*.yml)."""
    files = sorted(paths) if paths is not None else sorted(CORPUS_DIR.glob("*.yml"))
    out: list[Example] = []
    for path in files:
        for row in yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []:
            if not isinstance(row, dict) or "q" not in row or "text" not in row:
                continue
            out.append(
                Example(
                    question=str(row["q"]),
                    text=str(row["text"]),
                    answer=_label(row.get("answer")),
                    hedged=bool(row.get("hedged", False)),
                    other=dict(row.get("other") or {}),
                )
            )
    return out


def _label(raw: Any) -> str:
    """YAML reads an unquoted yes/no as a boolean: map it back."""
    if raw is True:
        return "yes"
    if raw is False:
        return "no"
    return str(raw).strip().lower()


def model_group(question: str) -> Optional[str]:
    """Which reply model reads answers to this question (None: numbers, read by the NLU)."""
    if question in NUMBER_QUESTIONS:
        return None
    if question in SIDES_QUESTIONS:
        return "sides"
    if question in TREND_QUESTIONS:
        return "trend"
    return "symptom"


def _texts(rows: list[tuple[str, str]]) -> list[str]:
    return [text for _, text in rows]


def _questions(rows: list[tuple[str, str]]) -> list[str]:
    return [f"q_{question}" for question, _ in rows]


def _features(question_feature: bool) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    texts = FunctionTransformer(_texts)
    parts: list[tuple[str, Any]] = [
        ("words", make_pipeline(texts, TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True))),
        (
            "chars",
            make_pipeline(
                FunctionTransformer(_texts),
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
            ),
        ),
    ]
    if question_feature:
        parts.append(
            ("question", make_pipeline(FunctionTransformer(_questions), CountVectorizer(binary=True)))
        )
    return FeatureUnion(parts)


def _pipeline(question_feature: bool, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            ("features", _features(question_feature)),
            ("model", LogisticRegression(C=c, max_iter=2000, class_weight="balanced")),
        ]
    )


def _frame(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The models read (question, text) pairs."""
    return rows


REPLY_LABELS = {
    "symptom": ("yes", "no", "unsure", "none"),
    "trend": ("yes", "no", "unsure", "none"),
    "sides": ("one", "both", "unsure", "none"),
}


def train(examples: list[Example]) -> dict[str, Any]:
    """Fit every model on the corpus; returns the bundle that build() saves."""
    bundle: dict[str, Any] = {"replies": {}, "signs": {}}
    for group, labels in REPLY_LABELS.items():
        rows = [e for e in examples if model_group(e.question) == group and e.answer in labels]
        if group == "trend":  # "why do you ask?" is not an answer to any question
            rows += [e for e in examples if e.answer == "none" and model_group(e.question) == "symptom"]
        if len({e.answer for e in rows}) < 2:
            continue
        pipe = _pipeline(question_feature=group == "symptom", c=REPLY_C)
        pipe.fit(_frame([(e.question, e.text) for e in rows]), [e.answer for e in rows])
        bundle["replies"][group] = pipe
    for sign in SIGN_FACTS:
        sign_labels = [1 if describes(e, sign) else 0 for e in examples]
        if sum(sign_labels) < MIN_SIGN_EXAMPLES:
            continue
        pipe = _pipeline(question_feature=False, c=SIGN_C)
        pipe.fit(_frame([("", e.text) for e in examples]), sign_labels)
        bundle["signs"][sign] = pipe
    return bundle


def describes(example: Example, sign: str) -> bool:
    """A corpus row describes the sign as the patient's, now (a yes in words, or in passing)."""
    if example.other.get(sign) == "present":
        return True
    long_enough = len(example.text.split()) >= MIN_SIGN_WORDS
    return example.question == sign and example.answer == "yes" and long_enough and not example.hedged


def build(out: Path = MODEL_FILE, corpus: Optional[list[Example]] = None) -> Path:
    import joblib

    bundle = train(corpus if corpus is not None else load_corpus())
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(bundle, out)
    return out


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float


class AnswerReader:
    """Loaded models; cheap to call (a few hundred microseconds per message)."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        self._replies = bundle.get("replies", {})
        self._signs = bundle.get("signs", {})
        self._last_signs: tuple[Optional[str], dict[str, float]] = (None, {})
        # The sign detectors are trained on the same texts with the same features, so their fitted
        # vectorizers are identical: when they are, a message is vectorized once for all of them
        # (the same numbers; measured 3 ms a turn less), else each detector reads it as trained.
        pipes = list(self._signs.values())
        shared = pipes and all(_same_features(pipes[0], p) for p in pipes[1:])
        self._shared_features = pipes[0].named_steps["features"] if shared else None

    def reply(self, question: str, text: str) -> Optional[Prediction]:
        group = model_group(question)
        pipe = self._replies.get(group) if group else None
        if pipe is None or not text.strip():
            return None
        x = _union_features(pipe.named_steps["features"], _frame([(question, text)]))
        probs = pipe.named_steps["model"].predict_proba(x)[0]
        best = int(probs.argmax())
        return Prediction(str(pipe.classes_[best]), float(probs[best]))

    def signs(self, text: str) -> dict[str, float]:
        """Probability that the message describes each emergency sign (the interpreter asks
        several times per message: the last message's answer is kept)."""
        if len(text.split()) < MIN_SIGN_WORDS or not self._signs:
            return {}
        if self._last_signs[0] != text:
            frame = _frame([("", text)])
            if self._shared_features is not None:
                x = _union_features(self._shared_features, frame)
                found = {
                    sign: float(pipe.named_steps["model"].predict_proba(x)[0][1])
                    for sign, pipe in self._signs.items()
                }
            else:
                found = {sign: float(pipe.predict_proba(frame)[0][1]) for sign, pipe in self._signs.items()}
            self._last_signs = (text, found)
        return dict(self._last_signs[1])


def _union_features(union: Any, frame: list[tuple[str, str]]) -> Any:
    """What ``union.transform(frame)`` gives, without sklearn's per-call overhead: FeatureUnion
    runs its parts through joblib, and each TfidfVectorizer re-derives its idf weights from a
    sparse matrix to check that it is fitted. For one message per call that overhead was most of
    the readers' time (docs/performance.md). Same steps, same numbers (tests/unit/test_answers.py
    compares the probabilities on the corpus)."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.preprocessing import FunctionTransformer, normalize

    parts = []
    for _, part in union.transformer_list:
        x: Any = frame
        for _, step in part.steps:
            if isinstance(step, FunctionTransformer) and step.inverse_func is None and not step.validate:
                x = step.func(x, **(step.kw_args or {}))
            elif isinstance(step, TfidfVectorizer):
                counts = CountVectorizer.transform(step, x).astype(np.float64)
                if step.sublinear_tf:
                    np.log(counts.data, counts.data)
                    counts.data += 1
                if step.use_idf:
                    counts = counts @ step._tfidf._idf_diag
                x = normalize(counts, norm=step.norm, copy=False) if step.norm else counts
            else:
                x = step.transform(x)
        parts.append(x)
    return sparse.hstack(parts).tocsr()


def _vectorizers(pipe: Any) -> list[Any]:
    return [part.steps[-1][1] for _, part in pipe.named_steps["features"].transformer_list]


def _same_features(a: Any, b: Any) -> bool:
    """Whether two fitted pipelines turn a text into the same numbers (same parts, parameters,
    vocabularies and idf weights)."""
    import numpy as np

    va, vb = _vectorizers(a), _vectorizers(b)
    names = [n for n, _ in a.named_steps["features"].transformer_list]
    return (
        names == [n for n, _ in b.named_steps["features"].transformer_list]
        and len(va) == len(vb)
        and all(
            repr(x.get_params()) == repr(y.get_params())
            and x.vocabulary_ == y.vocabulary_
            and np.array_equal(getattr(x, "idf_", np.empty(0)), getattr(y, "idf_", np.empty(0)))
            for x, y in zip(va, vb, strict=True)
        )
    )


@functools.lru_cache(maxsize=1)
def default_reader() -> Optional[AnswerReader]:
    """The built models, or None when they were never built (the interpreter then uses words only)."""
    path = Path(os.environ.get(MODEL_ENV, MODEL_FILE))
    if not path.exists():
        return None
    import joblib

    return AnswerReader(joblib.load(path))
