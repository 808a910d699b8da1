"""Build, verify and load the on-disk index: a folder with vectors, chunks and a manifest.

Layout of `index/`: `chunks.jsonl` (one `Chunk` a line), for each encoder `<key>.faiss` (chunk
vectors) and `<key>.sentences.npy` (sentence vectors, for the answer sentence), and
`manifest.json` (encoders, dimension, corpus hash, chunker version, build time, checksums).
A build writes a sibling folder and swaps it in by rename, under a lock, so a reader never
sees a half-written index. Does not rank anything: see `search`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.documents.chunking import CHUNKER_VERSION, Chunk, chunk_corpus
from assistant.documents.corpus import CorpusError, corpus_fingerprint, load_corpus
from assistant.errors import IndexProblem
from assistant.indexing.arrays import load_array
from assistant.indexing.bm25 import BM25
from assistant.indexing.encoders.base import Encoder, ExportsQueryModel
from assistant.retrieval.language import save_language_model

FORMAT_VERSION = 4
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
# A fixed question embedded at build time by the reference model; the query model must give
# the same vector on load (cosine), or the index is treated as damaged.
PROBE = "What does the international policy of INSA Lyon say about partner universities?"
PROBE_MIN_COSINE = 0.9999
BATCH = 1024  # texts embedded at a time while building
# Exact search up to this many chunks, HNSW above (see BENCHMARKS.md for the crossover).
APPROXIMATE_FROM = 20_000
HNSW_LINKS, HNSW_EF_CONSTRUCTION = 32, 80
# An approximate index scores these nearest chunks per signal; the rest get the lowest score.
CANDIDATES = 256


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float


@dataclass(frozen=True)
class BuildReport:
    chunk_count: int
    document_count: int
    problems: tuple[CorpusError, ...]
    seconds: float


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def encoder_signature(encoders: Mapping[str, Encoder]) -> dict[str, dict[str, Any]]:
    return {
        key: {"model": e.name, "dimension": e.dimension, "fingerprint": e.fingerprint()}
        for key, e in encoders.items()
    }


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


QuerySets = Mapping[str, Sequence[str]]  # name -> fixed texts embedded as queries at build


def _query_sets_signature(query_sets: QuerySets) -> dict[str, str]:
    return {
        name: hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()
        for name, texts in sorted(query_sets.items())
    }


def stale_reason(
    index_dir: Path,
    corpus_dir: Path,
    encoders: Mapping[str, Encoder],
    query_sets: QuerySets | None = None,
) -> str | None:
    """Say why the index cannot be used as is (missing, stale, damaged), or None if it can."""
    manifest_path = index_dir / MANIFEST
    if not manifest_path.is_file():
        return f"no index in {index_dir}"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "the index manifest is unreadable"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        return "the index was written by another version of the assistant"
    if manifest.get("chunker_version") != CHUNKER_VERSION:
        return "the index was built by an older chunker"
    if manifest.get("encoders") != encoder_signature(encoders):
        return "the index was built with another embedding model"
    if manifest.get("query_sets") != _query_sets_signature(query_sets or {}):
        return "the fixed queries (e.g. off-policy topics) changed"
    if manifest.get("corpus_hash") != corpus_fingerprint(corpus_dir):
        return "the corpus changed since the index was built"
    for name, expected in manifest.get("files", {}).items():
        path = index_dir / name
        if not path.is_file() or path.stat().st_size != expected.get("bytes"):
            return f"the index file {name} is missing or truncated"
    return None


def damaged_file(index_dir: Path) -> str | None:
    """Compare every index file with its checksum (0.1 s for 140 MB; run it alongside loading)."""
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        for name, expected in manifest["files"].items():
            if _sha256(index_dir / name) != expected["sha256"]:
                return f"the index file {name} is damaged"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "the index manifest is unreadable"
    return None


def query_model_problem(manifest: Mapping[str, Any], encoders: Mapping[str, Encoder]) -> str | None:
    """Say if a query encoder no longer reproduces the vectors the index was built with."""
    for key, reference in manifest.get("probes", {}).items():
        if key in encoders:
            vector = encoders[key].encode_queries([PROBE])[0]
            if float(np.dot(vector, np.asarray(reference, dtype=np.float32))) < PROBE_MIN_COSINE:
                return f"the index's {key} query model does not reproduce the build's vectors"
    return None


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    encoders: Mapping[str, Encoder],
    query_sets: QuerySets | None = None,
) -> BuildReport:
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
            _write(staging, chunks, encoders, corpus_hash, query_sets or {})
            _swap_in(staging, index_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return BuildReport(
        len(chunks), len(corpus.documents), corpus.problems, time.perf_counter() - began
    )


def _write(
    folder: Path,
    chunks: list[Chunk],
    encoders: Mapping[str, Encoder],
    corpus_hash: str,
    query_sets: QuerySets,
) -> None:
    import faiss

    with (folder / CHUNKS).open("w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
    sentences = [sentence for chunk in chunks for sentence in chunk.sentence_texts()]
    texts = [chunk.search_text for chunk in chunks]
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
            np.save(folder / f"{key}.{name}.npy", encoder.encode_queries(list(fixed)))
    BM25.build(texts).save(folder)
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
        "query_sets": _query_sets_signature(query_sets),
        "probes": probes,
        "files": {
            name: {"sha256": _sha256(folder / name), "bytes": (folder / name).stat().st_size}
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


@dataclass(frozen=True)
class LoadedIndex:
    chunks: tuple[Chunk, ...]
    manifest: dict[str, Any]
    chunk_vectors: Mapping[str, Any]  # key -> faiss index
    sentence_vectors: Mapping[str, np.ndarray]
    sentence_offsets: np.ndarray  # chunk i's sentences are rows offsets[i]:offsets[i+1]
    lexical: BM25
    query_set_vectors: Mapping[str, Mapping[str, np.ndarray]]  # set name -> key -> vectors

    def search(self, key: str, query: np.ndarray, k: int) -> list[Hit]:
        """Return the `k` chunks nearest to one query vector under encoder `key`."""
        k = min(k, len(self.chunks))
        scores, ids = self.chunk_vectors[key].search(query.reshape(1, -1).astype(np.float32), k)
        return [
            Hit(self.chunks[i], float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0
        ]

    def all_scores(self, key: str, query: np.ndarray) -> np.ndarray:
        """Return the cosine of one query vector with every chunk, in chunk order.

        With an approximate index only the `CANDIDATES` nearest are scored; the others get
        the lowest candidate score, so they can still rise by BM25 but never outrank by it.
        """
        exact = self.manifest.get("search", {}).get(key, "exact") == "exact"
        k = len(self.chunks) if exact else min(CANDIDATES, len(self.chunks))
        found, ids = self.chunk_vectors[key].search(query.reshape(1, -1).astype(np.float32), k)
        found, ids = found[0], ids[0]
        kept = ids >= 0
        scores = np.full(len(self.chunks), found[kept].min(), dtype=np.float32)
        scores[ids[kept]] = found[kept]
        return scores

    def sentence_vectors_of(self, key: str, chunk: Chunk) -> np.ndarray:
        return self.sentence_vectors[key][
            self.sentence_offsets[chunk.id] : self.sentence_offsets[chunk.id + 1]
        ]


def load_index(index_dir: Path) -> LoadedIndex:
    """Read a verified index folder (call `stale_reason` first)."""
    import faiss

    # One question searches one vector: FAISS's OpenMP pool would only compete with e5's
    # (measured: e5 18 -> 21 ms per question with both pools spinning on 2 cores).
    faiss.omp_set_num_threads(1)

    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        chunks = []
        for line in (index_dir / CHUNKS).read_text(encoding="utf-8").splitlines():
            fields = json.loads(line)
            fields["sentences"] = tuple(tuple(span) for span in fields["sentences"])
            fields["notes"] = tuple(fields["notes"])
            chunks.append(Chunk(**fields))
        keys = list(manifest["encoders"])
        chunk_vectors = {key: faiss.read_index(str(index_dir / f"{key}.faiss")) for key in keys}
        for vectors in chunk_vectors.values():
            if hasattr(vectors, "hnsw"):
                vectors.hnsw.efSearch = CANDIDATES  # must cover the candidates asked for
        sentence_vectors = {key: load_array(index_dir / f"{key}.sentences.npy") for key in keys}
        query_set_vectors = {
            name: {key: load_array(index_dir / f"{key}.{name}.npy") for key in keys}
            for name in manifest.get("query_sets", {})
        }
        lexical = BM25.load(index_dir)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, zipfile.BadZipFile) as error:
        raise IndexProblem(
            f"The index in {index_dir} cannot be read ({error}). Run: python -m assistant build"
        ) from None
    offsets = np.cumsum([0] + [len(chunk.sentences) for chunk in chunks])
    return LoadedIndex(
        tuple(chunks),
        manifest,
        chunk_vectors,
        sentence_vectors,
        offsets,
        lexical,
        query_set_vectors,
    )
