"""Rank chunks for a question by fusing four signals, and pick each chunk's answer sentence.

Signals, over the same chunks: BM25 (names, acronyms, numbers), the English MiniLM, the
multilingual e5 (questions in any language), and the router learnt from example questions
(`router`). Each is scaled to a comparable range and summed with weights that depend on
whether the question is English (for other languages only e5 understands the words). A
follow-up that leans on an earlier turn ("And CGE?") is also searched together with that turn.
The answer sentence is chosen by the same signals.
Does not decide whether to answer: see `answer`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.documents.chunking import Chunk
from assistant.indexing.bm25 import tokenize
from assistant.indexing.encoders.base import Encoder, scaled
from assistant.indexing.index import Index
from assistant.retrieval.router import Router
from assistant.retrieval.spelling import Speller

_LEANS_ON_CONTEXT = re.compile(
    r"^(and|or|but|what about|how about|et|ou|y|und|e)\b|\b(it|its|they|them|their|this|that|"
    r"these|those|one|ones|there|il|elle|ils|elles|cela|ça|ello|es|sie)\b",
    re.IGNORECASE,
)
# A capitalised word or an acronym after the first word: a name the question brings.
_NAME = re.compile(r"(?<![\w'])[A-Z][\w-]*")
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
# A question with fewer content words than this cannot stand alone ("Which countries?").
STANDALONE_MIN_TERMS = 2


@dataclass(frozen=True)
class Weights:
    """Fusion weights, chosen by 5-fold CV on independent/cv + fresh/d-cv (cross_validate.py);
    e5 is the unit the others are measured in."""

    bm25: float = 1.0
    minilm: float = 0.25
    e5: float = 1.0
    # each encoder's best sentence of a chunk, besides the whole chunk (CV: no weight)
    sentence: float = 0.0
    e5_non_english: float = 1.0
    bm25_non_english: float = 0.0  # BM25 on a foreign question: CV gives it no weight
    context: float = 0.5  # weight of the (earlier turn + question) search for a follow-up
    fragment_context: float = 2.0  # the same, when the question cannot stand alone ("Which?")
    sentence_overlap: float = 0.5
    router: float = 2.0  # the passage example questions like this one want (`router`)


# BM25 saturates: beyond this score a passage is as lexically relevant as it gets.
BM25_SATURATION = 3.0


@dataclass(frozen=True)
class Ranked:
    chunk: Chunk
    score: float  # fused relevance: comparable across questions, used to abstain
    highlight: tuple[int, int]  # absolute span of the answer sentence in the document


@dataclass(frozen=True)
class Query:
    text: str
    english: bool
    vectors: Mapping[str, np.ndarray]
    terms: frozenset[str]


@dataclass(frozen=True)
class Retrieval:
    ranked: tuple[Ranked, ...]
    query: Query  # what was searched: the question, or the follow-up joined to its context
    nearest_policy: Mapping[str, float]  # per encoder, the searched query's best policy cosine
    asked: Query  # the question alone, even when a follow-up was searched with its context
    scores: np.ndarray  # fused relevance of every chunk, in chunk order (curation weighs a pin)
    nearest_asked: Mapping[str, float]  # the same as `nearest_policy`, for the question alone


Signals = dict[str, np.ndarray]  # signal name -> scaled score of every chunk


def _fuse(signals: Signals, english: bool, w: Weights) -> np.ndarray:
    def encoder(key: str) -> np.ndarray:
        whole = signals[key]
        return whole + w.sentence * signals[f"{key}_sentence"] if w.sentence else whole

    total = w.router * signals["router"] if "router" in signals else 0.0
    if english:
        total = total + w.bm25 * signals["bm25"] + w.minilm * encoder("minilm")
        return total + w.e5 * encoder("e5")
    # MiniLM only knows English; BM25 still finds names, acronyms and cognates
    return total + w.e5_non_english * encoder("e5") + w.bm25_non_english * signals["bm25"]


def combine(
    own: Signals, context: Signals | None, *, english: bool, weights: Weights, fragment: bool
) -> np.ndarray:
    """Fuse the signals into one relevance per chunk, on the same scale whatever the weights.

    A `fragment` is a question too short to stand alone: its earlier turn weighs more.
    """
    w = weights
    leaning = w.fragment_context if fragment else w.context
    total = _fuse(own, english, w)
    sentence = 1 + w.sentence
    if english:
        norm = w.bm25 + (w.minilm + w.e5) * sentence
    else:
        norm = w.e5_non_english * sentence + w.bm25_non_english
    if "router" in own:
        norm += w.router
    if context is not None:
        total = total + leaning * _fuse(context, english, w)
        norm *= 1 + leaning
    return total / norm


def with_context(question: str, history: Sequence[str]) -> str:
    """The text a follow-up is searched with: its earlier turn, then itself."""
    return f"{history[-1]} {question}"


def _sentence_terms(chunk: Chunk) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(tokenize(sentence)) for sentence in chunk.sentence_texts())


def is_fragment(question: str) -> bool:
    """Tell whether a question has too few words of its own to stand alone ("Which ones?").

    A name it brings ("And CDEFI?", "Et en Asie ?") is what it asks about: not a fragment.
    """
    rest = question.split(maxsplit=1)[1] if " " in question.strip() else ""
    names = _NAME.findall(rest) or _ACRONYM.findall(question)
    return len(tokenize(question)) < STANDALONE_MIN_TERMS and not names


def depends_on_history(question: str, history: Sequence[str]) -> bool:
    """Tell whether a question only makes sense with the earlier turn ("and in Asia?")."""
    if not history:
        return False
    return bool(_LEANS_ON_CONTEXT.search(question)) or is_fragment(question)


class Retriever:
    def __init__(
        self,
        index: Index,
        encoders: Mapping[str, Encoder],
        weights: Weights = Weights(),
        router: Router | None = None,
    ) -> None:
        self.index = index
        self.encoders = encoders
        self.weights = weights
        self.router = router
        self.bm25 = index.lexical
        self.speller = Speller(index.lexical.vocabulary)
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="encode")
        self._encoding = 0  # questions being embedded right now
        # the same chunks come up again and again: tokenize their sentences once
        self._sentence_terms = lru_cache(maxsize=4096)(_sentence_terms)
        self._encoding_lock = threading.Lock()

    def encode_all(self, texts: Sequence[str], english: bool) -> list[Query]:
        """Embed texts with every encoder the question's language needs, side by side.

        Only e5 reads other languages, so MiniLM is skipped for them. The encoders release the
        GIL, so when this is the only question being answered e5 runs on a helper thread while
        MiniLM runs on this one: the wait is the slower of the two, not their sum. When others
        are being answered too, the cores are already busy and the hand-off would only add
        work, so both run here.
        """
        keys = [key for key, encoder in self.encoders.items() if english or encoder.multilingual]
        with self._encoding_lock:
            alone = self._encoding == 0
            self._encoding += 1
        try:
            helpers = {
                key: self.pool.submit(self.encoders[key].encode_queries, texts)
                for key in (keys[1:] if alone else [])
            }
            vectors = {
                key: self.encoders[key].encode_queries(texts) for key in keys if key not in helpers
            }
            vectors |= {key: future.result() for key, future in helpers.items()}
        finally:
            with self._encoding_lock:
                self._encoding -= 1
        return [
            Query(
                text, english, {key: v[i] for key, v in vectors.items()}, frozenset(tokenize(text))
            )
            for i, text in enumerate(texts)
        ]

    def queries(
        self, question: str, history: Sequence[str], english: bool
    ) -> tuple[Query, Query | None]:
        """Embed the question and, for a follow-up that leans on it, the earlier turn with it."""
        texts = [question]
        if depends_on_history(question, history):
            texts.append(with_context(question, history))  # one batch: one model call each
        query, *rest = self.encode_all(texts, english)
        return query, rest[0] if rest else None

    def cosines(self, query: Query) -> dict[str, np.ndarray]:
        """Return each encoder's cosine of the query with every chunk, in chunk order."""
        return {key: self.index.all_scores(key, vector) for key, vector in query.vectors.items()}

    def chunk_signals(
        self, query: Query, cosines: Mapping[str, np.ndarray], sentences: bool = False
    ) -> Signals:
        """Return each signal's scaled score for every chunk (and for its best sentence, when
        that signal is weighed or asked for: it costs a pass over every sentence)."""
        terms = [self.speller.correct(term) for term in tokenize(query.text)]
        signals = {"bm25": np.minimum(self.bm25.term_scores(terms) / BM25_SATURATION, 1.0)}
        for key, found in cosines.items():
            signals[key] = scaled(self.encoders[key], found)
            if sentences or self.weights.sentence:
                best = self.best_sentences(key, query)
                signals[f"{key}_sentence"] = scaled(self.encoders[key], best)
        if self.router is not None:
            signals["router"] = self.router.scores(query.vectors[self.router.key])
        return signals

    def best_sentences(self, key: str, query: Query) -> np.ndarray:
        """Each chunk's best sentence cosine with the query, in chunk order."""
        cosines = self.index.sentence_vectors[key] @ query.vectors[key]
        return np.maximum.reduceat(cosines, self.index.sentence_offsets[:-1])

    def signals(
        self, query: Query, context: Query | None, sentences: bool = False
    ) -> tuple[Signals, Signals | None]:
        """Return the question's signals, and the follow-up context's if there is one."""
        own = self.chunk_signals(query, self.cosines(query), sentences)
        if context is None:
            return own, None
        return own, self.chunk_signals(context, self.cosines(context), sentences)

    def retrieve(
        self, question: str, history: Sequence[str], k: int, english: bool = True
    ) -> Retrieval:
        """Return the `k` best chunks for the question, best first."""
        query, context = self.queries(question, history, english)
        own_cosines = self.cosines(query)
        context_cosines = self.cosines(context) if context is not None else None
        own = self.chunk_signals(query, own_cosines)
        around = (
            self.chunk_signals(context, context_cosines)
            if context is not None and context_cosines is not None
            else None
        )
        fused = combine(
            own, around, english=english, weights=self.weights, fragment=is_fragment(question)
        )
        order = np.argsort(-fused, kind="stable")[:k]
        ranked = [
            Ranked(
                self.index.chunks[i],
                float(fused[i]),
                self.answer_sentence(self.index.chunks[i], query),
            )
            for i in order
        ]
        asked = self.nearest(query, own_cosines)
        nearest = (
            asked if context_cosines is None else self.nearest(context or query, context_cosines)
        )
        return Retrieval(tuple(ranked), context or query, nearest, query, fused, asked)

    def nearest(self, query: Query, cosines: Mapping[str, np.ndarray]) -> dict[str, float]:
        """Per encoder, the query's best cosine with any chunk or sentence of the policy."""
        sentences = self.index.sentence_vectors
        return {
            key: max(float(found.max()), float((sentences[key] @ query.vectors[key]).max()))
            for key, found in cosines.items()
        }

    def answer_sentence(self, chunk: Chunk, query: Query) -> tuple[int, int]:
        """Pick the chunk sentence the signals favour: both encoders plus shared terms."""
        w = self.weights
        score = np.zeros(len(chunk.sentences), dtype=np.float32)
        for key, vector in query.vectors.items():
            cosines = self.index.sentence_vectors_of(key, chunk) @ vector
            score += scaled(self.encoders[key], cosines)
        if query.english and query.terms:
            for position, terms in enumerate(self._sentence_terms(chunk)):
                shared = query.terms & terms
                score[position] += w.sentence_overlap * len(shared) / len(query.terms)
        return chunk.sentences[int(np.argmax(score))]
