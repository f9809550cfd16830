"""Tests of the symptom-fact extractor (nlp/): safety targets on the held-out sets, the tricky
phrases of the product spec, robustness, the fact contract, and the Rasa component.

Run: ``.venv/bin/python -m pytest tests/unit/test_nlu_facts.py -q``
"""

from __future__ import annotations

import datetime as dt
import filecmp
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
from bench.nlu_eval import (  # noqa: E402
    MIN_EMERGENCY_RECALL,
    MIN_PRECISION,
    emergency_recall,
    evaluate,
    load_cases,
)
from nlp.build_pipeline import build, known_facts  # noqa: E402
from nlp.facts import (  # noqa: E402
    GENERIC_FACTS,
    NUMBER_FACTS,
    SIDES_FACTS,
    TRI_FACTS,
    extract_facts,
    extract_mentions,
    load_nlp,
)
from nlp.facts.text import blank_pictographs  # noqa: E402

MODEL_DIR = REPO_ROOT / "nlp" / "model"
PATTERN_DIR = REPO_ROOT / "nlp" / "patterns"
HELDOUT_FILES = [
    REPO_ROOT / "tests" / "nlu" / "heldout_facts.yml",
    REPO_ROOT / "tests" / "nlu" / "heldout_facts_fresh.yml",
]
MIN_HELDOUT_CASES = 220
TODAY = dt.date(2026, 11, 21)  # the `today` of the held-out files (a Saturday)
LONG_CHARS = 10_000


def _model_is_stale() -> bool:
    if not (MODEL_DIR / "config.cfg").exists():
        return True
    built = (MODEL_DIR / "config.cfg").stat().st_mtime
    nlp_dir = REPO_ROOT / "nlp"
    sources = [
        *PATTERN_DIR.glob("*.yml"),
        *nlp_dir.glob("*.py"),
        *nlp_dir.glob("facts/*.py"),
        *nlp_dir.glob("words/*.yml"),
    ]
    return any(p.stat().st_mtime > built for p in sources)


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> Path:
    """nlp/model, or a fresh build in a tmp dir when it is missing or older than its sources."""
    if not _model_is_stale():
        return MODEL_DIR
    path = tmp_path_factory.mktemp("model") / "model"
    build(path)
    return path


@pytest.fixture(scope="session")
def nlp(model_path):
    """The saved pipeline."""
    return load_nlp(model_path)


def facts_of(text, nlp) -> dict[str, str]:
    return {m.fact: m.value for m in extract_facts(text, nlp, TODAY)}


# --------------------------------------------------------------------------- held-out targets


@pytest.mark.parametrize("path", HELDOUT_FILES, ids=lambda p: p.name)
def test_heldout_safety_targets(nlp, path):
    today, cases = load_cases(path)
    res = evaluate(cases, today, nlp)
    assert res.n_cases == len(cases) > 0
    assert res.not_patients_as_present == [], "negated/other-person/hypothetical read as present"
    assert emergency_recall(res) >= MIN_EMERGENCY_RECALL
    tp, fp = sum(res.tp.values()), sum(res.fp.values())
    assert tp / (tp + fp) >= MIN_PRECISION


def test_heldout_set_is_big_and_well_formed():
    today, cases = load_cases(HELDOUT_FILES[0])
    assert isinstance(today, dt.date)
    assert len(cases) >= MIN_HELDOUT_CASES
    allowed = TRI_FACTS | SIDES_FACTS | NUMBER_FACTS | GENERIC_FACTS
    for case in cases:
        assert case["text"]
        assert set(case.get("facts") or {}) <= allowed, case["text"]


# --------------------------------------------------------------------------- tricky phrases

