"""The profile PDF's text is broken into lines as fpdf2's `multi_cell` breaks it
(`exports.profiles.pdf._wrapped`), and drawn as it draws it (`_text`): the same lines for
every text, face, size and width tried, and the same PDF, byte for byte, as fpdf2's own
line breaking gave: paragraphs running over a page break, tiles, captions and table cells
that wrap."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from exports.profiles import pdf
from exports.profiles.charts import BarChart, Series
from exports.profiles.document import (
    Chart,
    Document,
    Headlines,
    Paragraph,
    Section,
    Table,
    Tile,
)

SENTENCE = ("In 2024-25 Q4 there were 1,234 serious violence offences in Charnwood, 5.2% "
            "fewer than a year earlier (1,302); the rate per 1,000 residents was 6.8. ")
TEXTS = (
    "",
    " ",
    "[c]",
    "Short.",
    SENTENCE,
    SENTENCE * 4,
    "Averyveryveryverylongwordwithoutanyspacethatmustbreakbetweenitscharacters" * 3,
    "two  spaces  between  words " * 12,
    "  leading and trailing spaces  " * 6,
    "a tab\tbetween words " * 15,
    "no-break\u00a0spaces\u00a0between\u00a0these words " * 10,
    "Ünïcödé “quotes” – dashes — £ € ≤ ≥ → ✓ " * 8,
    "a thin\u2009space and a zero\u200bwidth one " * 10,
)
WIDTHS = (0, 22.5, 40.0, 43.7, 60.0, 120.0)


def blank_document() -> FPDF:
    document = pdf._ProfilePDF("Text")
    for style in pdf.FONT_FILES:
        pdf._add_font(document, style)
    document.set_creation_date(pdf.CREATED)  # the same bytes, whenever drawn
    document.set_auto_page_break(auto=True, margin=16)
    document.set_margins(15, 15, 15)
    document.add_page()
    return document


@pytest.mark.parametrize("style,size", [("", 7), ("", 10), ("B", 8), ("B", 18), ("I", 9)])
def test_a_text_breaks_into_the_lines_fpdf2_breaks_it_into(style: str, size: float) -> None:
    document = blank_document()
    document.set_font(pdf.FONT, style, size)
    for text in TEXTS:
        for width in WIDTHS:
            theirs = document.multi_cell(width, 5, text, dry_run=True, output="LINES")
            assert list(pdf._wrapped(document, text, width)) == list(theirs), (text, width)


def test_a_text_exactly_as_wide_as_its_cell_stays_on_one_line() -> None:
    document = blank_document()
    document.set_font(pdf.FONT, "", 10)
    text = "exactly as wide as the cell"
    fits = document.get_string_width(text) + 2 * document.c_margin
    for width in (fits, fits - 0.00005, fits - 0.01, fits + 0.01):
        theirs = document.multi_cell(width, 5, text, dry_run=True, output="LINES")
        assert list(pdf._wrapped(document, text, width)) == list(theirs)
    assert pdf._wrapped(document, text, fits) == (text,)
    assert len(pdf._wrapped(document, text, fits - 0.00005)) == 2


@pytest.mark.parametrize("text", ["a newline\nin it", "a soft\u00adhyphen", "form\x0cfeed"])
def test_fpdf2_breaks_a_text_it_has_rules_of_its_own_for(text: str) -> None:
    document = blank_document()
    document.set_font(pdf.FONT, "", 10)
    assert pdf._wrapped(document, text, 40.0) is None


def draw_text(document: FPDF, draw) -> bytes:
    document.set_font(pdf.FONT, "", 10)
    for text in TEXTS:
        draw(document, 0, 5, text)
    document.set_y(document.page_break_trigger - 8)  # a paragraph over a page break
    draw(document, 0, 5, SENTENCE * 6)
    document.set_font(pdf.FONT, "B", 8)
    document.set_x(40)
    draw(document, 50, 3.6, SENTENCE, "LEFT")
    draw(document, 50, 3.6, "a newline\nin it and a soft\u00adhyphen", "LEFT")
    return bytes(document.output())


def test_text_is_drawn_as_multi_cell_draws_it() -> None:
    def theirs(document, w, h, text, new_x="LMARGIN"):
        document.multi_cell(w, h, text, align="L", new_x=new_x, new_y="NEXT")

    def ours(document, w, h, text, new_x="LMARGIN"):
        pdf._text(document, w, h, text, pdf.XPos.coerce(new_x))

    assert draw_text(blank_document(), ours) == draw_text(blank_document(), theirs)


def profile() -> Document:
    # Characters met first in a cell that wraps (Ж, Ω), and in a row above it that does
    # not wrap (ø): the font's codes for them follow the order fpdf2 gave them in (it
    # broke every wrapping cell in a dry run before drawing the table's first row).
    wrapping = ("A measure whose label wraps onto a second line of its column: Ж Ω",
                *["1,234", "[c]", "56", "7.8%"])
    return Document(
        title="Serious violence profile: a title long enough to wrap onto a second line",
        subtitle=SENTENCE, author="Leicestershire OPCC", subject="profile",
        sections=(
            Section("Headlines", (
                Headlines(tuple(Tile(f"Serious violence offences, tile {i}", "1,234",
                                     "5.2% fewer than a year earlier (1,302)",
                                     "6.8 per 1,000 residents", "2024-25 Q4")
                                for i in range(5))),
                Paragraph(SENTENCE * 3),
            )),
            Section("Offences by month", (
                Chart(BarChart("by-month", "Offences by month", ("Jan", "Feb", "Mar"),
                               (Series("Offences", (10.0, 11.0, 12.0)),),
                               "Offences (12 months to March 2025)", "Month"),
                      note="[c] a figure suppressed to protect the people it counts. " * 3),
                Table("A table whose cells wrap", ("Measure with a long heading", "Q1",
                                                   "Q2", "Q3", "Year to date"),
                      (("Measure ø", "1", "2", "3", "6"),
                       *(wrapping if i % 4 == 0 else (f"Measure {i}", str(i), "[c]",
                                                      f"{i * 7:,}", "12.5%")
                         for i in range(70)))),
                Paragraph(SENTENCE * 9),
            )),
        ))


def test_a_profile_is_the_same_bytes_as_with_fpdf2s_line_breaking(monkeypatch) -> None:
    ours = pdf.pdf_bytes(profile())
    pdf._LINES.clear()
    monkeypatch.setattr(pdf, "_wrapped", lambda *args: None)  # fpdf2 breaks every text
    theirs = pdf.pdf_bytes(profile())
    assert ours == theirs
