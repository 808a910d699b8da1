"""`/admin/curate`: pin a passage to a question, or redirect it, from the report's pages.

The report links each unanswered topic and each disliked reply here. The page lists the
question's search results to pin one from, and a redirect form; the forms go through the
`Guard` (signed in, same origin, a token tied to the session). A change is written to
`corpus/curation.yml` as the terminal commands write it, and this server answers by it at
once; other replicas take it at their next start. Everything shown is escaped text. Does not
decide when a pin fires: see `retrieval.curation`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from html import escape
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from assistant.answer import Assistant
from assistant.documents.curation import (
    CURATION_FILE,
    MAX_MESSAGE_CHARS,
    Curation,
    check_link,
    check_text,
)
from assistant.documents.curation import read_curation as read_file
from assistant.documents.curation_edits import edit_curation, with_pin, with_redirect
from assistant.errors import AssistantError
from assistant.questions import clean_question
from assistant.retrieval.curation import find_passages
from assistant.web.admin import HEADERS, Guard

CANDIDATES = 5
_RECURATING = threading.Lock()
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 48rem;
padding: 0 1rem; }} textarea, input[type=url] {{ width: 100%; font: inherit; }}
fieldset {{ margin: 1rem 0; }} .error {{ color: #b3261e; }} blockquote {{ margin: .3rem 0 .3rem
1.6rem; color: #333; }}</style></head><body><main><p><a href="/admin">Back to the report</a></p>
{body}</main></body></html>"""


def curate_link(question: str) -> str:
    """The report's action for a question: a link to this page (escaped for HTML)."""
    href = escape(f"/admin/curate?question={quote(question)}", quote=True)
    return f'<a href="{href}">Pin a passage or redirect</a>'


def install_curation(assistant: Assistant, corpus_dir: Path) -> Callable[[FastAPI, Guard], None]:
    """The pages to give `install_admin`: they answer only behind its guard."""

    def install(app: FastAPI, guard: Guard) -> None:
        @app.get("/admin/curate", include_in_schema=False)
        def curate(request: Request, question: str = "") -> Response:
            if not guard.signed_in(request):
                return guard.sign_in_page()
            try:
                question = clean_question(question)
            except AssistantError as error:
                return _page("Curate", f'<p class="error">{escape(str(error))}</p>', 400)
            return _page("Curate", _forms(assistant, question, guard.form_token(request)))

        @app.post("/admin/pin", include_in_schema=False)
        async def pin(request: Request) -> Response:
            form = await guard.form(request)
            if form is None:
                return guard.sign_in_page("Sign in again: that form was not from this page.")
            # a thread: the file lock, embedding and answering must not stall the event loop
            return await run_in_threadpool(
                _apply, assistant, corpus_dir, lambda: _pinned(assistant, form)
            )

        @app.post("/admin/redirect", include_in_schema=False)
        async def redirect(request: Request) -> Response:
            form = await guard.form(request)
            if form is None:
                return guard.sign_in_page("Sign in again: that form was not from this page.")
            return await run_in_threadpool(_apply, assistant, corpus_dir, lambda: _redirected(form))

    return install


def _pinned(assistant: Assistant, form: dict[str, str]) -> tuple[str, Callable[..., Curation]]:
    question = clean_question(form.get("question", ""))
    phrase = check_text(form.get("phrase", ""), "the chosen passage", MAX_MESSAGE_CHARS)
    found = find_passages(phrase, assistant.index.chunks)
    if len(found) != 1:
        raise ValueError(f"{len(found)} passages hold the chosen words; pin from the terminal")
    return question, lambda curation: with_pin(curation, question, phrase)


def _redirected(form: dict[str, str]) -> tuple[str, Callable[..., Curation]]:
    question = clean_question(form.get("question", ""))
    message = check_text(form.get("message", ""), "the message", MAX_MESSAGE_CHARS)
    link = check_link(form["link"]) if form.get("link", "").strip() else None
    return question, lambda curation: with_redirect(curation, question, "en", message, link)


def _apply(
    assistant: Assistant,
    corpus_dir: Path,
    change: Callable[[], tuple[str, Callable[[Curation], Curation]]],
) -> Response:
    """Write the change, answer by it at once, and show what the question now gets."""
    try:
        question, edit = change()
        edit_curation(corpus_dir, edit)
    except (ValueError, AssistantError) as error:
        return _page("Not saved", f'<p class="error" role="alert">{escape(str(error))}.</p>', 400)
    except OSError as error:
        problem = f"{CURATION_FILE} could not be written ({error.strerror or error})"
        return _page("Not saved", f'<p class="error" role="alert">{escape(problem)}.</p>', 500)
    try:
        with _RECURATING:  # one at a time: an older curation never replaces a newer one
            problems = assistant.recurate(read_file(corpus_dir))
        answer = assistant.ask(question)
    except (AssistantError, OSError) as error:
        problem = f"Saved, but this server could not take it yet ({error}); it will at restart"
        return _page("Saved", f'<p class="error" role="alert">{escape(problem)}.</p>')
    if answer.passages and answer.passages[0].pinned:
        now = f"the pinned passage ({escape(answer.passages[0].section)})"
    elif answer.curated_by and answer.link:
        now = f"the redirect: {escape(answer.message or '')} ({escape(answer.link)})"
    elif answer.curated_by:
        now = f"the redirect: {escape(answer.message or '')}"
    else:
        now = "not this change: see `curation` in the terminal"
    shown = "".join(f'<p class="error">{escape(p)}</p>' for p in problems)
    body = f"<h1>Saved</h1><p><q>{escape(question)}</q> now gets {now}.</p>{shown}"
    return _page("Saved", body)


def _forms(assistant: Assistant, question: str, form_token: str) -> str:
    language = assistant.language.guess(question)
    retrieval = assistant.retriever.retrieve(question, (), CANDIDATES, english=language == "en")
    token = f'<input type="hidden" name="form_token" value="{escape(form_token, quote=True)}">'
    asked = f'<input type="hidden" name="question" value="{escape(question, quote=True)}">'
    options = []
    for number, ranked in enumerate(retrieval.ranked):
        start, end = ranked.highlight
        sentence = assistant.documents[ranked.chunk.source][start:end]
        options.append(
            f'<p><input type="radio" name="phrase" id="p{number}" required '
            f'value="{escape(sentence, quote=True)}"><label for="p{number}"> '
            f"{escape(ranked.chunk.section)}</label></p><blockquote>{escape(sentence)}</blockquote>"
        )
    return (
        f"<h1>Curate an answer</h1><p>Question: <q>{escape(question)}</q></p>"
        '<form method="post" action="/admin/pin"><fieldset><legend>Pin a passage: questions '
        f"like this one get it first</legend>{asked}{token}{''.join(options)}"
        "<p><button type=submit>Pin</button></p></fieldset></form>"
        '<form method="post" action="/admin/redirect"><fieldset><legend>Or redirect: the '
        f"policy does not cover this; say so, and where to go</legend>{asked}{token}"
        '<p><label for="message">Message (English; translations from the terminal)</label>'
        f'<textarea id="message" name="message" rows="3" required maxlength="{MAX_MESSAGE_CHARS}">'
        '</textarea></p><p><label for="link">Link (https://…, optional)</label>'
        '<input type="url" id="link" name="link"></p>'
        "<p><button type=submit>Redirect</button></p></fieldset></form>"
    )


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=escape(title), body=body), status, headers=HEADERS)
