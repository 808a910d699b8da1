"""Vectors of fixed query texts kept between builds, so that a rebuild embeds only what changed.

Every build embeds the index recipe's fixed questions (example questions, kinds of talk,
off-policy topics: hundreds of texts, most of a small corpus's build time), and they rarely
change when the policy does. Each set's vectors are kept in a folder beside the index (or in
`ASSISTANT_VECTOR_CACHE`), under a name made of the encoder's signature and the texts' hash,
followed by the file's own checksum: a file is used only if it still matches both. Anything
wrong (an unwritable folder, a damaged or foreign file) means embedding again, never a failed
build. Does not embed documents: chunks and sentences are re-embedded on every build.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.documents.library import write_atomically
from assistant.indexing.encoders.base import Encoder

CACHE_ENV = "ASSISTANT_VECTOR_CACHE"


def cache_folder(index_dir: Path) -> Path:
    """Where the vectors are kept: `ASSISTANT_VECTOR_CACHE`, else a hidden folder beside the
    index (it outlives the index folder, which every build replaces whole)."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    return Path(configured) if configured else index_dir.with_name(f".{index_dir.name}-vectors")


def query_vectors(encoder: Encoder, texts: Sequence[str], folder: Path) -> np.ndarray:
    """The encoder's query vectors of `texts`: kept ones if sound, else embedded (and kept)."""
    key = _key(encoder, texts)
    for path in sorted(folder.glob(f"{key}-*.npy")):
        vectors = _read(path, len(texts), encoder.dimension)
        if vectors is not None:
            return vectors
    vectors = encoder.encode_queries(list(texts))
    buffer = io.BytesIO()
    np.save(buffer, vectors)
    data = buffer.getvalue()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / f"{key}-{hashlib.sha256(data).hexdigest()}.npy", data)
    except OSError:
        pass  # a read-only home or a full disk: the next build embeds them again
    return vectors


def _key(encoder: Encoder, texts: Sequence[str]) -> str:
    signature = [encoder.name, encoder.dimension, encoder.fingerprint(), list(texts)]
    return hashlib.sha256(json.dumps(signature, ensure_ascii=False).encode("utf-8")).hexdigest()


def _read(path: Path, rows: int, dimension: int) -> np.ndarray | None:
    try:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != path.stem.rsplit("-", 1)[1]:
            return None
        vectors = np.load(io.BytesIO(data), allow_pickle=False)
    except (OSError, ValueError):
        return None
    if vectors.shape != (rows, dimension) or vectors.dtype != np.float32:
        return None
    return vectors
