from __future__ import annotations

import pytest

from assistant.documents.cleaning import clean_pdf_text
from assistant.errors import CorpusError
from tests.conftest import POLICY, SOURCE_TEXT

SOURCE_NOTE = (
    "INSA Lyon, International policy (PDF), text extraction received as "
    "insa-lyon-international-policy.txt"
)


@pytest.fixture(scope="module")
def cleaned():
    return clean_pdf_text(
        SOURCE_TEXT.read_text(encoding="utf-8"), source=SOURCE_NOTE, version_date="2026-11-28"
    )


def test_committed_corpus_is_the_cleaned_source(cleaned):
    assert cleaned.markdown == POLICY.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "glued, attached",
    [
        ("AGERA1 )", "AGERA[^1])"),
        ("CGE2 ,", "CGE[^2],"),
        ("CDEFI3 )", "CDEFI[^3])"),
        ("UMI4 )", "UMI[^4])"),
    ],
)
def test_footnote_numbers_become_references(cleaned, glued, attached):
    assert attached in cleaned.markdown
    assert glued not in cleaned.markdown


def test_footnote_lines_become_definitions(cleaned):
    assert "\n[^1]: Alliance des Grandes Ecoles Rhône-Alpes" in cleaned.markdown
    assert "\n[^4]: Laboratoire International Associé." in cleaned.markdown
    assert "\n1Alliance" not in cleaned.markdown


def test_headings_list_and_front_matter(cleaned):
    text = cleaned.markdown
    assert text.startswith("---\ntitle: International policy\nsource: ")
    assert "\n# International policy\n" in text
    for heading in (
        "INSA Lyon integrated in networks",
        "A worldwide influence",
        "An internationalisation process strongly settled",
    ):
        assert f"\n## {heading}\n" in text
    assert "identified:\n\n1. Training international talents" in text
    assert "(engineers and doctors)\n2. Giving" in text


def test_page_footer_is_dropped_and_reported(cleaned):
    assert "Institut National" not in cleaned.markdown
    assert cleaned.dropped == ("Institut National",)


def test_policy_words_pass_through_unchanged(cleaned):
    for line in SOURCE_TEXT.read_text(encoding="utf-8").splitlines():
        if line.startswith(("Since its creation", "INSA Lyon has relations", "To conclude")):
            assert line in cleaned.markdown


def test_text_without_footnotes_keeps_trailing_lines():
    cleaned = clean_pdf_text("Title\nA sentence.\nLast line\n", source="s", version_date="d")
    assert "Last line" in cleaned.markdown and cleaned.dropped == ()


def test_empty_source_is_refused():
    with pytest.raises(CorpusError, match="no body lines"):
        clean_pdf_text(" \n\n", source="s", version_date="d")
