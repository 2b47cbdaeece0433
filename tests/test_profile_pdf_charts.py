"""The profile PDF's charts (`exports.profiles.pdf_charts`, drawn from each chart's marks)
look as fpdf2 drew them from the chart's SVG (`FPDF.image`), which is what the PDF did
before: the same text on each page, and the same pixels but for the rasterising of edges.

The two place everything within a twentieth of a point of each other (fpdf2 writes
coordinates and sizes to two decimals, in other units on the two paths), but the
rasteriser snaps a glyph's baseline or a bar's edge to the pixel grid, so here and there
one moves by a pixel. So the pages are compared blurred (`BLUR`): no blurred pixel may
differ by more than `WORST` grey levels, and no more than `MANY` by more than `SOME`.
That fails (it was tried) when text is not anchored, a rotation turns the wrong way, a
marker misses its group's colour, a line is not dashed or is closed back to its start,
a hatch is missing, a text's own colour or a rectangle's edge is ignored, lines are a
quarter thinner, fonts 5% smaller, or red and blue are swapped; it cannot see a line's
cap (square or butt) where the line ends on an edge of its own colour.

The charts exercise every mark: horizontal and upright bars of one and several series
(hatched, with gaps for `[c]` and `[x]` and values turned on their side), a line chart
of four series (solid, dashed, dash-dot and dotted lines; round, square, triangular and
diamond markers; a gap), and a heat map with hatched cells and its colour bar.
"""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from support.pdf_pages import pdf_pages

from exports.profiles import pdf
from exports.profiles.charts import (
    BarChart,
    HeatMap,
    LineChart,
    Series,
    chart_marks,
    svg_text,
)
from exports.profiles.document import Chart
from exports.shapes import NOT_AVAILABLE, SUPPRESSED

RESOLUTION = 150  # dpi
BLUR = 2.0  # pixels of Gaussian blur before comparing
WORST = 56  # grey levels (of 255) a blurred pixel may differ by (clean: under 50)
SOME, MANY = 24, 1500  # pixels (of 2.2 million a page) that may differ by more than SOME


def _chart(spec, what: str) -> Chart:
    return Chart(spec=spec, note=f"{what}: a note under the chart.")


MONTHS = ("Apr 2024", "May 2024", "Jun 2024", "Jul 2024", "Aug 2024", "Sep 2024",
          "Oct 2024", "Nov 2024", "Dec 2024", "Jan 2025", "Feb 2025", "Mar 2025")
CHARTS = (
    _chart(BarChart(
        key="by-group", title="Offences by group, with a title long enough to wrap onto "
        "a second line of the chart's heading", categories=(
            "Violence with injury", "Robbery", "A category long enough that its label "
            "needs two lines beside the bars of this chart", "Possession of weapons"),
        series=(Series("Offences", (1234, SUPPRESSED, 56, NOT_AVAILABLE)),),
        value_axis="Offences (12 months to March 2025)", category_axis="Group"),
        "Horizontal bars"),
    _chart(BarChart(
        key="by-age", title="Victims by age and sex", categories=(
            "0 to 9", "10 to 17", "18 to 24", "25 to 34", "35 to 44", "65 and over"),
        series=(Series("Male", (SUPPRESSED, 273, 335, 532, 513, 104)),
                Series("Female", (12, 88, SUPPRESSED, 301, 290, 132)),
                Series("Other", (0, SUPPRESSED, 1, NOT_AVAILABLE, 2, 0))),
        value_axis="Victims", category_axis="Age band (years)", horizontal=False),
        "Upright bars, three series"),
    _chart(BarChart(
        key="narrow", title="Many narrow bars", categories=tuple(
            f"Area {i}" for i in range(16)),
        series=(Series("Rate", tuple(1000.5 * (i + 1) if i % 5 else SUPPRESSED
                                     for i in range(16))),),
        value_axis="Offences per 1,000 people", category_axis="Area", horizontal=False,
        decimals=1), "Values turned on their side"),
    _chart(LineChart(
        key="by-month", title="Offences by month", x_labels=MONTHS, series=tuple(
            Series(name, tuple(SUPPRESSED if (i, j) == (3, 1) else 10 * (j + 1) + i % 4
                               for i in range(12)))
            for j, name in enumerate(("Knife", "Domestic abuse", "Under 25", "Other"))),
        y_axis="Offences per month", x_axis="Month recorded"), "Four lines"),
    _chart(HeatMap(
        key="by-hour", title="Offences by day and hour", rows=(
            "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        columns=tuple(f"{h:02d}:00" for h in range(24)), values=tuple(
            tuple(SUPPRESSED if (r * 24 + c) % 7 == 3 else (r + 1) * c
                  for c in range(24)) for r in range(7)),
        row_axis="Day of the week", column_axis="Hour the offence began"), "Heat map"),
)


