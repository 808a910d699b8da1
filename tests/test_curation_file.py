"""The curation file: read by line, every problem reported, every sound entry kept."""

from __future__ import annotations

import pytest

from assistant.documents.curation import (
    CURATION_FILE,
    Curation,
    Pin,
    Redirect,
    check_link,
    parse_curation,
    read_curation,
    write_curation,
)

SOUND = """\
pins:
  - question: What are the missions of the international policy?
    passage: Training international talents
redirects:
  - question: Do I need a visa?
    message:
      en: Visas are handled by the welcome office.
      fr: Les visas relèvent du bureau d'accueil.
    link: https://www.insa-lyon.fr/
"""


def test_a_sound_file_gives_its_pins_and_redirects():
    curation = parse_curation(SOUND)
    assert curation.problems == ()
    assert curation.pins == (
        Pin("What are the missions of the international policy?", "Training international talents"),
    )
    (redirect,) = curation.redirects
    assert redirect.link == "https://www.insa-lyon.fr/"
    assert redirect.message("fr") == "Les visas relèvent du bureau d'accueil."
    assert redirect.message("zh") == "Visas are handled by the welcome office."  # English fallback
    assert curation.questions == (curation.pins[0].question, redirect.question)


def test_each_bad_entry_is_reported_by_its_line_and_the_rest_still_loads():
    text = SOUND + (
        "  - question: Where do I live?\n"  # line 10
        "    message: See the housing page.\n"
        "    link: javascript:alert(1)\n"
        "  - question: How much are the fees?\n"  # line 13
        "    message: {fr: Voir la page des frais.}\n"
        "  - question: do i NEED a   visa?\n"  # line 15: the same question as line 5
        "    message: Again.\n"
        "  - question: Any colour?\n"  # line 17
        "    message: Fine.\n"
        "    colour: red\n"
        "other: 1\n"  # line 20
    )
    curation = parse_curation(text)
    assert len(curation.pins) == 1 and [r.question for r in curation.redirects] == [
        "Do I need a visa?"
    ]
    assert [problem.split(":")[0] for problem in curation.problems] == [
        f"{CURATION_FILE} line {n}" for n in (10, 13, 15, 17, 20)
    ]
    assert "https://" in curation.problems[0]
    assert "English" in curation.problems[1]
    assert "same question as line 5" in curation.problems[2]
    assert "'colour'" in curation.problems[3]


@pytest.mark.parametrize(
    ("text", "line"),
    [("pins: [\n  - a: b\n", 2), ("pins:\n  - question: 'open\n", 3), ("- a\n- b\n", 1)],
)
def test_a_malformed_file_is_reported_by_line_and_curates_nothing(text, line):
    curation = parse_curation(text)
    assert curation.pins == () and curation.redirects == ()
    (problem,) = curation.problems
    assert problem.startswith(f"{CURATION_FILE} line {line}:")


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/",
        "//example.org/",
        "https:///nohost",
        "https://exa mple.org/",
        "https://example.org/\x00",
    ],
)
def test_only_absolute_http_links_are_accepted(link):
    with pytest.raises(ValueError):
        check_link(link)


def test_what_is_written_reads_back_the_same(tmp_path):
    curation = Curation(
        (Pin("Why « international »?", "broad international opening"),),
        (Redirect("Logement ?", {"en": "See housing.", "zh": "见住房页面。"}, "https://a.fr/x"),),
    )
    write_curation(tmp_path, curation)
    text = (tmp_path / CURATION_FILE).read_text(encoding="utf-8")
    assert text.startswith("# ") and "见住房页面。" in text  # readable, not escaped
    again = read_curation(tmp_path)
    assert again.problems == ()
    assert [(p.question, p.passage) for p in again.pins] == [
        ("Why « international »?", "broad international opening")
    ]
    assert [(r.question, dict(r.messages), r.link) for r in again.redirects] == [
        ("Logement ?", {"en": "See housing.", "zh": "见住房页面。"}, "https://a.fr/x")
    ]


def test_no_file_means_nothing_curated_and_an_unreadable_one_says_so(tmp_path):
    assert read_curation(tmp_path) == Curation()
    (tmp_path / CURATION_FILE).write_bytes(b"pins:\n  - question: \xff\xfe\n")
    (problem,) = read_curation(tmp_path).problems
    assert "cannot be read" in problem


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("pins:\n  - question: !!foo x\n    passage: y\n", "cannot be read"),
        ("pins:\n  - question: !!timestamp nope\n    passage: y\n", "cannot be read"),
        ("pins:\n  - question: a\n    question: b\n    passage: y\n", "given twice"),
        ("pins: []\npins:\n  - question: a\n    passage: y\n", "second `pins:`"),
        ('redirects:\n  - question: a\n    message: {"en\\n": x}\n', "language code"),
        ('pins:\n  - question: "\\e\\a"\n    passage: y\n', "non-empty"),
    ],
)
def test_odd_yaml_is_a_problem_on_its_line_never_a_crash(text, found):
    curation = parse_curation(text)
    assert curation.pins == () and curation.redirects == ()
    assert len(curation.problems) == 1 and found in curation.problems[0], curation.problems


def test_control_characters_never_reach_the_terminal():
    curation = parse_curation('pins:\n  - question: "Why\\e[31m red?"\n    passage: x\n')
    assert curation.pins[0].question == "Why [31m red?"


def test_a_file_with_any_problem_is_never_rewritten(tmp_path):
    from assistant.documents.curation_edits import edit_curation, with_pin

    text = SOUND + "  - question: Fees?\n    message: {fr: seulement}\n"
    (tmp_path / CURATION_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 10: .*fix the file first"):
        edit_curation(tmp_path, lambda c: with_pin(c, "Q?", "phrase"))
    assert (tmp_path / CURATION_FILE).read_text(encoding="utf-8") == text


def test_a_question_is_pinned_or_redirected_never_both():
    from assistant.documents.curation_edits import with_pin, with_redirect

    curation = with_redirect(Curation(), "Visa?", "en", "See the visa page.", None)
    pinned = with_pin(curation, "VISA?", "Training international talents")
    assert [p.question for p in pinned.pins] == ["VISA?"] and pinned.redirects == ()
    again = with_redirect(pinned, "visa?", "en", "See it.", None)
    assert again.pins == () and [r.question for r in again.redirects] == ["visa?"]
