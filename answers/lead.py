"""The words a reply leads with ("yeah nah", "God forbid", "not sure"), and what its explanation
says about time ("since last week", "always been like that"). The word lists are data
(answers/lead_words.yml)."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any, Optional

import yaml

from answers.contract import Reply
from nlp.spelling import standard_spelling

LEAD_WORDS_FILE = Path(__file__).resolve().parent / "lead_words.yml"
# Signs whose one recent episode is the sign, even if it has passed ("wet myself yesterday, fine
# now" is a new loss of bladder control).
EPISODE_FACTS = frozenset({"bladder_bowel", "major_injury"})
# Signs of the arms and legs: that the limbs work says they are absent.
LIMB_FACTS = frozenset({"weakness", "weakness_worsening", "numbness", "walking_balance"})
# Signs that are events, not states: "recent" says nothing about them.
EVENT_FACTS = frozenset({"major_injury"})
# A topic word right after a negation ("no accident", "not wet") does not name the sign.
_NEGATED_BEFORE = re.compile(r"\b(no|not|never|without|nae|non|pas|nicht|nada)\s+(\w+\s+)?$", re.I)
# "walking's fine", "waterworks are all good", "bladder ok": the topic, then that it is fine.
_FINE_AFTER = re.compile(
    r"\w*('s|s)?\s+(is |are |has been |have been |was |were |been |seems |all )?(\w+ ){0,2}"
    r"(fine|ok|okay|good|normal|grand|alright|all right|sweet|no problem|no bother|as usual|same as ever)\b"
)
_LEAD_JUNK = re.compile(r"^[\W_]*", re.U)
# Fillers before the answer word: "hmm maybe", "well no", "oh yes", "erm not sure".
# Words that open a reply before its answer, in English and in patients' other languages
# ("bueno yes", "pues no", "olha, não", "wallahi no", "abeg no", "och aye").
_FILLERS = re.compile(
    r"^(?:(?:hmm+|hm+|mm+|umm*|erm*|uh+|um+|ah+|oh+|eh+|well|so|look|listen|honestly|i mean|like|"
    r"bueno|pues|mira|bom|olha|ent[aã]o|wallahi|wallah|walla|yani|abeg|chale|och|ach)\b[\W_]*)+",
    re.I,
)
# A preamble before the answer word, ended by a colon or a comma: "As I told you four questions
# ago: yes, down the left leg", "like i said before, no".
_PREAMBLE = re.compile(
    r"^(?:as|like) (?:i|i've|i have|i had) "
    r"(?:said|told you|mentioned|explained|already said|already told you)(?: \w+){0,5}?\s*[:,;.-]+\s*",
    re.I,
)


@functools.lru_cache(maxsize=1)
def lead_words() -> dict[str, Any]:
    raw = yaml.safe_load(LEAD_WORDS_FILE.read_text(encoding="utf-8"))
    out: dict[str, Any] = {
        key: [re.compile(p, re.I) for p in pats]
        for key, pats in raw.items()
        if key not in ("topics", "emoji")
    }
    out["emoji"] = {
        re.compile(r"^\s*[" + re.escape(chars) + "][\U0001f3fb-\U0001f3ff\ufe0f\u200d\u2640\u2642]*"): word
        for word, chars in (raw.get("emoji") or {}).items()
    }
    out["topics"] = {fact: re.compile(p, re.I) for fact, p in (raw.get("topics") or {}).items()}
    return out


def spelled(text: str) -> str:
    """An emoji that leads the reply spelled as its answer word: "👍" -> " yes ", "👎 nope" -> " no
    nope" ("all clear now tho 👍" is a statement, not a yes)."""
    for pattern, word in lead_words()["emoji"].items():
        text = pattern.sub(f" {word} ", text)
    return text


def fold(text: str) -> str:
    """Lower case, curly quotes straightened, patients' own spellings standardised ("not shure"),
    answer emoji spelled, other leading emoji and punctuation dropped."""
    folded = standard_spelling(
        unicodedata.normalize("NFKC", spelled(text)).replace("\u2019", "'").replace("\u2018", "'").lower()
    )
    return _PREAMBLE.sub("", _FILLERS.sub("", _LEAD_JUNK.sub("", folded)))


@functools.lru_cache(maxsize=256)  # pure, and asked several times per message
def lead_reply(text: str) -> Optional[Reply]:
    """The clear answer the message gives: the word it starts with ("yeah nah" is a no), unless it
    ends by settling on another ("yes I thought I'd leaked but it was sweat, so no")."""
    body = fold(text).strip()
    words = lead_words()
    lead = None
    # A refusal, "no idea" and "not sure" are not a no: those families are tried first.
    for key, reply in (
        ("refuse", Reply.UNSURE),
        ("litotes_yes", Reply.YES),
        ("switch_no", Reply.NO),
        ("unsure", Reply.UNSURE),
        ("hedged", Reply.UNSURE),
        ("switch_yes", Reply.YES),
        ("no", Reply.NO),
        ("new", Reply.YES),
        ("yes", Reply.YES),
    ):
        if any(p.match(body) for p in words[key]):
            lead = reply
            break
    if lead is None and "?" in body:
        # "numb like how? nah nothing down there", "Numb in what sense? No.": a question back,
        # then the answer
        after = body.split("?", 1)[1].strip(" ?")
        if after:
            lead = lead_reply(after)
    refused = any(p.match(body) for p in words["refuse"]) or words["refuse"][0].search(body)
    if refused:
        return Reply.UNSURE  # "none of your business. i said my NECK", "not telling you that"
    for key, reply in (("settle_no", Reply.NO), ("settle_yes", Reply.YES)):
        if any(p.search(body) for p in words[key]):
            return reply
    return lead