PRESENT_CASES = [
    # lay words and slang
    ("I wet myself this morning", {"bladder_bowel": "present"}),
    ("I can't hold my water", {"bladder_bowel": "present"}),
    ("I pooed myself", {"bladder_bowel": "present"}),
    ("can't wee properly", {"bladder_bowel": "present"}),
    ("pins and needles in my foot", {"numbness": "present"}),
    ("I've got jelly legs", {"weakness": "present", "weakness_sides": "both"}),
    ("I've got a dead leg", {"numbness": "present", "numbness_sides": "one"}),
    ("my legs keep giving way", {"weakness": "present", "weakness_sides": "both"}),
    ("my bits are numb", {"saddle_numbness": "present"}),
    ("numb down there", {"saddle_numbness": "present"}),
    ("can't feel my bum when I wipe", {"saddle_numbness": "present"}),
    ("I'm wobbly on my feet", {"walking_balance": "present"}),
    ("I've become clumsy", {"walking_balance": "present"}),
    ("night sweats", {"systemic": "present"}),
    ("I've gone off my food", {"systemic": "present"}),
    ("dropped a stone without trying", {"systemic": "present"}),
    ("the pain is between my shoulder blades", {"mid_back": "present"}),
    ("pain shooting down my leg", {"radiating_pain": "present"}),
    ("it wraps around my chest", {"radiating_pain": "present"}),
    ("I was in a car crash", {"major_injury": "present"}),
    ("I fell off a ladder", {"major_injury": "present"}),
    ("I've got a fever and chills", {"fever": "present"}),
    ("there's a lump on my back", {"lump": "present"}),
    ("it wakes me up at night", {"night_pain": "present"}),
    ("started after lifting a heavy box", {"mechanical": "present"}),
    ("it's getting better", {"improving": "present"}),
    ("not improving despite rest and pain killers", {"improving": "absent"}),
    # typos
    ("numbess in my leg", {"numbness": "present"}),
    ("numbnes in my leg", {"numbness": "present"}),
    ("bladdr problems", {"bladder_bowel": "present"}),
    ("tinglin in my hand", {"numbness": "present"}),
    ("weekness in my arm", {"weakness": "present"}),
    ("wekness in my leg", {"weakness": "present"}),
    ("bowl problems", {"bladder_bowel": "present"}),
    ("I had cancr", {"cancer_history": "present"}),
    # cancer history always counts, even in the past
    ("I had breast cancer in 2019", {"cancer_history": "present"}),
    ("my cancer is in remission", {"cancer_history": "present"}),
    ("history of prostate cancer", {"cancer_history": "present"}),
    ("I was treated for lymphoma", {"cancer_history": "present"}),
    ("never had cancer", {"cancer_history": "absent"}),
    # sides and worsening
    ("weakness in both legs", {"weakness": "present", "weakness_sides": "both"}),
    ("numbness on both sides", {"numbness": "present", "numbness_sides": "both"}),
    ("both arms are numb", {"numbness": "present", "numbness_sides": "both"}),
    ("my left leg is weak", {"weakness": "present", "weakness_sides": "one"}),
    ("my right arm feels weak", {"weakness": "present", "weakness_sides": "one"}),
    ("one leg is numb", {"numbness": "present", "numbness_sides": "one"}),
    ("my legs are weak and getting worse", {"weakness_worsening": "present"}),
    ("the weakness is worse and worse", {"weakness_worsening": "present"}),
    ("the weakness is spreading", {"weakness_worsening": "present"}),
    ("weakness isn't getting worse", {"weakness": "present", "weakness_worsening": "absent"}),
    ("the weakness is stable", {"weakness": "present", "weakness_worsening": "absent"}),
    # conflicts inside one message: present wins
    (
        "no numbness in my left leg but tingling in the right",
        {"numbness": "present", "numbness_sides": "one"},
    ),
    # durations (today is Saturday 2026-11-21) and ages
    ("since March", {"duration_days": "265"}),
    ("3 wks", {"duration_days": "21"}),
    ("for about 2 months", {"duration_days": "60"}),
    ("a couple of months", {"duration_days": "60"}),
    ("a year", {"duration_days": "365"}),
    ("2 days", {"duration_days": "2"}),
    ("I'm 6 weeks into this", {"duration_days": "42"}),
    ("I'm 62", {"age": "62"}),
    ("62 years old", {"age": "62"}),
    ("62yo", {"age": "62"}),
    ("aged 62", {"age": "62"}),
    ("age: 62", {"age": "62"}),
    ("I am a 45 year old", {"age": "45"}),
    # generic answers
    ("yes", {"answer": "yes"}),
    ("yeah", {"answer": "yes"}),
    ("yep", {"answer": "yes"}),
    ("a bit", {"answer": "yes"}),
    ("nope", {"answer": "no"}),
    ("no", {"answer": "no"}),
    ("not really", {"answer": "no"}),
    ("never", {"answer": "no"}),
    ("not sure", {"answer": "unsure"}),
    ("dunno", {"answer": "unsure"}),
    ("I don't know", {"answer": "unsure"}),
    ("maybe", {"answer": "unsure"}),
    ("both", {"sides": "both"}),
    ("both legs", {"sides": "both"}),
    ("just the left", {"sides": "one"}),
    ("one side", {"sides": "one"}),
    ("right arm", {"sides": "one"}),
    ("62", {"number": "62"}),
    ("about 45", {"number": "45"}),
]


@pytest.mark.parametrize("text,expected", PRESENT_CASES, ids=[c[0] for c in PRESENT_CASES])
def test_tricky_phrases(nlp, text, expected):
    got = facts_of(text, nlp)
    for fact, value in expected.items():
        assert got.get(fact) == value, f"{text!r}: {fact} expected {value}, got {got}"


NOT_PATIENTS_CASES = [
    # negation -> absent (never present)
    ("no numbness", {"numbness": "absent"}),
    ("I haven't wet myself", {"bladder_bowel": "absent"}),
    ("I can pee fine", {"bladder_bowel": "absent"}),
    ("bladder is fine", {"bladder_bowel": "absent"}),
    ("no problems with my bowels", {"bladder_bowel": "absent"}),
    ("No balance problems at all", {"walking_balance": "absent"}),
    ("no appetite issues", {"systemic": "absent"}),
    # someone else, the past, hypotheticals -> nothing
    ("my dad had bone cancer", {}),
    ("my mum has numbness in both legs", {}),
    ("runs in the family", {}),
    ("had sciatica 10 years ago", {}),
    ("what if I lose bladder control?", {}),
    ("should I worry if my legs go numb?", {}),
    ("I'm worried it's cancer", {}),
    ("Can sciatica cause numbness?", {}),
]
PRESENT_LIKE = {"present", "both"}


@pytest.mark.parametrize("text,expected", NOT_PATIENTS_CASES, ids=[c[0] for c in NOT_PATIENTS_CASES])
def test_negated_or_not_patients(nlp, text, expected):
    got = facts_of(text, nlp)
    for fact, value in expected.items():
        assert got.get(fact) == value, f"{text!r}: {fact} expected {value}, got {got}"
    wrong = {f: v for f, v in got.items() if v in PRESENT_LIKE and expected.get(f) != v}
    assert not wrong, f"{text!r} read as the patient's present facts: {wrong}"


def test_age_is_not_a_duration_and_vice_versa(nlp):
    assert "age" not in facts_of("I'm 6 weeks into this", nlp)
    assert "duration_days" not in facts_of("I'm 62 years old", nlp)
    assert "age" not in facts_of("my 80 year old mum", nlp)


