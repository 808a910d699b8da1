"""Turn answers and policy documents into HTML that shows text as text, whatever it contains.

Every ASCII character of a question or of the corpus that could start HTML *or* Markdown
syntax is written as a numeric entity (control characters become spaces), so `<script>`,
`<img onerror=…>`, `![x](http://…)` or `&amp;` are displayed literally by the chat's Markdown
renderer and by the browser, never run, fetched or linked. Only the tags built here are
markup. Does not decide what to show: see `web`.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from assistant.answer import Answer, Passage
from assistant.documents.corpus import FOOTNOTE_MARK, parse_document
from assistant.translations import outcome_message

# a reference, or a definition's label with its colon
_FOOTNOTE_MARK_OR_LABEL = re.compile(FOOTNOTE_MARK.pattern + ":?")


def _entity(ch: str) -> str:
    if ch.isalnum():
        return ch
    if ch == "\n":
        return "&#10;"
    if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cs"):
        return "&#32;"  # also spaces: four of them would start a Markdown code block
    return f"&#{ord(ch)};" if ch.isascii() else ch  # HTML/Markdown syntax is all ASCII


def text_html(text: str) -> str:
    """Escape text so that neither an HTML nor a Markdown parser finds any syntax in it."""
    out: list[str] = []
    for position, ch in enumerate(text):
        piece = _entity(ch)
        if piece == "&#32;" and position and out[-1] not in ("&#32;", " ", "&#10;"):
            piece = " "  # a single space between words is not syntax; keeps the HTML readable
        out.append(piece)
    return "".join(out)


def prose_html(text: str) -> str:
    """Escape text and show its footnote references (`[^4]`) as superscripts."""
    parts = []
    position = 0
    for match in _FOOTNOTE_MARK_OR_LABEL.finditer(text):
        parts.append(text_html(text[position : match.start()]))
        parts.append(f"<sup>{text_html(match.group(1))}</sup>")
        position = match.end()
    parts.append(text_html(text[position:]))
    return "".join(parts)


def marked_html(text: str, start: int, end: int, marks: Iterable[tuple[int, int, str]]) -> str:
    """Render `text[start:end]`, wrapping each absolute span of `marks` in `<mark class=…>`."""
    cuts = {start, end}
    spans = [(max(a, start), min(b, end), css) for a, b, css in marks if a < end and b > start]
    for a, b, _ in spans:
        cuts.update((a, b))
    points = sorted(cuts)
    out = []
    for a, b in itertools.pairwise(points):
        piece = prose_html(text[a:b])
        for lo, hi, css in spans:
            if lo <= a and b <= hi:
                piece = f'<mark class="{css}">{piece}</mark>'
        out.append(piece)
    return "".join(out)


def policy_link(base_url: str, passage: Passage) -> str:
    """Return the URL of the policy page with this passage and its answer sentence marked."""
    query = urlencode(
        {
            "source": passage.source,
            "start": passage.start,
            "end": passage.end,
            "answer_start": passage.highlight_start,
            "answer_end": passage.highlight_end,
        }
    )
    return f"{base_url.rstrip('/')}/policy?{query}#passage"


def reply_html(
    answer: Answer, words: Mapping[str, Any], base_url: str, notice: str | None = None
) -> str:
    """Render a chat reply for each outcome: an answer (the passage with its answer sentence
    marked), related passages under a heading saying they are not an answer, or a message.

    The interface's words are in the visitor's language; the policy's are marked `lang="en"`.
    """
    if answer.outcome == "related":
        body = _related_html(answer, words, base_url)
    elif answer.curated_by and not answer.answered:
        body = _redirect_html(answer, words)
    elif not answer.answered:
        message = outcome_message(words["code"], answer.outcome, answer.missing)
        body = [f"<p>{text_html(message)}</p>"]
    else:
        body = _answer_html(answer, words, base_url)
    css = {"answered": "pa-reply", "related": "pa-reply pa-related"}.get(
        answer.outcome, f"pa-reply pa-outside pa-{answer.outcome}"
    )
    if notice:
        body.append(f'<p class="pa-notice">{text_html(notice)}</p>')
    return f'<div class="{css}">{"".join(body)}</div>'


def _link_to(base_url: str, passage: Passage) -> str:
    return html.escape(policy_link(base_url, passage), quote=True)


def _term_html(passage: Passage) -> str:
    """A footnote names the term it defines: "CDEFI — Conférence des Directeurs…"."""
    return f'<b class="pa-term">{text_html(passage.term)}</b> — ' if passage.term else ""


def _where(passage: Passage) -> str:
    """ "Title › Section", or the title alone for its opening passages."""
    if passage.section == passage.title:
        return passage.title
    return f"{passage.title} › {passage.section}"


def _document_html(passage: Passage, words: Mapping[str, Any]) -> str:
    """Name the document quoted and its version: the corpus may hold several."""
    dated = f" ({text_html(passage.version_date)})" if passage.version_date else ""
    return (
        f'<p class="pa-document">{text_html(words["document"])}: '
        f'<span lang="en" dir="ltr">{text_html(passage.title)}</span>{dated}</p>'
    )


def _passage_list_html(passages: Iterable[Passage], base_url: str) -> str:
    items = "".join(
        f'<li lang="en" dir="ltr"><a href="{_link_to(base_url, passage)}" target="_blank" '
        f'rel="noopener">{text_html(_where(passage))}</a>: '
        f"{_term_html(passage)}{prose_html(passage.highlight)}</li>"
        for passage in passages
    )
    return f'<ul class="pa-others">{items}</ul>'


def _answer_html(answer: Answer, words: Mapping[str, Any], base_url: str) -> list[str]:
    best, *others = answer.passages
    pinned = f'<p class="pa-pinned">{text_html(words["pinned"])}</p>' if best.pinned else ""
    parts = [
        pinned,
        f'<p class="pa-section">{text_html(words["section"])}: '
        f'<span lang="en" dir="ltr">{text_html(best.section)}</span></p>',
        _document_html(best, words),
        f'<blockquote class="pa-passage" lang="en" dir="ltr">{_term_html(best)}',
        # the passage text is exactly document[start:end], so spans shift by `start`
        marked_html(
            best.text,
            0,
            len(best.text),
            [(best.highlight_start - best.start, best.highlight_end - best.start, "pa-answer")],
        ),
        "</blockquote>",
        f'<p><a class="pa-link" href="{_link_to(base_url, best)}" target="_blank" '
        f'rel="noopener">{text_html(words["open_policy"])}</a></p>',
    ]
    if others:
        parts.append(f'<p class="pa-more">{text_html(words["also"])}</p>')
        parts.append(_passage_list_html(others, base_url))
    return parts


def _redirect_html(answer: Answer, words: Mapping[str, Any]) -> list[str]:
    """The office's message, as text, and its page (checked as http(s) when it was read)."""
    parts = [f'<p class="pa-message">{text_html(answer.message or "")}</p>']
    if answer.link:
        parts.append(
            f'<p><a class="pa-redirect" href="{html.escape(answer.link, quote=True)}" '
            f'target="_blank" rel="noopener noreferrer">{text_html(words["redirect_link"])}</a></p>'
        )
    return parts


