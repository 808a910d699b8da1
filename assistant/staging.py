"""Make a change to the corpus safely: show it, ask, index it from a staged copy of the
corpus, and only then write it, keeping the version it replaces.

The index is built from a copy of `corpus/` with the change applied; the files are written
into `corpus/` only when that build succeeded, under a lock so two changes never interleave.
A build that fails leaves the corpus, the index and what is served as they were. (An
interruption between the index swap and the file writes leaves an index newer than the corpus:
the next `ask` or `serve` sees the corpus differ and rebuilds.) What a change is, is decided
by `corpus_commands`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from assistant.config import Settings
from assistant.documents import library
from assistant.documents.corpus import Document, corpus_files, parse_document, source_name

if TYPE_CHECKING:
    from assistant.indexing.build import BuildReport

SHOWN_SENTENCES = 40  # a longer diff is cut, with the count of what is not shown


@dataclass(frozen=True)
class Change:
    """One document added, replaced, restored (`markdown`) or removed (`None`)."""

    name: str
    file: str  # the document's path inside the corpus folder
    markdown: bytes | None  # None removes the document
    before: library.Entry | None
    describe: str


def show(change: Change, corpus_dir: Path, out: TextIO) -> bool:
    """Print what the change does; return whether it changes anything."""
    source = source_name(corpus_dir, corpus_dir / change.file)
    new = parse_document(change.markdown, source) if change.markdown else None
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


def apply(
    planned: list[Change], settings: Settings, *, yes: bool, out: TextIO,
    confirm: Callable[[str], bool],
) -> int:  # fmt: skip
    """Show the changes, ask before replacing or removing, build, then write."""
    corpus_dir = settings.corpus_dir
    planned = [change for change in planned if show(change, corpus_dir, out)]
    if not planned:
        return 0
    replacing = any(change.before for change in planned)
    if replacing and not yes and not confirm("Go ahead? [y/N] "):
        out.write("Nothing changed.\n")
        return 1
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with library.corpus_lock(corpus_dir):
        report = _build_and_write(planned, settings, out)
    out.write(
        f"Indexed {report.chunk_count} passages from {report.document_count} document(s) "
        f"in {report.seconds:.1f} s. A running server answers from it once restarted.\n"
    )
    return 0


def _build_and_write(planned: list[Change], settings: Settings, out: TextIO) -> BuildReport:
    from assistant.indexing.build import build_index
    from assistant.retrieval.recipe import default_recipe

    corpus_dir = settings.corpus_dir
    with tempfile.TemporaryDirectory(dir=corpus_dir.parent, prefix=".staging-") as staging:
        staged = Path(staging) / corpus_dir.name  # chunk sources name the corpus folder
        staged.mkdir()
        for path in corpus_files(corpus_dir):
            target = staged / path.relative_to(corpus_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        for change in planned:
            _write(change, staged)
        report = build_index(staged, settings.index_dir, default_recipe(corpus_dir))
    for change in planned:
        if change.before:
            kept = library.keep_version(corpus_dir, change.before)
            out.write(f"Kept the previous version as {kept.relative_to(corpus_dir.parent)}.\n")
        _write(change, corpus_dir)
    return report


def _write(change: Change, corpus_dir: Path) -> None:
    target = corpus_dir / change.file
    if change.markdown is None:
        target.unlink(missing_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        library.write_atomically(target, change.markdown)
