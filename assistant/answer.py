"""The `Assistant`: one object that turns a question into cited policy passages.

Validates the question, retrieves, decides whether anything relevant was found, and returns
frozen `Answer`/`Passage` values whose dict form is the public JSON contract shared by the CLI
and the web API. Never generates text: every passage is an exact span of a corpus document.
"""

from __future__ import annotations

import sys
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.config import (
    ANSWERING_AT_ONCE,
    MAX_HISTORY_TURNS,
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    Settings,
)
from assistant.errors import EmptyQuestion, IndexProblem, QuestionError, QuestionTooLong
from assistant.indexing.encoders.base import Encoder, ExportsQueryModel
from assistant.indexing.encoders.e5 import E5Encoder
from assistant.indexing.encoders.minilm import MiniLMEncoder
from assistant.indexing.folder import (
    LoadedIndex,
    build_index,
    damaged_file,
    load_index,
    query_model_problem,
    stale_reason,
)
from assistant.retrieval.language import detect_language, language_notice, load_language_model
from assistant.retrieval.scope import OFF_POLICY_TOPICS, TOPICS_SET, ScopeJudge
from assistant.retrieval.search import Ranked, Retriever

NOT_COVERED = (
    "The international policy does not say anything about that. It covers INSA Lyon's "
    "international strategy, its networks and partners, its worldwide presence and its values. "
    "You could ask, for example: “How many foreign students does INSA Lyon welcome?”, "
    "“What are the school's values?” or “What is the CDEFI?”"
)


@dataclass(frozen=True)
class Passage:
    text: str
    highlight: str
    score: float
    section: str
    source: str
    start: int
    end: int
    title: str
    highlight_start: int
    highlight_end: int


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    language: str
    message: str | None
    passages: tuple[Passage, ...]
    notice: str | None = None  # e.g. the question's language was understood; English rules

    def to_dict(self) -> dict[str, Any]:
        """Return the public JSON contract (see README): extend it, never break it."""
        return asdict(self) | {"passages": [asdict(p) for p in self.passages]}


# Fixed texts embedded once at build time, so loading does not embed them again.
INDEXED_QUERIES = {TOPICS_SET: OFF_POLICY_TOPICS}


def default_encoders() -> dict[str, Encoder]:
    return {"minilm": MiniLMEncoder(), "e5": E5Encoder()}


def _open(
    index_dir: Path, encoders: Mapping[str, Encoder]
) -> tuple[LoadedIndex, dict[str, Encoder]]:
    """Load the index and the query-time models; raise `IndexProblem` if they are unusable.

    The parts load side by side, and the checksums are verified meanwhile: ONNX Runtime and
    hashing release the GIL, so this takes 0.37 s instead of 0.56 s here.
    """
    with ThreadPoolExecutor(2 + len(encoders)) as pool:
        damage = pool.submit(damaged_file, index_dir)
        language = pool.submit(load_language_model, index_dir)
        # Questions are embedded by each encoder's query twin (ONNX, no torch).
        twins = {key: pool.submit(_query_encoder, e, index_dir) for key, e in encoders.items()}
        try:
            index = load_index(index_dir)
            language.result()
            query = {key: twin.result() for key, twin in twins.items()}
        except IndexProblem as problem:
            raise IndexProblem(damage.result() or str(problem)) from None
        reason = damage.result() or query_model_problem(index.manifest, query)
    if reason is not None:
        raise IndexProblem(reason)
    return index, query


def _query_encoder(encoder: Encoder, index_dir: Path) -> Encoder:
    return encoder.query_encoder(index_dir) if isinstance(encoder, ExportsQueryModel) else encoder


def clean_question(question: object) -> str:
    """Validate a question; strip control characters; raise `QuestionError` with a reason."""
    if not isinstance(question, str):
        raise QuestionError("The question must be text.")
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d" else ch
        for ch in question
    )
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise EmptyQuestion(
            "The question is empty. Type a question about the international policy."
        )
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionTooLong(
            f"The question is {len(cleaned):,} characters long; the limit is "
            f"{MAX_QUESTION_CHARS:,}. Shorten it to one question.",
            len(cleaned),
            MAX_QUESTION_CHARS,
        )
    return cleaned