def test_never_unsure_and_values_are_from_the_contract(nlp):
    # a hedged sign is not read at all (never as "unsure": that is the patient's answer to a question)
    hedged = "not sure if my legs are weak, maybe numb, I'm 50, pain for 3 weeks, both legs"
    assert facts_of(hedged, nlp) == {"answer": "unsure", "age": "50", "duration_days": "21"}
    plain = "both my legs are weak, no numbness, I'm 50, pain for 3 weeks"
    kinds = set()
    for text in (hedged, plain):
        for m in extract_facts(text, nlp, TODAY):
            if m.fact in TRI_FACTS:
                assert m.value in {"present", "absent"}
                kinds.add("tri")
            elif m.fact in SIDES_FACTS:
                assert m.value in {"one", "both"}
                kinds.add("sides")
            elif m.fact in NUMBER_FACTS or m.fact == "number":
                assert m.value.isdigit()
                kinds.add("number")
            assert text[m.start : m.end] == m.text
    assert kinds == {"tri", "sides", "number"}, "every kind of value was checked"


def test_offsets_point_into_the_original_text(nlp):
    text = "Hi! <b>My LEFT leg</b> is WEAK and I'm 62."
    got = extract_facts(text, nlp, TODAY)
    assert [m.text for m in got] == ["LEFT leg", "WEAK", "I'm 62"]
    for m in got:
        assert text[m.start : m.end] == m.text


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t",
        "🙂🙂🙂",
        "<p></p>",
        "<script>alert(1)</script>",
        "Ich habe Rückenschmerzen",
        "J'ai mal au dos",
        "背中が痛い",
        "\x00\x01",
        "a" * 5000,
        "?" * 300,
        "&nbsp;&amp;",
    ],
)
def test_odd_input_does_not_crash(nlp, text):
    assert extract_facts(text, nlp, TODAY) == [], "odd input reads as nothing"


def test_none_and_emoji_answers(nlp):
    assert extract_facts(None, nlp) == []
    assert facts_of("🙂 yes", nlp) == {"answer": "yes"}
    assert facts_of("<b>no</b> numbness", nlp).get("numbness") == "absent"


def test_emoji_are_blanked_for_the_reader_offsets_kept(nlp):
    # Each emoji was a token the pattern matchers paid for (10,000 of them took seconds); blanked,
    # they cost nothing, and every span still points into the message as written.
    text = "😭😭 I wet myself 👍🏽 and my legs feel weak ❤️"
    got = {m.fact: text[m.start : m.end] for m in extract_mentions(text, nlp)}
    assert got["bladder_bowel"] == "wet myself" and "weak" in got["weakness"]
    assert blank_pictographs(text) == "   I wet myself    and my legs feel weak   "


def test_long_message_is_still_read_to_the_end(nlp):
    # (Speed is measured by bench/nlu_eval.py, which prints ms per message; tests do not time.)
    text = ("my back hurts and my legs are weak. " * 400)[: LONG_CHARS - 40] + " and I've wet myself"
    got = facts_of(text, nlp)
    assert got.get("weakness") == "present"
    assert got.get("bladder_bowel") == "present", "a sign at the end of a long message was missed"


# --------------------------------------------------------------------------- contract and build


def test_fact_names_match_the_contract():
    contract = known_facts()
    assert TRI_FACTS | SIDES_FACTS | NUMBER_FACTS == contract
    facts = yaml.safe_load((REPO_ROOT / "triage" / "facts.yml").read_text())["facts"]
    assert {f for f, spec in facts.items() if spec["kind"] == "tri"} == TRI_FACTS
    assert {f for f, spec in facts.items() if spec["kind"] == "sides"} == SIDES_FACTS


def test_build_is_deterministic(tmp_path):
    build(tmp_path / "a")
    build(tmp_path / "b")
    for rel in ("config.cfg", "entity_ruler/patterns.jsonl", "triage_context/rules.json"):
        assert filecmp.cmp(tmp_path / "a" / rel, tmp_path / "b" / rel, shallow=False), rel


def test_typo_repair_leaves_real_words_alone(nlp):
    normalizer = nlp.get_pipe("typo_normalizer")
    assert normalizer.repair("numbess") == "numbness"
    assert normalizer.repair("weekness") == "weakness"
    for word in ("every", "cancel", "accidents", "better", "weeks", "number"):
        assert normalizer.repair(word) is None, word


# --------------------------------------------------------------------------- Rasa component


def test_rasa_component_adds_entities(model_path):
    from rasa.shared.nlu.training_data.message import Message

    from nlp.rasa_component import FactExtractor

    component = FactExtractor({"model": str(model_path), "reuse_spacy_doc": True})
    messages = [
        Message(data={"text": "I'm 62 and I can't hold my water"}),
        Message(data={"text": ""}),
        Message(data={"text": "   "}),
        Message(data={"text": "🙂"}),
    ]
    out = component.process(messages)
    entities = {(e["entity"], e["value"]) for e in out[0].get("entities")}
    assert {("age", "62"), ("bladder_bowel", "present")} <= entities
    for e in out[0].get("entities"):
        assert e["extractor"] == "FactExtractor" and e["confidence_entity"] == 1.0
        assert messages[0].get("text")[e["start"] : e["end"]]
    assert not out[1].get("entities") and not out[2].get("entities")


def test_medspacy_is_loaded_without_quickumls():
    # QuickUMLS drags in NLTK, SciPy IO and sklearn datasets (+49 MB in the Rasa server); an
    # import reordering once brought it back silently. Checked in a fresh interpreter.
    import subprocess

    code = "import sys; import nlp.rasa_component; print('quickumls' in sys.modules, 'nltk' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "False False"


# --------------------------------------------------------------------------- round 7 (blind role-play)


def test_the_children_as_a_time_are_not_another_person(nlp):
    text = "i always have done since the children.. my legs have gone all wobbly lately"
    assert facts_of(text, nlp).get("walking_balance") == "present"


