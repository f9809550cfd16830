"""Turn a patient's message into triage facts (names and values of triage/facts.yml).

Why rules and not a trained model: there is no clinical chat corpus to train on, every decision
must be explainable to a clinician, and a negated or someone else's symptom must never become the
patient's. The spaCy pipeline (nlp/build_pipeline.py) finds symptom phrases and medspaCy ConText
marks them negated / family / historical / hypothetical; this module turns that into fact values
and adds what phrases cannot carry alone: sides, worsening, age, duration and short replies.
No Rasa import here: the same code serves the Rasa component, the tests and the benchmark.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.dates import start_dates
from nlp.questions import QUESTION_START
from triage.engine import default_engine

NLP_DIR = Path(__file__).resolve().parent
REPO_ROOT = NLP_DIR.parent
CUES_FILE = NLP_DIR / "patterns" / "cues.yml"

# Fact kinds come from the contract (triage/facts.yml), and the facts whose miss could send
# someone with an emergency home (the safety recall target) from the rule table itself.
_ENGINE = default_engine()
TRI_FACTS = frozenset(n for n, spec in _ENGINE.facts.items() if spec.kind == "tri")
SIDES_FACTS = frozenset(n for n, spec in _ENGINE.facts.items() if spec.kind == "sides")
NUMBER_FACTS = frozenset(n for n, spec in _ENGINE.facts.items() if spec.kind == "number")
GENERIC_FACTS = frozenset({"answer", "sides", "number"})  # short replies to the pending question
EMERGENCY_FACTS = _ENGINE.emergency_facts
LIMB_FACTS = ("weakness", "numbness")
_SENT_INDEX_KEY = "triage_facts_sent_index"
IGNORE_LABEL = "IGNORE"

# Longer input is cut: a chat message is never this long, and it bounds the time per message.
MAX_TEXT_CHARS = 20_000
# Long text is processed in pieces cut at sentence ends: ConText compares every modifier with
# every other (quadratic), and no scope crosses a sentence, so pieces give the same facts faster.
CHUNK_CHARS = 1_000
# Bare replies ("both legs", "just the left", "about 45") are short; longer text is a statement.
MAX_BARE_REPLY_WORDS = 8
# How far after a weakness sentence a pronoun sentence ("It's getting worse.") still refers to it.
FOLLOW_SENTENCES = 1
# Plausible ages for "I'm N" (smaller numbers there are usually "I'm 6 weeks into this").
MIN_AGE, MAX_AGE = 12, 110
DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}
# "for years" / "for months" without a number: the smallest plural (2 of the unit).
VAGUE_PLURAL_COUNT = 2
# "over a month", "more than 6 weeks": strictly more, so the rules' "more than N days" hold.
MORE_THAN_EXTRA_DAYS = 1
MID_MONTH_DAY, LATE_MONTH_DAY, END_MONTH_DAY = 15, 20, 25
# "The first week of October": the middle of that week.
WEEK_START_DAY = {"first": "4", "second": "11", "third": "18", "last": "25"}
DECADE_OFFSET = {"early": 0, "mid": 5, "late": 7, "": 0}  # "in my late 50s" -> 57


@dataclass(frozen=True)
class Mention:
    """One fact read from the text: value as the dialogue stores it, char span in the message."""

    fact: str
    value: str
    start: int
    end: int
    text: str
    # Whose, when and how sure (answers.contract): only self / now / definite mentions are facts;
    # the others travel with them so the interpreter can ask, read back or keep them for the record.
    time: str = "now"
    person: str = "self"
    certainty: str = "definite"

    @property
    def definite_own_now(self) -> bool:
        return self.time == "now" and self.person == "self" and self.certainty == "definite"


# --------------------------------------------------------------------------- pipeline loading


def _resolve_model_path(path: str | Path) -> Path:
    """Relative paths work from the repo root as well as from the current directory."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    return REPO_ROOT / p


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> Language:
    import spacy

    from nlp import components  # noqa: F401  (registers our factories before spacy.load)

    return spacy.load(path)


def load_nlp(path: str | Path = "nlp/model") -> Language:
    """Load the saved pipeline once per process (it is read-only, so sharing is safe)."""
    return _load_cached(str(_resolve_model_path(path).resolve()))


# --------------------------------------------------------------------------- cue regexes


