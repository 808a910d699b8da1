"""Shared fixtures: every test owns its corpus and index paths; the real model and FAISS run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.config import PROJECT_ROOT, Settings
from assistant.index import build_index

POLICY = PROJECT_ROOT / "corpus" / "insa-lyon-international-policy.md"
SOURCE_TEXT = PROJECT_ROOT / "tests" / "data" / "insa-lyon-international-policy.pdf.txt"


def make_settings(root: Path) -> Settings:
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    shutil.copy(POLICY, corpus / POLICY.name)
    return Settings(corpus_dir=corpus, index_dir=root / "index")


@pytest.fixture(autouse=True)
def own_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the assistant at a private copy of the corpus, never the repository's index/."""
    settings = make_settings(tmp_path / "project")
    monkeypatch.setenv("ASSISTANT_CORPUS", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX", str(settings.index_dir))
    return settings


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A corpus copy with its index built once for the session; tests must not modify it."""
    from assistant.answer import default_encoders

    settings = make_settings(tmp_path_factory.mktemp("built"))
    build_index(settings.corpus_dir, settings.index_dir, default_encoders())
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
