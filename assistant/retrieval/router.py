"""Learn from example questions which passage a question wants: a linear map from the
multilingual encoder's vector of a question to a score per passage.

Fitted, when the index is opened, on the example questions kept with the policy
(`documents.examples`) and on the policy's own sentences, each labelled with its passage. It
is ridge regression onto the passages (1 for the passage an example names, 0 elsewhere),
solved in closed form over the examples (a few hundred: milliseconds, so nothing is stored).
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
from assistant.indexing.index import Index
from assistant.indexing.manifest import query_sets_signature
from assistant.retrieval.curation import find_passages

EXAMPLES_SET = "example_questions"  # the index's query set: every example question
RIDGE = 0.1  # by 5-fold CV on cv.jsonl, fixed weights: 0.03 to 0.3 within a point of Hit@1


class Router:
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
        self.key = key  # which encoder's vectors it reads
        self.problems: list[str] = []
        self._fitted_on = (chunks, sentence_vectors, sentence_offsets, examples, example_vectors)
        targets = [_one_hot(len(chunks), chunk) for chunk in _owners(sentence_offsets)]
        inputs = [sentence_vectors]
        taught = []
        for n, example in enumerate(examples):
            found = {passage.chunk.id for passage in find_passages(example.passage, chunks)}
            if found and example_vectors is not None:
                taught.append(n)
                targets.append(_one_hot(len(chunks), *found))
        if len(taught) < len(examples):
            self.problems.append(
                f"{EXAMPLES_FILE}: {len(examples) - len(taught)} of {len(examples)} examples "
                "name words no passage of the policy holds any more; they are left out"
            )
        if taught and example_vectors is not None:
            inputs.append(example_vectors[taught])
        self.examples_used = len(taught)
        features = _with_bias(np.vstack(inputs).astype(np.float64))
        labels = np.vstack(targets) if targets else np.zeros((0, len(chunks)))
        # dual form: a solve over the examples, not over the vector's dimensions
        gram = features @ features.T + ridge * np.eye(len(features))
        self.weights = features.T @ np.linalg.solve(gram, labels)

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
        fitted = (_with_bias(vector[None, :].astype(np.float64)) @ self.weights)[0]
        # below 0 is the fit pushing other passages away, not evidence against them: a
        # passage citing what an example asks about ("AGERA") would sink below unrelated ones
        return np.maximum(fitted, 0.0)


def fitted_router(index: Index, examples: Examples) -> Router:
    """The router of these examples over this index, with the index's vectors of their
    questions if it was built from exactly these, else embedded now."""
    key = next(key for key, encoder in index.query_encoders.items() if encoder.multilingual)
    vectors = None
    if examples.examples:
        built = index.manifest.get("query_sets", {}).get(EXAMPLES_SET)
        if built == query_sets_signature({EXAMPLES_SET: examples.questions})[EXAMPLES_SET]:
            vectors = index.query_set_vectors[EXAMPLES_SET][key]
        else:
            vectors = index.query_encoders[key].encode_queries(list(examples.questions))
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


def _one_hot(size: int, *positions: int) -> np.ndarray:
    row = np.zeros(size)
    row[list(positions)] = 1.0
    return row


def _with_bias(vectors: np.ndarray) -> np.ndarray:
    return np.hstack([vectors, np.ones((len(vectors), 1))])