@functools.lru_cache(maxsize=1)
def _cues() -> dict:
    with open(CUES_FILE, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    flags = re.IGNORECASE
    return {
        "both": [re.compile(p, flags) for p in raw["sides"]["both"]],
        "one": [re.compile(p, flags) for p in raw["sides"]["one"]],
        "stable": [re.compile(p, flags) for p in raw["worsening"]["stable"]],
        "worse": [re.compile(p, flags) for p in raw["worsening"]["worse"]],
        "pain_subject": re.compile(raw["worsening"]["pain_subject"], flags),
        "answers": [(k, re.compile(v, flags)) for k, v in raw["answers"].items()],
    }


_CLAUSE_BREAK = re.compile(r"\b(?:but|however|whereas|while|whilst|although|though|except)\b|;")
_QUESTION_START = QUESTION_START  # one shared detector (nlp/questions.py)
_FIRST_PERSON = re.compile(
    r"\bmy\b|\b(that|since|because|as|and|but|when|now|so|if)\s+i\b|\bi\s*('ve|'m|am|have)\s+(got|been|had|noticed|having|getting)\b",
    re.I,
)
# Questions about what a symptom would mean are hypothetical even when they say "my".
_HYPOTHETICAL_QUESTION_CUE = re.compile(
    r"\b(cause|causes|lead to|leads to|sign of|signs of|warning signs?|symptoms? of|normal to|what if|"
    r"look out for|watch out for|should i worry|do i need to worry)\b",
    re.I,
)
# "My partner noticed a swelling on the right side of my lower back": whoever noticed it, a sign on
# "my" body is the patient's.
_ON_MY_BODY = re.compile(r"\s+(?:on|in|at|around|near|under|over|down)\b[^.?!;]{0,25}?\bmy\b", re.I)
# "Someone rear-ended my car": the phrase itself says whose it is.
_MINE_IN_SPAN = re.compile(r"\b(my|me)\b", re.I)
_FOLLOW_UP_EXAMPLE = re.compile(r"^\W*(like|such as|e\.?g\.?|for example|things like|or)\b", re.I)
# "..., but that was years ago": the whole sentence is the past.
_PAST_SENTENCE = re.compile(
    r"\b(that|it|this) (was|were|happened) (\w+ ){0,3}(years|decades|ages|a long time) ago\b|"
    r"\b(that|it|this) was (years|decades|ages|a long time) ago\b",
    re.I,
)
# The same, within the clause of the mention only ("had sciatica years ago, but this is low down"):
# "had sciatica at school, nothing like that now", "it's gone now", "leg tingle that time".
_PAST_CLAUSE = re.compile(
    r"\blong (time )?ago\b|\b(that time|at the time|back then|those days|in the past)\b|"
    r"\b(nothing|none|gone|cleared( up)?|all clear|better|fine)( like (that|it|this))?"
    r"( since| now| anymore| any more)\b|"
    r"\b(not|no longer|never) (now|anymore|any more|since|these days)\b|"
    r"\b(had|got) [\w ]{1,25}\b(at school|at uni|at university|at college|as a (kid|child|teenager)|"
    r"when i was (young|little|a kid|younger|pregnant|\d+)|years ago|in (19|20)\d\d|last year|back in)\b",
    re.I,
)
# "No balance problems", "no appetite issues": a phrase that starts with "no" ("no balance") is
# not a symptom when a problem noun follows: the "no" negates the problem.
_NO_PROBLEMS_AFTER = re.compile(
    r"\s+(problems?|issues?|troubles?|changes?|difficult(y|ies)|concerns?|worries)\b", re.I
)
_TIME_ONLY = re.compile(r"^(at|during|in|through|every|most|all|throughout)\b", re.I)
_PAIN_WORD = re.compile(
    r"\b(pain\w*|hurt\w*|ache\w*|aching|sore|agony|worse|throb\w*|kill\w*|bad|unbearable|awful|terrible|wak\w*|woke|sleep\w*)\b",
    re.I,
)
_PRONOUN_START = re.compile(r"^\W*(and\s+)?(it|it's|its|this|that|they|they're|the weakness)\b", re.I)

_UNITS = r"(?P<unit>days?|d|weeks?|wks?|wk|w|fortnights?|months?|mths?|mnths?|mos?|years?|yrs?|yr)"
_SMALL_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_NUM_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]?(?:one|two|three|four|"
    r"five|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
_NUM = rf"(?:\d{{1,3}}(?:\.\d)?|{_NUM_WORD})"
_QTY_WORDS = {
    "a": 1,
    "an": 1,
    "a couple of": 2,
    "couple of": 2,
    "a couple": 2,
    "a few": 3,
    "few": 3,
    "several": 3,
    "half a": 0.5,
    "a half": 0.5,
}
_QTY = (
    rf"(?P<qty>{_NUM}(?:\s+and\s+a\s+half)?|a couple of|couple of|a couple|a few|few|several|"
    r"half an?|an?)(?:(?<=\d)|\b)"
)
_PRE = (
    r"(?P<pre>(?:(?:for|since|past|last|about|around|over|almost|nearly|roughly|approximately|"
    r"approx|more than|less than|under|at least|just over|just under|the|going on|been|it's been|some|"
    r"its been|coming up to|getting on for|well over|probably|maybe|like|only|already|already been)"
    r"\s+){0,4})"
)
_DURATION = re.compile(
    rf"\b{_PRE}{_QTY}\s*-?\s*{_UNITS}\b(?P<post>\s+(?:ago|now|into (?:this|it)|of (?:this|pain|it|"
    r"back pain|(?:\w+\s+){0,3}?(?:pain|ache|aching|backache|stiffness|agony))|on and off|or so|straight|"
    r"running|in a row|already|or more|plus)\b)?",
    re.I,
)
_LAST_UNIT = re.compile(
    r"\b(?:in|over|for|during|within) the (?:last|past) (?P<unit>week|fortnight|month|year)\b", re.I
)
_VAGUE = re.compile(r"\bfor (?P<unit>days|weeks|months|years)\b(?! (?:ago|now))", re.I)
_NO_DURATION_AFTER = re.compile(
    r"^\s*-?\s*(?:a|per|each|every|at a time|old|of age|later|from now|time|times|in advance)\b", re.I
)
# "a month and a half": half a unit more.
_AND_A_HALF_AFTER = re.compile(r"^\s+and\s+a\s+half\b", re.I)
_NO_DURATION_BEFORE = re.compile(
    r"\b(?:in|within|next|another|every|each|after|for the next|old|aged)\s+(?:about\s+)?$", re.I
)
# The patient's pain, now: "I have pain", "my back hurts", "it's been aching".
_PAIN_NOW = re.compile(
    r"\b(i have|i've got|i've had|i get|i'm getting|i am getting|i feel|i'm in)\b[^.?!]{0,20}"
    r"\b(pain|ache|aches|aching|soreness|backache)\b"
    r"|\b(my|the) [\w ]{0,25}\b(hurts|aches|is sore|is painful)\b",
    re.I,
)
_START_CUE = re.compile(
    r"\b(start\w*|began|begun|begin|came on|come on|kicked (?:off|in)|first|since|happened|fell|"
    r"fall|did it|did my back|hurt (?:it|my back|myself)|lifted|lifting|twisted|pulled|strained|"
    r"injur\w+|crash\w*|accident|rear.?ended|hit by|knocked|came off|slipped|tripped|noticed|"
    r"going on|had it|woke up with|been like this|onset|tweak\w*|hurt|hurting|went|ricked|cricked|"
    r"jarred|wrenched|sprain\w*|overdid|put (?:it|my back) out|playing|deadlift\w*|hoovering|"
    r"gardening|bec[ao]me|bent|twing\w*|got (?:sore|bad|painful|worse|stiff)|after|training|developed|"
    r"appeared)\b",
    re.I,
)
_PAIN_BEFORE = re.compile(
    r"\b(pain|ache|aching|hurt\w*|sore|symptoms|weakness|numbness|tingling)\W+(\w+\W+)?$", re.I
)
_FAMILY_WORD = re.compile(
    r"\b(mum|mom|mother|dad|father|husband|wife|son|daughter|brother|sister|friend|partner|"
    r"neighbou?r|uncle|aunt|grandma|grandad|grandpa|gran|nan|he|she|his|her)\b",
    re.I,
)
_FIRST_PERSON_WORD = re.compile(r"\b(i|i'm|i've|im|ive|me|myself)\b|\bmy (back|pain|neck|legs?)\b", re.I)
_NOT_PAIN_CONTEXT = re.compile(
    r"(cancer|remission|free|clear|chemo\w*|radiotherapy|treatment|diabetic|diabetes|asthma\w*|arthritis|"
    r"fibromyalgia|ms|stroke|prostate|married|retired|smok\w*|pregnant|vegan|sober)[^\w.!?;]+(\w+[^\w.!?;]+){0,2}$",
    re.I,
)
# "I had / was treated for / beat ... cancer": a history, whatever follows ("all clear", "in
# remission"); not after "never" or "not" ("I've never had cancer").
_HAD_IT_BEFORE = re.compile(
    r"(?<!never )(?<!not )(?<!n't )(?<!nt )\b(had|have had|i'?ve had|diagnosed with|treated for|survived|"
    r"beat|beaten|got over|recovered from)\b(?!\s+(?:no|any|never))[^.!?]{0,25}$",
    re.I,
)
_NEGATION_BEFORE = re.compile(r"\b(never|not|no|n't|nt|haven't|havent|hasn't)\b[^.!?,;]{0,20}$", re.I)


def _had_it_before(before: str) -> bool:
    """ "I had / was treated for ... " right before a cancer word, with no negation ahead of it."""
    m = _HAD_IT_BEFORE.search(before)
    return m is not None and not _NEGATION_BEFORE.search(before[: m.start()])


_CORRECTED_AWAY = re.compile(r"\b(not|rather than|instead of)\s+(about\s+|around\s+)?$", re.I)
_HISTORY_ONLY = re.compile(r"\b(?:had|used to have|got over|recovered from)\b", re.I)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
_MONTH_RE = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_SINCE_MONTH = re.compile(
    r"\b(?:since|from|started in|began in|start of|beginning of|back in|in|started on|began on|on)\s+"
    r"(?:about\s+|around\s+|roughly\s+)?(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?"
    r"(?:the\s+(?P<day_before>\d{1,2})(?:st|nd|rd|th)?\s+of\s+)?"
    r"(?:the\s+(?P<week>first|second|third|last)\s+week\s+(?:of|in)\s+)?"
    r"(?:(?P<part>early|mid|late|(?:the )?(?:start|beginning|middle|end) of)\s+)?"
    rf"{_MONTH_RE}\b(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b)?",
    re.I,
)
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_SINCE_DAY = re.compile(
    r"\b(?:since|started|began|started on|began on|on|last)\s+(?:last\s+)?"
    r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)
_RELATIVE = re.compile(
    r"\b(?P<phrase>since yesterday|yesterday|last night|since last night|this morning|since this morning|"
    r"earlier today|since today|today|since last week|last week|since last year|"
    r"last year|since the weekend|at the weekend|over the weekend|last weekend)\b",
    re.I,
)
_SINCE_YEAR = re.compile(r"\bsince (?P<year>(?:19|20)\d\d)\b(?![-/.]\d)", re.I)
_RELATIVE_DAYS = {
    "yesterday": 1,
    "last night": 1,
    "this morning": 0,
    "earlier today": 0,
    "today": 0,
    "last week": 7,
    "last year": 365,
}

_AGE_NOT_UNIT = (
    r"(?!\s*(?:%|'|\"|-?\s*(?:weeks?|wks?|days?|months?|mths?|hours?|hrs?|minutes?|mins?|kg|kgs|kilos?|"
    r"lbs?|pounds?|stone|st|cm|ft|feet|foot|inches|times?|x|out of|/|mg|percent|th|nd|rd|pm|am|"
    r"o'?clock|miles?|steps?|years? (?:into|ago|since|of|with)|yrs? (?:into|ago))\b))"
)
_AGE_PATTERNS = [
    # "18 and I hurt my back", "45, lower back pain": a two-digit number opening the message.
    re.compile(r"^\W*(?P<n>\d{2})\s*(?:,|\band\b|;)(?!\s*(?:days?|weeks?|months?|years?|hours?)\b)", re.I),
    # "About 2 weeks. 33." / "back pain 3 days, 57": a lone two-digit number closing a description.
    re.compile(r"(?:[.!?,;]\s*)(?P<n>\d{2})\s*[.!]?\s*$"),
    # "lower back, 4 days, 25, from footy": a lone two-digit item in a comma list.
    re.compile(r"(?:^|,)\s*(?P<n>\d{2})\s*,(?!\s*(?:days?|weeks?|months?|years?|hours?)\b)", re.I),
    re.compile(
        r"\b(?:i'?m|i am|im)\s+(?:now\s+|only\s+|just\s+|nearly\s+|almost\s+|about\s+|actually\s+)?"
        rf"(?P<n>{_NUM})\b{_AGE_NOT_UNIT}(?!\s+(?:and\s+a\s+half\s+)?(?:weeks?|days?|months?)\b)",
        re.I,
    ),
    re.compile(rf"\b(?P<n>{_NUM})\s*-?\s*(?:years?|yrs?|yr|y)\s*-?\s*old\b", re.I),
    re.compile(r"\b(?P<n>\d{1,3})\s*(?:yo|y/o|y\.o\.?|yrs?\s*old)\b", re.I),
    re.compile(rf"\b(?P<n>{_NUM})\s*(?:years?|yrs?)\s+of\s+age\b", re.I),
    re.compile(
        r"^\W*(?:male|female|man|woman|m|f)\W{1,3}(?P<n>\d{2})\b(?!\s*(?:days?|weeks?|months?|kg|lbs?))", re.I
    ),
    re.compile(
        r"(?<!since the )(?<!at the )(?<!from the )(?<!of the )"
        rf"\bage(?:d)?\s*(?::|=|-|is|of)?\s*(?P<n>{_NUM})\b{_AGE_NOT_UNIT}",
        re.I,
    ),
    re.compile(rf"\b(?:just\s+|recently\s+)?turned\s+(?P<n>{_NUM})\b{_AGE_NOT_UNIT}", re.I),
    re.compile(
        r"\bin my (?P<part>early |mid |mid-|late )?(?P<decade>[2-9]0)'?s\b|"
        r"\bin my (?P<part2>early |mid |mid-|late )?"
        r"(?P<word>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
        re.I,
    ),
]
# A birth year ("born in June 1971", "b. 1948", "I'm a 1962 baby").
_BORN = re.compile(
    r"\b(?:born|b\.)\s+(?:in\s+|on\s+)?(?:(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?)?"
    rf"(?:{_MONTH_RE}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?)?(?P<year>(?:19|20)\d\d)\b",
    re.I,
)
# An age the patient is about to reach ("I'll be 60 at Christmas", "turning 50 next month").
_AGE_NEXT = re.compile(
    rf"\b(?:i'?ll be|i will be|i'?m going to be|i'?m gonna be|i'?m turning|turning|i turn)\s+(?P<n>{_NUM})\b"
    rf"{_AGE_NOT_UNIT}",
    re.I,
)
_DECADE_WORDS = {
    w: 10 * (i + 2)
    for i, w in enumerate("twenties thirties forties fifties sixties seventies eighties nineties".split())
}
_OTHER_PERSON_AFTER = re.compile(
    r"^\W*(?:\w+\W+)?(?:mum|mom|mother|dad|father|husband|wife|son|daughter|brother|sister|friend|"
    r"partner|neighbou?r|uncle|aunt|grandma|grandad|grandpa|gran|nan|patient|colleague|boss|child|kid)\b",
    re.I,
)
_OTHER_PERSON_BEFORE = re.compile(
    r"\b(?:my|his|her|our|their)\s+(?:\w+\s+)?(?:mum|mom|mother|dad|father|husband|wife|son|daughter|"
    r"brother|sister|friend|partner|neighbou?r|uncle|aunt|grandma|grandad|grandpa|gran|nan)\b"
    r"[^.!?]{0,15}$|\b(?:he|she|they)\s*(?:is|'s|are)\s*$",
    re.I,
)
_LEADING_JUNK = re.compile(r"(?:\s|<[^>]*>|[^\w\s<])*")
_WORD = re.compile(r"[\w']+")
# "no I haven't", "yep a bit": a reply word may be followed by a few words, not by a statement.
MAX_ANSWER_TAIL_WORDS = 2
# Only a plain yes word may carry a longer statement ("yeah it's worse than on Sunday"); "it has"
# or "I do" followed by a statement is that statement ("it has stayed about the same").
_PLAIN_YES = re.compile(r"(yes+|yeah|yea|yep|yup|ya|yah|aye|definitely|absolutely|indeed|of course)$", re.I)
_NEGATION_WORD = re.compile(
    r"\b(not|no|never|nothing|none|n't|don't|doesn't|didn't|isn't|aren't|can't|won't)\b", re.I
)
_BARE_NUMBER = re.compile(
    r"^\W*(?:about|around|roughly|approx\.?|approximately|maybe|like|~|nearly|almost|just over|over|"
    rf"i think|probably)?\s*(?P<n>{_NUM})\s*[.!?]*\s*$",
    re.I,
)
_BARE_BOTH = re.compile(
    r"^\W*(?:it'?s\s+|on\s+|in\s+)?"
    r"(?:both|both of them|the both|both ways|both sides|all of them|everywhere|each side)\W*$",
    re.I,
)
_BARE_ONE = re.compile(
    r"^\W*(?:it'?s\s+|on\s+|in\s+)?(?:just\s+|only\s+)?(?:the\s+)?"
    r"(?:left|right|one|one of them|left one|right one|left side|right side|one side)\W*(?:only|one)?\W*$",
    re.I,
)


# --------------------------------------------------------------------------- helpers


def _number_value(text: str) -> float | None:
    """'62' -> 62, 'sixty-two' -> 62, 'a couple of' -> 2."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    half = 0.0
    if t.endswith(" and a half"):
        half, t = 0.5, t[: -len(" and a half")]
    if t in _QTY_WORDS:
        return _QTY_WORDS[t] + half
    if t.startswith("half a"):
        return 0.5
    if re.fullmatch(r"\d+(?:\.\d)?", t):
        return float(t) + half
    parts = re.split(r"[\s-]+", t)
    if len(parts) == 1 and parts[0] in _SMALL_NUMBERS:
        return _SMALL_NUMBERS[parts[0]] + half
    if parts and parts[0] in _TENS:
        value = _TENS[parts[0]]
        if len(parts) == 2 and parts[1] in _SMALL_NUMBERS:
            value += _SMALL_NUMBERS[parts[1]]
        return value + half
    return None


def _unit_days(unit: str) -> int:
    u = unit.lower()
    if u.startswith("fortnight"):
        return DAYS["fortnight"]
    if u.startswith("w"):
        return DAYS["week"]
    if u.startswith("m"):
        return DAYS["month"]
    if u.startswith("y"):
        return DAYS["year"]
    return DAYS["day"]


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """Char span of the sentence around ``pos`` (regex split: used where no Doc is at hand)."""
    start = max(text.rfind(c, 0, pos) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, pos) for c in ".!?\n") if i != -1]
    return start, (min(ends) if ends else len(text))


_MARKUP = re.compile(r"<[^<>]{0,200}>|&(?:nbsp|amp|lt|gt|quot|#\d{1,5});")


def _blank_markup(text: str) -> str:
    """HTML tags / entities -> spaces of the same length, so offsets still point into the original."""
    return _MARKUP.sub(lambda m: " " * len(m.group(0)), text)


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, piece) pieces of at most CHUNK_CHARS, cut after a sentence end where possible."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > CHUNK_CHARS:
        window = text[start : start + CHUNK_CHARS]
        cut = max(window.rfind(c) for c in ".!?\n")
        if cut <= 0:
            cut = window.rfind(" ")
        cut = start + (cut + 1 if cut > 0 else CHUNK_CHARS)
        pieces.append((start, text[start:cut]))
        start = cut
    pieces.append((start, text[start:]))
    return pieces


def _sent_of(doc: Doc, token_i: int) -> Span:
    """The sentence holding token ``token_i``, via an index cached on the doc.

    Why: ``Span.sent`` rescans the whole doc on every call in spaCy 3.4, which made a
    10,000-character message take seconds; this is one bisect per lookup.
    """
    index = doc.user_data.get(_SENT_INDEX_KEY)
    if index is None:
        sents = list(doc.sents) or [doc[:]]
        index = ([s.start for s in sents], sents)
        doc.user_data[_SENT_INDEX_KEY] = index
    starts, sents = index
    return sents[max(0, bisect.bisect_right(starts, token_i) - 1)]


def _is_hypothetical_question(sent: Span) -> bool:
    """'Can sciatica cause numbness?' asks about a symptom; 'Is it bad that my legs are numb?' has it."""
    t = sent.text.strip()
    if not t.endswith("?"):
        return False
    if _HYPOTHETICAL_QUESTION_CUE.search(t):
        return True
    return _QUESTION_START.search(t) is not None and _FIRST_PERSON.search(t) is None


def _is_hypothetical_sentence(doc: Doc, sent: Span) -> bool:
    """A hypothetical question, or its follow-up list ("What are the signs? Like numbness?")."""
    if _is_hypothetical_question(sent):
        return True
    if sent.start > 0 and _FOLLOW_UP_EXAMPLE.search(sent.text):
        return _is_hypothetical_question(_sent_of(doc, sent.start - 1))
    return False


def _echo_answer(doc: Doc, ent: Span) -> str | None:
    """'Cancer? No, never.': a bare topic question answered by the next sentence's yes/no."""
    sent = _sent_of(doc, ent.start)
    words = [t for t in sent if not t.is_punct and not t.is_space]
    if not sent.text.strip().endswith("?") or len(words) != len(ent) or sent.end >= len(doc):
        return None
    following = _sent_of(doc, sent.end).text.strip()
    for value, pattern in _cues()["answers"]:
        if pattern.match(following):
            return value
    return None


def _clause(doc: Doc, span: Span) -> tuple[int, int]:
    """Char span of the clause holding ``span``: its sentence cut at 'but', 'however', ';'..."""
    sent = _sent_of(doc, span.start)
    s_start, s_end = sent.start_char, sent.end_char
    start, end = s_start, s_end
    for m in _CLAUSE_BREAK.finditer(doc.text, s_start, s_end):
        if m.end() <= span.start_char:
            start = m.end()
        elif m.start() >= span.end_char:
            end = m.start()
            break
    return start, end


def _nearest(matches: Iterable[tuple[int, int, str]], start: int, end: int) -> tuple[int, int, str] | None:
    """The cue nearest to [start, end); ties go to the first listed (callers list safer first)."""
    best, best_dist = None, None
    for m in matches:
        dist = 0 if m[0] < end and start < m[1] else min(abs(m[0] - end), abs(start - m[1]))
        if best_dist is None or dist < best_dist:
            best, best_dist = m, dist
    return best


def _find_all(patterns: list[re.Pattern], text: str, lo: int, hi: int, tag: str):
    for p in patterns:
        for m in p.finditer(text, lo, hi):
            yield (m.start(), m.end(), tag)


# --------------------------------------------------------------------------- fact readers


def _tri_mentions(doc: Doc) -> list[tuple[Mention, Span]]:
    """Fact phrases found by the EntityRuler, valued by their ConText modifiers."""
    out: list[tuple[Mention, Span]] = []
    for ent in doc.ents:
        fact, polarity = ent.label_, ent.ent_id_
        if fact == IGNORE_LABEL or fact not in TRI_FACTS:
            continue
        mine = _ON_MY_BODY.match(doc.text, ent.end_char) or _MINE_IN_SPAN.search(ent.text)
        span = (ent.start_char, ent.end_char, ent.text)
        asserted = polarity == "present" and not ent._.is_negated
        if ent._.is_family and not mine:
            if asserted:  # someone else's ("my dad had cancer"): kept for the record only
                out.append((Mention(fact, "present", *span, person="other"), ent))
            continue
        if ent._.is_uncertain and asserted and not ent._.is_hypothetical:
            # "I think my bum might be a bit numb": possible, so the dialogue asks it next
            out.append((Mention(fact, "present", *span, certainty="possible"), ent))
            continue
        if ent._.is_hypothetical:
            continue  # not a statement ("what if I lose control of my bladder?")
        if ent._.is_historical and fact != "cancer_history":
            if asserted:  # a past episode is not a current symptom; a cancer history always counts
                out.append((Mention(fact, "present", *span, time="past"), ent))
            continue
        sent = _sent_of(doc, ent.start)
        if _is_hypothetical_sentence(doc, sent):
            continue
        if fact == "night_pain" and _TIME_ONLY.match(ent.text) and not _PAIN_WORD.search(sent.text):
            continue  # "my hands go to sleep at night": night, but not night *pain*
        c_lo, c_hi = _clause(doc, ent)
        # a past phrase in the clause counts when it holds the mention or follows it ("had
        # sciatica at school", "pins and needles, gone now"), not when it ends before it ("my mum
        # had cancer last year and now my lower back hurts")
        clause_past = any(m.end() + c_lo > ent.start_char for m in _PAST_CLAUSE.finditer(doc.text[c_lo:c_hi]))
        past = _PAST_SENTENCE.search(sent.text) or clause_past
        if fact != "cancer_history" and past:
            if asserted:
                out.append((Mention(fact, "present", *span, time="past"), ent))
            continue
        echo = _echo_answer(doc, ent)
        if echo is not None:
            if echo in ("yes", "no") and polarity != "ignore":
                value = "present" if echo == "yes" else "absent"
                out.append((Mention(fact, value, ent.start_char, ent.end_char, ent.text), ent))
            continue
        negated = bool(ent._.is_negated) or _NO_PROBLEMS_AFTER.match(doc.text, ent.end_char) is not None
        if (
            negated
            and fact == "cancer_history"
            and _had_it_before(doc.text[max(0, ent.start_char - 40) : ent.start_char])
        ):
            negated = False  # "I had breast cancer in 2015, all clear now": a history is a history
        if polarity == "present":
            value = "absent" if negated else "present"
        elif polarity == "neutral" and negated:
            value = "absent"
        elif polarity == "absent" and not negated:
            value = "absent"
        else:
            continue
        out.append((Mention(fact, value, ent.start_char, ent.end_char, ent.text), ent))
    return out


def _limb_mentions(doc: Doc, tri: list[tuple[Mention, Span]]) -> list[Mention]:
    """Sides of a present weakness/numbness, and whether a present weakness is getting worse."""
    cues = _cues()
    text = doc.text
    out: list[Mention] = []
    for mention, ent in tri:
        if mention.fact not in LIMB_FACTS or mention.value != "present":
            continue
        lo, hi = _clause(doc, ent)
        side_cues = list(_find_all(cues["both"], text, lo, hi, "both"))
        side_cues += list(_find_all(cues["one"], text, lo, hi, "one"))
        best = _nearest(side_cues, mention.start, mention.end)
        if best is not None:
            out.append(Mention(f"{mention.fact}_sides", best[2], best[0], best[1], text[best[0] : best[1]]))
        if mention.fact == "weakness":
            trend = _worsening(doc, ent, lo, hi)
            if trend is not None:
                out.append(trend)
    return out


def _worsening(doc: Doc, ent: Span, lo: int, hi: int) -> Mention | None:
    """Nearest 'getting worse' / 'not getting worse' cue in the clause or the next pronoun sentence."""
    cues = _cues()
    text = doc.text
    ranges = [(lo, hi)]
    sent = _sent_of(doc, ent.start)
    for _ in range(FOLLOW_SENTENCES):
        if sent.end >= len(doc):
            break
        sent = _sent_of(doc, sent.end)
        if _PRONOUN_START.search(sent.text):
            ranges.append((sent.start_char, sent.end_char))
    found: list[tuple[int, int, str]] = []
    for r_lo, r_hi in ranges:
        stable = list(_find_all(cues["stable"], text, r_lo, r_hi, "absent"))
        worse = [
            w
            for w in _find_all(cues["worse"], text, r_lo, r_hi, "present")
            if not any(s[0] <= w[0] < s[1] or w[0] <= s[0] < w[1] for s in stable)
        ]
        for cue in stable + worse:
            if cues["pain_subject"].search(text[r_lo : cue[0]]):
                continue  # "the pain is getting worse" is about the pain
            found.append(cue)
    # present first so that, at equal distance, worsening (the emergency) wins
    found.sort(key=lambda c: c[2] != "present")
    best = _nearest(found, ent.start_char, ent.end_char)
    if best is None:
        return None
    return Mention("weakness_worsening", best[2], best[0], best[1], text[best[0] : best[1]])


def _age_mentions(text: str, today: dt.date | None = None) -> list[Mention]:
    """'I'm 62', '62 years old', '62yo', 'aged 62', 'age: 62', 'in my 50s' (not someone else's)."""
    out: list[Mention] = []
    for pattern in _AGE_PATTERNS:
        for m in pattern.finditer(text):
            if _OTHER_PERSON_AFTER.search(text[m.end() : m.end() + 30]):
                continue  # "my 62 year old mum"
            if _OTHER_PERSON_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
                continue  # "my dad is 62 years old"
            if m.groupdict().get("n"):
                value = _number_value(m.group("n"))
            else:
                decade = m.group("decade")
                base = int(decade) if decade else _DECADE_WORDS[m.group("word").lower()]
                part = (m.group("part") or m.group("part2") or "").strip().rstrip("-").lower()
                value = base + DECADE_OFFSET.get(part, 0)
            if value is None or not MIN_AGE <= value <= MAX_AGE:
                continue
            out.append(Mention("age", str(int(value)), m.start(), m.end(), text[m.start() : m.end()]))
    today = today or dt.date.today()
    for m in _BORN.finditer(text):  # "I was born in June 1971": the age today
        if out or _OTHER_PERSON_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
            continue
        year = int(m.group("year"))
        month_name = (m.group("month") or "").lower()[:3]
        month = next((v for k, v in _MONTHS.items() if k.startswith(month_name)), 1) if month_name else 1
        age = today.year - year - (1 if month_name and month > today.month else 0)
        if MIN_AGE <= age <= MAX_AGE:
            out.append(Mention("age", str(age), m.start(), m.end(), m.group(0)))
    for m in _AGE_NEXT.finditer(text):  # "I'll be 60 at Christmas": 59 until then
        value = _number_value(m.group("n"))
        if value is not None and MIN_AGE < value <= MAX_AGE and not out:
            out.append(Mention("age", str(int(value) - 1), m.start(), m.end(), m.group(0)))
    return out


def _month_start(today: dt.date, month: int, part: str | None, day: str | None) -> dt.date:
    """The most recent past (or current) date in ``month`` matching the description."""
    if day:
        d = int(day)
    elif part and ("mid" in part or "middle" in part):
        d = MID_MONTH_DAY
    elif part and "late" in part:
        d = LATE_MONTH_DAY
    elif part and "end" in part:
        d = END_MONTH_DAY
    else:
        d = 1
    year = today.year
    for _ in range(2):
        try:
            candidate = dt.date(year, month, d)
        except ValueError:  # "February 30th"
            candidate = dt.date(year, month, 1)
        if candidate <= today:
            return candidate
        year -= 1
    return candidate


# A clause about the patient's own pain ("dull ache in my lower back, 7 weeks, I'm 58").
_OWN_PAIN_CLAUSE = re.compile(
    r"\b(my|it'?s|it has|it's been|this)\b.*"
    r"\b(pain\w*|ache\w*|aching|hurt\w*|sore|stiff\w*|back|neck|spine)\b"
    r"|\b(pain\w*|ache\w*|aching|hurt\w*|sore|stiff\w*)\b",
    re.I,
)


MAX_BARE_DURATION_SENTENCE_WORDS = 3  # "3 days." or "about 2 weeks." standing alone


def _bare_duration_of_the_pain(text: str, m: re.Match) -> bool:
    """A bare "7 weeks" set off by commas or a full stop in a sentence about the patient's own pain.

    ("...lower back stiffness from sleeping funny, 2 days.") A history or someone else's sentence,
    or a number inside a clause ("had surgery 7 weeks"), does not count.
    """
    before = text[max(0, m.start() - 2) : m.start()]
    after = text[m.end() : m.end() + 2]
    set_off = (
        re.search(r"[,;.]\s*$|^\s*$", before) is not None and re.match(r"\s*([,.;!]|$)", after) is not None
    )
    if not set_off:
        return False
    s_lo, s_hi = _sentence_bounds(text, m.start())
    sentence = text[s_lo:s_hi]
    if len(_WORD.findall(sentence)) <= MAX_BARE_DURATION_SENTENCE_WORDS:
        sentence = text  # "Lower back pain after gardening. 3 days. Age 30.": the message is the context
    if _HISTORY_ONLY.search(sentence) or (
        _FAMILY_WORD.search(sentence) and not _FIRST_PERSON_WORD.search(sentence)
    ):
        return False
    return _OWN_PAIN_CLAUSE.search(sentence) is not None


def _duration_mentions(text: str, today: dt.date) -> list[Mention]:
    """How long the pain has lasted, in days."""
    out: list[Mention] = []
    short_reply = len(text.split()) <= MAX_BARE_REPLY_WORDS

    def add(days: float, m: re.Match) -> None:
        out.append(Mention("duration_days", str(max(0, int(round(days)))), m.start(), m.end(), m.group(0)))

    def not_patients_pain(m: re.Match) -> bool:
        s_lo, s_hi = _sentence_bounds(text, m.start())
        sentence = text[s_lo:s_hi]
        if _FAMILY_WORD.search(sentence) and not _FIRST_PERSON_WORD.search(sentence):
            return True  # "my husband was in a car accident last year"
        return _NOT_PAIN_CONTEXT.search(text[max(0, m.start() - 40) : m.start()]) is not None

    for m in _DURATION.finditer(text):
        if not_patients_pain(m) or _CORRECTED_AWAY.search(text[max(0, m.start() - 12) : m.start()]):
            continue  # "the back ache is 3 weeks, not 11 years": the corrected-away one
        pre = (m.group("pre") or "").lower()
        post = (m.group("post") or "").strip().lower()
        if _NO_DURATION_AFTER.search(text[m.end() : m.end() + 15]):
            continue  # "2 days a week", "62 years old", "2 weeks later"
        if not pre and _NO_DURATION_BEFORE.search(text[max(0, m.start() - 25) : m.start()]):
            continue  # "in 2 weeks", "every 3 days"
        qty = _number_value(m.group("qty"))
        if qty is None:
            continue
        if post == "ago":
            s_lo, s_hi = _sentence_bounds(text, m.start())
            sentence = text[s_lo:s_hi]
            started = _START_CUE.search(sentence.replace(m.group(0), " ")) or (
                # "After a rowing session three days ago I have pain between my shoulder blades"
                _PAIN_NOW.search(sentence) and not _HISTORY_ONLY.search(sentence)
            )
            if not started or (
                _HISTORY_ONLY.search(sentence) and _unit_days(m.group("unit")) == DAYS["year"]
            ):
                continue  # "had sciatica 10 years ago" is not how long this pain has lasted
        elif (
            not pre.strip()
            and not post
            and not short_reply
            and not _PAIN_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
            and not _bare_duration_of_the_pain(text, m)
        ):
            continue  # a bare "3 weeks" inside a long message is not clearly a duration ("pain 3 weeks" is)
        extra = MORE_THAN_EXTRA_DAYS if re.search(r"\b(over|more than|just over|well over)\b", pre) else 0
        if _AND_A_HALF_AFTER.match(text[m.end() :]):
            qty += 0.5
        add(qty * _unit_days(m.group("unit")) + extra, m)
    for m in _LAST_UNIT.finditer(text):
        if not not_patients_pain(m):
            add(_unit_days(m.group("unit")), m)
    for m in _VAGUE.finditer(text):
        add(VAGUE_PLURAL_COUNT * _unit_days(m.group("unit")), m)
    for m in _SINCE_MONTH.finditer(text):
        if m.group(0).lower().startswith(("in ", "on ")) and not re.search(
            r"\b(start\w*|began|since|came on)\b", text[max(0, m.start() - 30) : m.start()], re.I
        ):
            continue  # "in March" alone is not a start date ("I had cancer in March 2019")
        if m.group("month").lower() == "may" and not m.group(0).lower().startswith(("since", "from")):
            continue  # "may" is mostly the verb
        month = next(v for k, v in _MONTHS.items() if k.startswith(m.group("month").lower()[:3]))
        day = m.group("day") or m.group("day_before") or WEEK_START_DAY.get((m.group("week") or "").lower())
        start = _month_start(today, month, m.group("part"), day)
        add((today - start).days, m)
    for m in _SINCE_DAY.finditer(text):
        s_lo, s_hi = _sentence_bounds(text, m.start())
        sentence = text[s_lo:s_hi].replace(m.group(0), " ")
        if not m.group(0).lower().startswith("since") and not _START_CUE.search(sentence):
            continue  # "I see the GP on Monday"
        if not_patients_pain(m):
            continue
        wd = _WEEKDAYS.index(m.group("wd").lower())
        back = (today.weekday() - wd) % len(_WEEKDAYS) or len(_WEEKDAYS)
        add(back, m)
    for m in _RELATIVE.finditer(text):
        if not_patients_pain(m):
            continue
        phrase = m.group("phrase").lower().replace("since ", "").replace("the new year", "new year")
        if phrase in _RELATIVE_DAYS:
            s_lo, s_hi = _sentence_bounds(text, m.start())
            if not m.group("phrase").lower().startswith("since") and not _START_CUE.search(
                text[s_lo:s_hi].replace(m.group(0), " ")
            ):
                continue
            add(_RELATIVE_DAYS[phrase], m)
        elif "weekend" in phrase:
            add((today.weekday() - 5) % 7 or 7, m)  # back to the last Saturday
    for days, m in start_dates(text, today, _START_CUE):
        if not not_patients_pain(m):
            add(days, m)
    for m in _SINCE_YEAR.finditer(text):
        year = int(m.group("year"))
        if year <= today.year:
            add((today - dt.date(year, 1, 1)).days, m)
    return out


# A reply that describes instead of saying yes or no: "My legs are as strong as ever", "I've been
# peeing without any trouble", "It's stayed the same", "It doesn't bother me at night".
_SAME_OR_NOT_ME = re.compile(
    r"\b(same as (?:ever|always|usual|before)|"
    r"(?:stayed|been|is|it'?s|remained) (?:about |pretty much |much |roughly |more or less )?the same|"
    r"(?:hasn'?t|has not|haven'?t|have not) changed|nothing(?:'?s| has)? changed|no change|unchanged|"
    r"nothing new|no different|"
    r"(?:doesn'?t|does not|don'?t|do not|never) (?:bother|trouble|affect|wake) me)\b",
    re.I,
)
_NORMAL_DESCRIPTION = re.compile(
    r"\b(normal|normally|as usual|as always|as ever|as before|like before|like always|like usual|"
    r"fine|behaving(?: itself)?|no trouble|without (?:any )?(?:trouble|problems?|issues?|bother|difficulty)|"
    r"no problems?|no issues?|nothing (?:unusual|different|odd|wrong|strange)|steady on my feet|"
    r"as strong as|strong enough|strength is (?:fine|ok|okay|normal|good)|i feel strong|"
    r"like (?:they|it|i) always (?:have|has|did|do)|as good as (?:they were|it was|ever|before|always))\b",
    re.I,
)
# A trend, not a trigger: "worse than on Monday", "a touch worse" (not "worse when I bend").
_WORSE = re.compile(
    r"\b(worse than|(?:getting|got|gotten|becoming|definitely|even|much|a lot|slightly|"
    r"a (?:touch|bit|little)|somewhat|steadily|progressively) worse|worse and worse)\b",
    re.I,
)
# "It crept up on me, I honestly couldn't tell you when it started."
_UNSURE_ANYWHERE = re.compile(
    r"\b((?:couldn'?t|could not|can'?t|cannot) (?:honestly |really )?(?:tell|say|remember|be sure)|"
    r"(?:don'?t|do not) (?:really |honestly )?know|no idea|not (?:really |entirely |totally |quite )?sure|"
    r"(?:haven'?t|have not) (?:really )?(?:noticed|paid attention|checked|been paying attention)|"
    r"hard to (?:say|tell)|difficult to (?:say|tell)|maybe|possibly|perhaps)\b",
    re.I,
)
# A contrast may hide a sign we did not read ("all normal except the numbness"): then no answer.
_CONTRAST = re.compile(r"\b(but|except|apart from|although|though|however|other than|besides|yet)\b", re.I)


def _described_answer(text: str, facts: list[Mention]) -> list[Mention]:
    """A described "no" (or "fine") to the pending question, when the message names no sign.

    Only for a statement with no sign in it, no contrast and no question: a wrong "no" to an
    emergency question is the costliest mistake, so anything doubtful stays unanswered.
    """
    if "?" in text or _CONTRAST.search(text) or any(f.fact in TRI_FACTS for f in facts):
        return []  # a question, a contrast, or a sign of its own: the described facts speak
    worse = _WORSE.search(text)
    if worse and not _NEGATION_WORD.search(text):
        # "worse" (definitely) or "worse-maybe" (hedged: "about the same, maybe a touch worse"):
        # the dialogue reads it for the two trend questions only.
        hedged = _SAME_OR_NOT_ME.search(text) or _UNSURE_ANYWHERE.search(text)
        value = "worse-maybe" if hedged else "worse"
        return [Mention("answer", value, worse.start(), worse.end(), worse.group(0))]
    for value, pattern in (
        ("unsure", _UNSURE_ANYWHERE),
        ("no", _SAME_OR_NOT_ME),
        ("fine", _NORMAL_DESCRIPTION),
    ):
        m = pattern.search(text)
        if m:
            return [Mention("answer", value, m.start(), m.end(), m.group(0))]
    return []


def _generic_mentions(text: str, facts: list[Mention], symptom_seen: bool) -> list[Mention]:
    """Short replies to the pending question: yes/no/unsure, a side, a bare number."""
    out: list[Mention] = []
    cues = _cues()
    lead = _LEADING_JUNK.match(text).end()  # spaces, emoji, HTML tags, quotes, bullets
    body = text[lead:]
    for value, pattern in cues["answers"]:
        m = pattern.match(body)
        if not m:
            continue
        a_start, a_end = lead + m.start(), lead + m.end()
        rest = text[a_end:]
        rest_clause_end = re.search(r"[,.!?;:]|\bbut\b", rest)
        tail_end = a_end + (rest_clause_end.start() if rest_clause_end else len(rest))
        overlaps = any(f.start < a_end and a_start < f.end for f in facts)
        fact_in_tail = any(a_end <= f.start < tail_end for f in facts if f.fact in TRI_FACTS)
        tail = text[a_end:tail_end]
        # "yeah it's worse than it was on Sunday" is a yes; "no numbness" negates a noun instead,
        # so only a yes may carry a longer statement (one without a negation of its own).
        long_tail = len(_WORD.findall(tail)) > MAX_ANSWER_TAIL_WORDS and not (
            (value == "yes" and _PLAIN_YES.match(m.group(0)) and not _NEGATION_WORD.search(tail))
            or value == "unsure"  # "I'm not entirely sure how to answer that" is still not sure
        )
        if not overlaps and not fact_in_tail and not long_tail:
            out.append(Mention("answer", value, a_start, a_end, text[a_start:a_end]))
        break
    if not out:
        out += _described_answer(text, facts)
    limb_said = any(f.fact in TRI_FACTS or f.fact in SIDES_FACTS for f in facts) or symptom_seen
    words = text.split()
    if not limb_said and 0 < len(words) <= MAX_BARE_REPLY_WORDS:
        stripped = text.strip()
        s_off = text.find(stripped)
        if _BARE_BOTH.match(stripped):
            out.append(Mention("sides", "both", s_off, s_off + len(stripped), stripped))
        elif _BARE_ONE.match(stripped):
            out.append(Mention("sides", "one", s_off, s_off + len(stripped), stripped))
        else:
            side_cues = list(_find_all(cues["both"], text, 0, len(text), "both"))
            side_cues += list(_find_all(cues["one"], text, 0, len(text), "one"))
            if side_cues:
                best = sorted(side_cues, key=lambda c: (c[2] != "both", c[0]))[0]
                out.append(Mention("sides", best[2], best[0], best[1], text[best[0] : best[1]]))
    m = _BARE_NUMBER.match(text)
    if m:
        value = _number_value(m.group("n"))
        if value is not None:
            out.append(Mention("number", str(int(value)), m.start("n"), m.end("n"), m.group("n")))
    return out


def _resolve(mentions: list[Mention]) -> list[Mention]:
    """One mention per fact. Conflicts: present beats absent, both beats one (safety first)."""
    rank = {"present": 0, "both": 0, "absent": 1, "one": 1, "yes": 0, "no": 0, "unsure": 0}
    chosen: dict[str, Mention] = {}
    for m in mentions:
        cur = chosen.get(m.fact)
        if cur is None:
            chosen[m.fact] = m
        elif m.fact == "duration_days":
            if int(m.value) > int(cur.value):
                chosen[m.fact] = m  # the longest stated duration is the pain's
        elif m.fact in NUMBER_FACTS or m.fact == "number":
            continue  # first stated wins
        elif rank.get(m.value, 1) < rank.get(cur.value, 1):
            chosen[m.fact] = m
    return sorted(chosen.values(), key=lambda m: (m.start, m.fact))


def extract_facts(
    doc_or_text: Doc | str | None,
    nlp: Language | None = None,
    today: dt.date | None = None,
) -> list[Mention]:
    """The facts the message states about the patient, now and definitely: one mention per fact."""
    return [m for m in extract_mentions(doc_or_text, nlp, today) if m.definite_own_now]


def extract_mentions(
    doc_or_text: Doc | str | None,
    nlp: Language | None = None,
    today: dt.date | None = None,
) -> list[Mention]:
    """All facts the message states about the patient, one definite mention per fact, followed by
    the mentions that are someone else's, past or only possible (for the answer interpreter).

    ``doc_or_text``: raw text, or a Doc already made by this pipeline (e.g. Rasa's SpacyNLP with
    our model). ``today`` anchors relative durations ("since March"); default: the local date.
    """
    if doc_or_text is None:
        return []
    if isinstance(doc_or_text, Doc):
        docs = [(0, doc_or_text)]
        text = doc_or_text.text
    else:
        text = _blank_markup(str(doc_or_text)[:MAX_TEXT_CHARS])
        if not text.strip():
            return []
        nlp = nlp or load_nlp()
        pieces = _chunks(text)
        docs = list(zip((off for off, _ in pieces), nlp.pipe(piece for _, piece in pieces), strict=False))
    today = today or dt.date.today()
    facts: list[Mention] = []
    symptom_seen = False
    others: list[Mention] = []
    for offset, doc in docs:
        every = _tri_mentions(doc)
        tri = [(m, ent) for m, ent in every if m.definite_own_now]
        others += [
            dataclasses.replace(m, start=m.start + offset, end=m.end + offset)
            for m, _ in every
            if not m.definite_own_now
        ]
        found = [m for m, _ in tri] + _limb_mentions(doc, tri)
        facts += [dataclasses.replace(m, start=m.start + offset, end=m.end + offset) for m in found]
        symptom_seen = symptom_seen or any(ent.label_ != IGNORE_LABEL for ent in doc.ents)
    facts += _age_mentions(text, today)
    facts += _duration_mentions(text, today)
    worsening_cues = [m for m in facts if m.fact == "weakness_worsening"]
    facts = [
        m
        for m in facts
        if not (  # "my legs are weak and it's getting worse": the weakness worsens, not the pain
            m.fact == "improving"
            and m.value == "absent"
            and any(w.start < m.end and m.start < w.end for w in worsening_cues)
        )
    ]
    facts += _generic_mentions(text, facts, symptom_seen)
    definite = _resolve(facts)
    stated = {m.fact for m in definite}
    return definite + [m for m in others if m.fact not in stated]
