"""Decide whether the policy covers a question at all, so the assistant can say it does not.

Two tests, both calibrated on the tuning split (benchmarks/tune_retrieval.py):
- relevance: the best fused passage score must reach `MIN_RELEVANCE`;
- contrast: the question must not sit closer to a common off-policy topic (fees, visas,
  housing, weather, code…) than to any passage of the policy. Absolute cosines drift with
  wording and language; the difference between the two nearest neighbours does not.
Does not judge whether a passage is correct, only whether anything is relevant.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from assistant.retrieval.search import Retrieval

# Topics students ask about that an international *policy* does not address. Descriptions
# of subjects, not questions: they stand for whole areas, in any language, via e5.
OFF_POLICY_TOPICS = (
    "tuition fees and scholarships",
    "how much studying costs per year",
    "student visa, residence permit and immigration",
    "student housing, accommodation and dormitories",
    "renting a flat or an apartment",
    "weather forecast",
    "cooking and recipes",
    "computer programming and source code",
    "sports results and celebrities",
    "public transport, tickets and travel",
    "banking, bank accounts and exchange rates",
    "application deadlines and admission procedure",
    "course catalogue, timetable and exams",
    "library, canteen and campus opening hours",
    "contact details, phone numbers and office hours",
    "general knowledge trivia",
    "pets and animals",
    "health insurance and medical care",
    "jobs, internships and salaries",
)

TOPICS_SET = "off_policy_topics"

# Calibrated on the tuning split (benchmarks/tune_retrieval.py). The margin limit sits in the
# middle of the widest gap between tuning questions that meets both targets. Relevance is only
# a backstop for questions sharing nothing with the policy: half the lowest in-scope score.
MIN_RELEVANCE = 0.10
MAX_OFF_POLICY_MARGIN = 0.0


class ScopeJudge:
    def __init__(self, topic_vectors: Mapping[str, np.ndarray]) -> None:
        # Topics are embedded as queries, at build time (the index recipe's TOPICS_SET): a
        # question is compared like for like with the question-shaped topic, which separates
        # languages other than English far better (e5 cosines across languages are
        # compressed, and query-to-passage adds noise).
        self.topic_vectors = topic_vectors

    def off_policy_margin(self, retrieval: Retrieval) -> float:
        """How much nearer the question is to an off-policy topic than to the policy.

        The policy side is the searched query's best cosine with any chunk or sentence (a
        short topic phrase is fairly compared with a short sentence, and one sentence often
        states the whole answer), which `search` has already computed.
        """
        vectors = retrieval.query.vectors
        margins = [
            float((self.topic_vectors[key] @ vectors[key]).max()) - policy
            for key, policy in retrieval.nearest_policy.items()
        ]
        return float(np.mean(margins))

    def covers(self, retrieval: Retrieval) -> bool:
        """Tell whether the policy has something relevant to say."""
        if not retrieval.ranked or retrieval.ranked[0].score < MIN_RELEVANCE:
            return False
        return self.off_policy_margin(retrieval) <= MAX_OFF_POLICY_MARGIN
