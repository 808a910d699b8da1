"""Protect the public server: cap request bodies, budget questions per client, set headers.

The body cap and the headers are plain ASGI middleware (Starlette's `BaseHTTPMiddleware` costs
~1 ms a request); the body cap answers with a JSON `{"error": …}` (413). The question budget is
spent where questions are answered (the API route and the chat), so every door counts. Client
addresses are held in memory only for the current minute's counts and never written anywhere.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# A question is at most 1,000 characters and the history 20 of them: 64 KB is ample.
MAX_API_BODY_BYTES = 64 * 1024
# The chat sends its whole conversation back with each question (Gradio's design).
MAX_BODY_BYTES = 2 * 1024 * 1024
DEFAULT_RATE_PER_MINUTE = 60


async def _reply(send: Send, status: int, message: str, headers: dict[str, str]) -> None:
    body = json.dumps({"error": message}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies above a size (413), whether or not they declare their length."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = MAX_API_BODY_BYTES if scope["path"].startswith("/api/") else MAX_BODY_BYTES
        message = f"The request body is larger than {limit // 1024} KB."
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            return await _reply(send, 413, message, {})
        received = 0
        started = refused = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            event = await receive()
            received += len(event.get("body", b""))
            if received > limit and not refused:
                refused = True
                if not started:
                    await _reply(send, 413, message, {})
                return {"type": "http.disconnect"}  # the app stops reading; its reply is dropped
            return event

        async def guarded_send(event: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or event["type"] == "http.response.start"
            await send(event)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise


class QuestionBudget:
    """Allow each client address `per_minute` questions in any 60 seconds, over every door.

    The JSON API and the chat spend from the same budget, so no door is a way around it (0: no
    limit). The window slides: a client cannot double its rate across a minute boundary. The
    address is the TCP peer's, or the one a trusted proxy reports (uvicorn applies
    `--forwarded-allow-ips` before the app sees the request). An address is forgotten once its
    last question is a minute old.
    """

    WINDOW_S = 60.0

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._lock = threading.Lock()
        self._asked: dict[str, deque[float]] = {}
        self._next_sweep = 0.0

    def spend(self, address: str | None) -> int | None:
        """Count one question; return None if allowed, else the seconds to wait."""
        if self.per_minute <= 0:
            return None
        now = self.clock()
        with self._lock:
            if now >= self._next_sweep:  # forget idle addresses, at most once a minute
                self._asked = {
                    a: t for a, t in self._asked.items() if t and t[-1] > now - self.WINDOW_S
                }
                self._next_sweep = now + self.WINDOW_S
            asked = self._asked.setdefault(address or "unknown", deque())
            while asked and asked[0] <= now - self.WINDOW_S:
                asked.popleft()
            if len(asked) < self.per_minute:
                asked.append(now)
                return None
            return max(1, math.ceil(asked[0] + self.WINDOW_S - now))

    def refusal(self, wait: int) -> str:
        return (
            f"Too many questions from your address: the limit is {self.per_minute} a minute. "
            f"Please try again in {wait} s."
        )


class MethodGuard:
    """Answer 405 with `Allow` for a known route called with a method it does not take."""

    def __init__(self, app: ASGIApp, routes: dict[str, frozenset[str]]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = self.routes.get(scope.get("path", "")) if scope["type"] == "http" else None
        if allowed is None or scope["method"] in allowed:
            return await self.app(scope, receive, send)
        methods = ", ".join(sorted(allowed))
        await _reply(
            send, 405, f"{scope['method']} is not allowed here; use {methods}.", {"allow": methods}
        )


class SecurityHeaders:
    """Add the embedding policy and two hardening headers to every HTTP response.

    `frame-ancestors` lists who may frame the pages; a response that sets its own
    Content-Security-Policy (the policy page) keeps it.
    """

    def __init__(self, app: ASGIApp, frame_ancestors: str) -> None:
        self.app = app
        self.csp = f"frame-ancestors {frame_ancestors}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(event: Message) -> None:
            if event["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in event.get("headers", [])
                    if k.lower() not in (b"x-content-type-options", b"referrer-policy")
                ]
                if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", self.csp))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                ]
                event = {**event, "headers": headers}
            await send(event)

        await self.app(scope, receive, with_headers)
