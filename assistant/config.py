"""Named defaults, each overridable by an environment variable (and, in the CLI, by a flag).

Nothing here is mutable at run time: `Settings.from_env()` builds a fresh frozen value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_TOP_K = 3
MAX_TOP_K = 20
MAX_QUESTION_CHARS = 1000
MAX_HISTORY_TURNS = 20


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    index_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        """Read paths from ASSISTANT_CORPUS and ASSISTANT_INDEX, defaulting to the repo folders."""
        return cls(
            corpus_dir=Path(os.environ.get("ASSISTANT_CORPUS", PROJECT_ROOT / "corpus")),
            index_dir=Path(os.environ.get("ASSISTANT_INDEX", PROJECT_ROOT / "index")),
        )
