"""Turn a PDF's lines into a `Draft`: repair what page layout does to a document's text.

Once running headers, footers, page numbers and footnotes are taken out (`pdf_furniture`),
from the characters' sizes and positions (`pdf_lines`): raised numbers that cite a footnote
become `[^n]`; headings are the larger or bold lines; `1.`/`•` lines are lists; aligned
columns are tables; a paragraph broken by a page break or a hyphenated word is joined again.
Does not read scanned pages (no OCR).
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from assistant.documents import drafts
from assistant.documents.drafts import Draft
from assistant.documents.formats.pdf_furniture import drop_furniture, take_footnotes
from assistant.documents.formats.pdf_lines import Line, read_lines
from assistant.errors import CorpusError

_BULLET = re.compile(r"^([•◦▪‣●○■□–*\uf0b7\uf0a7-])\s*(\S.*)$")
_NUMBERED = re.compile(r"^(\d{1,2}|[a-z])[.)]\s+(\S.*)$")
_SENTENCE_END = (".", "!", "?", ":")
_MAX_HEADING_CHARS = 100


@dataclass
class _Piece:
    kind: str  # "heading", "paragraph", "item", "table"
    text: str
    line: Line
    level: int = 0
    ordered: bool = False
    rows: list[list[str]] | None = None
    alone: str = "paragraph"  # what a table row is when no other row follows it

    def __post_init__(self) -> None:
        self.first_left = self.line.left if self.line else 0.0


def read_pdf(data: bytes, name: str) -> Draft:
    """Read a PDF with a text layer into a `Draft`; refuse one without text."""
    pdf = read_lines(data, name)
    if not any(line.text() for line in pdf.lines):
        raise CorpusError(f"{name}: no text layer; run OCR on it first.")
    body_size = _body_size(pdf.lines)
    lines, dropped = drop_furniture(pdf.lines)
    lines, notes = take_footnotes(lines, body_size)
    labels = {label for label, _ in notes}
    whole = " ".join(line.text() for line in lines).lower()
    words = frozenset(re.findall(r"\w+", whole))
    pieces = _pieces(lines, body_size, labels, _gap(lines), words)
    title = pdf.title
    if pieces and pieces[0].kind == "heading" and pieces[0].level == 1:
        title = pieces.pop(0).text
    if not title:
        raise CorpusError(f"{name}: no title found; give the PDF a first heading or a Title.")
    blocks = drafts.under_title(title, _blocks(pieces))
    return Draft(title, blocks, tuple(notes), pdf.version_date, tuple(dropped))


def _body_size(lines: list[Line]) -> float:
    """The size most characters are set in."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.chars)
    return sizes.most_common(1)[0][0]


def _gap(lines: list[Line]) -> float:
    """The usual distance between two lines of a paragraph."""
    gaps = [
        a.baseline - b.baseline
        for a, b in itertools.pairwise(lines)
        if a.page == b.page and 0 < a.baseline - b.baseline < 3 * a.size
    ]
    # a low quantile, not the median: in a short document the gaps between paragraphs,
    # headings and table rows can outnumber those between the lines of a paragraph
    return statistics.quantiles(gaps, n=5)[0] if len(gaps) > 1 else (gaps or [0.0])[0]


def _text(line: Line, labels: set[str]) -> str:
    """The line's words, a raised number that names a footnote written as `[^n]`."""
    out, mark = [], ""
    for char in [*line.chars, None]:  # None closes a mark at the line's end
        if char is not None and char.text.isdigit() and line.is_raised(char):
            mark += char.text
            continue
        if mark:
            out.append(f"[^{mark}]" if mark in labels else mark)
            mark = ""
        if char is not None:
            out.append(char.text)
    return "".join(out).strip()


def _cells(line: Line) -> list[str]:
    """Split a line where characters stand far apart: the columns of a table row."""
    cells, current, previous = [], "", None
    for char in line.chars:
        if previous is not None and char.x - previous.right > 1.2 * line.size and current.strip():
            cells.append(current.strip())
            current = ""
        current += char.text
        if not char.text.isspace():
            previous = char
    return [*cells, current.strip()] if current.strip() else cells


