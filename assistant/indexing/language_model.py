"""The language identifier's tables in the index folder: py3langid's model, saved uncompressed.

py3langid's bundled model is LZMA-compressed and takes 0.7 s to open, so `build` saves the
identifier, restricted to languages students plausibly write in, as uncompressed tables
(`langid.*.npy`) and `load_language_model` maps them: a few milliseconds, and only the pages a
question touches of the 39 MB state table become resident. Does not guess languages: see
`assistant.retrieval.language`.
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

TABLES = ("ptc", "pc", "classes", "nextmove", "row", "output")
LANGUAGE_MODEL_FILES = tuple(f"langid.{table}.npy" for table in TABLES)


def bundled_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def save_language_model(folder: Path) -> None:
    """Write the restricted identifier's tables, uncompressed, into `folder`."""
    identifier = bundled_identifier()
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


def load_language_model(folder: Path) -> Any:
    """Return the identifier saved in `folder`."""
    from py3langid.langid import LanguageIdentifier

    try:
        t = {
            table: load_array(folder / name, mmap=True)
            for table, name in zip(TABLES, LANGUAGE_MODEL_FILES, strict=True)
        }
        return LanguageIdentifier(
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
