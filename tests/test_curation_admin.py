"""Pinning and redirecting from `/admin` on a real server: behind the token, the same origin
and a form token; what the office types is stored and shown as text; the change answers at
once and is written to the corpus's curation file."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from assistant.documents.curation import read_curation
from tests.conftest import make_settings

TOKEN = secrets.token_urlsafe(24)
UNANSWERED = "Who is the director of INSA Lyon?"
ATTACK = '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'


@pytest.fixture(scope="module")
def office(start_server, tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("office"))
    server = start_server(settings=settings, env={"ASSISTANT_ADMIN_TOKEN": TOKEN})
    return server, settings


@contextmanager
def signed_in(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=60, headers={"origin": url}) as client:
        reply = client.post("/admin/login", data={"token": TOKEN})
        assert reply.status_code == 303 and "pa_admin" in client.cookies
        yield client


def form_token(page: str) -> str:
    return html.unescape(re.search(r'name="form_token" value="([^"]*)"', page).group(1))


def test_the_report_offers_to_fix_what_the_policy_could_not_answer(office):
    server, _ = office
    assert httpx.post(f"{server.url}/api/ask", json={"question": UNANSWERED}).status_code == 200
    with signed_in(server.url) as client:
        page = client.get("/admin").text
    assert "/admin/curate?question=" in page and "Pin a passage or redirect" in page


def test_a_passage_is_pinned_from_the_search_results_and_answers_at_once(office):
    server, settings = office
    question = "Which missions does the international policy serve?"
    with signed_in(server.url) as client:
        page = client.get("/admin/curate", params={"question": question}).text
        phrases = [
            html.unescape(p)
            for p in re.findall(r'name="phrase" id="p\d" required value="([^"]*)"', page)
        ]
        assert len(phrases) >= 3
        about_missions = [p for p in phrases if "missions" in p.lower()]
        assert about_missions, phrases
        chosen = about_missions[0]
        reply = client.post(
            "/admin/pin",
            data={"question": question, "phrase": chosen, "form_token": form_token(page)},
        )
    assert reply.status_code == 200 and "the pinned passage" in reply.text
    assert [p.question for p in read_curation(settings.corpus_dir).pins] == [question]
    answer = httpx.post(f"{server.url}/api/ask", json={"question": question}, timeout=60).json()
    assert answer["passages"][0]["pinned"] is True and answer["passages"][0]["highlight"] == chosen


def test_a_redirect_keeps_what_the_office_typed_as_text(office):
    server, settings = office
    with signed_in(server.url) as client:
        page = client.get("/admin/curate", params={"question": ATTACK}).text
        assert "<script>alert" not in page and "&lt;script&gt;" in page
        token = form_token(page)
        refused = client.post(
            "/admin/redirect",
            data={"question": UNANSWERED, "message": "See.", "link": "javascript:alert(1)",
                  "form_token": token},
        )  # fmt: skip
        assert refused.status_code == 400 and "https://" in refused.text
        link = 'https://www.insa-lyon.fr/?q="><script>alert(4)</script>'
        saved = client.post(
            "/admin/redirect",
            data={"question": UNANSWERED, "message": ATTACK, "link": link, "form_token": token},
        )
    assert saved.status_code == 200 and "<script>alert" not in saved.text
    assert html.escape(" ".join(ATTACK.split())) in saved.text  # shown, as text
    (redirect,) = read_curation(settings.corpus_dir).redirects
    assert redirect.message("en") == " ".join(ATTACK.split()) and redirect.link == link
    answer = httpx.post(f"{server.url}/api/ask", json={"question": UNANSWERED}, timeout=60).json()
    assert answer["outcome"] == "not_covered" and answer["link"] == link
    assert answer["message"] == redirect.message("en")  # JSON carries text; the chat escapes it


@pytest.mark.parametrize("action", ["/admin/pin", "/admin/redirect"])
def test_a_form_from_elsewhere_or_without_its_token_changes_nothing(office, action):
    server, settings = office
    before = (
        (settings.corpus_dir / "curation.yml").read_bytes()
        if (settings.corpus_dir / "curation.yml").exists()
        else b""
    )
    fields = {"question": "Visa?", "message": "x", "phrase": "Training international talents"}
    with signed_in(server.url) as client:
        token = form_token(client.get("/admin/curate", params={"question": "Visa?"}).text)
        no_token = client.post(action, data=fields)
        elsewhere = client.post(
            action, data={**fields, "form_token": token}, headers={"origin": "https://evil.example"}
        )
    anonymous = httpx.post(f"{server.url}{action}", data=fields, headers={"origin": server.url})
    for reply in (no_token, elsewhere, anonymous):
        assert reply.status_code == 401 and "Sign in" in reply.text
    after = (
        (settings.corpus_dir / "curation.yml").read_bytes()
        if (settings.corpus_dir / "curation.yml").exists()
        else b""
    )
    assert after == before
