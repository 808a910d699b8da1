"""What surrounds a PDF page's text: running headers and footers, page numbers, and the
footnotes at the foot of the page with the raised marks that cite them.

Decided from the lines' places on the page and their characters' sizes (`pdf_lines`). Does not
shape the body into paragraphs: see `pdf`.
"""

from __future__ import annotations

import re

from assistant.documents.drafts import join_lines
from assistant.documents.formats.pdf_lines import Line

MARGIN = 0.12  # the top and bottom eighth of a page, where running headers and footers live
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(/|of|sur|de)\s*\d{1,4})?$", re.IGNORECASE)
_NOTE_START = re.compile(r"^(\d{1,3})\s*(\S.*)$")


def _in_margin(line: Line) -> bool:
    return line.baseline < MARGIN * line.page_height or line.baseline > (1 - MARGIN) * (
        line.page_height
    )


def drop_furniture(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """Remove lines repeated in the margins of several pages, bare page numbers there, and
    running titles that carry their page's number at the same place on several pages."""
    shape = {id(line): re.sub(r"\d+", "#", line.text().lower()) for line in lines}
    pages_of: dict[str, set[int]] = {}
    numbered_at: dict[int, set[int]] = {}  # rounded baseline -> pages numbered there
    for line in lines:
        if _in_margin(line):
            pages_of.setdefault(shape[id(line)], set()).add(line.page)
            if _carries_page_number(line):
                numbered_at.setdefault(round(line.baseline / 5), set()).add(line.page)
    kept: list[Line] = []
    dropped: list[str] = []
    for line in lines:
        furniture = _in_margin(line) and not marks(line)[0] and (
            len(pages_of[shape[id(line)]]) > 1
            or _PAGE_NUMBER.match(line.text()) is not None
            or (_carries_page_number(line) and len(numbered_at[round(line.baseline / 5)]) > 1)
        )  # fmt: skip
        if furniture:
            dropped.append(line.text())
        else:
            kept.append(line)
    return kept, dropped


def marks(line: Line) -> tuple[str, list[str]]:
    """The raised number a line starts with (a footnote's own number), and those it cites."""
    runs, current, leading = [], "", ""
    for position, char in enumerate([*line.chars, None]):
        if char is not None and char.text.isdigit() and line.is_raised(char):
            current += char.text
            continue
        if current:
            if not "".join(c.text for c in line.chars[: position - len(current)]).strip():
                leading = current
            else:
                runs.append(current)
            current = ""
    return leading, runs


def _carries_page_number(line: Line) -> bool:
    """`Erasmus Policy Statement 1` at the foot of page 1, or `2 | Policy` atop page 2."""
    number = str(line.page + 1)
    words = line.text().split()
    return len(words) > 1 and number in (words[0], words[-1])


def take_footnotes(lines: list[Line], body: float) -> tuple[list[Line], list[tuple[str, str]]]:
    """Move each page's footnotes to definitions: from the first line in the page's lower half
    that starts with the number of a footnote cited so far (set raised, or in smaller type)."""
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    kept: list[Line] = []
    notes: list[tuple[str, str]] = []
    cited: set[str] = set()
    for page_lines in by_page.values():
        cited.update(label for line in page_lines for label in marks(line)[1])
        start = next(
            (
                i
                for i, line in enumerate(page_lines)
                if line.baseline < line.page_height / 2 and _note_label(line, body) in cited
            ),
            len(page_lines),
        )
        kept += page_lines[:start]
        for line in page_lines[start:]:
            label = _note_label(line, body)
            text = line.text()
            if label:
                notes.append((label, text[len(label) :].strip()))
            elif notes:
                notes[-1] = (notes[-1][0], join_lines(notes[-1][1], text, " "))
    return kept, notes


def _note_label(line: Line, body: float) -> str:
    leading = marks(line)[0]
    if leading:
        return leading
    match = _NOTE_START.match(line.text())
    return match.group(1) if match and line.size < 0.9 * body else ""
