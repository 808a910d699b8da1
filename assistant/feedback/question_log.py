"""Answer a visitor's question and log it: every door (chat, embed, API) asks through here.

`QuestionLog.ask` times `Assistant.ask`, gives the reply an id (votes join on it), and stores a
`LoggedQuestion` with personal data masked (see `privacy`). Switched off, it only answers. The
chat's rows are written by one background thread, so a slow database never delays a reply
(the chat's votes carry their own question); the API's are written before the reply, so a
vote sent to any server right after finds its question.
`Retention` deletes what is older than the promised number of days, at start and daily.
Does not store anything itself: see `store`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from assistant.answer import Answer, Assistant
from assistant.feedback.databases import DatabaseError
from assistant.feedback.store import LoggedQuestion, ShownPassage, Store

log = logging.getLogger(__name__)

DAY_S = 24 * 3600


# Rows waiting for the background writer beyond this are dropped (and counted in the log):
# a database that hangs must not grow the server's memory without bound.
MAX_PENDING = 1000


class QuestionLog:
    """Answer questions and log them into a `Store` (or, switched off, only answer)."""

    def __init__(self, assistant: Assistant, store: Store | None, keep_days: int) -> None:
        self.assistant = assistant
        self.store = store
        self.keep_days = keep_days
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="question-log")
        self._pending = threading.BoundedSemaphore(MAX_PENDING)

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def ask(
        self, question: str, history: Sequence[str], top_k: int, door: str, *, wait: bool = True
    ) -> Answer:
        """Answer `question` (QuestionError if it is not one) and log it under a new reply id;
        with `wait=False` the row is written in the background."""
        started = time.perf_counter()
        asked_at = datetime.now(UTC)
        answer = self.assistant.ask(question, history, top_k)
        answer = dataclasses.replace(answer, reply_id=uuid.uuid4().hex)
        if self.store is not None:
            self._log(
                LoggedQuestion(
                    reply_id=str(answer.reply_id),
                    asked_at=asked_at,
                    door=door,
                    outcome=answer.outcome,
                    language=answer.language,
                    question=answer.question,
                    passages=tuple(ShownPassage.of(p) for p in answer.passages or answer.related),
                    seconds=time.perf_counter() - started,
                    curated_by=answer.curated_by,
                ),
                wait,
            )
        return answer

    def _log(self, entry: LoggedQuestion, wait: bool) -> None:
        assert self.store is not None
        if wait:
            self.store.log_question(entry)
        elif self._pending.acquire(blocking=False):
            self._writer.submit(self._write, entry)
        else:
            log.error(
                "question log: %d rows already wait for the database; one dropped", MAX_PENDING
            )

    def _write(self, entry: LoggedQuestion) -> None:
        try:
            assert self.store is not None
            self.store.log_question(entry)
        finally:
            self._pending.release()

    def close(self) -> None:
        """Write what is waiting, then stop the background writer."""
        self._writer.shutdown(wait=True)


class Retention:
    """Delete log rows and votes older than `keep_days`, now and then once a day."""

    def __init__(self, store: Store, keep_days: int) -> None:
        self.store = store
        self.keep_days = keep_days
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention", daemon=True)

    def start(self) -> Retention:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                questions, votes = self.store.expire(self.keep_days)
                if questions or votes:
                    log.warning(
                        "retention: deleted %d question(s) and %d vote(s) older than %d days",
                        questions,
                        votes,
                        self.keep_days,
                    )
            except DatabaseError as error:
                log.error(
                    "retention: could not delete old questions in %s: %s", self.store.where, error
                )
            self._stopped.wait(DAY_S)
