"""The conversation logic (dialogue/planner.py) without Rasa: turns in, response names out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional

import pytest

from answers.interpret import Interpreter
from dialogue.chat import care_question
from dialogue.planner import (
    ASKING,
    CONSENT,
    DONE,
    INTRO,
    Message,
    Plan,
    State,
    is_relevant,
    looks_non_english,
    next_question,
    plan_turn,
)
from triage.engine import default_engine

ENGINE = default_engine()
# The planner's rules are tested on the words and facts given, without the learned reader (whose
# figures are measured by bench/answer_eval.py and tested in tests/unit/test_answers.py).
WORDS_ONLY = Interpreter(ENGINE, None)


def ents(**facts: Any) -> tuple[dict[str, Any], ...]:
    return tuple({"entity": k, "value": v} for k, v in facts.items())


def turn(
    state: State, intent: Optional[str], text: str = "", confidence: float = 1.0, **entities: Any
) -> Plan:
    msg = Message(text=text, intent=intent, entities=ents(**entities), confidence=confidence)
    return plan_turn(state, msg, ENGINE, WORDS_ONLY)


def consented(**facts: Any) -> State:
    return State(facts=facts, phase=ASKING)


# What a patient who answers "no" to everything says to the number questions: young, short pain.
NUMBER_ANSWERS = {"age": "35", "duration_days": "10 days"}
PLAIN_WORDS = {"deny": "no", "affirm": "yes", "unsure": "not sure"}


def answer_all(state: State, answer: str = "deny", limit: int = 30) -> tuple[State, list[str], Plan]:
    """Answer every question the same way until the outcome; return the facts asked about."""
    asked: list[str] = []
    plan = None
    for _ in range(limit):
        if state.pending is None and state.phase == DONE:
            break
        if state.pending in NUMBER_ANSWERS and answer != "unsure":
            said = NUMBER_ANSWERS[state.pending]
            # the NLU gives a duration with its unit as the fact itself (a bare number is no duration)
            fact = {"duration_days": 10} if state.pending == "duration_days" else {"number": said}
            plan = turn(state, "describe_symptoms", said, **fact)
        else:
            plan = turn(state, answer, PLAIN_WORDS[answer])
        state = plan.state
        if state.pending:
            asked.append(state.pending)
    assert plan is not None and plan.outcome is not None, "no outcome reached"
    return state, asked, plan


# --- opening and consent ------------------------------------------------------------------------


def test_first_message_gets_intro_and_consent_and_no_health_question() -> None:
    plan = turn(State(), "greet", "hi")
    assert plan.responses == ["utter_intro", "utter_consent"]
    assert plan.state.phase == CONSENT and plan.state.pending is None


def test_facts_given_before_consent_are_kept_and_not_asked_again() -> None:
    plan = turn(State(), "describe_symptoms", "it wakes me at night", night_pain="present")
    assert plan.state.facts["night_pain"] == "present"
    assert plan.responses[-1] == "utter_consent"
    plan = turn(plan.state, "affirm", "yes")
    assert plan.responses[0] == "utter_consent_thanks"
    state, asked, _ = answer_all(plan.state)
    assert "night_pain" not in asked


def test_yes_before_consent_does_not_answer_a_health_question() -> None:
    plan = turn(State(phase=CONSENT), "affirm", "yes")
    assert plan.responses == ["utter_consent_thanks", "utter_ask_describe"]
    assert not any(v for v in plan.state.facts.values())


def test_declining_consent_asks_nothing() -> None:
    plan = turn(State(phase=CONSENT), "deny", "no thanks")
    assert plan.responses == ["utter_consent_declined"]
    assert plan.state.phase == CONSENT


def test_emergency_sign_before_consent_gets_emergency_advice_at_once() -> None:
    plan = turn(State(), "describe_symptoms", "I've wet myself", bladder_bowel="present")
    assert plan.responses[0] == "utter_level_emergency"
    assert plan.outcome is not None and plan.outcome.fired[0] == "E1"
    assert plan.state.phase == DONE


# --- asking ---------------------------------------------------------------------------------------


def test_questions_most_dangerous_first_and_one_at_a_time() -> None:
    state, asked, plan = answer_all(consented())
    assert asked[:4] == ["bladder_bowel", "saddle_numbness", "weakness", "numbness"]
    assert len(asked) == len(set(asked)), "a question was asked twice"
    assert plan.outcome is not None and plan.outcome.level == "routine"
    assert not any(r.startswith("utter_ask_") for r in plan.responses), "a question with the outcome"


def test_each_turn_asks_at_most_one_question() -> None:
    state, questions = consented(), 0
    for _ in range(25):
        plan = turn(state, "deny", "no")
        asked = sum(r.startswith("utter_ask_") for r in plan.responses)
        assert asked <= 1
        questions += asked
        state = plan.state
        if state.phase == DONE:
            break
    assert state.phase == DONE and questions >= 4, (state.phase, questions)


def test_stated_facts_are_never_asked() -> None:
    stated = {"bladder_bowel": "absent", "weakness": "absent", "age": 62, "duration_days": 90}
    _, asked, _ = answer_all(consented(**stated))
    assert not set(asked) & set(stated)


def test_no_question_that_cannot_change_the_level() -> None:
    # Night pain already makes it "soon": lump, weight loss, mid-back... cannot change that. Age
    # and duration are still asked, last, for the doctor's summary (SUMMARY_FACTS).
    _, asked, plan = answer_all(consented(night_pain="present"))
    assert not {"lump", "systemic", "mid_back"} & set(asked)
    assert asked[-2:] == ["age", "duration_days"]
    assert {"bladder_bowel", "saddle_numbness", "fever", "cancer_history"} <= set(asked)
    assert plan.outcome is not None and plan.outcome.level == "soon"


def test_age_and_duration_are_asked_when_they_matter() -> None:
    _, asked, _ = answer_all(consented())
    assert {"age", "duration_days"} <= set(asked)


def test_follow_up_only_after_its_parent() -> None:
    facts = {"weakness": "absent"}
    assert not is_relevant(ENGINE, ENGINE.check_facts(facts), "weakness_sides", ENGINE.evaluate(facts))
    facts = {"weakness": "present"}
    assert next_question(ENGINE, {"bladder_bowel": "absent", "saddle_numbness": "absent", **facts}) == (
        "weakness_sides"
    )


def test_radiating_pain_asked_only_with_cancer_history() -> None:
    _, asked, _ = answer_all(consented())
    assert "radiating_pain" not in asked
    _, asked, _ = answer_all(consented(cancer_history="present"))
    assert "radiating_pain" in asked


def test_mid_back_strain_question_can_lower_the_level() -> None:
    facts = {"mid_back": "present"}
    assert is_relevant(ENGINE, ENGINE.check_facts(facts), "mechanical", ENGINE.evaluate(facts))


def test_why_do_you_ask_explains_and_asks_again() -> None:
    plan = turn(consented(), "deny", "no")
    pending = plan.state.pending
    plan = turn(plan.state, "why_ask", "why do you ask?")
    assert plan.responses == [f"utter_why_{pending}", f"utter_ask_{pending}"]


def test_unrelated_message_repeats_the_question() -> None:
    plan = turn(consented(), "deny", "no")
    pending = plan.state.pending
    plan = turn(plan.state, "nlu_fallback", "hmm purple")
    assert plan.responses == ["utter_not_understood", f"utter_ask_{pending}"]


def test_answer_with_an_extra_fact_keeps_both() -> None:
    state = State(facts={"bladder_bowel": "absent"}, pending="saddle_numbness", phase=ASKING)
    plan = turn(state, "deny", "no, but it does wake me up at night", answer="no", night_pain="present")
    assert plan.state.facts["saddle_numbness"] == "absent"
    assert plan.state.facts["night_pain"] == "present"


def test_old_button_answers_its_own_question() -> None:
    state = State(facts={"bladder_bowel": "absent"}, pending="weakness", phase=ASKING)
    plan = turn(state, "affirm", "/affirm", answer_to="fever")
    assert plan.state.facts["fever"] == "present"
    assert plan.state.facts["weakness"] is None


def test_yes_with_sides_answers_the_follow_up_too() -> None:
    state = State(facts={}, pending="numbness", phase=ASKING)
    plan = turn(state, "affirm", "yes, in my left leg", answer="yes", sides="one")
    assert plan.state.facts["numbness"] == "present"
    assert plan.state.facts["numbness_sides"] == "one"


def test_bare_number_answers_age_question() -> None:
    plan = turn(State(pending="age", phase=ASKING), "describe_symptoms", "62", number="62")
    assert plan.state.facts["age"] == 62


# --- emergencies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts,rule",
    [
        ({"bladder_bowel": "present"}, "E1"),
        ({"saddle_numbness": "present"}, "E2"),
        ({"numbness": "present", "numbness_sides": "both"}, "E3"),
        ({"walking_balance": "present"}, "E4"),
        ({"cancer_history": "present", "radiating_pain": "present"}, "E5"),
        ({"major_injury": "present"}, "E6"),
    ],
)
def test_emergency_in_answer_to_a_different_question_stops_asking(facts: dict, rule: str) -> None:
    state = State(facts={"bladder_bowel": "absent"}, pending="saddle_numbness", phase=ASKING)
    state = State({**state.facts}, "fever", ASKING)
    plan = turn(state, "describe_symptoms", "...", **facts)
    assert plan.responses[0] == "utter_level_emergency"
    assert rule in plan.outcome.fired  # type: ignore[union-attr]
    assert not any(r.startswith("utter_ask_") for r in plan.responses)
    assert plan.state.pending is None and plan.state.phase == DONE
    assert plan.replies[0].custom["triage"]["level"] == "emergency"  # type: ignore[index]


def test_emergency_with_a_greeting_or_thanks_still_gives_advice() -> None:
    plan = turn(consented(), "thanks", "thanks, also I can't feel my bum", saddle_numbness="present")
    assert plan.responses[0] == "utter_level_emergency"


def test_after_emergency_further_chat_gets_a_reminder() -> None:
    plan = turn(consented(), "describe_symptoms", "x", bladder_bowel="present")
    plan = turn(plan.state, "thanks", "thanks")
    assert plan.responses == ["utter_thanks", "utter_emergency_reminder"]


def test_outcome_has_reasons_education_safety_net_and_payload() -> None:
    plan = turn(consented(), "describe_symptoms", "x", bladder_bowel="present")
    r = plan.responses
    assert r[0] == "utter_level_emergency" and r[-2:] == ["utter_safety_net", "utter_summary"]
    assert "utter_reason_E1" in r and "utter_reasons_intro" in r
    edu = [x for x in r if x.startswith("utter_edu_")]
    assert 1 <= len(edu) <= 3
    payload = plan.replies[0].custom["triage"]  # type: ignore[index]
    assert payload["rules"] == ["E1"] and payload["facts"] == {"bladder_bowel": "present"}


# --- uncertain answers and corrections -----------------------------------------------------------


def test_not_sure_to_an_emergency_question_keeps_at_least_urgent_and_says_what_to_watch() -> None:
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    plan = turn(state, "unsure", "not sure")
    state, _, plan = answer_all(plan.state)
    assert plan.outcome is not None and plan.outcome.level == "urgent"
    assert "utter_watch_bladder_bowel" in plan.responses
    assert "utter_uncertain_intro" in plan.responses


def test_not_sure_to_a_non_emergency_question_changes_nothing() -> None:
    base = consented(**{f: "absent" for f in ("bladder_bowel", "saddle_numbness", "weakness")})
    _, _, sure = answer_all(base)
    plan = turn(State(base.facts, "fever", ASKING), "unsure", "dunno")
    _, _, unsure = answer_all(plan.state)
    assert sure.outcome.level == unsure.outcome.level  # type: ignore[union-attr]


def test_correction_after_the_outcome_recomputes() -> None:
    state, _, plan = answer_all(consented())
    assert plan.outcome.level == "routine"  # type: ignore[union-attr]
    plan = turn(state, "describe_symptoms", "actually I do have some numbness", numbness="present")
    assert plan.responses == ["utter_ask_numbness_sides"]
    plan = turn(plan.state, "inform", "both legs", sides="both")
    assert plan.responses[0] == "utter_level_emergency"


def test_correction_that_changes_nothing_says_so_with_payload() -> None:
    state, _, _ = answer_all(consented(night_pain="present"))
    plan = turn(state, "describe_symptoms", "it really does wake me", night_pain="present")
    assert plan.responses == ["utter_after_outcome"]  # nothing changed at all
    plan = turn(state, "describe_symptoms", "I'm 30", age=30)
    # the advice stays; the summary is given again with the new fact in it (round 9: "summary
    # never updated")
    assert plan.responses == ["utter_outcome_unchanged", "utter_summary"]
    assert plan.replies[0].custom["triage"]["level"] == "soon"  # type: ignore[index]


def test_start_over_clears_everything() -> None:
    state, _, _ = answer_all(consented(night_pain="present"))
    plan = turn(state, "start_over", "start over")
    assert plan.responses == ["utter_start_over", "utter_ask_describe"]
    assert not any(v is not None for v in plan.state.facts.values())
    assert plan.state.phase == ASKING and plan.state.last_level is None


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,intent,expected",
    [
        ("", None, "utter_empty"),
        ("   \n ", "nlu_fallback", "utter_empty"),
        ("😀😀😀", "nlu_fallback", "utter_not_understood"),
        ("me duele mucho la espalda", "nlu_fallback", "utter_non_english"),
        ("У меня болит спина", "nlu_fallback", "utter_non_english"),
        ("<script>alert(1)</script>", "nlu_fallback", "utter_not_understood"),
    ],
)
def test_bad_input_gets_a_polite_answer_and_the_question_again(text: str, intent: str, expected: str) -> None:
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    plan = turn(state, intent, text)
    assert plan.responses == [expected, "utter_ask_bladder_bowel"]
    assert plan.state.pending == "bladder_bowel"


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀🔥", "?!", "..."])
def test_a_classifier_guess_for_an_empty_message_never_answers_a_question(text: str) -> None:
    # Measured: the intent classifier calls "", "   " and emoji "affirm" at 0.42 confidence.
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    plan = turn(state, "affirm", text, confidence=0.42)
    assert plan.state.facts["bladder_bowel"] is None
    assert plan.responses[-1] == "utter_ask_bladder_bowel"
    plan = turn(State(phase=CONSENT), "affirm", text, confidence=0.9)
    assert plan.state.phase == CONSENT, "an empty message gave consent"


def test_an_unsure_classifier_yes_is_asked_again_not_taken() -> None:
    state = State(facts={}, pending="saddle_numbness", phase=ASKING)
    plan = turn(
        state, "affirm", "kinda like the bike thing", confidence=0.45
    )  # (a classifier yes, no answer words)
    assert plan.state.facts["saddle_numbness"] is None
    plan = turn(state, "affirm", "yes", confidence=0.45, answer="yes")  # the extractor's clear "yes"
    assert plan.state.facts["saddle_numbness"] == "present"


def test_very_long_message_is_read_and_noted() -> None:
    plan = turn(consented(), "describe_symptoms", "my back hurts " * 800, night_pain="present")
    assert plan.responses[0] == "utter_too_long"
    assert plan.state.facts["night_pain"] == "present"


def test_language_guess() -> None:
    assert looks_non_english("j'ai mal au dos depuis trois semaines")
    assert not looks_non_english("my back hurts at night")
    assert not looks_non_english("ok")
    assert not looks_non_english("😀")
    # texted English: "babys" (baby), "cryin" (crying), "brb"
    assert not looks_non_english("sorry babys cryin brb")


def test_a_first_message_is_never_a_farewell() -> None:
    """ "hey. just off nights" may read like "good night": at the start it is a greeting."""
    plan = turn(State(), "goodbye", "hey. just off nights")
    assert "utter_goodbye" not in plan.responses
    assert plan.responses[-1] == "utter_consent"
    later = turn(consented(), "goodbye", "bye")
    assert "utter_goodbye" in later.responses


def test_intro_phase_chat_without_facts_stays_in_intro_until_consent() -> None:
    plan = turn(State(phase=INTRO), "bot_challenge", "are you a bot?")
    assert plan.responses == ["utter_intro", "utter_iamabot", "utter_consent"]


def test_no_numbness_there_answers_the_saddle_question_not_the_legs() -> None:
    state = State(facts={"bladder_bowel": "absent"}, pending="saddle_numbness", phase=ASKING)
    plan = turn(state, "deny", "no numbness there", numbness="absent")
    assert plan.state.facts["saddle_numbness"] == "absent"
    assert plan.state.facts["numbness"] is None, "ruled out numbness in the legs"
    assert "numbness" in answer_all(plan.state)[1], "the limb numbness question was skipped"


def test_a_side_given_to_the_saddle_question_is_about_a_limb() -> None:
    state = State(facts={}, pending="saddle_numbness", phase=ASKING)
    plan = turn(state, "describe_symptoms", "numb in my left foot", numbness="present", sides="one")
    assert plan.state.facts["numbness"] == "present" and plan.state.facts["saddle_numbness"] is None


def test_a_follow_up_heard_before_its_parent_does_not_stop_the_parent_question() -> None:
    # "I strained it" (mechanical) said before anyone knows the pain is mid-back.
    _, asked, _ = answer_all(consented(mechanical="present"))
    assert "mid_back" in asked


@pytest.mark.parametrize("pending,expected", [("bladder_bowel", "absent"), ("improving", "present")])
def test_its_fine_means_no_problem(pending: str, expected: str) -> None:
    # "It's fine" was classified "affirm" (0.78): to "any bladder problems?" it must not mean yes.
    state = State(facts={"duration_days": 60}, pending=pending, phase=ASKING)
    plan = turn(state, "affirm", "it's fine", confidence=0.78, answer="fine")
    assert plan.state.facts[pending] == expected


def test_thats_fine_gives_consent() -> None:
    plan = turn(State(phase=CONSENT), "affirm", "that's fine", answer="fine")
    assert plan.state.phase == ASKING


@pytest.mark.parametrize(
    ("text", "phase"),
    [
        ("no worries, fire away", ASKING),
        ("no problem go ahead", ASKING),
        ("no worries but not now thanks", CONSENT),
        # round 10 (emoji texters): a thumbs-up, "k", "w/e ya" agree; a thumbs-down does not
        ("👍", ASKING),
        ("k 👍", ASKING),
        ("w/e ya", ASKING),
        ("👎", CONSENT),
    ],
)
def test_no_worries_gives_consent(text: str, phase: str) -> None:
    """ "no worries, fire away" (round 8) was taken as a refusal: the "no" is of the worries."""
    plan = turn(State(phase=CONSENT), "deny", text, answer="no")
    assert plan.state.phase == phase


def test_a_statement_classified_as_a_topic_is_not_answered_as_a_question() -> None:
    state = State(facts={}, pending="night_pain", phase=ASKING)
    text = "No, the pain does not wake me at night."
    plan = turn(state, "ask_bone_pain", text, answer="no", night_pain="absent")
    assert not any(r.startswith("utter_topic_") for r in plan.responses)
    plan = turn(state, "ask_bone_pain", "why is my pain worse at night?", night_pain="present")
    assert "utter_topic_bone_pain" in plan.responses


def test_an_unplaced_question_gets_an_honest_answer_not_didnt_understand() -> None:
    state = State(facts={}, pending="cancer_history", phase=ASKING)
    text = "Sorry, before I answer that, how common is it for back pain to be caused by a tumour?"
    plan = turn(state, "nlu_fallback", text, confidence=0.35)
    assert plan.responses[0] == "utter_topic_unknown"
    assert plan.responses[-1].startswith("utter_ask_") and "utter_not_understood" not in plan.responses


def test_start_over_needs_the_words_for_it() -> None:
    state = State(facts={"age": 40}, pending="saddle_numbness", phase=ASKING)
    plan = turn(state, "start_over", "Everything feels normal down there.", confidence=0.7, answer="fine")
    assert plan.state.facts["age"] == 40 and plan.state.facts["saddle_numbness"] == "absent"
    plan = turn(state, "start_over", "can we start over please")
    assert plan.responses[0] == "utter_start_over" and plan.state.facts.get("age") is None


def test_i_didnt_injure_it_answers_the_injury_question_but_a_strain_does_not() -> None:
    state = State(facts={}, pending="major_injury", phase=ASKING)
    assert (
        turn(state, "deny", "I didn't injure it", mechanical="absent").state.facts["major_injury"] == "absent"
    )
    plan = turn(state, "describe_symptoms", "I lifted a box", mechanical="present")
    assert plan.state.facts["major_injury"] is None


@pytest.mark.parametrize(
    "answer,pending,expected",
    [
        ("worse", "weakness_worsening", "present"),
        ("worse", "improving", "absent"),
        ("worse-maybe", "weakness_worsening", "unsure"),
        ("worse-maybe", "improving", "absent"),
        ("worse", "bladder_bowel", None),  # "the pain is worse than yesterday" is no bladder answer
    ],
)
def test_trend_answers(answer: str, pending: str, expected: Optional[str]) -> None:
    facts = {"weakness": "present", "duration_days": 60}
    plan = turn(State(facts=facts, pending=pending, phase=ASKING), "describe_symptoms", "...", answer=answer)
    assert plan.state.facts[pending] == expected


# --- misunderstandings fail safe (README, "Misunderstandings fail safe") ------------------------


def test_not_understood_is_asked_again_twice_then_recorded_not_sure() -> None:
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    first = turn(state, "nlu_fallback", "purple monkey dishwasher")
    assert first.responses == ["utter_not_understood", "utter_ask_bladder_bowel"]
    second = turn(first.state, "nlu_fallback", "purple monkey dishwasher")
    assert second.responses == ["utter_still_not_understood", "utter_ask_bladder_bowel_short"]
    third = turn(second.state, "nlu_fallback", "purple monkey dishwasher")
    assert third.responses[0] == "utter_noted_unsure"
    assert third.state.facts["bladder_bowel"] == "unsure" and third.state.pending != "bladder_bowel"


def test_every_conversation_reaches_an_outcome_whatever_is_typed() -> None:
    state, plan = consented(), None
    for _ in range(3 * len(ENGINE.facts) + 5):
        plan = turn(state, "nlu_fallback", "purple monkey dishwasher")
        state = plan.state
        if plan.outcome is not None:
            break
    assert plan is not None and plan.outcome is not None
    # every emergency question was left "not sure": the policy floors the outcome at urgent
    assert plan.outcome.level == "urgent"


def test_a_question_of_the_patients_does_not_count_as_not_understood() -> None:
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    plan = turn(state, "ask_mri", "do I need an MRI?")
    assert plan.responses == ["utter_topic_mri", "utter_continue", "utter_ask_bladder_bowel"]
    assert plan.state.reasks == 0


def test_an_unplaced_question_is_acknowledged_not_ignored() -> None:
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    plan = turn(state, "nlu_fallback", "is it the mattress, do you think?")
    assert plan.responses[0] == "utter_topic_unknown" and plan.responses[-1] == "utter_ask_bladder_bowel"
    plan = turn(state, "nlu_fallback", "can I still drive to work?")  # an everyday activity
    assert plan.responses[0] == "utter_activity_question_pending"
    assert plan.responses[-1] == "utter_ask_bladder_bowel"


def test_off_topic_words_mid_triage_are_asked_again_not_called_off_topic() -> None:
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    plan = turn(state, "out_of_scope", "back is hurting me")
    assert "utter_out_of_scope" not in plan.responses and plan.responses[-1] == "utter_ask_bladder_bowel"


def test_describe_once_a_described_pain_goes_straight_to_the_first_question() -> None:
    opening = turn(State(), "describe_symptoms", "my lower back hurts after lifting", mechanical="present")
    assert "utter_ask_describe" not in opening.responses and opening.state.described
    plan = turn(opening.state, "affirm", "yes")
    assert "utter_ask_describe" not in plan.responses and plan.responses[-1].startswith("utter_ask_")
    # a patient who only said hello is invited to describe the pain, after consent
    hello = turn(turn(State(), "greet", "hi").state, "affirm", "yes")
    assert hello.responses[-1] == "utter_ask_describe"


def test_a_possible_emergency_sign_is_the_very_next_question_with_the_words_read_back() -> None:
    state = State(facts={}, pending="fever", phase=ASKING)
    msg = Message(
        text="no fever, but I think my bum might be a bit numb",
        intent="deny",
        entities=(
            {"entity": "fever", "value": "absent"},
            {
                "entity": "saddle_numbness",
                "value": "present",
                "certainty": "possible",
                "text": "bum might be a bit numb",
            },
        ),
    )
    plan = plan_turn(state, msg, ENGINE, WORDS_ONLY)
    assert plan.responses == ["utter_read_back_emergency", "utter_ask_saddle_numbness"]
    assert plan.state.facts["saddle_numbness"] is None and plan.state.facts["fever"] == "absent"
    assert "bum might be a bit numb" in plan.replies[0].values["words"]


def test_a_correction_that_removes_the_emergency_says_so() -> None:
    emergency = turn(consented(), "describe_symptoms", "I've wet myself", bladder_bowel="present")
    assert emergency.outcome is not None and emergency.outcome.level == "emergency"
    plan = turn(emergency.state, "deny", "sorry no, that was years ago, not new", bladder_bowel="absent")
    assert plan.responses[0] == "utter_advice_changed"


def test_a_disputed_emergency_asks_its_sign_again() -> None:
    emergency = turn(consented(), "describe_symptoms", "my bum is numb", saddle_numbness="present")
    assert emergency.outcome is not None and emergency.outcome.level == "emergency"
    plan = turn(emergency.state, "deny", "I said there is NO loss of feeling")
    assert plan.responses == ["utter_check_again", "utter_ask_saddle_numbness"]
    answered = turn(plan.state, "deny", "no")
    assert (
        answered.state.facts["saddle_numbness"] == "absent"
        and answered.responses[0] == "utter_advice_changed"
    )


def test_a_word_the_patient_does_not_know_gets_the_question_in_simpler_words() -> None:
    state = State(facts={}, pending="saddle_numbness", phase=ASKING)
    msg = Message(
        text="dont know what numbness mean",
        intent="nlu_fallback",
        entities=({"entity": "numbness", "value": "absent"},),
    )
    plan = plan_turn(state, msg, ENGINE, WORDS_ONLY)
    assert plan.responses == ["utter_put_simply", "utter_ask_saddle_numbness_short"]
    assert plan.state.facts["saddle_numbness"] is None and plan.state.facts["numbness"] is None
    assert plan.state.reasks == 0


# --- the patient's own questions about where, when and what ---------------------------------------


@pytest.mark.parametrize(
    ("facts", "level"),
    [({"fever": "present"}, "urgent"), ({}, "routine"), ({"night_pain": "present"}, "soon")],
)
def test_a_question_about_where_or_when_to_go_is_answered_from_this_level(facts: dict, level: str) -> None:
    state, _, plan = answer_all(consented(**facts))
    assert plan.outcome.level == level  # type: ignore[union-attr]
    asked = turn(state, "out_of_scope", "can I wait till my GP appointment on Thursday?")
    assert asked.responses == [f"utter_care_question_{level}"]
    asked = turn(state, "ask_self_care", "can I still go to the gym?")
    assert asked.responses == [f"utter_activity_question_{level}"]


def test_a_care_question_before_the_outcome_is_acknowledged_and_the_question_comes_back() -> None:
    state = consented()
    plan = turn(state, "affirm", "yes")
    pending = plan.state.pending
    asked = turn(plan.state, "ask_when_to_seek_care", "should I be going to A&E right now??")
    # the pending question is an emergency sign's: told to go now if the answer is yes (round 17:
    # "Now itself I have to go to hospital is it?" beside a read-back got "after a few questions")
    assert pending in ENGINE.emergency_facts
    assert asked.responses[0] == "utter_care_question_if_sign"
    assert asked.state.pending == pending and asked.responses[-1] == f"utter_ask_{pending}"
    later = turn(replace(plan.state, pending="night_pain"), "ask_when_to_seek_care", "should I go to A&E?")
    assert later.responses[0] == "utter_care_question_pending"
    # a statement that names a place is no question
    told = turn(plan.state, "deny", "no, I saw my GP last week")
    assert not any(r.startswith("utter_care_question") for r in told.responses)


# --- someone typing for the patient ------------------------------------------------------------


def test_typed_for_someone_their_facts_are_the_patients_until_the_patient_takes_over() -> None:
    opening = "Hi, I'm asking for my husband Mark, he's 45. He's had low back pain since half term."
    plan = turn(State(), "describe_symptoms", opening, duration_days=35)
    assert plan.state.proxy and plan.state.facts["age"] == 45
    state = replace(plan.state, phase=ASKING, pending="bladder_bowel")
    said = "No. But she says he can't feel his bum when he wipes"
    entities = (
        {
            "entity": "saddle_numbness",
            "value": "present",
            "person": "other",
            "who": "he",
            "text": "can't feel",
        },
        {
            "entity": "radiating_pain",
            "value": "present",
            "person": "self",
            "first_person": True,
            "text": "sciatica",
        },
    )
    plan = plan_turn(state, Message(text=said, intent="deny", entities=entities), ENGINE, WORDS_ONLY)
    assert plan.responses[0] == "utter_level_emergency"  # his sign, typed by her, is his
    assert plan.state.facts["radiating_pain"] is None  # what the typist says of herself is not
    plan = turn(plan.state, "inform", "this is Mark now, she's given me the phone")
    assert not plan.state.proxy


def test_he_and_she_are_someone_else_when_the_patient_types() -> None:
    state = consented()
    state = replace(state, pending="bladder_bowel")
    entities = ({"entity": "walking_balance", "value": "present", "person": "other", "who": "he"},)
    msg = Message(text="no. my husband had that, he couldn't walk", intent="deny", entities=entities)
    plan = plan_turn(state, msg, ENGINE, WORDS_ONLY)
    assert plan.state.facts.get("walking_balance") is None and not plan.state.proxy


# --- round 7 (blind role-play) ------------------------------------------------------------------


def test_two_read_backs_then_not_sure_never_a_loop() -> None:
    """A reply that names the sign's topic without a clear answer is read back; the third such
    reply records "not sure" (an unsure emergency sign floors the outcome at urgent)."""
    state = State(phase=ASKING, pending="bladder_bowel", described=True)
    seen = []
    for _ in range(3):
        plan = turn(state, None, "well a couple of little leaks, I don't always notice")
        seen.append(plan.responses)
        state = plan.state
    assert "utter_read_back_emergency" in seen[0] and "utter_read_back_emergency" in seen[1]
    assert "utter_noted_unsure" in seen[2] and state.facts.get("bladder_bowel") == "unsure"


def test_after_an_emergency_no_only_back_pain_reply() -> None:
    state = turn(State(phase=ASKING, pending="bladder_bowel", described=True), "affirm", "yes").state
    assert state.last_level == "emergency"
    plan = turn(state, "out_of_scope", "Okay thank you. I will ask my husband to drive me now.")
    assert "utter_out_of_scope" not in plan.responses and "utter_emergency_reminder" in plan.responses


def test_a_not_new_correction_after_an_emergency_asks_the_named_sign_again() -> None:
    facts = {"bladder_bowel": "present", "walking_balance": "present"}
    state = State(facts=facts, phase=DONE, last_level="emergency", last_rules=("E1", "E4"), described=True)
    plan = turn(
        state, "inform", "my bladder is fine dear nothing new with it, i just get up at night like always"
    )
    assert plan.responses[0] == "utter_check_again" and plan.state.pending == "bladder_bowel"


def test_a_dispute_that_restates_the_sign_it_disputes_asks_it_again() -> None:
    """ "I never said me waterworks were worse, I said I don't know": the words name the sign (read
    as present, as it was recorded), but the message disputes it: asked again, never repeated."""
    facts = {"bladder_bowel": "present", "walking_balance": "present"}
    state = State(facts=facts, phase=DONE, last_level="emergency", last_rules=("E1", "E4"), described=True)
    text = "I never said me waterworks were worse, I said I don't know"
    plan = turn(state, "inform", text, bladder_bowel="present")
    assert plan.responses[0] == "utter_check_again" and plan.state.pending == "bladder_bowel"


def test_a_volunteered_no_is_quoted_with_its_negation_and_a_vaguer_place_never_replaces_an_exact_one() -> (
    None
):
    """The doctor reads "no not numb nowhere", never the bare "numb" that says the opposite; "my
    back" is replaced by "lower back" said later, never the other way round."""
    text = "ok so my back is sore, no not numb nowhere"
    said = ({"entity": "numbness", "value": "absent", "text": "numb"},)
    plan = plan_turn(consented(), Message(text=text, intent="inform", entities=said), ENGINE, WORDS_ONLY)
    assert "not numb" in plan.state.sources["numbness"]["words"]
    assert plan.state.sources["where"]["words"] == "back"
    plan = turn(plan.state, "inform", "its the lower back mostly")
    assert plan.state.sources["where"]["words"] == "lower back"
    plan = turn(plan.state, "inform", "yeah my back")
    assert plan.state.sources["where"]["words"] == "lower back"


