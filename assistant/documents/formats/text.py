"""Read Markdown and PDF-extracted text files into a `Draft`.

A `.txt` file is taken as text extracted from a PDF, and repaired by `cleaning`; a `.md` file
is already a corpus document, checked by the corpus parser and taken as it is.
"""

from __future__ import annotations

import re

from assistant.documents.cleaning import pdf_text_draft
from assistant.documents.corpus import decode, parse_document
from assistant.documents.drafts import Draft
from assistant.errors import CorpusError

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---[ \t]*\n", re.DOTALL)


def _text(data: bytes, name: str) -> str:
    text = decode(data.removeprefix(b"\xef\xbb\xbf"), name).replace("\r\n", "\n")
    if not any(ch.isalnum() for ch in text):
        raise CorpusError(f"{name}: has no words in it; nothing to add.")
    return text


def read_pdf_text(data: bytes, name: str) -> Draft:
    """Read text extracted from a PDF, repairing its footnotes, headings and lists."""
    return pdf_text_draft(_text(data, name), source=name)


def read_markdown(data: bytes, name: str) -> Draft:
    """Read a Markdown corpus document as it is, after the corpus parser accepts it."""
    text = _text(data, name)
    document = parse_document(text.encode(), name)
    body = _FRONT_MATTER.sub("", text, count=1).strip()
    lines = body.split("\n")
    if lines and lines[0].lstrip("# ").strip() == document.title and lines[0].startswith("# "):
        body = "\n".join(lines[1:]).strip()
    return Draft(document.title, (body,), (), document.metadata.get("version_date"))
