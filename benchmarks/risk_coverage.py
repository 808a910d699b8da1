"""Evaluate one question set and plot coverage against precision, the shipped point marked.

Run: .venv/bin/python benchmarks/risk_coverage.py tests/data/independent/locked.jsonl
Prints the full report (the same as `python -m assistant eval`), saves the outcomes' figures
to benchmarks/results/eval_<set>.json and the plot to benchmarks/risk_coverage_<set>.png.
On the locked part every run is a look: count it in tests/data/independent/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from common import ROOT, save

from assistant import Assistant
from assistant.evaluation import (
    evaluate,
    format_report,
    groups,
    read_eval_set,
    risk_coverage,
    summarise,
)


def main() -> None:
    path = Path(sys.argv[1]).resolve()
    name = path.stem
    outcomes = evaluate(Assistant.load(), read_eval_set(path))
    print(format_report(outcomes))
    points = risk_coverage(outcomes)
    figures = {}
    for group, rows in groups(outcomes).items():
        m = summarise(rows)
        figures[group] = {
            "n": m.questions,
            "answerable": m.answerable,
            "mrr5": m.mrr5,
            **{
                key: [share.hits, share.total, share.value, *share.interval()]
                for key, share in vars(m).items()
                if hasattr(share, "interval")
            },
        }
    save(f"eval_{name}", {"set": str(path.relative_to(ROOT)), "groups": figures, "curve": points})
    _, coverage, precision = zip(*points, strict=True)
    figure, axes = plt.subplots(figsize=(6, 4.2))
    axes.plot(coverage, precision, color="#1f4e79", label="raising a bar on the best score")
    axes.scatter(
        [coverage[0]], [precision[0]], color="#b00020", zorder=3, label="shipped operating point"
    )
    axes.set_xlabel("coverage: share of answerable questions answered")
    axes.set_ylabel("precision: share of answers right at rank 1")
    axes.set_title(f"Selective answering on {path.name} ({len(outcomes)} questions)")
    axes.set_xlim(0, 1.02)
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left")
    figure.tight_layout()
    target = ROOT / "benchmarks" / f"risk_coverage_{name}.png"
    figure.savefig(target, dpi=120)
    print(f"\nplot: {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