def fpdf2_chart(document: FPDF, block: Chart) -> None:
    """The charts as the PDF drew them before: fpdf2 reading the chart's SVG."""
    w_pt, h_pt, _ = chart_marks(block.spec)
    width = document.epw
    height = width * h_pt / w_pt
    if document.will_page_break(height + 4):
        document.add_page()
    document.set_fill_color(0, 0, 0)
    document.set_draw_color(0, 0, 0)
    document.set_text_color(0, 0, 0)
    document.image(io.BytesIO(svg_text(block.spec).encode()), x=document.l_margin, w=width,
                   h=height, title=block.title, alt_text=block.alt)
    document.set_y(document.get_y() + 1)
    document.set_font(pdf.FONT, "", 8)
    document.set_text_color(*pdf.GREY)
    document.multi_cell(0, 4, block.note, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.set_text_color(0, 0, 0)
    document.ln(2)


def document_of(draw_chart) -> bytes:
    document = pdf._ProfilePDF("Charts")
    for style in pdf.FONT_FILES:
        pdf._add_font(document, style)
    document.set_auto_page_break(auto=True, margin=16)
    document.set_margins(15, 15, 15)
    document.add_page()
    for block in CHARTS:
        draw_chart(document, block)
    return bytes(document.output())


def test_the_charts_look_as_fpdf2_drew_their_svg(tmp_path: Path) -> None:
    from PIL import Image, ImageChops, ImageFilter

    seen = {}
    for name, draw in (("fpdf2", fpdf2_chart), ("ours", pdf._chart)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(document_of(draw))
        seen[name] = pdf_pages(path, tmp_path / name, resolution=RESOLUTION)
    theirs, ours = seen["fpdf2"], seen["ours"]
    assert len(ours) == len(theirs) >= 2
    for a, b in zip(theirs, ours, strict=True):
        # The same characters on the page (pdftotext lays text at 45° out differently
        # when it sits a hundredth of a point apart, so its order is not compared).
        assert sorted(b.text.split()) == sorted(a.text.split()) or \
            sorted("".join(b.text.split())) == sorted("".join(a.text.split())), \
            f"page {a.number}: the text differs"
        blurred = [Image.open(p.png).convert("L").filter(ImageFilter.GaussianBlur(BLUR))
                   for p in (a, b)]
        levels = ImageChops.difference(*blurred).histogram()
        worst = max(level for level, n in enumerate(levels) if n)
        assert worst <= WORST, f"page {a.number}: a pixel differs by {worst} grey levels"
        assert sum(levels[SOME + 1:]) <= MANY, \
            f"page {a.number}: {sum(levels[SOME + 1:])} pixels differ by more than {SOME}"


def test_a_chart_is_one_figure_with_its_title_and_text_alternative() -> None:
    data = document_of(pdf._chart)
    assert data.count(b"/S /Figure") == data.count(b"/Alt (") == len(CHARTS)
    for block in CHARTS:
        assert f"/T ({block.title}".encode() in data
