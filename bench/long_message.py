"""Does one very long message hold up other patients? Prints the numbers (not a test).

One patient sends a 100,000-character message (the most the REST channel takes; the server reads
the first 10,000, channels/inbound.py), of emoji, then of words, while another patient keeps
chatting; the other patient's turn times are printed, beside the same turns with nobody else on
the server.

    python -m bench.long_message [--chars N] [--baseline-turns N]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from tooling.stack import Stack, running_stack

SHORT_TURN = "why do you ask?"  # answered, then the pending question again: the state stays put
SENTENCE = "My lower back has hurt for weeks and it gets worse when I sit at my desk all day. "


def _timed_turn(stack: Stack, sender: str, message: str) -> float:
    started = time.perf_counter()
    stack.say(sender, message)
    return time.perf_counter() - started


def _ms(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"n={len(seconds)} p50 {1000 * statistics.median(seconds):.0f} ms, "
        f"p95 {1000 * p95:.0f} ms, max {1000 * max(seconds):.0f} ms"
    )


def _while_long(stack: Stack, message: str) -> tuple[float, list[float]]:
    """The long message's turn time, and the other patient's turn times while it ran."""
    long_took: list[float] = []
    worker = threading.Thread(target=lambda: long_took.append(_timed_turn(stack, "bench-long", message)))
    during: list[float] = []
    worker.start()
    while worker.is_alive():
        during.append(_timed_turn(stack, "bench-other", SHORT_TURN))
    worker.join()
    return long_took[0], during


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--chars", type=int, default=100_000, help="length of the long message")
    parser.add_argument("--baseline-turns", type=int, default=20)
    args = parser.parse_args()
    messages = {
        "emoji": "😀" * args.chars,
        "words": (SENTENCE * (args.chars // len(SENTENCE) + 1))[: args.chars],
    }
    with running_stack() as stack:
        for sender in ("bench-long", "bench-other"):
            stack.say(sender, "my lower back hurts")
            stack.say(sender, '/affirm{"answer_to":"consent"}')
        baseline = [_timed_turn(stack, "bench-other", SHORT_TURN) for _ in range(args.baseline_turns)]
        print(f"another patient's turn, server otherwise idle: {_ms(baseline)}")
        for kind, message in messages.items():
            took, during = _while_long(stack, message)
            print(f"{args.chars:,} characters of {kind}: the turn took {1000 * took:.0f} ms")
            print(f"  another patient's turns meanwhile: {_ms(during)}")


if __name__ == "__main__":
    main()