def test_weak_from_a_fever_is_the_fever_not_a_weak_limb(nlp):
    facts = facts_of("No, I can walk, just slow because I feel weak from the fever, not my legs.", nlp)
    assert facts.get("fever") == "present"
    assert "weakness" not in facts and "weakness_sides" not in facts


def test_not_seeing_the_oncology_people_denies_no_cancer(nlp):
    text = "should I call my oncologist? I havent seen the oncology people since last spring."
    assert "cancer_history" not in facts_of(text, nlp)


def test_a_leg_named_with_its_side_after_the_back_of_is_shooting_pain(nlp):
    text = "there is also a shooting pain down the back of my left leg to about mid calf."
    assert facts_of(text, nlp).get("radiating_pain") == "present"


def test_sleeplessness_with_another_cause_is_not_night_pain(nlp):
    assert "night_pain" not in facts_of("I can't sleep, it's the codeine", nlp)
    assert facts_of("i cant sleep because of the pain", nlp).get("night_pain") == "present"


# --------------------------------------------------------------------------- round 8 (blind role-play)


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, I have mal au dos since 3 weeks, it go down in my right leg.",
        "its like shooting down the backs of my legs now",
        "the pain going down to the knee",
        "gert pain goes right down me left leg",
    ],
)
def test_pain_that_goes_down_a_leg_in_other_words(text, nlp):
    assert facts_of(text, nlp).get("radiating_pain") == "present"


def test_a_discourse_so_is_not_a_purpose(nlp):
    text = (
        "hey so ive had this pain between my shoulder blades for like 3 weeks and my left hand's been tingly"
    )
    assert facts_of(text, nlp).get("mid_back") == "present"
    assert "bladder_bowel" not in facts_of("I lie flat so I don't lose control of my bladder", nlp)


def test_knocks_are_not_lumps_and_a_partner_or_parent_is_someone_else(nlp):
    assert "lump" not in facts_of("No, no falls or bumps.", nlp)
    assert facts_of("a bump on my back that is growing", nlp).get("lump") == "present"
    assert "cancer_history" not in facts_of("me old man had prostate cancer", nlp)
    # "a 71-year-old man who was treated for prostate cancer" is the patient
    text = "I'm a 71-year-old man who was treated for prostate cancer in 2016."
    assert facts_of(text, nlp).get("cancer_history") == "present"


def test_a_past_episode_in_a_long_clause_is_past(nlp):
    """ "I had a slipped disc in my lower back in 2019 and my leg went a bit weak and had sciatica
    then" (round 8): a strain, a weak leg and sciatica of 2019, none of them now."""
    text = (
        "no. I had a slipped disc in my lower back in 2019 and my leg went a bit weak and had sciatica then"
    )
    facts = facts_of(text, nlp)
    assert not {"mechanical", "weakness", "radiating_pain"} & set(facts)


# --------------------------------------------------------------------------- round 9 (blind role-play)


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        (
            "Although 2x in the last 3 days I didn't quite make it to the toilet in time",
            "bladder_bowel",
            "present",
        ),
        ("my bottom feels like I've sat on a block of ice", "saddle_numbness", "present"),
        ("top of the right foot is like pins in a cushion", "numbness", "present"),
        ("manhid po yung paa ko", "numbness", "present"),
        ("it's like a hot poker down my leg", "radiating_pain", "present"),
        ("I have the feeling of electricity going down the leg", "radiating_pain", "present"),
        ("yesterday the thermometer showed 38,4 and in the night I had chills", "fever", "present"),
        ("temp 38.9 last night", "fever", "present"),
    ],
)
def test_round9_images_and_numbers(text, fact, value, nlp):
    assert facts_of(text, nlp).get(fact) == value


def test_a_hot_day_is_no_fever(nlp):
    assert "fever" not in facts_of("it was 39 degrees in spain", nlp)


def test_a_long_standing_condition_is_not_a_new_sign(nlp):
    """ "so I already get tingling in both legs" (MS since 2014): not new numbness. Once read by
    accident as a purpose ("so I"); round 8 made "so I've had" a plain "so", and this kept it."""
    text = "I should say I have MS (diagnosed 2014), so I already get tingling in both legs on and off."
    assert "numbness" not in facts_of(text, nlp)


# --------------------------------------------------------------------------- round 10 (blind role-play)


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        # texted g-dropping, with or without the apostrophe, and "bk" / a one-letter side
        ("bit goes down bk of my R leg tho", "radiating_pain", "present"),
        ("its shootin down my leg", "radiating_pain", "present"),
        ("pain shootin' down me left leg", "radiating_pain", "present"),
        ("tinglin in my L foot", "numbness", "present"),
        ("pain radiatin into my leg", "radiating_pain", "present"),
        ("bladder keeps leakin", "bladder_bowel", "present"),
    ],
)
def test_texted_spellings_are_read(text, fact, value, nlp):
    assert facts_of(text, nlp).get(fact) == value


def test_texted_spelling_repair_leaves_real_words_alone(nlp):
    normalizer = nlp.get_pipe("typo_normalizer")
    assert normalizer.repair("walkin") == "walking"
    assert normalizer.repair("killin") == "killing"
    # too short, or a real word the patterns use: left as written
    assert normalizer.repair("thin") is None
    assert normalizer.repair("again") is None
    assert normalizer.repair("pain") is None
    doc = nlp("vitamin R and plan L")
    assert [t.norm_ for t in doc][1] == "r" and [t.norm_ for t in doc][4] == "l"
    assert [t.norm_ for t in nlp("my R leg")][1] == "right"


@pytest.mark.parametrize(
    "text",
    [
        "walkin like im drunk lol",
        "I nearly went over in Tesco last week. I had to hold on to the trolley",
        "I'm walking like I was drunk",
        "almost fell in the shower yesterday",
        "I keep losing my footing on the stairs",
        "holding onto the walls to get about",
    ],
)
def test_staggering_nearly_falling_and_holding_on_are_balance(text, nlp):
    assert facts_of(text, nlp).get("walking_balance") == "present"