def _related_html(answer: Answer, words: Mapping[str, Any], base_url: str) -> list[str]:
    message = outcome_message(words["code"], "related", answer.missing)
    return [
        f'<p class="pa-message">{text_html(message)}</p>',
        f'<p class="pa-related-heading"><strong>{text_html(words["related_heading"])}</strong></p>',
        _passage_list_html(answer.related, base_url),
    ]


def policy_page_html(
    source: str, document: str, passage: tuple[int, int], answer: tuple[int, int]
) -> str:
    """Render a whole policy document with one passage and its answer sentence marked."""
    parsed = parse_document(document.encode("utf-8"), source)
    marks = [(*passage, "pa-passage"), (*answer, "pa-answer")]
    body = [f"<h1>{text_html(parsed.title)}</h1>"]
    section = parsed.title
    anchored = False
    for block in parsed.blocks:
        if block.section != section and block.kind != "footnote":
            section = block.section
            body.append(f"<h2>{text_html(section)}</h2>")
        html = marked_html(parsed.text, block.start, block.end, marks)
        if not anchored and passage[0] < block.end and block.start < passage[1]:
            html = f'<span id="passage"></span>{html}'  # the link's #passage scrolls here
            anchored = True
        body.append(f'<p class="pa-{block.kind}">{html}</p>')
    return "".join(body)
