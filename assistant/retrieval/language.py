"""Guess the language of a question (ISO 639-1), for the answer's `language` field.

Uses the identifier the index holds (py3langid's model restricted to languages students
plausibly write in), and falls back to English when the text is too short to tell (acronyms,
"And CDEFI?"). Does not translate: retrieval handles other languages with the multilingual
encoder.
"""

from __future__ import annotations

from typing import Any

from assistant.config import FALLBACK_LANGUAGE

# Below this normalised probability the guess is noise (seen on one- or two-word questions).
MIN_CONFIDENCE = 0.5


class LanguageGuesser:
    def __init__(self, identifier: Any) -> None:
        self.identifier = identifier

    def guess(self, text: str) -> str:
        """Return the ISO 639-1 code of `text`'s language, or English when unsure."""
        if sum(ch.isalpha() for ch in text) < 3:
            return FALLBACK_LANGUAGE
        language, confidence = self.identifier.classify(text)
        return str(language) if confidence >= MIN_CONFIDENCE else FALLBACK_LANGUAGE
