"""Build the learned answer readers: python -m answers.build (make answers does it when needed).

A module of its own so that the pickled models name answers.classifier, not __main__.
"""

from __future__ import annotations

import time

from answers.classifier import MODEL_FILE, build, load_corpus


def main() -> None:
    started = time.perf_counter()
    corpus = load_corpus()
    path = build(MODEL_FILE, corpus)
    print(
        f"answer readers: {len(corpus)} labelled replies -> {path} in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