@pytest.mark.parametrize(
    "text",
    [
        "I have to hold on to the kitchen counter to get up from the chair",
        "I went over the results with the GP",
        "I fell asleep on the sofa",
    ],
)
def test_getting_up_by_holding_on_or_going_over_results_is_not_balance(text, nlp):
    assert "walking_balance" not in facts_of(text, nlp)


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        ("my left foot is sleeping, like pins", "one"),
        ("like ants walking in both legs", "both"),
        ("like ants", None),
        ("feels like insects crawling on my legs", "both"),
        ("my legs keep going to sleep", "both"),
        ("my right hand is asleep", "one"),
    ],
)
def test_a_sleeping_limb_pins_and_crawling_ants_are_numbness(text, sides, nlp):
    facts = facts_of(text, nlp)
    assert facts.get("numbness") == "present"
    assert facts.get("numbness_sides") == sides


@pytest.mark.parametrize(
    "text", ["I don't like ants", "we have ants in the kitchen", "I fell asleep on the sofa"]
)
def test_ants_and_sleep_elsewhere_are_not_numbness(text, nlp):
    assert "numbness" not in facts_of(text, nlp)


@pytest.mark.parametrize(
    "text",
    [
        "Just the pain round the ribs",
        "the ache goes round my ribs to the front",
        "it wraps around my rib cage",
        "aching round my ribcage",
    ],
)
def test_pain_round_the_ribs_is_radiating(text, nlp):
    assert facts_of(text, nlp).get("radiating_pain") == "present"


def test_pain_in_the_ribs_alone_is_not_radiating(nlp):
    assert "radiating_pain" not in facts_of("I bruised my ribs, pain in my ribs when I cough", nlp)


@pytest.mark.parametrize(
    "text",
    [
        "Physiotherapy did nothing",
        "the tablets made no difference",
        "painkillers haven't helped",
        "the injections did nothing for me",
        "physio was useless",
    ],
)
def test_a_treatment_that_did_nothing_is_not_improving(text, nlp):
    assert facts_of(text, nlp).get("improving") == "absent"


def test_a_physio_who_did_nothing_wrong_says_nothing_of_the_pain(nlp):
    assert "improving" not in facts_of("The physio did nothing wrong", nlp)


@pytest.mark.parametrize(
    "text",
    [
        "right arm and leg weak since my stroke 2019. no change",
        "only my feet... diabetic neuropathy ive had it about 6 years, its no different",
        "my old knee injury is the same as always",
        "my eyesight has stayed the same",
    ],
)
def test_no_change_in_something_else_is_not_the_pain_not_improving(text, nlp):
    assert "improving" not in facts_of(text, nlp)


@pytest.mark.parametrize(
    "text",
    [
        "My back pain has been 3 weeks. No change.",
        "the pain is no different",
        "my back has stayed the same",
        "it's no better",
    ],
)
def test_no_change_in_the_pain_is_not_improving(text, nlp):
    assert facts_of(text, nlp).get("improving") == "absent"


@pytest.mark.parametrize(
    "text",
    [
        "I think from standing all day in my bakery",
        "I'm sure it's just from sitting at the desk too long",
        "it started after sitting at my desk all day",
        "must be from sleeping funny",
        "probably from lifting the kids",
        "I think I pulled something lifting the sofa",
    ],
)
def test_a_guessed_cause_or_a_posture_is_not_clearly_a_strain(text, nlp):
    """Rule S7 (mid-back pain not clearly mechanical) must still see these: a guess or a posture
    is no strain event (a guessed strain is kept as only possible)."""
    assert "mechanical" not in facts_of(text, nlp)


@pytest.mark.parametrize(
    "text",
    [
        "I lifted a heavy box and my back went",
        "the physio thinks it's a muscle strain",
        "I pulled a muscle moving furniture",
        "i tweaked my back on thanksgiving pulling a turkey out of the oven",
    ],
)
def test_a_definite_strain_event_is_mechanical(text, nlp):
    assert facts_of(text, nlp).get("mechanical") == "present"


def test_a_strain_in_the_lower_back_keeps_the_place(nlp):
    """ "I hurt my lower back lifting boxes": the strain pattern must not swallow "lower back"
    (mid_back absent), or the mid-back question is asked again (a CI replay caught this)."""
    found = facts_of("Hi, I hurt my lower back lifting boxes at work about 5 days ago.", nlp)
    assert found.get("mid_back") == "absent" and found.get("mechanical") == "present"


@pytest.mark.parametrize(
    "text",
    [
        "cud it b my old sciatica from 2015 back again?",
        "is this the sciatica I had years ago coming back?",
        "could it be my old disc problem with the leg pain like before?",
        "do you think it's my sciatica again?",
    ],
)
def test_a_question_whether_an_old_episode_is_back_is_no_current_fact(text, nlp):
    assert "radiating_pain" not in facts_of(text, nlp)


@pytest.mark.parametrize(
    "text",
    [
        "my old sciatica is back, pain down my left leg",
        "I have sciatica down my right leg, is that bad?",
    ],
)
def test_an_old_episode_said_to_be_back_is_current(text, nlp):
    assert facts_of(text, nlp).get("radiating_pain") == "present"


@pytest.mark.parametrize(
    "text",
    [
        "a mishap or two with the back passage, no warning at all",
        "since saturday ive had a couple of little accidents if you know what i mean, knackered pelvic floor",
        "the plumbing just lets go now, number twos just come",
    ],
)
def test_bladder_bowel_euphemisms_round_11(text: str, nlp) -> None:
    """Round 11 (embarrassed euphemists): new incontinence in other words was missed."""
    assert facts_of(text, nlp).get("bladder_bowel") == "present", text


