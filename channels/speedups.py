"""Speed fixes for Rasa 3.6, applied when the Rasa server imports our channels (docs/performance.md).

- RemoteAction._validate_action_result calls jsonschema.validate(result, schema), which re-checks
  the schema itself against the draft 2020-12 meta-schema on every action call: measured 14.5 ms
  of a ~28 ms turn on the 2-core reference machine. This builds the validator once (same schema,
  same validator class, same error message) and validates with it: 0.6 ms.
- Event.resolve_by_type walks every Event subclass (recursively, with inspect.isabstract on each)
  to find one event's class, and the in-memory tracker store rebuilds every event of the
  conversation that way on every turn: ~3 ms a turn, growing with the conversation. The answer
  for a type name never changes once Rasa is imported, so it is looked up once.
- RemoteAction sends the action server every event of the conversation on every call, so the
  request (encoded here, decoded there) grows each turn. action_turn reads only the slots, the
  latest message and the sender id (actions/actions.py; tests/unit/test_speedups.py checks it
  reads no events), so the call carries the events of the current turn only: from the latest
  user message on; only those are encoded (Rasa encoded every event, growing each turn). Slots,
  latest message, latest action and active loop are sent in full.
  Nor does it carry the domain (every intent, slot and response text, ~2 ms a turn to encode,
  send and parse): action_turn never reads it (tests/unit/test_speedups.py checks that too).
- RulePolicy computes the states of the whole conversation (a replay of every event) twice for the
  prediction after a user message: once to match rules on the text, once on the intent. The two
  differ only in the last state, which the featurizer edits in place; within one prediction the
  states are computed once and each caller gets its own copy of the last state.
- Rasa's HTTP client (EndpointConfig.request: the action server, NLG, model servers) opened a new
  aiohttp session for every call: a name lookup of "localhost" in a thread, a TCP connection both
  servers set up and tear down, per turn. One session per endpoint and event loop is kept open
  and reused. Its idle connections close after aiohttp's keep-alive (15 s), before the action
  server's (ACTION_KEEP_ALIVE_S, 20 s: deploy/stack.env), so a reused one is never one the server
  has just closed (tests/integration/test_keep_alive.py).
- The tracker store writes the whole conversation as JSON on every turn (in memory and in Redis).
  ujson writes the same JSON (read back by json.loads to equal values, floats included) in about
  a third of the time; a value ujson refuses is written by json as before.
"""

from __future__ import annotations

import asyncio
import copy
import json
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Type, cast

import aiohttp
import ujson
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa import __version__
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.tracker_store import SerializedTrackerAsText
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

_original_resolve = Event.resolve_by_type
_original_call_format = RemoteAction._action_call_format
_event_classes: Dict[str, Type[Event]] = {}
_original_past_states = DialogueStateTracker.past_states
_original_predict = RulePolicy._predict
_original_session = EndpointConfig.session
# The states computed during the current RulePolicy prediction (None outside one).
_states_memo: ContextVar[Optional[Dict[Any, List[Any]]]] = ContextVar("states_memo", default=None)


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, instead of on every call
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        _validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


def _resolve_by_type(type_name: str, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """Event.resolve_by_type, remembering each class found (the default, None and errors are not)."""
    found = _event_classes.get(type_name)
    if found is None:
        found = _original_resolve(type_name, default)
        if found is not None and found is not default:
            _event_classes[type_name] = found
    return found


def turn_events(events: Sequence[Event]) -> List[Event]:
    """The events from the latest user message on (all of them if there is none)."""
    for i in range(len(events) - 1, -1, -1):
        if isinstance(events[i], UserUttered):
            return [events[j] for j in range(i, len(events))]
    return list(events)


def _action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Dict[str, Any]:
    """RemoteAction._action_call_format without the domain, the tracker with the turn's events only:
    only those are encoded (Rasa encoded every event of the conversation, then they were cut)."""
    state: Dict[str, Any] = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in turn_events(tracker.events)]
    return {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": __version__,
    }


def _past_states(
    self: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[Any]:
    memo = _states_memo.get()
    if memo is None:
        states: List[Any] = _original_past_states(
            self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
        return states
    key = (
        id(self),
        len(self.events),
        id(domain),
        omit_unset_slots,
        ignore_rule_only_turns,
        json.dumps(rule_only_data, sort_keys=True, default=str),
    )
    if key not in memo:
        memo[key] = _original_past_states(
            self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
    states = memo[key]
    return [*states[:-1], copy.deepcopy(states[-1])] if states else []


def _predict(self: RulePolicy, tracker: DialogueStateTracker, domain: Domain) -> Any:
    """RulePolicy._predict with the conversation's states computed once."""
    token = _states_memo.set({})
    try:
        return _original_predict(self, tracker, domain)
    finally:
        _states_memo.reset(token)


def _serialise_tracker(tracker: DialogueStateTracker) -> str:
    dialogue = tracker.as_dialogue().as_dict()
    try:
        return str(ujson.dumps(dialogue))
    except (OverflowError, TypeError, ValueError):
        return json.dumps(dialogue)


class _KeptSession:
    """``async with`` a session that stays open: Rasa closes its session after each call."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


_sessions: Dict[Any, aiohttp.ClientSession] = {}


def _session(self: EndpointConfig) -> Any:
    """EndpointConfig.session, kept per endpoint settings and event loop (made on first use)."""
    auth = tuple(sorted(self.basic_auth.items())) if self.basic_auth else None
    loop = asyncio.get_running_loop()
    key = (id(loop), self.url, tuple(sorted((self.headers or {}).items())), auth)
    session = _sessions.get(key)
    if session is None or session.closed or getattr(session, "_loop", loop) is not loop:
        session = cast(aiohttp.ClientSession, _original_session(self))
        _sessions[key] = session
    return _KeptSession(session)


def apply() -> None:
    """Install them all on Rasa's classes (idempotent)."""
    # setattr: methods replaced on the class, which mypy would flag where Rasa's types are known.
    setattr(RemoteAction, "_validate_action_result", _validate_action_result)  # noqa: B010
    setattr(RemoteAction, "_action_call_format", _action_call_format)  # noqa: B010
    setattr(Event, "resolve_by_type", staticmethod(_resolve_by_type))  # noqa: B010
    setattr(DialogueStateTracker, "past_states", _past_states)  # noqa: B010
    setattr(RulePolicy, "_predict", _predict)  # noqa: B010
    setattr(SerializedTrackerAsText, "serialise_tracker", staticmethod(_serialise_tracker))  # noqa: B010
    setattr(EndpointConfig, "session", _session)  # noqa: B010
