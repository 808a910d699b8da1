"""Summarise the question log and the votes into what the office wants to know.

`summarize` returns one JSON-ready dict (the `report --format json` object): questions per day
by outcome, the answered share, languages, doors, what the policy could not answer grouped into
topics, disliked replies with what was shown, the passages shown most and never, and the
newest questions. Does not read the database (`feedback.store`) nor draw anything (`html`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from assistant.answer import CONVERSATION, OUTCOMES
from assistant.documents.chunking import Chunk
from assistant.indexing.encoders.base import Encoder
from assistant.report.topics import group_topics
from assistant.retrieval.scope import ANSWERED, NOT_COVERED, RELATED

# The questions the policy could not answer: nothing in it (not covered), or only close
# passages (related). Conversation ("hello") is not a need.
NOT_ANSWERED = (RELATED, NOT_COVERED)
MOST_SHOWN = 10
RECENT = 200  # the newest questions, listed whole
RECENT_FIELDS = ("asked_at", "door", "language", "outcome", "vote", "question")
EXCERPT_CHARS = 160

Row = dict[str, Any]
Place = tuple[str, int, int]  # a passage's source, start and end


def summarize(
    questions: Sequence[Row],
    votes: Sequence[Row],
    chunks: Sequence[Chunk],
    encoder: Encoder,
    since: datetime,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Summarise the rows of `Store.questions(since)` and `Store.votes()` over the corpus."""
    until = until or datetime.now(UTC)
    outcomes = Counter(row["outcome"] for row in questions)
    unanswered = [row["question"] for row in questions if row["outcome"] in NOT_ANSWERED]
    by_place = {(c.source, c.start, c.end): c for c in chunks}
    return {
        "since": since.isoformat(timespec="seconds"),
        "until": until.isoformat(timespec="seconds"),
        "questions": len(questions),
        "outcomes": {outcome: outcomes.get(outcome, 0) for outcome in OUTCOMES},
        "answered_share": _share(outcomes[ANSWERED], len(questions) - outcomes[CONVERSATION]),
        "days": _days(questions, since.date(), until.date()),
        "languages": dict(Counter(row["language"] for row in questions).most_common()),
        "doors": dict(Counter(row["door"] for row in questions).most_common()),
        "median_seconds": round(median(row["seconds"] for row in questions), 3)
        if questions
        else None,
        "votes": dict(Counter(vote["vote"] for vote in _since(votes, since))),
        "not_answered": [
            {"label": topic.label, "count": topic.count, "examples": list(topic.examples)}
            for topic in group_topics(unanswered, encoder)
        ],
        "disliked": _disliked(votes, since, by_place),
        "passages": _passages(questions, by_place),
        "recent": [
            {key: row[key] for key in RECENT_FIELDS}
            for row in sorted(questions, key=lambda row: row["asked_at"], reverse=True)[:RECENT]
        ],
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _days(questions: Sequence[Row], first: date, last: date) -> list[dict[str, Any]]:
    """One entry per day from `first` to `last`, days without questions included."""
    per_day: dict[str, Counter[str]] = {}
    for row in questions:
        per_day.setdefault(row["asked_at"][:10], Counter())[row["outcome"]] += 1
    days = []
    day = first
    while day <= last:
        counts = per_day.get(day.isoformat(), Counter())
        asked = sum(counts.values())
        days.append(
            {
                "date": day.isoformat(),
                "questions": asked,
                "outcomes": {outcome: counts.get(outcome, 0) for outcome in OUTCOMES},
                "answered_share": _share(counts[ANSWERED], asked - counts[CONVERSATION]),
            }
        )
        day += timedelta(days=1)
    return days


def _since(votes: Sequence[Row], since: datetime) -> list[Row]:
    cutoff = since.astimezone(UTC).isoformat(timespec="milliseconds")
    return [vote for vote in votes if vote["voted_at"] >= cutoff]


def _disliked(votes: Sequence[Row], since: datetime, by_place: Mapping[Place, Chunk]) -> list[Row]:
    """Thumbs-down replies, newest first, each with the question and the passages shown."""
    disliked = [vote for vote in _since(votes, since) if vote["vote"] == "down"]
    return [
        {
            "voted_at": vote["voted_at"],
            "question": vote["question"],
            "shown": [_described(p, by_place.get(_place(p))) for p in vote["passages"]],
        }
        for vote in sorted(disliked, key=lambda vote: vote["voted_at"], reverse=True)
    ]


def _place(passage: Row) -> Place:
    return (passage["source"], int(passage["start"]), int(passage["end"]))


def _described(passage: Row, chunk: Chunk | None) -> Row:
    """Where a passage is, and its first words if the corpus still holds it."""
    text = " ".join(chunk.text.split()) if chunk else ""
    excerpt = text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
    return {
        "source": passage["source"],
        "start": int(passage["start"]),
        "end": int(passage["end"]),
        "section": passage.get("section") or (chunk.section if chunk else ""),
        "excerpt": excerpt or "(no longer in the policy)",
    }


def _passages(questions: Sequence[Row], by_place: Mapping[Place, Chunk]) -> dict[str, Any]:
    """The passages shown most often, and the current passages never shown."""
    shown = Counter(_place(p) for row in questions for p in row["passages"])
    most = [
        _described(_row(place), by_place.get(place)) | {"times": times}
        for place, times in shown.most_common(MOST_SHOWN)
    ]
    never = [
        _described(_row(place), chunk) for place, chunk in by_place.items() if place not in shown
    ]
    return {"total": len(by_place), "shown": len(shown), "most_shown": most, "never_shown": never}


def _row(place: Place) -> Row:
    source, start, end = place
    return {"source": source, "start": start, "end": end}
