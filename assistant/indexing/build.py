"""Build the index folder: chunk and embed the corpus into a sibling folder, then swap it in.

Each part writes itself under its own name: the chunks (`chunks.jsonl`), per encoder the chunk
vectors (`<key>.faiss`), sentence vectors (`<key>.sentences.npy`) and fixed query sets
(`<key>.<set>.npy`, kept between builds by `vector_cache`), BM25 (`bm25.*`), the language
tables (`langid.*.npy`), the query models, and last the manifest. A rename under a lock swaps
the folder in, so a reader never sees a half-written index. `index.open_index` reads what this
writes. Does not rank anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.documents.chunking import CHUNKER_VERSION, Chunk, chunk_corpus
from assistant.documents.corpus import CorpusError, corpus_fingerprint, load_corpus
from assistant.errors import IndexProblem
from assistant.indexing.bm25 import BM25
from assistant.indexing.encoders.base import Encoder, ExportsQueryModel
from assistant.indexing.language_model import save_language_model
from assistant.indexing.manifest import (
    FORMAT_VERSION,
    MANIFEST,
    PROBE,
    encoder_signature,
    query_model_problem,
    query_sets_signature,
    sha256,
)
from assistant.indexing.recipe import Recipe
from assistant.indexing.vector_cache import cache_folder, query_vectors

CHUNKS = "chunks.jsonl"
BATCH = 1024  # texts embedded at a time while building
# Exact search up to this many chunks, HNSW above (see BENCHMARKS.md for the crossover).
APPROXIMATE_FROM = 20_000
HNSW_LINKS, HNSW_EF_CONSTRUCTION = 32, 80


@dataclass(frozen=True)
class BuildReport:
    chunk_count: int
    document_count: int
    problems: tuple[CorpusError, ...]
    seconds: float


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Serialise builds of one index across processes."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with (index_dir.parent / f".{index_dir.name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_index(corpus_dir: Path, index_dir: Path, recipe: Recipe) -> BuildReport:
    """Chunk and embed the corpus into a fresh folder, then swap it in for `index_dir`."""
    began = time.perf_counter()
    with build_lock(index_dir):
        corpus_hash = corpus_fingerprint(corpus_dir)
        corpus = load_corpus(corpus_dir)
        if not corpus.documents:
            detail = (
                "; ".join(str(p) for p in corpus.problems)
                or f"{corpus_dir} has no .md or .txt files"
            )
            raise IndexProblem(
                f"Nothing to index: {detail}. Add a policy document to {corpus_dir}."
            )
        chunks = chunk_corpus(corpus.documents)
        staging = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}-build-", dir=index_dir.parent))
        try:
            _write(staging, chunks, recipe, corpus_hash, cache_folder(index_dir))
            _swap_in(staging, index_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return BuildReport(
        len(chunks), len(corpus.documents), corpus.problems, time.perf_counter() - began
    )


def _write(
    folder: Path,
    chunks: list[Chunk],
    recipe: Recipe,
    corpus_hash: str,
    kept_vectors: Path,
) -> None:
    import faiss

    encoders, query_sets = recipe.encoders, recipe.query_sets

    with (folder / CHUNKS).open("w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
    sentences = [text for chunk in chunks for text in chunk.sentence_embedding_texts()]
    texts = [chunk.embedding_text for chunk in chunks]
    searches = {}
    for key, encoder in encoders.items():
        vectors, searches[key] = vector_index(encoder.dimension, len(chunks))
        # Streamed in batches: memory stays bounded by one batch however big the corpus.
        for start in range(0, len(texts), BATCH):
            vectors.add(encoder.encode_documents(texts[start : start + BATCH]))
        faiss.write_index(vectors, str(folder / f"{key}.faiss"))
        saved = np.lib.format.open_memmap(
            folder / f"{key}.sentences.npy",
            mode="w+",
            dtype=np.float32,
            shape=(len(sentences), encoder.dimension),
        )
        for start in range(0, len(sentences), BATCH):
            saved[start : start + BATCH] = encoder.encode_documents(
                sentences[start : start + BATCH]
            )
        saved.flush()
        del saved
        for name, fixed in query_sets.items():
            if encoder.multilingual or name not in recipe.multilingual_only:
                np.save(folder / f"{key}.{name}.npy", query_vectors(encoder, fixed, kept_vectors))
    BM25.build([chunk.search_text for chunk in chunks]).save(folder)
    save_language_model(folder)
    probes = _export_query_models(folder, encoders)
    files = sorted(p.name for p in folder.iterdir())
    manifest = {
        "format": FORMAT_VERSION,
        "chunker_version": CHUNKER_VERSION,
        "corpus_hash": corpus_hash,
        "encoders": encoder_signature(encoders),
        "chunk_count": len(chunks),
        "search": searches,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "query_sets": query_sets_signature(query_sets),
        "multilingual_only": sorted(recipe.multilingual_only),
        "probes": probes,
        "files": {
            name: {"sha256": sha256(folder / name), "bytes": (folder / name).stat().st_size}
            for name in files
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for path in folder.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def vector_index(dimension: int, count: int) -> tuple[Any, str]:
    """Return an empty FAISS index suited to `count` vectors, and its name for the manifest.

    Exact inner-product search (cosine on unit vectors) up to `APPROXIMATE_FROM` vectors; above,
    HNSW, whose recall@10 and latency are measured in benchmarks/scale.py.
    """
    import faiss

    if count < APPROXIMATE_FROM:
        return faiss.IndexFlatIP(dimension), "exact"
    index = faiss.IndexHNSWFlat(dimension, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    return index, f"hnsw{HNSW_LINKS}"


def _export_query_models(folder: Path, encoders: Mapping[str, Encoder]) -> dict[str, list[float]]:
    """Export each encoder's query model (MiniLM → ONNX) and prove it gives the same vectors."""
    probes = {}
    for key, encoder in encoders.items():
        if not isinstance(encoder, ExportsQueryModel):
            continue
        encoder.export_query_model(folder)
        reference = encoder.encode_queries([PROBE])
        problem = query_model_problem(
            {"probes": {key: reference[0].tolist()}}, {key: encoder.query_encoder(folder)}
        )
        if problem:
            raise IndexProblem(f"Cannot build: {problem} (the ONNX export is broken).")
        probes[key] = reference[0].tolist()
    return probes


def _swap_in(staging: Path, index_dir: Path) -> None:
    """Replace `index_dir` by `staging` with two renames; the old folder is deleted after."""
    retired = None
    if index_dir.exists():
        retired = index_dir.with_name(f".{index_dir.name}-old-{os.getpid()}-{time.time_ns()}")
        index_dir.rename(retired)
    staging.rename(index_dir)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