def test_a_pasted_safety_net_lists_no_signs_of_the_patients(nlp) -> None:
    """Round 11 (document pasters): a physio note's "Advised re red flags: saddle anaesthesia,
    urinary retention, bilat leg numbness/weakness -> attend A&E" was read as four current signs."""
    text = (
        "Physio note 20/11/2026: Mech LBP, improving. Advised re red flags: saddle anaesthesia, urinary"
        " retention, bilat leg numbness/weakness -> attend A&E. Review 2/52."
    )
    found = facts_of(text, nlp)
    assert not {"saddle_numbness", "bladder_bowel", "numbness", "weakness"} & set(found), found
    assert "duration_days" not in found  # "Review 2/52" is a plan, not how long


# Round 12 of blind role-play: the general causes of its misreadings (each phrase in other words too).
@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        ("cant even do a jimmy riddle proper since yesterday", "bladder_bowel", "present"),
        ("stands there for ages and nothing comes out", "bladder_bowel", "present"),
        ("leaking a bit, never used to", "bladder_bowel", "present"),
        ("my legs didn't use to be weak", "weakness", "present"),
        ("walking like ive had a skinful", "walking_balance", "present"),
        ("nearly went arse over tit on the stairs", "walking_balance", "present"),
        ("the legs just feel funy, fuzzy, both of them", "numbness", "present"),
        ("my foot feels not unlike after the dentist", "numbness", "present"),
        ("a touch odd round the back passage and the inner thighs", "saddle_numbness", "present"),
        ("had the prostate in 2019 they zapped it all clear now", "cancer_history", "present"),
        ("Negative on weakness as such", "weakness", "absent"),
        ("it hasn't got better in 2 months", "improving", "absent"),
        ("not going better with anything", "improving", "absent"),
        ("it's got a lot better", "improving", "present"),
        ("I haven't got any numbness in my legs", "numbness", "absent"),
        ("back been playing up three weeks tuesday", "duration_days", "21"),
        # (counted from TODAY, Saturday 21 November)
        ("- Onset: Monday 9 November", "duration_days", "12"),
        ("hurt my back friday", "duration_days", "1"),
        ("my back went friday, i see the gp monday", "duration_days", "1"),
        ("Legs are no worse than you'd expect of a man of 62.", "age", "62"),
        # round 13
        (
            "i didn't notice my bladder was full until it was basically overflowing",
            "bladder_bowel",
            "present",
        ),
        ("30s latency between wanting to pee and it actually happening", "bladder_bowel", "present"),
        (
            "nearly ate pavement at the truck stop, legs gettin wobblier all week",
            "walking_balance",
            "present",
        ),
        ("both my legs have gone like jelly on the stairs", "weakness", "present"),
        ("lightning debuff zapping down my left leg", "radiating_pain", "present"),
        ("i cant do my shirt buttons anymore", "walking_balance", "present"),
        ("feels a bit odd down there when i wipe", "saddle_numbness", "present"),
        ("For the avoidance of doubt, I was treated for breast cancer in 2018", "cancer_history", "present"),
        ("a gentleman of some seventy-eight years", "age", "78"),
        ("I keep waking up in the night with it", "night_pain", "present"),
        ("lower back pain which commenced on or about Monday the 2nd of November", "duration_days", "19"),
        (
            "back bad for 3 weeks. my feet have been numb for 10 years, thats the diabetes",
            "duration_days",
            "21",
        ),
    ],
)
def test_round12_vocabulary(text: str, fact: str, value: str, nlp) -> None:
    assert facts_of(text, nlp).get(fact) == value


@pytest.mark.parametrize(
    "text",
    [
        "no just the deadlift, wasnt a crazy weight",
        "I see the GP in 3 weeks on Tuesday",
        "lost about 4 kilos but I cut out beer on purpose",
        "my flat is boiling at night so i wake up sweaty",
        "a gentleman of some seventy-eight years",
    ],
)
def test_round12_not_a_fact(text: str, nlp) -> None:
    assert not {"systemic", "duration_days", "night_pain"} & set(facts_of(text, nlp))


def test_nights_said_fine_are_still_a_no_without_a_pain_word(nlp) -> None:
    # (a night with no pain word is no night pain; said to be fine, it is a no)
    assert (
        facts_of("At night it is ok, I sleep, only when I turn on the side a little.", nlp)["night_pain"]
        == "absent"
    )


@pytest.mark.parametrize(
    ("text", "days"),
    [
        # the pain's clause beats the weather's (from TODAY, Saturday 21 November: since 7 November)
        (
            "a pain in my low back since the week after Halloween, we've had nothing but rain since October",
            "14",
        ),
        # a relative's "for years" is not the patient's
        ("back aches for 3 weeks. My brother-in-law Dennis had sciatica for years.", "21"),
    ],
)
def test_the_pains_time_among_others(text: str, days: str, nlp) -> None:
    assert facts_of(text, nlp)["duration_days"] == days


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        # round 14: spelled as it sounds (nlp/words/spellings.yml) and Caribbean Creole
        ("i cant reelly feel wen i need to pee sinse yesterday", "bladder_bowel", "present"),
        ("true true mi wet up miself two time dis week an neva feel it a come", "bladder_bowel", "present"),
        ("mi cyaan feel mi foot dem good, both a dem a tingle", "numbness_sides", "both"),
        ("mi a stagger when mi walk, like mi drunk", "walking_balance", "present"),
        ("resting dosnt make it go away either", "night_pain", "present"),
        ("sinse the end of septembar", "duration_days", "57"),
        ("2 mounths", "duration_days", "60"),
        # a clause with "does" in it, and what a physio found
        ("The pain does go down the back of my left leg to the knee", "radiating_pain", "present"),
        ("strength was all good", "weakness", "absent"),
        # dates: a start "at" a part of a month, New Zealand's holidays (from Saturday 21 November)
        ("it started at the end of september", "duration_days", "57"),
        ("since labour weekend", "duration_days", "26"),
        ("since Matariki", "duration_days", "134"),
        # the time being corrected is not the new one
        (
            "scratch the 3 weeks its longer than that it started at the end of september",
            "duration_days",
            "57",
        ),
    ],
)
def test_round14_spellings_and_vocabulary(text: str, fact: str, value: str, nlp) -> None:
    assert facts_of(text, nlp).get(fact) == value


