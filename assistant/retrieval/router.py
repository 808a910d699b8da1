"""Learn from example questions which passage a question wants: a linear map from the
multilingual encoder's vector of a question to a score per passage.

Fitted, when the index is opened, on the example questions kept with the policy
(`documents.examples`) and on the policy's own sentences, each labelled with its passage. It
is ridge regression onto the passages (1 for the passage an example names, 0 elsewhere),
solved in closed form (a 385-wide system: milliseconds here, so nothing is stored).
Why: the encoders alone ranked the right passage first for a third of the paraphrases that
share no word with it; the examples teach how students ask for each passage, in any language
e5 reads. On the fresh blind set, Hit@1 went from 0.70 to 0.90 and paraphrases from 0.32 to
0.72 (BENCHMARKS.md). Does not fuse its scores with the others: see `search`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.documents.chunking import Chunk
from assistant.documents.examples import EXAMPLES_FILE, Example, Examples
from assistant.indexing.encoders.base import multilingual_key
from assistant.indexing.index import Index
from assistant.retrieval.curation import find_passages

EXAMPLES_SET = "example_questions"  # the index's query set: every example question
FIT_BLOCK = 4096  # sentence rows added to the fit at a time
# by 5-fold CV on cv.jsonl's examples alone, fixed weights (0.03 to 0.3 within a point of
# Hit@1); not re-chosen since the written examples joined them
RIDGE = 0.1


class Router:
    """Scores every passage for a question's vector; fitted once, read by many threads."""

    def __init__(
        self,
        key: str,
        chunks: Sequence[Chunk],
        sentence_vectors: np.ndarray,
        sentence_offsets: np.ndarray,
        examples: Sequence[Example] = (),
        example_vectors: np.ndarray | None = None,
        ridge: float = RIDGE,
    ) -> None:
        if examples and (example_vectors is None or len(example_vectors) != len(examples)):
            raise ValueError("every example needs its vector, in the same order")
        self.key = key  # which encoder's vectors it reads
        self.problems: list[str] = []
        self._fitted_on = (chunks, sentence_vectors, sentence_offsets, examples, example_vectors)
        width = sentence_vectors.shape[1] + 1  # the vector and a bias
        # primal form: memory grows with the vector's width times the passages, not with the
        # square of the sentences (a 10,000-passage corpus has ~30,000 of them)
        gram = ridge * np.eye(width)
        moments = np.zeros((len(chunks), width))  # passage -> sum of its rows
        for start in range(0, len(sentence_vectors), FIT_BLOCK):
            rows = _with_bias(sentence_vectors[start : start + FIT_BLOCK].astype(np.float64))
            gram += rows.T @ rows
            owners = _owners(sentence_offsets)[start : start + FIT_BLOCK]
            np.add.at(moments, owners, rows)
        self.examples_used = 0
        vectors = example_vectors if example_vectors is not None else np.zeros((0, width - 1))
        for example, vector in zip(examples, vectors, strict=True):
            found = sorted({p.chunk.id for p in find_passages(example.passage, chunks)})
            if found:
                row = _with_bias(vector[None, :].astype(np.float64))
                gram += row.T @ row
                moments[found] += row[0]
                self.examples_used += 1
        if self.examples_used < len(examples):
            self.problems.append(
                f"{EXAMPLES_FILE}: {len(examples) - self.examples_used} of {len(examples)} "
                "examples name words no passage of the policy holds any more; they are left out"
            )
        self.weights = np.linalg.solve(gram, moments.T).astype(np.float32)

    def taught(self, examples: Sequence[Example], vectors: np.ndarray) -> Router:
        """This router refitted with more examples: the office's pins (see `answer`)."""
        if not examples:
            return self
        chunks, sentence_vectors, offsets, own, own_vectors = self._fitted_on
        both = vectors if own_vectors is None or not len(own) else np.vstack([own_vectors, vectors])
        router = Router(self.key, chunks, sentence_vectors, offsets, [*own, *examples], both)
        router.problems = self.problems  # the office's pins are checked by `curation`
        return router

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """The question's score for every passage, in chunk order (0 to about 1)."""
        fitted = (_with_bias(vector[None, :].astype(np.float32)) @ self.weights)[0]
        # below 0 is the fit pushing other passages away, not evidence against them: a
        # passage citing what an example asks about ("AGERA") would sink below unrelated ones
        return np.maximum(fitted, 0.0)


def fitted_router(index: Index, examples: Examples) -> Router:
    """The router of these examples over this index, with the index's vectors of their
    questions if it was built from exactly these, else embedded now."""
    key = multilingual_key(index.query_encoders)
    vectors = None
    if examples.examples:
        vectors = index.fixed_query_vectors(EXAMPLES_SET, examples.questions, key)
    router = Router(
        key,
        index.chunks,
        index.sentence_vectors[key],
        index.sentence_offsets,
        examples.examples,
        vectors,
    )
    router.problems[:0] = examples.problems
    return router


def _owners(offsets: np.ndarray) -> np.ndarray:
    """The chunk of every sentence row, from the rows' offsets per chunk."""
    return np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))


def _with_bias(vectors: np.ndarray) -> np.ndarray:
    return np.hstack([vectors, np.ones((len(vectors), 1))])
