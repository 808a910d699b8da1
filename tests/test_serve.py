"""`python -m assistant serve` as a user runs it: a real process, its URL, its errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import httpx
import pytest

from assistant.cli import main


def test_serve_prints_its_url_and_answers(use_built, tmp_path):
    env = os.environ | {"ASSISTANT_FEEDBACK_DB": str(tmp_path / "votes.sqlite3")}
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()  # printed once the server is about to accept
        assert line.startswith("Policy assistant: http://127.0.0.1:"), process.stderr.read()
        url = line.split()[2].rstrip("/")
        # the socket listens before the URL is printed: the request waits for the app
        health = httpx.get(f"{url}/healthz", timeout=30)
        assert health.json()["status"] == "ok"
        page = httpx.get(f"{url}/embed/")
        assert page.status_code == 200
        assert (
            "frame-ancestors 'self' https://insa-lyon.fr" in page.headers["content-security-policy"]
        )
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_busy_port_is_one_clear_line(use_built, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: Cannot listen on 127.0.0.1:{port}") and "--port" in err


@pytest.mark.parametrize("origin", ["insa-lyon.fr", "https://x.fr/page", "javascript:alert(1)"])
def test_a_bad_embed_origin_is_refused_before_serving(use_built, capsys, origin):
    assert main(["serve", "--port", "0", "--embed-origin", origin]) == 1
    assert "is not an origin" in capsys.readouterr().err


def test_gradio_telemetry_is_off(assistant, tmp_path):
    import os

    from assistant.feedback.question_log import QuestionLog
    from assistant.feedback.store import open_store
    from assistant.web.chat import build_chat
    from assistant.web.limits import QuestionBudget
    from assistant.web.server import create_app

    store = open_store(None, tmp_path / "v.sqlite3")
    questions = QuestionLog(assistant, store, keep_days=90)
    create_app(questions, store, ["'self'"])
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    chat = build_chat(questions, store, QuestionBudget(0), compact=True)
    assert chat.analytics_enabled is False
