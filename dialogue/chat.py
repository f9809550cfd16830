"""The reply to what a message is about, besides any facts in it: greetings, thanks, the
patient's own questions (topics, where and when to get care), too long, another language."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from answers.message import Message
from dialogue.state import DONE, INTRO, Reply, State
from nlp.questions import looks_like_question

# Messages longer than this get a gentle note (they are read up to 10,000 characters, the cut of
# channels/inbound.py, so an emergency sign anywhere in that still counts). About ten long
# sentences: more than any answer needs.
LONG_MESSAGE_CHARS = 1500
# Below this share of ASCII letters a message is taken as written in another script.
MIN_ASCII_LETTER_SHARE = 0.5
# A message of at least this many words, of which fewer than this share are common English words,
# is taken as another language ("me duele mucho la espalda": 1 of 5).
MIN_WORDS_FOR_LANGUAGE_GUESS = 4
MIN_ENGLISH_WORD_SHARE = 0.25

# The patient telling of their own pain ("my back is killing me", "I've got a sore neck").
_TELLS_PAIN = re.compile(
    r"\b(my|me|i'?m|im|i am|i have|i'?ve|ive|i got|i get)\b.*\b(pain\w*|hurt\w*|ach\w*|sore\w*|killing|kills|"
    r"killin|agony|throb\w*|stiff\w*|twing\w*|spasm\w*)\b",
    re.I,
)
# A farewell, thanks or "are you a bot?" only when the classifier is fairly sure: "Eight years ago.
# All clear now though." (goodbye, 0.58) is an answer, not a farewell.
CHAT_MIN_CONFIDENCE = 0.7
# Words of this assistant's topic: a message with them is never "I can only help with back pain"
# ("👋 bk killin me").
_ON_TOPIC = re.compile(
    r"\b(back|bk|neck|spine|spinal|sciatica|disc|disk|lumbar|pain\w*|ach\w*|hurt\w*|sore\w*|killin\w*|agony)\b",
    re.I,
)
FALLBACK_INTENTS = {"nlu_fallback", "out_of_scope", None}
CHAT_REPLIES = {
    "thanks": "utter_thanks",
    "goodbye": "utter_goodbye",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
}
TOPIC_INTENT_PREFIX = "ask_"
TOPIC_RESPONSE_PREFIX = "utter_topic_"
UNKNOWN_TOPIC_INTENT = "ask_unknown_topic"
UNKNOWN_TOPIC_RESPONSE = "utter_topic_unknown"
HOLD_ON_RESPONSE = "utter_take_your_time"
SELF_CARE_RESPONSE = "utter_topic_self_care"
# Outcomes after which everyday self-care advice would contradict the advice to get care now.
URGENT_LEVELS = ("emergency", "urgent")
PRIVACY_RESPONSE = "utter_privacy_question"
# "How are You today?": thanked for asking (a chatbot has no day), never ignored nor "can't answer that"
PLEASANTRY_RESPONSE = "utter_thanks_for_asking"
# "can I carry on taking my paracetamol?", "is it my statin?": medicines are the prescriber's call
MEDICINE_RESPONSE = "utter_medicine_question"
SICK_NOTE_RESPONSE = "utter_sick_note_question"

# Common English words, from a data file: enough to tell "me duele la espalda" from English slang.
ENGLISH_WORDS_FILE = Path(__file__).resolve().parent / "english_words.txt"
_ENGLISH_WORDS = frozenset(
    w.strip()
    for w in ENGLISH_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    if w.strip() and not w.startswith("#")
)


# --- reading the message -----------------------------------------------------------------------


def looks_non_english(text: str) -> bool:
    """A cheap guess that a message is in another language (we only understand English)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    ascii_share = sum(c.isascii() for c in letters) / len(letters)
    if ascii_share < MIN_ASCII_LETTER_SHARE:
        return True
    folded = unicodedata.normalize("NFKD", re.sub(r"<[^>]*>", " ", text.lower()))
    words = re.findall(r"[a-z']+", folded)
    if len(words) < MIN_WORDS_FOR_LANGUAGE_GUESS:
        return False
    return sum(_is_english(w) for w in words) / len(words) < MIN_ENGLISH_WORD_SHARE


def _is_english(word: str) -> bool:
    """A known word, or one in its texted form: "babys" (baby), "cryin" (crying)."""
    return (
        word in _ENGLISH_WORDS
        or (word.endswith(("s", "'s")) and word.rstrip("s").rstrip("'") in _ENGLISH_WORDS)
        or (word.endswith("in") and word + "g" in _ENGLISH_WORDS)
    )


