"""Write `corpus/example-questions.jsonl` from the tuning part of the independent questions
and from the examples written for the router.

Run: PYTHONPATH=. .venv/bin/python benchmarks/example_questions.py

Every answerable question of `tests/data/independent/cv.jsonl` (the part tuned on; never the
locked part, nor `tests/data/eval.jsonl`, kept as a second opinion, nor the fresh sets) becomes
an example for the router (`retrieval.router`), with the first of its gold phrases that names
exactly one passage; so does every example of `tests/data/examples/blind-e.jsonl` (written
blind from the policy text, for the router only). A follow-up is written as it is searched:
its earlier turn, then itself.
A question that a measuring set also asks, word for word (independent writers often ask "On how
many continents does INSA Lyon have relations?" alike; case, punctuation and spacing aside), is
left out: it would be measured on what it was taught. A question asked twice is kept once.
"""

from __future__ import annotations

import json
import sys

from assistant.documents.chunking import chunk_corpus
from assistant.documents.corpus import load_corpus
from assistant.documents.examples import EXAMPLES_FILE
from assistant.evaluation import read_eval_set
from assistant.retrieval.curation import find_passages
from assistant.retrieval.search import with_context
from benchmarks.common import ROOT, question_key

DATA = ROOT / "tests" / "data"
SOURCE = DATA / "independent" / "cv.jsonl"
WRITTEN = DATA / "examples" / "blind-e.jsonl"
MEASURING = [
    "eval.jsonl",
    "independent/locked.jsonl",
    "fresh/blind-c.jsonl",
    "fresh/blind-d.jsonl",
    "fresh/f-locked.jsonl",
]
CURATION_MEASURING = ["curation/heldout.jsonl", "curation/fresh/heldout.jsonl"]


def measured_questions() -> set[str]:
    """Every question a measuring set asks, by `question_key`."""
    asked = {case.question for name in MEASURING for case in read_eval_set(DATA / name)}
    for name in CURATION_MEASURING:
        lines = (DATA / name).read_text(encoding="utf-8").splitlines()
        asked |= {json.loads(line)["question"] for line in lines if line.strip()}
    return {question_key(question) for question in asked}


def main() -> int:
    cases = read_eval_set(SOURCE)
    if any(case.split != "cv" for case in cases):
        sys.exit("refusing: examples come from the tuning part only")
    chunks = chunk_corpus(load_corpus(ROOT / "corpus").documents)
    candidates = [
        (case.question, case.history, phrase)
        for case in cases
        if case.answerable
        for phrase in [next((g for g in case.gold if len(find_passages(g, chunks)) == 1), "")]
    ]
    for line in WRITTEN.read_text(encoding="utf-8").splitlines():
        written = json.loads(line)
        one_passage = len(find_passages(written["passage"], chunks)) == 1
        history = tuple(written.get("history", ()))
        candidates.append((written["question"], history, written["passage"] if one_passage else ""))
    lines, measured, seen = [], measured_questions(), set()
    for question, history, phrase in candidates:
        searched = with_context(question, history) if history else question
        asked = {question_key(question), question_key(searched)}
        if phrase and not asked & measured and question_key(searched) not in seen:
            seen.add(question_key(searched))
            lines.append(json.dumps({"question": searched, "passage": phrase}, ensure_ascii=False))
    (ROOT / "corpus" / EXAMPLES_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    left_out = len(candidates) - len(lines)
    print(f"{len(lines)} examples written; {left_out} left out (measured, asked twice, no phrase)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
