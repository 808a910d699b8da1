"""Read the policy documents in `corpus/` into structured, span-addressed `Document`s.

Understands Markdown (front matter, ATX headings, paragraphs, lists, footnotes `[^1]`) and plain
text (blank-line separated paragraphs). Every block keeps its character span in the file's
text, so later stages can point at the exact words. Does not render Markdown or follow links.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError

SUFFIXES = (".md", ".markdown", ".txt")

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
# A footnote mark, `[^4]`, capturing its label; the one definition of the syntax.
FOOTNOTE_MARK = re.compile(r"\[\^([^\]\s]+)\]")
_FOOTNOTE_DEF = re.compile(r"^" + FOOTNOTE_MARK.pattern + r":[ \t]*")
_FOOTNOTE_REF = re.compile(FOOTNOTE_MARK.pattern + r"(?!:)")
# "LIA and UMI" in "(LIA and UMI[^4])": at most 40 characters, starting at a word
_CITING_PHRASE = re.compile(r"(?<![^\s(])[^(),;:\s][^(),;:\n]{0,39}$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*):[ \t]*(.*)$")


@dataclass(frozen=True)
class Block:
    """A paragraph, list or footnote definition: `text[start:end]` of its document."""

    kind: str
    section: str
    start: int
    end: int


@dataclass(frozen=True)
class Footnote:
    label: str
    cited_by: str  # the phrase the reference is attached to, e.g. "CDEFI" or "LIA and UMI"
    section: str  # the section of its first citation
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    source: str  # e.g. "corpus/insa-lyon-international-policy.md"
    title: str
    language: str
    text: str
    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict, compare=False)

    def footnotes_cited(self, start: int, end: int) -> tuple[Footnote, ...]:
        """Return the footnotes referenced inside `text[start:end]`, in order of citation."""
        labels = [m.group(1) for m in _FOOTNOTE_REF.finditer(self.text, start, end)]
        by_label = {note.label: note for note in self.footnotes}
        return tuple(dict.fromkeys(by_label[label] for label in labels if label in by_label))


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]
    problems: tuple[CorpusError, ...]  # files that could not be read; the rest still load


def corpus_files(corpus_dir: Path) -> list[Path]:
    """List the readable document files under `corpus_dir`, in a stable order."""
    if not corpus_dir.is_dir():
        return []
    return sorted(
        path
        for path in corpus_dir.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(corpus_dir).parts)
    )


def source_name(corpus_dir: Path, path: Path) -> str:
    """How passages name the file they come from: `corpus/insa-lyon-international-policy.md`."""
    return f"{corpus_dir.name}/{path.relative_to(corpus_dir).as_posix()}"


def corpus_fingerprint(corpus_dir: Path) -> str:
    """Hash every document's name and bytes, so any edit makes a built index stale."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(path.relative_to(corpus_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def load_corpus(corpus_dir: Path) -> Corpus:
    """Parse every document in `corpus_dir`; collect per-file problems instead of stopping."""
    documents, problems = [], []
    for path in corpus_files(corpus_dir):
        source = source_name(corpus_dir, path)
        try:
            documents.append(parse_document(path.read_bytes(), source))
        except CorpusError as problem:
            problems.append(problem)
        except OSError as problem:
            problems.append(CorpusError(f"{source}: cannot be read ({problem.strerror})."))
    return Corpus(tuple(documents), tuple(problems))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def decode(data: bytes, source: str) -> str:
    """Decode UTF-8 strictly, naming the file, line and byte of the first bad sequence."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CorpusError(
            f"{source}: line {line}: not valid UTF-8 (byte 0x{data[error.start]:02x}); "
            "save the file as UTF-8."
        ) from None
    if "\0" in text:
        raise CorpusError(
            f"{source}: line {_line_of(text, text.index(chr(0)))}: contains a NUL "
            "byte; is it a binary file? Save it as UTF-8 text."
        )
    return text


def _lines(text: str, start: int) -> Iterable[tuple[int, str]]:
    """Yield (offset, line without its newline) from `start`."""
    offset = start
    for line in text[start:].split("\n"):
        yield offset, line
        offset += len(line) + 1


def _front_matter(text: str, source: str) -> tuple[dict[str, str], int]:
    if not text.startswith("---\n"):
        return {}, 0
    closing = re.search(r"^---[ \t]*$", text[4:], re.MULTILINE)
    if closing is None:
        raise CorpusError(
            f"{source}: line 1: front matter opened with '---' is never closed; "
            "add a line '---' after it."
        )
    metadata = {}
    for offset, line in _lines(text[: 4 + closing.start()], 4):
        if not line.strip():
            continue
        match = _FRONT_MATTER_LINE.match(line)
        if match is None:
            raise CorpusError(
                f"{source}: line {_line_of(text, offset)}: front matter line is not "
                f"'key: value': {line[:60]!r}."
            )
        metadata[match.group(1).lower()] = match.group(2).strip()
    body_start = 4 + closing.end()
    return metadata, min(body_start + 1, len(text))


def parse_document(data: bytes, source: str) -> Document:
    """Parse one file's bytes into a `Document`; raise `CorpusError` naming file and line."""
    text = decode(data, source)
    markdown = not source.lower().endswith(".txt")
    metadata, body_start = _front_matter(text, source) if markdown else ({}, 0)
    title = metadata.get("title", "")
    section = title
    blocks: list[Block] = []
    current: list[tuple[int, str]] = []

    def close_block() -> None:
        if not current:
            return
        first_offset, first_line = current[0]
        last_offset, last_line = current[-1]
        start = first_offset + len(first_line) - len(first_line.lstrip())
        end = last_offset + len(last_line.rstrip())
        if _FOOTNOTE_DEF.match(first_line) and markdown:
            kind = "footnote"
        elif _LIST_ITEM.match(first_line) and markdown:
            kind = "list"
        else:
            kind = "paragraph"
        blocks.append(Block(kind, section or title, start, end))
        current.clear()

    for offset, line in _lines(text, body_start):
        heading = _HEADING.match(line) if markdown else None
        if heading:
            close_block()
            section = heading.group(2).strip()
            if not title:
                title = section
        elif not line.strip():
            close_block()
        elif markdown and _FOOTNOTE_DEF.match(line):
            close_block()  # each definition is its own block, even without a blank line between
            current.append((offset, line))
        else:
            if not title and not markdown:
                title = line.strip()[:120]
            current.append((offset, line))
    close_block()

    if not blocks:
        raise CorpusError(
            f"{source}: has no text to index (only headings or front matter); "
            "add the policy text or remove the file."
        )
    title = title or Path(source).stem
    blocks = [b if b.section else Block(b.kind, title, b.start, b.end) for b in blocks]
    footnotes = _footnotes(text, blocks, source)
    return Document(
        source, title, metadata.get("language", "en"), text, tuple(blocks), footnotes, metadata
    )


def _footnotes(text: str, blocks: list[Block], source: str) -> tuple[Footnote, ...]:
    citations: dict[str, tuple[str, str]] = {}
    for block in blocks:
        if block.kind == "footnote":
            continue
        for match in _FOOTNOTE_REF.finditer(text, block.start, block.end):
            phrase = _CITING_PHRASE.search(text, block.start, match.start())
            cited_by = phrase.group(0).strip() if phrase else ""
            citations.setdefault(match.group(1), (cited_by, block.section))
    notes = []
    for block in blocks:
        if block.kind != "footnote":
            continue
        definition = _FOOTNOTE_DEF.match(text[block.start : block.end])
        if definition is None:
            continue
        label = definition.group(1)
        cited_by, section = citations.get(label, ("", block.section))
        notes.append(Footnote(label, cited_by, section, block.start + definition.end(), block.end))
    defined = {note.label for note in notes}
    for label in citations.keys() - defined:
        raise CorpusError(
            f"{source}: footnote [^{label}] is cited but never defined; add a line '[^{label}]: …'."
        )
    return tuple(notes)
