"""How long `add` takes to read a PDF: a 100-page PDF (fpdf2, the test producer) and the
policy as LibreOffice prints it, converted to a corpus document in this process. Median of
fresh conversions; the index build that follows `add` is timed by `cold_start`/`scale`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, save

sys.path.insert(0, str(ROOT))

from assistant.documents.formats import read_source
from tests import producers

RUNS = 5
TARGET_SECONDS = 10.0


def seconds(path: Path) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        read_source(path)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    import pypdfium2

    with tempfile.TemporaryDirectory() as folder:
        long_pdf = producers.long_pdf(Path(folder) / "long.pdf", pages=100)
        pages = len(pypdfium2.PdfDocument(long_pdf))
        docx = producers.pandoc(ROOT / "corpus" / "insa-lyon-international-policy.md",
                                Path(folder) / "policy.docx")  # fmt: skip
        policy_pdf = producers.libreoffice_pdf(docx, Path(folder))
        long_seconds = seconds(long_pdf)
        policy_seconds = seconds(policy_pdf)
    print(f"{pages}-page PDF        {long_seconds:6.2f} s   target < {TARGET_SECONDS:.0f} s")
    print(f"policy PDF (2 pages) {policy_seconds:6.2f} s")
    save("ingestion_speed", {"pages": pages, "long_pdf_seconds": long_seconds,
                             "policy_pdf_seconds": policy_seconds, "runs": RUNS})  # fmt: skip


if __name__ == "__main__":
    main()
