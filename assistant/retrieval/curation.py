"""Decide whether a question is one the office curated: a pinned passage or a redirect.

A question fires the curated entry whose question is nearest (multilingual e5, so a French
paraphrase finds an English pin) when a small logistic model, one for pins and one for
redirects, says it is the same question. Their features were chosen by cross-validation on 72
paraphrases and 100 unrelated questions (`benchmarks/calibrate_curation.py`, BENCHMARKS.md):
the cosine; the cosine once the policy's common direction (the mean of its sentences) is taken
out, which stops "INSA Lyon's international …" from making every policy question look alike;
how far ahead that entry is of the next one or of the fixed off-policy questions (`scope`);
for a pin, how far the pinned passage is behind the question's own best passage; for a
redirect, whether the question's nearest off-policy topic is its question's (+3 of 24
paraphrases). Does not read the curation file
(see `documents.curation`) nor build the reply (see `answer`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.documents.chunking import Chunk
from assistant.documents.curation import CURATION_FILE, Curation, Pin, Redirect

CURATION_SET = "curated_questions"  # the index's query set: every curated question

# One logistic model per kind of nearest entry, fitted by `benchmarks/calibrate_curation.py`:
# kind -> (weights, bias, logit at and above which it fires: the threshold that kept every
# unrelated question of the training folds unfired).
# Which features each kind's model reads: a redirect has no passage, but a topic.
FEATURES_OF = {"pin": (0, 1, 2, 3), "redirect": (0, 1, 2, 4)}
FIRE_MODELS: dict[str, tuple[tuple[float, ...], float, float]] = {
    "pin": ((2.223, 1.6571, 9.3692, -7.4012), -3.7468, 1.4775),
    "redirect": ((8.6393, 8.4706, 3.7357, 1.8079), -14.1439, 0.7224),
}


@dataclass(frozen=True)
class PinnedPassage:
    chunk: Chunk
    span: tuple[int, int]  # the pin's phrase, in document offsets: what the reply marks


@dataclass(frozen=True)
class Match:
    entry: Pin | Redirect
    pinned: PinnedPassage | None  # None for a redirect
    similarity: float  # the question's cosine with the entry's question


class Curator:
    """The curated entries in force, their question vectors, and the decision to fire."""

    def __init__(
        self,
        curation: Curation,
        chunks: Sequence[Chunk],
        question_vectors: np.ndarray | None,
        passage_vectors: np.ndarray,
        background_vectors: np.ndarray,
    ) -> None:
        self.curation = curation
        self.problems: list[str] = list(curation.problems)
        self.pinned: dict[str, PinnedPassage] = {}
        for pin in curation.pins:
            found = find_passages(pin.passage, chunks)
            if len(found) == 1:
                self.pinned[pin.key] = found[0]
            else:
                self.problems.append(pin_problem(pin, len(found)))
        entries: list[Pin | Redirect] = [*curation.pins, *curation.redirects]
        kept = [n for n, e in enumerate(entries) if not isinstance(e, Pin) or e.key in self.pinned]
        self.entries = [entries[n] for n in kept]
        self.centre = passage_vectors.mean(axis=0) if len(passage_vectors) else None
        if question_vectors is None or len(question_vectors) != len(entries) or not kept:
            self.vectors = np.zeros((0, passage_vectors.shape[1]), dtype=np.float32)
        else:
            self.vectors = question_vectors[kept]
        self.centred = self._centred(self.vectors)
        self.background = self._centred(background_vectors)

    def match(self, question_vector: np.ndarray, scores: np.ndarray) -> Match | None:
        """Return the entry this question is a paraphrase of, if the model says it is one."""
        if not len(self.vectors):
            return None
        features, best = self.features(question_vector, scores)
        entry = self.entries[best]
        kind = "pin" if isinstance(entry, Pin) else "redirect"
        weights, bias, threshold = FIRE_MODELS[kind]
        if bias + float(np.dot(weights, features[list(FEATURES_OF[kind])])) < threshold:
            return None
        pinned = self.pinned.get(entry.key) if isinstance(entry, Pin) else None
        return Match(entry, pinned, float(features[0]))

    def features(self, question_vector: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, int]:
        """The models' features for the nearest entry (see FEATURES_OF), and its position."""
        cosines = self.vectors @ question_vector
        centred_question = self._centred(question_vector[None, :])[0]
        centred = self.centred @ centred_question
        best = int(np.argmax(centred))
        # the runner-up: another entry, or one of the fixed off-policy questions, so that a
        # lone pin is not "far ahead" of nothing
        rivals = np.concatenate([np.delete(centred, best), self.background @ centred_question])
        margin = float(centred[best] - rivals.max())
        entry = self.entries[best]
        gap = 0.0
        if isinstance(entry, Pin):
            gap = float(scores.max() - scores[self.pinned[entry.key].chunk.id])
        # the same nearest off-policy topic as the entry's question ("visa", "housing"…)
        same_topic = float(
            len(self.background)
            and np.argmax(self.background @ centred_question)
            == np.argmax(self.background @ self.centred[best])
        )
        features = [cosines[best], centred[best], margin, gap, same_topic]
        return np.array(features, dtype=np.float64), best

    def _centred(self, vectors: np.ndarray) -> np.ndarray:
        if self.centre is None or not len(vectors):
            return vectors
        moved = vectors - self.centre
        return moved / np.maximum(np.linalg.norm(moved, axis=1, keepdims=True), 1e-9)


def find_passages(phrase: str, chunks: Sequence[Chunk]) -> list[PinnedPassage]:
    """Every passage holding `phrase` (case and spacing aside), with the phrase's span."""
    words = phrase.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)
    found = []
    for chunk in chunks:
        at = pattern.search(chunk.text)
        if at is not None:
            found.append(PinnedPassage(chunk, (chunk.start + at.start(), chunk.start + at.end())))
    return found


def pin_problem(pin: Pin, found: int) -> str:
    where = f"{CURATION_FILE} line {pin.line}" if pin.line else "a pin"
    if found == 0:
        return (
            f"{where}: no passage of the policy holds {pin.passage!r} any more; the pin is "
            "ignored until it is pointed again (`pin` the question with a current phrase)"
        )
    return (
        f"{where}: {found} passages hold {pin.passage!r}; the pin is ignored until its "
        "phrase names one (`pin` the question with a longer phrase)"
    )
