"""Protect the public server: cap request bodies, rate-limit the API per client, set headers.

All are plain ASGI middleware (Starlette's `BaseHTTPMiddleware` costs ~1 ms a request). The
limits answer with a JSON `{"error": …}` (413, 429 with
Retry-After), so a client learns what happened and when to retry. Client addresses are held in
memory only for the current minute's counts and never written anywhere.
"""

from __future__ import annotations

import json
import math
import threading
import time
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


class RateLimit:
    """Allow each client address `per_minute` API questions per minute (0: no limit)."""

    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app = app
        self.per_minute = per_minute
        self.lock = threading.Lock()
        self.window = 0
        self.counts: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.per_minute <= 0 or scope["type"] != "http" or scope["path"] != "/api/ask":
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown", 0))[0]
        now = time.time()
        with self.lock:
            window = int(now // 60)
            if window != self.window:  # a new minute: forget everyone
                self.window, self.counts = window, {}
            self.counts[client] = self.counts.get(client, 0) + 1
            allowed = self.counts[client] <= self.per_minute
        if allowed:
            return await self.app(scope, receive, send)
        wait = max(1, math.ceil(60 - now % 60))
        await _reply(
            send,
            429,
            f"Too many questions from your address: the limit is {self.per_minute} a minute. "
            f"Please try again in {wait} s.",
            {"retry-after": str(wait)},
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
