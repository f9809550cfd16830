"""Checks for the topic answers (data/responses/topics.yml) and topic questions
(data/nlu/questions.yml, tests/nlu/heldout_questions.yml).

Every topic <t> has: a response utter_topic_<t>, an intent ask_<t> with >= 10 training examples, and
>= 3 held-out phrasings that are not in any training file. The general "outside the sources"
intent ask_unknown_topic is answered by utter_topic_unknown.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Set

import pytest
import yaml

from bench import readability

ROOT = Path(__file__).resolve().parents[2]
TOPICS_FILE = ROOT / "data" / "responses" / "topics.yml"
QUESTIONS_FILE = ROOT / "data" / "nlu" / "questions.yml"
NLU_DIR = ROOT / "data" / "nlu"
HELDOUT_FILE = ROOT / "tests" / "nlu" / "heldout_questions.yml"
SOURCES_DIR = ROOT.parent / "shared" / "sources"

PREFIX = "utter_topic_"
UNKNOWN_RESPONSE = "utter_topic_unknown"
UNKNOWN_INTENT = "ask_unknown_topic"
MAX_WORDS = 120
MAX_GRADE = 9.0
MIN_EXAMPLES = 10
MIN_UNKNOWN_EXAMPLES = 15
MIN_HELDOUT = 3
ALLOWED_TEMPLATES = {"emergency_number"}

DIAGNOSIS_WORDS = (
    r"cancer|sarcoma|tumou?rs?|metasta\w*|mets|cauda equina|myelopathy|radiculopathy|fracture|"
    r"sciatica|slipped disc|disc|infection|cord compression|compression|pulled muscle|strain|"
    r"nothing serious|nothing to worry"
)
# "you have (probably) got a tumour", "you've got sciatica", "your pain is cancer", "this is a sarcoma"
DIAGNOSING_PATTERNS = [
    re.compile(
        r"\byou(?:'ve| have)?\s+(?:\w+ly\s+)?(?:have|got|has|are suffering from|suffer from)\s+"
        r"(?:(?:a|an|the|some|got)\s+)*(?:\w+\s+){0,2}?(?:" + DIAGNOSIS_WORDS + r")\b",
        re.IGNORECASE,
    ),
    re.compile(r"\byou(?:'ve| have)\b[^.\n]{0,40}\b(?:" + DIAGNOSIS_WORDS + r")\b", re.IGNORECASE),
    re.compile(
        r"\b(?:your|this|it)\s+(?:\w+\s+)?(?:is|means|sounds like|looks like)\s+"
        r"(?:(?:probably|likely|definitely|just|only|almost certainly)\s+)*(?:a |an )?(?:"
        + DIAGNOSIS_WORDS
        + r")\b",
        re.IGNORECASE,
    ),
]


# ------------------------------------------------------------------ loading helpers


def _load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _examples(block: dict) -> List[str]:
    out = []
    for line in (block.get("examples") or "").splitlines():
        line = line.strip()
        if line.startswith("- "):
            out.append(line[2:].strip())
    return out


def _intents(path: Path) -> Dict[str, List[str]]:
    result: Dict[str, List[str]] = {}
    for block in _load_yaml(path).get("nlu") or []:
        if "intent" in block:
            result.setdefault(block["intent"], []).extend(_examples(block))
    return result


def normalise(text: str) -> str:
    """Lower case, punctuation dropped (apostrophes removed inside words), spaces collapsed."""
    text = text.lower().replace("’", "'").replace("'", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


RESPONSES: Dict[str, List[dict]] = _load_yaml(TOPICS_FILE).get("responses") or {}
TOPIC_RESPONSES = {k: v for k, v in RESPONSES.items() if k.startswith(PREFIX)}
TOPICS = sorted(k[len(PREFIX) :] for k in TOPIC_RESPONSES if k != UNKNOWN_RESPONSE)
QUESTIONS = _intents(QUESTIONS_FILE)
HELDOUT = _intents(HELDOUT_FILE)


def _all_training_examples() -> Set[str]:
    seen: Set[str] = set()
    for path in sorted(NLU_DIR.glob("*.yml")):
        for examples in _intents(path).values():
            seen.update(normalise(e) for e in examples)
    return seen


def _variants():
    for name, variants in TOPIC_RESPONSES.items():
        for i, variant in enumerate(variants):
            yield pytest.param(name, variant, id=f"{name}[{i}]")


def _body(text: str) -> str:
    """The answer without its trailing Source line."""
    return "\n".join(ln for ln in text.splitlines() if not ln.strip().lower().startswith("source:"))


# ------------------------------------------------------------------ response tests


def test_there_are_topics_and_an_unknown_answer():
    assert len(TOPICS) >= 15
    assert UNKNOWN_RESPONSE in RESPONSES


def test_file_holds_only_responses():
    data = _load_yaml(TOPICS_FILE)
    assert set(data) <= {"version", "responses"}
    assert all(name.startswith(PREFIX) for name in RESPONSES)


@pytest.mark.parametrize("name,variant", list(_variants()))
def test_metadata(name, variant):
    meta = variant.get("metadata") or {}
    assert str(meta.get("source") or "").strip(), f"{name}: metadata.source missing"
    written = meta.get("written")
    assert written, f"{name}: metadata.written missing"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(written)), f"{name}: written must be YYYY-MM-DD"
    assert meta.get("topic") == name[len(PREFIX) :]


@pytest.mark.parametrize("name,variant", list(_variants()))
def test_length_and_source_line(name, variant):
    text = variant["text"]
    n = len(text.split())
    assert n <= MAX_WORDS, f"{name}: {n} words"
    last = text.strip().splitlines()[-1].strip()
    assert last.startswith("Source:") and len(last.split()) >= 3, f"{name}: must end with a Source line"
    assert len(_body(text).split()) >= 30, f"{name}: answer body is too short"


@pytest.mark.parametrize("name,variant", list(_variants()))
def test_cites_the_right_reference(name, variant):
    last = variant["text"].strip().splitlines()[-1]
    meta_source = variant["metadata"]["source"]
    if name == UNKNOWN_RESPONSE:  # outside the two articles: it says so, and cites neither
        assert last.startswith("Source: none") and "Bilsky" not in last and "Persly" not in last
        return
    cited = 0
    if "metastatic-spinal-tumor-symptoms" in meta_source:
        assert "Bilsky MH" in last and "Oncologist" in last and "1999" in last and "4(6):459-69" in last
        cited += 1
    if "sarcoma-back-pain-red-flags" in meta_source:
        assert "Persly Health 2026" in last
        assert re.search(r"Mayo Clinic|MedlinePlus|NYU Langone|MSKCC|PubMed", last), name
        cited += 1
    assert cited, f"{name}: source {meta_source!r} is neither article, so its citation is not checked"


@pytest.mark.parametrize("name,variant", list(_variants()))
def test_never_diagnoses(name, variant):
    body = _body(variant["text"])
    for pattern in DIAGNOSING_PATTERNS:
        match = pattern.search(body)
        assert not match, f"{name}: sounds like a diagnosis: {match.group(0)!r}"


@pytest.mark.parametrize("name,variant", list(_variants()))
def test_only_known_templates(name, variant):
    templates = set(re.findall(r"\{([^{}]*)\}", variant["text"]))
    assert templates <= ALLOWED_TEMPLATES, f"{name}: unknown template(s) {templates - ALLOWED_TEMPLATES}"


def test_unknown_answer_points_somewhere():
    text = RESPONSES[UNKNOWN_RESPONSE][0]["text"]
    assert "{emergency_number}" in text
    assert re.search(r"\bdoctor\b", text) and re.search(r"\bpharmacist\b", text)
    assert re.search(r"can't answer|cannot answer", text)


@pytest.mark.parametrize("name,variant", list(_variants()))
def test_readability(name, variant):
    grade = readability.grade(variant["text"])
    assert grade <= MAX_GRADE, f"{name}: reading grade {grade:.1f} > {MAX_GRADE}"


def _source_ngrams(n: int) -> Set[tuple]:
    grams: Set[tuple] = set()
    for path in SOURCES_DIR.glob("*.txt"):
        words = normalise(path.read_text(encoding="utf-8")).split()
        grams.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return grams


@pytest.mark.parametrize("name,variant", list(_variants()))
def test_own_words_not_copied(name, variant):
    """No run of 7 words from an article appears in an answer (citation line excluded)."""
    n = 7
    grams = _source_ngrams(n)
    words = normalise(_body(variant["text"])).split()
    copied = [
        " ".join(words[i : i + n]) for i in range(len(words) - n + 1) if tuple(words[i : i + n]) in grams
    ]
    assert not copied, f"{name}: copied from the source: {copied[:3]}"


# ------------------------------------------------------------------ intent tests


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_has_an_intent(topic):
    examples = QUESTIONS.get(f"ask_{topic}", [])
    assert len(examples) >= MIN_EXAMPLES, f"ask_{topic}: {len(examples)} examples"
    assert len({normalise(e) for e in examples}) == len(examples), f"ask_{topic}: duplicate examples"


def test_every_intent_has_a_topic():
    for intent in QUESTIONS:
        if intent == UNKNOWN_INTENT:
            continue
        assert intent.startswith("ask_") and intent[4:] in TOPICS, f"{intent}: no utter_topic_{intent[4:]}"


def test_unknown_intent():
    assert len(QUESTIONS.get(UNKNOWN_INTENT, [])) >= MIN_UNKNOWN_EXAMPLES


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_has_heldout_phrasings(topic):
    training = _all_training_examples()
    fresh = [e for e in HELDOUT.get(f"ask_{topic}", []) if normalise(e) not in training]
    assert len(fresh) >= MIN_HELDOUT, f"ask_{topic}: only {len(fresh)} held-out phrasings"


def test_heldout_intents_are_known():
    known = set(QUESTIONS)
    assert set(HELDOUT) <= known
    assert len(HELDOUT.get(UNKNOWN_INTENT, [])) >= MIN_HELDOUT


def test_no_heldout_phrasing_in_training():
    training = _all_training_examples()
    leaked = [e for examples in HELDOUT.values() for e in examples if normalise(e) in training]
    assert not leaked, f"held-out phrasings found in training data: {leaked}"


def test_no_example_in_two_intents():
    owner: Dict[str, str] = {}
    clashes = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        for intent, examples in _intents(path).items():
            for e in examples:
                key = normalise(e)
                if key in owner and owner[key] != intent and (intent in QUESTIONS or owner[key] in QUESTIONS):
                    clashes.append((e, owner[key], intent))
                owner.setdefault(key, intent)
    assert not clashes, f"same example under two intents: {clashes[:5]}"


def test_rasa_reads_the_files():
    import rasa.shared.nlu.training_data.formats.rasa_yaml as rasa_yaml

    reader = rasa_yaml.RasaYAMLReader()
    assert set(reader.read(str(TOPICS_FILE)).responses) == set(RESPONSES)
    questions = reader.read(str(QUESTIONS_FILE))
    assert {m.get("intent") for m in questions.intent_examples} == set(QUESTIONS)


@pytest.mark.parametrize(
    "text,diagnoses",
    [
        ("You have cancer in your spine.", True),
        ("You probably have a sarcoma.", True),
        ("You've got sciatica, nothing more.", True),
        ("This is a tumour pressing on a nerve.", True),
        ("Your pain is probably just a pulled muscle.", True),
        ("I can't tell what is causing your pain.", False),
        ("Anyone who has had cancer should call a doctor today.", False),
        ("Bad pressure on these nerves causes cauda equina syndrome.", False),
    ],
)
def test_diagnosis_detector(text, diagnoses):
    """The never-diagnoses check itself catches what it should and lets plain education through."""
    assert any(p.search(text) for p in DIAGNOSING_PATTERNS) == diagnoses