def test_a_question_put_off_until_the_outcome_is_answered_with_it() -> None:
    """ "can I still drive to work?" mid-triage: "after a few more questions", then the answer
    comes with the outcome, from its level (it was never answered in round 8)."""
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    plan = turn(state, "nlu_fallback", "can I still drive to work?")
    assert plan.responses[0] == "utter_activity_question_pending" and plan.state.deferred == "activity"
    _, _, last = answer_all(plan.state)
    level = last.outcome.level if last.outcome else None
    assert last.responses[-1] == f"utter_activity_question_{level}" and last.state.deferred is None


def test_the_count_of_questions_in_a_row_is_kept_between_turns() -> None:
    """The slots keep how often the question came back after a question of the patient's, so
    endless questions still reach an outcome through the action server."""
    from actions.actions import ASIDES_SLOT, plan_events

    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    plan = turn(state, "ask_mri", "do I need an MRI?")
    assert plan.state.asides == 1
    assert {"event": "slot", "name": ASIDES_SLOT, "value": 1} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in plan_events(state, plan)
    ]


def test_someone_elses_sign_as_the_answer_asks_about_the_patient() -> None:
    """ "me old man had prostate cancer" to "have you ever had cancer?" (round 8): noted as
    someone else's and asked of the patient, never "didn't understand" nor a read-back."""
    state = State(facts={}, pending=next_question(ENGINE, {}), phase=ASKING)
    while state.pending != "cancer_history":
        answer = NUMBER_ANSWERS.get(str(state.pending), "no")
        state = turn(state, "inform", answer, number=answer if answer != "no" else None).state
    said = ({"entity": "cancer_history", "value": "present", "person": "other", "text": "cancer"},)
    msg = Message(text="me old man had prostate cancer", intent="inform", entities=said)
    plan = plan_turn(state, msg, ENGINE, WORDS_ONLY)
    assert plan.responses == ["utter_about_you", "utter_ask_cancer_history_short"]
    assert plan.state.facts["cancer_history"] is None


