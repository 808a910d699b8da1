"""`pin`, `unpin`, `redirect`, `unredirect` and `curation`: the office's answers, from the terminal.

Each change rewrites `corpus/curation.yml` (under the corpus lock), rebuilds the index (the
curated questions are embedded with it) and shows what the question now gets. Does not decide
when a pin fires (`retrieval.curation`) nor how the file reads (`documents.curation`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TextIO

from assistant.config import MAX_QUESTION_CHARS, Settings
from assistant.documents.curation import (
    CURATION_FILE,
    MAX_MESSAGE_CHARS,
    Curation,
    check_link,
    check_text,
)
from assistant.documents.curation_edits import edit_curation, with_pin, with_redirect, without
from assistant.errors import AssistantError
from assistant.questions import clean_question

EXCERPT = 90


def add_parsers(commands: Any) -> None:
    """The subcommands of `python -m assistant` that curate answers."""
    pin = commands.add_parser(
        "pin",
        help="make a passage the first answer to a question and questions like it",
        description="Pin the passage holding PHRASE to QUESTION (and its paraphrases, in any "
        "language); pinning the same question again re-points it.",
    )
    pin.add_argument("question", help="the question, as a student would ask it")
    pin.add_argument("--passage", required=True, metavar="PHRASE",
                     help="words of the passage, exact; they must name one passage")  # fmt: skip
    unpin = commands.add_parser("unpin", help="remove a pin", description="Remove a pin.")
    unpin.add_argument("question", help="the pinned question, as `curation` lists it")

    redirect = commands.add_parser(
        "redirect",
        help="say that questions like this one are not in the policy, and where to go",
        description="Questions like QUESTION get outcome not_covered with MESSAGE and LINK. "
        "Run again with --language to add the message in another language.",
    )
    redirect.add_argument("question", help="the question, as a student would ask it")
    redirect.add_argument("--message", required=True, help="what to tell the student")
    redirect.add_argument(
        "--language", default="en", help="the message's language code (default: en, the fallback)"
    )
    redirect.add_argument("--link", help="an https:// page that handles the question")
    unredirect = commands.add_parser(
        "unredirect", help="remove a redirect", description="Remove a redirect."
    )
    unredirect.add_argument("question", help="the redirected question, as `curation` lists it")

    commands.add_parser(
        "curation",
        help="list the pins and redirects, with how often each answered",
        description="List every pin and redirect, its state, and how many logged questions "
        "it answered; report problems in corpus/curation.yml.",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one of the curation commands."""
    out = sys.stdout
    if args.command == "curation":
        return listing(settings, out)
    question = _checked(lambda: clean_question(args.question))
    if args.command == "pin":
        phrase = _checked(lambda: check_text(args.passage, "--passage", MAX_MESSAGE_CHARS))
        return pin(question, phrase, settings, out)
    if args.command == "redirect":
        message = _checked(lambda: check_text(args.message, "--message", MAX_MESSAGE_CHARS))
        link = _checked(lambda: check_link(args.link)) if args.link is not None else None
        return redirect(question, message, args.language, link, settings, out)
    return remove(question, "pin" if args.command == "unpin" else "redirect", settings, out)


def pin(question: str, phrase: str, settings: Settings, out: TextIO) -> int:
    from assistant.answer import Assistant
    from assistant.retrieval.curation import find_passages

    assistant = Assistant.load(settings, notify=_notify)
    found = find_passages(phrase, assistant.index.chunks)
    if len(found) != 1:
        raise AssistantError(_candidates(phrase, found, assistant))
    _edit(settings, lambda curation: with_pin(curation, question, phrase))
    out.write(f"Pinned: {question}\n  passage: {_excerpt(found[0].chunk.text)}\n")
    return _show(question, settings, out)


def redirect(
    question: str, message: str, language: str, link: str | None, settings: Settings, out: TextIO
) -> int:
    curation = _edit(
        settings, lambda curation: with_redirect(curation, question, language, message, link)
    )
    entry = next(r for r in curation.redirects if r.question == question)
    languages = ", ".join(sorted(entry.messages))
    out.write(f"Redirected: {question}\n  messages: {languages}\n  link: {entry.link or '-'}\n")
    return _show(question, settings, out)


