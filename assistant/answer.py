"""The `Assistant`: one object that turns a question into cited policy passages.

Validates the question, recognises conversation, retrieves, decides the outcome (answered,
related, not covered: see `scope`), and returns frozen `Answer`/`Passage` values whose dict
form is the public JSON contract shared by the CLI and the web API. Never generates text:
every passage is an exact span of a corpus document, and every message comes from the locale
table (English, the contract's language).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from assistant.config import ANSWERING_AT_ONCE, DEFAULT_TOP_K, FALLBACK_LANGUAGE, Settings
from assistant.documents.curation import Curation, Pin, Redirect, read_curation
from assistant.documents.examples import Example, Examples, read_examples
from assistant.indexing.encoders.base import multilingual_key
from assistant.indexing.index import Index, open_index
from assistant.indexing.recipe import Recipe
from assistant.questions import clean_history, clean_question, clean_top_k
from assistant.retrieval.conversation import TALK_EXAMPLES, TALK_SET, is_conversation
from assistant.retrieval.curation import CURATION_SET, Curator, Match, PinnedPassage
from assistant.retrieval.language import LanguageGuesser
from assistant.retrieval.recipe import default_recipe
from assistant.retrieval.router import Router, fitted_router
from assistant.retrieval.scope import ANSWERED, NOT_COVERED, RELATED, TOPICS_SET, ScopeJudge
from assistant.retrieval.search import Ranked, Retrieval, Retriever
from assistant.translations import language_notice, outcome_message
from assistant.turns import TurnTaking

CONVERSATION = "conversation"
OUTCOMES = (ANSWERED, RELATED, NOT_COVERED, CONVERSATION)


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
    term: str | None = None  # for a footnote: the term it defines ("CDEFI"), shown before it
    version_date: str = ""  # of the document quoted (its `title`), from its front matter
    pinned: bool = False  # the office pinned it for this question (see `curation`)


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    language: str
    message: str | None
    passages: tuple[Passage, ...]
    notice: str | None = None  # e.g. the question's language was understood; English rules
    outcome: str = ANSWERED  # one of OUTCOMES; `answered` is true only for ANSWERED
    related: tuple[Passage, ...] = ()  # for RELATED: the closest passages, not an answer
    missing: str | None = None  # for RELATED: what the policy does not hold (a date, a person…)
    reply_id: str | None = None  # where the question is logged (web, API): votes join on it
    link: str | None = None  # for a redirect: the office's page for what the policy lacks
    curated_by: str | None = None  # the pin or redirect that decided this answer, if any

    def to_dict(self) -> dict[str, Any]:
        """Return the public JSON contract (see README): extend it, never break it."""
        return asdict(self) | {
            "passages": [asdict(p) for p in self.passages],
            "related": [asdict(p) for p in self.related],
        }


class Assistant:
    def __init__(
        self,
        index: Index,
        answering_at_once: int = ANSWERING_AT_ONCE,
        curation: Curation | None = None,
        examples: Examples | None = None,
    ) -> None:
        self.index = index
        # the router, talk and curation read the multilingual model's vectors: any language
        self.multilingual_key = multilingual_key(index.query_encoders)
        self.router = fitted_router(index, examples or Examples())  # before the office's pins
        self.retriever = Retriever(index, index.query_encoders, router=self.router)
        self.scope = ScopeJudge(
            index.query_set_vectors[TOPICS_SET],
            index.fixed_query_vectors(TALK_SET, TALK_EXAMPLES, self.multilingual_key),
            self.multilingual_key,
            policy_terms=index.lexical.vocabulary,
            defined_terms=defined_terms(index),
        )
        self.language = LanguageGuesser(index.language_identifier)
        self.documents = index.documents  # source -> full text, for the UI's policy view
        self.curator = self._curator(Curation(), None)
        self.recurate(curation or Curation())
        # Questions beyond this many wait their turn (first come, first served) instead of
        # all sharing the cores: each is answered sooner, and latency stays even under load.
        self._answering = TurnTaking(answering_at_once)

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        recipe: Recipe | None = None,
        notify: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
    ) -> Assistant:
        """Open the index, rebuilding it first (with a notice) if missing or stale."""
        settings = settings or Settings.from_env()
        index = open_index(
            settings.corpus_dir,
            settings.index_dir,
            recipe or default_recipe(settings.corpus_dir),
            notify,
        )
        assistant = cls(
            index,
            settings.answering_at_once,
            read_curation(settings.corpus_dir),
            read_examples(settings.corpus_dir),
        )
        for problem in [*assistant.curator.problems, *assistant.router.problems]:
            notify(f"warning: {problem}")
        for encoder in index.query_encoders.values():
            encoder.encode_queries(["warm up"])
        assistant.language.guess("warm up the language model")
        return assistant

    def recurate(self, curation: Curation) -> list[str]:
        """Answer by this curation from now on, with the index's vectors of its questions if
        the index was built from exactly these, else embedded now; return its problems."""
        vectors = (
            self.index.fixed_query_vectors(CURATION_SET, curation.questions, self.multilingual_key)
            if curation.questions
            else None
        )
        curator = self._curator(curation, vectors)
        router = self._taught(curator)
        # a question sees the old or the new curator whole (one assignment); the router may
        # change a moment apart, which only moves passages the pins favour
        self.curator = curator
        self.retriever.router = router
        return curator.problems

    def _taught(self, curator: Curator) -> Router:
        """The router, also taught each pin in force: a pinned passage is what questions like
        the pin's want, so a paraphrase the pin does not fire for still leans towards it."""
        rows = [n for n, entry in enumerate(curator.entries) if isinstance(entry, Pin)]
        if not rows or len(curator.vectors) != len(curator.entries):
            return self.router
        pins = [entry for entry in curator.entries if isinstance(entry, Pin)]
        examples = [Example(pin.question, pin.passage) for pin in pins]
        return self.router.taught(examples, curator.vectors[rows])

    def _curator(self, curation: Curation, vectors: np.ndarray | None) -> Curator:
        return Curator(
            curation,
            self.index.chunks,
            vectors,
            self.index.sentence_vectors[self.multilingual_key],
            self.index.query_set_vectors[TOPICS_SET][self.multilingual_key],
        )

    def ask(self, question: str, history: Sequence[str] = (), top_k: int = DEFAULT_TOP_K) -> Answer:
        """Answer with the `top_k` most relevant passages, or explain why there is none."""
        question = clean_question(question)
        history = clean_history(history)
        top_k = clean_top_k(top_k)
        with self._answering:
            return self._answer(question, history, top_k)

    def _answer(self, question: str, history: tuple[str, ...], top_k: int) -> Answer:
        language = self.language.guess(question)
        notice = (
            language_notice(FALLBACK_LANGUAGE, language) if language != FALLBACK_LANGUAGE else None
        )
        if is_conversation(question):
            return self._conversation(question, language, notice)
        retrieval = self.retriever.retrieve(question, history, top_k, english=language == "en")
        asked = retrieval.asked.vectors[self.multilingual_key]
        curated = self.curator.match(asked, retrieval.scores)
        if curated is None and self.scope.talks(retrieval):  # the office's word comes first
            return self._conversation(question, language, notice)
        if curated is not None and isinstance(curated.entry, Redirect):
            return self._redirected(question, language, curated.entry)
        # a pin answers with its passage, so only what that passage can answer (a question
        # wanting a date it lacks stays "related", as without the pin)
        if curated is not None and curated.pinned is not None:
            pinned = curated.pinned
            if self.scope.lacking(question, pinned.chunk.text) is None:
                return self._pinned(question, language, notice, curated, pinned, retrieval, top_k)
        verdict = self.scope.judge(question, retrieval)
        passages = tuple(self._passage(r) for r in retrieval.ranked)
        if verdict.outcome == ANSWERED:
            return Answer(question, True, language, None, passages, notice)
        message = outcome_message(FALLBACK_LANGUAGE, verdict.outcome, verdict.missing)
        related = passages if verdict.outcome == RELATED else ()
        return Answer(
            question,
            False,
            language,
            message,
            (),
            notice,
            verdict.outcome,
            related,
            verdict.missing,
        )

    def _conversation(self, question: str, language: str, notice: str | None) -> Answer:
        message = outcome_message(FALLBACK_LANGUAGE, CONVERSATION)
        return Answer(question, False, language, message, (), notice, CONVERSATION)

    def _redirected(self, question: str, language: str, entry: Redirect) -> Answer:
        """The office's redirect: its message in the question's language, and its page."""
        # no notice: it says the passages are quoted in English, and there are none
        return Answer(
            question,
            False,
            language,
            entry.message(language),
            (),
            None,
            NOT_COVERED,
            link=entry.link,
            curated_by=entry.key,
        )

    def _pinned(
        self,
        question: str,
        language: str,
        notice: str | None,
        curated: Match,
        pinned: PinnedPassage,
        retrieval: Retrieval,
        top_k: int,
    ) -> Answer:
        """The office's pinned passage first, its pinned words marked; then the others."""
        score = float(retrieval.scores[pinned.chunk.id])
        first = replace(self._passage(Ranked(pinned.chunk, score, pinned.span)), pinned=True)
        others = [r for r in retrieval.ranked if r.chunk.id != pinned.chunk.id][: top_k - 1]
        passages = (first, *(self._passage(r) for r in others))
        key = curated.entry.key
        return Answer(question, True, language, None, passages, notice, curated_by=key)

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
            term=chunk.notes[0].rstrip(":") if chunk.kind == "footnote" and chunk.notes else None,
            version_date=chunk.version_date,
        )


def defined_terms(index: Index) -> set[str]:
    """The acronyms the policy's footnotes expand ("LIA and UMI" gives LIA and UMI)."""
    terms: set[str] = set()
    for chunk in index.chunks:
        if chunk.kind == "footnote" and chunk.notes:
            terms.update(word for word in chunk.notes[0].rstrip(":").split() if word.isupper())
    return terms
