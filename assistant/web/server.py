"""One web server for everything: the chat (`/`), its iframe view (`/embed/`), the policy page
(`/policy`), the JSON API (`/api/ask`, `/api/vote`, `/healthz`, `/docs`) and, with a token,
the live report (`/admin`).

Sets the headers that make it safe to embed: `Content-Security-Policy: frame-ancestors` from
`--embed-origin` (default: the school's sites), and CORS for those origins so the
`<gradio-app>` web component works there. Gradio's telemetry is switched off before it is
imported. Does not answer questions itself: it wires `Assistant` to HTTP.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import re
import socket
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.routing import Route

from assistant.errors import AssistantError
from assistant.feedback.question_log import QuestionLog
from assistant.feedback.store import Store
from assistant.web.limits import (
    DEFAULT_RATE_PER_MINUTE,
    BodyLimit,
    MethodGuard,
    QuestionBudget,
    SecurityHeaders,
)
from assistant.web.rendering import policy_page_html, text_html

_POLICY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 1rem/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
  margin: 0; background: #fafafa; }}
main {{ max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; background: #fff; }}
h1 {{ font-size: 1.5rem; color: #8b0f16; }} h2 {{ font-size: 1.15rem; margin-top: 2rem; }}
.pa-list {{ white-space: pre-line; }} .pa-footnote {{ font-size: .85rem; color: #555; }}
mark.pa-passage {{ background: #fff7d6; }}
mark.pa-answer {{ background: #ffe066; font-weight: 600; }}
#passage {{ scroll-margin-top: 4rem; }}
</style></head><body><main>{body}</main></body></html>"""
_HTML = {"text/html": {"schema": {"type": "string"}}}
# The policy page runs no script at all; say so to the browser.
_POLICY_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors {ancestors}"


def _origin_pattern(origins: Sequence[str]) -> str | None:
    """Turn CSP-style origins (`https://*.insa-lyon.fr`) into one CORS origin regex."""
    parts = [
        re.escape(origin).replace(r"\*", r"[a-z0-9-]+(?:\.[a-z0-9-]+)*")
        for origin in origins
        if origin.startswith(("http://", "https://"))
    ]
    return f"^(?:{'|'.join(parts)})$" if parts else None


def check_origin(origin: str) -> str:
    """Accept 'self', 'none' or a scheme://host[:port] origin (with an optional *. wildcard)."""
    if origin in ("'self'", "'none'"):
        return origin
    if not re.fullmatch(r"https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?", origin):
        raise AssistantError(
            f"--embed-origin {origin!r} is not an origin. Use a form like "
            "https://www.insa-lyon.fr or http://127.0.0.1:8000 (no path), or 'self'."
        )
    return origin


