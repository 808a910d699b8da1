"""Ask every case and score what came back: ranks, answer sentences and outcomes, each share
with its 95 % Wilson interval.

Strict by design: a passage counts only if it was offered as the answer (`passages`), so an
answerable question that got "related" is a miss for Hit@k as well as a wrong decline.
Does not tune anything.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.evaluation.cases import Case, contains_gold

DEPTH = 5  # MRR@5: passages retrieved per question
Z95 = 1.959964


@dataclass(frozen=True)
class Outcome:
    case: Case
    rank: int | None  # 1-based rank of the first answer passage containing a gold phrase
    sentence_hit: bool
    answered: bool
    seconds: float
    outcome: str = "answered"  # the contract's outcome
    confidence: float = 0.0  # the best passage's fused score, answered or not


@dataclass(frozen=True)
class Share:
    hits: int
    total: int

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else float("nan")

    def interval(self, z: float = Z95) -> tuple[float, float]:
        """Wilson score interval: sound for small n and for shares near 0 or 1."""
        n = self.total
        if not n:
            return float("nan"), float("nan")
        p = self.hits / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Metrics:
    questions: int
    answerable: int
    hit1: Share
    hit3: Share
    mrr5: float
    sentence: Share
    wrongly_declined: Share  # answerable questions not answered
    unanswerable_declined: Share  # no-gold questions (chat aside) not answered
    on_topic_declined: Share  # kind "unanswerable": on the policy's topics, not in it
    conversation: Share  # chat questions recognised as conversation


def _share(cases: Iterable[Outcome], test: Callable[[Outcome], bool]) -> Share:
    rows = list(cases)
    return Share(sum(1 for row in rows if test(row)), len(rows))


def evaluate(assistant: Any, cases: Sequence[Case]) -> list[Outcome]:
    """Ask every question (top 5) and record where the first correct passage came."""
    outcomes = []
    for case in cases:
        began = time.perf_counter()
        answer = assistant.ask(case.question, history=case.history, top_k=DEPTH)
        seconds = time.perf_counter() - began
        rank = next(
            (i for i, p in enumerate(answer.passages, 1) if contains_gold(p.text, case.gold)), None
        )
        sentence_hit = bool(answer.passages) and contains_gold(
            answer.passages[0].highlight, case.gold
        )
        shown = answer.passages or answer.related
        outcomes.append(
            Outcome(
                case,
                rank if case.gold else None,
                sentence_hit and bool(case.gold),
                answer.answered,
                seconds,
                answer.outcome,
                shown[0].score if shown else 0.0,
            )
        )
    return outcomes


def summarise(outcomes: Sequence[Outcome]) -> Metrics:
    answerable = [o for o in outcomes if o.case.answerable]
    unanswerable = [o for o in outcomes if not o.case.answerable and not o.case.conversation]
    ranks = [o.rank for o in answerable]
    return Metrics(
        questions=len(outcomes),
        answerable=len(answerable),
        hit1=_share(answerable, lambda o: o.rank == 1),
        hit3=_share(answerable, lambda o: o.rank is not None and o.rank <= 3),
        mrr5=sum(1 / r for r in ranks if r) / len(ranks) if ranks else float("nan"),
        sentence=_share(answerable, lambda o: o.sentence_hit),
        wrongly_declined=_share(answerable, lambda o: not o.answered),
        unanswerable_declined=_share(unanswerable, lambda o: not o.answered),
        on_topic_declined=_share(
            (o for o in unanswerable if o.case.kind == "unanswerable"), lambda o: not o.answered
        ),
        conversation=_share(
            (o for o in outcomes if o.case.conversation), lambda o: o.outcome == "conversation"
        ),
    )


def risk_coverage(outcomes: Sequence[Outcome]) -> list[tuple[float, float, float]]:
    """(threshold, coverage, precision) as the bar on the best passage's score rises.

    Coverage: share of answerable questions answered. Precision: share of answered questions
    whose first passage is right (an answered unanswerable question is wrong). The first
    point, threshold 0, is the shipped operating point; selective question answering in the
    sense of Kamath et al. (2020).
    """
    scored = [o for o in outcomes if not o.case.conversation]
    answerable = sum(1 for o in scored if o.case.answerable)
    points = []
    for threshold in sorted({0.0, *(o.confidence for o in scored if o.answered)}):
        kept = [o for o in scored if o.answered and o.confidence >= threshold]
        if not kept or not answerable:
            continue
        right = sum(1 for o in kept if o.rank == 1)
        covered = sum(1 for o in kept if o.case.answerable)
        points.append((threshold, covered / answerable, right / len(kept)))
    return points
