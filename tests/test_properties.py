"""Property-based checks: parsing and chunking never raise on any text, and spans are exact."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.documents.chunking import MAX_CHUNK_CHARS, chunk_document
from assistant.documents.cleaning import clean_pdf_text
from assistant.documents.corpus import parse_document
from assistant.errors import CorpusError

MARKDOWNISH = st.lists(
    st.sampled_from([*"ab .:\n#-*1[]^()'’é中", "\n\n", "# ", "[^1]", "[^1]: ", "1. "]),
    max_size=120,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=400), MARKDOWNISH, st.text(alphabet="ab .!\n", min_size=600, max_size=3000)
    ),
    st.sampled_from(["corpus/x.md", "corpus/x.txt"]),
)
def test_parse_and_chunk_any_text(text, source):
    try:
        document = parse_document(text.encode("utf-8", "surrogatepass"), source)
    except CorpusError as error:
        assert str(error).startswith(source)
        return
    for chunk in chunk_document(document):
        assert document.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() and len(chunk.text) <= MAX_CHUNK_CHARS
        for start, end in chunk.sentences:
            assert chunk.start <= start < end <= chunk.end


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=600), MARKDOWNISH))
def test_cleaning_any_text_gives_a_parseable_document(text):
    try:
        cleaned = clean_pdf_text(text, source="x.txt", version_date="2026-11-28")
    except CorpusError as error:  # nothing but blank lines or footnotes: said, not crashed
        assert "no body lines" in str(error)
        return
    try:
        parse_document(cleaned.markdown.encode("utf-8", "surrogatepass"), "corpus/x.md")
    except CorpusError as error:
        assert str(error).startswith("corpus/x.md")
