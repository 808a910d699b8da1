"""Answer queries with MiniLM without torch: the same model exported to ONNX at build time.

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
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import IndexProblem

ONNX_FILE = "minilm.onnx"
TOKENIZER_FILE = "minilm.tokenizer.json"
FILES = (ONNX_FILE, ONNX_FILE + ".data", TOKENIZER_FILE)
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_minilm(model_dir: Path, folder: Path) -> None:
    """Write the MiniLM transformer as ONNX, and its tokenizer, into `folder`."""
    import shutil

    import torch

    from assistant.embedding import _sentence_transformer

    transformer = _sentence_transformer(str(model_dir))[0].auto_model.eval()

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


def save_optimised(source: Path, target: Path) -> None:
    """Save `source` with its operators fused and its weights in `<target>.data`.

    Loading then skips the fusing, and ONNX Runtime maps the weights file instead of parsing
    it: 0.05 s instead of 0.23 s for MiniLM. Fused, a question takes 4 ms instead of 8.
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(target)
    weights = "session.optimized_model_external_initializers_"
    options.add_session_config_entry(weights + "file_name", target.name + ".data")
    options.add_session_config_entry(weights + "min_size_in_bytes", "1024")
    onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def session_options() -> Any:
    """Options for a query-time session of a model written by `save_optimised`."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # one question is a small job: one thread per call, and calls run side by side
    options.intra_op_num_threads = int(os.environ.get("ASSISTANT_ONNX_THREADS", "1"))
    options.inter_op_num_threads = 1
    # fused at build time; fusing again would change nothing but the wait
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    # no arena or memory pattern: 26 MB less resident, for a 16-token question no slower
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    return options


class OnnxMiniLMEncoder:
    """Query-time MiniLM: the exported ONNX model, no torch."""

    dimension = 384

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
