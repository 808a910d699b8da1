"""What an index is built from besides the corpus: the encoders and the fixed query texts.

A change to either makes a built index stale. The default recipe is retrieval's to say (see
`assistant.retrieval.recipe`). Does not build anything: see `build`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assistant.indexing.encoders.base import Encoder


@dataclass(frozen=True)
class Recipe:
    encoders: Mapping[str, Encoder]  # key -> encoder; the key names its files in the folder
    query_sets: Mapping[str, Sequence[str]]  # name -> fixed texts embedded as queries
    # sets that only the multilingual encoder reads: the others need not embed them (hundreds
    # of example questions are most of a small corpus's build time)
    multilingual_only: frozenset[str] = field(default_factory=frozenset)
