"""Turn a Word file (.docx) into a `Draft`, through the HTML that mammoth (BSD-2) makes of it.

mammoth reads Word's own structure (heading styles, numbered and bulleted lists, real
footnotes, tables) rather than its looks, and the HTML goes through the same reader as a web
page. A .docx is a zip: its sizes are checked before anything is inflated, so a zip bomb is
refused instead of filling memory. Does not read .doc (Word 97) files.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from assistant.documents.drafts import Draft
from assistant.documents.formats.web_page import read_html
from assistant.errors import CorpusError

MAX_INFLATED_BYTES = 200 * 1024 * 1024  # a 300-page policy with images is well under this
MAX_RATIO = 200  # text compresses about 5 to 10 times; 200 is only reached by a bomb
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>(\d{4}-\d{2}-\d{2})")
_TITLE = re.compile(rb"<dc:title>([^<]+)</dc:title>")
# Word's "Title" style is the document's title, not a paragraph.
_STYLE_MAP = "p[style-name='Title'] => h1:fresh"


def read_docx(data: bytes, name: str) -> Draft:
    """Read a .docx file into a `Draft`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        _check_sizes(archive, name)
        core = (
            archive.read("docProps/core.xml") if "docProps/core.xml" in archive.namelist() else b""
        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
        raise CorpusError(f"{name}: not a readable Word file ({error}).") from None
    if "word/document.xml" not in archive.namelist():
        raise CorpusError(f"{name}: not a Word document (no word/document.xml inside).")
    import mammoth  # only when a Word file is added

    try:
        html = mammoth.convert_to_html(io.BytesIO(data), style_map=_STYLE_MAP).value
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise CorpusError(f"{name}: the Word file is damaged ({error}); save it again.") from None
    title = _TITLE.search(core)
    page = f"<html><body>{html}</body></html>".encode()
    fallback = title.group(1).decode("utf-8", "replace") if title else Path(name).stem
    draft = read_html(page, name, whole=True, title=fallback)
    dated = _MODIFIED.search(core)
    if dated:
        return Draft(draft.title, draft.blocks, draft.footnotes, dated.group(1).decode())
    return draft


def _check_sizes(archive: zipfile.ZipFile, name: str) -> None:
    inflated = 0
    for member in archive.infolist():
        inflated += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if inflated > MAX_INFLATED_BYTES or (member.file_size > 1_000_000 and ratio > MAX_RATIO):
            raise CorpusError(
                f"{name}: refused: it would inflate to {member.file_size / 1e6:.0f} MB from "
                f"{member.compress_size / 1e6:.1f} MB (a zip bomb?); open and save it in Word."
            )
