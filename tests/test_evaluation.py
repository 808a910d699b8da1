"""The evaluation itself: intervals, strict scoring, risk-coverage, and the locked split.

Nothing here reads the locked part's figures: only its bytes (to prove it is unchanged) and
how it was split.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json

import pytest

from assistant.config import PROJECT_ROOT
from assistant.evaluation import (
    Case,
    Outcome,
    Share,
    format_report,
    read_eval_set,
    risk_coverage,
    summarise,
)

INDEPENDENT = PROJECT_ROOT / "tests" / "data" / "independent"


def test_wilson_intervals_match_known_values():
    low, high = Share(0, 10).interval()
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = Share(10, 10).interval()
    assert low == pytest.approx(0.7225, abs=1e-4) and high == pytest.approx(1.0)
    low, high = Share(81, 263).interval()  # Newcombe's (1998) worked example, 81/263
    assert (low, high) == (pytest.approx(0.2553, abs=1e-4), pytest.approx(0.3662, abs=1e-4))


def _outcome(kind, gold, rank, answered, outcome, confidence=0.5):
    case = Case("x", kind, "en", "q", tuple(gold))
    return Outcome(case, rank, rank == 1, answered, 0.01, outcome, confidence)


def test_scoring_is_strict_and_counts_each_outcome():
    rows = [
        _outcome("direct", ["a"], 1, True, "answered", 0.9),
        _outcome("direct", ["a"], None, False, "related", 0.8),  # declined: a miss and a decline
        _outcome("unanswerable", [], None, False, "related", 0.7),
        _outcome("oos", [], None, True, "answered", 0.3),  # answered without an answer
        _outcome("chat", [], None, False, "conversation"),
        _outcome("chat", [], None, False, "not_covered"),
    ]
    m = summarise(rows)
    assert (m.hit1.hits, m.hit1.total) == (1, 2)
    assert (m.wrongly_declined.hits, m.wrongly_declined.total) == (1, 2)
    assert (m.unanswerable_declined.hits, m.unanswerable_declined.total) == (1, 2)
    assert (m.on_topic_declined.hits, m.on_topic_declined.total) == (1, 1)
    assert (m.conversation.hits, m.conversation.total) == (1, 2)
    points = risk_coverage(rows)
    assert points[0] == (0.0, 0.5, 0.5)  # shipped: half the answerable answered, half right
    assert points[-1] == (0.9, 0.5, 1.0)  # a bar at 0.9 keeps only the right answer
    report = format_report(rows)
    assert "Wilson" in report and "O = shipped operating point" in report


def _load_splitter():
    spec = importlib.util.spec_from_file_location(
        "split_questions", PROJECT_ROOT / "benchmarks" / "split_questions.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_split_is_reproducible_and_keeps_every_kind_in_both_parts():
    splitter = _load_splitter()
    parts = splitter.split()
    for name, rows in parts.items():
        assert (INDEPENDENT / f"{name}.jsonl").read_text(encoding="utf-8") == splitter.render(rows)
    kinds = {part: {row["kind"] for row in rows} for part, rows in parts.items()}
    assert kinds["cv"] == kinds["locked"]
    ids = {part: {row["id"] for row in rows} for part, rows in parts.items()}
    assert not ids["cv"] & ids["locked"]


def test_the_locked_part_is_unchanged_and_large_enough():
    data = (INDEPENDENT / "locked.jsonl").read_bytes()
    recorded = (INDEPENDENT / "README.md").read_text(encoding="utf-8")
    assert f"| locked.jsonl | {hashlib.sha256(data).hexdigest()[:16]}… |" in recorded
    cases = read_eval_set(INDEPENDENT / "locked.jsonl")
    rows = [json.loads(line) for line in data.decode().splitlines()]
    assert len(cases) >= 290
    assert sum(not c.gold and c.kind != "chat" for c in cases) >= 80
    assert sum(c.kind == "unanswerable" for c in cases) >= 40
    assert sum(c.kind == "chat" for c in cases) >= 20
    assert all(row["split"] == "locked" for row in rows)


def test_the_fresh_set_is_split_reproducibly_and_its_locked_part_is_unchanged():
    splitter = _load_splitter()
    parts = splitter.split_fresh()
    fresh = INDEPENDENT.parent / "fresh"
    for name, rows in parts.items():
        assert (fresh / f"{name}.jsonl").read_text(encoding="utf-8") == splitter.render(rows)
    assert {row["kind"] for row in parts["d-cv"]} == {row["kind"] for row in parts["d-locked"]}
    assert len(parts["d-cv"]) + len(parts["d-locked"]) == 340
    locked = (fresh / "d-locked.jsonl").read_bytes()
    recorded = (fresh / "README.md").read_text(encoding="utf-8")
    assert f"| d-locked.jsonl | {hashlib.sha256(locked).hexdigest()} |" in recorded


def test_set_f_is_locked_whole_and_unchanged():
    fresh = INDEPENDENT.parent / "fresh"
    locked = (fresh / "f-locked.jsonl").read_bytes()
    recorded = (fresh / "README.md").read_text(encoding="utf-8")
    assert f"| f-locked.jsonl | {hashlib.sha256(locked).hexdigest()} |" in recorded
    cases = read_eval_set(fresh / "f-locked.jsonl")
    assert len(cases) == 300 and all(case.split == "locked" for case in cases)
    assert sum(not case.gold and case.kind != "chat" for case in cases) >= 70
