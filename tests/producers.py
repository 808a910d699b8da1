"""Policy files made by the tools the office uses, for the ingestion tests: pandoc (Word and
web page from the corpus Markdown), LibreOffice (PDF from that Word file, with footnotes at
page bottoms), Chromium (PDF of the web page, with a running header and page numbers) and
fpdf2 (short PDFs laid out by hand: two pages with footers and a paragraph across the break,
the Erasmus policy statement, an encrypted file and a scan without text).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from fpdf import FPDF
from PIL import Image

TOOLS_MISSING = [tool for tool in ("pandoc", "soffice") if shutil.which(tool) is None]


def pandoc(markdown: Path, out: Path, *extra: str) -> Path:
    """pandoc's Word (real footnotes, heading styles, numbered lists) or standalone HTML."""
    subprocess.run(["pandoc", str(markdown), "-o", str(out), *extra], check=True, timeout=120)
    return out


def libreoffice_pdf(docx: Path, out_dir: Path) -> Path:
    """LibreOffice's PDF export of a Word file: its footnotes go to the foot of each page."""
    profile = out_dir / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "pdf", "--outdir", str(out_dir), str(docx)],
        check=True, timeout=180, capture_output=True,
    )  # fmt: skip
    return out_dir / f"{docx.stem}.pdf"


def chromium_pdf(html: Path, out: Path) -> Path:
    """Chromium's print of a web page: a running header and "page N of M" on every page."""
    from playwright.sync_api import sync_playwright

    header = '<div style="font-size:8px;width:100%;text-align:center">INSA Lyon</div>'
    footer = (
        '<div style="font-size:8px;width:100%;text-align:center">International policy, page '
        '<span class="pageNumber"></span> of <span class="totalPages"></span></div>'
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        page = browser.new_page()
        page.goto(html.as_uri())
        margin = {"top": "20mm", "bottom": "20mm", "left": "15mm", "right": "15mm"}
        page.pdf(path=str(out), format="A5", display_header_footer=True,
                 header_template=header, footer_template=footer, margin=margin)  # fmt: skip
        browser.close()
    return out


class _Page(FPDF):
    footer_text = "INSA Lyon - Erasmus Policy Statement"

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 10, f"{self.footer_text}    {self.page_no()}", align="C")


def _superscript(pdf: FPDF, mark: str) -> None:
    pdf.char_vpos = "SUP"
    pdf.write(6, mark)
    pdf.char_vpos = "LINE"


def erasmus_statement(out: Path, *, pages: int = 2) -> Path:
    """A short Erasmus policy statement: footer and page number on each page, a paragraph
    split by the page break, superscript footnote marks, and the notes at the foot of the
    page that cites them, in smaller type."""
    pdf = _Page(format="A4")
    pdf.set_auto_page_break(True, margin=50)  # room for the notes above the footer
    pdf.set_title("Erasmus Policy Statement")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, "Erasmus Policy Statement", new_x="LMARGIN", new_y="NEXT")
    part = 0
    # fill the pages but the last until the inclusion paragraph starts near a page's foot
    while pdf.page < pages - 1 or pdf.get_y() < 215:
        title, text = ERASMUS_SECTIONS[part % len(ERASMUS_SECTIONS)]
        _heading(pdf, title if part < len(ERASMUS_SECTIONS) else f"{title} ({part})")
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        part += 1
    _heading(pdf, "Inclusion and the Erasmus grant")
    cited_on = pdf.page
    pdf.write(6, "Students with fewer opportunities receive a top-up to the Erasmus grant")
    _superscript(pdf, "1")
    pdf.write(6, " paid by the national agency, and the ECHE")
    _superscript(pdf, "2")
    pdf.write(6, " commits the school to " + ERASMUS_INCLUSION)
    last = pdf.page
    pdf.page = cited_on
    _footnotes(pdf)
    pdf.page = last
    pdf.output(str(out))
    return out


def _heading(pdf: FPDF, title: str) -> None:
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)