def _pieces(
    lines: list[Line], body: float, labels: set[str], gap: float, words: frozenset[str]
) -> list[_Piece]:
    heading_sizes = sorted({line.size for line in lines if line.size >= 1.15 * body}, reverse=True)
    pieces: list[_Piece] = []
    for line in lines:
        text = _text(line, labels)
        kind, level = _kind(line, text, body, heading_sizes)
        last = pieces[-1] if pieces else None
        # a table's header row is often bold: split before it can be taken for a heading
        bold_row = kind == "heading" and line.size < 1.15 * body
        cells = _cells(line) if kind == "paragraph" or bold_row else []
        if len(cells) > 1 and not (
            last and last.kind == "paragraph" and _continues(last, line, gap)
        ):
            if last and last.kind == "table" and last.rows and len(last.rows[0]) == len(cells):
                last.rows.append(cells)
            else:
                pieces.append(_Piece("table", text, line, level, rows=[cells], alone=kind))
        elif kind == "heading":
            if (
                last
                and last.kind == "heading"
                and last.level == level
                and last.line.page == line.page
            ):
                last.text = drafts.join_lines(last.text, text, " ")
            else:
                pieces.append(_Piece("heading", text, line, level))
        elif kind == "item":
            ordered = _NUMBERED.match(text) is not None
            item = (_NUMBERED.match(text) or _BULLET.match(text)).group(2)  # type: ignore[union-attr]
            pieces.append(_Piece("item", item, line, ordered=ordered))
        elif last and last.kind in ("paragraph", "item") and _continues(last, line, gap):
            last.text, last.line = drafts.join_lines(last.text, text, " ", words), line
        else:
            pieces.append(_Piece("paragraph", text, line))
    return [_single_row_tables_as_paragraphs(p) for p in pieces]


def _single_row_tables_as_paragraphs(piece: _Piece) -> _Piece:
    if piece.kind == "table" and piece.rows and len(piece.rows) < 2:
        return _Piece(piece.alone, piece.text, piece.line, piece.level)
    return piece


def _kind(line: Line, text: str, body: float, heading_sizes: list[float]) -> tuple[str, int]:
    if _BULLET.match(text) or _NUMBERED.match(text):
        return "item", 0
    short = len(text) <= _MAX_HEADING_CHARS and not text.endswith((".", ",", ";"))
    if line.size in heading_sizes and short:
        return "heading", heading_sizes.index(line.size) + 1
    if line.bold and short and line.size >= 0.95 * body:
        return "heading", len(heading_sizes) + 1
    return "paragraph", 0


def _continues(piece: _Piece, line: Line, gap: float) -> bool:
    """Whether `line` carries on the paragraph or list item before it."""
    before = piece.line
    if piece.kind == "item" and line.left <= piece.first_left + 2:
        return False  # not indented past the bullet: a new item or paragraph
    if before.page != line.page:  # across a page break: unless the sentence had ended
        return not piece.text.endswith(_SENTENCE_END) or line.text()[:1].islower()
    distance = before.baseline - line.baseline
    return 0 < distance <= 1.3 * gap if gap else False


def _blocks(pieces: list[_Piece]) -> list[str]:
    blocks: list[str] = []
    items: list[_Piece] = []
    for piece in [*pieces, _Piece("end", "", pieces[-1].line if pieces else None)]:  # type: ignore[arg-type]
        if piece.kind == "item" and (not items or items[-1].ordered == piece.ordered):
            items.append(piece)
            continue
        if items:
            blocks.append(drafts.list_block([i.text for i in items], ordered=items[0].ordered))
            items = [piece] if piece.kind == "item" else []
            if items:
                continue
        if piece.kind == "heading":
            blocks.append(drafts.heading(piece.level, piece.text))
        elif piece.kind == "paragraph":
            blocks.append(drafts.paragraph(piece.text))
        elif piece.kind == "table" and piece.rows:
            blocks.append(drafts.table(piece.rows))
    return blocks
