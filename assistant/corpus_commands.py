"""The terminal commands that change the corpus: `add`, `remove`, `restore` and `documents`.

Each command decides what changes (which file becomes which document, which version comes
back) and hands it to `staging`, which shows it, asks, indexes it from a staged copy and only
then writes it. Reading files is `documents.formats`' job, keeping versions `documents.library`'s.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from assistant import staging
from assistant.config import Settings
from assistant.documents import library
from assistant.documents.corpus import parse_document, source_name
from assistant.documents.drafts import render
from assistant.errors import CorpusError


def add(
    paths: list[Path], settings: Settings, *, yes: bool, version_date: str | None,
    out: TextIO, confirm: Callable[[str], bool],
) -> int:  # fmt: skip
    """Read every file, show what changes, then index and write them all (or nothing)."""
    date = _checked_date(version_date) if version_date else None
    planned: list[staging.Change] = []
    for path in paths:
        planned.append(_addition(path, settings.corpus_dir, date, {c.name for c in planned}))
    return staging.apply(planned, settings, yes=yes, out=out, confirm=confirm)


def remove(
    name: str, settings: Settings, *, yes: bool, out: TextIO, confirm: Callable[[str], bool]
) -> int:
    """Take a document out of the corpus, keeping its last version for `restore`."""
    entry = library.find(settings.corpus_dir, name)
    if len(library.entries(settings.corpus_dir)) == 1:
        raise CorpusError(f"{name} is the only document; add another before removing it.")
    file = entry.path.relative_to(settings.corpus_dir).as_posix()
    change = staging.Change(
        name, file, None, entry, f"Removing {name} ({entry.title!r}, {entry.version_date})"
    )
    return staging.apply([change], settings, yes=yes, out=out, confirm=confirm)


def restore(
    name: str, settings: Settings, *, version: str | None, yes: bool, out: TextIO,
    confirm: Callable[[str], bool],
) -> int:  # fmt: skip
    """Bring back a kept version of a document (the latest that differs, by default)."""
    corpus_dir = settings.corpus_dir
    kept = library.versions(corpus_dir, name)
    if not kept:
        raise CorpusError(f"No kept versions of {name!r} in {corpus_dir / library.VERSIONS}.")
    before = next((e for e in library.entries(corpus_dir) if e.name == name), None)
    current = before.path.read_bytes() if before else None
    if version:
        matching = [path for label, path in kept if label == version]
        if not matching:
            labels = ", ".join(label for label, _ in kept)
            raise CorpusError(f"No version {version} of {name}; the kept versions are: {labels}.")
        chosen = matching[0]
    else:
        different = [path for _, path in kept if path.read_bytes() != current]
        if not different:
            out.write(f"{name} is already the same as every kept version; nothing to restore.\n")
            return 0
        chosen = different[-1]
    file = before.path.relative_to(corpus_dir).as_posix() if before else f"{name}.md"
    describe = f"Restoring {name} from {chosen.name}"
    change = staging.Change(name, file, chosen.read_bytes(), before, describe)
    return staging.apply([change], settings, yes=yes, out=out, confirm=confirm)


def documents(settings: Settings, out: TextIO) -> int:
    """List each document with its title, version date, passages, source and kept versions."""
    everything = library.entries(settings.corpus_dir)
    names = {entry.name for entry in everything}
    removed = sorted(library.versioned_names(settings.corpus_dir) - names)
    for entry in everything:
        out.write(
            f"{entry.name}\n  title: {entry.title}\n  version: {entry.version_date or 'undated'}\n"
            f"  passages: {entry.passages}\n  source: {entry.source_file or entry.path.name}\n"
        )
        for date, path in library.versions(settings.corpus_dir, entry.name):
            out.write(f"  kept version: {date} ({path.relative_to(settings.corpus_dir)})\n")
    for name in removed:
        dates = ", ".join(date for date, _ in library.versions(settings.corpus_dir, name))
        out.write(f"{name} (removed)\n  kept versions: {dates}; `restore {name}` brings it back\n")
    return 0


def add_parsers(commands: Any) -> None:
    """The subcommands of `python -m assistant` that change or list the corpus."""
    add = commands.add_parser(
        "add",
        help="add or replace policy documents from PDF, Word, HTML, Markdown or text files",
        description="Convert each file into a corpus document, show what a replacement "
        "changes, rebuild the index, and keep the replaced version for `restore`.",
    )
    add.add_argument("files", nargs="+", type=Path, metavar="FILE",
                     help=".pdf, .docx, .html/.htm, .md, or .txt (PDF-extracted text)")  # fmt: skip
    add.add_argument("--yes", action="store_true", help="replace without asking for confirmation")
    add.add_argument("--version-date", metavar="YYYY-MM-DD",
                     help="the version's date (default: the file's own date)")  # fmt: skip

    remove = commands.add_parser(
        "remove",
        help="take a document out of the corpus (its last version is kept)",
        description="Remove a document and rebuild the index; `restore NAME` brings it back.",
    )
    remove.add_argument("name", help="the document's name, as `documents` lists it")
    remove.add_argument("--yes", action="store_true", help="remove without asking for confirmation")

    restore = commands.add_parser(
        "restore",
        help="bring back a kept version of a document",
        description="Restore a kept version (the latest that differs, unless --version).",
    )
    restore.add_argument("name", help="the document's name, as `documents` lists it")
    restore.add_argument(
        "--version", metavar="YYYY-MM-DD", help="the kept version's date (as `documents` lists it)"
    )
    restore.add_argument(
        "--yes", action="store_true", help="restore without asking for confirmation"
    )

    commands.add_parser(
        "documents",
        help="list the documents with their versions, dates, passages and source files",
        description="List each corpus document, its version date, passages, source file and "
        "kept versions.",
    )


def _confirm(prompt: str) -> bool:
    """Ask on the terminal; without one, say how to go ahead instead of guessing."""
    if not sys.stdin.isatty():
        raise CorpusError("This replaces a document; run again with --yes to confirm.")
    try:
        return input(prompt).strip().lower() in ("y", "yes")
    except EOFError:  # Ctrl-D is a no
        return False


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `add`, `remove`, `restore` or `documents`."""
    out = sys.stdout
    if args.command == "add":
        return add(args.files, settings, yes=args.yes, version_date=args.version_date, out=out,
                   confirm=_confirm)  # fmt: skip
    if args.command == "remove":
        return remove(args.name, settings, yes=args.yes, out=out, confirm=_confirm)
    if args.command == "restore":
        return restore(args.name, settings, version=args.version, yes=args.yes, out=out,
                       confirm=_confirm)  # fmt: skip
    return documents(settings, out)


