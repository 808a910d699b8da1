"""Evaluation cases: reading a JSON Lines set, and matching a passage against gold phrases.

A passage is a hit when its text contains a gold phrase, compared case- and
whitespace-insensitively with curly quotes folded and footnote marks ignored. What a case
expects follows from its gold and kind: gold phrases → an answer; kind "chat" → conversation;
no gold otherwise → no answer (related or not covered both count).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.documents.chunking import plain
from assistant.errors import AssistantError

_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})
CONVERSATION_KIND = "chat"


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    lang: str
    question: str
    gold: tuple[str, ...]
    history: tuple[str, ...] = ()
    split: str = "tune"

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    @property
    def conversation(self) -> bool:
        return self.kind == CONVERSATION_KIND


def normalise(text: str) -> str:
    return " ".join(plain(text).translate(_FOLD).casefold().split())


def contains_gold(text: str, gold: Iterable[str]) -> bool:
    haystack = normalise(text)
    return any(normalise(phrase) in haystack for phrase in gold)


def read_eval_set(path: Path) -> list[Case]:
    """Read cases: {"id", "kind", "lang", "q", "gold", optional "history" and "split"}."""
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise AssistantError(f"Cannot read the evaluation set {path}: {error}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cases.append(
                Case(
                    str(raw["id"]),
                    raw["kind"],
                    raw.get("lang", "en"),
                    raw["q"],
                    tuple(raw["gold"]),
                    tuple(raw.get("history", ())),
                    raw.get("split", "tune"),
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise AssistantError(
                f"{path}: line {number}: not an evaluation case ({error})."
            ) from None
    return cases
