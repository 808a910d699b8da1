"""The question log's schema: each migration moves it one version up.

A new database runs them all; `Store.migrate` runs those it lacks and records the version.
Every step is idempotent (`IF NOT EXISTS`), so two servers starting at once on one database
cannot trip over each other. Does not run anything: see `store`.
"""

from __future__ import annotations

# Each entry moves the schema one version up; a new database runs them all. Version 1 is the
# votes table as the first release created it (with no version recorded).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE IF NOT EXISTS votes (
            reply_id TEXT PRIMARY KEY,
            question TEXT NOT NULL,
            passages TEXT NOT NULL,
            vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
            voted_at TEXT NOT NULL
        )""",
    ),
    (
        """CREATE TABLE IF NOT EXISTS questions (
            reply_id TEXT PRIMARY KEY,
            asked_at TEXT NOT NULL,
            door TEXT NOT NULL,
            outcome TEXT NOT NULL,
            language TEXT NOT NULL,
            question TEXT NOT NULL,
            passages TEXT NOT NULL,
            seconds REAL NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at)",
        "CREATE INDEX IF NOT EXISTS votes_voted_at ON votes (voted_at)",
    ),
    (  # which pin or redirect decided a reply: a table of its own, so the step is idempotent
        """CREATE TABLE IF NOT EXISTS curated_replies (
            reply_id TEXT PRIMARY KEY,
            entry TEXT NOT NULL,
            asked_at TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS curated_replies_asked_at ON curated_replies (asked_at)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
MASKED_SINCE = 2  # the version from which every stored question is masked