@lru_cache(maxsize=2)
def _patterns(file_name: str) -> dict[str, re.Pattern[str]]:
    """The named regexes of a data file beside this module (care_questions.yml, hold_on.yml)."""
    data = yaml.safe_load((Path(__file__).with_name(file_name)).read_text(encoding="utf-8"))
    return {key: re.compile(str(value), re.I) for key, value in data.items()}


def asks_to_wait(text: str) -> bool:
    """ "hang on, phone's ringing", "brb": a request to wait, with no answer and no question in it
    ("wait really? like go now?" is a question about the advice, not a pause)."""
    patterns = _patterns("hold_on.yml")
    folded = text.lower().replace("\u2019", "'")
    return (
        bool(patterns["hold"].search(folded)) and not patterns["answers"].search(folded) and "?" not in folded
    )


def tells_pain(text: str) -> bool:
    """ "my back is killing me": the patient tells of their pain; a topic the classifier heard in it
    is no question to answer ("sciatica?" or "info on MRI please" are)."""
    return _TELLS_PAIN.search(text) is not None


_UNTIL_TAIL = re.compile(r"\b(till|until|til|before)\b.*$")


def care_question(text: str) -> Optional[str]:
    """ "care" for a question about where or when to get care (or whether it can wait, or is that
    serious), "transport" for how to get there ("can hubby drive me?"), "activity" for whether an
    activity is OK ("can I still skate?"), "selfcare" for looking after it ("heat or ice?"),
    "number" for which emergency number to call, else None (the caller checks that the message is
    a question)."""
    patterns = _patterns("care_questions.yml")
    folded = text.lower()
    if patterns["number"].search(folded) and "?" in folded:
        return "number"
    if patterns["transport"].search(folded):
        # "can my grandson take me after he finishes work?": when to go comes first
        return "care" if patterns["later"].search(folded) else "transport"
    if patterns["serious"].search(folded):
        return "care"
    # ("can i keep doing my shifts till i see the GP?": the doctor bounds the time, the activity is asked)
    if patterns["still"].search(folded) and not patterns["place"].search(_UNTIL_TAIL.sub("", folded)):
        return "activity"
    if not patterns["ask"].search(folded):
        return "selfcare" if patterns["selfcare"].search(folded) else None
    if patterns["place"].search(folded):
        return "care"
    if patterns["activity"].search(folded):
        # "can i go work tomorrow?", "can i keep doing my shifts till i see the GP?": the activity,
        # whatever day it is asked for (a place named makes it a question of where to go, above)
        return "activity"
    if patterns["wait"].search(folded):
        return "care"
    return "selfcare" if patterns["selfcare"].search(folded) else None


