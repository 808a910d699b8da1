"""`serve`: the chat, its iframe view, the JSON API and `/admin`, from one process.

Checks what can be wrong before the slow loading (origins, the admin token, the port), opens
the store the question log and votes go to, starts the retention, and hands over to
`web.server`. Does not answer or render anything itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from assistant.config import (
    DEFAULT_EMBED_ORIGINS,
    DEFAULT_HOST,
    DEFAULT_KEEP_DAYS,
    DEFAULT_PORT,
    FEEDBACK_DB_HELP,
    Settings,
    keep_days,
)
from assistant.errors import AssistantError
from assistant.web.limits import DEFAULT_RATE_PER_MINUTE


def add_parser(commands: Any) -> None:
    """The `serve` subcommand of `python -m assistant`."""
    serve = commands.add_parser(
        "serve",
        help="serve the web chat, its iframe view and the JSON API",
        description="Serve the chat (/), the compact iframe view (/embed/), the policy page, "
        "the JSON API (/api/ask, /api/vote, /healthz, /docs) and, when ASSISTANT_ADMIN_TOKEN "
        "is set, the live report (/admin).",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--embed-origin",
        action="append",
        metavar="URL",
        help="a site allowed to show the chat in an iframe; repeat for several "
        f"(default: {' '.join(DEFAULT_EMBED_ORIGINS)})",
    )
    serve.add_argument(
        "--rate-limit",
        type=int,
        default=DEFAULT_RATE_PER_MINUTE,
        metavar="N",
        help=f"questions per minute per client address, chat and API together, 0 for none "
        f"(default {DEFAULT_RATE_PER_MINUTE})",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        default="",
        help="comma-separated addresses of trusted reverse proxies, whose X-Forwarded-For "
        "gives the client address (default: none, the connection's address is used)",
    )
    serve.add_argument("--feedback-db", type=Path, help=FEEDBACK_DB_HELP)
    serve.add_argument(
        "--no-question-log",
        action="store_true",
        help="do not log questions (also ASSISTANT_QUESTION_LOG=off); votes are still kept",
    )
    serve.add_argument(
        "--keep-days",
        type=_days,
        metavar="N",
        help=f"delete logged questions and votes after N days, at start and daily "
        f"(default {DEFAULT_KEEP_DAYS}, or ASSISTANT_KEEP_DAYS)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load the assistant, open the store, and serve until SIGTERM or Ctrl-C."""
    import assistant.web.server as server
    from assistant.answer import Assistant
    from assistant.feedback.databases import DatabaseError
    from assistant.feedback.question_log import QuestionLog, Retention
    from assistant.feedback.store import open_store
    from assistant.web.admin import check_token

    if settings.admin_token:
        check_token(settings.admin_token)  # before anything else, like the origins
    server.limit_malloc_arenas()
    # Many questions at once: one thread per call (ONNX, FAISS) uses 2 cores best; OpenMP
    # reads this when FAISS loads.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    origins = [server.check_origin(o) for o in args.embed_origin or DEFAULT_EMBED_ORIGINS]
    sock = server.bind(args.host, args.port)  # fail on a busy port before the slow loading
    store = open_store(settings.database_url, settings.feedback_db)
    try:
        store.migrate()  # the schema, created or migrated now rather than on a first question
    except DatabaseError as error:
        print(
            f"warning: votes and the question log cannot be stored in {store.where} yet "
            f"({error}); the chat answers anyway and tries again later",
            file=sys.stderr,
        )
    questions = QuestionLog(
        Assistant.load(settings), store if settings.question_log else None, settings.keep_days
    )
    app = server.create_app(
        questions, store, origins, args.rate_limit, settings.admin_token, settings.corpus_dir
    )
    retention = Retention(store, settings.keep_days).start()
    url = f"http://{args.host}:{sock.getsockname()[1]}/"
    print(f"Policy assistant: {url}  (iframe view: {url}embed/, API docs: {url}docs)", flush=True)
    try:
        server.run(app, sock, args.forwarded_allow_ips)
    finally:
        retention.stop()
        questions.close()  # the chat's last rows, written before the store closes
        store.close()
    return 0


def _days(text: str) -> int:
    try:
        return keep_days(text)
    except AssistantError as error:  # argparse turns this one into a usage line, not a traceback
        raise argparse.ArgumentTypeError(str(error)) from None
