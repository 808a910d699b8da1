"""`/admin`: the report, live, for whoever holds `ASSISTANT_ADMIN_TOKEN` (off without it).

The token comes as `Authorization: Bearer …` or through the sign-in form, which sets a session
cookie (HttpOnly, SameSite=Strict, Secure on HTTPS, 8 hours) signed with the token, so any
replica accepts it and changing the token signs everyone out. Tokens and signatures are
compared in constant time. Without a valid token every `/admin` path answers the same 401
sign-in page, so nobody learns which pages exist; forms are accepted only from the same origin.
Pages cannot be framed and are not cached. Neither tokens nor questions are logged (the
server keeps no access log). Does not compute the report: see `assistant.report`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from html import escape
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.errors import AssistantError

MIN_TOKEN_CHARS = 16
SESSION_S = 8 * 3600
COOKIE = "pa_admin"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]  # GET first: /admin has its own
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src data:; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
}
SIGN_IN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in</title>
<style>body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 22rem; }}
input, button {{ font: inherit; padding: .4rem; }} input {{ width: 100%; box-sizing: border-box; }}
.error {{ color: #b3261e; }}</style></head><body><main>
<h1>Sign in</h1>{problem}
<form method="post" action="/admin/login">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p></form></main></body></html>"""
BAR = """<form method="post" action="/admin/logout" style="float:right">
<button type="submit">Sign out</button></form>
<nav class="muted">Period: <a href="/admin?since=7d">7 days</a> ·
<a href="/admin?since=30d">30 days</a> · <a href="/admin?since=90d">90 days</a></nav>"""


def _secure(request: Request) -> bool:
    """Send the cookie over HTTPS only, unless the server is reached on loopback: behind a proxy
    that ends TLS, the connection the server sees is plain HTTP, yet the visitor's is not."""
    return request.url.scheme == "https" or request.url.hostname not in LOOPBACK


def check_token(token: str) -> str:
    """Refuse a guessable admin token at start, saying how to make a good one."""
    if len(token) < MIN_TOKEN_CHARS:
        raise AssistantError(
            f"ASSISTANT_ADMIN_TOKEN has {len(token)} characters; use at least {MIN_TOKEN_CHARS}, "
            "for example: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return token


class Sessions:
    """Session cookies signed with the token: `expiry.signature`, valid on every replica."""

    def __init__(self, token: str, clock: Callable[[], float] = time.time) -> None:
        self._key = hashlib.sha256(b"admin session|" + token.encode()).digest()
        self._token = token.encode()
        self.clock = clock

    def token_matches(self, candidate: str) -> bool:
        return hmac.compare_digest(candidate.encode(), self._token)

    def new(self) -> str:
        expiry = str(int(self.clock()) + SESSION_S)
        return f"{expiry}.{self._sign(expiry)}"

    def valid(self, cookie: str) -> bool:
        expiry, _, signature = cookie.partition(".")
        if not expiry.isdigit() or int(expiry) < self.clock():
            return False
        return hmac.compare_digest(signature.encode(), self._sign(expiry).encode())

    def form_token(self, cookie: str) -> str:
        """The token a form of this session carries: without the cookie, nobody can make it."""
        return hmac.new(self._key, b"form|" + cookie.encode(), hashlib.sha256).hexdigest()

    def _sign(self, expiry: str) -> str:
        return hmac.new(self._key, expiry.encode(), hashlib.sha256).hexdigest()


class Guard:
    """Who may use `/admin`: a valid token or session, forms from this origin only, each form
    carrying a token tied to the session (so a page elsewhere cannot post one)."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def signed_in(self, request: Request) -> bool:
        return self._bearer(request) or self.sessions.valid(request.cookies.get(COOKIE, ""))

    def same_origin(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:  # browsers send Origin with every form POST; scripts must too
            return request.headers.get("sec-fetch-site") == "same-origin"
        return origin == f"{request.url.scheme}://{request.url.netloc}"

    def form_token(self, request: Request) -> str:
        return self.sessions.form_token(request.cookies.get(COOKIE, ""))

    async def form(self, request: Request) -> dict[str, str] | None:
        """The posted form, if it may act: signed in, same origin, its token right (a bearer
        caller is not a browser, so it needs no form token)."""
        if not self.signed_in(request) or not self.same_origin(request):
            return None
        fields = parse_qs((await request.body()).decode("utf-8", "replace"))
        form = {name: values[0] for name, values in fields.items()}
        if not self._bearer(request) and not hmac.compare_digest(
            form.get("form_token", "").encode(), self.form_token(request).encode()
        ):
            return None
        return form

    def sign_in_page(self, problem: str = "") -> HTMLResponse:
        shown = f'<p class="error" role="alert">{escape(problem)}</p>' if problem else ""
        headers = HEADERS | {"WWW-Authenticate": 'Bearer realm="admin"'}
        return HTMLResponse(SIGN_IN.format(problem=shown), status_code=401, headers=headers)

    def _bearer(self, request: Request) -> bool:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.sessions.token_matches(given.strip())


def install_admin(
    app: FastAPI,
    token: str,
    report_page: Callable[[str], str],
    more: Callable[[FastAPI, Guard], None] | None = None,
) -> None:
    """Serve `/admin` (the report for `?since=`), sign-in and sign-out, and `more`'s pages;
    everything else 401."""
    guard = Guard(Sessions(check_token(token)))
    signed_in, same_origin, sign_in_page = guard.signed_in, guard.same_origin, guard.sign_in_page

    @app.get("/admin", include_in_schema=False)
    def admin(request: Request, since: str = "30d") -> Response:
        if not signed_in(request):
            return sign_in_page()
        try:
            page = report_page(since)
        except AssistantError as error:
            page = f"<!doctype html><title>Report</title><p>{escape(str(error))}</p>{BAR}"
        return HTMLResponse(page.replace("<main>", f"<main>{BAR}", 1), headers=HEADERS)

    @app.post("/admin/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        if not same_origin(request):
            return sign_in_page("Sign in from this site's own page.")
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        if not guard.sessions.token_matches(form.get("token", [""])[0]):
            return sign_in_page("That token is not valid.")
        response = RedirectResponse("/admin", status_code=303, headers=HEADERS)
        response.set_cookie(
            COOKIE,
            guard.sessions.new(),
            max_age=SESSION_S,
            path="/admin",
            httponly=True,
            samesite="strict",
            secure=_secure(request),
        )
        return response

    @app.post("/admin/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        if not signed_in(request) or not same_origin(request):
            return sign_in_page()
        response = RedirectResponse("/admin", status_code=303, headers=HEADERS)
        response.delete_cookie(COOKIE, path="/admin", httponly=True, samesite="strict")
        return response

    if more is not None:
        more(app, guard)  # before the catch-all below, which would answer for them

    @app.api_route("/admin", methods=ANY_METHOD[1:], include_in_schema=False)
    @app.api_route("/admin/{rest:path}", methods=ANY_METHOD, include_in_schema=False)
    def elsewhere(request: Request) -> Response:
        if not signed_in(request):
            return sign_in_page()
        return HTMLResponse("<p>No such page.</p>", status_code=404, headers=HEADERS)
