"""The index folder's manifest: what it was built from, and whether it can still be used.

`manifest.json` records the format, chunker version, encoders (model, dimension, weights'
fingerprint), fixed query sets, corpus hash, build time, a probe vector per query model, and the
SHA-256 and size of every file. `stale_reason` says why an index cannot be used as is;
`damaged_file` re-hashes every file; `query_model_problem` re-embeds the probe. Does not read
vectors: see `index`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.documents.chunking import CHUNKER_VERSION
from assistant.documents.corpus import corpus_fingerprint
from assistant.indexing.encoders.base import Encoder
from assistant.indexing.recipe import Recipe

FORMAT_VERSION = 6
MANIFEST = "manifest.json"
# A fixed question embedded at build time by the reference model; the query model must give
# the same vector on load (cosine), or the index is treated as damaged.
PROBE = "What does the international policy of INSA Lyon say about partner universities?"
PROBE_MIN_COSINE = 0.9999

QuerySets = Mapping[str, Sequence[str]]  # name -> fixed texts embedded as queries at build


def sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def encoder_signature(encoders: Mapping[str, Encoder]) -> dict[str, dict[str, Any]]:
    return {
        key: {"model": e.name, "dimension": e.dimension, "fingerprint": e.fingerprint()}
        for key, e in encoders.items()
    }


def query_sets_signature(query_sets: QuerySets) -> dict[str, str]:
    return {
        name: hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()
        for name, texts in sorted(query_sets.items())
    }


def stale_reason(index_dir: Path, corpus_dir: Path, recipe: Recipe) -> str | None:
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
    if manifest.get("encoders") != encoder_signature(recipe.encoders):
        return "the index was built with another embedding model"
    if manifest.get("query_sets") != query_sets_signature(recipe.query_sets) or manifest.get(
        "multilingual_only"
    ) != sorted(recipe.multilingual_only):
        return (
            "the fixed queries (off-policy topics, kinds of talk, curated or example questions)"
            " changed"
        )
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
            if sha256(index_dir / name) != expected["sha256"]:
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
