"""Check what a caller asks before anything is searched: the question, the history, top_k.

Each check returns the cleaned value or raises `QuestionError` (or a subclass the chat can
translate) with a reason and what to do. Does not answer: see `answer`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from assistant.config import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, MAX_TOP_K
from assistant.errors import EmptyQuestion, QuestionError, QuestionTooLong


def clean_question(question: object) -> str:
    """Validate a question; strip control characters; raise `QuestionError` with a reason."""
    if not isinstance(question, str):
        raise QuestionError("The question must be text.")
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d" else ch
        for ch in question
    )
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise EmptyQuestion(
            "The question is empty. Type a question about the international policy."
        )
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionTooLong(
            f"The question is {len(cleaned):,} characters long; the limit is "
            f"{MAX_QUESTION_CHARS:,}. Shorten it to one question.",
            len(cleaned),
            MAX_QUESTION_CHARS,
        )
    return cleaned


def clean_history(history: object) -> tuple[str, ...]:
    if isinstance(history, str) or not isinstance(history, Sequence):
        raise QuestionError("history must be a list of earlier questions (strings).")
    turns = []
    for turn in history:
        try:
            turns.append(clean_question(turn))
        except QuestionError as error:
            if isinstance(turn, str) and len(turn) <= MAX_QUESTION_CHARS:
                continue  # an empty earlier turn says nothing; skip it
            raise QuestionError(f"history: {error}") from None
    return tuple(turns[-MAX_HISTORY_TURNS:])  # only the recent turns can matter to a follow-up


def clean_top_k(top_k: object) -> int:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise QuestionError(f"top_k must be a whole number from 1 to {MAX_TOP_K}.")
    return top_k
