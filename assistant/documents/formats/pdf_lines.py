"""Read a PDF's text layer as lines of characters that keep their size, weight and position.

pypdfium2 (PDFium, BSD-3/Apache-2.0, wheels for every platform) gives each character's font
size, weight and origin: what headings (larger or bold), footnote marks (smaller and raised)
and page furniture (the same line at the same place on every page) are recognised from.
A 100-page PDF reads in about a second (BENCHMARKS.md). Does not decide what a line is: see
`pdf`.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from dataclasses import dataclass
from functools import cached_property

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from assistant.errors import CorpusError

_SOFT_HYPHENS = ("\x02", "\u00ad")
_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})(\d{2})")


@dataclass(frozen=True)
class Char:
    text: str
    size: float
    bold: bool
    x: float
    y: float  # baseline, from the page's bottom
    right: float


@dataclass
class Line:
    page: int
    page_height: float
    chars: list[Char]

    @cached_property
    def size(self) -> float:
        """The size most of the line's characters are set in."""
        sizes = [round(c.size, 1) for c in self.chars if not c.text.isspace()]
        return statistics.mode(sizes) if sizes else 0.0

    @cached_property
    def baseline(self) -> float:
        body = [c.y for c in self.chars if round(c.size, 1) == self.size] or [self.chars[0].y]
        return statistics.median(body)

    @cached_property
    def bold(self) -> bool:
        letters = [c for c in self.chars if c.text.isalnum()]
        return bool(letters) and sum(c.bold for c in letters) > 0.8 * len(letters)

    @cached_property
    def left(self) -> float:
        return min(c.x for c in self.chars if not c.text.isspace())

    @cached_property
    def right(self) -> float:
        return max(c.right for c in self.chars if not c.text.isspace())

    def is_raised(self, char: Char) -> bool:
        """A superscript: smaller than the line and set above its baseline."""
        return char.size < 0.85 * self.size and char.y > self.baseline + 0.15 * self.size

    def text(self) -> str:
        """The line's characters as they stand, footnote marks included."""
        return "".join(c.text for c in self.chars).strip()


@dataclass(frozen=True)
class PdfText:
    """A PDF's lines in reading order, and what its metadata says of it."""

    lines: list[Line]
    title: str
    version_date: str | None


def open_pdf(data: bytes, name: str) -> pdfium.PdfDocument:
    """Open a PDF, refusing an encrypted or unreadable one with what to do about it."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise CorpusError(
                f"{name}: the PDF is encrypted; save an unprotected copy and add that."
            ) from None
        raise CorpusError(
            f"{name}: not a readable PDF ({error}); is it truncated or another kind of file?"
        ) from None


def read_lines(data: bytes, name: str) -> PdfText:
    """Every line of every page, top to bottom, with the file's title and date if it has them."""
    document = open_pdf(data, name)
    try:
        lines: list[Line] = []
        for number in range(len(document)):
            page = document[number]
            lines += _page_lines(page, number)
        metadata = document.get_metadata_dict(skip_empty=True)
    except pdfium.PdfiumError as error:
        raise CorpusError(f"{name}: the PDF is damaged ({error}); export it again.") from None
    finally:
        document.close()
    dated = _PDF_DATE.match(metadata.get("ModDate", "") or metadata.get("CreationDate", ""))
    version_date = "-".join(dated.groups()) if dated else None
    return PdfText(lines, metadata.get("Title", "").strip(), version_date)


def _font_is_bold(font: pdfium_c.FPDF_FONT, buffer: ctypes.Array) -> bool:
    if pdfium_c.FPDFFont_GetWeight(font) >= 600:
        return True
    length = pdfium_c.FPDFFont_GetBaseFontName(font, buffer, len(buffer))
    name = buffer.raw[: max(length - 1, 0)].decode("latin-1").lower()
    return "bold" in name or "black" in name or "heavy" in name


def _page_lines(page: pdfium.PdfPage, number: int) -> list[Line]:
    """Group a page's characters into lines by baseline; superscripts join their line."""
    textpage = page.get_textpage()
    height = page.get_height()
    raw = textpage.raw
    x, y = ctypes.c_double(), ctypes.c_double()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    buffer = ctypes.create_string_buffer(128)
    lines: list[Line] = []
    current: list[Char] = []
    body: Char | None = None
    bold_fonts: dict[int | None, bool] = {}
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(raw, index)
        text = chr(code) if code else ""
        if text in ("\r", "\n") or not text:
            continue
        if text in _SOFT_HYPHENS:  # PDFium writes any hyphen ending a line so; `pdf` decides
            text = "-"
        pdfium_c.FPDFText_GetCharOrigin(raw, index, x, y)
        pdfium_c.FPDFText_GetCharBox(raw, index, left, right, bottom, top)
        size = pdfium_c.FPDFText_GetFontSize(raw, index)
        font = pdfium_c.FPDFTextObj_GetFont(pdfium_c.FPDFText_GetTextObject(raw, index))
        address = ctypes.cast(font, ctypes.c_void_p).value
        if address not in bold_fonts:  # a page has a handful of fonts: ask once for each
            bold_fonts[address] = _font_is_bold(font, buffer)
        char = Char(text, size, bold_fonts[address], x.value, y.value, right.value)
        if current and body and not _same_line(body, current[-1], char):
            lines.append(Line(number, height, current))
            current = []
        if not current or body is None or char.size > body.size:
            body = char
        current.append(char)
    if current:
        lines.append(Line(number, height, current))
    textpage.close()
    # top to bottom: producers may write a page's footnotes or footer after its body
    return sorted((line for line in lines if line.text()), key=lambda line: -line.baseline)


def _same_line(body: Char, last: Char, char: Char) -> bool:
    """Whether `char` continues the line whose largest character is `body` and last `last`:
    not if it sits on another baseline or goes back left. A raised, smaller character (a
    footnote mark) stays on its line, before or after text."""
    if char.x < last.x - 2 * max(body.size, char.size):
        return False
    if body.size < 0.85 * char.size:  # the line so far is only a mark
        return -0.3 * char.size <= body.y - char.y < 0.7 * char.size
    distance = char.y - body.y
    if abs(distance) <= 0.3 * body.size:
        return True
    return char.size < 0.85 * body.size and 0 < distance < 0.7 * body.size
