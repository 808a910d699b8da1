from __future__ import annotations

from pathlib import Path

import pytest

from assistant.documents.corpus import load_corpus, parse_document
from assistant.errors import CorpusError
from tests.conftest import POLICY


@pytest.fixture(scope="module")
def policy():
    return parse_document(POLICY.read_bytes(), "corpus/" + POLICY.name)


def test_policy_structure(policy):
    assert policy.title == "International policy"
    assert policy.metadata["language"] == "en"
    assert policy.metadata["source"].startswith("INSA Lyon, International policy (PDF)")
    sections = list(dict.fromkeys(b.section for b in policy.blocks if b.kind != "footnote"))
    assert sections == [
        "International policy",
        "INSA Lyon integrated in networks",
        "A worldwide influence",
        "An internationalisation process strongly settled",
    ]
    assert [b.kind for b in policy.blocks].count("list") == 1
    assert [b.kind for b in policy.blocks].count("footnote") == 4


def test_blocks_are_exact_spans_without_markup(policy):
    for block in policy.blocks:
        text = policy.text[block.start : block.end]
        assert text == text.strip() and text
        assert not text.startswith("#") and not text.startswith("---")


def test_footnotes_know_their_citing_words(policy):
    notes = {n.label: n for n in policy.footnotes}
    assert notes["1"].cited_by == "AGERA"
    assert notes["3"].cited_by == "CDEFI"
    assert notes["4"].cited_by == "LIA and UMI"
    assert notes["3"].section == "INSA Lyon integrated in networks"
    assert policy.text[notes["2"].start : notes["2"].end].startswith(
        "Conférence des Grandes Ecoles"
    )


def test_plain_text_document():
    doc = parse_document(b"Erasmus charter\n\nFirst paragraph.\n\nSecond one.\n", "corpus/x.txt")
    assert doc.title == "Erasmus charter"
    assert [doc.text[b.start : b.end] for b in doc.blocks] == [
        "Erasmus charter",
        "First paragraph.",
        "Second one.",
    ]


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"# T\n\nGood line.\nBad \xff byte.\n", "line 4: not valid UTF-8 (byte 0xff)"),
        (b"---\ntitle: T\nno colon here\n---\n\nText.\n", "line 3: front matter line is not"),
        (
            b"---\ntitle: T\n\nText without closing.\n",
            "front matter opened with '---' is never closed",
        ),
        (b"# Only a heading\n", "has no text to index"),
        (b"# T\n\nCites a note[^9].\n", "footnote [^9] is cited but never defined"),
        (b"# T\n\nA NUL\x00 byte.\n", "line 3: contains a NUL byte"),
    ],
)
def test_bad_files_are_named_with_the_problem(data, problem):
    with pytest.raises(CorpusError) as error:
        parse_document(data, "corpus/bad.md")
    assert str(error.value).startswith("corpus/bad.md: ")
    assert problem in str(error.value)


def test_loader_reads_every_document_and_reports_bad_ones(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\nAlpha text.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Beta text.\n", encoding="utf-8")
    (corpus / "c.md").write_bytes(b"# C\n\n\xfe\xfe\n")
    (corpus / "notes.docx").write_bytes(b"ignored")
    (corpus / ".hidden.md").write_text("# H\n\nHidden.\n", encoding="utf-8")
    loaded = load_corpus(corpus)
    assert [d.source for d in loaded.documents] == ["corpus/a.md", "corpus/b.txt"]
    assert len(loaded.problems) == 1 and "corpus/c.md" in str(loaded.problems[0])