def test_a_bare_numb_after_saddle_numbness_is_not_a_numb_limb() -> None:
    """ "seriously? its just a bit numb" after the saddle-numbness emergency (round 8) added a numb
    arm or leg (S6); a numb leg named is still read."""
    state = State(
        facts={"saddle_numbness": "present"},
        phase=DONE,
        last_level="emergency",
        last_rules=("E2",),
        described=True,
    )
    said = ({"entity": "numbness", "value": "present", "text": "numb"},)
    msg = Message(text="seriously? its just a bit numb. can i still fly fri", intent="inform", entities=said)
    plan = plan_turn(state, msg, ENGINE, WORDS_ONLY)
    assert plan.state.facts["numbness"] is None
    msg = Message(text="and my left leg is numb too", intent="inform", entities=said)
    assert plan_turn(state, msg, ENGINE, WORDS_ONLY).state.facts["numbness"] == "present"


def test_a_question_about_the_emergency_number_is_answered() -> None:
    """ "911?? d'you mean ring 999" (an English patient, round 8): every country's number, never
    "I can't answer that"."""
    from actions.locale import locale_vars

    state = State(facts={}, phase=DONE, last_level="emergency", last_rules=("E4",), described=True)
    plan = turn(state, "nlu_fallback", "911?? d'you mean ring 999 or get our lad to run us up to A&E")
    assert plan.responses[0] == "utter_emergency_numbers"
    assert "999 in the UK" in locale_vars("US")["emergency_numbers"]


