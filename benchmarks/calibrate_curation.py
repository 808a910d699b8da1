"""Choose when a pin or redirect fires: a logistic model, fitted and judged by cross-validation.

Run: PYTHONPATH=. .venv/bin/python benchmarks/calibrate_curation.py [--heldout | --fresh]

The dozen pins and six redirects of `tests/data/curation/curation.jsonl` are put in a copy of
the corpus. Each question of `calibration.jsonl` (paraphrases of them, in four languages) and
`unrelated.jsonl` (questions they must not take) gives the features `Curator.features` computes
for its nearest entry. Firing is harmful on a paraphrase whose nearest entry is the wrong one,
and on an unrelated question unless that entry is a pin whose passage holds its answer
(`unrelated-answers.jsonl`, labelled blind). The model is fitted on the training folds and
fires above the highest logit of a harmful training question; the CV estimate scores each fold
with the model of the others (folds group the paraphrases of one entry). The shipped constants
come from all folds. `--heldout` scores `heldout.jsonl` with the constants in the code, and
`--fresh` the second held-out set (`fresh/`, with its own unrelated questions): each run is a
look, to be counted in `tests/data/curation/README.md`.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from assistant import Assistant
from assistant.config import Settings
from assistant.documents.corpus import corpus_files
from assistant.documents.curation import Curation, Pin, Redirect, write_curation
from assistant.documents.examples import EXAMPLES_FILE
from assistant.retrieval.curation import (
    FEATURES_OF,
    FIRE_MODELS,
    find_passages,
)
from benchmarks.common import ROOT, save

DATA = ROOT / "tests" / "data" / "curation"
FOLDS = 6
L2 = 0.01
FEATURES = ("cosine", "centred cosine", "centred margin", "pinned passage gap", "same topic")


@dataclass(frozen=True)
class Example:
    question: str
    language: str
    features: np.ndarray
    nearest: str  # the key of the nearest entry
    expected: str | None  # the key of the entry it paraphrases (None: unrelated)
    harmless: bool  # firing its nearest entry does no harm
    allowed: bool  # its nearest entry may fire: a redirect, or a pin whose passage holds what
    # the question wants (`ScopeJudge.lacking`)
    first_without: int  # the first chunk without curation

    @property
    def kind(self) -> str:
        """Which model decides: the nearest entry's kind."""
        return "redirect" if self.nearest.startswith("redirect") else "pin"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def curation_of(entries: list[dict]) -> tuple[Curation, dict[str, str]]:
    """The test curation, and each entry's id in the data -> its key."""
    pins = [Pin(e["question"], e["passage"]) for e in entries if e["kind"] == "pin"]
    redirects = [
        Redirect(e["question"], {"en": f"Questions about {e['topic']} go to another office."})
        for e in entries
        if e["kind"] == "redirect"
    ]
    by_question = {entry.question: entry.key for entry in (*pins, *redirects)}
    return Curation(tuple(pins), tuple(redirects)), {
        e["id"]: by_question[e["question"]] for e in entries
    }


def curated_assistant(workdir: Path, curation: Curation) -> Assistant:
    corpus = workdir / "corpus"
    corpus.mkdir()
    for path in [*corpus_files(ROOT / "corpus"), ROOT / "corpus" / EXAMPLES_FILE]:
        shutil.copy2(path, corpus / path.name)
    write_curation(corpus, curation)
    settings = replace(Settings.from_env(), corpus_dir=corpus, index_dir=workdir / "index")
    return Assistant.load(settings)


def examples(assistant: Assistant, items: list[dict], keys: dict[str, str]) -> list[Example]:
    curator = assistant.curator
    pinned_chunk = {key: p.chunk.id for key, p in curator.pinned.items()}
    found = []
    for item in items:
        question = item["question"]
        language = assistant.language.guess(question)
        retrieval = assistant.retriever.retrieve(question, (), 5, english=language == "en")
        asked = retrieval.asked.vectors[assistant.multilingual_key]
        features, best = curator.features(asked, retrieval.scores)
        nearest = curator.entries[best].key
        expected = keys.get(item.get("id", ""))
        if expected is not None:
            harmless = nearest == expected
        elif item.get("answer") and nearest in pinned_chunk:
            holding = {p.chunk.id for p in find_passages(item["answer"], assistant.index.chunks)}
            harmless = pinned_chunk[nearest] in holding
        else:
            harmless = False
        first = int(np.argmax(retrieval.scores))
        pinned = curator.pinned.get(nearest)
        allowed = pinned is None or assistant.scope.lacking(question, pinned.chunk.text) is None
        found.append(
            Example(
                question, item["language"], features, nearest, expected, harmless, allowed, first
            )
        )
    return found