def clean_history(history: object) -> tuple[str, ...]:
    if isinstance(history, str) or not isinstance(history, Sequence):
        raise QuestionError("history must be a list of earlier questions (strings).")
    turns = []
    for turn in history:
        try:
            turns.append(clean_question(turn))
        except QuestionError as error:
            if isinstance(turn, str) and len(turn) <= MAX_QUESTION_CHARS:
                continue  # an empty earlier turn says nothing; skip it
            raise QuestionError(f"history: {error}") from None
    return tuple(turns[-MAX_HISTORY_TURNS:])  # only the recent turns can matter to a follow-up


def clean_top_k(top_k: object) -> int:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise QuestionError(f"top_k must be a whole number from 1 to {MAX_TOP_K}.")
    return top_k


class TurnTaking:
    """Let `slots` threads in at once, the others in their order of arrival.

    A semaphore lets a newcomer take a slot freed while an older waiter is still waking up;
    under load that made a tenth of the answers twice as slow as the median. Here a freed
    slot goes straight to the longest waiter.
    """

    def __init__(self, slots: int) -> None:
        self._lock = threading.Lock()
        self._free = max(slots, 1)
        self._waiting: deque[threading.Event] = deque()

    def __enter__(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1


class Assistant:
    def __init__(
        self,
        retriever: Retriever,
        scope: ScopeJudge,
        documents: Mapping[str, str],
        answering_at_once: int = ANSWERING_AT_ONCE,
    ) -> None:
        self.retriever = retriever
        self.scope = scope
        self.documents = documents  # source -> full text, for the UI's policy view
        # Questions beyond this many wait their turn (first come, first served) instead of
        # all sharing the cores: each is answered sooner, and latency stays even under load.
        self._answering = TurnTaking(answering_at_once)

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        encoders: Mapping[str, Encoder] | None = None,
        notify: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
    ) -> Assistant:
        """Load the index, rebuilding it first (with a notice) if missing or stale."""
        settings = settings or Settings.from_env()
        build_encoders = encoders or default_encoders()

        def rebuild(reason: str) -> None:
            notify(f"Rebuilding the index: {reason}.")
            report = build_index(
                settings.corpus_dir, settings.index_dir, build_encoders, INDEXED_QUERIES
            )
            for problem in report.problems:
                notify(f"warning: skipped {problem}")

        reason = stale_reason(
            settings.index_dir, settings.corpus_dir, build_encoders, INDEXED_QUERIES
        )
        if reason is not None:
            rebuild(reason)
        try:
            index, query = _open(settings.index_dir, build_encoders)
        except IndexProblem as problem:
            rebuild(str(problem))
            index, query = _open(settings.index_dir, build_encoders)
        for encoder in query.values():
            encoder.encode_queries(["warm up"])
        detect_language("warm up the language model")
        documents = {}
        for chunk in index.chunks:
            if chunk.source not in documents:
                path = settings.corpus_dir.parent / chunk.source
                documents[chunk.source] = path.read_text(encoding="utf-8")
        return cls(
            Retriever(index, query),
            ScopeJudge(index.query_set_vectors[TOPICS_SET]),
            documents,
            settings.answering_at_once,
        )

    def ask(self, question: str, history: Sequence[str] = (), top_k: int = 3) -> Answer:
        """Answer with the `top_k` most relevant passages, or explain why there is none."""
        question = clean_question(question)
        history = clean_history(history)
        top_k = clean_top_k(top_k)
        with self._answering:
            return self._answer(question, history, top_k)

    def _answer(self, question: str, history: tuple[str, ...], top_k: int) -> Answer:
        language = detect_language(question)
        retrieval = self.retriever.retrieve(question, history, top_k, english=language == "en")
        if not self.scope.covers(retrieval):
            return Answer(question, False, language, NOT_COVERED, (), language_notice(language))
        passages = tuple(self._passage(r) for r in retrieval.ranked)
        return Answer(question, True, language, None, passages, language_notice(language))

    def _passage(self, ranked: Ranked) -> Passage:
        chunk = ranked.chunk
        start, end = ranked.highlight
        return Passage(
            text=chunk.text,
            highlight=self.documents[chunk.source][start:end],
            score=round(ranked.score, 4),
            section=chunk.section,
            source=chunk.source,
            start=chunk.start,
            end=chunk.end,
            title=chunk.title,
            highlight_start=start,
            highlight_end=end,
        )
