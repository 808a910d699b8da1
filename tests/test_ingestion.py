"""Policy files made by real producers (pandoc, LibreOffice, Chromium, fpdf2) come back as the
corpus document's passages, and bad files are refused with one line, changing nothing."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.documents.chunking import chunk_document
from assistant.documents.corpus import parse_document
from assistant.documents.drafts import join_lines, render
from assistant.documents.formats import read_source
from tests import producers
from tests.conftest import POLICY, SOURCE_TEXT

TABLE_MARKDOWN = """---
title: Exchange places
---

# Exchange places

## Places by region

The table gives the places offered each year.

| Region | Partners | Places |
|---|---|---|
| Europe | 100 | 450 |
| Asia | 40 | 120 |
| Americas | 35 | 90 |

Places not taken are offered again in the spring.
"""


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every producer's version of the policy, made once for the module."""
    if producers.TOOLS_MISSING:
        pytest.skip(f"needs {producers.TOOLS_MISSING} (make test installs them)")
    folder = tmp_path_factory.mktemp("made")
    docx = producers.pandoc(POLICY, folder / "policy.docx")
    html = producers.pandoc(POLICY, folder / "policy.html", "--standalone")
    tables_md = folder / "tables.md"
    tables_md.write_text(TABLE_MARKDOWN, encoding="utf-8")
    tables_docx = producers.pandoc(tables_md, folder / "tables.docx")
    return {
        "docx": docx,
        "html": html,
        "libreoffice": producers.libreoffice_pdf(docx, folder),
        "chromium": producers.chromium_pdf(html, folder / "policy-chromium.pdf"),
        "erasmus": producers.erasmus_statement(folder / "erasmus-policy-statement.pdf"),
        "tables_docx": tables_docx,
        "tables_pdf": producers.libreoffice_pdf(tables_docx, folder),
        "fpdf_table": producers.table_pdf(folder / "fpdf-table.pdf"),
    }


def passages(path: Path) -> list[str]:
    draft, _ = read_source(path)
    markdown = render(draft, metadata={"title": draft.title})
    return [chunk.text for chunk in chunk_document(parse_document(markdown.encode(), "c.md"))]


def corpus_passages() -> list[str]:
    return [chunk.text for chunk in chunk_document(parse_document(POLICY.read_bytes(), "c.md"))]


@pytest.mark.parametrize("kind", ["docx", "html", "libreoffice"])
def test_each_producer_gives_back_the_corpus_passages(made, kind):
    assert passages(made[kind]) == corpus_passages()


def test_a_chromium_print_gives_back_the_corpus_passages_but_its_endnotes(made):
    """A web page has no page bottoms: Chromium prints pandoc's footnotes as a numbered list
    at the end, with a return arrow, so they come back as an ordered list, not definitions."""
    found = passages(made["chromium"])
    expected = corpus_passages()
    body = [p for p in expected if "[^" not in p and not p.startswith(("Alliance", "Conf", "Labo"))]
    assert [p for p in found if p in body] == body


def test_the_two_page_pdf_is_repaired(made):
    draft, _ = read_source(made["erasmus"])
    markdown = render(draft, metadata={"title": draft.title})
    assert draft.title == "Erasmus Policy Statement"
    assert "## Mobility of students and staff" in markdown
    assert "## Inclusion and the Erasmus grant" in markdown
    # the footers and page numbers are gone, and said to be
    assert "INSA Lyon - Erasmus Policy Statement" not in markdown
    assert any("Erasmus Policy Statement" in line for line in draft.dropped)
    # the raised marks cite the notes at the foot of the page, which are definitions
    assert "Erasmus grant[^1] paid by the national agency, and the ECHE[^2] commits" in markdown
    assert (
        "[^1]: The top-up is 250 euros a month for students with fewer opportunities." in markdown
    )
    assert "[^2]: Erasmus Charter for Higher Education" in markdown
    # the paragraph the page break cut is one paragraph again
    paragraphs = markdown.split("\n\n")
    assert any(
        p.startswith("Students with fewer") and p.endswith("semester begins.") for p in paragraphs
    )


@pytest.mark.parametrize("kind", ["tables_docx", "tables_pdf", "fpdf_table"])
def test_a_simple_table_becomes_a_markdown_table(made, kind):
    draft, _ = read_source(made[kind])
    table = next(block for block in draft.blocks if block.startswith("|"))
    assert table.splitlines() == [
        "| Region | Partners | Places |",
        "|---|---|---|",
        "| Europe | 100 | 450 |",
        "| Asia | 40 | 120 |",
        "| Americas | 35 | 90 |",
    ]