def test_what_was_the_question_asks_it_again() -> None:
    """ "sorry was on the phone to work. what was the question again?" (round 9): the question
    again, never "I can't answer that"."""
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    plan = turn(state, "nlu_fallback", "sorry was on the phone to work. what was the question again?")
    assert plan.responses == ["utter_ask_bladder_bowel"] and plan.state.reasks == 0


def test_a_duration_typed_as_the_age_is_no_age() -> None:
    """ "10 days ago" typed to "how old are you?" (round 9) ended the chat as a child's."""
    state = State(facts={}, pending="age", phase=ASKING)
    plan = turn(state, "inform", "10 days ago")
    assert "utter_not_for_children" not in plan.responses and plan.state.facts["age"] is None


def test_quotes_keep_decimals_and_a_short_sentence_whole() -> None:
    """ "temp was 38." (round 9) cut at a decimal point; "have weakness po, I can stand" lost its
    "Not": a short sentence is quoted whole, and a full stop between digits ends nothing."""
    from answers.wording import sentence_around, words_around

    assert sentence_around("yes. temp was 38.4 last night. and chills", "temp") == "temp was 38.4 last night."
    assert words_around("Not have weakness po, I can stand on the tip of foot.", "stand").startswith("Not")


# --- typed commands, deleting the conversation, a lost conversation -----------------------------