def create_app(
    questions: QuestionLog,
    store: Store,
    embed_origins: Sequence[str],
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE,
    admin_token: str | None = None,
    corpus_dir: Path | None = None,  # where /admin writes the office's curation
) -> FastAPI:
    """Assemble the API, the policy page, both chat views and (with a token) `/admin`."""
    import gradio as gr

    from assistant.web.admin import install_admin
    from assistant.web.api import api_router, install_error_handlers
    from assistant.web.chat import COMPACT_CSS, CSS, build_chat
    from assistant.web.curation_admin import curate_link, install_curation

    ancestors = " ".join(check_origin(origin) for origin in embed_origins) or "'none'"
    app = FastAPI(
        title="INSA Lyon international policy assistant",
        description="Answers with the exact words of the policy. Same JSON as `ask --json`.",
    )
    install_error_handlers(app)
    budget = QuestionBudget(rate_per_minute)
    app.add_middleware(BodyLimit)  # a huge body is refused before anything reads it
    pattern = _origin_pattern(embed_origins)
    if pattern:
        app.add_middleware(
            CORSMiddleware, allow_origin_regex=pattern, allow_methods=["GET", "POST"]
        )

    assistant = questions.assistant
    api = api_router(questions, store, budget)
    app.include_router(api)

    @app.get(
        "/policy",
        response_class=HTMLResponse,
        summary="The policy, a passage marked",
        responses={
            404: {"description": "No such document, or no such passage in it.", "content": _HTML},
            422: {
                "description": "A position is not a whole number, or is negative.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            },
        },
    )
    def policy(
        source: str | None = None,
        start: int = Query(0, ge=0),
        end: int = Query(0, ge=0),
        answer_start: int = Query(0, ge=0),
        answer_end: int = Query(0, ge=0),
    ) -> HTMLResponse:
        documents = assistant.documents
        source = source or next(iter(documents))
        if source not in documents:
            return HTMLResponse(
                f"<p>No policy document called {text_html(source)}.</p>", status_code=404
            )
        document = documents[source]
        if not (start <= end <= len(document) and answer_start <= answer_end <= len(document)):
            return HTMLResponse("<p>That passage is not in this document.</p>", status_code=404)
        body = policy_page_html(source, document, (start, end), (answer_start, answer_end))
        return HTMLResponse(
            _POLICY_PAGE.format(title="International policy", body=body),
            headers={"Content-Security-Policy": _POLICY_CSP.format(ancestors=ancestors)},
        )

    @app.get("/embed", include_in_schema=False)
    def embed_slash() -> RedirectResponse:
        return RedirectResponse("/embed/")

    # The chat is mounted at "/", so a wrong method on an API route would reach Gradio (404).
    app.add_middleware(MethodGuard, routes=_route_methods([*app.routes, *api.routes]))
    if admin_token:  # after the guard: /admin answers 401 to anything, whatever the method
        curation = install_curation(assistant, corpus_dir) if corpus_dir else None
        report = partial(_live_report, questions, store, act=curate_link if curation else None)
        install_admin(app, admin_token, report, curation)
    app.add_middleware(SecurityHeaders, frame_ancestors=ancestors)  # outermost: on every reply
    for path, compact in (("/embed", True), ("/", False)):
        gr.mount_gradio_app(
            app,
            build_chat(questions, store, budget, compact=compact),
            path=path,
            footer_links=[],
            css=CSS + (COMPACT_CSS if compact else ""),
            theme=gr.themes.Default(primary_hue="red", neutral_hue="slate"),
            ssr_mode=False,
            enable_monitoring=False,
            mcp_server=False,
        )
    return app


def _live_report(
    questions: QuestionLog, store: Store, since: str, act: Callable[[str], str] | None
) -> str:
    from assistant.feedback.databases import DatabaseError
    from assistant.indexing.encoders.base import multilingual_encoder
    from assistant.report.period import parse_since
    from assistant.report.render import render

    index = questions.assistant.index
    encoder = multilingual_encoder(index.query_encoders)
    try:
        page, _ = render(store, index.chunks, encoder, parse_since(since), "html", act)
    except DatabaseError as error:
        raise AssistantError(f"The question log in {store.where} cannot be read: {error}") from None
    return page


def _route_methods(routes: Sequence[object]) -> dict[str, frozenset[str]]:
    return {
        route.path: frozenset(route.methods)
        for route in routes
        if isinstance(route, (APIRoute, Route)) and route.methods
    }


# On SIGTERM, answers in flight get this long to finish; open pages' event streams are then
# closed, so the process is gone within a few seconds even with visitors connected.
SHUTDOWN_GRACE_S = 3


def server_config(app: Any, trusted_proxies: str = "") -> Any:
    """Configure uvicorn: no access log, a bounded shutdown, and proxies trusted only if named.

    uvicorn trusts 127.0.0.1's X-Forwarded-For by default; here no proxy is trusted unless
    `--forwarded-allow-ips` names it, so no visitor can pick the address they are counted as.
    """
    import uvicorn

    proxies = [ip.strip() for ip in trusted_proxies.split(",") if ip.strip()]
    return uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # it would store visitors' IP addresses
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )


def run(app: FastAPI, sock: socket.socket, trusted_proxies: str = "") -> None:
    """Serve on `sock` until SIGTERM or SIGINT; then finish the answers in flight and exit."""
    import asyncio

    import uvicorn
    from starlette.routing import Mount

    # Open chat pages hold an event stream (Gradio's heartbeat) that ends only when Gradio's
    # stop event is set, which it does after the connections close: a deadlock broken only
    # by the grace period. Set it as soon as the signal arrives.
    stop_events = [
        route.app.stop_event
        for route in app.routes
        if isinstance(route, Mount) and hasattr(route.app, "stop_event")
    ]

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            super().handle_exit(sig, frame)
            loop = asyncio.get_event_loop()
            for event in stop_events:
                loop.call_soon_threadsafe(event.set)

    Server(server_config(app, trusted_proxies)).run([sock])


def limit_malloc_arenas(count: int = 4) -> None:
    """Cap glibc's per-thread malloc arenas before the serving threads start.

    With one arena per thread, 32 concurrent clients grew the server by 19 % over 5,000
    answers (fragmentation, not a leak: serial answers do not grow); with 4 arenas, 4 %, at the
    same throughput. Without glibc this does nothing.
    """
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(-8, count)  # -8 is M_ARENA_MAX


def bind(host: str, port: int) -> socket.socket:
    """Open the listening socket now, so a busy port is one clear error, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise AssistantError(
            f"Cannot listen on {host}:{port}: {error.strerror}. Choose another --port."
        ) from None
    sock.listen(512)
    return sock
