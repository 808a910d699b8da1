"""Answer a visitor's question and log it: every door (chat, embed, API) asks through here.

`QuestionLog.ask` times `Assistant.ask`, gives the reply an id (votes join on it), and stores a
`LoggedQuestion` with personal data masked (see `privacy`). Switched off, it only answers.
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
from datetime import UTC, datetime

from assistant.answer import Answer, Assistant
from assistant.feedback.databases import DatabaseError
from assistant.feedback.store import LoggedQuestion, ShownPassage, Store

log = logging.getLogger(__name__)

DAY_S = 24 * 3600


class QuestionLog:
    def __init__(self, assistant: Assistant, store: Store | None, keep_days: int) -> None:
        """Log into `store`, or with `store=None`, answer without logging anything."""
        self.assistant = assistant
        self.store = store
        self.keep_days = keep_days

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def ask(self, question: str, history: Sequence[str], top_k: int, door: str) -> Answer:
        """Answer `question` (QuestionError if it is not one) and log it under a new reply id."""
        started = time.perf_counter()
        asked_at = datetime.now(UTC)
        answer = self.assistant.ask(question, history, top_k)
        answer = dataclasses.replace(answer, reply_id=uuid.uuid4().hex)
        if self.store is not None:
            self.store.log_question(
                LoggedQuestion(
                    reply_id=str(answer.reply_id),
                    asked_at=asked_at,
                    door=door,
                    outcome=answer.outcome,
                    language=answer.language,
                    question=answer.question,
                    passages=tuple(ShownPassage.of(p) for p in answer.passages or answer.related),
                    seconds=time.perf_counter() - started,
                )
            )
        return answer


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
