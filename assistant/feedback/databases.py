"""Where the question log and the votes live: a SQLite file, or PostgreSQL for several servers.

Both speak the same small SQL (`?` placeholders, ISO-8601 UTC text for times, JSON text for
lists), so `store` writes one query for both. SQLite runs in WAL mode with a busy timeout, so
concurrent writers wait instead of failing; PostgreSQL is reached through a psycopg pool, and
when it is down or hangs every call gives up within about two seconds (the chat's rows are
written in the background anyway: see `question_log`).
Does not decide what is stored: see `store`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from assistant.errors import AssistantError

Row = dict[str, Any]
Statement = tuple[str, Sequence[object]]

BUSY_TIMEOUT_S = 5.0
# How long a PostgreSQL call may wait to connect before it is counted as a failure.
CONNECT_TIMEOUT_S = 1.0
# How long it may wait for one of the pool's connections when all are busy.
POOL_WAIT_S = 2.0
# After PostgreSQL fails to answer, calls fail at once for this long instead of each waiting.
RETRY_AFTER_S = 5.0


class DatabaseError(Exception):
    """The database could not be reached or refused a write (the chat goes on without it)."""


class Database(Protocol):
    where: str  # for messages: a path, or a URL without its password

    def write(self, statements: Sequence[Statement], *, exclusive: bool = False) -> list[int]:
        """Run statements in one transaction; return each one's row count."""
        ...

    def read(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]: ...

    def close(self) -> None: ...


class SQLiteDatabase:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self._lock = threading.Lock()  # one writer per process; WAL handles other processes
        self._wal = False

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (sqlite3.Error, OSError) as error:
            raise DatabaseError(str(error)) from None
        try:
            if not self._wal:
                connection.execute("PRAGMA journal_mode=WAL")
                self._wal = True
            connection.row_factory = sqlite3.Row
            yield connection
        except (sqlite3.Error, OSError) as error:
            raise DatabaseError(str(error)) from None
        finally:
            connection.close()

    def write(self, statements: Sequence[Statement], *, exclusive: bool = False) -> list[int]:
        with self._lock, self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")  # take the write lock now, not mid-way
            try:
                counts = [connection.execute(sql, tuple(p)).rowcount for sql, p in statements]
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            return counts

    def read(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]:
        with self._connection() as connection:
            return [dict(row) for row in connection.execute(sql, tuple(parameters))]

    def close(self) -> None:
        pass


class PostgresDatabase:
    def __init__(self, url: str) -> None:
        from psycopg_pool import ConnectionPool

        # The pool retries in the background and says so at every attempt; `store` reports
        # failures itself, once a minute.
        logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
        parts = urlsplit(url)
        self.where = f"{parts.scheme}://{parts.hostname or ''}:{parts.port or 5432}{parts.path}"
        self._pool = ConnectionPool(
            url,
            min_size=0,  # no connection is kept open while nobody asks
            max_size=8,
            timeout=POOL_WAIT_S,
            # A database that stops answering (dropped packets, not refused connections) must
            # not hold a reply for the TCP timeout (minutes): every call gives up within 2 s.
            kwargs={
                "connect_timeout": max(1, round(CONNECT_TIMEOUT_S)),
                "tcp_user_timeout": 2000,
                "keepalives_idle": 10,
                "options": "-c statement_timeout=2000",
            },
            check=ConnectionPool.check_connection,
            open=True,
        )
        self._down_until = 0.0

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        import psycopg
        import psycopg_pool

        if time.monotonic() < self._down_until:
            raise DatabaseError("PostgreSQL did not answer a moment ago; not trying again yet")
        try:
            with self._pool.connection() as connection:
                yield connection
        except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
            self._down_until = time.monotonic() + RETRY_AFTER_S
            raise DatabaseError(_summary(error)) from None
        except psycopg.Error as error:
            raise DatabaseError(_summary(error)) from None

    def write(self, statements: Sequence[Statement], *, exclusive: bool = False) -> list[int]:
        with self._connection() as connection, connection.transaction():
            if exclusive:  # servers starting together migrate one at a time
                connection.execute("SELECT pg_advisory_xact_lock(7007)")
            return [
                connection.execute(_placeholders(sql), tuple(p)).rowcount for sql, p in statements
            ]

    def read(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]:
        from psycopg.rows import dict_row

        with self._connection() as connection, connection.cursor(row_factory=dict_row) as cursor:
            return list(cursor.execute(_placeholders(sql), tuple(parameters)))

    def close(self) -> None:
        self._pool.close()


def _summary(error: Exception) -> str:
    """The error's first line: PostgreSQL's DETAIL can quote a row, that is, a question."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _placeholders(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


def open_database(url: str | None, sqlite_path: Path) -> Database:
    """Open PostgreSQL if `url` is a postgresql:// URL, else the SQLite file."""
    if url:
        if urlsplit(url).scheme not in ("postgresql", "postgres"):
            raise AssistantError(
                f"ASSISTANT_DATABASE_URL must be a postgresql://user:password@host/database URL; "
                f"it starts with {url.split(':')[0]!r}. Unset it to use the SQLite file."
            )
        return PostgresDatabase(url)
    return SQLiteDatabase(sqlite_path)
