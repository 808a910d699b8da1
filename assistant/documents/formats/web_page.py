"""Turn an HTML page (or the HTML `mammoth` makes of a Word file) into a `Draft`.

A web page keeps only its main content: `<main>`, `<article>` or `role="main"` when the page
marks it, else what readability-lxml (Apache-2.0) finds; navigation, headers with menus,
footers, asides, forms and cookie or consent banners are dropped first. Headings, paragraphs,
lists, tables and footnotes (a link to a list item, the way pandoc, Word and wikis write them)
keep their structure. Does not run scripts or fetch anything.
"""

from __future__ import annotations

import re

import lxml.html
from lxml.html import HtmlElement

from assistant.documents import drafts
from assistant.documents.drafts import Draft
from assistant.errors import CorpusError

_NOISE_TAGS = ("script", "style", "noscript", "template", "nav", "aside", "footer", "button",
               "input", "select", "textarea", "iframe", "svg", "dialog")  # fmt: skip
_NEVER_NOISE = ("html", "body", "main", "article")  # "has-cookie-banner" on <body> is a state
_NOISE_NAMES = re.compile(r"cookie|consent|gdpr|banner|breadcrumb|skip-link|newsletter", re.I)
_NOISE_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search", "dialog")
_DATE_METAS = ("dcterms.modified", "dcterms.date", "article:modified_time", "date",
               "last-modified", "dc.date")  # fmt: skip
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_CONTAINERS = ("div", "section", "article", "main", "body", "header", "figure", "center")
_NOTE_LABEL = re.compile(r"\[?(\d{1,3})\]?")  # the whole text of a footnote's link: 1 or [1]
_HEADINGS = ".//h1|.//h2|.//h3|.//h4|.//h5|.//h6"


def read_html(data: bytes, name: str, *, whole: bool = False, title: str = "") -> Draft:
    """Read a page's main content (or, with `whole`, all of it) into a `Draft`; `title` is
    used when the page has neither an `<h1>` first nor a `<title>`."""
    text = _as_text(data)
    if "\0" in (text if isinstance(text, str) else text.decode("latin-1")):
        raise CorpusError(f"{name}: is not a web page (it holds binary data); save it as HTML.")
    try:
        page = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError, AssertionError) as error:
        raise CorpusError(f"{name}: not readable HTML ({error}); save the page again.") from None
    version_date = _version_date(page)
    page_title = " ".join((page.findtext(".//title") or "").split()) or title
    _drop_noise(page)
    footnotes = _take_footnotes(page)  # before readability, which drops a page's notes
    content = page.find("body") if whole else _main_content(page)
    if content is None or not content.text_content().strip():
        raise CorpusError(f"{name}: the page has no text content to add.")
    walker = _Walker()
    walker.walk(content)
    blocks = walker.blocks
    title = page_title
    if blocks and blocks[0].startswith("# "):
        title = blocks.pop(0)[2:]
    if not blocks:
        raise CorpusError(f"{name}: the page has no text content to add.")
    if not title:
        raise CorpusError(f"{name}: no title found; give the page an <h1> or a <title>.")
    return Draft(title, drafts.under_title(title, blocks), tuple(footnotes), version_date)


