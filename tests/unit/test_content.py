"""Checks on the patient-facing response texts in data/responses/.

Shared checks (every response file, whoever wrote it): the file parses as Rasa 3.x training data,
button payloads parse, reading grade <= 9, at most 120 words.
Contract checks (the triage-flow files: triage_questions, outcome, education, dialogue): the response
names the dialogue code and the rule table rely on, medical-fact metadata, citation lines, slot
templates instead of hard-coded emergency numbers, and no copying from the source articles.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
import yaml

from bench import readability
from tests.unit.test_engine import POLICY_EMERGENCY_FACTS

ROOT = Path(__file__).resolve().parents[2]
RESPONSES_DIR = ROOT / "data" / "responses"
FACTS_FILE = ROOT / "triage" / "facts.yml"
RULES_FILE = ROOT / "triage" / "rules.yml"
SOURCES_DIR = ROOT.parent / "shared" / "sources"


MAX_GRADE = 9.0
MAX_WORDS = 120
MAX_EDU_WORDS = 60
WRITTEN = "2026-11-21"
# Dates content was written on (the short questions came with the answer interpreter).
WRITTEN_DATES = {WRITTEN, "2026-11-30"}

KNOWN_SOURCES = [
    "metastatic-spinal-tumor-symptoms (DeWitt; citing Bilsky et al., Oncologist 1999;4(6):459-69)",
    "sarcoma-back-pain-red-flags (Persly Health, 2026)",
    "NICE NG234",
    "NHS back pain advice",
]
SOURCE_SEPARATOR = " + "
# What the visible citation line must mention for each source named in the metadata.
CITATION_MARK = {
    KNOWN_SOURCES[0]: "Bilsky",
    KNOWN_SOURCES[1]: "Persly Health",
    KNOWN_SOURCES[2]: "NG234",
    KNOWN_SOURCES[3]: "NHS",
}

TRIAGE_FILES = ["triage_questions.yml", "outcome.yml", "education.yml", "dialogue.yml", "short_questions.yml"]
ALLOWED_TEMPLATES = {"emergency_number", "emergency_department"}
# The patient's own words, quoted back when an answer must be confirmed (answers/interpret.py).
READ_BACK = {
    "utter_read_back": {"words"},
    "utter_read_back_emergency": {"words"},
    "utter_read_back_new": {"words"},
    "utter_read_back_old": {"words"},
}

# Facts whose answer can fire an emergency rule: the policy's list, kept in test_engine.py.
WATCH_FACTS = set(POLICY_EMERGENCY_FACTS)
RULE_IDS = [f"E{i}" for i in range(1, 7)] + [f"U{i}" for i in range(1, 4)] + [f"S{i}" for i in range(1, 8)]
LEVELS = ["emergency", "urgent", "soon", "routine"]
EDU_TOPICS = [
    "cauda_equina",
    "cord_compression",
    "cancer_nerve_signs",
    "injury",
    "radiculopathy",
    "infection",
    "cancer_history",
    "night_pain",
    "systemic",
    "lump",
    "persistent_pain",
    "mid_back",
    "sciatica",
    "imaging",
    "self_care",
]
DIALOGUE_NAMES = [
    "utter_intro",
    "utter_ask_describe",
    "utter_greet",
    "utter_thanks",
    "utter_goodbye",
    "utter_take_your_time",
    "utter_privacy_question",
    "utter_thanks_for_asking",
    "utter_medicine_question",
    "utter_sick_note_question",
    "utter_iamabot",
    "utter_not_understood",
    "utter_out_of_scope",
    "utter_empty",
    "utter_too_long",
    "utter_non_english",
    "utter_start_over",
    "utter_noted",
    "utter_not_for_children",
    "utter_continue",
    "utter_no_pending",
    "utter_still_not_understood",
    "utter_about_you",
    "utter_noted_unsure",
    "utter_read_back",
    "utter_advice_changed",
    "utter_read_back_emergency",
    "utter_check_again",
    "utter_put_simply",
    "utter_read_back_new",
    "utter_read_back_old",
    "utter_lost_conversation",
    "utter_internal_error",
]
OUTCOME_EXTRA = [
    "utter_reasons_intro",
    "utter_uncertain_intro",
    "utter_safety_net",
    "utter_outcome_unchanged",
    "utter_emergency_reminder",
]
# Triage-flow responses that state no medical fact, so need no source metadata.
NO_FACT = {"utter_reasons_intro", "utter_uncertain_intro", "utter_outcome_unchanged", *DIALOGUE_NAMES}

PAYLOAD_RE = re.compile(r"^/([A-Za-z_][A-Za-z0-9_]*)(\{.*\})?$")


def _rendered(payload: str) -> str:
    """A payload as Rasa sends it: its template filling turns the escaped {{ }} into { }.

    Payload JSON is written with doubled braces in the files, because Rasa fills slot templates in
    buttons too and would otherwise log an error for every question it asks.
    """
    assert "{" not in payload.replace("{{", "").replace("}}", ""), f"unescaped brace: {payload}"
    return payload.replace("{{", "{").replace("}}", "}")


TEMPLATE_RE = re.compile(r"\{([^{}\n]*)\}")


# ---------------------------------------------------------------- loading


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


FACTS = _load(FACTS_FILE)["facts"]
RULES = _load(RULES_FILE)
RESPONSE_FILES = sorted(RESPONSES_DIR.glob("*.yml"))


def _responses(names) -> dict:
    out = {}
    for name in names:
        path = RESPONSES_DIR / name
        if path.exists():
            out.update(_load(path).get("responses") or {})
    return out


ALL = _responses([p.name for p in RESPONSE_FILES])
MINE = _responses(TRIAGE_FILES)
PER_FILE = {name: _responses([name]) for name in TRIAGE_FILES}


def _variants(responses: dict):
    for name, variants in responses.items():
        for i, v in enumerate(variants):
            yield name, i, v


def _text(name: str) -> str:
    return MINE[name][0]["text"]


def _body(text: str) -> str:
    """Text without its citation lines."""
    return "\n".join(
        line for line in text.splitlines() if not line.strip().lower().startswith(("source:", "sources:"))
    ).strip()


def _expected_names() -> dict:
    q = []
    for f in FACTS:
        q += [f"utter_ask_{f}", f"utter_why_{f}"]
        if f in WATCH_FACTS:
            q.append(f"utter_watch_{f}")
    o = [f"utter_level_{lvl}" for lvl in LEVELS] + [f"utter_reason_{r}" for r in RULE_IDS] + OUTCOME_EXTRA
    return {
        "triage_questions.yml": set(q),
        "outcome.yml": set(o),
        "education.yml": {f"utter_edu_{t}" for t in EDU_TOPICS},
        "dialogue.yml": set(DIALOGUE_NAMES),
        "short_questions.yml": {f"utter_ask_{f}_short" for f in FACTS},
    }


# ---------------------------------------------------------------- shared checks (all files)


@pytest.mark.parametrize("path", RESPONSE_FILES, ids=lambda p: p.name)
def test_file_parses(path):
    data = _load(path)
    assert isinstance(data, dict), path
    assert str(data.get("version")) == "3.1"
    assert isinstance(data.get("responses"), dict) and data["responses"]
    for name, variants in data["responses"].items():
        assert name.startswith("utter_"), name
        assert isinstance(variants, list) and variants, name
        for v in variants:
            assert isinstance(v, dict) and (v.get("text") or v.get("custom")), name


@pytest.mark.parametrize("path", RESPONSE_FILES, ids=lambda p: p.name)
def test_file_passes_rasa_schema(path):
    import rasa.shared.nlu.training_data.formats.rasa_yaml as rasa_yaml

    td = rasa_yaml.RasaYAMLReader().read(str(path))
    assert set(td.responses) == set(_load(path)["responses"])


def test_no_response_defined_twice():
    assert set(TRIAGE_FILES) <= {p.name for p in RESPONSE_FILES}, "the response files were found"
    seen = {}
    for path in RESPONSE_FILES:
        for name in _load(path)["responses"]:
            assert name not in seen, f"{name} in {path.name} and {seen[name]}"
            seen[name] = path.name


def test_button_payloads_parse():
    for name, _i, v in _variants(ALL):
        for b in v.get("buttons") or []:
            assert b.get("title"), name
            m = PAYLOAD_RE.match(_rendered(b["payload"]))
            assert m, f"{name}: bad payload {b['payload']!r}"
            if m.group(2):
                entities = json.loads(m.group(2))
                assert isinstance(entities, dict), name
                if "answer_to" in entities and name in MINE:
                    fact = entities["answer_to"]
                    assert fact in FACTS, f"{name}: unknown fact {fact}"
                    assert name in (
                        f"utter_ask_{fact}",
                        f"utter_ask_{fact}_short",
                    ), f"{name}: answer_to {fact}"
                elif "answer_to" in entities and name.startswith("utter_ask_"):
                    assert name in (
                        f"utter_ask_{entities['answer_to']}",
                        f"utter_ask_{entities['answer_to']}_short",
                    ), name


def test_reading_grade():
    too_hard = {
        f"{name}[{i}]": round(readability.grade(v["text"]), 1)
        for name, i, v in _variants(ALL)
        if v.get("text") and readability.grade(v["text"]) > MAX_GRADE
    }
    assert not too_hard, f"above grade {MAX_GRADE}: {too_hard}"


def test_length():
    too_long = {
        f"{name}[{i}]": len(v["text"].split())
        for name, i, v in _variants(ALL)
        if v.get("text") and len(v["text"].split()) > MAX_WORDS
    }
    assert not too_long, f"more than {MAX_WORDS} words: {too_long}"


# ---------------------------------------------------------------- the triage-flow contract


@pytest.mark.parametrize("filename", TRIAGE_FILES)
def test_exact_response_names(filename):
    got = set(PER_FILE[filename])
    want = _expected_names()[filename]
    assert got == want, f"missing {sorted(want - got)}, extra {sorted(got - want)}"


def test_one_variant_each():
    for name, variants in MINE.items():
        assert len(variants) == 1, name


def test_every_fact_has_question_and_why():
    for f in FACTS:
        assert f"utter_ask_{f}" in MINE, f
        assert f"utter_why_{f}" in MINE, f
        assert "\n" not in _text(f"utter_why_{f}").strip(), f"utter_why_{f} must be one line"


def _facts_in(cond) -> set:
    if isinstance(cond, dict):
        found = {cond["fact"]} if "fact" in cond else set()
        for v in cond.values():
            found |= _facts_in(v)
        return found
    if isinstance(cond, list):
        return set().union(*(_facts_in(c) for c in cond)) if cond else set()
    return set()


def test_emergency_facts_have_watch():
    from_rules = set().union(*(_facts_in(r["when"]) for r in RULES["rules"] if r["level"] == "emergency"))
    for f in WATCH_FACTS | from_rules:
        name = f"utter_watch_{f}"
        assert name in MINE, name
        assert "{emergency_number}" in _text(name), name


def test_question_buttons():
    for f, spec in FACTS.items():
        buttons = MINE[f"utter_ask_{f}"][0].get("buttons") or []
        pairs = [(b["title"], _rendered(b["payload"])) for b in buttons]
        if spec["kind"] == "tri":
            assert pairs == [
                ("Yes", f'/affirm{{"answer_to":"{f}"}}'),
                ("No", f'/deny{{"answer_to":"{f}"}}'),
                ("Not sure", f'/unsure{{"answer_to":"{f}"}}'),
            ], f
        elif spec["kind"] == "sides":
            assert pairs == [
                ("Both sides", f'/inform{{"answer_to":"{f}","sides":"both"}}'),
                ("Just one side", f'/inform{{"answer_to":"{f}","sides":"one"}}'),
                ("Not sure", f'/unsure{{"answer_to":"{f}"}}'),
            ], f
        elif f == "age":
            assert pairs == [("Prefer not to say", '/unsure{"answer_to":"age"}')]
        elif f == "duration_days":
            assert pairs == [
                ("Less than a month", '/inform{"answer_to":"duration_days","duration_days":"14"}'),
                ("1 month to 6 weeks", '/inform{"answer_to":"duration_days","duration_days":"36"}'),
                ("More than 6 weeks", '/inform{"answer_to":"duration_days","duration_days":"60"}'),
                ("Not sure", '/unsure{"answer_to":"duration_days"}'),
            ]
            assert "3 weeks" in _text("utter_ask_duration_days")
        else:
            pytest.fail(f"no button spec for {f}")


def test_every_rule_has_reason():
    ids = set(RULE_IDS) | {r["id"] for r in RULES["rules"]}
    for rid in ids:
        assert f"utter_reason_{rid}" in MINE, rid
    for r in RULES["rules"]:
        assert r["reason"] in MINE, r["reason"]


def test_every_level_has_text():
    for lvl in set(LEVELS) | set(RULES["levels"]):
        text = _text(f"utter_level_{lvl}")
        assert "not a diagnosis" in text.lower(), lvl
    emergency = _text("utter_level_emergency")
    assert "{emergency_number}" in emergency and "{emergency_department}" in emergency
    assert "today" in _text("utter_level_urgent")
    # The cancer team is named only to patients who had cancer (U3's reason), never to everyone.
    assert "cancer team" not in _text("utter_level_urgent") and "cancer team" in _text("utter_reason_U3")
    assert "MRI" in _text("utter_level_soon") and "week" in _text("utter_level_soon")
    assert "2 to 6 weeks" in _text("utter_level_routine")


def test_safety_net_names_the_signs():
    text = _text("utter_safety_net").lower()
    for sign in ("bladder", "bowel", "saddle", "weakness", "numbness", "getting worse", "walking"):
        assert sign in text, sign
    assert "{emergency_number}" in text


def test_every_education_topic_exists():
    topics = set(EDU_TOPICS) | set(RULES.get("routine_education") or [])
    for r in RULES["rules"]:
        topics |= set(r.get("education") or [])
    topics |= set((RULES.get("fact_education") or {}).values())
    topics |= set((RULES.get("level_education") or {}).values())
    for t in topics:
        assert f"utter_edu_{t}" in MINE, t


def _sources(meta) -> list:
    parts = str(meta.get("source", "")).split(SOURCE_SEPARATOR)
    return [p.strip() for p in parts]


def test_medical_texts_have_metadata():
    for name, variants in MINE.items():
        meta = variants[0].get("metadata")
        if name in NO_FACT and meta is None:
            continue
        assert isinstance(meta, dict), f"{name}: no metadata"
        sources = _sources(meta)
        assert sources and all(s in KNOWN_SOURCES for s in sources), f"{name}: {meta.get('source')!r}"
        assert str(meta.get("written")) in WRITTEN_DATES, name
        datetime.date.fromisoformat(str(meta["written"]))


def test_education_paragraphs():
    for t in EDU_TOPICS:
        name = f"utter_edu_{t}"
        text = _text(name)
        body, _, cite = text.rpartition("\n")
        assert cite.startswith(("Source: ", "Sources: ")), f"{name}: last line must cite"
        assert len(_body(text).split()) <= MAX_EDU_WORDS, name
        for source in _sources(MINE[name][0]["metadata"]):
            assert CITATION_MARK[source] in cite, f"{name}: citation does not name {source}"


def test_emergency_contact_is_a_slot_not_hard_coded():
    for name, variants in MINE.items():
        text = variants[0]["text"]
        for placeholder in TEMPLATE_RE.findall(text):
            assert placeholder in ALLOWED_TEMPLATES | READ_BACK.get(name, set()), f"{name}: {{{placeholder}}}"
        body = _body(text)
        for number in ("999", "911", "112", "111", "000"):
            assert not re.search(rf"\b{number}\b", body), f"{name}: hard-coded {number}"
        assert "A&E" not in body and not re.search(r"\bER\b", body), name
    assert "{emergency_number}" in _text("utter_intro")
    assert "{emergency_number}" in _text("utter_non_english")
    assert "{emergency_number}" in _text("utter_not_for_children")


def test_not_a_diagnosis_where_it_matters():
    for name in ("utter_intro",):
        assert "diagnosis" in _text(name).lower(), name


def _ngrams(text: str, n: int) -> set:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_written_in_own_words():
    """No run of 7 words copied from the source articles."""
    n = 7
    source_grams = set()
    for path in SOURCES_DIR.glob("*.txt"):
        source_grams |= _ngrams(path.read_text(encoding="utf-8"), n)
    copied = {}
    for name, variants in MINE.items():
        overlap = _ngrams(_body(variants[0]["text"]), n) & source_grams
        if overlap:
            copied[name] = sorted(overlap)
    assert not copied, copied


# ---------------------------------------------------------------- the readability tool itself


def test_syllable_counter():
    cases = {
        "back": 1,
        "pain": 1,
        "doctor": 2,
        "bladder": 2,
        "numbness": 2,
        "tingling": 2,
        "changes": 2,
        "movement": 2,
        "infection": 3,
        "emergency": 4,
        "radiating": 4,
        "appointment": 3,
        "999": 3,
    }
    for word, want in cases.items():
        assert readability.count_syllables(word) == want, word


def test_grade_scale():
    assert readability.grade("The cat sat on the mat. It was fun.") < 3
    hard = (
        "Metastatic spinal tumours characteristically precipitate radiculopathy, myelopathy and "
        "progressive neurological deterioration necessitating immediate multidisciplinary evaluation."
    )
    assert readability.grade(hard) > 15
    text = "Call {emergency_number} now.\n\nSource: Some very long bibliographic reference, 1999."
    assert readability.prepare(text) == "Call 999 now."


def test_readability_cli_check(capsys):
    assert readability.main(["--check", "--quiet", "--max", str(MAX_GRADE)]) == 0
    assert readability.main(["--check", "--quiet", "--max", "0"]) == 1
    out = capsys.readouterr().out
    assert "max:" in out and "mean:" in out
