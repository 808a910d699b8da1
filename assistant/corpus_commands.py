"""The terminal commands that change the corpus: `add`, `remove`, `restore` and `documents`.

A change is tried on a copy of the corpus first: the index is built from the copy, and only
when that build succeeds are the files written into `corpus/`, the replaced version kept in
`corpus/.versions/`. A file that cannot be read, or a build that fails, leaves the corpus,
the index and what is served as they were. Reading files is `documents.formats`' job,
keeping versions `documents.library`'s.
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from assistant.config import Settings
from assistant.documents import library
from assistant.documents.corpus import Document, corpus_files, parse_document
from assistant.documents.drafts import render
from assistant.errors import CorpusError

SHOWN_SENTENCES = 40  # a longer diff is cut, with the count of what is not shown


@dataclass(frozen=True)
class Change:
    name: str
    file: str  # the document's path inside the corpus folder
    markdown: bytes | None  # None removes the document
    before: library.Entry | None
    describe: str


def add(
    paths: list[Path], settings: Settings, *, yes: bool, version_date: str | None,
    out: TextIO, confirm: Callable[[str], bool],
) -> int:  # fmt: skip
    """Read every file, show what changes, then index and write them all (or nothing)."""
    date = _checked_date(version_date) if version_date else None
    planned: list[Change] = []
    for path in paths:
        planned.append(_addition(path, settings.corpus_dir, date, [c.name for c in planned]))
    return _apply(planned, settings, yes=yes, out=out, confirm=confirm)


def remove(
    name: str, settings: Settings, *, yes: bool, out: TextIO, confirm: Callable[[str], bool]
) -> int:
    """Take a document out of the corpus, keeping its last version for `restore`."""
    entry = library.find(settings.corpus_dir, name)
    if len(library.entries(settings.corpus_dir)) == 1:
        raise CorpusError(f"{name} is the only document; add another before removing it.")
    file = entry.path.relative_to(settings.corpus_dir).as_posix()
    change = Change(
        name, file, None, entry, f"Removing {name} ({entry.title!r}, {entry.version_date})"
    )
    return _apply([change], settings, yes=yes, out=out, confirm=confirm)


def restore(
    name: str, settings: Settings, *, version: str | None, yes: bool, out: TextIO,
    confirm: Callable[[str], bool],
) -> int:  # fmt: skip
    """Bring back a kept version of a document (the latest that differs, by default)."""
    corpus_dir = settings.corpus_dir
    kept = library.versions(corpus_dir, name)
    if not kept:
        raise CorpusError(f"No kept versions of {name!r} in {corpus_dir / library.VERSIONS}.")
    current_path = corpus_dir / f"{name}.md"
    current = current_path.read_bytes() if current_path.exists() else None
    if version:
        matching = [path for date, path in kept if date == version]
        if not matching:
            dates = ", ".join(date for date, _ in kept)
            raise CorpusError(f"No version {version} of {name}; the kept versions are: {dates}.")
        chosen = matching[-1]
    else:
        different = [path for _, path in kept if path.read_bytes() != current]
        if not different:
            out.write(f"{name} is already the same as every kept version; nothing to restore.\n")
            return 0
        chosen = different[-1]
    before = next((e for e in library.entries(corpus_dir) if e.name == name), None)
    file = before.path.relative_to(corpus_dir).as_posix() if before else f"{name}.md"
    change = Change(name, file, chosen.read_bytes(), before, f"Restoring {name} from {chosen.name}")
    return _apply([change], settings, yes=yes, out=out, confirm=confirm)


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


def add_parsers(commands: argparse._SubParsersAction) -> None:
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
    restore.add_argument("--version", metavar="YYYY-MM-DD", help="the kept version's date")
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
    return input(prompt).strip().lower() in ("y", "yes")


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


def _addition(path: Path, corpus_dir: Path, date: str | None, taken: list[str]) -> Change:
    import hashlib

    from assistant.documents.formats import read_source

    draft, data = read_source(path)
    version_date = date or draft.version_date or _file_date(path)
    before = library.replaced_by(corpus_dir, library.slug(path.name), draft.title, path.name)
    name = before.name if before else library.slug(path.name)
    if name in taken:
        raise CorpusError(f"{path.name}: two of the files given would both be {name}; add one.")
    metadata = {
        "title": draft.title,
        "source": path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "language": _language(draft.blocks),
        "version_date": version_date,
    }
    markdown = render(draft, metadata=metadata).encode()
    parse_document(markdown, f"{corpus_dir.name}/{name}.md")  # what is written must read back
    for dropped in draft.dropped:
        print(f"note: {path.name}: dropped page furniture: {dropped!r}", file=sys.stderr)
    verb = f"Replacing {name} ({before.title!r}, {before.version_date})" if before else "Adding"
    describe = f"{verb} with {path.name} ({draft.title!r}, {version_date}) as {name}.md"
    file = before.path.relative_to(corpus_dir).as_posix() if before else f"{name}.md"
    return Change(name, file, markdown, before, describe)


def _file_date(path: Path) -> str:
    modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
    return modified.date().isoformat()


def _language(blocks: tuple[str, ...]) -> str:
    import py3langid

    return str(py3langid.classify(" ".join(blocks)[:20_000])[0])


def _show(change: Change, corpus_dir: Path, out: TextIO) -> bool:
    """Print what the change does; return whether it changes anything."""
    new = (
        parse_document(change.markdown, f"{corpus_dir.name}/{change.name}.md")
        if change.markdown
        else None
    )
    old: Document | None = change.before.document if change.before else None
    diff = library.changes(old, new)
    if change.before and change.markdown == change.before.path.read_bytes():
        out.write(f"{change.name} is already this version; nothing to change.\n")
        return False
    out.write(f"{change.describe}\n")
    out.write(
        f"  passages: {diff.passages_added} added, {diff.passages_removed} removed, "
        f"{diff.passages_changed} changed\n"
    )
    if change.before is None or change.markdown is None:  # a new or removed document
        for section in diff.sections_removed:
            out.write(f"  section removed: {section}\n")
        return True
    for label, sections in (("added", diff.sections_added), ("removed", diff.sections_removed)):
        if sections:
            out.write(f"  sections {label}: {'; '.join(sections)}\n")
    for line in diff.sentences[:SHOWN_SENTENCES]:
        out.write(f"  {line}\n")
    if len(diff.sentences) > SHOWN_SENTENCES:
        out.write(f"  … and {len(diff.sentences) - SHOWN_SENTENCES} more lines of changes\n")
    return True


def _apply(
    planned: list[Change], settings: Settings, *, yes: bool, out: TextIO,
    confirm: Callable[[str], bool],
) -> int:  # fmt: skip
    corpus_dir = settings.corpus_dir
    planned = [change for change in planned if _show(change, corpus_dir, out)]
    if not planned:
        return 0
    replacing = any(change.before for change in planned)
    if replacing and not yes and not confirm("Go ahead? [y/N] "):
        out.write("Nothing changed.\n")
        return 1
    from assistant.indexing.build import build_index
    from assistant.retrieval.recipe import default_recipe

    corpus_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=corpus_dir.parent, prefix=".staging-") as staging:
        staged = Path(staging) / corpus_dir.name  # chunk sources name the corpus folder
        staged.mkdir()
        for path in corpus_files(corpus_dir):
            target = staged / path.relative_to(corpus_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        for change in planned:
            _write(change, staged)
        report = build_index(staged, settings.index_dir, default_recipe())
    for change in planned:
        if change.before:
            kept = library.keep_version(corpus_dir, change.before)
            out.write(f"Kept the previous version as {kept.relative_to(corpus_dir.parent)}.\n")
        _write(change, corpus_dir)
    out.write(
        f"Indexed {report.chunk_count} passages from {report.document_count} document(s) "
        f"in {report.seconds:.1f} s. A running server answers from it once restarted.\n"
    )
    return 0


def _write(change: Change, corpus_dir: Path) -> None:
    target = corpus_dir / change.file
    if change.markdown is None:
        target.unlink(missing_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        library.write_atomically(target, change.markdown)
