"""The office's curation, kept with the policy: pinned passages and redirects.

`corpus/curation.yml` is content, versioned and reviewed like the policy. A pin says "for this
question, and questions like it, this passage is the answer" (the passage is named by a phrase
it contains, so it survives edits elsewhere in the policy); a redirect says "this is not in the
policy: say this, and link there". `read_curation` reports every problem by line and keeps every
sound entry; `write_curation` rewrites the file in its canonical form (hand comments other than
the header are not kept). Does not embed or match questions: see `retrieval.curation`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml

from assistant.config import FALLBACK_LANGUAGE, MAX_QUESTION_CHARS
from assistant.documents.library import write_atomically

CURATION_FILE = "curation.yml"
MAX_MESSAGE_CHARS = 1000
MAX_LINK_CHARS = 2000
HEADER = (
    "# What the international relations office has curated, kept with the policy.\n"
    "# pins: questions like `question` get the passage holding `passage` first.\n"
    "# redirects: questions like `question` are not in the policy; the reply is `message`\n"
    "# (by language, English the fallback) with `link`.\n"
    "# Edited by `python -m assistant pin|unpin|redirect|unredirect` or by hand: see README.\n"
)
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")  # used with fullmatch


@dataclass(frozen=True)
class Pin:
    question: str
    passage: str  # an exact phrase of the pinned passage
    line: int = field(default=0, compare=False)  # where it is in the file, for messages

    @property
    def key(self) -> str:
        return entry_key("pin", self.question)


@dataclass(frozen=True)
class Redirect:
    question: str
    messages: Mapping[str, str]  # language code -> message; English always present
    link: str | None = None
    line: int = field(default=0, compare=False)

    @property
    def key(self) -> str:
        return entry_key("redirect", self.question)

    def message(self, language: str) -> str:
        """The message in `language`, or in English when the office wrote none in it."""
        return self.messages.get(language) or self.messages[FALLBACK_LANGUAGE]


Entry = TypeVar("Entry", Pin, Redirect)


@dataclass(frozen=True)
class Curation:
    pins: tuple[Pin, ...] = ()
    redirects: tuple[Redirect, ...] = ()
    problems: tuple[str, ...] = field(default=(), compare=False)  # "curation.yml line 4: …"

    @property
    def questions(self) -> tuple[str, ...]:
        """Every curated question, pins first: the texts the index embeds as queries."""
        return tuple(p.question for p in self.pins) + tuple(r.question for r in self.redirects)


def entry_key(kind: str, question: str) -> str:
    """A stable name for a pin or redirect: the question log counts its firings under it."""
    digest = hashlib.sha256(same_question(question).encode("utf-8")).hexdigest()[:10]
    return f"{kind}-{digest}"


def same_question(question: str) -> str:
    """Fold case, width and spacing, so that a question is found however it is retyped."""
    return " ".join(unicodedata.normalize("NFKC", question).casefold().split())


def check_link(link: str) -> str:
    """Return the link if it is an absolute http(s) URL; raise ValueError saying why not."""
    link = link.strip()
    if len(link) > MAX_LINK_CHARS:
        raise ValueError(f"the link is longer than {MAX_LINK_CHARS} characters")
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in link):
        raise ValueError("the link contains spaces or control characters")
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the link must start with https:// or http:// (got {link[:80]!r})")
    return link


def check_text(text: object, what: str, limit: int) -> str:
    """Return `text` stripped, if it is non-empty text within `limit` characters."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{what} must be non-empty text")
    # control characters (a terminal's escape codes) become spaces, then spacing is collapsed
    cleaned = " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())
    if not cleaned:
        raise ValueError(f"{what} must be non-empty text")
    if len(cleaned) > limit:
        raise ValueError(f"{what} is longer than {limit:,} characters")
    return cleaned


def read_curation(corpus_dir: Path) -> Curation:
    """Read `corpus_dir/curation.yml` (absent: nothing curated); report problems by line."""
    path = corpus_dir / CURATION_FILE
    if not path.is_file():
        return Curation()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Curation(problems=(f"{CURATION_FILE}: cannot be read ({error}); nothing curated",))
    return parse_curation(text)


