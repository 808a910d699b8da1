"""The router: example questions kept with the policy, and what it learns from them."""

from __future__ import annotations

import json

import numpy as np

from assistant import Assistant
from assistant.config import Settings
from assistant.documents.examples import EXAMPLES_FILE, Example, parse_examples, read_examples
from assistant.retrieval.curation import find_passages
from assistant.retrieval.router import EXAMPLES_SET, Router
from tests.conftest import EXAMPLES


def test_a_bad_example_line_is_reported_by_number_and_the_others_load():
    text = "\n".join(
        [
            json.dumps({"question": "Why double degrees?", "passage": "double-degree sections"}),
            "{not json",
            json.dumps({"question": "No passage"}),
            "",
            json.dumps(["a", "list"]),
            json.dumps({"question": "  Which continents?  ", "passage": "five continents"}),
        ]
    )
    examples = parse_examples(text)
    assert examples.questions == ("Why double degrees?", "Which continents?")
    assert [problem.split(":")[0] for problem in examples.problems] == [
        f"{EXAMPLES_FILE} line 2",
        f"{EXAMPLES_FILE} line 3",
        f"{EXAMPLES_FILE} line 5",
    ]


def test_no_examples_file_means_no_examples(tmp_path):
    assert read_examples(tmp_path).examples == ()


def test_the_router_learns_which_passage_each_example_wants(assistant: Assistant):
    router = assistant.retriever.router
    examples = read_examples(EXAMPLES.parent).examples
    assert router is not None and router.examples_used == len(examples) > 700
    vectors = assistant.index.query_set_vectors[EXAMPLES_SET][router.key]
    chunks = assistant.index.chunks
    wanted = [{p.chunk.id for p in find_passages(e.passage, chunks)} for e in examples]
    routed = [
        int(np.argmax(router.scores(vector))) in chunk_ids
        for chunk_ids, vector in zip(wanted, vectors, strict=True)
    ]
    # ridge, not a lookup table: a few examples stay with a passage their words favour
    assert sum(routed) >= 0.9 * len(routed)


def test_without_examples_every_sentence_routes_to_its_own_passage(assistant: Assistant):
    index = assistant.index
    key = assistant.retriever.router.key  # type: ignore[union-attr]
    router = Router(key, index.chunks, index.sentence_vectors[key], index.sentence_offsets)
    owners = np.repeat(np.arange(len(index.chunks)), np.diff(index.sentence_offsets))
    routed = [
        int(np.argmax(router.scores(vector))) == owner
        for vector, owner in zip(index.sentence_vectors[key], owners, strict=True)
    ]
    assert router.examples_used == 0 and sum(routed) >= 0.9 * len(routed)


def test_an_example_whose_passage_is_gone_is_left_out_and_reported(assistant: Assistant):
    index = assistant.index
    key = assistant.retriever.router.key  # type: ignore[union-attr]
    examples = [Example("Why double degrees?", "double-degree sections"), Example("Q?", "moon")]
    vectors = index.query_encoders[key].encode_queries([e.question for e in examples])
    router = Router(
        key, index.chunks, index.sentence_vectors[key], index.sentence_offsets, examples, vectors
    )
    assert router.examples_used == 1
    assert router.problems == [
        f"{EXAMPLES_FILE}: 1 of 2 examples name words no passage of the policy holds any more; "
        "they are left out"
    ]


def test_a_broken_examples_file_is_reported_at_start_and_answers_go_on(own_paths: Settings):
    (own_paths.corpus_dir / EXAMPLES_FILE).write_text(
        EXAMPLES.read_text(encoding="utf-8") + "{broken\n", encoding="utf-8"
    )
    notices: list[str] = []
    assistant = Assistant.load(own_paths, notify=notices.append)
    assert any(f"{EXAMPLES_FILE} line" in notice and "not JSON" in notice for notice in notices)
    assert assistant.ask("Why are the double-degree sections preferred?").answered


def test_no_example_is_a_question_a_measuring_set_asks():
    """The examples are the tuning part's questions and the ones written for the router, less
    any that a held-out or second-opinion set also asks word for word; none asked twice."""
    from benchmarks.common import question_key
    from benchmarks.example_questions import measured_questions

    examples = read_examples(EXAMPLES.parent).examples
    taught = {question_key(example.question) for example in examples}
    assert len(examples) == len(taught) > 700 and not taught & measured_questions()


def test_a_pin_teaches_the_router_so_looser_paraphrases_find_its_passage(own_paths: Settings):
    """The README's loop: a question the pin's model does not fire for still gets the pinned
    passage first, because the router learnt the pinned question."""
    from assistant.documents.curation import Curation, Pin

    question = "Does being international help the school's science plans?"
    phrase = "supports educational and scientific strategy"
    pinned = "How does internationalisation help INSA Lyon's scientific strategy?"
    assistant = Assistant.load(own_paths)
    assert phrase not in assistant.ask(question).passages[0].text
    assistant.recurate(Curation(pins=(Pin(pinned, phrase),)))
    taught = assistant.ask(question)
    assert phrase in taught.passages[0].text and taught.curated_by is None  # not the pin firing
    assistant.recurate(Curation())
    assert phrase not in assistant.ask(question).passages[0].text  # unpinned: forgotten
