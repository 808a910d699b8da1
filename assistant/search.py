"""Rank chunks for a question and pick each chunk's answer sentence.

Dense retrieval with the English MiniLM over chunk vectors; the answer sentence is the chunk
sentence whose vector is nearest the question. A follow-up that leans on an earlier turn
("And CDEFI?") is searched together with that turn. Does not decide whether to answer:
see `answer`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.chunking import Chunk
from assistant.embedding import Encoder
from assistant.index import LoadedIndex

_WORD = re.compile(r"\w+", re.UNICODE)
# A question this short, with history, is read as a continuation of the previous turn.
FOLLOW_UP_MAX_WORDS = 4


@dataclass(frozen=True)
class Ranked:
    chunk: Chunk
    score: float
    highlight: tuple[int, int]  # absolute span of the answer sentence in the document


def search_query(question: str, history: Sequence[str]) -> str:
    """Fold the last user turn into a short follow-up so it can be searched on its own."""
    if history and len(_WORD.findall(question)) <= FOLLOW_UP_MAX_WORDS:
        return f"{history[-1]} {question}"
    return question


class Retriever:
    def __init__(self, index: LoadedIndex, encoders: Mapping[str, Encoder]) -> None:
        self.index = index
        self.encoders = encoders

    def rank(self, question: str, history: Sequence[str], k: int) -> list[Ranked]:
        """Return the `k` best chunks for the question, best first."""
        query = search_query(question, history)
        vector = self.encoders["minilm"].encode_queries([query])[0]
        hits = self.index.search("minilm", vector, k)
        return [
            Ranked(hit.chunk, hit.score, self._answer_sentence(hit.chunk, vector)) for hit in hits
        ]

    def _answer_sentence(self, chunk: Chunk, query: np.ndarray) -> tuple[int, int]:
        vectors = self.index.sentence_vectors_of("minilm", chunk)
        return chunk.sentences[int(np.argmax(vectors @ query))]
