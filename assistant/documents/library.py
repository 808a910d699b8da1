"""The corpus folder as the office manages it: which documents it holds, their earlier versions,
and what a new version would change.

A document is `corpus/NAME.md`; each version it replaced is kept as
`corpus/.versions/NAME@DATE.md` (dot folders are not indexed), so any version can be restored.
Every write is a rename, so a reader sees the old file or the new one, never half of one.
Does not read source files (see `formats`) or build the index (see `indexing.build`).
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.documents.chunking import chunk_document
from assistant.documents.corpus import Document, corpus_files, parse_document, source_name
from assistant.errors import CorpusError

VERSIONS = ".versions"
_SLUG = re.compile(r"[\W_]+")
_VERSION_FILE = re.compile(
    r"^(?P<name>.+)@(?P<label>(?P<date>\d{4}-\d{2}-\d{2})(?:-(?P<n>\d+))?)\.md$"
)


@dataclass(frozen=True)
class Entry:
    """One document of the corpus, as its file and front matter describe it."""

    name: str  # the file's stem: what `restore` and `remove` take
    path: Path
    document: Document

    @property
    def title(self) -> str:
        return self.document.title

    @property
    def version_date(self) -> str:
        return self.document.metadata.get("version_date", "")

    @property
    def source_file(self) -> str:
        return self.document.metadata.get("source", "")

    @property
    def passages(self) -> int:
        return len(chunk_document(self.document))


@dataclass(frozen=True)
class Changes:
    """What a new version changes in a document, for the office to check before it goes in."""

    sections_added: tuple[str, ...]
    sections_removed: tuple[str, ...]
    sentences: tuple[str, ...]  # "- old sentence" / "+ new sentence", under "@ section"
    passages_added: int
    passages_removed: int
    passages_changed: int


def slug(file_name: str) -> str:
    """A corpus name from a file name: `Policy 2027.pdf` → `policy-2027`."""
    return _SLUG.sub("-", Path(file_name).stem.lower()).strip("-") or "document"


def entries(corpus_dir: Path) -> list[Entry]:
    """The documents of the corpus that parse; the others are reported by `build`."""
    found = []
    for path in corpus_files(corpus_dir):
        try:
            document = parse_document(path.read_bytes(), source_name(corpus_dir, path))
        except (CorpusError, OSError):
            continue
        found.append(Entry(path.stem, path, document))
    return found


def replaced_by(corpus_dir: Path, title: str, source_file: str) -> Entry | None:
    """The document a new file replaces: the one with the same title or the same source."""
    for entry in entries(corpus_dir):
        same_source = Path(entry.source_file).name == source_file
        if entry.title.casefold() == title.casefold() or same_source:
            return entry
    return None


def free_name(corpus_dir: Path, name: str, taken: set[str]) -> str:
    """`name`, or `name-2`, `name-3`… when another document (or version) already has it."""
    used = taken | {e.name for e in entries(corpus_dir)} | versioned_names(corpus_dir)
    candidate, number = name, 1
    while candidate in used:
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def find(corpus_dir: Path, name: str) -> Entry:
    """The document called `name`, or an error listing the names there are."""
    everything = entries(corpus_dir)
    for entry in everything:
        if entry.name == name:
            return entry
    names = ", ".join(e.name for e in everything) or "none"
    raise CorpusError(f"No document called {name!r} in {corpus_dir}; the documents are: {names}.")


def versions(corpus_dir: Path, name: str) -> list[tuple[str, Path]]:
    """The kept versions of a document, oldest first, as (label, file): the label is the
    version date, with `-2`, `-3`… for further versions of the same date."""
    folder = corpus_dir / VERSIONS
    if not folder.is_dir():
        return []
    kept = []
    for path in folder.iterdir():
        match = _VERSION_FILE.match(path.name)
        if match and match.group("name") == name:
            kept.append(
                (match.group("date"), int(match.group("n") or 1), match.group("label"), path)
            )
    return [(label, path) for _, _, label, path in sorted(kept)]


def versioned_names(corpus_dir: Path) -> set[str]:
    """Every document name with a kept version, including documents since removed."""
    folder = corpus_dir / VERSIONS
    if not folder.is_dir():
        return set()
    return {m.group("name") for p in folder.iterdir() if (m := _VERSION_FILE.match(p.name))}


def keep_version(corpus_dir: Path, entry: Entry) -> Path:
    """Copy the document's current file into the versions folder; return where it went."""
    folder = corpus_dir / VERSIONS
    folder.mkdir(exist_ok=True)
    data = entry.path.read_bytes()
    date = (
        entry.version_date
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.version_date)
        else "0000-00-00"
    )
    number = 1
    while True:
        target = folder / (
            f"{entry.name}@{date}.md" if number == 1 else f"{entry.name}@{date}-{number}.md"
        )
        if not target.exists():
            write_atomically(target, data)
            return target
        if target.read_bytes() == data:
            return target
        number += 1


@contextlib.contextmanager
def corpus_lock(corpus_dir: Path) -> Iterator[None]:
    """Serialise changes to one corpus across processes: two `add`s never interleave."""
    corpus_dir.parent.mkdir(parents=True, exist_ok=True)
    with (corpus_dir.parent / f".{corpus_dir.name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename, so readers never see half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def changes(old: Document | None, new: Document | None) -> Changes:
    """Compare two versions of a document: sections, sentences and passages."""
    old_chunks = chunk_document(old) if old else []
    new_chunks = chunk_document(new) if new else []
    old_sections = list(dict.fromkeys(c.section for c in old_chunks))
    new_sections = list(dict.fromkeys(c.section for c in new_chunks))
    lines = []
    for section in dict.fromkeys(old_sections + new_sections):
        before = [s for c in old_chunks if c.section == section for s in c.sentence_texts()]
        after = [s for c in new_chunks if c.section == section for s in c.sentence_texts()]
        diff = [line for line in difflib.ndiff(before, after) if line[:1] in "-+"]
        if diff:
            lines += [f"@ {section}", *diff]
    added = removed = changed = 0
    matcher = difflib.SequenceMatcher(
        a=[c.text for c in old_chunks], b=[c.text for c in new_chunks], autojunk=False
    )
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "replace":
            changed += min(a2 - a1, b2 - b1)
            added += max(0, (b2 - b1) - (a2 - a1))
            removed += max(0, (a2 - a1) - (b2 - b1))
        elif tag == "insert":
            added += b2 - b1
        elif tag == "delete":
            removed += a2 - a1
    return Changes(
        tuple(s for s in new_sections if s not in old_sections),
        tuple(s for s in old_sections if s not in new_sections),
        tuple(lines),
        added,
        removed,
        changed,
    )
