from __future__ import annotations

import io
import json
import sys

import pytest

from assistant.cli import _parser, main

CONTRACT_KEYS = {"question", "answered", "language", "message", "passages"}
PASSAGE_KEYS = {"text", "highlight", "score", "section", "source", "start", "end"}


def run(capsys, argv, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_every_command_and_option_has_help():
    parser = _parser()
    commands = parser._subparsers._group_actions[0]  # type: ignore[union-attr]
    assert set(commands.choices) >= {"build", "ask", "eval"}
    for action in commands._choices_actions:
        assert action.help, action.dest
    for name, sub in commands.choices.items():
        for action in sub._actions:
            assert action.help, f"{name} {action.dest}"


@pytest.mark.parametrize(
    "argv", [["--help"], ["ask", "--help"], ["build", "--help"], ["eval", "--help"]]
)
def test_help(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    assert "usage: python -m assistant" in capsys.readouterr().out


def test_ask_json_contract(capsys, use_built):
    status, out, err = run(capsys, ["ask", "--json", "What is the CDEFI?"])
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 1
    answer = json.loads(lines[0])
    assert set(answer) >= CONTRACT_KEYS
    assert answer["question"] == "What is the CDEFI?" and answer["answered"] is True
    assert answer["language"] == "en" and answer["message"] is None
    assert len(answer["passages"]) == 3
    for passage in answer["passages"]:
        assert set(passage) >= PASSAGE_KEYS
        assert passage["highlight"] in passage["text"]
        assert passage["source"] == "corpus/insa-lyon-international-policy.md"
        assert isinstance(passage["score"], float) and passage["start"] < passage["end"]
        source = (use_built.corpus_dir.parent / passage["source"]).read_text(encoding="utf-8")
        assert source[passage["start"] : passage["end"]] == passage["text"]


def test_ask_human_output_without_ansi_when_piped(capsys, use_built):
    status, out, _ = run(capsys, ["ask", "-k", "2", "What are the school's values?"])
    assert status == 0
    assert "[1] An internationalisation process strongly settled (score " in out
    assert "[2] " in out and "[3] " not in out
    assert "humanism, culture, diversity" in out and "\033[" not in out


def test_ask_human_output_bolds_the_answer_sentence_on_a_terminal(capsys, use_built, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    status, out, _ = run(capsys, ["ask", "-k", "1", "How many foreign students are there?"])
    assert status == 0
    assert "\033[1mIndeed, INSA Lyon welcomes today around 1900 foreign students" in out


def test_ask_out_of_scope_json(capsys, use_built):
    status, out, _ = run(capsys, ["ask", "--json", "How do I cook pasta al dente?"])
    answer = json.loads(out)
    assert status == 0 and answer["answered"] is False and answer["passages"] == []
    assert answer["outcome"] == "not_covered" and answer["related"] == []
    assert "does not say" in answer["message"]


def test_ask_shows_related_passages_under_a_heading_that_says_they_are_not_an_answer(
    capsys, use_built
):
    status, out, _ = run(capsys, ["ask", "Who is the director of INSA Lyon?"])
    assert status == 0
    message, heading, first, *_ = out.split("\n\n")
    assert "does not name the people" in message
    assert heading == "Not an answer: the closest passages in the policy:"
    assert first.startswith("[1] ")
    status, out, _ = run(capsys, ["ask", "--json", "Who is the director of INSA Lyon?"])
    answer = json.loads(out)
    assert answer["outcome"] == "related" and answer["missing"] == "person"
    assert answer["answered"] is False and answer["passages"] == [] and answer["related"]


def test_ask_answers_small_talk_with_a_short_friendly_reply(capsys, use_built):
    status, out, _ = run(capsys, ["ask", "--json", "Hello!"])
    answer = json.loads(out)
    assert status == 0 and answer["outcome"] == "conversation" and answer["passages"] == []
    assert answer["message"].startswith("Hello!") and "What is the CDEFI?" in answer["message"]


def test_stdin_batch_good_and_bad_lines(capsys, use_built, monkeypatch):
    lines = (
        b"\n".join(
            [
                b"What are the school's values?",
                b"",
                json.dumps({"question": "And CDEFI?", "history": ["What is AGERA?"]}).encode(),
                b"{not json",
                b"\xff\xfe invalid utf-8",
                json.dumps({"question": "hi", "colour": "red"}).encode(),
                json.dumps({"history": []}).encode(),
                json.dumps(
                    {"question": "Qu'est-ce que le programme Erasmus ?"}, ensure_ascii=False
                ).encode(),
            ]
        )
        + b"\n"
    )
    status, out, _ = run(capsys, ["ask", "--json", "-"], stdin=lines, monkeypatch=monkeypatch)
    results = [json.loads(line) for line in out.splitlines()]
    assert status == 1 and len(results) == 8
    assert results[0]["answered"] and results[0]["question"] == "What are the school's values?"
    assert "empty" in results[1]["error"]
    assert (
        results[2]["question"] == "And CDEFI?" and "Directeurs" in results[2]["passages"][0]["text"]
    )
    assert "not a valid JSON object" in results[3]["error"]
    assert "not valid UTF-8" in results[4]["error"]
    assert "unknown field(s): colour" in results[5]["error"]
    assert '"question" field' in results[6]["error"]
    assert results[7]["language"] == "fr"
    assert (
        "understood as French" in results[7]["notice"] and "authoritative" in results[7]["notice"]
    )
    assert results[0]["notice"] is None


def test_stdin_batch_all_good_exits_zero(capsys, use_built, monkeypatch):
    status, out, _ = run(
        capsys, ["ask", "--json", "-"], stdin=b"Values?\nCGE?\n", monkeypatch=monkeypatch
    )
    assert status == 0 and len(out.splitlines()) == 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["ask", ""], "error: The question is empty"),
        (["ask", "-k", "0", "values"], "error: top_k must be a whole number from 1 to 20"),
        (["ask", "-"], "needs --json"),
        (["ask", "x" * 5000], "the limit is 1,000"),
    ],
)
def test_errors_are_one_line_without_traceback(capsys, use_built, argv, message):
    status, out, err = run(capsys, argv)
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_missing_corpus_is_a_clear_error(capsys, tmp_path):
    status, _, err = run(
        capsys,
        [
            "--corpus",
            str(tmp_path / "nowhere"),
            "--index",
            str(tmp_path / "index"),
            "ask",
            "values?",
        ],
    )
    last = err.splitlines()[-1]
    assert status == 1 and last.startswith("error: Nothing to index") and "Traceback" not in err