def _footnotes(pdf: FPDF) -> None:
    """Set the notes at the foot of the current page, in smaller type, numbers raised."""
    pdf.set_auto_page_break(False)
    pdf.set_y(-47)
    for number, text in ERASMUS_NOTES:
        pdf.set_font("Helvetica", size=8)
        _superscript(pdf, number)
        pdf.write(4, " " + text)
        pdf.ln(5)


ERASMUS_SECTIONS = (
    ("Mobility of students and staff",
     "INSA Lyon sends every engineering student abroad for at least one semester, and "
     "welcomes exchange students from its Erasmus partner universities in every department. "
     "Staff members teach or train at partner universities for one or two weeks each year."),
    ("Recognition of studies abroad",
     "Credits earned abroad under a learning agreement are recognised in full: the grades "
     "are converted with the partner's grading table and appear on the student's transcript."),
    ("Partnerships",
     "The school chooses its partners for the quality of their engineering programmes and "
     "research, and signs an inter-institutional agreement with each of them before any "
     "exchange. Double degrees are agreed with the partners that share a curriculum."),
    ("Language preparation",
     "Outgoing students take an online language assessment before and after their stay, and "
     "follow a language course when their level is below B2 in the language of teaching."),
    ("Welcoming exchange students",
     "Incoming students are met by a student buddy, offered a room in a residence on the "
     "campus for their first semester, and follow a two-week French course before classes."),
    ("Staff training",
     "Administrative staff spend a week at a partner's international office every two years, "
     "and teachers who lecture in English follow a training course in teaching in English."),
    ("Quality of mobility",
     "Every returning student answers the Erasmus participant report, which the "
     "international relations office reads each year to improve the partnerships."),
)  # fmt: skip
ERASMUS_INCLUSION = (
    "equal access to mobility, whatever the student's background, and to a green and digital "
    "Erasmus, with online learning agreements and travel by train where it is possible. "
    "Each application is reviewed by the international relations office within four weeks, "
    "and students receive the decision by e-mail together with the list of documents that "
    "the partner university requires before the semester begins."
)
ERASMUS_NOTES = (
    ("1", "The top-up is 250 euros a month for students with fewer opportunities."),
    ("2", "Erasmus Charter for Higher Education, awarded by the European Commission."),
)


def encrypted_pdf(out: Path) -> Path:
    pdf = FPDF()
    pdf.set_encryption(owner_password="office", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "A protected policy.")
    pdf.output(str(out))
    return out


def scanned_pdf(out: Path) -> Path:
    """A page that is only a picture of text, as a scanner makes it."""
    image = Image.new("L", (800, 1100), color=255)
    for row in range(100, 1000, 30):
        image.paste(0, (80, row, 720, row + 8))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(buffer, x=0, y=0, w=210)
    pdf.output(str(out))
    return out


def long_pdf(out: Path, pages: int) -> Path:
    """A policy of `pages` pages, to time the conversion."""
    return erasmus_statement(out, pages=pages)


def table_pdf(out: Path) -> Path:
    """fpdf2's own table: a bold header row over three rows, in ruled cells."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "Exchange places", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0, 6, "The table gives the places offered each year.", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(4)
    with pdf.table(col_widths=(60, 40, 40)) as table:
        for row in TABLE_ROWS:
            table.row(row)
    pdf.ln(4)
    pdf.multi_cell(0, 6, "Places not taken are offered again in the spring.")
    pdf.output(str(out))
    return out


TABLE_ROWS = (
    ("Region", "Partners", "Places"),
    ("Europe", "100", "450"),
    ("Asia", "40", "120"),
    ("Americas", "35", "90"),
)


def note_in_the_margin(out: Path) -> Path:
    """One page whose only footnote sits low, in the band where footers live, above a bare
    page number: the note must stay a note, and the number go."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "Doctoral mobility", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.write(6, "Doctoral students may spend up to eighteen months abroad under a cotutelle")
    _superscript(pdf, "1")
    pdf.write(6, " agreement with a partner university.")
    pdf.set_y(-32)
    pdf.set_font("Helvetica", size=8)
    _superscript(pdf, "1")
    pdf.write(4, " A thesis supervised jointly by two universities, each awarding its doctorate.")
    pdf.set_y(-15)
    pdf.cell(0, 10, "1", align="C")
    pdf.output(str(out))
    return out
