"""Read a policy file of any supported kind into a `Draft`: PDF, Word, web page, Markdown or
PDF-extracted text. Each kind is checked to be what its name says before it is parsed, and
anything too large, empty, encrypted or damaged is refused with one line saying what to do.

Does not write anything: see `library`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.documents.drafts import Draft
from assistant.errors import CorpusError

MAX_FILE_BYTES = 50 * 1024 * 1024  # the policy PDF is 0.2 MB; a 300-page scan-free PDF ~10 MB
KINDS = {".pdf": "PDF", ".docx": "Word", ".html": "HTML", ".htm": "HTML", ".md": "Markdown",
         ".txt": "text"}  # fmt: skip


def read_source(path: Path) -> tuple[Draft, bytes]:
    """Read one file into a `Draft`; return it with the file's bytes (for its SHA-256)."""
    name = path.name
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise CorpusError(
            f"{name}: cannot add a {path.suffix or 'suffix-less'} file; "
            f"add one of {', '.join(KINDS)}."
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(
                f"{name}: is {size / 1024 / 1024:.0f} MB; the largest file add takes is "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB. Is it the policy, without scanned pages?"
            )
        data = path.read_bytes()
    except OSError as error:
        raise CorpusError(f"{name}: cannot be read ({error.strerror}).") from None
    if not data.strip():
        raise CorpusError(f"{name}: the file is empty; nothing to add.")
    reader = _reader(path.suffix.lower(), data, name)
    try:
        return reader(data, name), data
    except CorpusError:
        raise
    except Exception as error:  # a library's own failure on a damaged file: never a traceback
        raise CorpusError(
            f"{name}: cannot be read as a {kind} file ({type(error).__name__}: {error}); "
            "open it in the application that made it and save it again."
        ) from None


def _reader(suffix: str, data: bytes, name: str) -> Callable[[bytes, str], Draft]:
    if suffix == ".pdf":
        head = data[:1024].lstrip().lower()
        looks_html = head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))
        if not data[:1024].lstrip(b"\0\r\n\t ").startswith(b"%PDF-"):
            what = "HTML" if looks_html else "something else"
            raise CorpusError(f"{name}: is not a PDF (it looks like {what}); save it as PDF.")
        from assistant.documents.formats.pdf import read_pdf

        return read_pdf
    if suffix == ".docx":
        if not data.startswith(b"PK\x03\x04"):
            raise CorpusError(f"{name}: is not a Word .docx file; save it as .docx from Word.")
        from assistant.documents.formats.word import read_docx

        return read_docx
    if suffix in (".html", ".htm"):
        from assistant.documents.formats.web_page import read_html

        return read_html
    from assistant.documents.formats.text import read_markdown, read_pdf_text

    return read_markdown if suffix == ".md" else read_pdf_text
