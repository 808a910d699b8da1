"""Shared fixtures: every test owns its corpus and index paths; the real model and FAISS run."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.config import DEFAULT_EMBED_ORIGINS, PROJECT_ROOT, Settings
from assistant.feedback import FeedbackStore
from assistant.index import build_index

POLICY = PROJECT_ROOT / "corpus" / "insa-lyon-international-policy.md"
SOURCE_TEXT = PROJECT_ROOT / "tests" / "data" / "insa-lyon-international-policy.pdf.txt"


def make_settings(root: Path) -> Settings:
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    shutil.copy(POLICY, corpus / POLICY.name)
    return Settings(
        corpus_dir=corpus, index_dir=root / "index", feedback_db=root / "feedback.sqlite3"
    )


@pytest.fixture(autouse=True)
def own_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the assistant at a private copy of the corpus, never the repository's index/."""
    settings = make_settings(tmp_path / "project")
    monkeypatch.setenv("ASSISTANT_CORPUS", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX", str(settings.index_dir))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(settings.feedback_db))
    return settings


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A corpus copy with its index built once for the session; tests must not modify it."""
    from assistant.answer import INDEXED_QUERIES, default_encoders

    settings = make_settings(tmp_path_factory.mktemp("built"))
    build_index(settings.corpus_dir, settings.index_dir, default_encoders(), INDEXED_QUERIES)
    return settings


@pytest.fixture(scope="session")
def assistant(built: Settings) -> Assistant:
    return Assistant.load(built)


@pytest.fixture
def use_built(built: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Make the CLI read the session's built index."""
    monkeypatch.setenv("ASSISTANT_CORPUS", str(built.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX", str(built.index_dir))
    return built


@dataclass(frozen=True)
class LiveServer:
    url: str
    feedback: FeedbackStore


@pytest.fixture(scope="session")
def start_server(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory):
    """Start real servers on 127.0.0.1 (a free port each) serving the session's assistant."""
    import uvicorn

    from assistant.server import bind, create_app

    running = []

    def start(
        embed_origins: Sequence[str] = DEFAULT_EMBED_ORIGINS,
        served: Any = None,
        rate_per_minute: int = 0,  # the tests all come from 127.0.0.1; one test sets a limit
        feedback_path: Path | None = None,
    ) -> LiveServer:
        feedback = FeedbackStore(
            feedback_path or tmp_path_factory.mktemp("feedback") / "votes.sqlite3"
        )
        app = create_app(served or assistant, feedback, embed_origins, rate_per_minute)
        sock = bind("127.0.0.1", 0)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, args=([sock],), daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "the test server did not start within 30 s"
        running.append((server, thread))
        return LiveServer(f"http://127.0.0.1:{sock.getsockname()[1]}", feedback)

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live(start_server) -> LiveServer:
    """One server with the default settings, shared by the API and browser tests."""
    return start_server()