def parse_curation(text: str) -> Curation:
    """Parse the file's text; a malformed entry is reported by its line and skipped."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        return Curation(
            problems=(f"{CURATION_FILE}{where}: not valid YAML ({reason}); nothing curated",)
        )
    if root is None:
        return Curation()
    problems: list[str] = []
    if not isinstance(root, yaml.MappingNode):
        return Curation(problems=(_problem(root, "expected `pins:` and `redirects:` lists"),))
    sections: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        name = key_node.value
        if name in sections:  # YAML keeps the last one; the office would lose the first
            problems.append(_problem(key_node, f"a second `{name}:` section; write one list"))
        elif name in ("pins", "redirects"):
            sections[name] = value_node
        else:
            problems.append(_problem(key_node, f"unknown section {name!r} ignored"))
    pins = _entries(sections.get("pins"), _pin, problems)
    redirects = _entries(sections.get("redirects"), _redirect, problems)
    return Curation(
        tuple(_first_of_each(pins, problems)),
        tuple(_first_of_each(redirects, problems)),
        tuple(sorted(problems, key=_line_of)),
    )


def write_curation(corpus_dir: Path, curation: Curation) -> Path:
    """Write the pins and redirects to `corpus_dir/curation.yml` (atomically)."""
    data: dict[str, Any] = {
        "pins": [{"question": p.question, "passage": p.passage} for p in curation.pins],
        "redirects": [
            {"question": r.question, "message": dict(r.messages)}
            | ({"link": r.link} if r.link else {})
            for r in curation.redirects
        ],
    }
    text = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path = corpus_dir / CURATION_FILE
    write_atomically(path, text.encode("utf-8"))
    return path


def _line_of(problem: str) -> int:
    found = re.match(rf"{re.escape(CURATION_FILE)} line (\d+)", problem)
    return int(found.group(1)) if found else 0


def _problem(node: yaml.Node, message: str) -> str:
    return f"{CURATION_FILE} line {node.start_mark.line + 1}: {message}"


def _entries(section: yaml.Node | None, parse: Any, problems: list[str]) -> list[Any]:
    if section is None or (isinstance(section, yaml.ScalarNode) and section.value in ("", "~")):
        return []
    if not isinstance(section, yaml.SequenceNode):
        problems.append(_problem(section, "expected a list of entries (`- question: …`)"))
        return []
    entries = []
    for node in section.value:
        try:
            entries.append(parse(node))
        except ValueError as error:
            problems.append(_problem(node, f"{error}; entry skipped"))
    return entries


def _fields(node: yaml.Node, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(node, yaml.MappingNode):
        raise ValueError("expected `question:` and the entry's other fields")
    found: dict[str, Any] = {}
    for key_node, value_node in node.value:
        name = key_node.value
        if name not in allowed:
            raise ValueError(f"unknown field {name!r} (expected {', '.join(allowed)})")
        if name in found:
            raise ValueError(f"`{name}` is given twice")
        try:
            found[name] = yaml.constructor.SafeConstructor().construct_object(value_node, deep=True)
        except (yaml.YAMLError, AttributeError, TypeError, ValueError):  # a tag such as !!foo
            raise ValueError(f"`{name}` cannot be read as text") from None
    return found


def _pin(node: yaml.Node) -> Pin:
    found = _fields(node, ("question", "passage"))
    question = check_text(found.get("question"), "`question`", MAX_QUESTION_CHARS)
    passage = check_text(found.get("passage"), "`passage`", MAX_MESSAGE_CHARS)
    return Pin(question, passage, node.start_mark.line + 1)


def _redirect(node: yaml.Node) -> Redirect:
    found = _fields(node, ("question", "message", "link"))
    question = check_text(found.get("question"), "`question`", MAX_QUESTION_CHARS)
    messages = _messages(found.get("message"))
    link = found.get("link")
    if link is not None:
        if not isinstance(link, str):
            raise ValueError("`link` must be a URL")
        link = check_link(link)
    return Redirect(question, messages, link, node.start_mark.line + 1)


def _messages(message: object) -> dict[str, str]:
    """One message (English) or one per language code, English among them."""
    if isinstance(message, str):
        message = {FALLBACK_LANGUAGE: message}
    if not isinstance(message, dict) or not message:
        raise ValueError("`message` must be text, or texts by language (`en: …`, `fr: …`)")
    messages = {}
    for language, text in message.items():
        if not isinstance(language, str) or not LANGUAGE_CODE.fullmatch(language):
            raise ValueError(f"{language!r} is not a language code such as en, fr or zh")
        messages[language] = check_text(text, f"the `{language}` message", MAX_MESSAGE_CHARS)
    if FALLBACK_LANGUAGE not in messages:
        raise ValueError("`message` needs an English text (`en: …`), the fallback")
    return messages


def _first_of_each(entries: list[Entry], problems: list[str]) -> list[Entry]:
    """Keep the first entry for each question; report the repeats."""
    kept: dict[str, Entry] = {}
    for entry in entries:
        folded = same_question(entry.question)
        if folded in kept:
            problems.append(
                f"{CURATION_FILE} line {entry.line}: the same question as line "
                f"{kept[folded].line}; entry skipped"
            )
        else:
            kept[folded] = entry
    return list(kept.values())
