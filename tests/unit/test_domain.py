"""The Rasa project hangs together: intents, routing rule, entities and every response we utter."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from triage.engine import EMERGENCY, LEVELS, default_engine

ROOT = Path(__file__).resolve().parents[2]
ENGINE = default_engine()
PAYLOAD_ONLY_INTENTS = {"inform"}  # sent by buttons, never typed


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


DOMAIN = load(ROOT / "domain.yml")
RESPONSES: dict[str, Any] = {}
for _path in sorted((ROOT / "data" / "responses").glob("*.yml")):
    RESPONSES.update(load(_path).get("responses") or {})
NLU_INTENTS = {
    block["intent"]
    for path in (ROOT / "data" / "nlu").glob("*.yml")
    for block in load(path).get("nlu") or []
    if "intent" in block
}


def rule_intents() -> set[str]:
    rules = load(ROOT / "data" / "rules" / "turn.yml")["rules"]
    (rule,) = rules
    return {step["intent"] for step in rule["steps"][0]["or"]}


def test_intents_in_training_data_and_domain_agree() -> None:
    assert NLU_INTENTS == set(DOMAIN["intents"]) - PAYLOAD_ONLY_INTENTS


def test_every_intent_is_routed_to_the_turn_action() -> None:
    assert rule_intents() == set(DOMAIN["intents"]) | {"nlu_fallback"}
    assert load(ROOT / "data" / "rules" / "turn.yml")["rules"][0]["steps"][1] == {"action": "action_turn"}


def test_every_fact_is_an_entity_and_a_slot() -> None:
    for name in ENGINE.facts:
        assert name in DOMAIN["entities"], name
        assert name in DOMAIN["slots"], name


def test_button_entities_are_declared() -> None:
    checked = 0
    for name, variants in RESPONSES.items():
        for v in variants:
            for b in v.get("buttons") or []:
                payload = b["payload"].replace("{{", "{").replace("}}", "}")
                if "{" in payload:
                    for entity in json.loads(payload[payload.index("{") :]):
                        assert entity in DOMAIN["entities"], f"{name}: {entity}"
                        checked += 1
    assert checked >= len(ENGINE.facts), "every question's buttons carry entities"


def dialogue_responses() -> set[str]:
    """Every response name the dialogue, the action and the rule table can ask Rasa to send."""
    # the dialogue's responses, and the action's own (its apology when a turn fails)
    sources = [*sorted((ROOT / "dialogue").glob("*.py")), ROOT / "actions" / "actions.py"]
    code = "\n".join(p.read_text() for p in sources)
    names = {n for n in re.findall(r'"(utter_\w+)"', code) if not n.endswith("_")}  # not prefixes
    names |= {f"utter_ask_{f}" for f in ENGINE.facts} | {f"utter_why_{f}" for f in ENGINE.facts}
    names |= {f"utter_ask_{f}_short" for f in ENGINE.facts}
    names |= {f"utter_watch_{f}" for f in ENGINE.emergency_facts}
    names |= {f"utter_level_{level}" for level in LEVELS}
    names |= {r.reason for r in ENGINE.rules}
    topics = {t for r in ENGINE.rules for t in r.education}
    topics |= set(ENGINE.routine_education) | set(ENGINE.fact_education.values())
    topics |= set(ENGINE.level_education.values())
    names |= {f"utter_edu_{t}" for t in topics}
    names |= {"utter_topic_" + i[len("ask_") :] for i in DOMAIN["intents"] if i.startswith("ask_")}
    names |= {
        f"utter_{kind}_question_{level}" for kind in ("care", "activity") for level in (*LEVELS, "pending")
    }
    names.add("utter_transport_question_emergency")  # how to get there: only asked about when it is now
    names.add("utter_care_question_if_sign")  # before the outcome, beside an emergency sign's question
    names.discard("utter_topic_unknown_topic")
    names.add("utter_topic_unknown")
    return names


def test_every_response_the_dialogue_can_send_exists() -> None:
    missing = dialogue_responses() - set(RESPONSES)
    assert not missing, sorted(missing)


def test_no_unused_responses() -> None:
    unused = set(RESPONSES) - dialogue_responses()
    assert not unused, sorted(unused)


def test_emergency_facts_are_derived_from_the_table() -> None:
    from_rules = {f for r in ENGINE.rules if r.level == EMERGENCY for f in r.facts()}
    assert ENGINE.emergency_facts == from_rules


def test_templates_only_use_locale_variables() -> None:
    from actions.locale import locale_vars
    from triage.summary import build_summary, template_values

    allowed = set(locale_vars())  # emergency_number, emergency_department, emergency_numbers, where
    summary_values = set(template_values(build_summary(ENGINE, {}, None)))
    for name, variants in RESPONSES.items():
        for v in variants:
            used = set(re.findall(r"(?<!\{)\{(\w+)\}(?!\})", v.get("text", "")))
            ok = allowed | summary_values if name == "utter_summary" else allowed
            ok = ok | {"words"} if name.startswith("utter_read_back") else ok
            assert used <= ok, f"{name}: {used - ok}"
    assert summary_values <= set(re.findall(r"\{(\w+)\}", RESPONSES["utter_summary"][0]["text"]))