def _as_text(data: bytes) -> str | bytes:
    """UTF-8 text as text; anything else as bytes, for lxml to decode by the page's charset."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return data
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses text that declares bytes


def _version_date(page: HtmlElement) -> str | None:
    for meta in page.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("http-equiv") or "").lower()
        if key in _DATE_METAS and (date := _ISO_DATE.search(meta.get("content", ""))):
            return date.group(1)
    return None


def _drop_noise(page: HtmlElement) -> None:
    for element in list(page.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        names = f"{element.get('id', '')} {element.get('class', '')}"
        noisy = (
            element.tag in _NOISE_TAGS
            or element.get("role", "") in _NOISE_ROLES
            or element.get("aria-hidden") == "true"
            or _NOISE_NAMES.search(names) is not None
            or (element.tag == "header" and not element.xpath(_HEADINGS))
        )
        if noisy and element.tag not in _NEVER_NOISE:
            element.drop_tree()


def _main_content(page: HtmlElement) -> HtmlElement | None:
    for path in (".//main", ".//*[@role='main']", ".//article"):
        found = page.find(path) if "@" not in path else next(iter(page.xpath(path)), None)
        if found is not None and found.text_content().strip():
            return found
    from readability import Document  # only for pages that do not say where their content is

    summary = Document(lxml.html.tostring(page)).summary(html_partial=True)
    return lxml.html.fragment_fromstring(summary, create_parent="div")


def _take_footnotes(page: HtmlElement) -> list[tuple[str, str]]:
    """Take out the footnotes, list items that in-page links point to with a number (or
    `[n]`) as their text, writing each link as `[^n]`; return the definitions."""
    items = {li.get("id"): li for li in page.iter("li") if li.get("id")}
    labels: dict[str, str] = {}
    for link in list(page.iter("a")):
        target = (link.get("href") or "").removeprefix("#")
        number = _NOTE_LABEL.fullmatch((link.text_content() or "").strip())
        if target in items and number and not _inside(link, items[target]):
            if target not in labels:  # Word numbers footnotes and endnotes both from 1
                label = number.group(1)
                while label in labels.values():
                    label += "e"
                labels[target] = label
            mark = lxml.html.Element("span")
            mark.text, mark.tail = f"[^{labels[target]}]", link.tail
            link.getparent().replace(link, mark)
    definitions = []
    for target, label in labels.items():
        item = items[target]
        for backlink in item.xpath(".//a[starts-with(@href, '#')]"):
            backlink.drop_tree()
        definitions.append((label, _inline(item)))
        parent = item.getparent()
        item.drop_tree()
        if parent is not None and not parent.text_content().strip():
            parent.drop_tree()
    for section in page.xpath("//*[@role='doc-endnotes' or contains(@class, 'footnotes')]"):
        section.drop_tree()
    return definitions


def _inside(element: HtmlElement, ancestor: HtmlElement) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())


def _inline(element: HtmlElement) -> str:
    """An element's text, line breaks as spaces."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(" " if child.tag == "br" else _inline(child))
        parts.append(child.tail or "")
    return drafts.tidy("".join(parts))


class _Walker:
    """Collect the blocks of a content element in reading order."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.loose: list[str] = []  # text sitting directly in a container, outside any block

    def walk(self, element: HtmlElement) -> None:
        self._loose(element.text)
        for child in element:
            if isinstance(child.tag, str):
                self._element(child)
            self._loose(child.tail)
        self._flush()

    def _loose(self, text: str | None) -> None:
        if text and text.strip():
            self.loose.append(text)

    def _flush(self) -> None:
        if self.loose and (text := drafts.tidy(" ".join(self.loose))):
            self.blocks.append(drafts.paragraph(text))
        self.loose = []

    def _element(self, child: HtmlElement) -> None:
        tag = child.tag
        if tag in _CONTAINERS:
            self._flush()
            self.walk(child)
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            if text := _inline(child):
                self.blocks.append(drafts.heading(int(tag[1]), text))
        elif tag in ("ul", "ol"):
            self._flush()
            items = [_inline(li) for li in child.findall("li")]
            if items := [item for item in items if item]:
                self.blocks.append(drafts.list_block(items, ordered=tag == "ol"))
        elif tag == "table":
            self._flush()
            rows = [[_inline(cell) for cell in row.xpath("th|td")]
                    for row in child.iter("tr")]  # fmt: skip
            if rows := [row for row in rows if any(row)]:
                self.blocks.append(drafts.table(rows))
        elif tag in ("p", "blockquote", "pre", "dl", "address"):
            self._flush()
            if text := _inline(child):
                self.blocks.append(drafts.paragraph(text))
        elif tag not in ("hr", "img", "picture", "video", "audio", "map"):
            self.loose.append(_inline(child))