SCHOOL_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>International policy | INSA Lyon</title>
<meta name="dcterms.modified" content="2026-10-02"></head><body>
<div id="cookie-banner">We use cookies. <button>Accept all cookies</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/research">Research</a></li>
<li><a href="/campus">Campus life</a></li></ul></nav></header>
<div class="layout"><div class="sidebar"><ul><li><a href="/a">Admissions</a></li>
<li><a href="/b">Library opening hours</a></li></ul></div>
<div class="content"><h1>International policy</h1>
<p>Since its creation, INSA Lyon has considered that the quality of the education delivered
to the engineering students as well as the quality of the research must be also based on a
broad international opening.</p>
<h2>A worldwide influence</h2>
<p>INSA Lyon welcomes today around 1900 foreign students representing more than one hundred
nationalities, and has relations on the five continents with its partner universities.</p>
<ol><li>Training international talents (engineers and doctors)</li>
<li>Giving an intelligible vision of its activities.</li></ol>
</div></div>
<footer><p>© INSA Lyon, 20 avenue Albert Einstein, Villeurbanne. Legal notice.</p></footer>
</body></html>"""


def test_a_school_web_page_keeps_only_its_main_content(tmp_path):
    page = tmp_path / "international.html"
    page.write_text(SCHOOL_PAGE, encoding="utf-8")
    draft, _ = read_source(page)
    text = "\n".join(draft.blocks)
    assert draft.title == "International policy" and draft.version_date == "2026-10-02"
    assert "## A worldwide influence" in text
    assert "1. Training international talents (engineers and doctors)" in text
    for noise in ("cookies", "Campus life", "Library opening hours", "Legal notice"):
        assert noise not in text


@pytest.mark.parametrize(
    "line, following, joined",
    [
        ("the interna-", "tional strategy", "the international strategy"),  # "international" below
        ("The double-", "degree sections", "The double-degree sections"),  # no "doubledegree"
        ("a long", "line", "a long line"),
        ("ends with a dash -", "and goes on", "ends with a dash - and goes on"),
    ],
)
def test_a_word_broken_across_lines_is_mended_only_when_it_is_one_word(line, following, joined):
    words = frozenset({"international", "the", "strategy", "double", "degree"})
    assert join_lines(line, following, " ", words) == joined


def test_a_hundred_page_pdf_converts(tmp_path):
    """The time is measured in BENCHMARKS.md (benchmarks/ingestion_speed.py)."""
    path = producers.long_pdf(tmp_path / "long.pdf", pages=100)
    draft, _ = read_source(path)
    assert len(draft.blocks) > 300 and not any(
        "Erasmus Policy Statement  " in b for b in draft.blocks
    )


def test_a_note_low_on_the_page_stays_a_note_and_the_page_number_goes(tmp_path):
    draft, _ = read_source(producers.note_in_the_margin(tmp_path / "doctoral.pdf"))
    assert draft.footnotes == (
        ("1", "A thesis supervised jointly by two universities, each awarding its doctorate."),
    )
    assert "under a cotutelle[^1] agreement" in draft.blocks[0]
    assert draft.dropped == ("1",)


@pytest.mark.parametrize("name", ["insa-lyon-international-policy.md", "policy.txt"])
def test_markdown_and_pdf_extracted_text_give_the_corpus_passages(tmp_path, name):
    source = POLICY if name.endswith(".md") else SOURCE_TEXT
    copy = tmp_path / name
    copy.write_bytes(source.read_bytes())
    assert passages(copy) == corpus_passages()


def test_a_page_marked_busy_with_a_cookie_banner_keeps_its_content(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        '<html><body class="has-cookie-banner"><main><h1>Mobility</h1>'
        "<p>Every student goes abroad for a semester.</p>"
        '<p>See <a href="#s2">Article 2 eligibility</a>.</p>'
        '<ol><li id="s2">Students in their third year or later.</li></ol></main></body></html>',
        encoding="utf-8",
    )
    draft, _ = read_source(page)
    assert draft.title == "Mobility" and not draft.footnotes  # a link to a list is no note
    assert draft.blocks == (
        "Every student goes abroad for a semester.",
        "See Article 2 eligibility.",
        "1. Students in their third year or later.",
    )


def test_a_word_file_without_a_title_style_takes_its_properties_title(tmp_path):
    markdown = tmp_path / "untitled.md"
    markdown.write_text("Every student goes abroad for a semester.\n", encoding="utf-8")
    if producers.TOOLS_MISSING:
        pytest.skip(f"needs {producers.TOOLS_MISSING}")
    docx = producers.pandoc(markdown, tmp_path / "mobility-rules.docx")
    draft, _ = read_source(docx)
    assert draft.title == "mobility-rules"  # pandoc writes no title: the file's name
    assert draft.blocks == ("Every student goes abroad for a semester.",)


# --- bad input: one line, exit status 1, nothing in corpus/ or index/ moved -----------------


def _truncated(folder: Path, made: dict[str, Path]) -> Path:
    path = folder / "truncated.pdf"
    data = made["libreoffice"].read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def _zip_bomb(folder: Path, made: dict[str, Path]) -> Path:
    path = folder / "bomb.docx"
    with zipfile.ZipFile(made["docx"]) as real, zipfile.ZipFile(path, "w") as bomb:
        for item in real.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, real.read(item))
        inside = zipfile.ZipInfo("word/document.xml")
        inside.compress_type = zipfile.ZIP_DEFLATED
        with bomb.open(inside, "w", force_zip64=True) as inner:
            zeros = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MB of nothing, about 300 KB compressed
                inner.write(zeros)
    return path


def _sparse(folder: Path, made: dict[str, Path]) -> Path:
    path = folder / "huge.pdf"
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(200 * 1024 * 1024)  # 200 MB on paper, nothing on disk
    return path


def _write(name: str, data: bytes):
    def make(folder: Path, made: dict[str, Path]) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


def _damaged_docx(folder: Path, made: dict[str, Path]) -> Path:
    path = folder / "damaged.docx"
    with zipfile.ZipFile(made["docx"]) as real, zipfile.ZipFile(path, "w") as damaged:
        for item in real.infolist():
            data = real.read(item)
            damaged.writestr(
                item, data[: len(data) // 2] if "document.xml" in item.filename else data
            )
    return path


BAD_FILES = {
    "encrypted": (lambda f, m: producers.encrypted_pdf(f / "locked.pdf"), "the PDF is encrypted"),
    "scanned": (lambda f, m: producers.scanned_pdf(f / "scan.pdf"), "no text layer; run OCR"),
    "truncated": (_truncated, "not a readable PDF"),
    "html_as_pdf": (
        _write("page.pdf", b"<!DOCTYPE html><html><body>Hi</body></html>"),
        "is not a PDF (it looks like HTML)",
    ),
    "pdf_as_html": (_write("page.html", b"%PDF-1.7\n\x00\x01binary"), "holds binary data"),
    "frameset": (
        _write("frames.html", b"<html><frameset><frame src='a.html'></frameset></html>"),
        "frames.html: ",
    ),
    "huge": (_sparse, "is 200 MB; the largest file add takes is 50 MB"),
    "zip_bomb": (_zip_bomb, "a zip bomb?"),
    "damaged_docx": (_damaged_docx, "damaged.docx: "),
    "empty": (_write("empty.txt", b""), "the file is empty"),
    "no_words": (_write("dots.txt", b". . .\n\n-- --\n"), "has no words in it"),
    "latin1": (
        _write("policy.txt", "Politique internationale\nL'école.\n".encode("latin-1")),
        "not valid UTF-8",
    ),
    "unknown_kind": (_write("policy.odt", b"PK\x03\x04"), "cannot add a .odt file"),
    "missing": (lambda f, m: f / "nowhere.pdf", "cannot be read"),
}
NEEDS_PRODUCERS = {"truncated", "zip_bomb", "damaged_docx"}


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def project(built, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the built corpus and index, which a bad file must leave untouched."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(built.corpus_dir, root / "corpus")
    shutil.copytree(built.index_dir, root / "index")
    return Settings(corpus_dir=root / "corpus", index_dir=root / "index")


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_one_line_and_changes_nothing(case, project, request, tmp_path, capsys):
    make, message = BAD_FILES[case]
    made = request.getfixturevalue("made") if case in NEEDS_PRODUCERS else {}
    path = make(tmp_path, made)
    before = (tree(project.corpus_dir), tree(project.index_dir))
    paths = ["--corpus", str(project.corpus_dir), "--index", str(project.index_dir)]
    status = main([*paths, "add", str(path)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err
    assert "Traceback" not in err
    assert (tree(project.corpus_dir), tree(project.index_dir)) == before
