"""Split the independent questions, once, into a cross-validation part and a locked test part.

Run: python benchmarks/split_questions.py  (writes tests/data/independent/{cv,locked}.jsonl
and tests/data/fresh/d-{cv,locked}.jsonl)
blind-a goes to cv and blind-b to locked, whole. The grid sets (grid-1, grid-2: every policy
sentence in seven styles; grid-3: unanswerable, off-topic and conversation) are split half
and half within each (set, kind), in the order of a hash of the question id, so both parts
hold every kind in the same proportion and no one chose which question went where.
The fresh blind set D (tests/data/fresh/blind-d.jsonl, 340 questions written blind on
2026-12-04) is split the same way within each kind, two in five to `d-cv` (tuning, with cv)
and three in five to `d-locked` (the next claim).
Deterministic: running it again writes the same files (a test checks that).
"""

from __future__ import annotations

import hashlib
import json
import sys
from itertools import groupby
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
FOLDER = DATA / "independent"
FRESH = DATA / "fresh"
GRID = ("grid-1", "grid-2", "grid-3")
FRESH_SET = "blind-d"
FRESH_TUNING_SHARE = (2, 5)  # two in five of each kind to tuning, the rest locked


def _rows(name: str, folder: Path = FOLDER) -> list[dict]:
    lines = (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _order(row: dict) -> str:
    return hashlib.sha256(row["id"].encode()).hexdigest()


def split() -> dict[str, list[dict]]:
    parts: dict[str, list[dict]] = {"cv": _rows("blind-a"), "locked": _rows("blind-b")}
    for name in GRID:
        rows = sorted(_rows(name), key=lambda row: row["kind"])
        for _kind, group in groupby(rows, key=lambda row: row["kind"]):
            for position, row in enumerate(sorted(group, key=_order)):
                parts["cv" if position % 2 == 0 else "locked"].append(row)
    return _labelled(parts)


def split_fresh() -> dict[str, list[dict]]:
    """Set D in two parts within each kind, in hash order: `d-cv` tunes, `d-locked` measures."""
    tuning, every = FRESH_TUNING_SHARE
    parts: dict[str, list[dict]] = {"d-cv": [], "d-locked": []}
    rows = sorted(_rows(FRESH_SET, FRESH), key=lambda row: row["kind"])
    for _kind, group in groupby(rows, key=lambda row: row["kind"]):
        for position, row in enumerate(sorted(group, key=_order)):
            parts["d-cv" if position % every < tuning else "d-locked"].append(row)
    return _labelled(parts)


def _labelled(parts: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {
        part: [row | {"split": part} for row in sorted(rows, key=lambda row: row["id"])]
        for part, rows in parts.items()
    }


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def main() -> None:
    for folder, parts in ((FOLDER, split()), (FRESH, split_fresh())):
        for part, rows in parts.items():
            (folder / f"{part}.jsonl").write_text(render(rows), encoding="utf-8")
            print(f"{part}: {len(rows)} questions", file=sys.stderr)


if __name__ == "__main__":
    main()
