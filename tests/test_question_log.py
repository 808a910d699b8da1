"""The question log through a real server: every API question is logged once, masked, with its
door, outcome, language, passages and time; votes join on the reply id; the log can be
switched off; old rows expire at start; `report` and `forget` read and prune the same store."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import httpx
import pytest

from assistant.cli import main
from assistant.feedback.store import LoggedQuestion, open_store

QUESTIONS = [
    "What are the school's values?",
    "Quelles sont les valeurs de l'école ?",
    "What is the CDEFI? my mail is ana.silva@gmail.com",
    "How much is the rent in the student residences?",
    "¿Cuánto cuesta el alojamiento para estudiantes?",
    "Combien coûte un logement étudiant ? appelez-moi au 06 12 34 56 78",
    "hello",
    "How many foreign students does INSA Lyon welcome?",
    "Can I get a visa appointment? my student number is 21804567",
    "Which networks is INSA Lyon part of?",
]


def ask(url: str, question: str) -> dict:
    reply = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()


def vote(url: str, reply_id: str, choice: str | None) -> httpx.Response:
    return httpx.post(f"{url}/api/vote", json={"reply_id": reply_id, "vote": choice}, timeout=30)


@pytest.fixture(scope="module")
def asked(start_server, tmp_path_factory):
    """One server that was asked the ten questions; two replies got votes."""
    feedback = tmp_path_factory.mktemp("log") / "votes.sqlite3"
    server = start_server(feedback_path=feedback)
    answers = [ask(server.url, question) for question in QUESTIONS]
    assert vote(server.url, answers[3]["reply_id"], "down").status_code == 200
    assert vote(server.url, answers[0]["reply_id"], "up").status_code == 200
    return server, answers, feedback


def test_every_api_question_is_logged_once_masked(asked):
    server, answers, _ = asked
    rows = {row["reply_id"]: row for row in server.feedback.questions()}
    assert set(rows) == {answer["reply_id"] for answer in answers}
    for answer in answers:
        row = rows[answer["reply_id"]]
        assert row["door"] == "api" and row["outcome"] == answer["outcome"]
        assert row["language"] == answer["language"] and 0 < row["seconds"] < 30
        shown = answer["passages"] or answer["related"]
        assert [(p["source"], p["start"], p["end"]) for p in row["passages"]] == [
            (p["source"], p["start"], p["end"]) for p in shown
        ]
    logged = [row["question"] for row in rows.values()]
    assert "What is the CDEFI? my mail is [email]" in logged
    assert "Combien coûte un logement étudiant ? appelez-moi au [phone]" in logged
    assert "Can I get a visa appointment? my student number is [number]" in logged
    assert not any("@" in q or "21804567" in q or "06 12" in q for q in logged)


def test_votes_join_on_the_reply_id_and_can_be_changed_or_withdrawn(asked):
    server, answers, _ = asked
    reply_id = answers[1]["reply_id"]
    assert vote(server.url, reply_id, "up").json() == {"reply_id": reply_id, "vote": "up"}
    assert vote(server.url, reply_id, "down").status_code == 200
    assert [v["vote"] for v in server.feedback.votes() if v["reply_id"] == reply_id] == ["down"]
    assert vote(server.url, reply_id, None).status_code == 200
    assert not [v for v in server.feedback.votes() if v["reply_id"] == reply_id]


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"reply_id": "0123abcd", "vote": "up"}, 404, "No reply 0123abcd"),
        ({"reply_id": "0123abcd", "vote": "meh"}, 422, "vote"),
        ({"reply_id": "<script>", "vote": "up"}, 422, "reply_id"),
        ({"reply_id": "0123abcd"}, 422, "'vote' is required"),
        ({"reply_id": "0123abcd", "vote": "up", "x": 1}, 422, "allowed: reply_id, vote"),
    ],
)
def test_a_bad_vote_gets_a_clear_error(asked, body, status, says):
    server, _, _ = asked
    reply = httpx.post(f"{server.url}/api/vote", json=body, timeout=30)
    assert reply.status_code == status and says in reply.json()["error"]


@pytest.mark.parametrize("switch", ["flag", "environment"])
def test_the_log_can_be_switched_off(start_server, switch):
    if switch == "flag":
        server = start_server(flags=["--no-question-log"])
    else:
        server = start_server(env={"ASSISTANT_QUESTION_LOG": "off"})
    answer = ask(server.url, "What are the school's values?")
    assert server.feedback.questions() == []
    assert vote(server.url, answer["reply_id"], "up").status_code == 404


def test_rows_older_than_the_retention_are_deleted_at_start(start_server, tmp_path):
    path = tmp_path / "votes.sqlite3"
    store = open_store(None, path)
    now = datetime.now(UTC)
    for reply_id, days in (("old", 40), ("recent", 5)):
        store.log_question(
            LoggedQuestion(
                reply_id, now - timedelta(days=days), "api", "answered", "en", "q", (), 0.1
            )
        )
    store.close()
    server = start_server(feedback_path=path, flags=["--keep-days", "30"])
    ask(server.url, "What are the school's values?")
    assert "old" not in {row["reply_id"] for row in server.feedback.questions()}
    assert "recent" in {row["reply_id"] for row in server.feedback.questions()}


def test_report_json_has_the_promised_fields(asked, use_built, capsys):
    server, _, feedback = asked
    assert main(["report", "--format", "json", "--feedback-db", str(feedback)]) == 0
    report = json.loads(capsys.readouterr().out)
    logged = server.feedback.questions()  # other tests of this module may have asked more
    assert report["questions"] == len(logged) >= len(QUESTIONS)
    outcomes = {o: sum(row["outcome"] == o for row in logged) for o in report["outcomes"]}
    assert report["outcomes"] == outcomes
    assert report["languages"]["fr"] >= 2 and report["languages"]["en"] >= 5
    votes = [row["vote"] for row in logged if row["vote"]]
    assert report["votes"] == {v: votes.count(v) for v in ("up", "down") if v in votes}
    [disliked] = report["disliked"]
    assert disliked["question"] == QUESTIONS[3] and disliked["shown"]
    housing = [
        t
        for t in report["not_answered"]
        if "logement" in " ".join(t["examples"]) or "alojamiento" in " ".join(t["examples"])
    ]
    assert housing, report["not_answered"]
    assert all({"label", "count", "examples"} <= set(t) for t in report["not_answered"])
    assert report["passages"]["most_shown"] and report["passages"]["never_shown"]
    assert (
        report["passages"]["shown"] + len(report["passages"]["never_shown"])
        == (report["passages"]["total"])
    )


def test_report_csv_is_one_row_per_question_and_disarms_formulas(asked, use_built, capsys):
    server, _, feedback = asked
    ask(server.url, '=HYPERLINK("http://evil.example", "click") values?')
    assert main(["report", "--format", "csv", "--feedback-db", str(feedback)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == len(server.feedback.questions())
    assert {row["vote"] for row in rows} == {"up", "down", ""}
    assert any(row["question"].startswith("'=HYPERLINK") for row in rows)


def test_report_html_is_self_contained(asked, use_built, tmp_path):
    _, _, feedback = asked
    out = tmp_path / "report.html"
    assert main(["report", "--out", str(out), "--feedback-db", str(feedback)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") >= 2 and "[email]" in page and "ana.silva" not in page
    fetches = Fetches()
    fetches.feed(page)
    assert fetches.found == [], fetches.found
    assert "@import" not in page and not re.search(r"url\((?!#)", page)  # only url(#clip)


class Fetches(HTMLParser):
    """Every tag or attribute that would make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            if (
                name in ("src", "href", "xlink:href", "action")
                and value
                and not value.startswith("#")
            ):
                self.found.append(f"{tag} {name}={value}")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["report", "--since", "last week"], "neither a number of days"),
        (["report", "--feedback-db", "/nonexistent/votes.sqlite3"], "No question log at"),
        (["forget", "--before", "yesterday"], "is not a date"),
    ],
)
def test_report_and_forget_explain_bad_input(use_built, capsys, argv, says):
    assert main(argv) == 1
    assert says in capsys.readouterr().err


def test_forget_deletes_before_a_date(tmp_path, use_built, capsys):
    path = tmp_path / "votes.sqlite3"
    store = open_store(None, path)
    now = datetime.now(UTC)
    for reply_id, days in (("a", 20), ("b", 1)):
        store.log_question(
            LoggedQuestion(
                reply_id, now - timedelta(days=days), "chat", "answered", "en", "q", (), 0.1
            )
        )
    store.vote_on_logged("a", "up")
    before = (now - timedelta(days=10)).date().isoformat()
    assert main(["forget", "--before", before, "--feedback-db", str(path)]) == 0
    assert "Deleted 1 question(s) and 1 vote(s)" in capsys.readouterr().out
    assert [row["reply_id"] for row in store.questions()] == ["b"]
    with sqlite3.connect(path) as connection:  # the vote went with its question
        assert connection.execute("SELECT COUNT(*) FROM votes").fetchone() == (0,)
