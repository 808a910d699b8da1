"""Measure the assistant on JSON Lines question sets: Hit@1, Hit@3, MRR@5, answer sentence,
outcomes (declined, conversation) by split, kind and language, with 95 % intervals, and a
risk-coverage curve. Reads cases (`cases`), asks and scores them (`scoring`), renders
(`report`). Does not tune anything: see benchmarks/cross_validate.py.
"""

from assistant.evaluation.cases import Case, contains_gold, normalise, read_eval_set
from assistant.evaluation.report import format_report, groups, missed
from assistant.evaluation.scoring import (
    DEPTH,
    Metrics,
    Outcome,
    Share,
    evaluate,
    risk_coverage,
    summarise,
)

__all__ = [
    "DEPTH",
    "Case",
    "Metrics",
    "Outcome",
    "Share",
    "contains_gold",
    "evaluate",
    "format_report",
    "groups",
    "missed",
    "normalise",
    "read_eval_set",
    "risk_coverage",
    "summarise",
]
