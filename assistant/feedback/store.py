"""Keep the question log and the votes, and never let a failure reach the visitor.

One row per question asked (`LoggedQuestion`: when, through which door, the outcome, the
language, the question with personal data masked, the passages shown, the time it took) and
one per vote, joined on the reply id. No IP address, user agent, cookie or session is stored.
The schema is created, and migrated, when the store is first used; its version is recorded.
A failed write is reported as `False` and logged at most once a minute, so a database that
went away costs one log line a minute, not one per question. Does not answer questions
(`assistant.answer`) nor summarise them (`assistant.report`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.answer import Passage
from assistant.feedback.databases import Database, DatabaseError, Row, open_database
from assistant.feedback.privacy import mask
from assistant.feedback.schema import MASKED_SINCE, MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

VOTES = ("up", "down")
FAILURE_LOG_INTERVAL_S = 60.0


@dataclass(frozen=True)
class ShownPassage:
    """A passage as the log keeps it: where its words are, not the words themselves."""

    source: str
    title: str
    section: str
    start: int
    end: int
    score: float

    @classmethod
    def of(cls, passage: Passage) -> ShownPassage:
        return cls(
            passage.source,
            passage.title,
            passage.section,
            passage.start,
            passage.end,
            passage.score,
        )


@dataclass(frozen=True)
class LoggedQuestion:
    reply_id: str
    asked_at: datetime
    door: str
    outcome: str
    language: str
    question: str  # masked before it is stored
    passages: tuple[ShownPassage, ...]
    seconds: float
    curated_by: str | None = None  # the pin or redirect that decided the reply


def timestamp(moment: datetime) -> str:
    """Write a moment as sortable UTC text, the same in SQLite and PostgreSQL."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class Store:
    """The question log and the votes in one database; every write fails softly."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._migrated = False
        self._migrating = threading.Lock()
        self._failures = 0
        self._last_failure_log = -FAILURE_LOG_INTERVAL_S

    @property
    def where(self) -> str:
        return self.database.where

    def migrate(self) -> int:
        """Create or upgrade the schema; return its version (raises DatabaseError)."""
        with self._migrating:
            if not self._migrated:
                version = self._migrate()
                self._migrated = True
                return version
        return SCHEMA_VERSION

    def _migrate(self) -> int:
        self.database.write(
            [("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", ())],
            exclusive=True,
        )
        rows = self.database.read("SELECT MAX(version) AS version FROM schema_version")
        current = rows[0]["version"] or 0
        if current > SCHEMA_VERSION:
            raise DatabaseError(
                f"{self.where} has schema version {current}, newer than this program's "
                f"{SCHEMA_VERSION}: update the assistant"
            )
        if current < SCHEMA_VERSION:
            steps = [(sql, ()) for migration in MIGRATIONS[current:] for sql in migration]
            self.database.write(steps, exclusive=True)
            masking: list[tuple[str, Sequence[object]]] = []
            if current < MASKED_SINCE:  # votes from before masking hold questions as typed
                votes = self.database.read("SELECT reply_id, question FROM votes")
                masking = [
                    (
                        "UPDATE votes SET question = ? WHERE reply_id = ?",
                        (mask(v["question"]), v["reply_id"]),
                    )
                    for v in votes
                    if mask(v["question"]) != v["question"]
                ]
            self.database.write(
                [
                    *masking,
                    ("DELETE FROM schema_version", ()),
                    ("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,)),
                ],
                exclusive=True,
            )
        return SCHEMA_VERSION

    def _write(self, statements: Sequence[tuple[str, Sequence[object]]]) -> list[int] | None:
        try:
            self.migrate()
            return self.database.write(statements)
        except DatabaseError as error:
            self._failed(error)
            return None

    def _failed(self, error: DatabaseError) -> None:
        self._failures += 1
        now = time.monotonic()
        if now - self._last_failure_log >= FAILURE_LOG_INTERVAL_S:
            log.error(
                "question log and votes not stored in %s (%d failure(s) since the last report): %s",
                self.where,
                self._failures,
                error,
            )
            self._last_failure_log = now
            self._failures = 0

    def log_question(self, entry: LoggedQuestion) -> bool:
        """Store one asked question; return False if it could not be stored."""
        passages = json.dumps([asdict(p) for p in entry.passages], ensure_ascii=False)
        row = (
            entry.reply_id,
            timestamp(entry.asked_at),
            entry.door,
            entry.outcome,
            entry.language,
            mask(entry.question),
            passages,
            round(entry.seconds, 4),
        )
        statements: list[tuple[str, Sequence[object]]] = [
            ("INSERT INTO questions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
        ]
        if entry.curated_by:
            statements.append(
                (
                    "INSERT INTO curated_replies VALUES (?, ?, ?)",
                    (entry.reply_id, entry.curated_by, row[1]),
                )
            )
        return self._write(statements) is not None

    def curated_counts(self) -> dict[str, int]:
        """How many logged replies each pin or redirect decided (raises DatabaseError)."""
        self.migrate()
        rows = self.database.read(
            "SELECT entry, COUNT(*) AS replies FROM curated_replies GROUP BY entry"
        )
        return {row["entry"]: int(row["replies"]) for row in rows}

    def record(
        self, reply_id: str, question: str, passages: Sequence[Passage], vote: str | None
    ) -> bool:
        """Save (or with `None`, withdraw) a vote; return False if it could not be stored."""
        _check_vote(vote)
        if vote is None:
            return self._write([("DELETE FROM votes WHERE reply_id = ?", (reply_id,))]) is not None
        shown = json.dumps([_where(p) for p in passages], ensure_ascii=False)
        upsert = (
            "INSERT INTO votes VALUES (?, ?, ?, ?, ?) ON CONFLICT (reply_id) "
            "DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at"
        )
        row = (reply_id, mask(question), shown, vote, timestamp(datetime.now(UTC)))
        return self._write([(upsert, row)]) is not None

    def vote_on_logged(self, reply_id: str, vote: str | None) -> bool | None:
        """Vote on a reply from the question log (any server's); None if no such reply."""
        _check_vote(vote)
        known = ("SELECT reply_id FROM questions WHERE reply_id = ?", (reply_id,))
        if vote is None:
            counts = self._write([("DELETE FROM votes WHERE reply_id = ?", (reply_id,))])
            if counts is None:
                return False
            try:
                return True if counts[0] or self.database.read(*known) else None
            except DatabaseError as error:
                self._failed(error)
                return False
        copy = (
            "INSERT INTO votes SELECT reply_id, question, passages, ?, ? FROM questions "
            "WHERE reply_id = ? ON CONFLICT (reply_id) "
            "DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at"
        )
        counts = self._write([(copy, (vote, timestamp(datetime.now(UTC)), reply_id))])
        if counts is None:
            return False
        return True if counts[0] else None

    def votes(self) -> list[Row]:
        """Return every stored vote, oldest first (raises DatabaseError)."""
        self.migrate()
        rows = self.database.read("SELECT * FROM votes ORDER BY voted_at, reply_id")
        return [row | {"passages": json.loads(row["passages"])} for row in rows]

    def questions(self, since: datetime | None = None) -> list[Row]:
        """Return the logged questions asked since `since`, oldest first, with their vote."""
        self.migrate()
        rows = self.database.read(
            "SELECT q.*, v.vote FROM questions q LEFT JOIN votes v ON v.reply_id = q.reply_id "
            "WHERE q.asked_at >= ? ORDER BY q.asked_at, q.reply_id",
            (timestamp(since or datetime(1970, 1, 1, tzinfo=UTC)),),
        )
        return [row | {"passages": json.loads(row["passages"])} for row in rows]

    def forget(self, before: datetime) -> tuple[int, int]:
        """Delete questions asked and votes cast before `before`; return both counts."""
        self.migrate()
        cutoff = timestamp(before)
        # a vote holds its question too: it goes with the question, whenever it was cast
        votes, questions = self.database.write(
            [
                (
                    "DELETE FROM votes WHERE voted_at < ? OR reply_id IN "
                    "(SELECT reply_id FROM questions WHERE asked_at < ?)",
                    (cutoff, cutoff),
                ),
                ("DELETE FROM questions WHERE asked_at < ?", (cutoff,)),
                ("DELETE FROM curated_replies WHERE asked_at < ?", (cutoff,)),
            ]
        )[:2]
        return questions, votes

    def expire(self, keep_days: int) -> tuple[int, int]:
        """Delete what is older than `keep_days` days (the retention promise)."""
        return self.forget(datetime.now(UTC) - timedelta(days=keep_days))

    def close(self) -> None:
        self.database.close()


def _check_vote(vote: str | None) -> None:
    if vote is not None and vote not in VOTES:
        raise ValueError(f"vote must be one of {VOTES} or None, not {vote!r}")


def _where(passage: Passage) -> dict[str, Any]:
    """Describe a passage by where it is, so a vote can be traced to the exact words."""
    return {
        "source": passage.source,
        "start": passage.start,
        "end": passage.end,
        "section": passage.section,
    }


def open_store(database_url: str | None, sqlite_path: Path) -> Store:
    """Open the store `serve` and `report` share: PostgreSQL if a URL is given, else SQLite."""
    return Store(open_database(database_url, sqlite_path))
