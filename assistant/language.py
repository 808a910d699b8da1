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


NAMES = {
    "ar": "Arabic",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}


def language_notice(language: str) -> str | None:
    """Say, for a question not in English, that it was understood and which text rules."""
    if language == FALLBACK:
        return None
    name = NAMES.get(language, f"language '{language}'")
    return (
        f"Your question was understood as {name}. The passages are quoted from the policy "
        "in English, which is the authoritative text."
    )
