"""Change the curation file one entry at a time: pin, redirect, remove.

Each change is a pure function from one `Curation` to the next; `edit_curation` applies one
to the file under the corpus lock, so the terminal and `/admin` never lose each other's edits.
Does not parse or write the YAML itself: see `curation`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.documents.curation import (
    FALLBACK_LANGUAGE,
    LANGUAGE_CODE,
    Curation,
    Pin,
    Redirect,
    read_curation,
    same_question,
    write_curation,
)
from assistant.documents.library import corpus_lock


def with_pin(curation: Curation, question: str, phrase: str) -> Curation:
    """Pin `phrase`'s passage to `question`, re-pointing it if pinned, replacing a redirect."""
    # a question is pinned or redirected, not both: twin entries would cancel each other out
    folded = same_question(question)
    pins = tuple(p for p in curation.pins if same_question(p.question) != folded)
    redirects = tuple(r for r in curation.redirects if same_question(r.question) != folded)
    return Curation((*pins, Pin(question, phrase)), redirects)


def with_redirect(
    curation: Curation, question: str, language: str, message: str, link: str | None
) -> Curation:
    """Add or update a redirect (replacing a pin of the question); a new one needs its English
    message first (ValueError)."""
    if not LANGUAGE_CODE.fullmatch(language):
        raise ValueError(f"the language must be a code such as en, fr or zh, not {language!r}")
    folded = same_question(question)
    old = next((r for r in curation.redirects if same_question(r.question) == folded), None)
    if old is None and language != FALLBACK_LANGUAGE:
        raise ValueError(
            "a new redirect needs its English message first (English is the fallback): give "
            "it, then each translation"
        )
    messages = {**(old.messages if old else {}), language: message}
    entry = Redirect(question, messages, link or (old.link if old else None))
    others = tuple(r for r in curation.redirects if same_question(r.question) != folded)
    pins = tuple(p for p in curation.pins if same_question(p.question) != folded)
    return Curation(pins, (*others, entry))


def without(curation: Curation, kind: str, question: str) -> Curation:
    """Remove the pin or redirect (`kind`) for `question`; ValueError listing them if none."""
    folded = same_question(question)
    pins = tuple(p for p in curation.pins if same_question(p.question) != folded)
    redirects = tuple(r for r in curation.redirects if same_question(r.question) != folded)
    before = curation.pins if kind == "pin" else curation.redirects
    after = pins if kind == "pin" else redirects
    if len(after) == len(before):
        listed = "\n".join(f"  {e.question}" for e in before) or "  (none)"
        raise ValueError(f"no {kind} for {question!r}; the {kind}s are:\n{listed}")
    if kind == "pin":
        return Curation(pins, curation.redirects)
    return Curation(curation.pins, redirects)


def edit_curation(corpus_dir: Path, change: Callable[[Curation], Curation]) -> Curation:
    """Read the file, apply `change` and write it back, under the corpus lock. A file with a
    problem is never rewritten (ValueError): a rewrite would drop the entries it could not read."""
    with corpus_lock(corpus_dir):
        curation = read_curation(corpus_dir)
        if curation.problems:
            raise ValueError(f"{curation.problems[0]}; fix the file first")
        changed = change(curation)
        write_curation(corpus_dir, changed)
    return changed
