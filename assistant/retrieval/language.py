"""Guess the language of a question (ISO 639-1), for the answer's `language` field.

Uses py3langid's bundled model, restricted to languages students plausibly write in, and
falls back to English when the text is too short to tell (acronyms, "And CDEFI?"). The bundled
model is LZMA-compressed and takes 0.7 s to open, so `build` saves the restricted model's
tables uncompressed next to the index (`save_language_model`) and `load_language_model` maps
them: a few milliseconds, and only the pages a question touches of the 39 MB state table
become resident. Does not translate: retrieval handles other languages with
the multilingual encoder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import IndexProblem
from assistant.indexing.arrays import load_array

LANGUAGES = (
    "ar bg bn ca cs da de el en es et fa fi fr he hi hr hu id it ja ko lt lv ms nl no pl pt ro "
    "ru sk sl sr sv sw th tr uk ur vi zh"
).split()
# Below this normalised probability the guess is noise (seen on one- or two-word questions).
MIN_CONFIDENCE = 0.5
FALLBACK = "en"


TABLES = ("ptc", "pc", "classes", "nextmove", "row", "output")
LANGUAGE_MODEL_FILES = tuple(f"langid.{table}.npy" for table in TABLES)
_loaded: dict[str, Any] = {}  # the identifier in use, loaded once per process


def _bundled_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def save_language_model(folder: Path) -> None:
    """Write the restricted identifier's tables, uncompressed, into `folder`."""
    identifier = _bundled_identifier()
    tables = {
        "ptc": identifier.nb_ptc,
        "pc": identifier.nb_pc,
        "classes": np.array(identifier.nb_classes),
        "nextmove": np.frombuffer(identifier.tk_nextmove, dtype=identifier.tk_nextmove.typecode),
        "row": np.frombuffer(identifier.tk_row, dtype=identifier.tk_row.typecode),
        "output": np.array(identifier.tk_output, dtype=np.int64),
    }
    for table, name in zip(TABLES, LANGUAGE_MODEL_FILES, strict=True):
        np.save(folder / name, tables[table])


def load_language_model(folder: Path | None = None) -> None:
    """Use the identifier saved in `folder` if there is one, else the bundled model."""
    from py3langid.langid import LanguageIdentifier

    if folder is None or not (folder / LANGUAGE_MODEL_FILES[0]).is_file():
        _loaded["identifier"] = _bundled_identifier()
        return
    try:
        t = {
            table: load_array(folder / name, mmap=True)
            for table, name in zip(TABLES, LANGUAGE_MODEL_FILES, strict=True)
        }
        _loaded["identifier"] = LanguageIdentifier(
            t["ptc"],
            np.array(t["pc"]),
            t["classes"].tolist(),
            t["nextmove"],  # walked a byte at a time; mapped, not read
            t["output"].tolist(),
            norm_probs=True,
            tk_row=t["row"].tolist(),  # Python ints: the identifier shifts them by 8 bits
        )
    except (OSError, ValueError, KeyError) as error:
        raise IndexProblem(f"the saved language model cannot be read ({error})") from None


def _identifier() -> Any:
    if "identifier" not in _loaded:
        load_language_model()
    return _loaded["identifier"]


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
