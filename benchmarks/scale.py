"""How build time, memory and search latency grow with the corpus: 1k -> 200k chunks.

Embedding 200k chunks with two models would take hours on 2 cores, so the vectors are
synthetic but shaped like real ones: sparse mixtures of the real MiniLM vectors of the policy's
passages, sentences and evaluation questions, plus noise, normalised. Texts for BM25 are drawn
from the policy's own words. Each size is built in a fresh process, the way `build` does it
(`index.vector_index`, streamed batches, `BM25.build`), so its peak memory is its own.
Recall@10 of the approximate index is measured against exact search on the same vectors.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import ENV, ROOT, save

SIZES = (1_000, 10_000, 50_000, 200_000)
QUERIES = 200
DIMENSION = 384


def real_vectors() -> np.ndarray:
    from assistant import Assistant
    from assistant.evaluation import read_eval_set

    assistant = Assistant.load()
    index = assistant.retriever.index
    questions = [c.question for c in read_eval_set(ROOT / "tests" / "data" / "eval.jsonl")]
    queries = assistant.retriever.encoders["minilm"].encode_queries(questions)
    return np.vstack([index.sentence_vectors["minilm"], queries]).astype(np.float32)


def synthetic(basis: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    picks = rng.integers(0, len(basis), size=(count, 3))
    weights = rng.dirichlet(np.ones(3), size=count).astype(np.float32)
    vectors = np.einsum("nk,nkd->nd", weights, basis[picks])
    vectors += rng.normal(0, 0.03, size=vectors.shape).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def words() -> list[str]:
    from assistant.indexing.bm25 import tokenize

    text = (ROOT / "corpus" / "insa-lyon-international-policy.md").read_text(encoding="utf-8")
    return sorted(set(tokenize(text)))


def peak_rss_mb() -> float:
    # VmHWM, not ru_maxrss: the latter survives exec and would report the parent's peak
    status = Path("/proc/self/status").read_text()
    return next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM")) / 1024


def one_size(count: int) -> dict[str, float]:
    """Build and search one synthetic index of `count` chunks (run in its own process)."""
    import faiss

    from assistant.indexing.bm25 import BM25
    from assistant.indexing.build import BATCH, vector_index
    from assistant.indexing.index import CANDIDATES

    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(count)
    basis = np.load(ROOT / "benchmarks" / "results" / "basis.npy")
    began = time.perf_counter()
    index, kind = vector_index(DIMENSION, count)
    for start in range(0, count, BATCH):  # streamed, as build does
        index.add(synthetic(basis, min(BATCH, count - start), rng))
    vocabulary = words()
    ranks = rng.zipf(1.3, size=(count, 60)) % len(vocabulary)
    texts = [" ".join(vocabulary[r] for r in row) for row in ranks]
    lexical = BM25.build(texts)
    build_s = time.perf_counter() - began
    build_peak = peak_rss_mb()
    # the exact reference is built afterwards, the same vectors again, outside the build peak
    rng = np.random.default_rng(count)
    exact = faiss.IndexFlatIP(DIMENSION)
    for start in range(0, count, BATCH):
        exact.add(synthetic(basis, min(BATCH, count - start), rng))
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = CANDIDATES
    queries = synthetic(basis, QUERIES, np.random.default_rng(1))

    def latency(search_index, k: int) -> tuple[float, np.ndarray]:
        found, times = [], []
        for q in queries:
            began = time.perf_counter()
            _, ids = search_index.search(q.reshape(1, -1), k)
            times.append(time.perf_counter() - began)
            found.append(ids[0])
        return float(np.median(times) * 1000), np.array(found)

    search_ms, approximate = latency(index, 10)
    candidates_ms, _ = latency(index, CANDIDATES)
    exact_ms, truth = latency(exact, 10)
    recall = np.mean([len(set(a) & set(t)) / 10 for a, t in zip(approximate, truth, strict=True)])
    bm25_times = []
    for row in ranks[:QUERIES, :4]:
        began = time.perf_counter()
        lexical.scores(" ".join(vocabulary[r] for r in row))
        bm25_times.append(time.perf_counter() - began)
    return {
        "chunks": count,
        "index": kind,
        "build_s": build_s,
        "peak_rss_mb": build_peak,
        "search_p50_ms": search_ms,
        "search_candidates_p50_ms": candidates_ms,
        "exact_p50_ms": exact_ms,
        "recall_at_10": float(recall),
        "bm25_p50_ms": float(np.median(bm25_times) * 1000),
    }


def plot(rows: list[dict[str, float]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["chunks"] for r in rows]
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    axes[0].plot(sizes, [r["build_s"] for r in rows], "o-")
    axes[0].set(title="build time (s)", xscale="log", yscale="log", xlabel="chunks")
    axes[1].plot(sizes, [r["peak_rss_mb"] for r in rows], "o-")
    axes[1].set(title="peak build memory (MB)", xscale="log", xlabel="chunks")
    axes[2].plot(sizes, [r["search_p50_ms"] for r in rows], "o-", label="shipped index, k=10")
    axes[2].plot(sizes, [r["exact_p50_ms"] for r in rows], "s--", label="exact flat, k=10")
    axes[2].plot(sizes, [r["bm25_p50_ms"] for r in rows], "^:", label="BM25 query")
    axes[2].set(title="search p50 (ms)", xscale="log", yscale="log", xlabel="chunks")
    axes[2].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(ROOT / "benchmarks" / "scale.png", dpi=110)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one_size(int(sys.argv[2]))))
        return
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    np.save(ROOT / "benchmarks" / "results" / "basis.npy", real_vectors())
    rows = []
    for count in SIZES:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(count)],
            env=ENV,
            check=True,
            capture_output=True,
            text=True,
            timeout=1800,
        ).stdout
        row = json.loads(out.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['chunks']:>7} chunks ({row['index']}): build {row['build_s']:6.1f} s, "
            f"peak {row['peak_rss_mb']:5.0f} MB, search p50 {row['search_p50_ms']:.2f} ms "
            f"(exact {row['exact_p50_ms']:.2f} ms), recall@10 {row['recall_at_10']:.3f}, "
            f"BM25 {row['bm25_p50_ms']:.2f} ms"
        )
    save("scale", {"rows": rows})
    plot(rows)


if __name__ == "__main__":
    main()