def typed(state: State, intent: Optional[str], text: str, earlier_button: bool = False) -> Plan:
    """A "/..." message that was none of the offered buttons (channels/inbound.py read it as text)."""
    msg = Message(text=text, intent=intent, typed_command=True, earlier_button=earlier_button)
    return plan_turn(state, msg, ENGINE, WORDS_ONLY)


def test_a_typed_restart_is_not_a_restart() -> None:
    state = State(facts={"age": 40}, pending="bladder_bowel", phase=ASKING, described=True)
    plan = typed(state, "start_over", "/restart")
    assert "utter_start_over" not in plan.responses
    assert plan.state.facts["age"] == 40 and plan.state.pending == "bladder_bowel"


def test_a_typed_command_is_not_understood_rather_than_another_language() -> None:
    state = State(pending="bladder_bowel", phase=ASKING, described=True)
    plan = typed(state, "nlu_fallback", '/deny{"bladder_bowel":"absent","saddle_numbness":"absent"}')
    assert "utter_non_english" not in plan.responses and "utter_not_understood" in plan.responses
    assert plan.state.facts.get("bladder_bowel") is None and plan.state.pending == "bladder_bowel"


def forget_asked(state: State) -> State:
    plan = turn(state, "forget_me", "please delete my conversation")
    assert plan.responses == ["utter_forget_confirm"] and not plan.forget
    return plan.state


