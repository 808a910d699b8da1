"""One visitor's chat, kept on the server: what the chat shows, and what a vote refers to.

Questions sent in quick succession are answered one after the other, in the order they reach
the server (for one visitor, the order sent; a follow-up is read against the questions before
it), and the chat shows what this object holds rather than what the browser sends back, so no
reply overwrites another. When a later question is already waiting here, an earlier reply is
not sent on its own: the later reply brings every turn, whatever order the browser receives
the two in. Does not answer anything itself: see `chat`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.answer import Passage
from assistant.turns import TurnTaking

MAX_TURNS = 100  # a page keeps its newest hundred turns: memory per visitor stays bounded


@dataclass(frozen=True)
class Turn:
    """A reply as a vote needs it: its id in the question log, its question, what it showed."""

    reply_id: str | None = None  # None: nothing to vote on (an error, a rate limit)
    question: str | None = None
    passages: tuple[Passage, ...] = field(default_factory=tuple)


class Conversation:
    """The turns of one page session, in order, answered one at a time."""

    def __init__(self) -> None:
        self._order = TurnTaking(1)
        self._changing = threading.Lock()
        self._messages: list[dict[str, str]] = []
        self._turns: list[Turn] = []

    def __deepcopy__(self, memo: dict[int, Any]) -> Conversation:
        # gr.State gives each page session a deep copy of its initial value, made once (and
        # then shared by the session's requests, which run in threads at once); a lock cannot
        # be copied, and a new session starts with no turns.
        return Conversation()

    def answer_next(
        self, reply: Callable[[list[str]], tuple[str, str, Turn]]
    ) -> list[dict[str, str]] | None:
        """Append one turn after those asked before it; return every message to show, or None
        when a later question is already waiting (its reply will show this one too).

        `reply(earlier_questions)` returns the question as shown, the reply's HTML and its turn.
        """
        with self._order:
            earlier = [turn.question for turn in self._turns if turn.question]
            shown, html, turn = reply(earlier)
            messages = self._append(shown, html, turn)
            return None if self._order.waiting else messages

    def add_now(self, shown: str, html: str) -> list[dict[str, str]] | None:
        """Append a refusal (an empty question, a spent budget) at once, without waiting for
        the turns before it: it answers nothing, so it need not hold a thread in the queue."""
        messages = self._append(shown, html, Turn())
        return None if self._order.waiting else messages

    def _append(self, shown: str, html: str, turn: Turn) -> list[dict[str, str]]:
        with self._changing:
            self._messages += [
                {"role": "user", "content": shown},
                {"role": "assistant", "content": html},
            ]
            self._turns.append(turn)
            if len(self._turns) > MAX_TURNS:  # the oldest go, from the chat too, so votes align
                del self._turns[: len(self._turns) - MAX_TURNS]
                del self._messages[: len(self._messages) - 2 * MAX_TURNS]
            return list(self._messages)

    def turn_of(self, message_index: int) -> Turn | None:
        """Return the turn a chat message belongs to (user and assistant messages alternate)."""
        with self._changing:
            number = message_index // 2
            return self._turns[number] if 0 <= number < len(self._turns) else None

    def clear(self) -> None:
        """Forget every turn: the visitor emptied the chat, and votes must not misalign."""
        with self._changing:
            self._messages = []
            self._turns = []
