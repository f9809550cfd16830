"""A plain `rasa init` bot with a TF-free pipeline: the yardstick bench/turn_cpu.py measures against.

Built once from the rasa init template shipped inside the installed Rasa (its NLU data, stories,
rules and domain, unchanged) with the config below, and cached under build/plain_bot/ (git-ignored):
a new build happens only when the config, the template or the Rasa version changes. It runs with
the same server entry point and environment as the assistant (scripts/rasa_server.py, SERVER_ENV),
so the two differ only in what they do per turn.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import rasa
import rasa.cli

from tooling.stack import ROOT, SERVER_ENV, START_TIMEOUT_S, VENV_BIN, free_port, get_ok, stop_process

BUILD_DIR = ROOT / "build" / "plain_bot"
TEMPLATE = Path(rasa.cli.__file__).parent / "initial_project"
TEMPLATE_FILES = ("domain.yml", "data/nlu.yml", "data/stories.yml", "data/rules.yml")
MODEL_NAME = "plain"
STAMP = BUILD_DIR / "stamp"
POLL_INTERVAL_S = 0.2

# The rasa init config with TensorFlow left out (DIETClassifier, ResponseSelector and TEDPolicy are
# its TF parts): the same tokenizer and featurizers, a scikit-learn intent classifier in DIET's
# place, the same fallback, Memoization + Rule policies. A TF-free bot is the fair comparison:
# the assistant's own pipeline is TF-free too (config.yml).
CONFIG = """\
recipe: default.v1
assistant_id: plain_rasa_init
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: LogisticRegressionClassifier
    random_state: 42
  - name: FallbackClassifier
    threshold: 0.3
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
"""
CREDENTIALS = "rest:\n"

# What a rasa init user says: every intent of its NLU data, in the order its stories go.
CONVERSATION = (
    "hi",
    "I am sad",
    "yes",
    "hello there",
    "very bad",
    "no",
    "are you a bot?",
    "I am great",
    "good morning",
    "so so perfect",
    "bye",
    "am I talking to a human?",
)


def _fingerprint() -> str:
    digest = hashlib.sha256(CONFIG.encode())
    digest.update(rasa.__version__.encode())
    for name in TEMPLATE_FILES:
        digest.update((TEMPLATE / name).read_bytes())
    return digest.hexdigest()


def model_path() -> Path:
    return BUILD_DIR / "models" / f"{MODEL_NAME}.tar.gz"


def build() -> Path:
    """The plain bot's model, trained now only if its inputs changed since the cached build."""
    fingerprint = _fingerprint()
    if model_path().exists() and STAMP.exists() and STAMP.read_text() == fingerprint:
        return model_path()
    shutil.rmtree(BUILD_DIR, ignore_errors=True)
    (BUILD_DIR / "data").mkdir(parents=True)
    for name in TEMPLATE_FILES:
        shutil.copy(TEMPLATE / name, BUILD_DIR / name)
    (BUILD_DIR / "config.yml").write_text(CONFIG)
    (BUILD_DIR / "credentials.yml").write_text(CREDENTIALS)
    subprocess.run(
        [str(VENV_BIN / "rasa"), "train", "--fixed-model-name", MODEL_NAME, "--out", "models", "--quiet"],
        cwd=BUILD_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    STAMP.write_text(fingerprint)
    return model_path()


@dataclass
class PlainBot:
    """A running plain bot: its REST webhook and its server process."""

    webhook: str
    process: subprocess.Popen[bytes]


@contextmanager
def running_plain_bot() -> Iterator[PlainBot]:
    """Start the plain bot's Rasa server on a free port, wait until it answers, stop it afterwards."""
    model = build()
    port = free_port()
    log = open(Path(tempfile.mkdtemp(prefix="plain-bot-")) / "rasa.log", "wb")
    cmd = [str(VENV_BIN / "python"), str(ROOT / "scripts" / "rasa_server.py"), "run", "--model", str(model)]
    cmd += ["--port", str(port), "--interface", "127.0.0.1", "--credentials", "credentials.yml"]
    proc = subprocess.Popen(
        cmd,
        cwd=BUILD_DIR,
        env={**os.environ, **SERVER_ENV},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not get_ok(url + "/"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"plain bot did not start (log: {log.name})")
            time.sleep(POLL_INTERVAL_S)
        yield PlainBot(f"{url}/webhooks/rest/webhook", proc)
    finally:
        stop_process(proc)
        log.close()