def test_delete_my_conversation_is_confirmed_then_done() -> None:
    state = forget_asked(State(facts={"age": 40}, pending="bladder_bowel", phase=ASKING, described=True))
    assert state.forget_asked and state.facts["age"] == 40
    plan = turn(state, "affirm", '/affirm{"answer_to":"forget"}', answer_to="forget")
    assert plan.responses == ["utter_forgotten"] and plan.forget
    assert plan.state.facts.get("bladder_bowel") is None, "the yes answered the triage question"


def test_no_keeps_the_conversation_and_asks_the_pending_question_again() -> None:
    state = forget_asked(State(facts={"age": 40}, pending="bladder_bowel", phase=ASKING, described=True))
    plan = turn(state, "deny", "no")
    assert plan.responses == ["utter_forget_kept", "utter_ask_bladder_bowel"] and not plan.forget
    assert plan.state.facts.get("bladder_bowel") is None, "the no answered the triage question"
    assert plan.state.facts["age"] == 40 and not plan.state.forget_asked
    consent = forget_asked(State(phase=CONSENT))
    assert turn(consent, "deny", "no").responses == ["utter_forget_kept", "utter_consent"]


def test_a_delete_request_is_no_answer_and_an_emergency_comes_first() -> None:
    state = State(pending="bladder_bowel", phase=ASKING, described=True)
    assert turn(state, "forget_me", "delete my data").state.facts.get("bladder_bowel") is None
    plan = turn(state, "forget_me", "delete my data, I've wet myself", bladder_bowel="present")
    assert plan.outcome is not None and plan.outcome.level == "emergency" and not plan.forget
    asked = forget_asked(state)
    plan = turn(asked, "deny", "no, but I have wet myself", bladder_bowel="present")
    assert plan.outcome is not None and plan.outcome.level == "emergency" and not plan.forget


def test_a_delete_request_needs_the_words_and_a_typed_one_is_text() -> None:
    state = State(pending="bladder_bowel", phase=ASKING, described=True)
    assert "utter_forget_confirm" not in turn(state, "forget_me", "forget it").responses
    assert "utter_forget_confirm" not in typed(state, "forget_me", "/forget_me").responses


def test_an_answer_to_a_lost_conversation_is_told_it_started_over() -> None:
    plan = typed(State(), "deny", '/deny{"answer_to":"bladder_bowel"}', earlier_button=True)
    assert plan.responses == ["utter_lost_conversation", "utter_intro", "utter_consent"]
    plan = turn(State(), "deny", "no")
    assert plan.responses == ["utter_lost_conversation", "utter_intro", "utter_consent"]
    assert turn(State(), "greet", "hi").responses == ["utter_intro", "utter_consent"]
    assert turn(State(), "describe_symptoms", "my back hurts").responses == ["utter_intro", "utter_consent"]


def test_a_request_to_wait_is_no_failed_answer() -> None:
    """ "wait" / "hang on, phone's ringing" / "brb": "take your time", the question waits (not
    "didn't understand", not counted as a failed answer); "wait, actually yes" is an answer."""
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    for text in ("wait", "hang on, phone's ringing", "brb", "one sec someone at the door"):
        plan = turn(state, "nlu_fallback", text)
        assert plan.responses == ["utter_take_your_time"], text
        assert plan.state.pending == "bladder_bowel" and plan.state.reasks == 0
    plan = turn(state, "affirm", "wait, actually yes")
    assert "utter_take_your_time" not in plan.responses
    assert plan.state.facts.get("bladder_bowel") == "present"


def test_endless_waiting_still_reaches_an_outcome() -> None:
    """A patient who only ever types "hang on" is counted like one who only asks questions."""
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    for _ in range(10):
        plan = turn(state, "nlu_fallback", "hang on")
        state = plan.state
        if state.pending != "bladder_bowel":
            break
    assert state.facts.get("bladder_bowel") == "unsure"


def test_a_bare_duration_after_a_sign_question_is_no_answer_to_it() -> None:
    """Round 10: "About two weeks now." sent just after the bladder question, the second half of
    an opening, was read as yes (a false emergency). Now it is the pain's duration when that is
    not known yet, and the question is asked again (the NLU's reading: tests/unit/test_answers.py)."""

    def said(state: State, text: str, days: int) -> Plan:
        span = {"entity": "duration_days", "value": str(days), "start": 0, "end": len(text) - 1}
        return plan_turn(state, Message(text=text, intent="inform", entities=(span,)), ENGINE, WORDS_ONLY)

    plan = said(State(facts={}, pending="bladder_bowel", phase=ASKING), "About two weeks now.", 14)
    assert plan.state.facts.get("bladder_bowel") is None and plan.state.facts.get("duration_days") == 14
    assert plan.state.pending == "bladder_bowel" and "utter_level_emergency" not in plan.responses
    # the pain's duration already known: kept, and still no answer to the sign
    plan = said(
        State(facts={"duration_days": 3}, pending="bladder_bowel", phase=ASKING), "About two weeks now.", 14
    )
    assert plan.state.facts.get("duration_days") == 3 and plan.state.facts.get("bladder_bowel") is None


@pytest.mark.parametrize(
    ("text", "value"), [("👍", "present"), ("👎", "absent"), ("🤷‍♀️", "unsure"), ("👎🏽 nope", "absent")]
)
def test_an_emoji_that_leads_a_reply_answers(text: str, value: str) -> None:
    """Round 10: "👎" to the fever question was "Sorry, I didn't understand"."""
    plan = turn(State(facts={}, pending="fever", phase=ASKING), "nlu_fallback", text)
    assert plan.state.facts.get("fever") == value


@pytest.mark.parametrize(
    "text", ["nothing is numb", "my groin and bum arent numb lol", "no numbness anywhere"]
)
def test_denying_the_saddle_sign_after_its_emergency_asks_it_again(text: str) -> None:
    """Round 10: after a misread saddle "yes", three denials got "call 911 now" each time (the NLU
    reads them as an absent numbness, no limb named). The sign is now asked again plainly."""
    state = State(
        facts={"saddle_numbness": "present", "bladder_bowel": "absent"},
        phase=DONE,
        last_level="emergency",
        last_rules=("E2",),
    )
    plan = turn(state, "deny", text, numbness="absent")
    assert plan.responses[:2] == ["utter_check_again", "utter_ask_saddle_numbness"]
    plan = turn(plan.state, "deny", "no")
    assert plan.state.facts["saddle_numbness"] == "absent" and "utter_advice_changed" in plan.responses
    # a numb limb named is about the limb: the emergency stands
    plan = turn(state, "deny", "my legs arent numb", numbness="absent")
    assert "utter_check_again" not in plan.responses


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("Can I wait for tomorrow, my oncologist opens 9 o clock?", "utter_care_question_emergency"),
        ("cnt i jus wait til tmrw? got jobs 2day", "utter_care_question_emergency"),
        ("can it wait till im tipped?", "utter_care_question_emergency"),
        ("do i need 2 call or can hubby drive me?", "utter_transport_question_emergency"),
    ],
)
def test_asking_to_wait_or_how_to_get_there_at_an_emergency_is_answered(text: str, response: str) -> None:
    """Round 10: these got "Sorry, I can't answer that here" before the reminder, and "can hubby
    drive me?" got "Please don't do that now" (read as an activity)."""
    state = State(facts={"bladder_bowel": "present"}, phase=DONE, last_level="emergency", last_rules=("E1",))
    plan = turn(state, "out_of_scope", text)
    assert plan.responses == [response]  # the answer itself says to go now: no reminder twice