@pytest.mark.parametrize(
    "text",
    [
        # her mother's cancer, in Creole
        "Me mudda dead wid breast cancer",
        # an ellipsis ends the thought: the "no" before it negates nothing after it
        "No problems there..... I get up Once in the night to spend a penny but always have",
        "No.... I slept Funny on it I think, woke up with it",
        # dated from another event, not from today
        "The pain started a few days before we even bought the new car seat",
    ],
)
def test_round14_not_a_fact_of_the_patients(text: str, nlp) -> None:
    found = facts_of(text, nlp)
    assert not {"cancer_history", "night_pain", "duration_days"} & set(found), found


def test_respelled_mentions_quote_the_patients_own_words(nlp) -> None:
    (mention,) = [m for m in extract_mentions("sinse wednsday", nlp, TODAY) if m.fact == "duration_days"]
    assert (mention.start, mention.end, mention.text) == (0, 14, "sinse wednsday")


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        # round 15: the paper named, a pain from where to where
        ("I can't feel the loo roll when I wipe", "saddle_numbness", "present"),
        (
            "a pain that runs from the buttock down the back of the thigh to the calf",
            "radiating_pain",
            "present",
        ),
        ("yes, I do have pain spreading from my back down my left leg", "radiating_pain", "present"),
    ],
)
def test_round15_vocabulary(text: str, fact: str, value: str, nlp) -> None:
    assert facts_of(text, nlp).get(fact) == value


@pytest.mark.parametrize(
    "text",
    [
        # "can't go" is not "can't pee" when it goes somewhere (a false emergency E1 before)
        "it wakes me at 3 and i can't go back to sleep",
        "i can't go to work, it's that bad",
        # a dog's bowl is no bowel (it was read as a bowel answer, absent)
        "cant bend down to the dogs bowl",
    ],
)
def test_round15_no_bladder_or_bowel_fact(text: str, nlp) -> None:
    assert "bladder_bowel" not in facts_of(text, nlp)


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        # round 15: the pain not improving said in passing, woken without "up", a no to waking
        ("Physio, ibuprofen, rest, nothing is really touching it", "improving", "absent"),
        ("this flare its not shifting", "improving", "absent"),
        ("woke me again last night", "night_pain", "present"),
        ("its sore turnin over in the bed but it doesnt wake me", "night_pain", "absent"),
    ],
)
def test_round15_trend_and_nights(text: str, fact: str, value: str, nlp) -> None:
    assert facts_of(text, nlp).get(fact) == value


def test_someone_else_waking_them_is_no_night_pain(nlp) -> None:
    assert "night_pain" not in facts_of("It's the baby who wakes me up, not the pain", nlp)


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        # round 15 (people who tell what they cannot do)
        ("can't push the clutch down properly with my left foot", "weakness", "present"),
        ("the cat walked right over my feet last night and I never noticed", "numbness", "present"),
    ],
)
def test_round15_what_they_cannot_do(text: str, fact: str, value: str, nlp) -> None:
    assert facts_of(text, nlp).get(fact) == value


def test_a_start_told_with_the_part_of_the_back(nlp) -> None:
    # round 15: "done my lower back in ..., that was ten days ago now" was asked again
    text = "I'm 58 and I've done my lower back in moving the sofa with my husband, that was ten days ago now."
    assert facts_of(text, nlp)["duration_days"] == "10"


def test_strength_that_is_gone_is_weakness_and_negates_nothing_after_it(nlp) -> None:
    # replay of round 7 (canada-05): "the leg is faible now, no force, hard to push the clutch" was
    # read as weakness ABSENT (the "no" of "no force" negated the clutch) and never asked: routine
    text = "and the leg is faible now, no force, hard to push the clutch in my truck"
    assert facts_of(text, nlp)["weakness"] == "present"


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        # round 16: loanwords (Portuguese), the inside of the thighs, "the toes", "can't really feel"
        ("my bunda and inside the thighs stay kind of dormente, like sleeping", "saddle_numbness", "present"),
        ("cant really feel my bum when i sit on the loo", "saddle_numbness", "present"),
        ("just the right foot, cant get up on the toes", "weakness", "present"),
        ("told you. weekend before last", "duration_days", "14"),  # today is a Saturday here
        # a time that opens its clause: the pain's is the first, the leg's the second
        (
            "Since 3 weeks it makes me Pain in the low Back and since one week the right Leg is weak",
            "duration_days",
            "21",
        ),
    ],
)
def test_round16_vocabulary(text: str, fact: str, value: object, nlp) -> None:
    assert facts_of(text, nlp).get(fact) == value