def chat_reply(
    msg: Message, state: State, had_facts: bool, asking: bool, sign_pending: bool = False
) -> list[Reply]:
    """The reply to what the message is about, besides any facts in it.

    asking: a triage question is pending, so an unplaced message is a failed answer (asked again
    below), never "off-topic". sign_pending: that question is about an emergency sign, so "should I
    go to hospital now?" is told to go now if the answer is yes, never only "after a few questions".
    """
    intent, text = msg.intent, msg.text or ""
    replies: list[Reply] = []
    if len(text) > LONG_MESSAGE_CHARS:
        replies.append(Reply("utter_too_long"))
    if not had_facts and not msg.meaningful:
        replies.append(Reply("utter_empty" if not text.strip() else "utter_not_understood"))
        return replies
    # (a typed "/..." command is no language: it is simply not understood)
    if (
        not had_facts
        and not msg.typed_command
        and intent in FALLBACK_INTENTS | {"describe_symptoms"}
        and looks_non_english(text)
    ):
        replies.append(Reply("utter_non_english"))
        return replies
    if not had_facts and asks_to_wait(text):
        replies.append(Reply(HOLD_ON_RESPONSE))  # never "didn't understand", never a failed answer
        return replies
    question = looks_like_question(text)
    care = care_question(text) if question else None
    about = _patterns("care_questions.yml")
    low = text.lower()
    pleasantry = about["pleasantry"].search(low) is not None
    if pleasantry:
        replies.append(Reply(PLEASANTRY_RESPONSE))  # "How are You today?": thanked, then the rest
    medicine = question and "?" in text and about["medicine"].search(low) is not None
    if medicine and care in (None, "selfcare", "activity"):
        # "could the warfarin be causing a bleed?", asked beside the symptoms: acknowledged honestly
        # (ask a pharmacist or the prescriber), never dropped because the message also held facts
        replies.append(Reply(MEDICINE_RESPONSE))
        care = None
    sick_note = "?" in text and about["sicknote"].search(low) is not None
    if sick_note:
        # "can u do me a sick note? my lower back's been bad since half term": acknowledged, never
        # dropped because the message also held facts
        replies.append(Reply(SICK_NOTE_RESPONSE))
        care = None
    if question and not had_facts and about["identity"].search(low):
        replies.append(Reply(CHAT_REPLIES["bot_challenge"]))  # "are you a real nurse, dear?"
    elif question and about["privacy"].search(low):
        replies.append(Reply(PRIVACY_RESPONSE))  # "is this stored? who sees it?"
    elif question and _asks_which_cancer_service(low, about, state):
        # "should I ring my cancer nurse first or my GP?" once told to contact the cancer team
        # today (U3): that team first, then the GP or urgent care, never only "see a doctor today"
        replies.append(Reply("utter_cancer_team_question_urgent"))
    elif care is not None:
        # "A&E now or wait for the GP?", "can I still train?": answered from this conversation's
        # own level once there is one, never with a general text that may not fit it
        level = state.last_level if state.phase == DONE and state.last_level else "pending"
        if care == "number":
            replies.append(Reply("utter_emergency_numbers"))
        elif care == "selfcare" and level not in URGENT_LEVELS:
            replies.append(Reply(SELF_CARE_RESPONSE))  # "heat or ice?": the sources' self-care text
        else:
            # how to get there matters only when it is now; at an emergency "heat or ice?" gets the
            # advice first
            kind = "care" if care == "selfcare" or (care == "transport" and level != "emergency") else care
            if kind == "care" and level == "pending" and sign_pending:
                level = "if_sign"  # "Now itself I have to go to hospital is it?" beside a read-back
            replies.append(Reply(f"utter_{kind}_question_{level}"))
            scan = about["scan"].search(low) if kind == "care" else None
            if scan is not None:  # "should I ask my doctor for an MRI?": the scan is answered too
                replies.append(Reply("utter_topic_xray" if scan.group("xray") else "utter_topic_mri"))
    elif (intent == "greet" and not had_facts) or (intent == "goodbye" and state.phase == INTRO):
        # a first message is never a farewell ("hey. just off nights" reads like "good night")
        replies.append(Reply("utter_greet"))
    elif intent == "why_ask":
        if state.pending:
            replies.append(Reply(f"utter_why_{state.pending}"))
        elif state.phase == DONE:  # "does it matter that my mum had cancer?" after the outcome
            replies.append(Reply(UNKNOWN_TOPIC_RESPONSE if question else "utter_after_outcome"))
        else:
            replies.append(Reply("utter_no_pending"))
    elif (
        intent
        and intent.startswith(TOPIC_INTENT_PREFIX)
        and (question or not (had_facts or tells_pain(text)))
    ):
        # A statement of symptoms that merely sounds like a topic ("no, the pain does not wake me
        # at night" -> ask_bone_pain) is an answer, not a question to answer.
        topic = TOPIC_RESPONSE_PREFIX + intent[len(TOPIC_INTENT_PREFIX) :]
        outcome = state.last_level if state.phase == DONE else None
        if intent == UNKNOWN_TOPIC_INTENT:
            replies.append(Reply(UNKNOWN_TOPIC_RESPONSE))
        elif topic == SELF_CARE_RESPONSE and outcome in URGENT_LEVELS:
            # "can i take co-codamol while i wait in a&e?": never "see a doctor if not better in 2
            # to 6 weeks" after an emergency or same-day outcome; that outcome's own care answer
            replies.append(Reply(f"utter_care_question_{outcome}"))
        else:
            replies.append(Reply(topic))
    elif (
        intent in CHAT_REPLIES
        and not had_facts
        and not (asking and intent == "out_of_scope")
        and not (intent == "out_of_scope" and _ON_TOPIC.search(text))
        and (intent == "out_of_scope" or msg.confidence >= CHAT_MIN_CONFIDENCE)
    ):
        replies.append(Reply(CHAT_REPLIES[intent]))
    elif (
        question
        and "?" in text
        and not had_facts
        and not pleasantry
        and not medicine
        and not sick_note
        and intent in FALLBACK_INTENTS | {"describe_symptoms", "inform"}
    ):
        # A question of the patient's we could not place: acknowledged honestly, never ignored.
        replies.append(Reply(UNKNOWN_TOPIC_RESPONSE))
    return replies


def _asks_which_cancer_service(low: str, about: dict[str, re.Pattern[str]], state: State) -> bool:
    """A question of which service to contact, from a patient whose outcome is urgent for a past
    cancer (U3): it names the cancer team, or asks which one of two."""
    told_cancer_team = state.phase == DONE and state.last_level == "urgent" and "U3" in state.last_rules
    return told_cancer_team and bool(about["cancer_team"].search(low) or about["which_one"].search(low))
