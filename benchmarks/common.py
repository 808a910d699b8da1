"""Helpers shared by the benchmarks: fresh-process timing, percentiles, memory, a results file."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
ENV = os.environ | {"HF_HUB_OFFLINE": "1", "OMP_WAIT_POLICY": "PASSIVE", "PYTHONPATH": str(ROOT)}


def fresh_process_seconds(argv: list[str], runs: int) -> float:
    """Median wall time of `argv` run `runs` times, each in a new process."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, env=ENV, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def percentile_ms(seconds: list[float], q: float) -> float:
    return float(np.percentile(np.array(seconds) * 1000, q))


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process (this one by default), in MB."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return kb / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def save(name: str, results: dict) -> None:
    """Keep the figures as JSON next to the scripts, for BENCHMARKS.md and the plot."""
    RESULTS.mkdir(exist_ok=True)
    payload = {"machine": machine(), **results}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")


def machine() -> dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": sys.version.split()[0]}


def question_key(question: str) -> str:
    """The question as two writers who ask the same thing write it: case, punctuation and
    spacing aside ("AGERA = ?" and "AGERA", "C'est quoi une UMI ?" and "c'est quoi une UMI")."""
    folded = unicodedata.normalize("NFKC", question).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())
