"""The JSON API over HTTP, against a real `serve` process on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from assistant.cli import main
from assistant.config import PROJECT_ROOT


def post(live, body: object, **kwargs) -> httpx.Response:
    return httpx.post(f"{live.url}/api/ask", json=body, timeout=30, **kwargs)


def test_api_answer_is_the_cli_json_contract(live, use_built, capsys):
    assert main(["ask", "--json", "-k", "2", "What is the CDEFI?"]) == 0
    from_cli = json.loads(capsys.readouterr().out)

    response = post(live, {"question": "What is the CDEFI?", "top_k": 2})

    assert response.status_code == 200
    from_api = response.json()
    # the one difference: the API's question is logged, and its reply id is what votes take
    assert from_cli["reply_id"] is None and re.fullmatch(r"[0-9a-f]{32}", from_api["reply_id"])
    assert from_api | {"reply_id": None} == from_cli
    assert "Directeurs" in from_api["passages"][0]["text"]


def test_api_uses_history_for_a_follow_up(live):
    body = {"question": "And the CGE?", "history": ["What is the CDEFI?"], "top_k": 1}
    answer = post(live, body).json()
    assert answer["answered"] and "Conférence des Grandes Ecoles" in answer["passages"][0]["text"]


def test_api_abstains_out_of_scope(live):
    answer = post(live, {"question": "What will the weather be like tomorrow?"}).json()
    assert answer["answered"] is False and answer["passages"] == []
    assert answer["outcome"] == "not_covered" and "does not say" in answer["message"]


def test_api_gives_related_passages_apart_from_the_answer(live):
    answer = post(live, {"question": "When was INSA Lyon founded?"}).json()
    assert answer["answered"] is False and answer["passages"] == []
    assert answer["outcome"] == "related" and answer["missing"] == "date"
    assert answer["related"] and all("text" in p and "term" in p for p in answer["related"])
    schema = httpx.get(f"{live.url}/openapi.json").json()["components"]["schemas"]["Answer"]
    assert {"outcome", "related", "missing"} <= set(schema["properties"])


def test_healthz_and_openapi(live):
    health = httpx.get(f"{live.url}/healthz").json()
    assert health["status"] == "ok" and health["passages"] > 0 and health["documents"] == 1
    schema = httpx.get(f"{live.url}/openapi.json").json()
    assert "/api/ask" in schema["paths"] and "/healthz" in schema["paths"]
    assert httpx.get(f"{live.url}/docs").status_code == 200


@pytest.mark.parametrize(
    "body, status, says",
    [
        ({}, 422, "'question' is required"),
        ({"question": ""}, 422, "empty"),
        ({"question": "   \t "}, 422, "empty"),
        ({"question": "x" * 5_000}, 422, "limit is 1,000"),
        ({"question": "\x00\u200b"}, 422, "empty"),
        ({"question": "x" * 100_000}, 413, "larger than 64 KB"),
        ({"question": 42}, 422, "'question'"),
        ({"question": "Values?", "top_k": 0}, 422, "top_k"),
        ({"question": "Values?", "top_k": -1}, 422, "top_k"),
        ({"question": "Values?", "top_k": 10**9}, 422, "top_k"),
        ({"question": "Values?", "top_k": "3"}, 422, "'top_k'"),
        ({"question": "Values?", "top_k": True}, 422, "'top_k'"),
        ({"question": "Values?", "history": "What is CGE?"}, 422, "'history'"),
        ({"question": "Values?", "history": [1, 2]}, 422, "'history.0'"),
        ({"question": "Values?", "colour": "red"}, 422, "unknown field 'colour'"),
        (["What is CGE?"], 422, "body"),
    ],
)
def test_bad_requests_get_a_4xx_with_a_message(live, body, status, says):
    response = post(live, body)
    assert response.status_code == status
    assert says in response.json()["error"]


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe", b'{"question": "a"'])
def test_malformed_json_is_a_400(live, raw):
    response = httpx.post(
        f"{live.url}/api/ask", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]


def test_a_long_history_keeps_only_the_recent_turns(live):
    body = {"question": "And the CGE?", "history": ["What is the CDEFI?"] * 500}
    assert post(live, body).status_code == 200


class CountingAssistant:
    """The real assistant, holding each answer a little so overlapping requests can be seen."""

    def __init__(self, real) -> None:
        self.real = real
        self.lock = threading.Lock()
        self.active = self.most_active = 0

    def __getattr__(self, name):
        return getattr(self.real, name)

    def ask(self, *args, **kwargs):
        with self.lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            time.sleep(0.2)
            return self.real.ask(*args, **kwargs)
        finally:
            with self.lock:
                self.active -= 1


def test_sixteen_api_clients_are_served_in_parallel(assistant, tmp_path):
    """In-process, to watch the answers overlap; one app in its own thread's event loop."""
    import uvicorn

    from assistant.feedback.question_log import QuestionLog
    from assistant.feedback.store import open_store
    from assistant.web.server import bind, create_app, server_config

    counting = CountingAssistant(assistant)
    store = open_store(None, tmp_path / "v.sqlite3")
    app = create_app(QuestionLog(counting, store, keep_days=90), store, ["'self'"], 0)
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(server_config(app))
    thread = threading.Thread(target=server.run, args=([sock],), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the in-process server did not start in 30 s"
            time.sleep(0.05)
        with ThreadPoolExecutor(16) as pool:
            responses = list(
                pool.map(
                    lambda _: httpx.post(
                        f"{url}/api/ask", json={"question": "Values?"}, timeout=30
                    ),
                    range(16),
                )
            )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert all(r.status_code == 200 for r in responses)
    assert counting.most_active >= 12  # not one by one


def test_the_api_description_is_the_truth(live, tmp_path):
    """schemathesis fuzzes every documented operation and runs all its checks: statuses,
    content types and bodies as documented, limits in the schema, 405 for wrong methods."""
    st = Path(sys.executable).parent / "st"
    result = subprocess.run(
        [
            *(str(st), "--config-file", str(PROJECT_ROOT / "schemathesis.toml")),
            *("run", f"{live.url}/openapi.json", "--checks", "all"),
            *("--max-examples", "60", "--generation-deterministic", "--no-color"),
            *("--request-timeout", "30"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # schemathesis keeps a cache in the working folder
    )
    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary
    assert "Tested: 4" in summary and "failure" not in summary.split("SUMMARY")[-1], summary
