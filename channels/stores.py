"""The conversation store: a patient's conversation deleted on request; store errors logged
without data.

"Delete my conversation": the planner asks to confirm, and on a yes the action sets the slot
FORGET_SLOT with its confirmation. The Rasa server then deletes the whole conversation (every
session, every event) from the tracker store instead of saving it. The server must do it: the
action server never sees the store. The patient's next message starts a new conversation.

Rasa's fail-safe store wrapper logs a store error with the error's text, which can quote the data
being saved (an SQL error lists its parameters: the events, with the patient's words); here it
logs the error's type only.
"""

from __future__ import annotations

import logging
from typing import Any, List

from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import (
    DynamoTrackerStore,
    FailSafeTrackerStore,
    InMemoryTrackerStore,
    MongoTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
)
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

# Set (true) by action_turn when the patient confirmed "delete my conversation" (domain.yml).
FORGET_SLOT = "forget_conversation"


def concrete_stores(store: Any) -> List[Any]:
    """The stores behind Rasa's wrappers (awaitable, fail-safe with its in-memory fallback)."""
    found: List[Any] = []
    pending = [store]
    while pending:
        current = pending.pop()
        if current is None:
            continue
        inner = [getattr(current, name, None) for name in ("_tracker_store", "_fallback_tracker_store")]
        if any(s is not None for s in inner):
            pending.extend(inner)
        else:
            found.append(current)
    return found


def delete_from(store: Any, sender_id: str) -> None:
    """Delete every stored event of one conversation from one concrete store."""
    if isinstance(store, InMemoryTrackerStore):
        store.store.pop(sender_id, None)
    elif isinstance(store, RedisTrackerStore):
        store.red.delete(store.key_prefix + sender_id)
    elif isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False
            )
            session.commit()
    elif isinstance(store, MongoTrackerStore):
        store.conversations.delete_many({"sender_id": sender_id})
    elif isinstance(store, DynamoTrackerStore):
        store.db.delete_item(Key={"sender_id": sender_id})
    else:
        raise NotImplementedError(f"deleting a conversation from a {type(store).__name__}")


async def delete_conversation(store: Any, sender_id: str) -> None:
    for concrete in concrete_stores(store):
        delete_from(concrete, sender_id)


_original_save = MessageProcessor.save_tracker


async def save_tracker(self: MessageProcessor, tracker: DialogueStateTracker) -> None:
    """Save the conversation, or delete it when the patient asked for that this turn."""
    if tracker.get_slot(FORGET_SLOT):
        try:
            await delete_conversation(self.tracker_store, tracker.sender_id)
        except Exception as err:
            logger.error("deleting conversation %s failed: %s", tracker.sender_id, type(err).__name__)
            raise
        logger.info("conversation %s deleted at the patient's request", tracker.sender_id)
        return
    await _original_save(self, tracker)


def _on_store_error(self: FailSafeTrackerStore, error: Exception) -> None:
    if self._on_tracker_store_error:
        self._on_tracker_store_error(error)
    else:
        logger.error(
            "tracker store %s failed: %s (falling back to memory)",
            type(self._tracker_store).__name__,
            type(error).__name__,
        )


def apply() -> None:
    """Install both on Rasa's classes (idempotent)."""
    # setattr: methods replaced on the class, which mypy would flag where Rasa's types are known.
    setattr(MessageProcessor, "save_tracker", save_tracker)  # noqa: B010
    setattr(FailSafeTrackerStore, "on_tracker_store_error", _on_store_error)  # noqa: B010
    setattr(FailSafeTrackerStore, "on_tracker_store_retrieve_error", _on_store_error)  # noqa: B010
