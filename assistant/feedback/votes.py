"""Store thumbs-up/down votes on chat replies in SQLite, and never let a failure reach the chat.

One row per reply: its id, the question, the passages shown (source and span), the vote and when
it was cast. No IP address, user agent, session or other personal data is stored. WAL mode and a
busy timeout let concurrent voters write without losing a vote; a locked, read-only or full
database is logged and reported as `False`, and the chat keeps answering.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from assistant.answer import Passage

log = logging.getLogger(__name__)

VOTES = ("up", "down")
BUSY_TIMEOUT_S = 5.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS votes (
    reply_id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    passages TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    voted_at TEXT NOT NULL
)
"""


def passages_shown(passages: Sequence[Passage]) -> list[dict[str, object]]:
    """Describe passages by where they are, so a vote can be traced to the exact words."""
    return [
        {"source": p.source, "start": p.start, "end": p.end, "section": p.section} for p in passages
    ]


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # one writer per process; WAL handles other processes
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        if not self._ready:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(_SCHEMA)
            self._ready = True
        return connection

    def record(
        self, reply_id: str, question: str, passages: Sequence[Passage], vote: str | None
    ) -> bool:
        """Save (or with `None`, withdraw) a vote; return False if it could not be stored."""
        if vote is not None and vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES} or None, not {vote!r}")
        try:
            with self._lock:
                connection = self._connect()
                try:
                    with connection:
                        if vote is None:
                            connection.execute("DELETE FROM votes WHERE reply_id = ?", (reply_id,))
                        else:
                            connection.execute(
                                "INSERT INTO votes VALUES (?, ?, ?, ?, ?) ON CONFLICT(reply_id) "
                                "DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                                (
                                    reply_id,
                                    question,
                                    json.dumps(passages_shown(passages), ensure_ascii=False),
                                    vote,
                                    datetime.now(UTC).isoformat(timespec="seconds"),
                                ),
                            )
                finally:
                    connection.close()
        except (sqlite3.Error, OSError) as error:
            log.error("feedback not stored in %s: %s", self.path, error)
            return False
        return True

    def votes(self) -> list[dict[str, object]]:
        """Return every stored vote, oldest first (for the office, and for tests)."""
        connection = self._connect()
        try:
            connection.row_factory = sqlite3.Row
            rows = connection.execute("SELECT * FROM votes ORDER BY voted_at, rowid").fetchall()
        finally:
            connection.close()
        return [dict(row) | {"passages": json.loads(row["passages"])} for row in rows]
