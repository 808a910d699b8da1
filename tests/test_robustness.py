"""Bad input, faults and abuse: clear answers, nothing lost, nothing run (issue: robustness)."""

from __future__ import annotations

import string
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import QuestionError
from assistant.web.limits import MAX_API_BODY_BYTES


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=st.text(max_size=300), history=st.lists(st.text(max_size=80), max_size=3))
def test_ask_never_fails_on_any_text_and_every_passage_is_exact(assistant, question, history):
    try:
        answer = assistant.ask(question, history=history)
    except QuestionError:
        return  # empty, too long, or history with an empty turn: refused with a reason
    for passage in answer.passages:
        document = assistant.documents[passage.source]
        assert document[passage.start : passage.end] == passage.text
        assert document[passage.highlight_start : passage.highlight_end] == passage.highlight
        assert passage.start <= passage.highlight_start < passage.highlight_end <= passage.end
    assert answer.answered == bool(answer.passages)


def test_a_body_above_the_api_limit_is_refused(live):
    too_big = {"question": "What is the CDEFI?", "history": ["x" * 1000] * 70}
    response = httpx.post(f"{live.url}/api/ask", json=too_big)
    assert response.status_code == 413 and "64 KB" in response.json()["error"]


def test_a_chunked_body_without_length_is_still_capped(live):
    def chunks():
        yield b'{"question": "'
        for _ in range(MAX_API_BODY_BYTES // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    response = httpx.post(
        f"{live.url}/api/ask", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "path",
    [
        "/gradio_api/file=/etc/passwd",
        "/gradio_api/file=../../../../etc/passwd",
        "/gradio_api/file=corpus/insa-lyon-international-policy.md",
        "/gradio_api/file=index/manifest.json",
        "/policy?source=../../../etc/passwd",
        "/policy?source=/etc/passwd",
        "/file=/etc/passwd",
        "/static/../../../../etc/passwd",
    ],
)
def test_no_file_outside_the_app_is_served(live, path):
    response = httpx.get(f"{live.url}{path}")
    assert response.status_code in (400, 403, 404, 405)
    assert "root:" not in response.text and "corpus_hash" not in response.text


def test_policy_page_runs_no_script(live):
    response = httpx.get(f"{live.url}/policy")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "<script" not in response.text


def test_thirty_two_clients_at_once_get_no_errors(live):
    questions = ["What is the CDEFI?", "Quelles sont les valeurs de l'école ?", "How much?", "🎓"]

    def ask(n: int) -> int:
        body = {"question": questions[n % len(questions)]}
        return httpx.post(f"{live.url}/api/ask", json=body, timeout=60).status_code

    with ThreadPoolExecutor(32) as pool:
        assert set(pool.map(ask, range(320))) <= {200}


@pytest.mark.parametrize(
    "question",
    [
        "\x00What\x01 is\x1b[31m the CDEFI?",
        "ما هي قيم المدرسة؟",
        "שאלה על CDEFI?",
        "What is the CDEFI? 🎓🇫🇷",
        "CDEFI とは何ですか？ And AGERA?",
        "&lt;b&gt;CDEFI&lt;/b&gt; &amp; AGERA",
        string.punctuation,
    ],
)
def test_nasty_questions_through_the_api(live, question):
    response = httpx.post(f"{live.url}/api/ask", json={"question": question})
    assert response.status_code in (200, 422)
    assert "error" in response.json() or "answered" in response.json()
