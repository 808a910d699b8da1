"""Turn the store's rows into the report in one of its formats: html, json or csv.

Shared by `report` (terminal) and `/admin` (live). Does not open the store: the caller does.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from assistant.documents.chunking import Chunk
from assistant.feedback.store import Store
from assistant.indexing.encoders.base import Encoder
from assistant.report.html import Action, report_html
from assistant.report.summary import summarize

FORMATS = ("html", "json", "csv")
CSV_COLUMNS = ("asked_at", "door", "outcome", "language", "question", "vote", "seconds", "passages")


def render(
    store: Store,
    chunks: Sequence[Chunk],
    encoder: Encoder,
    since: datetime,
    fmt: str,
    act: Action | None = None,
) -> tuple[str, int]:
    """Return the report as text, and how many questions it covers (DatabaseError if down)."""
    questions = store.questions(since)
    if fmt == "csv":
        return questions_csv(questions), len(questions)
    summary = summarize(questions, store.votes(), chunks, encoder, since)
    if fmt == "json":
        return json.dumps(summary, ensure_ascii=False, indent=1), len(questions)
    return report_html(summary, act), len(questions)


def questions_csv(questions: Sequence[dict[str, Any]]) -> str:
    """One row per logged question, with its vote and the passages shown (source:start-end)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in questions:
        places = " ".join(f"{p['source']}:{p['start']}-{p['end']}" for p in row["passages"])
        writer.writerow([*(_cell(row[c]) for c in CSV_COLUMNS[:-1]), places])
    return buffer.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell starting with = + - @ as a formula: a question is data.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