def _checked_date(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise CorpusError(
            f"--version-date {text!r} is not a date; write it as YYYY-MM-DD."
        ) from None


def _addition(path: Path, corpus_dir: Path, date: str | None, taken: set[str]) -> staging.Change:
    import hashlib

    from assistant.documents.formats import read_source

    draft, data = read_source(path)
    version_date = date or draft.version_date or _file_date(path)
    before = library.replaced_by(corpus_dir, draft.title, path.name)
    if before and before.name in taken:
        raise CorpusError(
            f"{path.name}: two of the files given would both replace {before.name}; add one."
        )
    name = before.name if before else library.free_name(corpus_dir, library.slug(path.name), taken)
    metadata = {
        "title": draft.title,
        "source": path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "language": _language(draft.blocks),
        "version_date": version_date,
    }
    markdown = render(draft, metadata=metadata).encode()
    file = before.path.relative_to(corpus_dir).as_posix() if before else f"{name}.md"
    parse_document(markdown, source_name(corpus_dir, corpus_dir / file))  # it must read back
    for dropped in draft.dropped:
        print(f"note: {path.name}: dropped page furniture: {dropped!r}", file=sys.stderr)
    verb = f"Replacing {name} ({before.title!r}, {before.version_date})" if before else "Adding"
    describe = f"{verb} with {path.name} ({draft.title!r}, {version_date}) as {file}"
    return staging.Change(name, file, markdown, before, describe)


def _file_date(path: Path) -> str:
    modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
    return modified.date().isoformat()


def _language(blocks: tuple[str, ...]) -> str:
    import py3langid

    return str(py3langid.classify(" ".join(blocks)[:20_000])[0])