def fit(features: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression (L2), in the features' own units."""
    mean, spread = features.mean(axis=0), features.std(axis=0) + 1e-9
    scaled = np.hstack([(features - mean) / spread, np.ones((len(features), 1))])

    def loss(w: np.ndarray) -> float:
        p = 1 / (1 + np.exp(-scaled @ w))
        likelihood = labels * np.log(p + 1e-12) + (1 - labels) * np.log(1 - p + 1e-12)
        return float(-likelihood.mean() + L2 * w[:-1] @ w[:-1])

    w = minimize(loss, np.zeros(scaled.shape[1])).x
    weights = w[:-1] / spread
    return weights, float(w[-1] - weights @ mean)


Model = dict[str, tuple[np.ndarray, float, float]]  # kind -> weights, bias, threshold


def chosen(train: list[Example]) -> Model:
    """One model per kind of nearest entry (a redirect has no pinned passage, so no gap)."""
    return {
        kind: chosen_for([e for e in train if e.kind == kind], FEATURES_OF[kind])
        for kind in FEATURES_OF
    }


def chosen_for(train: list[Example], read: tuple[int, ...]) -> tuple[np.ndarray, float, float]:
    """The model fitted on `train`, and the logit above every harmful training question."""
    features = np.array([e.features[list(read)] for e in train])
    labels = np.array([e.expected is not None and e.harmless for e in train], dtype=float)
    weights, bias = fit(features, labels)
    logits = features @ weights + bias
    harmful = [
        logit for logit, e in zip(logits, train, strict=True) if not e.harmless and e.allowed
    ]
    return weights, bias, (max(harmful) + 1e-6) if harmful else float(logits.min())


def right(example: Example, fires: bool, pinned_chunk: dict[str, int]) -> bool:
    """A paraphrase: its pinned passage first, or its redirect given."""
    if example.expected in pinned_chunk:
        first = pinned_chunk[example.nearest] if fires else example.first_without
        if fires and example.nearest not in pinned_chunk:
            return False  # a redirect given instead of the pinned passage
        return first == pinned_chunk[example.expected]
    return fires and example.harmless


def score(
    tested: list[Example], model: Model, pinned_chunk: dict[str, int]
) -> dict[str, list[bool]]:
    result: dict[str, list[bool]] = {"pins": [], "redirects": [], "harm": []}
    for example in tested:
        weights, bias, threshold = model[example.kind]
        logit = float(example.features[list(FEATURES_OF[example.kind])] @ weights + bias)
        fires = example.allowed and logit >= threshold
        if example.expected is None:
            result["harm"].append(fires and not example.harmless)
        else:
            kind = "pins" if example.expected in pinned_chunk else "redirects"
            result[kind].append(right(example, fires, pinned_chunk))
    return result


def folds(paraphrases: list[Example], unrelated: list[Example]) -> list[list[Example]]:
    entries = sorted({e.expected for e in paraphrases if e.expected})
    order = {key: n % FOLDS for n, key in enumerate(np.random.default_rng(7).permutation(entries))}
    split: list[list[Example]] = [[] for _ in range(FOLDS)]
    for example in paraphrases:
        split[order[example.expected]].append(example)
    for n, example in enumerate(unrelated):
        split[n % FOLDS].append(example)
    return split


def share(flags: list[bool]) -> str:
    return f"{sum(flags)}/{len(flags)} ({100 * sum(flags) / max(len(flags), 1):.0f} %)"


def main(argv: list[str]) -> int:
    entries = read_jsonl(DATA / "curation.jsonl")
    curation, keys = curation_of(entries)
    with tempfile.TemporaryDirectory() as workdir:
        assistant = curated_assistant(Path(workdir), curation)
        pinned_chunk = {key: p.chunk.id for key, p in assistant.curator.pinned.items()}
        paraphrases = examples(assistant, read_jsonl(DATA / "calibration.jsonl"), keys)
        answers = {a["question"]: a["answer"] for a in read_jsonl(DATA / "unrelated-answers.jsonl")}
        unrelated_items = [
            {**q, "answer": answers[q["question"]]} for q in read_jsonl(DATA / "unrelated.jsonl")
        ]
        unrelated = examples(assistant, unrelated_items, keys)
        if "--fresh" in argv:  # the second held-out set, with its own unrelated questions
            fresh = DATA / "fresh"
            heldout = examples(assistant, read_jsonl(fresh / "heldout.jsonl"), keys)
            unrelated = examples(assistant, read_jsonl(fresh / "unrelated.jsonl"), keys)
        elif "--heldout" in argv:
            heldout = examples(assistant, read_jsonl(DATA / "heldout.jsonl"), keys)
        if "--fresh" in argv or "--heldout" in argv:
            shipped = {
                kind: (np.array(weights), bias, logit)
                for kind, (weights, bias, logit) in FIRE_MODELS.items()
            }
            return report_heldout(heldout, unrelated, shipped, pinned_chunk)
    split = folds(paraphrases, unrelated)
    totals: dict[str, list[bool]] = {"pins": [], "redirects": [], "harm": []}
    for n in range(FOLDS):
        train = [e for m, part in enumerate(split) if m != n for e in part]
        for kind, flags in score(split[n], chosen(train), pinned_chunk).items():
            totals[kind] += flags
    model = chosen(paraphrases + unrelated)
    print(
        f"CV estimate ({FOLDS} folds, {len(paraphrases)} paraphrases, {len(unrelated)} unrelated):"
    )
    print(f"  pinned passage first: {share(totals['pins'])}")
    print(f"  redirect given:       {share(totals['redirects'])}")
    print(f"  unrelated harmed:     {share(totals['harm'])}")
    without = [
        e.first_without == pinned_chunk[e.expected]
        for e in paraphrases
        if e.expected in pinned_chunk
    ]
    print(f"  (without curation, pinned passage first: {share(without)})")
    shipped = {
        kind: (
            tuple(round(float(w), 4) for w in weights),
            round(bias, 4),
            round(float(threshold), 4),
        )
        for kind, (weights, bias, threshold) in model.items()
    }
    print(f"Shipped constants (all folds):\nFIRE_MODELS = {shipped}")
    in_sample = score(paraphrases + unrelated, model, pinned_chunk)
    print("  in-sample: " + ", ".join(f"{kind} {share(f)}" for kind, f in in_sample.items()))
    save(
        "curation_calibration",
        {
            "features": FEATURES,
            "cv": {kind: [int(sum(f)), len(f)] for kind, f in totals.items()},
            "without_curation_pinned_first": [int(sum(without)), len(without)],
            "models": shipped,
        },
    )
    return 0


def report_heldout(
    heldout: list[Example],
    unrelated: list[Example],
    shipped: Model,
    pinned_chunk: dict[str, int],
) -> int:
    result = score(heldout + unrelated, shipped, pinned_chunk)
    print("Held-out paraphrases, with the shipped constants (a look: count it):")
    print(f"  pinned passage first: {share(result['pins'])}")
    print(f"  redirect given:       {share(result['redirects'])}")
    for language in sorted({e.language for e in heldout}):
        subset = [e for e in heldout if e.language == language]
        flags = score(subset, shipped, pinned_chunk)
        print(f"    {language}: pins {share(flags['pins'])}, redirects {share(flags['redirects'])}")
    print(f"  unrelated harmed: {share(result['harm'])}")
    without = [
        e.first_without == pinned_chunk[e.expected] for e in heldout if e.expected in pinned_chunk
    ]
    print(f"  (without curation, pinned passage first: {share(without)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
