"""Check what a caller asks before anything is searched: the question, the history, top_k.

Each check returns the cleaned value or raises `QuestionError` (or a subclass the chat can
translate) with a reason and what to do. Does not answer: see `answer`.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from functools import cache

from assistant.config import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, MAX_TOP_K
from assistant.errors import EmptyQuestion, QuestionError, QuestionTooLong


def is_dropped(ch: str) -> bool:
    """Control, format and separator characters; the zero-width joiner stays (emoji)."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d"


@cache
def not_blank_pattern() -> str:
    """A regex (Python's and Rust's syntax) matching any character a question keeps.

    A question is empty, once cleaned, exactly when it has no such character: the API's schema
    says so with this pattern, derived from the same rule as `clean_question`.
    """
    # Planes 3 to 13 hold no such character (a test checks every code point): scanning the
    # rest takes 0.15 s instead of 0.8.
    points = itertools.chain(range(0x30000), range(0xE0000, 0x110000))
    blank = [c for c in points if is_dropped(chr(c)) or chr(c).isspace()]
    ranges, start = [], blank[0]
    for previous, current in itertools.pairwise([*blank, -1]):
        if current != previous + 1:
            ranges.append((start, previous))
            start = current
    return "[^" + "".join(_escape(a) + ("-" + _escape(b) if b > a else "") for a, b in ranges) + "]"


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def clean_question(question: object) -> str:
    """Validate a question; strip control characters; raise `QuestionError` with a reason."""
    if not isinstance(question, str):
        raise QuestionError("The question must be text.")
    cleaned = " ".join("".join(" " if is_dropped(ch) else ch for ch in question).split())
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
    """Keep the last `MAX_HISTORY_TURNS` non-empty earlier questions, cleaned; older ones are
    not read at all (only the recent turns can matter to a follow-up)."""
    if isinstance(history, str) or not isinstance(history, Sequence):
        raise QuestionError("history must be a list of earlier questions (strings).")
    kept: list[str] = []
    for turn in reversed(history):
        if len(kept) == MAX_HISTORY_TURNS:
            break
        try:
            kept.append(clean_question(turn))
        except EmptyQuestion:
            continue  # an empty earlier turn says nothing; skip it
        except QuestionError as error:
            raise QuestionError(f"history: {error}") from None
    return tuple(reversed(kept))


def clean_top_k(top_k: object) -> int:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise QuestionError(f"top_k must be a whole number from 1 to {MAX_TOP_K}.")
    return top_k
