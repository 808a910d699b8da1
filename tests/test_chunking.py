from __future__ import annotations

import pytest

from assistant.documents.chunking import MAX_CHUNK_CHARS, chunk_document, plain
from assistant.documents.corpus import parse_document
from tests.conftest import POLICY


@pytest.fixture(scope="module")
def policy():
    return parse_document(POLICY.read_bytes(), "corpus/" + POLICY.name)


@pytest.fixture(scope="module")
def chunks(policy):
    return chunk_document(policy)


def test_spans_point_at_the_exact_text(policy, chunks):
    for chunk in chunks:
        assert policy.text[chunk.start : chunk.end] == chunk.text
        for start, end in chunk.sentences:
            assert chunk.start <= start < end <= chunk.end
            assert policy.text[start:end].strip() == policy.text[start:end]


def test_no_passage_is_a_heading_or_too_long(chunks):
    for chunk in chunks:
        assert not chunk.text.lstrip().startswith("#")
        assert chunk.text.strip() not in {"International policy", "A worldwide influence"}
        assert len(chunk.text) <= MAX_CHUNK_CHARS


def test_chunks_know_document_title_and_section(chunks):
    by_text = {c.text[:30]: c for c in chunks}
    chunk = by_text["INSA Lyon has relations on the"]
    assert (chunk.source, chunk.title, chunk.section) == (
        "corpus/insa-lyon-international-policy.md",
        "International policy",
        "A worldwide influence",
    )


def test_list_stays_with_its_introduction(chunks):
    missions = [c for c in chunks if "Two main missions" in c.text]
    assert len(missions) == 1
    assert "1. Training international talents" in missions[0].text
    assert "2. Giving an intelligible vision" in missions[0].text
    assert missions[0].sentence_texts()[1].startswith("1. Training")


@pytest.mark.parametrize(
    "acronym, expansion",
    [
        ("AGERA", "Alliance des Grandes Ecoles"),
        ("CGE", "Conférence des Grandes Ecoles"),
        ("CDEFI", "Conférence des Directeurs"),
        ("UMI", "Unité Mixte Internationale"),
    ],
)
def test_footnotes_travel_with_the_citing_text(chunks, acronym, expansion):
    citing = [c for c in chunks if c.kind == "text" and acronym in c.text]
    assert citing and all(any(expansion in note for note in c.notes) for c in citing)
    assert all(expansion in c.search_text for c in citing)
    note = [c for c in chunks if c.kind == "footnote" and expansion in c.text]
    assert len(note) == 1 and acronym in note[0].search_text
    assert note[0].section == citing[0].section


def test_search_text_has_no_footnote_marks(chunks):
    assert all("[^" not in c.search_text for c in chunks)
    assert plain("AGERA[^1])") == "AGERA)"


def test_long_paragraph_splits_at_sentence_boundaries():
    sentence = "The school works with partners across the world on many shared projects. "
    body = sentence * 25
    doc = parse_document(f"# T\n\n{body}\n".encode(), "corpus/long.md")
    chunks = chunk_document(doc)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk.text) <= MAX_CHUNK_CHARS
        assert chunk.text.endswith("projects.") and chunk.text.startswith("The school")


def test_overlong_sentence_is_cut_at_spaces():
    doc = parse_document(("# T\n\n" + "word " * 400).encode(), "corpus/run-on.md")
    chunks = chunk_document(doc)
    assert len(chunks) > 1
    assert all(len(c.text) <= MAX_CHUNK_CHARS and c.text.strip() == c.text for c in chunks)
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)