def test_telling_of_the_pain_is_no_topic_question() -> None:
    """Round 10: "my back is killing me" (intent ask_diagnosis) got "I can't tell you what is
    causing your pain", though nothing was asked; a real question still gets the topic."""
    state = State(facts={}, pending="bladder_bowel", phase=ASKING)
    told = turn(state, "ask_diagnosis", "my back is killing me")
    assert not any(r.startswith("utter_topic_") for r in told.responses)
    asked = turn(state, "ask_diagnosis", "what's causing it?")
    assert asked.responses[0] == "utter_topic_diagnosis"


def test_an_unsure_farewell_or_an_on_topic_off_topic_is_neither() -> None:
    """Round 10: "Eight years ago. All clear now though." (goodbye, 0.58) got "Take care."; the
    opening "👋 bk killin me" (out_of_scope) got "I can only help check back or neck pain"."""
    done = State(facts={"fever": "present"}, phase=DONE, last_level="urgent", last_rules=("U2",))
    plan = turn(done, "goodbye", "Eight years ago. All clear now though.", confidence=0.58)
    assert "utter_goodbye" not in plan.responses
    assert turn(done, "goodbye", "bye now", confidence=0.95).responses == ["utter_goodbye"]
    opening = turn(State(), "out_of_scope", "👋 bk killin me", confidence=0.45)
    assert "utter_out_of_scope" not in opening.responses
    assert "utter_out_of_scope" in turn(State(), "out_of_scope", "what's the weather tomorrow").responses


def test_a_fact_added_after_the_emergency_advice_updates_the_summary() -> None:
    """Round 10: tingling in both feet told after the emergency outcome never reached the summary
    (here a fact that fires no other rule, so the advice itself is not given again)."""
    state = State(facts={"bladder_bowel": "present"}, phase=DONE, last_level="emergency", last_rules=("E1",))
    plan = turn(state, "inform", "it does ease when I lie down though", improving="present")
    assert "utter_emergency_reminder" in plan.responses and plan.responses[-1] == "utter_summary"
    assert turn(state, "thanks", "ok thanks").responses[-1] != "utter_summary"


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("can i still skate tho or nah?", "utter_activity_question_routine"),
        ("ok to keep doing chores?", "utter_activity_question_routine"),
        ("Can I go to spin class?", "utter_activity_question_routine"),
        ("heat or ice?", "utter_topic_self_care"),
        ("what can I do for it in the meantime?", "utter_topic_self_care"),
        ("Is it really that serious?", "utter_care_question_routine"),
    ],
)
def test_the_patients_everyday_questions_after_the_outcome_are_answered(text: str, response: str) -> None:
    """Round 11: these got "Sorry, I can't answer that here ... outside the two articles I use"."""
    state, _, plan = answer_all(consented())
    assert plan.outcome.level == "routine"  # type: ignore[union-attr]
    assert turn(state, "nlu_fallback", text).responses[0] == response


def test_a_question_about_going_now_is_no_dispute_of_the_emergency() -> None:
    """Round 11: "wait fr?? like rn? its prob just from the wipeout right" after the advice was
    taken as a dispute ("Sorry if I got that wrong", the sign asked again)."""
    state = State(facts={"bladder_bowel": "present"}, phase=DONE, last_level="emergency", last_rules=("E1",))
    plan = turn(state, "nlu_fallback", "wait fr?? like rn? its prob just from the wipeout right")
    assert "utter_check_again" not in plan.responses and "utter_emergency_reminder" in plan.responses


def test_asking_what_counts_puts_the_question_simply() -> None:
    state = State(facts={}, pending="weakness", phase=ASKING)
    assert turn(state, "nlu_fallback", "what counts as weakness?").responses[0] == "utter_put_simply"


def test_after_the_saddle_advice_a_numb_backside_is_the_saddle_not_a_limb() -> None:
    """ "side" names a limb sign only as a word ("on one side"): "backside", "inside" do not."""
    from dialogue.records import _limb_or_side

    assert _limb_or_side("numb on one side") and not _limb_or_side("my backside is numb")
    assert not _limb_or_side("numb inside")


# --- round 12 of blind role-play -----------------------------------------------------------------


def test_ditto_repeats_the_answer_before_and_alone_answers_nothing() -> None:
    state = replace(consented(), pending="bladder_bowel")
    first = turn(state, "deny", "no")
    assert first.state.facts["bladder_bowel"] == "absent"
    again = turn(first.state, None, "ditto")
    asked = first.state.pending
    assert again.state.facts[asked] == "absent" and again.state.pending != asked
    # nothing answered before: asked again, never guessed
    fresh = turn(state, None, "as above")
    assert fresh.state.facts.get("bladder_bowel") is None and fresh.state.pending == "bladder_bowel"


def test_a_cancer_history_read_back_carries_the_advice_when_it_makes_an_emergency() -> None:
    # tingling in one leg known, then "not really, I had a small breast cancer": E5 if it is a yes
    state = replace(consented(numbness="present", numbness_sides="one"), pending="cancer_history")
    state = replace(state, facts={**state.facts, "bladder_bowel": "absent"})
    plan = turn(state, "deny", "Not really. I had a small breast cancer years ago", cancer_history="present")
    assert plan.responses[0] == "utter_read_back_emergency" and plan.state.pending == "cancer_history"
    alone = turn(
        replace(consented(), pending="cancer_history"),
        "deny",
        "Not really. I had a small breast cancer years ago",
        cancer_history="present",
    )
    assert alone.responses[0] == "utter_read_back"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("To confirm: is A&E genuinely required here? The leaking is fairly minor.", "care"),
        ("would an appointment with my general practitioner in the morning suffice?", "care"),
        ("so no doctor needed then right?", "care"),
        ("cant i just do turmeric and see how i feel in a couple days?", "care"),
        ("should I carry on with the physio exercises in the meantime, or pause?", "activity"),
        ("should i drive myself or wait for my husband?", "transport"),
        ("should I wake my husband?", "transport"),  # round 17 (night owls): asked three times, ignored
    ],
)
def test_round12_care_questions(text: str, kind: str) -> None:
    from dialogue.chat import care_question

    assert care_question(text) == kind


def test_a_question_about_data_is_answered_and_consent_asked_again() -> None:
    plan = turn(State(phase=CONSENT), None, "ok but what happens to my answers after? do they get saved")
    assert plan.responses == ["utter_privacy_question", "utter_consent"] and plan.state.phase == CONSENT
    asking = turn(replace(consented(), pending="bladder_bowel"), None, "are you a real nurse dear?")
    assert asking.responses == ["utter_iamabot", "utter_ask_bladder_bowel"]


def test_a_sign_said_absent_takes_its_side_and_trend_with_it() -> None:
    state = replace(consented(weakness="present", weakness_sides="one"), pending="weakness_worsening")
    plan = turn(state, "deny", "There is no weakness", weakness="absent")
    assert plan.state.facts["weakness"] == "absent" and plan.state.facts["weakness_sides"] is None


