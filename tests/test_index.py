from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.config import Settings
from assistant.documents.chunking import CHUNKER_VERSION
from assistant.errors import IndexProblem
from assistant.indexing.build import build_index, build_lock
from assistant.indexing.index import open_index
from assistant.indexing.manifest import MANIFEST, PROBE, damaged_file, stale_reason
from assistant.indexing.recipe import Recipe
from assistant.retrieval.recipe import default_recipe
from tests.conftest import POLICY

RECIPE = default_recipe(POLICY.parent)  # every test's corpus copies its example questions


def never(line: str) -> None:
    raise AssertionError(f"unexpected notice: {line}")


@pytest.fixture
def fresh(own_paths: Settings) -> Settings:
    build_index(own_paths.corpus_dir, own_paths.index_dir, RECIPE)
    return own_paths


def test_manifest_records_what_the_index_was_built_from(fresh: Settings):
    manifest = json.loads((fresh.index_dir / MANIFEST).read_text())
    assert manifest["chunker_version"] == CHUNKER_VERSION
    assert manifest["encoders"]["minilm"]["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert manifest["encoders"]["minilm"]["dimension"] == 384
    assert len(manifest["corpus_hash"]) == 64
    assert manifest["built_at"].endswith("Z")
    assert set(manifest["files"]) == {
        "chunks.jsonl",
        "minilm.faiss",
        "minilm.sentences.npy",
        "minilm.onnx",
        "minilm.onnx.data",
        "minilm.tokenizer.json",
        "e5.faiss",
        "e5.sentences.npy",
        "e5.onnx",
        "e5.onnx.data",
        "e5.pieces.npy",
        "e5.piece_ids.npy",
        "e5.piece_scores.npy",
        "e5.words.npy",
        "e5.settings.json",
        "bm25.npz",
        *(f"langid.{table}.npy" for table in ("ptc", "pc", "classes", "nextmove", "row", "output")),
        "minilm.off_policy_topics.npy",
        "e5.off_policy_topics.npy",
        "e5.talk_examples.npy",  # the sets only the multilingual model reads: e5 alone
        "e5.example_questions.npy",
    }
    assert all(len(f["sha256"]) == 64 and f["bytes"] > 0 for f in manifest["files"].values())
    assert len(manifest["probes"]["minilm"]) == len(manifest["probes"]["e5"]) == 384
    index = open_index(fresh.corpus_dir, fresh.index_dir, RECIPE, never)
    assert index.chunk_vectors["minilm"].ntotal == len(index.chunks) == manifest["chunk_count"]
    assert np.allclose(np.linalg.norm(index.sentence_vectors["minilm"], axis=1), 1, atol=1e-4)


def test_fresh_index_is_not_stale_but_is_for_a_recipe_embedding_its_sets_otherwise(
    fresh: Settings,
):
    assert stale_reason(fresh.index_dir, fresh.corpus_dir, RECIPE) is None
    every_model = replace(RECIPE, multilingual_only=frozenset())  # MiniLM vectors wanted too
    assert "fixed queries" in str(stale_reason(fresh.index_dir, fresh.corpus_dir, every_model))


def _edit_corpus(settings: Settings) -> None:
    path = next(settings.corpus_dir.iterdir())
    path.write_text(path.read_text() + "\nA new paragraph about summer schools.\n")


def _change_chunker(settings: Settings) -> None:
    manifest = json.loads((settings.index_dir / MANIFEST).read_text())
    manifest["chunker_version"] = "0"
    (settings.index_dir / MANIFEST).write_text(json.dumps(manifest))


def _change_model(settings: Settings) -> None:
    manifest = json.loads((settings.index_dir / MANIFEST).read_text())
    manifest["encoders"]["minilm"]["fingerprint"] = "other-weights"
    (settings.index_dir / MANIFEST).write_text(json.dumps(manifest))


def _truncate_vectors(settings: Settings) -> None:
    path = settings.index_dir / "minilm.faiss"
    path.write_bytes(path.read_bytes()[:100])


def _delete_index(settings: Settings) -> None:
    for path in settings.index_dir.iterdir():
        path.unlink()
    settings.index_dir.rmdir()


@pytest.mark.parametrize(
    "name", ["chunks.jsonl", "e5.faiss", "langid.nextmove.npy", "bm25.npz", "e5.words.npy"]
)
def test_a_file_damaged_in_place_fails_its_checksum_and_is_rebuilt(fresh: Settings, name):
    path = fresh.index_dir / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte flipped
    path.write_bytes(bytes(data))
    assert damaged_file(fresh.index_dir) == f"the index file {name} is damaged"

    notices: list[str] = []
    answer = Assistant.load(fresh, notify=notices.append).ask("What is the CDEFI?")
    assert notices == [f"Rebuilding the index: the index file {name} is damaged."]
    assert "Directeurs" in answer.passages[0].text
    assert damaged_file(fresh.index_dir) is None


@pytest.mark.parametrize(
    "damage, reason",
    [
        (_edit_corpus, "the corpus changed"),
        (_change_chunker, "older chunker"),
        (_change_model, "another embedding model"),
        (_truncate_vectors, "missing or truncated"),
        (_delete_index, "no index"),
    ],
)
def test_stale_or_damaged_index_is_detected_and_rebuilt(fresh: Settings, damage, reason):
    damage(fresh)
    assert reason in stale_reason(fresh.index_dir, fresh.corpus_dir, RECIPE)
    notices: list[str] = []
    answer = Assistant.load(fresh, notify=notices.append).ask("What are the school's values?")
    assert len(notices) == 1 and notices[0].startswith("Rebuilding the index: ")
    assert reason in notices[0]
    assert stale_reason(fresh.index_dir, fresh.corpus_dir, RECIPE) is None
    assert answer.answered


class ExplodingEncoder:
    """The real MiniLM, failing halfway through a build as a killed process would."""

    def __init__(self) -> None:
        self.inner = RECIPE.encoders["minilm"]
        self.name, self.dimension = self.inner.name, self.inner.dimension

    def fingerprint(self) -> str:
        return self.inner.fingerprint()

    def encode_documents(self, texts):
        raise KeyboardInterrupt

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)