def test_stale_index_is_rebuilt_with_a_notice(capsys, own_paths):
    status, out, err = run(capsys, ["ask", "--json", "What are the school's values?"])
    assert status == 0 and json.loads(out)["answered"]
    assert err.startswith("Rebuilding the index: no index in ") and err.count("\n") == 1


def test_build_command(capsys, own_paths):
    status, out, _ = run(capsys, ["build"])
    assert status == 0 and out.startswith("Indexed ") and "from 1 document(s)" in out
    assert (own_paths.index_dir / "manifest.json").is_file()


def test_bad_corpus_file_is_named_but_others_still_build(capsys, own_paths):
    (own_paths.corpus_dir / "broken.md").write_bytes(b"# Broken\n\n\xff\n")
    status, out, err = run(capsys, ["build"])
    assert status == 0 and "from 1 document(s)" in out
    assert "warning: skipped corpus/broken.md: line 3: not valid UTF-8" in err


def test_os_error_becomes_one_line(capsys, own_paths, monkeypatch):
    import assistant.indexing.build

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(own_paths.index_dir))

    monkeypatch.setattr(assistant.indexing.build.tempfile, "mkdtemp", refuse)
    status, out, err = run(capsys, ["build"])
    assert status == 1 and out == ""
    assert err.startswith("error: Permission denied: ") and err.count("\n") == 1


@pytest.mark.parametrize("value", ["0", "many", "-3", "1000"])
def test_a_bad_answering_at_once_setting_is_one_clear_line(capsys, use_built, monkeypatch, value):
    monkeypatch.setenv("ASSISTANT_ANSWERING_AT_ONCE", value)
    status, out, err = run(capsys, ["ask", "What is the CDEFI?"])
    assert status == 1 and out == ""
    assert err.startswith("error: ASSISTANT_ANSWERING_AT_ONCE is") and "Traceback" not in err
