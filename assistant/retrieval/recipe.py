"""What retrieval needs the index to hold: the two encoders and the off-policy topics.

`build` and `Assistant.load` both take it from here, so the index a question meets is the one
search and scope were written for. Does not build anything: see `assistant.indexing.build`.
"""

from __future__ import annotations

from assistant.indexing.encoders.e5 import E5Encoder
from assistant.indexing.encoders.minilm import MiniLMEncoder
from assistant.indexing.recipe import Recipe
from assistant.retrieval.scope import OFF_POLICY_TOPICS, TOPICS_SET


def default_recipe() -> Recipe:
    """MiniLM (English) and e5 (any language), with the topics embedded once, at build time."""
    return Recipe(
        encoders={"minilm": MiniLMEncoder(), "e5": E5Encoder()},
        query_sets={TOPICS_SET: OFF_POLICY_TOPICS},
    )