def test_a_shorter_time_said_later_does_not_replace_the_pains_unless_corrected() -> None:
    state = replace(consented(duration_days=76), pending="numbness")
    kept = turn(state, "affirm", "yes numb, has been for a week or so", numbness="present", duration_days=7)
    assert kept.state.facts["duration_days"] == 76
    fixed = turn(
        state, "affirm", "yes. actually the back is more like a week", numbness="present", duration_days=7
    )
    assert fixed.state.facts["duration_days"] == 7


def test_a_pleasantry_is_thanked_and_the_question_follows() -> None:
    # round 14 (older texters): "How are You today?" was ignored, alone or before an answer
    asking = replace(consented(), pending="bladder_bowel")
    alone = turn(asking, None, "How are You today??")
    assert alone.responses[0] == "utter_thanks_for_asking" and "utter_topic_unknown" not in alone.responses
    assert alone.responses[-1] == "utter_ask_bladder_bowel"
    text = "No problems there..... How are you today? Regards, Barbara"
    with_answer = turn(asking, "deny", text, answer="no")
    assert with_answer.responses[0] == "utter_thanks_for_asking"
    assert with_answer.state.facts["bladder_bowel"] == "absent"


@pytest.mark.parametrize(
    "text",
    [
        # round 15 (many conditions and medicines): asked beside the symptoms, they were dropped
        "Pain in the middle of my back for 3 weeks. Could the warfarin be causing a bleed in my back?",
        "can I carry on with my paracetamol??",
        "No pins and needles. Could the statin do that though?",
    ],
)
def test_a_question_about_medicines_is_acknowledged(text: str) -> None:
    plan = turn(replace(consented(), pending="numbness"), None, text)
    assert "utter_medicine_question" in plan.responses
    assert "utter_topic_unknown" not in plan.responses


def test_a_lift_later_is_a_wait() -> None:
    # round 15 (South African English): "just now after he finishes work" is hours away; at an
    # emergency the answer is "go now", not "yes, if someone can take you"
    from dialogue.chat import care_question

    text = "My grandson can take me to Frere hospital just now after he finishes work, is that ok?"
    assert care_question(text) == "care"
    assert care_question("can hubby drive me?") == "transport"


@pytest.mark.parametrize("text", ["i guess", "possibly. go on then", "dunno, ok then"])
def test_a_reluctant_yes_gives_consent(text: str) -> None:
    # round 16 (shruggers): "possibly. go on then" was read as declining, "i guess" asked again
    assert turn(State(phase=CONSENT), None, text).state.phase == ASKING


def test_a_question_that_starts_with_wait_is_no_request_to_wait() -> None:
    # round 16: "wait really? like go now?" after the emergency advice got "No rush, take your time"
    state = State(facts={"saddle_numbness": "present"}, phase=DONE, last_level="emergency")
    plan = turn(state, None, "wait really? like go now? its prob nothing tbh")
    assert "utter_take_your_time" not in plan.responses


def test_an_injury_told_as_minor_is_read_back_without_calling_it_long_standing() -> None:
    from dialogue.questions import read_back

    assert read_back(ENGINE, "major_injury", "came off in august", old=True).response != "utter_read_back_old"
    assert (
        read_back(ENGINE, "walking_balance", "wobbly since my stroke", old=True).response
        == "utter_read_back_old"
    )


def test_a_sick_note_question_is_acknowledged_even_beside_symptoms() -> None:
    # round 16: "can u do me a sick note?" was asked four times and never answered
    state = State(facts={"age": 34}, phase=DONE, last_level="routine")
    plan = turn(state, None, "can u give me a sick note or do i have to get one off the gp?")
    assert plan.responses == ["utter_sick_note_question"]


@pytest.mark.parametrize("level", ["emergency", "urgent"])
def test_no_everyday_self_care_text_after_an_emergency_or_same_day_outcome(level: str) -> None:
    # round 16: "can i take co-codamol while i wait in a&e?" got "see a doctor if not better in 2-6 weeks"
    state = State(facts={"age": 52}, phase=DONE, last_level=level)
    plan = turn(state, "ask_self_care", "can i take co-codamol while i wait in a&e or not")
    assert "utter_topic_self_care" not in plan.responses
    assert f"utter_care_question_{level}" in plan.responses


def test_a_told_history_is_not_taken_away_by_a_no_in_passing_or_in_a_question() -> None:
    # round 17 (parents-02, nordic-02): "does that still count?" and "I don't want to bother the
    # oncology" were read as a no to cancer: urgent became routine
    done = State(facts={"cancer_history": "present"}, phase=DONE, last_level="urgent", last_rules=("U3",))
    asked = turn(
        done, None, "no i mean the cancer was years ago, does that still count?", cancer_history="absent"
    )
    assert asked.state.facts["cancer_history"] == "present"
    asking = replace(consented(cancer_history="present"), pending="fever")
    passing = turn(asking, None, "I don't want to bother the oncology", cancer_history="absent")
    assert passing.state.facts["cancer_history"] == "present"
    # a correction, or the question itself asked again, still changes it
    fixed = turn(asking, None, "actually I never had cancer, I misread it", cancer_history="absent")
    assert fixed.state.facts["cancer_history"] == "absent"
    again = turn(replace(asking, pending="cancer_history"), "deny", "no", answer="no")
    assert again.state.facts["cancer_history"] == "absent"


@pytest.mark.parametrize(
    "text",
    [
        "should I ring my cancer nurse first or my GP?",
        "ok. the hospital or Frauenärztin, who I call?",
        "Yes but which one do I phone, the cancer clinic or Dr Patel?",
    ],
)
def test_which_service_after_a_cancer_history_outcome_is_the_cancer_team(text: str) -> None:
    """Round 18: three patients told to contact their cancer team today (U3) asked which service to
    call and got "see a doctor today", "I can only help with back pain" or "I can't answer that"."""
    state = State(facts={"cancer_history": "present"}, phase=DONE, last_level="urgent", last_rules=("U3",))
    assert turn(state, "out_of_scope", text).responses[0] == "utter_cancer_team_question_urgent"
    # without the cancer rule, a question of which doctor is the level's own care answer
    fever = State(facts={"fever": "present"}, phase=DONE, last_level="urgent", last_rules=("U2",))
    assert "utter_cancer_team_question_urgent" not in turn(fever, "out_of_scope", text).responses


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("SHOULD I GO DMC LUDHIANA FOR MRI?", "utter_topic_mri"),
        ("Should I directly get MRI done in Manipal, or first see the doctor?", "utter_topic_mri"),
        ("do i need to see the doctor for an xray?", "utter_topic_xray"),
    ],
)
def test_a_care_question_about_a_scan_gets_the_scan_answered_too(text: str, topic: str) -> None:
    """Round 18: "should I go ... for MRI?" got only the level's care answer; the scan part was lost."""
    state = State(facts={"night_pain": "present"}, phase=DONE, last_level="soon", last_rules=("S1",))
    responses = turn(state, "out_of_scope", text).responses
    assert "utter_care_question_soon" in responses and topic in responses


@pytest.mark.parametrize(
    "text",
    [
        "ok merci sir. can i go work tomorrow? manager say if i take sick more i lose hours",
        "ok. and i can keep going to work? i am secretary in a school, all day sitting",
        "so i can work or no? my job is lift boxes all day, 10 hour shift",
        "ya but work?? like lifting totes again on wed is that ok or nah",
        "ok thanks. so can i keep doing my shifts till i see the GP?",
    ],
)
def test_round18_work_questions_are_activity_questions(text: str) -> None:
    """Round 18: these got "I can't answer that", "I can only help with back pain", or the level's
    where-and-when answer (a day named, "tomorrow", made them a question of when to see a doctor)."""
    assert care_question(text) == "activity"
