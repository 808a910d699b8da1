"""Guess the language of a question (ISO 639-1), for the answer's `language` field.

Uses py3langid's bundled model, restricted to languages students plausibly write in, and
falls back to English when the text is too short to tell (acronyms, "And CDEFI?").
Does not translate: retrieval handles other languages with the multilingual encoder.
"""

from __future__ import annotations

from functools import cache
from typing import Any

LANGUAGES = (
    "ar bg bn ca cs da de el en es et fa fi fr he hi hr hu id it ja ko lt lv ms nl no pl pt ro "
    "ru sk sl sr sv sw th tr uk ur vi zh"
).split()
# Below this normalised probability the guess is noise (seen on one- or two-word questions).
MIN_CONFIDENCE = 0.5
FALLBACK = "en"


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of `text`'s language, or English when unsure."""
    if sum(ch.isalpha() for ch in text) < 3:
        return FALLBACK
    language, confidence = _identifier().classify(text)
    return str(language) if confidence >= MIN_CONFIDENCE else FALLBACK
