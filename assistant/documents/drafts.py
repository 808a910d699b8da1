"""What every reader of a source file (PDF, Word, web page, text) produces: a `Draft`, the
document's structure as Markdown blocks, and the one place that writes it as a corpus file.

The Markdown written here is the subset `corpus.parse_document` reads: front matter, ATX
headings, paragraphs, `1.`/`-` lists, pipe tables and `[^n]` footnotes. Does not read any
file format: see `formats`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPACES = re.compile(r"[ \t\r\n\u00a0\u2000-\u200b\u202f]+")
_HEADING = re.compile(r"^(#{1,6}) (.*)$")
_MARKDOWN_START = re.compile(r"^(#|[-*+] |\d{1,3}[.)] |\[\^|>|\|)")


@dataclass(frozen=True)
class Draft:
    """A document as a reader found it, before it is written into the corpus."""

    title: str
    blocks: tuple[str, ...]  # Markdown blocks: "## Heading", a paragraph, a list, a table
    footnotes: tuple[tuple[str, str], ...] = ()  # (label, text), cited as [^label]
    version_date: str | None = None  # from the file's own metadata, when it has one
    dropped: tuple[str, ...] = ()  # page furniture removed, reported so nothing vanishes unseen


def tidy(text: str) -> str:
    """Collapse runs of spaces (including no-break and thin spaces) and trim."""
    return _SPACES.sub(" ", text).strip()


def paragraph(text: str) -> str:
    """A paragraph whose first characters cannot be read as Markdown syntax."""
    text = tidy(text.replace("\n", " "))
    return "\\" + text if _MARKDOWN_START.match(text) else text


def heading(level: int, text: str) -> str:
    """An ATX heading, its level kept within 1-6."""
    return f"{'#' * max(1, min(level, 6))} {tidy(text)}"


def list_block(items: list[str], *, ordered: bool) -> str:
    """A numbered (`1.`) or bulleted (`-`) list, one item a line."""
    marks = [f"{n}." for n in range(1, len(items) + 1)] if ordered else ["-"] * len(items)
    return "\n".join(f"{mark} {tidy(item)}" for mark, item in zip(marks, items, strict=True))


def table(rows: list[list[str]]) -> str:
    """A pipe table; the first row is the header."""
    width = max(len(row) for row in rows)
    cells = [[tidy(c).replace("|", "\\|") for c in row] + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    lines.insert(1, "|" + "---|" * width)
    return "\n".join(lines)


def join_lines(text: str, more: str, space: str, words: frozenset[str] = frozenset()) -> str:
    """Join two lines of one paragraph. A hyphen at the line's end is a word broken in two
    only when the document writes the whole word elsewhere ("interna-" "tional"); otherwise
    it belongs to a compound ("double-" "degree") and stays."""
    broken = re.search(r"(\w+)-$", text)
    if broken and more[:1].isalpha():
        whole = re.sub(r"\W+$", "", broken.group(1) + more.split(" ")[0]).lower()
        return text[:-1] + more if whole in words else text + more
    return text + space + more if text else more


def under_title(title: str, blocks: list[str]) -> tuple[str, ...]:
    """Place the sections under the title: a first heading repeating the title goes, and
    heading levels are renumbered from 2 (`#` is the title's alone), keeping their order."""
    if blocks and blocks[0].lstrip("#").strip().casefold() == title.casefold():
        blocks = blocks[1:] if blocks[0].startswith("#") else blocks
    levels = sorted({len(b) - len(b.lstrip("#")) for b in blocks if _HEADING.match(b)})
    settled = []
    for block in blocks:
        match = _HEADING.match(block)
        if match:
            block = heading(levels.index(len(match.group(1))) + 2, match.group(2))
        settled.append(block)
    return tuple(settled)


def render(draft: Draft, *, metadata: dict[str, str]) -> str:
    """The corpus file: front matter, the title as `#`, the blocks, then the footnotes."""
    front = ["---", *(f"{key}: {tidy(value)}" for key, value in metadata.items()), "---"]
    blocks = [heading(1, draft.title), *draft.blocks]
    blocks += [f"[^{label}]: {tidy(text)}" for label, text in draft.footnotes]
    return "\n".join(front) + "\n\n" + "\n\n".join(blocks) + "\n"
