"""`report` and `forget`: what the office reads from the question log, and deletion on request.

Both open the store `serve` writes to (`--feedback-db`, `ASSISTANT_FEEDBACK_DB`, or
`ASSISTANT_DATABASE_URL`). `report` writes one self-contained HTML page, or JSON, or CSV (one
row per question, with its vote); `forget --before DATE` deletes questions and votes older than
a date. Does not log anything: see `feedback.question_log`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from assistant.config import FEEDBACK_DB_HELP, Settings
from assistant.errors import AssistantError
from assistant.report.period import parse_moment, parse_since
from assistant.report.render import FORMATS


def add_parsers(commands: Any) -> None:
    """The subcommands of `python -m assistant` that read or prune the question log."""
    report = commands.add_parser(
        "report",
        help="summarise the question log and votes (HTML, JSON or CSV)",
        description="Questions per day by outcome, languages, what the policy could not answer "
        "(grouped into topics), disliked replies, and passages shown most and never.",
    )
    report.add_argument(
        "--since",
        default="30d",
        metavar="30d|YYYY-MM-DD",
        help="the period: a number of days back, or a date (default 30d)",
    )
    report.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write to FILE (default: report.html for HTML, else stdout)",
    )
    report.add_argument(
        "--format",
        choices=FORMATS,
        help="html, json or csv (default: from --out's suffix, else html)",
    )
    report.add_argument("--feedback-db", type=Path, help=FEEDBACK_DB_HELP)

    forget = commands.add_parser(
        "forget",
        help="delete logged questions and votes from before a date",
        description="Delete every logged question and vote from before DATE (UTC), on request.",
    )
    forget.add_argument(
        "--before",
        required=True,
        metavar="YYYY-MM-DD",
        help="delete what is older than this date (or YYYY-MM-DDTHH:MM, UTC)",
    )
    forget.add_argument("--feedback-db", type=Path, help=FEEDBACK_DB_HELP)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `report` or `forget`."""
    if args.command == "report":
        fmt = args.format or _format_of(args.out)
        return report(settings, parse_since(args.since), fmt, args.out, sys.stdout)
    return forget(settings, parse_moment(args.before), sys.stdout)


def _format_of(out: Path | None) -> str:
    suffix = out.suffix.lower().lstrip(".") if out else ""
    return {"htm": "html"}.get(suffix, suffix) if suffix in (*FORMATS, "htm") else "html"


@contextmanager
def _opened(settings: Settings) -> Iterator[Any]:
    """The store `serve` writes to; a database error becomes one line saying what to check."""
    from assistant.feedback.databases import DatabaseError
    from assistant.feedback.store import open_store

    if not settings.database_url and not settings.feedback_db.is_file():
        raise AssistantError(
            f"No question log at {settings.feedback_db} yet: `serve` creates it with the first "
            "question. Pass --feedback-db (or ASSISTANT_DATABASE_URL) as `serve` was given."
        )
    store = open_store(settings.database_url, settings.feedback_db)
    try:
        yield store
    except DatabaseError as error:
        raise AssistantError(
            f"Cannot use the question log in {store.where}: {error}. Check --feedback-db or "
            "ASSISTANT_DATABASE_URL (the same as `serve` uses)."
        ) from None
    finally:
        store.close()


def report(settings: Settings, since: datetime, fmt: str, out: Path | None, stdout: TextIO) -> int:
    from assistant.indexing.encoders.base import multilingual_encoder
    from assistant.indexing.index import open_index
    from assistant.report.render import render
    from assistant.retrieval.recipe import default_recipe

    index = open_index(
        settings.corpus_dir, settings.index_dir, default_recipe(settings.corpus_dir), _notify
    )
    encoder = multilingual_encoder(index.query_encoders)
    with _opened(settings) as store:
        text, count = render(store, index.chunks, encoder, since, fmt)
    if out is None and fmt == "html":
        out = Path("report.html")
    if out is None:
        stdout.write(text if text.endswith("\n") else text + "\n")
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise AssistantError(
            f"Cannot write {out}: {error.strerror}. Choose another --out."
        ) from None
    print(f"Wrote {out}: {count} question(s) since {since.date()} (UTC).", file=stdout)
    return 0


def _notify(line: str) -> None:
    print(line, file=sys.stderr)


def forget(settings: Settings, before: datetime, stdout: TextIO) -> int:
    with _opened(settings) as store:
        questions, votes = store.forget(before)
    print(
        f"Deleted {questions} question(s) and {votes} vote(s) from before "
        f"{before.isoformat(timespec='minutes')}.",
        file=stdout,
    )
    return 0
