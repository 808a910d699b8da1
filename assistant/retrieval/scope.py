"""Decide what a question gets: an answer, related passages, or "the policy does not say".

- not covered: the question shares no word with the policy and is off its subject, by two
  tests calibrated by cross-validation (benchmarks/cross_validate.py): the best fused passage
  score must reach `MIN_RELEVANCE`, and the question must not sit closer to a common
  off-policy topic (fees, visas, housing, weather, code…) than to any passage of the policy.
  Absolute cosines drift with wording and language; the difference between the two nearest
  neighbours does not.
- related: the policy is near the question but does not answer it: the question fails those
  tests yet shares a word with the policy, or it wants a kind of thing (a person, a date, an
  amount, a link, a procedure) that the best passage does not hold, or it asks what an
  acronym stands for that the policy uses without expanding.
- answered: everything else.
- talk: greetings, thanks, questions about the assistant that `conversation`'s wording rules
  (applied before retrieval) missed, told by meaning after retrieval (`talks`).
Does not judge whether a passage is correct, only whether it can be offered as the answer.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from assistant.indexing.bm25 import tokenize
from assistant.retrieval.search import Retrieval
from assistant.retrieval.wanted import holds, wanted_kind

ANSWERED, RELATED, NOT_COVERED = "answered", "related", "not_covered"
# What the policy lacks, when the outcome is "related" (besides the kinds in `wanted`).
OFF_SUBJECT, UNDEFINED_TERM = "subject", "definition"

_ACRONYM = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9]{1,7}(?![A-Za-z0-9])")
_ARTICLE = r"(?:the |an? |le |la |l'|les |el |los |der |die |das |il |lo |o |a )?"
# "What does X stand for?", "X?", "And the X?", "Que signifie X ?", "X是什么" …: the question
# is about the acronym itself, not about something it is part of ("INSA's values").
_MEANING_OF = (
    r"^\W*(?:and |et |y |und |e )?{article}{acronym}\W*$",
    r"(?<![A-Za-z0-9]){acronym}\W*(?:stands? for|means?\b|meaning|signifie|veut dire|"
    r"significa|bedeutet|sta per|是什么|什么意思|とは)",
    r"(?:does|do|is|est|es|ist|è|é)\W+{article}{acronym}\W+(?:stand|mean|signif|bedeut)",
    r"(?:meaning of|definition of|define|what is|what's|what are|who is|who are|signifie|"
    r"veut dire|qu'est-ce que|c'est quoi|que signifie|significa|qué es|que es|bedeutet|was ist|"
    r"wer ist|sta per|cos'è|cosa significa|o que é|o que significa|ما هو|ما معنى|что такое)"
    r"\W+{article}{acronym}\W*$",
)


def asks_meaning_of(acronym: str, question: str) -> bool:
    """Tell whether the question asks what `acronym` stands for or is."""
    fields = {"article": _ARTICLE, "acronym": re.escape(acronym)}
    return any(
        re.search(pattern.format(**fields), question, re.IGNORECASE) for pattern in _MEANING_OF
    )


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
    "canteen menu, food and restaurants",
    "gym, sports facilities and clubs",
    "passwords, wifi, e-mail accounts and IT support",
    "mathematics, physics and homework help",
    "tourism, beaches and sightseeing",
    "exam results, grades and transcripts",
    "pets and animals",
    "health insurance and medical care",
    "jobs, internships and salaries",
)

TOPICS_SET = "off_policy_topics"

# Chosen with the fusion weights by 5-fold cross-validation (benchmarks/cross_validate.py):
# the most questions handled right with at most 3 % of answerable ones declined.
MIN_RELEVANCE = 0.3  # the best passage's fused relevance, at least (with the router in)
KEYWORDS_AT_MOST = 3
MAX_OFF_POLICY_MARGIN = 0.02
MIN_TALK_MARGIN = 0.06  # nearer a kind of talk than the policy or a topic by this much: talk


@dataclass(frozen=True)
class Thresholds:
    min_relevance: float = MIN_RELEVANCE
    max_off_policy_margin: float = MAX_OFF_POLICY_MARGIN
    min_talk_margin: float = MIN_TALK_MARGIN


@dataclass(frozen=True)
class Verdict:
    outcome: str  # ANSWERED, RELATED or NOT_COVERED
    missing: str | None = None  # for RELATED: what the policy does not hold; else None


class ScopeJudge:
    def __init__(
        self,
        topic_vectors: Mapping[str, np.ndarray],
        talk_vectors: np.ndarray,
        talk_key: str,
        policy_terms: Collection[str],
        defined_terms: Collection[str],
        thresholds: Thresholds = Thresholds(),
    ) -> None:
        # Topics are embedded as queries, at build time (the index recipe's TOPICS_SET): a
        # question is compared like for like with the question-shaped topic, which separates
        # languages other than English far better (e5 cosines across languages are
        # compressed, and query-to-passage adds noise).
        self.topic_vectors = topic_vectors
        self.talk_vectors = talk_vectors  # conversation.TALK_EXAMPLES, by the multilingual model
        self.talk_key = talk_key
        self.policy_terms = frozenset(policy_terms)  # the policy's words, as BM25 has them
        self.defined_terms = frozenset(defined_terms)  # acronyms a footnote expands
        self.thresholds = thresholds

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

    def talks(self, retrieval: Retrieval) -> bool:
        """Talk that `conversation`'s wording rules missed (see `is_talk`)."""
        follow_up = retrieval.query is not retrieval.asked  # searched with its earlier turn
        return self.is_talk(retrieval.asked.terms, self.talk_margin(retrieval), follow_up)

    def talk_margin(self, retrieval: Retrieval) -> float:
        """How much nearer the question alone is to a kind of talk than to the policy or to
        any off-policy topic, by the multilingual model ("What will the weather be like?" is
        off the policy, not talk; a follow-up's earlier turn does not make "thanks!" a
        question)."""
        key = self.talk_key
        vector = retrieval.asked.vectors[key]
        talk = float((self.talk_vectors @ vector).max())
        topic = float((self.topic_vectors[key] @ vector).max())
        return talk - max(retrieval.nearest_asked[key], topic)

    def is_talk(
        self,
        asked_terms: frozenset[str],
        margin: float,
        follow_up: bool,
        thresholds: Thresholds | None = None,
    ) -> bool:
        """No word of the policy, far nearer a kind of talk than any of its passages, and not
        a follow-up: "Why?" after a question asks about that question's subject."""
        limit = (thresholds or self.thresholds).min_talk_margin
        return not follow_up and asked_terms.isdisjoint(self.policy_terms) and margin > limit

    def keywords(self, asked_terms: frozenset[str]) -> bool:
        """A few words, all of them the policy's ("summer school", "values"): a search, which
        the off-policy test would misjudge (a word alone sits far from any passage)."""
        return 0 < len(asked_terms) <= KEYWORDS_AT_MOST and asked_terms <= self.policy_terms

    def undefined_term(self, question: str) -> str | None:
        """Return an acronym the question asks about that the policy uses but never expands."""
        for acronym in _ACRONYM.findall(question):
            terms = tokenize(acronym)  # "IT" is a stop word, not an acronym of the policy
            used = bool(terms) and all(term in self.policy_terms for term in terms)
            if used and acronym not in self.defined_terms and asks_meaning_of(acronym, question):
                return acronym
        return None

    def judge(self, question: str, retrieval: Retrieval) -> Verdict:
        """Say whether the retrieved passages answer the question, are only related, or none."""
        best = retrieval.ranked[0] if retrieval.ranked else None
        margin = self.off_policy_margin(retrieval) if best else 0.0
        return self.decide(
            question,
            retrieval.asked.terms,
            best.score if best else None,
            best.chunk.text if best else "",
            margin,
        )

    def decide(
        self,
        question: str,
        asked_terms: frozenset[str],
        best_score: float | None,
        best_text: str,
        margin: float,
        thresholds: Thresholds | None = None,
    ) -> Verdict:
        """The verdict from what retrieval found: the best passage's fused score and text,
        and how much nearer an off-policy topic the question is than the policy."""
        limits = thresholds or self.thresholds
        if best_score is None:
            return Verdict(NOT_COVERED)
        relevant = best_score >= limits.min_relevance
        off_policy = margin > limits.max_off_policy_margin and not self.keywords(asked_terms)
        if not relevant or off_policy:
            if not asked_terms.isdisjoint(self.policy_terms):
                # "Who directs INSA Lyon?": say the policy names no person, not just "subject"
                return self.lacking(question, best_text) or Verdict(RELATED, OFF_SUBJECT)
            return Verdict(NOT_COVERED)
        return self.lacking(question, best_text) or Verdict(ANSWERED)

    def lacking(self, question: str, text: str) -> Verdict | None:
        """Say what `text` cannot give the question: the meaning of a term the policy never
        defines, or the kind of answer it wants (a date, a person…); None if nothing."""
        if self.undefined_term(question) is not None:
            return Verdict(RELATED, UNDEFINED_TERM)
        kind = wanted_kind(question)
        if kind is not None and not holds(kind, text):
            return Verdict(RELATED, kind)
        return None
