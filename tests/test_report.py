"""The report's parts: topics in any language, the summary's counts, and a page that shows
questions as text, whatever they contain."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from assistant.config import PROJECT_ROOT
from assistant.report.html import report_html
from assistant.report.render import questions_csv
from assistant.report.summary import summarize
from assistant.report.topics import clusters, group_topics

TOPICS = [
    json.loads(line)
    for line in (PROJECT_ROOT / "tests/data/report/topics.jsonl").read_text().splitlines()
]


@pytest.fixture(scope="module")
def encoder(assistant):
    return next(e for e in assistant.index.query_encoders.values() if e.multilingual)


def test_paraphrases_in_several_languages_share_a_topic(encoder):
    questions = [row["question"] for row in TOPICS]
    topics = group_topics(questions, encoder)
    assert sum(topic.count for topic in topics) == len(questions)
    assert all(
        1 <= len(topic.examples) <= 3 and topic.label == topic.examples[0] for topic in topics
    )
    visa = next(t for t in topics if "How do I apply for a student visa?" in t.examples)
    assert "¿Cómo solicito el visado de estudiante?" in visa.examples
    # pairs put in one topic share a topic more often than chance (1 in 6): measured 51 %
    labels = clusters(np.asarray(encoder.encode_queries(questions), dtype=float))
    together = [
        (a, b)
        for a, b in itertools.combinations(range(len(questions)), 2)
        if labels[a] == labels[b]
    ]
    precision = sum(TOPICS[a]["topic"] == TOPICS[b]["topic"] for a, b in together) / len(together)
    assert precision >= 0.4 and len(topics) < len(questions) / 2


def test_no_question_or_one_question_makes_no_topic_or_one(encoder):
    assert group_topics([], encoder) == []
    [topic] = group_topics(["Où dormir ?", "Où dormir ?"], encoder)
    assert topic.count == 2 and topic.examples == ("Où dormir ?",)


def row(reply_id, days_ago, outcome, question, language="en", passages=()):
    asked = datetime.now(UTC) - timedelta(days=days_ago)
    return {
        "reply_id": reply_id,
        "asked_at": asked.isoformat(timespec="milliseconds"),
        "door": "chat",
        "outcome": outcome,
        "language": language,
        "question": question,
        "passages": list(passages),
        "seconds": 0.1,
        "vote": None,
    }


def test_the_summary_counts_days_outcomes_languages_and_passages(assistant, encoder):
    chunk = assistant.index.chunks[3]
    shown = {"source": chunk.source, "start": chunk.start, "end": chunk.end, "section": ""}
    questions = [
        row("a", 2, "answered", "What are the values?", passages=[shown]),
        row("b", 2, "not_covered", "Combien coûte le logement ?", "fr"),
        row("c", 0, "conversation", "hello"),
        row("d", 0, "related", "Who is the director?", passages=[shown]),
    ]
    votes = [
        {
            "reply_id": "d",
            "question": "Who is the director?",
            "passages": [shown],
            "vote": "down",
            "voted_at": datetime.now(UTC).isoformat(),
        }
    ]
    since = datetime.now(UTC) - timedelta(days=6)
    summary = summarize(questions, votes, assistant.index.chunks, encoder, since)
    assert summary["questions"] == 4
    assert summary["outcomes"] == {"answered": 1, "related": 1, "not_covered": 1, "conversation": 1}
    assert summary["answered_share"] == round(1 / 3, 3)  # conversation is left out
    assert len(summary["days"]) == 7 and sum(d["questions"] for d in summary["days"]) == 4
    assert summary["languages"] == {"en": 3, "fr": 1}
    assert sum(t["count"] for t in summary["not_answered"]) == 2
    [disliked] = summary["disliked"]
    assert disliked["question"] == "Who is the director?"
    assert disliked["shown"][0]["excerpt"].startswith(" ".join(chunk.text.split())[:40])
    passages = summary["passages"]
    assert passages["most_shown"][0]["times"] == 2
    assert passages["shown"] == 1 and len(passages["never_shown"]) == passages["total"] - 1


def test_markup_in_questions_is_shown_as_text_in_the_report(assistant, encoder):
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    questions = [row("a", 0, "not_covered", attack)]
    since = datetime.now(UTC) - timedelta(days=1)
    page = report_html(summarize(questions, [], assistant.index.chunks, encoder, since))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_csv_cells_that_a_spreadsheet_would_run_are_disarmed():
    text = questions_csv([row("a", 0, "answered", "=1+1"), row("b", 0, "answered", "@SUM(A1)")])
    assert "'=1+1" in text and "'@SUM(A1)" in text
