"""Turn text extracted from a policy PDF into a structured Markdown corpus document.

Repairs what PDF extraction breaks: footnote numbers glued to words (`AGERA1 )`) and to
footnote lines (`1Alliance…`), headings and list items left as bare lines, and page-footer
fragments. Does not guess at anything else: the policy's own words pass through unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.documents.drafts import Draft, render
from assistant.errors import CorpusError

_FOOTNOTE_LINE = re.compile(r"^(\d{1,2})(?!\.\s)(\S.*)$")
_LIST_ITEM = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
_SENTENCE_END = (".", "!", "?", ":", ";", ",", ")", "”", '"')
_MAX_HEADING_CHARS = 80


@dataclass(frozen=True)
class CleanedText:
    markdown: str
    dropped: tuple[str, ...]  # lines judged page furniture, reported so nothing vanishes unseen


def _split_footnotes(lines: list[str]) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """Separate body lines, the numbered footnotes at the end, and trailing page furniture."""
    end = len(lines)
    dropped: list[str] = []
    # Walk back over blank lines and short unpunctuated fragments after the footnotes.
    while end and (not lines[end - 1].strip() or not _FOOTNOTE_LINE.match(lines[end - 1])):
        if lines[end - 1].strip():
            dropped.append(lines[end - 1].strip())
        end -= 1
    start = end
    expected = None
    while start and (match := _FOOTNOTE_LINE.match(lines[start - 1])):
        number = int(match.group(1))
        if expected is not None and number != expected - 1:
            break
        expected = number
        start -= 1
    if expected != 1:
        return [line for line in lines if line.strip()], [], []
    notes = [_FOOTNOTE_LINE.match(line).groups() for line in lines[start:end]]  # type: ignore[union-attr]
    return lines[:start], [(n, text.strip()) for n, text in notes], list(reversed(dropped))


def _attach_references(line: str, numbers: set[str]) -> str:
    """Rewrite `AGERA1 )` as `AGERA[^1])`: a known footnote number glued to a word."""

    def replace(match: re.Match[str]) -> str:
        word, number = match.group(1), match.group(2)
        return f"{word}[^{number}]" if number in numbers else match.group(0)

    return re.sub(r"([A-Za-zÀ-ÿ]{2,})(\d{1,2}) ?(?=[\s),.;:]|$)", replace, line)


def _is_heading(line: str, next_line: str | None) -> bool:
    text = line.strip()
    return (
        0 < len(text) <= _MAX_HEADING_CHARS
        and text[0].isupper()
        and not text.endswith(_SENTENCE_END)
        and not _LIST_ITEM.match(text)
        and next_line is not None
    )


def pdf_text_draft(raw: str, *, source: str) -> Draft:
    """Recover the structure of PDF-extracted text: title, headings, lists, footnotes."""
    lines = [line.rstrip() for line in raw.replace("\r\n", "\n").split("\n")]
    body, notes, dropped = _split_footnotes(lines)
    numbers = {number for number, _ in notes}
    body = [line.strip() for line in body if line.strip()]
    if not body:
        raise CorpusError(f"{source}: the text has no body lines (only blank lines or footnotes)")

    blocks: list[str] = []
    previous_kind = "heading"
    for position, line in enumerate(body[1:], start=1):
        following = body[position + 1] if position + 1 < len(body) else None
        if _LIST_ITEM.match(line):
            item = _attach_references(line, numbers)
            if previous_kind == "list":
                blocks[-1] += "\n" + item
            else:
                blocks.append(item)
            previous_kind = "list"
        elif _is_heading(line, following):
            blocks.append(f"## {line}")
            previous_kind = "heading"
        else:
            blocks.append(_attach_references(line, numbers))
            previous_kind = "paragraph"
    return Draft(body[0], tuple(blocks), tuple(notes), dropped=tuple(dropped))


def clean_pdf_text(raw: str, *, source: str, version_date: str) -> CleanedText:
    """Convert PDF-extracted policy text into Markdown with front matter and real footnotes."""
    draft = pdf_text_draft(raw, source=source)
    metadata = {"title": draft.title, "source": source, "language": "en"}
    markdown = render(draft, metadata=metadata | {"version_date": version_date})
    return CleanedText(markdown, draft.dropped)
