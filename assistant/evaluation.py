"""Measure retrieval on a JSON Lines evaluation set: Hit@1, Hit@3, MRR@5, answer-sentence
accuracy and abstention, overall, per kind and per split (tune / heldout).

A passage is a hit when its text contains a gold phrase, compared case- and
whitespace-insensitively with curly quotes folded and footnote marks ignored. Out-of-scope
cases (gold = []) count as right when the assistant abstains. Does not tune anything.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.documents.chunking import plain
from assistant.errors import AssistantError

DEPTH = 5  # MRR@5: passages retrieved per question
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    lang: str
    question: str
    gold: tuple[str, ...]
    history: tuple[str, ...] = ()
    split: str = "tune"


@dataclass(frozen=True)
class Outcome:
    case: Case
    rank: int | None  # 1-based rank of the first passage containing a gold phrase
    sentence_hit: bool
    answered: bool
    seconds: float


@dataclass(frozen=True)
class Metrics:
    questions: int
    in_scope: int
    hit1: float
    hit3: float
    mrr5: float
    sentence_accuracy: float
    out_of_scope: int
    abstained: float  # share of out-of-scope questions abstained on
    wrongly_abstained: float  # share of in-scope questions abstained on
    extra: dict[str, float] = field(default_factory=dict)


def normalise(text: str) -> str:
    return " ".join(plain(text).translate(_FOLD).casefold().split())


def contains_gold(text: str, gold: Iterable[str]) -> bool:
    haystack = normalise(text)
    return any(normalise(phrase) in haystack for phrase in gold)


def read_eval_set(path: Path) -> list[Case]:
    """Read cases: {"id", "kind", "lang", "q", "gold", optional "history" and "split"}."""
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise AssistantError(f"Cannot read the evaluation set {path}: {error}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cases.append(
                Case(
                    str(raw["id"]),
                    raw["kind"],
                    raw.get("lang", "en"),
                    raw["q"],
                    tuple(raw["gold"]),
                    tuple(raw.get("history", ())),
                    raw.get("split", "tune"),
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise AssistantError(
                f"{path}: line {number}: not an evaluation case ({error})."
            ) from None
    return cases


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
        outcomes.append(
            Outcome(
                case,
                rank if case.gold else None,
                sentence_hit and bool(case.gold),
                answer.answered,
                seconds,
            )
        )
    return outcomes


def summarise(outcomes: Sequence[Outcome]) -> Metrics:
    scoped = [o for o in outcomes if o.case.gold]
    oos = [o for o in outcomes if not o.case.gold]

    def share(values: Iterable[bool], total: int) -> float:
        return sum(values) / total if total else float("nan")

    n = len(scoped)
    return Metrics(
        questions=len(outcomes),
        in_scope=n,
        hit1=share((o.rank == 1 for o in scoped), n),
        hit3=share((o.rank is not None and o.rank <= 3 for o in scoped), n),
        mrr5=sum(1 / o.rank for o in scoped if o.rank) / n if n else float("nan"),
        sentence_accuracy=share((o.sentence_hit for o in scoped), n),
        out_of_scope=len(oos),
        abstained=share((not o.answered for o in oos), len(oos)),
        wrongly_abstained=share((not o.answered for o in scoped), n),
    )


def groups(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    """Group outcomes as the report shows them: all, per split, per kind, non-English."""
    table: dict[str, list[Outcome]] = {"all": list(outcomes)}
    for split in sorted({o.case.split for o in outcomes}):
        table[f"split={split}"] = [o for o in outcomes if o.case.split == split]
    for kind in sorted({o.case.kind for o in outcomes}):
        table[f"kind={kind}"] = [o for o in outcomes if o.case.kind == kind]
    table["non-English"] = [o for o in outcomes if o.case.lang != "en"]
    for split in sorted({o.case.split for o in outcomes}):
        for kind in sorted({o.case.kind for o in outcomes}):
            table[f"{split}/{kind}"] = [
                o for o in outcomes if o.case.split == split and o.case.kind == kind
            ]
        table[f"{split}/non-English"] = [
            o for o in outcomes if o.case.split == split and o.case.lang != "en"
        ]
    return {name: rows for name, rows in table.items() if rows}


def format_report(outcomes: Sequence[Outcome]) -> str:
    """Render the metrics table, then the latency and the misses."""

    def cell(value: float) -> str:
        return "   -" if value != value else f"{value:.2f}"  # NaN: no question of that type

    header = f"{'group':<24}{'n':>4} {'in':>4} Hit@1 Hit@3 MRR@5 Sent. {'oos':>4} Abst. WrongAbst."
    lines = [header, "-" * len(header)]
    for name, rows in groups(outcomes).items():
        m = summarise(rows)
        lines.append(
            f"{name:<24}{m.questions:>4} {m.in_scope:>4}  {cell(m.hit1)}  {cell(m.hit3)}"
            f"  {cell(m.mrr5)}  {cell(m.sentence_accuracy)} {m.out_of_scope:>4}  "
            f"{cell(m.abstained)}      {cell(m.wrongly_abstained)}"
        )
    times = sorted(o.seconds * 1000 for o in outcomes)
    if times:
        lines.append(
            f"\nwarm latency per question: median {times[len(times) // 2]:.1f} ms, "
            f"max {times[-1]:.1f} ms over {len(times)} questions"
        )
    misses = [
        o for o in outcomes if (o.case.gold and o.rank != 1) or (not o.case.gold and o.answered)
    ]
    if misses:
        lines.append("\nnot right at rank 1:")
        lines.extend(
            f"  {o.case.id} [{o.case.kind}] rank={o.rank} answered={o.answered}: {o.case.question}"
            for o in misses
        )
    return "\n".join(lines)
