"""Cold `ask`: a new process answers one question with the index built. Median of fresh runs.

References measured in the same run: importing numpy + faiss (the floor of any answer), and
importing sentence-transformers (what every answer paid before queries went through ONNX).
"""

from __future__ import annotations

import sys

from common import ENV, fresh_process_seconds, save

RUNS = 7
PY = sys.executable


def main() -> None:
    import subprocess

    subprocess.run([PY, "-m", "assistant", "build"], env=ENV, check=True, capture_output=True)
    ask = fresh_process_seconds([PY, "-m", "assistant", "ask", "What is the CDEFI?"], RUNS)
    ask_fr = fresh_process_seconds(
        [PY, "-m", "assistant", "ask", "Quelles sont les valeurs de l'école ?"], RUNS
    )
    floor = fresh_process_seconds([PY, "-c", "import numpy, faiss"], RUNS)
    torch_path = fresh_process_seconds(
        [PY, "-c", "from sentence_transformers import SentenceTransformer"], 3
    )
    print(f"cold ask (English)            {ask:6.2f} s   target <= 1.0 s")
    print(f"cold ask (French)             {ask_fr:6.2f} s")
    print(f"reference: import numpy+faiss {floor:6.2f} s   (ask / floor = {ask / floor:.1f}x)")
    print(f"reference: import s-t (torch) {torch_path:6.2f} s   ({torch_path / ask:.1f}x ask)")
    save(
        "cold_start",
        {
            "ask_s": ask,
            "ask_fr_s": ask_fr,
            "numpy_faiss_s": floor,
            "sentence_transformers_s": torch_path,
        },
    )


if __name__ == "__main__":
    main()