def _starts_with(family: str, text: str) -> bool:
    """The folded reply starts with a phrase of this lead-word family."""
    body = fold(text).strip()
    return any(p.match(body) for p in lead_words()[family])


def says_not_sure(text: str) -> bool:
    """The reply starts by saying it is not sure ("not shure. bit wobbly sumtimes"), as against a
    hedged yes ("possibly?", "kinda"): what it then states of the sign is no yes."""
    return _starts_with("unsure", text)


def says_hedged_no(text: str) -> bool:
    """The reply starts with a hedged no ("maybe not kah, ..."), a polite no in many Englishes."""
    return _starts_with("hedged_no", text)


def says_correction(text: str) -> bool:
    """The message corrects something said before ("actually it's more like 3 weeks")."""
    return any(p.search(fold(text)) for p in lead_words()["corrects"])


def says_same_again(text: str) -> bool:
    """ "ditto", "same", "as above": the answer before, again (dialogue/records.answer_again); on its
    own it answers nothing."""
    return _starts_with("same_as_before", text)


def says_it_is_new(text: str) -> bool:
    """The reply starts by saying the sign is new ("well its new yeah"): a yes, whatever follows."""
    return _starts_with("new", text)


def says_it_happened(text: str) -> bool:
    """A question about a sign that then says it happened ("does it count if I wet myself a bit
    yesterday? because I did")."""
    return any(p.search(fold(text)) for p in lead_words()["happened"])


def names_topic(fact: str, text: str, negated_too: bool = False) -> bool:
    """The message names the sign's topic, not negated ("a couple of little leaks"); with
    ``negated_too``, negated or not ("its not my water": the bladder is named)."""
    topic = lead_words().get("topics", {}).get(fact)
    folded = fold(text)
    return topic is not None and any(
        negated_too or not _NEGATED_BEFORE.search(folded[: m.start()]) for m in topic.finditer(folded)
    )


def names_recent_topic(fact: str, text: str) -> bool:
    """The message names the sign's topic, not negated, and says it is recent ("these 2 day ...
    pee"). Not for an injury: it is an event by nature ("no accident, it just started")."""
    if fact in EVENT_FACTS or not names_topic(fact, text):
        return False
    folded = fold(text)
    return any(p.search(folded) for p in lead_words()["recent"])


def says_topic_fine(fact: str, text: str) -> bool:
    """The message says the sign's topic is fine ("walking's fine", "waterworks are all good",
    "bladder ok"): a recent word beside it ("we did a long walk last week") is no sign."""
    topic = lead_words().get("topics", {}).get(fact)
    if topic is None:
        return False
    folded = fold(text)
    return any(_FINE_AFTER.match(folded[m.end() :]) for m in topic.finditer(folded))


def says_sign_fine(fact: str, text: str) -> bool:
    """The explanation backs a no: the sign's topic is fine ("walking's fine"), or, for an arm or
    leg sign, the limbs work ("I can stand on the tip of foot", "I walk 5 km yesterday")."""
    folded = fold(text)
    able = any(p.search(folded) for p in lead_words()["able"])
    return says_topic_fine(fact, text) or able or says_limbs_work(fact, text)


def says_limbs_work(fact: str, text: str) -> bool:
    """For an arm or leg sign: the limbs work ("legs ok, arms ok", "I walk 5 km yesterday")."""
    return fact in LIMB_FACTS and any(p.search(fold(text)) for p in lead_words()["limbs_work"])


def asks_meaning(text: str) -> bool:
    """The message asks what a word of the question means."""
    return any(p.search(fold(text)) for p in lead_words()["asks_meaning"])


def says_recent(text: str) -> bool:
    """The message says something started recently ("since last week", "it was fine until now")."""
    folded = fold(text)
    return any(p.search(folded) for p in lead_words()["recent"]) or "until now" in folded


def says_not_new(text: str, fact: Optional[str] = None, undated_events: bool = False) -> bool:
    """The explanation says the sign is old or explained ("it's always been like that"), and
    nothing in it says the sign is recent ("since the weekend, but that's the coffee")."""
    folded = fold(text)
    words = lead_words()
    if fact not in EPISODE_FACTS and any(p.search(folded) for p in words["resolved"]):
        return True  # "went dead once last week... went away": recent, but gone
    # (with ``undated_events``: an injury is an event, and words that date it, or the pain after
    # it, say nothing of it being old; used only where the answer is then read back, never a no)
    return any(p.search(folded) for p in words["not_new"]) and (
        (undated_events and fact in EVENT_FACTS) or not any(p.search(folded) for p in words["recent"])
    )
