"""A profile chart drawn into the PDF from its marks (exports.profiles.charts), with fpdf2's
own drawing calls: the same shapes, lines and text the chart's SVG holds, at the same
places, without writing the SVG out and reading it back.

fpdf2 can draw an SVG (`FPDF.image`), and the PDF used to take the charts that way: its
reader parses the XML into a tree of styled paths, then renders the tree, merging and
copying the style of every element: about 60 ms of CPU a chart, nearly half of a
profile's PDF. Here each mark is one call (a rectangle, a line, a text, a polyline):
about 12 ms a chart. A chart is still one figure to a screen reader: it is marked as
fpdf2 marks an SVG image, with its title and text alternative.

Coordinates: the chart's user units are points with y running down (as the SVG's viewBox).
The marks are drawn in them, a user unit taken for a page unit (mm), inside a
transformation that scales and moves them onto the page at the chart's place and width,
as fpdf2 drew the SVG: so line widths, dash lengths and font sizes scale with the chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.drawing import DeviceRGB
from fpdf.drawing_primitives import Transform
from fpdf.enums import PathPaintRule, StrokeCapStyle, StrokeJoinStyle

from exports.profiles.charts import (
    Circle,
    EndGroup,
    Group,
    Line,
    Mark,
    Polygon,
    Polyline,
    Rect,
    Segments,
    Text,
)

PT_PER_MM = 72 / 25.4  # a font's size is set in points; a user unit is drawn as a mm
FACES = {"": "", "bold": "B", "italic": "I"}


def _rgb(colour: str) -> tuple[int, int, int]:
    """`#RRGGBB` (the only form the charts write) as 0-255 channels."""
    if len(colour) != 7 or colour[0] != "#":
        raise ValueError(f"a chart colour must be #RRGGBB, not {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@dataclass(frozen=True)
class _Paint:
    """What a shape inherits from the groups around it (SVG's defaults at the root: filled
    black, no stroke, stroke width 1)."""

    fill: str = "#000000"
    stroke: str = "none"
    stroke_width: float = 1.0

    def inside(self, group: Group) -> _Paint:
        return _Paint(group.fill or self.fill, group.stroke or self.stroke,
                      self.stroke_width if group.stroke_width is None else group.stroke_width)


class _Page:
    """Draws one mark at a time, in the chart's user units (inside `draw_marks`'s
    transformation), in the colours its groups give it."""

    def __init__(self, pdf: FPDF, font: str) -> None:
        self.pdf, self.font = pdf, font

    def style(self, fill: str, stroke: str, width: float) -> str | None:
        """Set the colours and line width; fpdf2's style letters for what is painted."""
        style = ""
        if fill != "none":
            self.pdf.set_fill_color(*_rgb(fill))
            style += "F"
        if stroke != "none":
            self.pdf.set_draw_color(*_rgb(stroke))
            self.pdf.set_line_width(width)
            style = "D" + style
        return style or None

    def text(self, mark: Text, paint: _Paint) -> None:
        text = " ".join(mark.text.split())  # as an SVG reader collapses white space
        if not text:
            return
        pdf = self.pdf
        pdf.set_font(self.font, FACES[mark.face], mark.size * PT_PER_MM)
        pdf.set_text_color(*_rgb(mark.fill or paint.fill))
        x, y = mark.x, mark.y
        shift = {"start": 0.0, "middle": 0.5, "end": 1.0}[mark.anchor]
        if mark.rotate:
            with pdf.rotation(-mark.rotate, x, y):
                pdf.text(x - shift * pdf.get_string_width(text), y, text)
        else:
            pdf.text(x - shift * pdf.get_string_width(text), y, text)

    def rect(self, mark: Rect, paint: _Paint) -> None:
        style = self.style(mark.fill or paint.fill, mark.stroke or paint.stroke,
                           paint.stroke_width if mark.stroke_width is None
                           else mark.stroke_width)
        if style:
            self.pdf.rect(mark.x, mark.y, mark.w, mark.h, style=style)

    def line(self, mark: Line, paint: _Paint) -> None:
        self.style("none", mark.stroke, mark.width)
        self.pdf.line(mark.x1, mark.y1, mark.x2, mark.y2)

    def segments(self, mark: Segments, paint: _Paint) -> None:
        self.style("none", mark.stroke, mark.width)
        for x1, y1, x2, y2 in mark.segments:
            self.pdf.line(x1, y1, x2, y2)

    def circle(self, mark: Circle, paint: _Paint) -> None:
        style = self.style(paint.fill, paint.stroke, paint.stroke_width)
        if style:
            self.pdf.circle(mark.cx, mark.cy, mark.r, style=style)

    def polygon(self, mark: Polygon, paint: _Paint) -> None:
        style = self.style(paint.fill, paint.stroke, paint.stroke_width)
        if style:
            self.pdf.polygon(list(mark.points), style=style)

    def polyline(self, mark: Polyline, paint: _Paint) -> None:
        """Through fpdf2's path drawing, the one of its calls that dashes a line with any
        pattern (a dash-dot line has four lengths) and sets caps and joins."""
        with self.pdf.new_path(*mark.points[0], paint_rule=PathPaintRule.STROKE) as path:
            path.style.stroke_color = DeviceRGB(*(c / 255 for c in _rgb(mark.stroke)))
            path.style.stroke_width = mark.width
            path.style.auto_close = False
            path.style.stroke_join_style = StrokeJoinStyle.ROUND
            path.style.stroke_cap_style = (StrokeCapStyle.SQUARE if mark.square_caps
                                           else StrokeCapStyle.BUTT)
            if mark.dash:
                path.style.stroke_dash_pattern = mark.dash
            for x, y in mark.points[1:]:
                path.line_to(x, y)


def draw_marks(pdf: FPDF, marks: Iterable[Mark], font: str, x: float, y: float,
               scale: float) -> None:
    """Draw a chart's marks with its top-left corner at (x, y) on the page, `scale` page
    units to a user unit."""
    page = _Page(pdf, font)
    paints = [_Paint()]
    with pdf.transform(Transform.scaling(scale).translate(x, y)):
        for mark in marks:
            _draw(page, mark, paints)


_DRAW = {Text: _Page.text, Rect: _Page.rect, Line: _Page.line, Segments: _Page.segments,
         Circle: _Page.circle, Polygon: _Page.polygon, Polyline: _Page.polyline}


def _draw(page: _Page, mark: Mark, paints: list[_Paint]) -> None:
    if isinstance(mark, Group):
        paints.append(paints[-1].inside(mark))
    elif isinstance(mark, EndGroup):
        paints.pop()
    elif type(mark) in _DRAW:
        _DRAW[type(mark)](page, mark, paints[-1])
    else:
        raise TypeError(f"a chart mark the PDF cannot draw: {mark!r}")


@contextmanager
def figure(pdf: FPDF, title: str, alt_text: str) -> Iterator[None]:
    """Whatever is drawn inside is one figure with a title and text alternative, as fpdf2
    marks an image (`FPDF.image(title=, alt_text=)`), its lines with butt caps and round
    joins (the charts' SVG root says so; fpdf2's page draws square caps), and the page's
    colours, line width and font are as they were after it."""
    with pdf._marked_sequence(title=title, alt_text=alt_text), pdf.local_context(
            stroke_cap_style=StrokeCapStyle.BUTT, stroke_join_style=StrokeJoinStyle.ROUND):
        yield