@pytest.mark.parametrize("text", ["No, just slower because of the bump.", "my baby bump is huge now"])
def test_a_pregnant_belly_is_no_lump(text: str, nlp) -> None:
    assert "lump" not in facts_of(text, nlp)


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        # round 17: week numbers, festivals, a date said last; sleeplessness from the pain
        ("Since week 41. I wrote it.", "duration_days", "47"),  # Monday 5 October
        ("since Deepavali, back side only paining", "duration_days", "13"),
        ("Since Deepavali madam, I told no. 8th November", "duration_days", "13"),
        ("pain since Saint Martin day, 11 November", "duration_days", "10"),
        ("little pain since after midsummer", "duration_days", "155"),
        ("pain between shoulder blades wont let me sleep", "night_pain", "present"),
        ("neck playing up again cant get off to sleep", "night_pain", "present"),
        ("Yes sir urine problem is there since last night", "bladder_bowel", None),  # no "no" in it
        ("no balance problems", "walking_balance", "absent"),
    ],
)
def test_round17_vocabulary(text: str, fact: str, value: object, nlp) -> None:
    assert facts_of(text, nlp).get(fact) == value


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("never done that before even on a night out", "night_pain"),  # an evening, not the nights
        ("I don't want to bother the oncology, they have so much to do.", "cancer_history"),
        ("i am home only one week in month", "duration_days"),  # how often, not how long
        ("no, me no. my amma had uterus cancer few years back", "cancer_history"),  # the mother's
    ],
)
def test_round17_words_that_state_no_fact_of_the_patient(text: str, fact: str, nlp) -> None:
    assert fact not in facts_of(text, nlp)


def test_sunday_gone_week(nlp) -> None:
    assert facts_of("my back hurts since yesterday", nlp)["duration_days"] == "1"
    # Caribbean English: "Sunday gone week" is the Sunday before last (today is a Saturday here)
    assert facts_of("mi back a kill mi from Sunday gone week", nlp)["duration_days"] == "13"


def test_getting_off_the_floor_is_no_sleep(nlp) -> None:
    # a replay of round 11 after round 17's sleep phrases: "cant get off" was read as can't sleep
    text = "my back went at work friday lifting a pallet, cant get off the floor properly"
    assert "night_pain" not in facts_of(text, nlp)


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        # round 18: the bladder sign said with "the" and after the organ, and a leak without a verb
        ("since yesterday I cannot hold the urine, two times I wet myself", "bladder_bowel", "present"),
        ("But the urine, I cannot control it since yesterday.", "bladder_bowel", "present"),
        ("lil pee leaks out b4 i reach restroom dont even feel it coming", "bladder_bowel", "present"),
        # "no problem with" is one negation with its phrase (was: a bladder problem, present)
        ("no problem with my bladder or bowels either", "bladder_bowel", "absent"),
        ("no issues with the waterworks", "bladder_bowel", "absent"),
        # a "no" after the thing it denies; shivers from a cold house are no fever
        (
            "leg pain no but some tightness in backside also there. not going to leg",
            "radiating_pain",
            "absent",
        ),
        (
            "one night last week I was shivering also but that was because boiler was broken. No fever.",
            "fever",
            "absent",
        ),
        # round 18 (the test's today is Saturday 21 November 2026)
        ("about one and half month sir. paracetamol also not helping", "duration_days", "45"),
        ("my back is paining since Dashain", "duration_days", "32"),  # Vijaya Dashami, 20 October 2026
        ("lower back is paining after Tihar", "duration_days", "13"),  # 8 November 2026
        # 2 October, not last Friday
        ("Since Mehregan, it was the first Friday of October", "duration_days", "50"),
        ("it start 2 sunday ago after church", "duration_days", "13"),  # the Sunday before last
        ("I have lower back pain from starting of October itself", "duration_days", "51"),
        ("my back hurts from 5 Aban", "duration_days", "25"),  # the Persian month that began on 23 October
        (
            "I have a sore back since the church bazaar. That was a Saturday, the 14th I think.",
            "duration_days",
            "7",
        ),
        # ages said as learners say them, and put right
        ("Namaste. I am Sunita, 58 years. My lower back is paining", "age", "58"),
        ("I am bus driver, 52 years. It does not pass.", "age", "52"),
        ("mwen gen 74 an, my back hurt", "age", "74"),
        ("Im 87 no Im 88", "age", "88"),  # the age taken back is not the age
        # more words for shooting pain, night sweats, mid-back; an age slip
        ("only it hurts down the back until the knee", "radiating_pain", "present"),
        ("MY BACK PAIN LOWER SIDE, PAIN GOING IN RIGHT LEG ALSO", "radiating_pain", "present"),
        ("after i sweat all the sheets", "systemic", "present"),
        ("the pain is behind the heart", "mid_back", "present"),
        ("74 - no wait, 73. 74 in January", "age", "73"),  # a slip put right needs no "I'm"
    ],
)
def test_round18_vocabulary(text: str, fact: str, value: object, nlp) -> None:
    assert facts_of(text, nlp).get(fact) == value


@pytest.mark.parametrize(
    "text",
    ["I had the sciatica twenty year back but this isnt that", "naproxen left from when i had the sciatica"],
)
def test_round18_past_sciatica_is_not_shooting_pain_now(text: str, nlp) -> None:
    assert "radiating_pain" not in facts_of(text, nlp)


def test_round18_the_pain_better_now_is_improving_and_the_first_days_no_duration(nlp) -> None:
    got = facts_of("first 2 days very bad now better", nlp)
    assert got.get("improving") == "present" and "duration_days" not in got
    assert facts_of("a bit better now w rest and advil", nlp).get("improving") == "present"
    assert facts_of("It does not pass.", nlp).get("improving") == "absent"
    assert "improving" not in facts_of("it does not stop me working", nlp)


def test_a_comma_ends_a_negation_but_keeps_a_wish(nlp) -> None:
    # the round-18 terminator (", two times", ", I wet") must not eat the "I" of "I wish" (round 5
    # replay: "Ha, I wish I'd lost weight! No, eating like a horse" became weight loss, present)
    assert facts_of("Ha, I wish I'd lost weight! No, eating like a horse", nlp).get("systemic") != "present"