def remove(question: str, kind: str, settings: Settings, out: TextIO) -> int:
    _edit(settings, lambda curation: without(curation, kind, question))
    out.write(f"Removed the {kind} for: {question}\n")
    _rebuild(settings)
    return 0


def listing(settings: Settings, out: TextIO) -> int:
    from assistant.answer import Assistant

    assistant = Assistant.load(settings, notify=_notify)
    curator = assistant.curator
    fired = _fired(settings)
    for entry in curator.curation.pins:
        pinned = curator.pinned.get(entry.key)
        state = f"passage: {_excerpt(pinned.chunk.text)}" if pinned else "IGNORED (see below)"
        out.write(f"pin: {entry.question}  [{entry.key}]\n  phrase: {entry.passage}\n  {state}\n")
        out.write(f"  answered: {fired.get(entry.key, 0) if fired is not None else '?'}\n")
    for redirected in curator.curation.redirects:
        languages = ", ".join(sorted(redirected.messages))
        out.write(f"redirect: {redirected.question}  [{redirected.key}]\n  messages: {languages}\n")
        out.write(f"  link: {redirected.link or '-'}\n")
        out.write(f"  answered: {fired.get(redirected.key, 0) if fired is not None else '?'}\n")
    if not curator.curation.pins and not curator.curation.redirects:
        out.write("Nothing curated yet: see `pin` and `redirect`.\n")
    if fired is None:
        out.write("(answered: ? — no question log to count from; see `serve`)\n")
    for problem in curator.problems:
        out.write(f"problem: {problem}\n")
    return 0


def _fired(settings: Settings) -> dict[str, int] | None:
    from assistant.feedback.databases import DatabaseError
    from assistant.feedback.store import open_store

    if not settings.database_url and not settings.feedback_db.is_file():
        return None
    store = open_store(settings.database_url, settings.feedback_db)
    try:
        return store.curated_counts()
    except DatabaseError as error:
        _notify(f"warning: cannot count from the question log: {error}")
        return None
    finally:
        store.close()


def _edit(settings: Settings, change: Callable[[Curation], Curation]) -> Curation:
    """Apply `change` to the file under the corpus lock; report a refused change as one line."""
    try:
        curation = edit_curation(settings.corpus_dir, change)
    except ValueError as error:
        raise AssistantError(f"{error}.") from None
    _notify(f"Wrote {settings.corpus_dir / CURATION_FILE}.")
    return curation


def _rebuild(settings: Settings) -> None:
    from assistant.answer import Assistant

    Assistant.load(settings, notify=_notify)


def _show(question: str, settings: Settings, out: TextIO) -> int:
    """Rebuild, ask the question again, and show what it now gets."""
    from assistant.answer import Assistant

    answer = Assistant.load(settings, notify=_notify).ask(question)
    if answer.passages and answer.passages[0].pinned:
        out.write(f"Now answered with the pinned passage ({answer.passages[0].section}).\n")
    elif answer.link or answer.curated_by:
        out.write(f"Now answered: {answer.message} {answer.link or ''}\n")
    else:
        out.write("Warning: the question itself does not fire it; check `curation`.\n")
    return 0


def _candidates(phrase: str, found: list[Any], assistant: Any) -> str:
    if found:
        listed = "\n".join(f"  {f.chunk.section}: {_excerpt(f.chunk.text)}" for f in found)
        return f"{len(found)} passages hold {phrase!r}; give words that only one holds:\n{listed}"
    closest = assistant.ask(phrase[:MAX_QUESTION_CHARS], top_k=3)
    listed = "\n".join(
        f"  {p.section}: {_excerpt(p.text)}" for p in (*closest.passages, *closest.related)
    )
    return f"No passage holds {phrase!r} exactly. The closest passages:\n{listed or '  (none)'}"


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _checked(check: Any) -> Any:
    try:
        return check()
    except ValueError as error:
        raise AssistantError(f"{error}.") from None


def _notify(line: str) -> None:
    print(line, file=sys.stderr)