def test_interrupted_build_leaves_the_previous_index_whole(fresh: Settings):
    before = {p.name: p.read_bytes() for p in fresh.index_dir.iterdir()}
    _edit_corpus(fresh)
    with pytest.raises(KeyboardInterrupt):
        build_index(fresh.corpus_dir, fresh.index_dir, Recipe({"minilm": ExplodingEncoder()}, {}))
    assert {p.name: p.read_bytes() for p in fresh.index_dir.iterdir()} == before
    assert not [p for p in fresh.index_dir.parent.iterdir() if p.name.startswith(".index-")]


def test_builds_are_serialised_by_a_lock(own_paths: Settings):
    order: list[str] = []

    def build() -> None:
        build_index(own_paths.corpus_dir, own_paths.index_dir, RECIPE)
        order.append("built")

    with build_lock(own_paths.index_dir):
        worker = threading.Thread(target=build)
        worker.start()
        time.sleep(0.3)
        order.append("lock released")
    worker.join(timeout=60)
    assert order == ["lock released", "built"]


def test_empty_corpus_is_a_clear_error(tmp_path: Path):
    (tmp_path / "corpus").mkdir()
    with pytest.raises(IndexProblem, match="Nothing to index"):
        build_index(tmp_path / "corpus", tmp_path / "index", RECIPE)


def test_a_build_killed_midway_leaves_the_previous_index_served(fresh: Settings):
    import os
    import signal
    import subprocess
    import sys

    before = (fresh.index_dir / MANIFEST).read_text()
    _edit_corpus(fresh)  # so the new build has real work to do
    build = subprocess.Popen(
        [sys.executable, "-m", "assistant", "build"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(fresh.index_dir.parent.glob(f".{fresh.index_dir.name}-build-*")):
        assert time.monotonic() < deadline and build.poll() is None, "the build never started"
        time.sleep(0.05)
    build.send_signal(signal.SIGKILL)
    build.wait()

    assert (fresh.index_dir / MANIFEST).read_text() == before
    assert damaged_file(fresh.index_dir) is None
    # the old index is whole: it opens as it is, only stale for the edited corpus
    assert stale_reason(fresh.index_dir, fresh.corpus_dir, RECIPE) == (
        "the corpus changed since the index was built"
    )


def test_arrays_load_side_by_side_without_errors(built):
    from concurrent.futures import ThreadPoolExecutor

    from assistant.indexing.arrays import load_array

    paths = sorted(built.index_dir.glob("*.npy")) * 40
    with ThreadPoolExecutor(8) as pool:
        loaded = list(pool.map(lambda p: load_array(p, mmap=True).shape, paths))
    assert len(loaded) == len(paths)


def test_a_rebuild_embeds_no_fixed_question_again_unless_its_kept_vectors_are_damaged(
    own_paths: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from assistant.indexing.encoders.e5 import E5Encoder
    from assistant.indexing.vector_cache import CACHE_ENV
    from assistant.retrieval.conversation import TALK_EXAMPLES

    kept = tmp_path / "kept"
    monkeypatch.setenv(CACHE_ENV, str(kept))
    embedded: list[list[str]] = []
    real = E5Encoder.encode_queries

    def spied(self: E5Encoder, texts):
        embedded.append(list(texts))
        return real(self, texts)

    monkeypatch.setattr(E5Encoder, "encode_queries", spied)
    build_index(own_paths.corpus_dir, own_paths.index_dir, RECIPE)
    talk = np.load(own_paths.index_dir / "e5.talk_examples.npy")
    assert list(TALK_EXAMPLES) in embedded
    embedded.clear()

    _edit_corpus(own_paths)  # the office edits the policy: only the policy is embedded again
    build_index(own_paths.corpus_dir, own_paths.index_dir, RECIPE)
    assert all(texts == [PROBE] for texts in embedded)  # no fixed question, only the probe
    assert np.array_equal(np.load(own_paths.index_dir / "e5.talk_examples.npy"), talk)

    for path in kept.glob("*.npy"):  # same size, one byte flipped: not trusted
        data = bytearray(path.read_bytes())
        data[-1] ^= 0xFF
        path.write_bytes(bytes(data))
    build_index(own_paths.corpus_dir, own_paths.index_dir, RECIPE)
    assert list(TALK_EXAMPLES) in embedded
    assert np.allclose(np.load(own_paths.index_dir / "e5.talk_examples.npy"), talk, atol=1e-6)


def test_a_build_whose_vectors_cannot_be_kept_still_builds(
    own_paths: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from assistant.indexing.vector_cache import CACHE_ENV

    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "a-file" / "kept"))
    build_index(own_paths.corpus_dir, own_paths.index_dir, RECIPE)
    assert Assistant.load(own_paths, notify=never).ask("What is the CDEFI?").answered
