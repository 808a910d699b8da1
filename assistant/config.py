"""Named defaults, each overridable by an environment variable (and, in the CLI, by a flag).

Nothing here is mutable at run time: `Settings.from_env()` builds a fresh frozen value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import AssistantError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The policy's language and the JSON contract's: messages fall back to it, and a question
# whose language cannot be told is taken to be in it.
FALLBACK_LANGUAGE = "en"
DEFAULT_TOP_K = 3
MAX_TOP_K = 20
MAX_QUESTION_CHARS = 1000
MAX_HISTORY_TURNS = 20
# Questions answered at the same moment; later ones wait their turn. 3 did best on 2 cores.
ANSWERING_AT_ONCE = 3

DEFAULT_FEEDBACK_DB = PROJECT_ROOT / "feedback" / "votes.sqlite3"
FEEDBACK_DB_HELP = (
    "SQLite file for votes and the question log (default: "
    f"{DEFAULT_FEEDBACK_DB.relative_to(PROJECT_ROOT)}; "
    "ASSISTANT_DATABASE_URL=postgresql://… puts both in PostgreSQL instead)"
)
# The question log's retention, promised to visitors under the chat box.
DEFAULT_KEEP_DAYS = 90
MAX_KEEP_DAYS = 3650
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Who may show the chat in an iframe: the school's own sites. The app has no accounts and no
# cookies, so framing by others risks little, but no other site should present it as its own.
DEFAULT_EMBED_ORIGINS = ("'self'", "https://insa-lyon.fr", "https://*.insa-lyon.fr")


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    index_dir: Path
    feedback_db: Path = DEFAULT_FEEDBACK_DB
    answering_at_once: int = ANSWERING_AT_ONCE
    database_url: str | None = None  # postgresql://…: votes and the log go there, not SQLite
    question_log: bool = True
    keep_days: int = DEFAULT_KEEP_DAYS
    admin_token: str | None = None  # /admin is served only when this is set

    @classmethod
    def from_env(cls) -> Settings:
        """Read ASSISTANT_CORPUS, _INDEX, _FEEDBACK_DB, _ANSWERING_AT_ONCE, _DATABASE_URL,
        _QUESTION_LOG, _KEEP_DAYS and _ADMIN_TOKEN (else defaults)."""
        at_once = os.environ.get("ASSISTANT_ANSWERING_AT_ONCE", str(ANSWERING_AT_ONCE)).strip()
        if not at_once.isdigit() or not 1 <= int(at_once) <= 64:
            raise AssistantError(
                f"ASSISTANT_ANSWERING_AT_ONCE is {at_once!r}; set it to a whole number from "
                "1 to 64 (about the number of cores plus one), or unset it."
            )
        log = os.environ.get("ASSISTANT_QUESTION_LOG", "on").strip().lower()
        if log not in ("on", "off", "1", "0", "true", "false", "yes", "no"):
            raise AssistantError(
                f"ASSISTANT_QUESTION_LOG is {log!r}; set it to on or off, or unset it."
            )
        return cls(
            corpus_dir=Path(os.environ.get("ASSISTANT_CORPUS", PROJECT_ROOT / "corpus")),
            index_dir=Path(os.environ.get("ASSISTANT_INDEX", PROJECT_ROOT / "index")),
            feedback_db=Path(os.environ.get("ASSISTANT_FEEDBACK_DB", DEFAULT_FEEDBACK_DB)),
            answering_at_once=int(at_once),
            database_url=os.environ.get("ASSISTANT_DATABASE_URL", "").strip() or None,
            question_log=log in ("on", "1", "true", "yes"),
            keep_days=keep_days(os.environ.get("ASSISTANT_KEEP_DAYS", str(DEFAULT_KEEP_DAYS))),
            admin_token=os.environ.get("ASSISTANT_ADMIN_TOKEN", "").strip() or None,
        )


def keep_days(text: str) -> int:
    """Read a retention in days (1 to 3650), for --keep-days and ASSISTANT_KEEP_DAYS."""
    text = str(text).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_KEEP_DAYS:
        raise AssistantError(
            f"The retention {text!r} is not a number of days from 1 to {MAX_KEEP_DAYS}; "
            f"use for example --keep-days {DEFAULT_KEEP_DAYS}."
        )
    return int(text)
