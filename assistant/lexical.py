"""BM25 over chunk texts: the signal for names, acronyms and numbers that embeddings blur.

Tokens are lower-cased, accent-folded words with English function words removed and a light
plural strip, so "CDEFI" matches "CDEFI" and "universities" matches "university".
Does not stem other languages: the multilingual encoder covers those.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

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


class BM25:
    """Okapi BM25 scores of every document for a query, on bm25s's sparse matrices."""

    def __init__(self, documents: Sequence[str]) -> None:
        import bm25s

        self.size = len(documents)
        self.model = bm25s.BM25(k1=1.2, b=0.75)
        self.model.index([tokenize(document) for document in documents], show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """Return one BM25 score per document (0 where no query term occurs)."""
        terms = tokenize(query)
        if not terms:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.model.get_scores(terms), dtype=np.float32)
