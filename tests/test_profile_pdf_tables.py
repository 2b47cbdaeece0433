"""The profile PDF's tables (`exports.profiles.pdf._table`) look exactly as fpdf2's own
`table()` drew them before they were drawn cell by cell: the same text at the same places
on the same pages (`pdftotext -layout`), and every page's pixels the same but for the
anti-aliasing of edges (fpdf2 draws each rule twice, once for each row beside it, and
places text a fraction of a pixel apart): no pixel differs by more than a few grey levels,
and no more than a few pixel rows in a run differ across most of the page's width, so a
shading, a rule, a line of text or a cell's vertical place that moved would show.

The reference below is the renderer as it was, on `FPDF.table()`. The table exercises
what a profile's tables meet: labels and headings that wrap to several lines, right-aligned
figures and `[c]`, a table running over two page breaks (its heading row repeated), a
table whose heading would be left alone at the foot of a page, and a table with no rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, XPos
from support.pdf_pages import pdf_pages

from exports.profiles import pdf
from exports.profiles.document import Table

RULE_ROWS = 3  # pixel rows a rule's anti-aliasing may touch at 100 dpi
EDGES = 16  # grey levels (of 255) the anti-aliasing of a glyph's or rule's edge may differ


def fpdf2_table(document: FPDF, block: Table) -> None:
    """The profile tables as they were drawn, with fpdf2's `table()`."""
    document.set_font(pdf.FONT, "B", 9)
    if document.will_page_break(20):
        document.add_page()
    document.multi_cell(0, 5, block.caption, align="L", new_x=XPos.LMARGIN, new_y="NEXT")
    document.set_font(pdf.FONT, "", 8)
    n = len(block.header)
    first = min(60.0, max(35.0, document.epw * (0.4 if n <= 3 else 0.3)))
    rest = (document.epw - first) / max(n - 1, 1)
    document.set_fill_color(247, 247, 247)
    aligns = ["LEFT" if not block.is_numeric(i) else "RIGHT" for i in range(n)]
    with document.table(
        col_widths=(first, *([rest] * (n - 1))), width=document.epw, text_align=tuple(aligns),
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 230, 236)),
        cell_fill_color=(247, 247, 247), cell_fill_mode=TableCellFillMode.ROWS,
        line_height=4.2, borders_layout="HORIZONTAL_LINES", repeat_headings=1,
        first_row_as_headings=True,
    ) as table:
        heading = table.row()
        for cell in block.header:
            heading.cell(cell)
        for values in block.rows:
            row = table.row()
            for cell in values:
                row.cell(cell)
    document.ln(3)


LONG = "A label long enough that it has to wrap onto a second line of its column "
TABLES = (
    Table("Serious violence by measure", (
        "Measure with a heading long enough to wrap", "Q1", "Q2", "Q3", "Q4",
        "Financial year 2024-25 to date"), tuple(
        (LONG * (1 + i % 3) if i % 7 == 0 else f"Measure {i}",
         *[f"{i * j:,}" if (i + j) % 5 else "[c]" for j in range(1, 6)])
        for i in range(90))),
    Table("Two columns", ("Measure", "Value"), tuple((f"Row {i}", str(i)) for i in range(40))),
    Table("A table with no rows this quarter", ("Measure", "Value"), ()),
)
# Starts 22 mm above the foot of a page: room for its caption and heading row, not for
# its first row as well, so both go to the next page.
KEPT_TOGETHER = Table("Heading kept with the first row", ("Measure", "Q1", "Year"), (
    (LONG * 3, "1", "2"), ("Measure", "3", "4")))


def blank_document() -> FPDF:
    document = pdf._ProfilePDF("Tables")
    for style in pdf.FONT_FILES:
        pdf._add_font(document, style)
    return document


def document_of(draw_table) -> bytes:
    document = blank_document()
    document.set_auto_page_break(auto=True, margin=16)
    document.set_margins(15, 15, 15)
    document.add_page()
    document.set_font(pdf.FONT, "", 10)
    document.multi_cell(0, 5, "A paragraph before the tables.\n" * 30)
    for block in TABLES:
        draw_table(document, block)
    document.set_y(document.page_break_trigger - 22)
    draw_table(document, KEPT_TOGETHER)
    document.set_font(pdf.FONT, "", 10)
    document.multi_cell(0, 5, "A paragraph after them.")
    return bytes(document.output())


def test_the_tables_look_as_fpdf2s_table_drew_them(tmp_path: Path) -> None:
    from PIL import Image, ImageChops

    seen = {}
    for name, draw in (("fpdf2", fpdf2_table), ("ours", pdf._table)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(document_of(draw))
        seen[name] = pdf_pages(path, tmp_path / name, resolution=100)
    theirs, ours = seen["fpdf2"], seen["ours"]
    assert len(theirs) >= 4  # the first table runs over two page breaks
    assert [p.text for p in ours] == [p.text for p in theirs]
    assert sum(p.text.count("Measure with a heading") for p in ours) >= 3
    kept = next(p for p in ours if "Heading kept with" in p.text)
    assert "A label long enough" in kept.text  # not left alone at the foot of a page
    for a, b in zip(theirs, ours, strict=True):
        difference = ImageChops.difference(Image.open(a.png).convert("L"),
                                           Image.open(b.png).convert("L"))
        worst = max(level for level, n in enumerate(difference.histogram()) if n)
        assert worst <= EDGES, f"page {a.number} differs by {worst} grey levels"
        rows = rows_differing(difference)
        assert longest_run(rows) <= RULE_ROWS, f"page {a.number}: pixel rows {rows} differ"


def rows_differing(difference) -> list[int]:
    """The pixel rows that differ across more than half the page's width."""
    width, height = difference.size
    data = difference.tobytes()
    return [y for y in range(height)
            if sum(1 for v in data[y * width:(y + 1) * width] if v > 2) > width // 2]


def longest_run(rows: list[int]) -> int:
    longest = run = 0
    for i, y in enumerate(rows):
        run = run + 1 if i and y == rows[i - 1] + 1 else 1
        longest = max(longest, run)
    return longest


@pytest.mark.parametrize("text", ["", "[c]", "1,234", LONG * 4])
def test_a_cell_is_broken_into_the_lines_fpdf2_breaks_it_into(text: str) -> None:
    document = blank_document()
    document.add_page()
    document.set_font(pdf.FONT, "", 8)
    lines = pdf._cell_lines(document, text, 40.0)
    assert lines == (document.multi_cell(40.0, pdf.ROW_HEIGHT, text, dry_run=True,
                                         output="LINES") or [""])
