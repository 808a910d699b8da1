from __future__ import annotations

import pytest

from assistant.indexing.bm25 import tokenize
from assistant.retrieval.search import depends_on_history


@pytest.mark.parametrize(
    "question, depends",
    [
        ("And CGE?", True),
        ("Which countries?", True),
        ("Why are they preferred?", True),
        ("What does it aim for in Europe?", True),
        ("Et la CDEFI ?", True),
        ("What are the school's values?", False),
        ("How many foreign students does INSA Lyon welcome?", False),
    ],
)
def test_follow_up_detection(question, depends):
    assert depends_on_history(question, ["What is AGERA?"]) is depends
    assert depends_on_history(question, []) is False


def test_history_is_ignored_when_the_question_stands_alone(assistant):
    alone = assistant.ask("How many foreign students does INSA Lyon welcome?")
    with_history = assistant.ask(
        "How many foreign students does INSA Lyon welcome?", history=["What is the CDEFI?"]
    )
    assert alone.passages == with_history.passages


def test_follow_up_uses_the_earlier_turn(assistant):
    answer = assistant.ask(
        "Which countries?", history=["Was the Engineer Entrepreneur Program exported?"]
    )
    assert "Mexico and Algeria" in answer.passages[0].highlight


@pytest.mark.parametrize(
    "acronym, expansion",
    [
        ("AGERA", "Alliance des Grandes Ecoles"),
        ("CDEFI", "Conférence des Directeurs"),
        ("UMI", "Unité Mixte Internationale"),
    ],
)
def test_acronym_finds_its_expansion_first_and_the_citing_sentence_next(
    assistant, acronym, expansion
):
    passages = assistant.ask(f"What is {acronym}?").passages
    assert expansion in passages[0].text
    assert any(acronym in p.text and p.text != passages[0].text for p in passages[1:3])


def test_answer_sentence_is_not_simply_the_first(assistant):
    top = assistant.ask("How many foreign students does INSA Lyon welcome?").passages[0]
    assert not top.text.startswith(top.highlight)
    assert top.highlight.startswith("Indeed, INSA Lyon welcomes today around 1900 foreign students")


def test_question_in_another_language_finds_the_english_passage(assistant):
    answer = assistant.ask("学校的价值观是什么？")
    assert answer.language == "zh" and "humanism, culture" in answer.passages[0].text
    assert "understood as Chinese" in answer.notice


def test_tokenize_folds_case_accents_and_plurals():
    assert tokenize("What is the CDEFI?") == ["cdefi"]
    assert tokenize("Universités, universities") == ["universite", "university"]


def test_our_bm25_scores_are_bm25s_scores(assistant):
    """Our inverted index computes what bm25s computes (Lucene variant, same tokens)."""
    import json

    import bm25s
    import numpy as np

    from assistant.config import PROJECT_ROOT
    from assistant.indexing.bm25 import BM25

    texts = [chunk.search_text for chunk in assistant.index.chunks]
    reference = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    reference.index([tokenize(text) for text in texts], show_progress=False)
    ours = BM25.build(texts)
    lines = (PROJECT_ROOT / "tests" / "data" / "eval.jsonl").read_text().splitlines()
    questions = [json.loads(line)["q"] for line in lines] + ["CDEFI CDEFI", "zzz"]
    for question in questions:
        known = [t for t in tokenize(question) if t in reference.vocab_dict]
        expected = reference.get_scores(known) if known else np.zeros(len(texts))
        assert np.allclose(ours.scores(question), expected, atol=1e-6), question
