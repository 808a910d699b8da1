"""Pins and redirects, end to end: a real index over the policy with the office's curation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.config import PROJECT_ROOT, Settings
from assistant.documents.curation import CURATION_FILE, Curation, Pin, Redirect, write_curation
from assistant.indexing.build import build_index
from assistant.indexing.manifest import stale_reason
from assistant.retrieval.recipe import default_recipe
from tests.conftest import make_settings

DATA = PROJECT_ROOT / "tests" / "data" / "curation"
LINK = "https://www.insa-lyon.fr/"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def office_curation() -> Curation:
    """The dozen pins and six redirects the calibration was written for."""
    entries = read_jsonl(DATA / "curation.jsonl")
    return Curation(
        tuple(Pin(e["question"], e["passage"]) for e in entries if e["kind"] == "pin"),
        tuple(
            Redirect(
                e["question"],
                {
                    "en": f"The policy does not cover {e['topic']}: the welcome office does.",
                    "fr": f"La politique ne traite pas de ce sujet ({e['topic']}).",
                },
                LINK,
            )
            for e in entries
            if e["kind"] == "redirect"
        ),
    )


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Assistant]:
    settings = make_settings(tmp_path_factory.mktemp("curated"))
    write_curation(settings.corpus_dir, office_curation())
    return settings, Assistant.load(settings)


def test_a_pinned_question_gets_its_passage_first_marked_pinned(curated):
    _, assistant = curated
    for pin in assistant.curator.curation.pins:
        answer = assistant.ask(pin.question)
        first = answer.passages[0]
        assert answer.answered and answer.curated_by == pin.key, pin.question
        assert first.pinned and " ".join(pin.passage.split()) in " ".join(first.text.split())
        assert first.highlight.casefold() == pin.passage.casefold()  # the pinned words, marked
        assert not any(p.pinned for p in answer.passages[1:])
        assert answer.to_dict()["passages"][0]["pinned"] is True


def test_a_redirected_question_gets_the_offices_message_and_link(curated):
    _, assistant = curated
    for redirect in assistant.curator.curation.redirects:
        answer = assistant.ask(redirect.question)
        assert answer.outcome == "not_covered" and not answer.answered, redirect.question
        assert answer.passages == () and answer.link == LINK
        assert answer.message == redirect.message("en")
        assert answer.curated_by == redirect.key


def test_without_curation_nothing_is_pinned_or_redirected(assistant):
    for entry in read_jsonl(DATA / "curation.jsonl"):
        answer = assistant.ask(entry["question"])
        assert answer.curated_by is None and answer.link is None
        assert not any(p.pinned for p in answer.passages)


def test_a_pin_whose_passage_is_gone_is_reported_and_never_served(tmp_path):
    settings = make_settings(tmp_path)
    gone = Pin("What does INSA Lyon think of the moon?", "a sentence the policy never held")
    kept = Pin("What are the missions?", "Training international talents")
    write_curation(settings.corpus_dir, Curation((gone, kept)))
    notices: list[str] = []
    assistant = Assistant.load(settings, notify=notices.append)
    lines = (settings.corpus_dir / CURATION_FILE).read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if gone.question in text)
    assert any(f"{CURATION_FILE} line {line}:" in n and "no passage" in n for n in notices)
    assert gone.key not in assistant.curator.pinned and kept.key in assistant.curator.pinned
    answer = assistant.ask(gone.question)
    assert answer.curated_by != gone.key and not any(p.pinned for p in answer.passages)
    assert gone in assistant.curator.curation.pins  # kept in the file, to be pointed again


def test_a_change_to_the_curation_file_makes_the_index_stale(tmp_path):
    settings = make_settings(tmp_path)
    recipe = default_recipe(settings.corpus_dir)
    build_index(settings.corpus_dir, settings.index_dir, recipe)
    assert stale_reason(settings.index_dir, settings.corpus_dir, recipe) is None
    write_curation(settings.corpus_dir, Curation((Pin("Missions?", "Training international"),)))
    changed = default_recipe(settings.corpus_dir)
    reason = stale_reason(settings.index_dir, settings.corpus_dir, changed)
    assert reason is not None
    (settings.corpus_dir / CURATION_FILE).write_text("pins: [oops\n", encoding="utf-8")
    broken = default_recipe(settings.corpus_dir)  # a malformed file curates nothing
    assert stale_reason(settings.index_dir, settings.corpus_dir, broken) is None


# Every figure on both evaluation sets that a pin could worsen (it may only help Hit@k).
UNCHANGED = ("wrongly_declined", "unanswerable_declined", "on_topic_declined", "conversation")


@pytest.mark.parametrize("eval_set", ["eval.jsonl", "independent/cv.jsonl"])
def test_pins_and_redirects_do_not_leak_into_other_questions(curated, assistant, eval_set):
    from assistant.evaluation import evaluate, read_eval_set
    from assistant.evaluation.scoring import summarise

    cases = read_eval_set(PROJECT_ROOT / "tests" / "data" / eval_set)
    plain, office = summarise(evaluate(assistant, cases)), summarise(evaluate(curated[1], cases))
    for figure in UNCHANGED:
        assert getattr(office, figure) == getattr(plain, figure), figure
    assert office.hit1.hits >= plain.hit1.hits and office.hit3.hits >= plain.hit3.hits


def test_the_shipped_model_keeps_its_calibration_figures(curated):
    """In-sample, on the calibration data: the cross-validated estimate is in BENCHMARKS.md."""
    import numpy as np

    from assistant.retrieval.curation import FIRE_MODELS
    from benchmarks.calibrate_curation import curation_of, examples, score

    _, keys = curation_of(read_jsonl(DATA / "curation.jsonl"))
    _, assistant = curated
    answers = {a["question"]: a["answer"] for a in read_jsonl(DATA / "unrelated-answers.jsonl")}
    unrelated = [
        {**q, "answer": answers[q["question"]]} for q in read_jsonl(DATA / "unrelated.jsonl")
    ]
    tested = examples(assistant, read_jsonl(DATA / "calibration.jsonl") + unrelated, keys)
    pinned = {key: p.chunk.id for key, p in assistant.curator.pinned.items()}
    shipped = {kind: (np.array(w), bias, logit) for kind, (w, bias, logit) in FIRE_MODELS.items()}
    result = score(tested, shipped, pinned)
    # measured when the constants were fitted: 47/48, 16/24 and no harm (47/48 pins first
    # without a pin firing: the router, taught the pins, already does it); a little room, as
    # the 4-bit encoder rounds a little differently by CPU
    assert sum(result["pins"]) >= 45 and len(result["pins"]) == 48
    assert sum(result["redirects"]) >= 14 and len(result["redirects"]) == 24
    assert sum(result["harm"]) <= 1


def run(capsys, *argv: str) -> tuple[int, str, str]:
    from assistant.cli import main

    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_office_pins_and_redirects_from_the_terminal(own_paths, capsys):
    question = "Which missions does the international policy serve?"
    status, _, err = run(capsys, "pin", question, "--passage", "INSA Lyon")
    assert status == 1 and "passages hold 'INSA Lyon'" in err and "give words" in err
    status, _, err = run(capsys, "pin", question, "--passage", "missions on the moon")
    assert status == 1 and "No passage holds" in err and "closest passages" in err
    assert not (own_paths.corpus_dir / CURATION_FILE).exists()  # nothing written on an error

    status, out, _ = run(capsys, "pin", question, "--passage", "Training  international TALENTS")
    assert status == 0 and "Now answered with the pinned passage" in out
    status, out, _ = run(capsys, "ask", "--json", question)
    first = json.loads(out)["passages"][0]
    assert first["pinned"] is True and first["highlight"] == "Training international talents"

    visa = "Do I need a visa?"
    status, _, err = run(capsys, "redirect", visa, "--message", "See.", "--link", "javascript:x")
    assert status == 1 and "https://" in err
    status, _, err = run(capsys, "redirect", visa, "--message", "Voir.", "--language", "fr")
    assert status == 1 and "English message first" in err
    status, out, _ = run(capsys, "redirect", visa, "--message", "Visas: the welcome office.",
                         "--link", LINK)  # fmt: skip
    assert status == 0 and "Now answered: Visas: the welcome office." in out
    status, out, _ = run(
        capsys, "redirect", visa, "--message", "Visas : bureau.", "--language", "fr"
    )
    assert status == 0 and "messages: en, fr" in out and LINK in out  # the link is kept

    status, out, _ = run(capsys, "curation")
    assert status == 0 and f"pin: {question}" in out and f"redirect: {visa}" in out
    assert "answered: ?" in out and "no question log" in out

    status, _, err = run(capsys, "unpin", "Not a pinned question")
    assert status == 1 and question in err
    assert run(capsys, "unpin", question.upper())[0] == 0  # found however it is retyped
    assert run(capsys, "unredirect", visa)[0] == 0
    status, out, _ = run(capsys, "curation")
    assert "Nothing curated yet" in out


def test_a_malformed_curation_file_is_never_overwritten(own_paths, capsys):
    path = own_paths.corpus_dir / CURATION_FILE
    path.write_text("pins:\n  - question: 'open\n", encoding="utf-8")
    status, _, err = run(capsys, "redirect", "Visa?", "--message", "See the visa page.")
    assert status == 1 and "line 3" in err and "fix the file first" in err
    assert path.read_text(encoding="utf-8") == "pins:\n  - question: 'open\n"


def test_the_question_log_counts_what_each_pin_and_redirect_answered(curated, tmp_path):
    from assistant.feedback.question_log import QuestionLog
    from assistant.feedback.store import open_store

    _, assistant = curated
    store = open_store(None, tmp_path / "log.sqlite3")
    log = QuestionLog(assistant, store, keep_days=90)
    pin, redirect = assistant.curator.curation.pins[0], assistant.curator.curation.redirects[0]
    for question in (pin.question, pin.question, redirect.question, "Will it rain tomorrow?"):
        log.ask(question, [], 3, "api", wait=True)
    try:
        assert store.curated_counts() == {pin.key: 2, redirect.key: 1}
        assert store.forget(datetime.now(UTC) + timedelta(seconds=1)) == (4, 0)
        assert store.curated_counts() == {}  # forgotten with their questions
    finally:
        log.close()
        store.close()
