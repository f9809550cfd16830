"""Intent accuracy on the held-out utterances (tests/nlu/heldout_intents.yml).

Trains nothing: loads an already-trained Rasa model, parses every held-out utterance with
``Agent.parse_message`` and prints per-intent precision / recall / F1, overall accuracy and the
confusion pairs (expected -> predicted, with the utterances).

    python -m bench.intent_eval                      # newest model in models/
    python -m bench.intent_eval models/x.tar.gz      # a given model
    python -m bench.intent_eval --check              # exit 1 if accuracy < 0.9

A prediction of ``nlu_fallback`` (FallbackClassifier below its threshold) counts as wrong: the
utterance would not have reached its intent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import os
import sys
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# The model names our own NLU component (nlp.rasa_component.FactExtractor): import from the repo.
DEFAULT_DATA = REPO / "tests" / "nlu" / "heldout_intents.yml"
DEFAULT_MODELS = REPO / "models"
# The --check gate: below this the NLU is not good enough to ship (the brief's acceptance bar).
MIN_ACCURACY = 0.9


def load_heldout(path: Path) -> list[tuple[str, str]]:
    """(text, expected intent) pairs from a Rasa 3.x NLU YAML file without entity annotations."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for block in doc.get("nlu", []):
        intent = block.get("intent")
        if not intent:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((line[2:].strip(), intent))
    return pairs


def newest_model(models_dir: Path) -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        sys.exit(f"no trained model (*.tar.gz) in {models_dir}; train one or pass a path")
    return models[-1]


async def predict(model: Path, texts: list[str]) -> list[tuple[str, float]]:
    # Loading prints deprecation noise from Rasa's dependencies; keep it unless loading fails.
    noise = io.StringIO()
    try:
        with contextlib.redirect_stderr(noise), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from rasa.core.agent import Agent

            agent = Agent.load(str(model))
    except Exception:
        sys.stderr.write(noise.getvalue())
        raise
    out = []
    for text in texts:
        result = await agent.parse_message(text)
        intent = result.get("intent") or {}
        out.append((intent.get("name") or "None", float(intent.get("confidence") or 0.0)))
    return out


def report(pairs, preds) -> float:
    expected = [e for _, e in pairs]
    predicted = [p for p, _ in preds]
    labels = sorted(set(expected) | set(predicted))
    tp, fp, fn = Counter(), Counter(), Counter()
    confusions = defaultdict(list)
    for (text, exp), (pred, conf) in zip(pairs, preds, strict=True):
        if exp == pred:
            tp[exp] += 1
        else:
            fp[pred] += 1
            fn[exp] += 1
            confusions[(exp, pred)].append((text, conf))

    width = max(len(label) for label in labels + ["intent"])
    print(f"{'intent':<{width}}  precision  recall     f1  support")
    rows = []
    for label in labels:
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        support = tp[label] + fn[label]
        rows.append((f1, label))
        print(f"{label:<{width}}  {p:9.3f}  {r:6.3f}  {f1:5.3f}  {support:7d}")

    accuracy = sum(tp.values()) / len(pairs) if pairs else 0.0
    print(f"\naccuracy: {accuracy:.3f} ({sum(tp.values())}/{len(pairs)})")
    worst = [f"{label} ({f1:.2f})" for f1, label in sorted(rows) if label in set(expected)][:3]
    print("worst intents (F1): " + ", ".join(worst))

    if confusions:
        print("\nconfusions (expected -> predicted):")
        for (exp, pred), items in sorted(confusions.items(), key=lambda kv: -len(kv[1])):
            print(f"  {exp} -> {pred}: {len(items)}")
            for text, conf in items:
                print(f"      {conf:.2f}  {text!r}")
    else:
        print("\nno confusions")
    return accuracy


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="trained model .tar.gz (default: newest in models/)")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="held-out NLU YAML file")
    parser.add_argument(
        "--models-dir",
        default=str(DEFAULT_MODELS),
        help="where to look for the newest model",
    )
    parser.add_argument("--check", action="store_true", help=f"exit 1 if accuracy < {MIN_ACCURACY}")
    parser.add_argument("--min-accuracy", type=float, default=MIN_ACCURACY, help="threshold for --check")
    args = parser.parse_args(argv)

    # Rasa and TF are chatty; keep the output to the numbers.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    try:  # Rasa logs each parse through structlog at debug level unless the CLI configured it.
        import structlog

        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    except ImportError:
        pass

    model = Path(args.model) if args.model else newest_model(Path(args.models_dir))
    pairs = load_heldout(Path(args.data))
    if not pairs:
        sys.exit(f"no examples in {args.data}")
    print(f"model: {model}\nheld-out: {args.data} ({len(pairs)} utterances)\n")
    preds = asyncio.run(predict(model, [t for t, _ in pairs]))
    accuracy = report(pairs, preds)
    if args.check and accuracy < args.min_accuracy:
        print(f"\nFAIL: accuracy {accuracy:.3f} < {args.min_accuracy}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
