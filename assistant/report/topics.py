"""Group the questions the policy could not answer into topics, in any language.

Questions are embedded by the multilingual model (so "logement ?" and "housing?" meet) and
grouped by average-linkage agglomerative clustering, cut at a cosine distance calibrated on
paraphrases (see `TOPIC_DISTANCE`). A topic's label is its most central question; its examples
are its three most central distinct questions. Does not decide what was unanswered: see `summary`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.indexing.encoders.base import Encoder

# On tests/data/report/topics.jsonl (36 questions: 6 topics in English, French, Spanish, German
# and Chinese), 0.16 gave the best agreement of the cuts from 0.06 to 0.25 (adjusted Rand
# 0.34; pairs put together: 51 % share a topic, and 36 % of same-topic pairs are put together).
# Rough: the small multilingual model keeps near topics (fees and scholarships) together and
# some Chinese questions apart, but visa, housing and canteen questions meet across languages.
TOPIC_DISTANCE = 0.16
# Clustering keeps a full distance matrix: beyond this many questions, the most recent are used.
MAX_QUESTIONS = 2000
EXAMPLES = 3


@dataclass(frozen=True)
class Topic:
    label: str
    count: int
    examples: tuple[str, ...]


def group_topics(
    questions: Sequence[str], encoder: Encoder, distance: float = TOPIC_DISTANCE
) -> list[Topic]:
    """Group `questions` into topics, largest first (ties: alphabetical by label)."""
    questions = list(questions)[-MAX_QUESTIONS:]
    if not questions:
        return []
    vectors = np.asarray(encoder.encode_queries(questions), dtype=np.float64)
    labels = clusters(vectors, distance)
    topics = []
    for cluster in np.unique(labels):
        members = np.flatnonzero(labels == cluster)
        centre = vectors[members].mean(axis=0)
        by_centrality = members[np.argsort(-(vectors[members] @ centre), kind="stable")]
        distinct = list(dict.fromkeys(questions[i] for i in by_centrality))
        topics.append(Topic(distinct[0], len(members), tuple(distinct[:EXAMPLES])))
    return sorted(topics, key=lambda topic: (-topic.count, topic.label))


def clusters(vectors: np.ndarray, distance: float = TOPIC_DISTANCE) -> np.ndarray:
    """Number each vector by its cluster: average linkage on cosines, cut at `distance`."""
    if len(vectors) == 1:
        return np.zeros(1, dtype=int)
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(vectors, method="average", metric="cosine")
    return fcluster(tree, t=distance, criterion="distance")
