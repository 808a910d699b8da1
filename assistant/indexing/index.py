"""Open the index folder for questions: every part it holds, verified, in one `Index`.

`open_index` is the one reader of what `build` writes: the chunks, vectors, BM25, fixed query
sets, the query models (checked against their probe vectors), the language tables, and the
documents' text. A missing, stale or damaged index is rebuilt first, with a notice. The parts
load side by side while the checksums are verified. Does not rank anything: see
`assistant.retrieval`.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.documents.chunking import Chunk
from assistant.errors import IndexProblem
from assistant.indexing.arrays import load_array
from assistant.indexing.bm25 import BM25
from assistant.indexing.build import CHUNKS, build_index
from assistant.indexing.encoders.base import Encoder, ExportsQueryModel
from assistant.indexing.language_model import load_language_model
from assistant.indexing.manifest import (
    MANIFEST,
    damaged_file,
    query_model_problem,
    query_sets_signature,
    stale_reason,
)
from assistant.indexing.recipe import Recipe

# An approximate index scores these nearest chunks per signal; the rest get the lowest score.
CANDIDATES = 256


@dataclass(frozen=True)
class Index:
    chunks: tuple[Chunk, ...]
    manifest: dict[str, Any]
    chunk_vectors: Mapping[str, Any]  # key -> faiss index
    sentence_vectors: Mapping[str, np.ndarray]
    sentence_offsets: np.ndarray  # chunk i's sentences are rows offsets[i]:offsets[i+1]
    lexical: BM25
    query_set_vectors: Mapping[str, Mapping[str, np.ndarray]]  # set name -> key -> vectors
    query_encoders: Mapping[str, Encoder]  # key -> the model that embeds questions
    language_identifier: Any  # py3langid's identifier, restricted to plausible languages
    documents: Mapping[str, str]  # source -> full text, for the policy page and highlights

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

    def fixed_query_vectors(self, name: str, texts: Sequence[str], key: str) -> np.ndarray:
        """The vectors of a query set's texts: the built ones if the index was built from
        exactly these texts, else embedded now (the file changed since, or while, it built)."""
        built = self.manifest.get("query_sets", {}).get(name)
        if (
            built == query_sets_signature({name: texts})[name]
            and key in self.query_set_vectors[name]
        ):
            return self.query_set_vectors[name][key]
        return self.query_encoders[key].encode_queries(list(texts))

    def sentence_vectors_of(self, key: str, chunk: Chunk) -> np.ndarray:
        return self.sentence_vectors[key][
            self.sentence_offsets[chunk.id] : self.sentence_offsets[chunk.id + 1]
        ]


def open_index(
    corpus_dir: Path,
    index_dir: Path,
    recipe: Recipe,
    notify: Callable[[str], None],
) -> Index:
    """Open the index, rebuilding it first (with a notice) if missing, stale or damaged."""

    def rebuild(reason: str) -> None:
        notify(f"Rebuilding the index: {reason}.")
        for problem in build_index(corpus_dir, index_dir, recipe).problems:
            notify(f"warning: skipped {problem}")

    reason = stale_reason(index_dir, corpus_dir, recipe)
    if reason is not None:
        rebuild(reason)
    try:
        return _read(index_dir, corpus_dir, recipe.encoders)
    except IndexProblem as problem:
        rebuild(str(problem))
        return _read(index_dir, corpus_dir, recipe.encoders)


def _read(index_dir: Path, corpus_dir: Path, encoders: Mapping[str, Encoder]) -> Index:
    """Read every part side by side; raise `IndexProblem` if any is unusable.

    ONNX Runtime and hashing release the GIL, so this takes 0.37 s instead of 0.56 s here.
    """
    with ThreadPoolExecutor(2 + len(encoders)) as pool:
        damage = pool.submit(damaged_file, index_dir)
        language = pool.submit(load_language_model, index_dir)
        # Questions are embedded by each encoder's query twin (ONNX, no torch).
        twins = {key: pool.submit(_query_encoder, e, index_dir) for key, e in encoders.items()}
        try:
            parts = _read_parts(index_dir)
            identifier = language.result()
            query = {key: twin.result() for key, twin in twins.items()}
        except IndexProblem as problem:
            raise IndexProblem(damage.result() or str(problem)) from None
        reason = damage.result() or query_model_problem(parts["manifest"], query)
    if reason is not None:
        raise IndexProblem(reason)
    documents: dict[str, str] = {}
    for chunk in parts["chunks"]:
        if chunk.source not in documents:
            path = corpus_dir.parent / chunk.source
            documents[chunk.source] = path.read_text(encoding="utf-8")
    return Index(**parts, query_encoders=query, language_identifier=identifier, documents=documents)


def _query_encoder(encoder: Encoder, index_dir: Path) -> Encoder:
    return encoder.query_encoder(index_dir) if isinstance(encoder, ExportsQueryModel) else encoder


def _read_parts(index_dir: Path) -> dict[str, Any]:
    """Read the chunks, vectors, BM25 and fixed query sets of an index folder."""
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
        built_files = manifest.get("files", {})
        query_set_vectors = {
            name: {
                key: load_array(index_dir / f"{key}.{name}.npy")
                for key in keys
                if f"{key}.{name}.npy" in built_files  # some sets are multilingual only
            }
            for name in manifest.get("query_sets", {})
        }
        lexical = BM25.load(index_dir)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, zipfile.BadZipFile) as error:
        raise IndexProblem(
            f"The index in {index_dir} cannot be read ({error}). Run: python -m assistant build"
        ) from None
    offsets = np.cumsum([0] + [len(chunk.sentences) for chunk in chunks])
    return {
        "chunks": tuple(chunks),
        "manifest": manifest,
        "chunk_vectors": chunk_vectors,
        "sentence_vectors": sentence_vectors,
        "sentence_offsets": offsets,
        "lexical": lexical,
        "query_set_vectors": query_set_vectors,
    }
