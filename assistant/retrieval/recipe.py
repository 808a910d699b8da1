"""What retrieval needs the index to hold: the two encoders, the off-policy topics, the kinds
of talk, the office's curated questions and the example questions the router learns from.

`build` and `Assistant.load` both take it from here, so the index a question meets is the one
search, scope and curation were written for; a change to the curation file changes the recipe,
so the index rebuilds. Does not build anything: see `assistant.indexing.build`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.documents.curation import read_curation
from assistant.documents.examples import read_examples
from assistant.indexing.encoders.e5 import E5Encoder
from assistant.indexing.encoders.minilm import MiniLMEncoder
from assistant.indexing.recipe import Recipe
from assistant.retrieval.conversation import TALK_EXAMPLES, TALK_SET
from assistant.retrieval.curation import CURATION_SET
from assistant.retrieval.router import EXAMPLES_SET
from assistant.retrieval.scope import OFF_POLICY_TOPICS, TOPICS_SET


def default_recipe(corpus_dir: Path | None = None) -> Recipe:
    """MiniLM (English) and e5 (any language), with the topics and, for a corpus folder, its
    curated and example questions embedded once, at build time."""
    query_sets: dict[str, Sequence[str]] = {
        TOPICS_SET: OFF_POLICY_TOPICS,
        TALK_SET: TALK_EXAMPLES,
    }
    curated = read_curation(corpus_dir).questions if corpus_dir is not None else ()
    if curated:
        query_sets[CURATION_SET] = curated
    examples = read_examples(corpus_dir).questions if corpus_dir is not None else ()
    if examples:
        query_sets[EXAMPLES_SET] = examples
    return Recipe(
        encoders={"minilm": MiniLMEncoder(), "e5": E5Encoder()},
        query_sets=query_sets,
        # the router, talk and curation read the multilingual model's vectors alone
        multilingual_only=frozenset({EXAMPLES_SET, TALK_SET, CURATION_SET}),
    )
