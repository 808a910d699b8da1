"""The interface's words in each language, read from `locales/<code>.json`.

One JSON file per language, so a translator edits words without touching code; `en.json` is
the reference and the fallback for anything missing. The interface language is chosen from
the browser's Accept-Language. Does not translate the policy: it is quoted in English, the
authoritative text.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LOCALES = Path(__file__).resolve().parent / "locales"
FALLBACK = "en"
LANGUAGES = ("en", "fr", "es", "de", "it", "pt", "zh", "ar")


@cache
def words(language: str) -> dict[str, Any]:
    """Return the interface strings for `language`, English filling any gap."""
    english = json.loads((LOCALES / f"{FALLBACK}.json").read_text(encoding="utf-8"))
    if language not in LANGUAGES or language == FALLBACK:
        return english
    own = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    return english | own | {"languages": english["languages"] | own.get("languages", {})}


def interface_language(accept_language: str) -> str:
    """Pick the interface language from an Accept-Language header (default English)."""
    ranked = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag.strip().lower()[:2]))
    for _, _, language in sorted(ranked):
        if language in LANGUAGES:
            return language
    return FALLBACK


def language_notice(language: str, question_language: str) -> str:
    """Say, in the interface's language, in which language the question was understood."""
    table = words(language)
    name = table["languages"].get(question_language)
    return table["notice"].format(language=name) if name else table["notice_unnamed"]
