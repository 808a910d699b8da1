"""What logging a question costs: warm answers with the log off, into SQLite, into PostgreSQL,
and the report on a month of questions.

Each of the 128 evaluation questions is asked 3 times through `QuestionLog.ask` in each mode,
interleaved so that the machine's drift hits every mode alike. PostgreSQL is a throwaway
server (Debian's, as in the tests). Then 3,000 logged questions are summarised into the HTML
report, as `report` and `/admin` do.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import ROOT, percentile_ms, save

from assistant import Assistant
from assistant.evaluation import read_eval_set
from assistant.feedback.question_log import QuestionLog
from assistant.feedback.store import LoggedQuestion, ShownPassage, open_store
from assistant.indexing.encoders.base import multilingual_encoder
from assistant.report.render import render
from tests.postgres import PostgresServer

ROUNDS = 3
REPORT_QUESTIONS = 3000


def main() -> None:
    assistant = Assistant.load()
    cases = read_eval_set(ROOT / "tests" / "data" / "eval.jsonl")
    postgres = PostgresServer().start()
    folder = Path(tempfile.mkdtemp())
    try:
        logs = {
            "off": QuestionLog(assistant, None, 90),
            "sqlite": QuestionLog(assistant, open_store(None, folder / "log.sqlite3"), 90),
            "postgresql": QuestionLog(assistant, open_store(postgres.new_database(), folder), 90),
        }
        for log in logs.values():  # warm up, and create the schemas
            log.ask("What is the CDEFI?", (), 3, "api")
        seconds: dict[str, list[float]] = {mode: [] for mode in logs}
        for _ in range(ROUNDS):
            for case in cases:
                for mode, log in logs.items():
                    began = time.perf_counter()
                    log.ask(case.question, case.history, 3, "api")
                    seconds[mode].append(time.perf_counter() - began)
        results = {
            mode: {"p50_ms": percentile_ms(times, 50), "p95_ms": percentile_ms(times, 95)}
            for mode, times in seconds.items()
        }
        for mode in ("sqlite", "postgresql"):
            results[mode]["p50_ratio_to_off"] = results[mode]["p50_ms"] / results["off"]["p50_ms"]
        results["report"] = report_seconds(assistant, folder / "month.sqlite3")
    finally:
        postgres.stop()
    for mode, figures in results.items():
        print(mode, {k: round(v, 3) for k, v in figures.items()})
    save("question_log_cost", results)


def report_seconds(assistant: Assistant, path: Path) -> dict[str, float]:
    """Fill a store with a month of questions (a fifth unanswered), then time the report."""
    store = open_store(None, path)
    questions = [case.question for case in read_eval_set(ROOT / "tests/data/eval.jsonl")]
    now = datetime.now(UTC)
    shown = (ShownPassage("corpus/x.md", "Policy", "Values", 0, 100, 0.5),)
    for n in range(REPORT_QUESTIONS):
        outcome = "not_covered" if n % 5 == 0 else "answered"
        asked = now - timedelta(minutes=n * 14)
        question = f"{questions[n % len(questions)]} ({n % 40})"
        store.log_question(
            LoggedQuestion(f"r{n}", asked, "chat", outcome, "en", question, shown, 0.05)
        )
    encoder = multilingual_encoder(assistant.index.query_encoders)
    began = time.perf_counter()
    page, count = render(store, assistant.index.chunks, encoder, now - timedelta(days=31), "html")
    return {"questions": count, "seconds": time.perf_counter() - began, "html_kb": len(page) / 1024}


if __name__ == "__main__":
    main()
