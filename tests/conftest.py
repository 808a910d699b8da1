"""Shared fixtures: every test owns its corpus and index paths; the real model and FAISS run."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant import Assistant
from assistant.config import DEFAULT_EMBED_ORIGINS, PROJECT_ROOT, Settings
from assistant.feedback.store import Store, open_store
from assistant.indexing.build import build_index

POLICY = PROJECT_ROOT / "corpus" / "insa-lyon-international-policy.md"
EXAMPLES = PROJECT_ROOT / "corpus" / "example-questions.jsonl"  # what the router learns from
SOURCE_TEXT = PROJECT_ROOT / "tests" / "data" / "insa-lyon-international-policy.pdf.txt"


def make_settings(root: Path) -> Settings:
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    shutil.copy(POLICY, corpus / POLICY.name)
    shutil.copy(EXAMPLES, corpus / EXAMPLES.name)
    return Settings(
        corpus_dir=corpus, index_dir=root / "index", feedback_db=root / "feedback.sqlite3"
    )


@pytest.fixture(scope="session", autouse=True)
def kept_vectors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of kept query vectors for the whole session, servers included: the fixed
    questions (hundreds of examples) are embedded by the first build, reused by the others."""
    from assistant.indexing.vector_cache import CACHE_ENV

    folder = tmp_path_factory.mktemp("kept-vectors")
    os.environ[CACHE_ENV] = str(folder)
    return folder


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
    from assistant.retrieval.recipe import default_recipe

    settings = make_settings(tmp_path_factory.mktemp("built"))
    build_index(settings.corpus_dir, settings.index_dir, default_recipe(settings.corpus_dir))
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


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the session (started on first use); `.new_database()`."""
    from tests.postgres import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty store of each kind: the same tests run against SQLite and PostgreSQL."""
    if request.param == "sqlite":
        opened = open_store(None, tmp_path / "feedback.sqlite3")
    else:
        opened = open_store(request.getfixturevalue("postgres").new_database(), tmp_path / "unused")
    yield opened
    opened.close()


@dataclass(frozen=True)
class LiveServer:
    url: str
    feedback: Store  # the server's votes and question log
    process: subprocess.Popen


def serve(
    settings: Settings,
    feedback_path: Path,
    *flags: str,
    rate_per_minute: int = 0,  # the tests all come from 127.0.0.1; some set a limit
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,  # where the server's stderr (its log) goes
) -> LiveServer:
    """Start `python -m assistant serve` on a free port of 127.0.0.1; return once it listens."""
    environment = os.environ | {
        "ASSISTANT_CORPUS": str(settings.corpus_dir),
        "ASSISTANT_INDEX": str(settings.index_dir),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    log = log_path.open("w") if log_path else None
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "assistant", "serve", "--port", "0"),
            *("--feedback-db", str(feedback_path), "--rate-limit", str(rate_per_minute)),
            *flags,
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 120)  # a build may come first
    line = process.stdout.readline() if ready else ""  # "Policy assistant: http://…/  (…)"
    if not line.startswith("Policy assistant: "):
        process.kill()
        raise AssertionError(f"the server did not start: {line!r}")
    url = line.split()[2].rstrip("/")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                database_url = (env or {}).get("ASSISTANT_DATABASE_URL")
                return LiveServer(url, open_store(database_url, feedback_path), process)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not answer /healthz within 30 s")


def stop(server: LiveServer) -> None:
    server.feedback.close()
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def _server_starter(built: Settings, tmp_path_factory: pytest.TempPathFactory):
    """Start real `serve` processes (a free port each) on the session's built index; stop them
    all when the fixture that made the starter ends."""
    running: list[LiveServer] = []

    def start(
        embed_origins: Sequence[str] = DEFAULT_EMBED_ORIGINS,
        settings: Settings | None = None,
        rate_per_minute: int = 0,
        feedback_path: Path | None = None,
        flags: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
    ) -> LiveServer:
        origins = [f"--embed-origin={origin}" for origin in embed_origins]
        server = serve(
            settings or built,
            feedback_path or tmp_path_factory.mktemp("feedback") / "votes.sqlite3",
            *origins,
            *flags,
            rate_per_minute=rate_per_minute,
            env=env,
            log_path=log_path,
        )
        running.append(server)
        return server

    yield start
    for server in running:
        stop(server)


# A module's servers stop when it ends: each idle server still costs a few % of a core (the
# event loop's timers), and a whole run of idle servers slowed the browser tests.
start_server = pytest.fixture(scope="module")(_server_starter)
_session_server = pytest.fixture(scope="session")(_server_starter)


@pytest.fixture(scope="session")
def live(_session_server) -> LiveServer:
    """One server with the default settings, shared by the API and browser tests."""
    return _session_server()
