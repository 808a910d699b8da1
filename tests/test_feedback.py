"""The store of votes and the question log, on SQLite and on a real PostgreSQL server: kept,
updated, withdrawn, masked, expired, migrated; concurrent writers lose nothing; failures are
logged once a minute and never raised into the chat."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.feedback.databases import DatabaseError
from assistant.feedback.schema import SCHEMA_VERSION
from assistant.feedback.store import (
    LoggedQuestion,
    ShownPassage,
    Store,
    open_store,
)


@pytest.fixture
def passages(assistant):
    return assistant.ask("What is the CDEFI?").passages


def logged(reply_id: str, question: str = "What is the CDEFI?", **changes) -> LoggedQuestion:
    fields = {
        "reply_id": reply_id,
        "asked_at": datetime.now(UTC),
        "door": "api",
        "outcome": "answered",
        "language": "en",
        "question": question,
        "passages": (ShownPassage("policy.md", "International policy", "Networks", 10, 90, 0.8),),
        "seconds": 0.05,
    } | changes
    return LoggedQuestion(**fields)


def test_a_vote_is_stored_changed_and_withdrawn(store, passages):
    assert store.record("r1", "What is the CDEFI?", passages, "up")
    assert store.record("r1", "What is the CDEFI?", passages, "down")
    [vote] = store.votes()
    assert vote["vote"] == "down" and vote["reply_id"] == "r1"
    assert vote["passages"][0] == {
        "source": passages[0].source,
        "start": passages[0].start,
        "end": passages[0].end,
        "section": passages[0].section,
    }
    assert store.record("r1", "What is the CDEFI?", passages, None)
    assert store.votes() == []


def test_a_logged_question_comes_back_masked_with_its_vote(store):
    question = "I am jean.dupont@etu.insa-lyon.fr, tel 06 12 34 56 78: what is the CDEFI?"
    assert store.log_question(logged("a1", question))
    assert store.vote_on_logged("a1", "down") is True
    [row] = store.questions()
    assert row["question"] == "I am [email], tel [phone]: what is the CDEFI?"
    assert row["vote"] == "down" and row["door"] == "api" and row["outcome"] == "answered"
    assert row["passages"] == [
        {
            "source": "policy.md",
            "title": "International policy",
            "section": "Networks",
            "start": 10,
            "end": 90,
            "score": 0.8,
        }
    ]
    [vote] = store.votes()
    assert vote["question"] == row["question"]  # the vote keeps the masked question too


def test_a_vote_on_an_unknown_reply_is_refused(store):
    assert store.vote_on_logged("nope", "up") is None
    assert store.vote_on_logged("nope", None) is None
    assert store.votes() == []


def test_votes_keep_masked_questions_too(store, passages):
    assert store.record("r1", "my INE is 1234567890A, what is the CDEFI?", passages, "up")
    assert store.votes()[0]["question"] == "my INE is [student-id], what is the CDEFI?"


def test_questions_since_a_date_and_forget_before_one(store):
    now = datetime.now(UTC)
    for days in (100, 40, 2):
        store.log_question(logged(f"q{days}", asked_at=now - timedelta(days=days)))
    assert [r["reply_id"] for r in store.questions(now - timedelta(days=50))] == ["q40", "q2"]
    assert store.forget(now - timedelta(days=50)) == (1, 0)
    assert store.expire(keep_days=30) == (1, 0)
    assert [r["reply_id"] for r in store.questions()] == ["q2"]


def test_the_schema_version_is_recorded_and_migration_is_idempotent(store):
    assert store.migrate() == SCHEMA_VERSION
    again = Store(store.database)  # another server starting on the same database
    assert again.migrate() == SCHEMA_VERSION
    rows = store.database.read("SELECT version FROM schema_version")
    assert rows == [{"version": SCHEMA_VERSION}]


def test_a_first_release_votes_file_is_migrated_with_its_votes(tmp_path):
    path = tmp_path / "votes.sqlite3"
    with sqlite3.connect(path) as old:  # what the first release created: votes, no version
        old.execute(
            "CREATE TABLE votes (reply_id TEXT PRIMARY KEY, question TEXT NOT NULL, passages "
            "TEXT NOT NULL, vote TEXT NOT NULL CHECK (vote IN ('up', 'down')), voted_at TEXT "
            "NOT NULL)"
        )
        old.execute(
            "INSERT INTO votes VALUES ('old', 'mail me at a.b@c.fr', '[]', 'up', "
            "'2026-11-01T10:00:00')"
        )
    store = open_store(None, path)
    assert store.migrate() == SCHEMA_VERSION
    assert [(v["reply_id"], v["question"]) for v in store.votes()] == [
        ("old", "mail me at [email]")
    ]
    assert store.log_question(logged("new"))


def test_a_newer_schema_is_refused_not_damaged(store):
    store.migrate()
    store.database.write([("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))])
    with pytest.raises(DatabaseError, match="newer than this program"):
        Store(store.database).migrate()


def test_concurrent_writers_lose_nothing(store, passages):
    stores = [Store(store.database) for _ in range(4)]  # like 4 server threads or processes

    def write(worker: int) -> None:
        for n in range(25):
            assert stores[worker].log_question(logged(f"{worker}-{n}"))
            assert stores[worker].record(f"{worker}-{n}", "q", passages, "up")

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.votes()) == 100
    assert len(store.questions()) == 100


def test_sqlite_database_is_in_wal_mode(tmp_path, passages):
    store = open_store(None, tmp_path / "votes.sqlite3")
    store.record("r1", "q", passages, "up")
    with sqlite3.connect(tmp_path / "votes.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("where", ["full disk", "unopenable file", "closed port"])
def test_a_failing_database_is_logged_once_a_minute_not_raised(tmp_path, passages, caplog, where):
    if where == "full disk":
        store = open_store(None, Path("/dev/full"))  # every write: "database or disk is full"
    elif where == "unopenable file":
        (tmp_path / "votes.sqlite3").mkdir()  # a folder where the file should be
        store = open_store(None, tmp_path / "votes.sqlite3")
    else:
        store = open_store("postgresql://postgres@127.0.0.1:9/none", tmp_path / "unused")
    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        for n in range(20):
            assert not store.log_question(logged(f"q{n}"))
            assert not store.record(f"q{n}", "q", passages, "up")
    store.close()
    reports = [r for r in caplog.records if "not stored" in r.getMessage()]
    assert len(reports) == 1, "forty failures in a few seconds make one log line"
    assert time.monotonic() - started < 10, "a database that is down does not hold replies"


def test_locked_sqlite_database_is_logged_not_raised(tmp_path, passages, caplog, monkeypatch):
    monkeypatch.setattr("assistant.feedback.databases.BUSY_TIMEOUT_S", 0.2)
    store = open_store(None, tmp_path / "votes.sqlite3")
    assert store.record("r1", "q", passages, "up")
    blocker = sqlite3.connect(tmp_path / "votes.sqlite3")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.ERROR):
            assert not store.record("r2", "q", passages, "down")
        assert "locked" in caplog.text
    finally:
        blocker.rollback()
        blocker.close()
    assert store.record("r2", "q", passages, "down")
    assert [v["reply_id"] for v in store.votes()] == ["r1", "r2"]


def test_an_unknown_vote_is_a_programming_error(tmp_path, passages):
    with pytest.raises(ValueError, match="vote must be"):
        open_store(None, tmp_path / "v.sqlite3").record("r", "q", passages, "meh")


def test_a_database_url_that_is_not_postgresql_is_refused(tmp_path):
    from assistant.errors import AssistantError

    with pytest.raises(AssistantError, match="postgresql://"):
        open_store("mysql://db/x", tmp_path / "unused")
