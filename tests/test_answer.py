from __future__ import annotations

import dataclasses

import pytest

from assistant import Answer, Assistant, AssistantError, Passage
from assistant.config import MAX_QUESTION_CHARS


def test_answer_points_at_the_exact_words(assistant: Assistant):
    answer = assistant.ask("How many foreign students does INSA Lyon welcome?")
    assert isinstance(answer, Answer) and answer.answered and answer.message is None
    assert answer.language == "en"
    assert len(answer.passages) == 3
    top = answer.passages[0]
    assert isinstance(top, Passage)
    assert "1900 foreign students" in top.highlight
    document = assistant.documents[top.source]
    assert document[top.start : top.end] == top.text
    assert document[top.highlight_start : top.highlight_end] == top.highlight
    assert top.highlight in top.text
    assert top.section == "A worldwide influence"
    scores = [p.score for p in answer.passages]
    assert scores == sorted(scores, reverse=True)


def test_answer_and_passage_are_frozen(assistant: Assistant):
    answer = assistant.ask("What are the school's values?", top_k=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.answered = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.passages[0].text = ""  # type: ignore[misc]


def test_out_of_scope_question_abstains_helpfully(assistant: Assistant):
    answer = assistant.ask("What is the capital of Australia?")
    assert not answer.answered and answer.passages == ()
    assert "does not say" in answer.message and "You could ask" in answer.message


@pytest.mark.parametrize("top_k", [1, 5, 20])
def test_top_k_passages(assistant: Assistant, top_k: int):
    chunk_count = len(assistant.retriever.index.chunks)
    assert len(assistant.ask("What is AGERA?", top_k=top_k).passages) == min(top_k, chunk_count)


@pytest.mark.parametrize(
    "question, problem",
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("\x00\x01", "empty"),
        ("x" * (MAX_QUESTION_CHARS + 1), "limit is 1,000"),
        (None, "must be text"),
        (42, "must be text"),
    ],
)
def test_bad_questions_are_refused_with_a_reason(assistant: Assistant, question, problem):
    with pytest.raises(AssistantError, match=problem):
        assistant.ask(question)  # type: ignore[arg-type]


@pytest.mark.parametrize("top_k", [0, -1, 10**9, "3", 2.5, True])
def test_bad_top_k_is_refused(assistant: Assistant, top_k):
    with pytest.raises(AssistantError, match="top_k must be"):
        assistant.ask("What are the school's values?", top_k=top_k)


@pytest.mark.parametrize("history", ["a string", 42, [42], [""], ["x" * 2000]])
def test_bad_history(assistant: Assistant, history):
    if history == [""]:  # empty turns are ignored, not an error
        assert assistant.ask("What are the school's values?", history=history).answered
        return
    with pytest.raises(AssistantError, match="history"):
        assistant.ask("What are the school's values?", history=history)


@pytest.mark.parametrize(
    "question",
    [
        "What are the values? 🎓🇫🇷",
        "ما هي قيم المدرسة؟",
        "<script>alert(1)</script> values?",
        "Values\x00 of\x1b[31m the school?",
        "學校 values 価値",
    ],
)
def test_nasty_but_valid_questions_still_answer_or_abstain(assistant: Assistant, question):
    answer = assistant.ask(question)
    assert answer.answered in (True, False)
    assert "\x00" not in answer.question and "\x1b" not in answer.question
    for passage in answer.passages:
        assert passage.highlight in passage.text


@pytest.mark.parametrize("slots", [1, 2])
def test_turn_taking_admits_a_few_at_once_in_order_of_arrival(slots: int):
    import threading
    import time

    from assistant.answer import TurnTaking

    gate = TurnTaking(slots)
    inside = most = 0
    admitted: list[int] = []
    lock = threading.Lock()
    release = threading.Event()

    def visitor(n: int) -> None:
        nonlocal inside, most
        with gate:
            with lock:
                inside += 1
                most = max(most, inside)
                admitted.append(n)
            if n < slots:
                release.wait(5)  # the first ones hold their slots until all others queue
            with lock:
                inside -= 1

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(8)]
    for n, thread in enumerate(threads):
        thread.start()
        deadline = time.monotonic() + 5
        while len(admitted) + gate.waiting < n + 1 and time.monotonic() < deadline:
            time.sleep(0.001)  # arrive one after the other: each in before the next starts
    assert admitted == list(range(slots))  # the others wait
    release.set()
    for thread in threads:
        thread.join(5)
    assert most == slots
    if slots == 1:  # one at a time: admissions are exactly the arrivals (with more, two
        assert admitted == list(range(8))  # admitted together may record in either order)
    assert sorted(admitted) == list(range(8))


def test_answers_under_concurrency_equal_answers_alone(assistant: Assistant):
    from concurrent.futures import ThreadPoolExecutor

    from assistant.evaluation import read_eval_set
    from tests.test_onnx_parity import EVAL_SET

    cases = read_eval_set(EVAL_SET)[:48]
    alone = [assistant.ask(c.question, c.history).to_dict() for c in cases]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda c: assistant.ask(c.question, c.history).to_dict(), cases))
    assert together == alone


def test_the_schemas_question_pattern_is_the_cleaning_rule():
    """Every code point: the API's pattern finds it iff `clean_question` keeps it."""
    import re

    from assistant.errors import EmptyQuestion
    from assistant.questions import clean_question, not_blank_pattern

    keeps = re.compile(not_blank_pattern())
    for code in range(0x110000):
        ch = chr(code)
        try:
            clean_question(ch)
            empty = False
        except EmptyQuestion:
            empty = True
        assert (keeps.search(ch) is None) == empty, hex(code)
