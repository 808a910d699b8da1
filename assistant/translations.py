"""The interface's words in each language, read from `locales/<code>.json`.

One JSON file per language, so a translator edits words without touching code; `en.json` is
the reference and the fallback for anything missing. The interface language is chosen from
the browser's Accept-Language. Does not translate the policy: it is quoted in English, the
authoritative text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from assistant.config import FALLBACK_LANGUAGE

LOCALES = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("en", "fr", "es", "de", "it", "pt", "zh", "ar")


def supported(language: object) -> str:
    """Return `language` if the interface speaks it, else English (whatever a client sent)."""
    return language if isinstance(language, str) and language in LANGUAGES else FALLBACK_LANGUAGE


def words(language: str) -> Mapping[str, Any]:
    """Return the interface strings for `language` (read-only), English filling any gap."""
    return _table(supported(language))


@cache  # at most one entry per supported language: `words` maps anything else to English
def _table(language: str) -> Mapping[str, Any]:
    english = json.loads((LOCALES / f"{FALLBACK_LANGUAGE}.json").read_text(encoding="utf-8"))
    if language == FALLBACK_LANGUAGE:
        return MappingProxyType(english | {"code": FALLBACK_LANGUAGE})
    own = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    languages = english["languages"] | own.get("languages", {})
    return MappingProxyType(english | own | {"languages": languages, "code": language})


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
    return FALLBACK_LANGUAGE


def language_notice(language: str, question_language: str) -> str:
    """Say, in the interface's language, in which language the question was understood."""
    table = words(language)
    name = table["languages"].get(question_language)
    return table["notice"].format(language=name) if name else table["notice_unnamed"]


def outcome_message(language: str, outcome: str, missing: str | None = None) -> str:
    """Say why a question gets no answer (not covered, related, conversation), with examples."""
    table = words(language)
    examples = table["examples_inline"].format(*table["examples"])
    if outcome == "related":
        return str(table["related"].get(missing or "", table["related"]["subject"]))
    return str(table[outcome]).format(examples=examples)
