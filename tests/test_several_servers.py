"""Two `serve` processes on one real PostgreSQL database, 32 clients asking and voting at once:
every question and vote appears exactly once in one report. And when the database goes away,
the chat keeps answering and the failure is logged once, not once per question."""

from __future__ import annotations

import json
import threading
import time

import httpx

from assistant.cli import main
from tests.postgres import PostgresServer

CLIENTS = 32
QUESTIONS_EACH = 3
QUESTIONS = [
    "What are the school's values?",
    "Quels sont les réseaux de l'INSA Lyon ?",
    "How much does housing cost?",
    "What is the CDEFI?",
    "¿Cuántos estudiantes internacionales hay?",
    "hello",
]


def test_two_servers_on_one_database_count_everything_once(
    start_server, postgres, use_built, monkeypatch, capsys
):
    url = postgres.new_database()
    servers = [start_server(env={"ASSISTANT_DATABASE_URL": url}) for _ in range(2)]
    asked: list[str] = []
    votes: dict[str, str] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        with httpx.Client(timeout=120) as http:
            for turn in range(QUESTIONS_EACH):
                server = servers[(number + turn) % 2].url  # plain load balancing
                question = QUESTIONS[(number + turn) % len(QUESTIONS)] + f" (client {number})"
                reply = http.post(f"{server}/api/ask", json={"question": question})
                if reply.status_code != 200:
                    failures.append(reply.text)
                    continue
                reply_id = reply.json()["reply_id"]
                with lock:
                    asked.append(reply_id)
                if turn != 1:  # vote on the other server than the one that answered
                    choice = "up" if number % 2 else "down"
                    other = servers[(number + turn + 1) % 2].url
                    voted = http.post(
                        f"{other}/api/vote", json={"reply_id": reply_id, "vote": choice}
                    )
                    if voted.status_code != 200:
                        failures.append(voted.text)
                    with lock:
                        votes[reply_id] = choice

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert time.monotonic() - started < 300 and not failures, failures[:3]
    assert len(asked) == CLIENTS * QUESTIONS_EACH

    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    assert main(["report", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["questions"] == CLIENTS * QUESTIONS_EACH
    assert report["votes"] == {
        "up": sum(v == "up" for v in votes.values()),
        "down": sum(v == "down" for v in votes.values()),
    }
    rows = servers[0].feedback.questions()
    assert sorted(row["reply_id"] for row in rows) == sorted(asked)  # each exactly once
    assert {row["reply_id"]: row["vote"] for row in rows if row["vote"]} == votes


def test_the_chat_keeps_answering_when_the_database_goes_away(start_server, tmp_path):
    database = PostgresServer().start()
    log = tmp_path / "server.log"
    try:
        server = start_server(env={"ASSISTANT_DATABASE_URL": database.url()}, log_path=log)
        first = httpx.post(
            f"{server.url}/api/ask", json={"question": "What is the CDEFI?"}, timeout=60
        )
        assert first.status_code == 200
    finally:
        database.stop()
    started = time.monotonic()
    for _ in range(12):
        reply = httpx.post(
            f"{server.url}/api/ask", json={"question": "What are the school's values?"}, timeout=60
        )
        assert reply.status_code == 200 and reply.json()["passages"]
    assert time.monotonic() - started < 30, "a database that is down does not hold replies"
    vote = httpx.post(
        f"{server.url}/api/vote",
        json={"reply_id": first.json()["reply_id"], "vote": "up"},
        timeout=30,
    )
    assert vote.status_code == 503
    reports = [line for line in log.read_text().splitlines() if "not stored" in line]
    assert len(reports) == 1, reports
