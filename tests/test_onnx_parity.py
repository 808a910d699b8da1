"""Questions are embedded by MiniLM exported to ONNX: same vectors, same rankings, no torch."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from assistant import Assistant
from assistant.config import PROJECT_ROOT, Settings
from assistant.evaluation import read_eval_set
from assistant.indexing.encoders.minilm import ONNX_FILE, MiniLMEncoder, OnnxMiniLMEncoder

EVAL_SET = PROJECT_ROOT / "tests" / "data" / "eval.jsonl"


@pytest.fixture(scope="module")
def both(built):
    reference = MiniLMEncoder()
    return reference, reference.query_encoder(built.index_dir)


def texts(assistant) -> list[str]:
    questions = [case.question for case in read_eval_set(EVAL_SET)]
    chunks = [chunk.search_text for chunk in assistant.retriever.index.chunks]
    nasty = ["", "x", "word " * 400, "AGERA? CGE! 1900 — “quotes”", "学校的价值观是什么？ 🎓"]
    return questions + chunks + nasty


def test_the_assistant_embeds_questions_with_onnx(assistant, both):
    assert isinstance(assistant.retriever.encoders["minilm"], OnnxMiniLMEncoder)
    assert isinstance(both[1], OnnxMiniLMEncoder)


def test_onnx_vectors_match_sentence_transformers(assistant, both):
    reference, onnx = both
    sample = texts(assistant)
    cosines = np.sum(reference.encode_queries(sample) * onnx.encode_queries(sample), axis=1)
    assert cosines.min() >= 0.9999, sample[int(cosines.argmin())]


def test_onnx_gives_identical_rankings(assistant, both):
    reference, onnx = both
    index = assistant.retriever.index
    for case in read_eval_set(EVAL_SET):
        expected = np.argsort(
            -index.all_scores("minilm", reference.encode_queries([case.question])[0])
        )
        got = np.argsort(-index.all_scores("minilm", onnx.encode_queries([case.question])[0]))
        assert list(got[:10]) == list(expected[:10]), case.question


def test_batches_pad_like_single_texts(both):
    _, onnx = both
    alone = np.vstack([onnx.encode_queries([t]) for t in ("short", "a much longer question " * 9)])
    together = onnx.encode_queries(["short", "a much longer question " * 9])
    assert np.allclose(alone, together, atol=1e-5)


@pytest.mark.parametrize("damage", ["garbage", "altered weights"])
def test_a_damaged_onnx_model_is_rebuilt(built, tmp_path, damage):
    settings = Settings(tmp_path / "corpus", tmp_path / "index", tmp_path / "votes.sqlite3")
    shutil.copytree(built.corpus_dir, settings.corpus_dir)
    shutil.copytree(built.index_dir, settings.index_dir)
    # the graph is in the .onnx file, the weights in the .data file beside it
    model = settings.index_dir / (ONNX_FILE if damage == "garbage" else ONNX_FILE + ".data")
    data = bytearray(model.read_bytes())
    if damage == "garbage":
        data[: 1 << 12] = bytes(1 << 12)  # the header is gone: onnxruntime cannot load it
    else:
        middle = len(data) // 2  # inside the weights: still loads, gives other vectors
        data[middle : middle + 4096] = np.random.default_rng(0).bytes(4096)
    model.write_bytes(bytes(data))

    notices: list[str] = []
    answer = Assistant.load(settings, notify=notices.append).ask("What is the CDEFI?")

    assert len(notices) == 1 and notices[0].startswith("Rebuilding the index:")
    assert "Directeurs" in answer.passages[0].text
