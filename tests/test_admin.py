"""`/admin` on a real server: off without a token; with one, every path answers the same 401
until a valid token comes (bearer or sign-in form); the cookie is HttpOnly and SameSite=Strict;
pages are neither framed nor cached; tokens and questions never reach the server's log."""

from __future__ import annotations

import hmac
import secrets

import httpx
import pytest

from assistant.cli import main
from assistant.web.admin import Sessions

TOKEN = secrets.token_urlsafe(24)
QUESTION = "Secret-looking question about the school's values, zebra-42?"


@pytest.fixture(scope="module")
def admin(start_server, tmp_path_factory):
    log = tmp_path_factory.mktemp("admin") / "server.log"
    server = start_server(env={"ASSISTANT_ADMIN_TOKEN": TOKEN}, log_path=log)
    reply = httpx.post(f"{server.url}/api/ask", json={"question": QUESTION}, timeout=60)
    assert reply.status_code == 200
    return server, log


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=60, follow_redirects=False, **kwargs)


def test_admin_is_off_without_a_token(live):
    assert get(f"{live.url}/admin").status_code == get(f"{live.url}/no-such-page").status_code
    assert get(f"{live.url}/admin").status_code == 404


@pytest.mark.parametrize("path", ["/admin", "/admin/", "/admin/users", "/admin/login"])
@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token-of-some-length", f"Basic {TOKEN}", "Bearer x"]
)
def test_without_a_valid_token_every_path_is_the_same_401(admin, path, authorization):
    server, _ = admin
    headers = {"authorization": authorization} if authorization else {}
    reply = get(f"{server.url}{path}", headers=headers)
    reference = get(f"{server.url}/admin/nothing-here")
    assert reply.status_code == 401
    assert reply.text == reference.text and "Sign in" in reply.text
    assert "What students asked" not in reply.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_get_the_same_401(admin, method):
    server, _ = admin
    for path in ("/admin", "/admin/anything"):
        reply = httpx.request(method, f"{server.url}{path}", timeout=30)
        assert reply.status_code == 401 and "Sign in" in reply.text


def test_a_bearer_token_shows_the_live_report(admin):
    server, _ = admin
    reply = get(f"{server.url}/admin", headers={"authorization": f"Bearer {TOKEN}"})
    assert reply.status_code == 200 and "What students asked" in reply.text
    assert "zebra-42" in reply.text  # the question just asked is in the live report
    assert reply.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
    assert reply.headers["x-frame-options"] == "DENY"
    week = get(f"{server.url}/admin?since=7d", headers={"authorization": f"Bearer {TOKEN}"})
    assert week.status_code == 200
    bad = get(f"{server.url}/admin?since=soon", headers={"authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 200 and "neither a number of days" in bad.text


def test_the_sign_in_form_sets_a_strict_cookie(admin):
    server, _ = admin
    origin = {"origin": server.url}
    wrong = httpx.post(f"{server.url}/admin/login", data={"token": "nope"}, headers=origin)
    assert (
        wrong.status_code == 401 and "not valid" in wrong.text and "set-cookie" not in wrong.headers
    )
    reply = httpx.post(f"{server.url}/admin/login", data={"token": TOKEN}, headers=origin)
    assert reply.status_code == 303 and reply.headers["location"] == "/admin"
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; HTTPS adds it
    session = reply.cookies["pa_admin"]
    page = get(f"{server.url}/admin", cookies={"pa_admin": session})
    assert page.status_code == 200 and "What students asked" in page.text
    forged = session.rsplit(".", 1)[0] + "." + "0" * 64
    assert get(f"{server.url}/admin", cookies={"pa_admin": forged}).status_code == 401
    out = httpx.post(f"{server.url}/admin/logout", cookies={"pa_admin": session}, headers=origin)
    assert out.status_code == 303 and 'pa_admin=""' in out.headers["set-cookie"]


def test_the_cookie_is_secure_unless_on_loopback(admin):
    """Behind a proxy that ends TLS the server sees plain HTTP: the cookie is Secure anyway."""
    server, _ = admin
    headers = {"host": "assistant.insa-lyon.fr", "origin": "http://assistant.insa-lyon.fr"}
    reply = httpx.post(f"{server.url}/admin/login", data={"token": TOKEN}, headers=headers)
    assert reply.status_code == 303 and "Secure" in reply.headers["set-cookie"]


def test_a_sign_in_from_another_site_is_refused(admin):
    server, _ = admin
    for headers in ({"origin": "https://evil.example"}, {}):
        reply = httpx.post(f"{server.url}/admin/login", data={"token": TOKEN}, headers=headers)
        assert reply.status_code == 401 and "set-cookie" not in reply.headers


def test_tokens_and_questions_never_reach_the_log(admin):
    server, log = admin
    get(f"{server.url}/admin", headers={"authorization": f"Bearer {TOKEN}"})
    httpx.post(
        f"{server.url}/admin/login", data={"token": TOKEN + "x"}, headers={"origin": server.url}
    )
    written = log.read_text(encoding="utf-8", errors="replace")
    assert TOKEN not in written and "zebra-42" not in written


def test_tokens_and_sessions_are_compared_in_constant_time(monkeypatch):
    compared = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr("assistant.web.admin.hmac.compare_digest", spy)
    sessions = Sessions("a-long-enough-admin-token", clock=lambda: 1_000_000.0)
    assert sessions.token_matches("a-long-enough-admin-token")
    assert sessions.valid(sessions.new())
    assert len(compared) == 2
    expired = Sessions("a-long-enough-admin-token", clock=lambda: 2_000_000.0)
    assert not expired.valid(sessions.new())


def test_a_short_token_is_refused_at_start(monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_ADMIN_TOKEN", "short")
    assert main(["serve", "--port", "0"]) == 1
    assert "at least 16" in capsys.readouterr().err
