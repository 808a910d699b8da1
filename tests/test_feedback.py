"""Votes in SQLite: kept, updated, withdrawn; concurrent voters lose nothing; failures are soft."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest

from assistant.feedback.votes import FeedbackStore


@pytest.fixture
def passages(assistant):
    return assistant.ask("What is the CDEFI?").passages


def test_a_vote_is_stored_changed_and_withdrawn(tmp_path, passages):
    store = FeedbackStore(tmp_path / "deep" / "votes.sqlite3")
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


def test_database_is_in_wal_mode(tmp_path, passages):
    store = FeedbackStore(tmp_path / "votes.sqlite3")
    store.record("r1", "q", passages, "up")
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_concurrent_voters_lose_no_vote(tmp_path, passages):
    stores = [FeedbackStore(tmp_path / "votes.sqlite3") for _ in range(4)]  # like 4 processes

    def vote(worker: int) -> None:
        for n in range(50):
            assert stores[worker].record(f"{worker}-{n}", "q", passages, "up")

    threads = [threading.Thread(target=vote, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stores[0].votes()) == 200


@pytest.mark.parametrize("where", ["full disk", "unopenable file"])
def test_a_failing_database_is_logged_not_raised(tmp_path, passages, caplog, where):
    if where == "full disk":
        path = Path("/dev/full")  # every write fails with "database or disk is full"
    else:
        path = tmp_path / "votes.sqlite3"
        path.mkdir()  # a folder where the file should be: cannot be opened
    with caplog.at_level(logging.ERROR):
        assert not FeedbackStore(path).record("r1", "q", passages, "up")
    assert "feedback not stored" in caplog.text


def test_locked_database_is_logged_not_raised(tmp_path, passages, caplog, monkeypatch):
    monkeypatch.setattr("assistant.feedback.votes.BUSY_TIMEOUT_S", 0.2)
    store = FeedbackStore(tmp_path / "votes.sqlite3")
    assert store.record("r1", "q", passages, "up")
    blocker = sqlite3.connect(store.path)
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
        FeedbackStore(tmp_path / "v.sqlite3").record("r", "q", passages, "meh")
