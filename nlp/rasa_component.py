"""Rasa 3.6 NLU component that adds triage facts (nlp/facts/) to each message as entities.

Why a custom extractor: the facts need negation / family / history / hypothetical handling
(medspaCy ConText) and values ("absent", "both", days) that Rasa's trained extractors cannot give
from a handful of examples. Config:

    - name: nlp.rasa_component.FactExtractor
      model: nlp/model           # the pipeline saved by nlp/build_pipeline.py
      reuse_spacy_doc: true      # use SpacyNLP's doc when SpacyNLP loaded the same model

Message text is never logged (it is health data); only counts and timings, at DEBUG.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlp import components  # noqa: F401  (registers factories before SpacyNLP loads nlp/model)
from nlp.facts import CHUNK_CHARS, extract_mentions, load_nlp

logger = logging.getLogger(__name__)
EXTRACTOR_NAME = "FactExtractor"
CONFIDENCE = 1.0  # rules: a fact is either read or not


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class FactExtractor(GraphComponent, EntityExtractorMixin):  # type: ignore[misc]  # Rasa ships no types
    """Adds one entity per triage fact stated in the message (entity = fact name)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"model": "nlp/model", "reuse_spacy_doc": True}

    def __init__(self, config: Dict[str, Any]) -> None:
        self._config = config
        self._nlp = load_nlp(config["model"])  # loaded once here, not per message

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FactExtractor:
        return cls(config)

    def train(self, training_data: TrainingData) -> Resource:  # pragma: no cover - not trainable
        raise NotImplementedError("FactExtractor is rule-based and not trainable")

    def _spacy_doc(self, message: Message, text: str) -> Optional[Any]:
        """SpacyNLP's doc if it was made by our pipeline for this very text (lower-cased is fine)."""
        if not self._config.get("reuse_spacy_doc", True):
            return None
        doc = message.get(SPACY_DOCS[TEXT])
        if doc is None or len(doc.text) != len(text) or len(text) > CHUNK_CHARS or "<" in text:
            return None
        if not doc.has_extension("context_graph") or doc._.context_graph is None:
            return None  # SpacyNLP runs another model: run ours
        return doc

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip():
                continue
            started = time.perf_counter()
            try:
                doc = self._spacy_doc(message, text)
                mentions = extract_mentions(doc if doc is not None else text, self._nlp)
            except Exception:  # never let one odd message break the conversation
                logger.exception("FactExtractor failed on a message (text not logged)")
                continue
            new_entities = [
                {
                    "entity": m.fact,
                    "value": m.value,
                    "start": m.start,
                    "end": m.end,
                    "confidence_entity": CONFIDENCE,
                    "extractor": EXTRACTOR_NAME,
                    **(
                        {}
                        if m.definite_own_now
                        else {"time": m.time, "person": m.person, "certainty": m.certainty}
                    ),
                    **({"who": m.who} if m.who else {}),
                    **({"first_person": True} if m.first_person else {}),
                }
                for m in mentions
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + new_entities, add_to_output=True)
            logger.debug(
                "FactExtractor: %d facts in %.1f ms (reused doc: %s)",
                len(new_entities),
                1000 * (time.perf_counter() - started),
                doc is not None,
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Facts are not needed to train the other components; leave training data alone."""
        return training_data
