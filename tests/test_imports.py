"""`--help`, `ask` and `eval` never import torch, sentence-transformers or gradio (issue: speed)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEAVY = ("torch", "sentence_transformers", "transformers", "gradio", "sklearn")
PROBE = """
import sys
from assistant.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))
print("HEAVY", heavy, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["ask", "What is the CDEFI?"], ["ask", "--json", "Quelles sont les valeurs ?"]],
)
def test_terminal_commands_stay_light(use_built, argv):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert "HEAVY []" in result.stderr, result.stderr[-2000:]


def test_eval_stays_light(use_built, tmp_path):
    small = tmp_path / "eval.jsonl"
    small.write_text(
        '{"id": "a", "kind": "direct", "lang": "en", "q": "What is the CDEFI?", '
        '"gold": ["Conférence des Directeurs"], "split": "tune"}\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=["eval", str(small)], heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "HEAVY []" in result.stderr, result.stderr[-2000:]
