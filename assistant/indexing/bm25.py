"""BM25 over chunk texts: the signal for names, acronyms and numbers that embeddings blur.

Tokens are lower-cased, accent-folded words with English function words removed and a light
plural strip, so "CDEFI" matches "CDEFI" and "universities" matches "university".
Does not stem other languages: the multilingual encoder covers those.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.indexing.arrays import load_arrays

_TOKEN = re.compile(r"\w+")
STOPWORDS = frozenset(
    "a an and are as at be been being but by can could did do does for from had has have how i "
    "in into is it its me my of on or our so than that the their them then there these they "
    "this those to was we were what when where which who whom why will with would you your "
    "about also any each many more most much other some such through very mean means stand stands "
    "tell please s t".split()
)


def tokenize(text: str) -> list[str]:
    """Split text into BM25 terms."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    terms = []
    for token in _TOKEN.findall(folded):
        if token in STOPWORDS:
            continue
        if len(token) > 4 and token.endswith("ies"):
            token = token[:-3] + "y"
        elif len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
            token = token[:-1]
        terms.append(token)
    return terms


BM25_FILE = "bm25.npz"
K1, B = 1.2, 0.75  # the usual Okapi constants


@dataclass(frozen=True)
class BM25:
    """Okapi BM25 (Lucene's idf) as an inverted index: one weight per (term, document).

    Weights are computed once at build time and saved with the index, so scoring a query is a
    few array additions and loading needs neither the texts nor a tokenizer pass.

    Why not bm25s: its scores are the same (within 5e-7 on every evaluation question, tested
    against bm25s in tests/test_search.py), but `import bm25s` pulls in scipy.sparse and takes
    0.35–0.55 s beyond numpy here, which alone would take a cold `ask` (0.8 s) past its 1 s
    target; this class is the formula in 40 lines of numpy.
    """

    vocabulary: dict[str, int]
    offsets: np.ndarray  # term t's postings are rows offsets[t]:offsets[t + 1]
    documents: np.ndarray  # document number of each posting
    weights: np.ndarray  # idf × saturated term frequency of each posting
    size: int

    @classmethod
    def build(cls, texts: Sequence[str]) -> BM25:
        """Index `texts` (one document each)."""
        postings: dict[str, dict[int, int]] = {}
        lengths = np.zeros(len(texts), dtype=np.float32)
        for number, text in enumerate(texts):
            terms = tokenize(text)
            lengths[number] = len(terms)
            for term in terms:
                counts = postings.setdefault(term, {})
                counts[number] = counts.get(number, 0) + 1
        average = float(lengths.mean()) if len(texts) and lengths.mean() > 0 else 1.0
        vocabulary = {term: t for t, term in enumerate(sorted(postings))}
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        documents, weights = [], []
        for term, t in vocabulary.items():
            counts = postings[term]
            docs = np.fromiter(counts, dtype=np.int32, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            idf = np.log(1 + (len(texts) - len(docs) + 0.5) / (len(docs) + 0.5))
            norm = K1 * (1 - B + B * lengths[docs] / average)
            documents.append(docs)
            weights.append((idf * tf / (tf + norm)).astype(np.float32))  # Lucene: no (k1 + 1)
            offsets[t + 1] = offsets[t] + len(docs)
        return cls(
            vocabulary,
            offsets,
            np.concatenate(documents) if documents else np.zeros(0, dtype=np.int32),
            np.concatenate(weights) if weights else np.zeros(0, dtype=np.float32),
            len(texts),
        )

    def save(self, folder: Path) -> None:
        with (folder / BM25_FILE).open("wb") as handle:
            np.savez(
                handle,
                terms=np.array(list(self.vocabulary), dtype=str),
                offsets=self.offsets,
                documents=self.documents,
                weights=self.weights,
                size=np.array(self.size),
            )

    @classmethod
    def load(cls, folder: Path) -> BM25:
        saved = load_arrays(folder / BM25_FILE)
        terms = saved["terms"].tolist()
        return cls(
            dict(zip(terms, range(len(terms)), strict=True)),
            saved["offsets"],
            saved["documents"],
            saved["weights"],
            int(saved["size"]),
        )

    def scores(self, query: str) -> np.ndarray:
        """Return one BM25 score per document (0 where no query term occurs)."""
        return self.term_scores(tokenize(query))

    def term_scores(self, terms: Sequence[str]) -> np.ndarray:
        """Return one BM25 score per document for terms already tokenised."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term in terms:  # a repeated term counts again, as in the formula's sum
            t = self.vocabulary.get(term)
            if t is not None:
                start, end = self.offsets[t], self.offsets[t + 1]
                scores[self.documents[start:end]] += self.weights[start:end]
        return scores
