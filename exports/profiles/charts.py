"""Profile charts as SVG written directly (no plotting library at draw time): bar,
horizontal bar, line and heat map, each drawn once: inline in `profile.html`, and its
marks (every element of the SVG as a shape, line or text with its colours) drawn as vector
paths and text into `profile.pdf` by exports.profiles.pdf_charts (no second, raster
rendering, and no SVG read back).

Only basic shapes, paths and text are used, styled with presentation attributes (no CSS
classes, no SVG patterns: a hatch is drawn as lines, cut by hand to its bar; no embedded
images: a heat map is a mesh of cells, its colour bar drawn as vector steps), each written
by one `_Svg` method that records its mark beside its element. Lengths are in points: the
root's viewBox is in points and font sizes are unitless user units, which browsers read
as points, and the PDF draws the marks at the same scale (fpdf2 read the SVG the same way
when the PDF drew the SVG itself).

Layout uses real text widths: DejaVu Sans's advance widths (the regular, bold and oblique
faces shipped with matplotlib, the very files the PDF embeds), so no label is clipped
and none overlaps its neighbour.

Rules every chart keeps:
- a suppressed cell (`[c]`) is never drawn with a length, height, position or colour that
  depends on its value: a bar chart leaves a gap labelled `[c]`, a line chart breaks the
  line and marks the month `[c]` at the foot of the axes, a heat map hatches the cell
  in a fixed grey; `[x]` is labelled "not available" the same way;
- colours read in greyscale and with colour-blindness: one dark blue for a single series;
  several series are told apart by marker, line style or hatch as well as colour (the
  Government Analysis Function's categorical palette); heat maps use cividis;
- byte-stable output: no dates, no random ids (every id derives from the chart's key),
  the DejaVu Sans shipped with matplotlib.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path

import matplotlib
from matplotlib.ft2font import FT2Font, LoadFlags

from exports.profiles.numbers import (
    NOT_AVAILABLE_WORDS,
    SUPPRESSED_WORDS,
    Value,
    count_text,
    is_suppressed,
    number,
)

DARK_BLUE = "#12436D"
# Analysis Function categorical palette (dark blue, turquoise, dark pink, orange): chosen
# to be told apart with the common colour-vision deficiencies.
PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25")
MARKERS = ("o", "s", "^", "D")
LINE_STYLES = ("-", "--", "-.", ":")
# Hatches, drawn as lines: none, forward diagonals, horizontal lines, cross-hatching.
HATCHES = ("", "/", "-", "x")
HATCH_STEP_PT = 4.0  # between hatch lines, across them
HATCH_WIDTH_PT = 0.8
GAP_GREY = "#BFBFBF"
WIDTH_IN = 7.5

FONT_FAMILY = "DejaVu Sans"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class BarChart:
    key: str  # unique in the profile: ids in the HTML derive from it
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_axis: str  # with its unit, e.g. "Offences (12 months to September 2024)"
    category_axis: str
    unit: str = "offences"
    horizontal: bool = True
    decimals: int = 0


@dataclass(frozen=True)
class LineChart:
    key: str
    title: str
    x_labels: tuple[str, ...]
    series: tuple[Series, ...]
    y_axis: str
    x_axis: str
    unit: str = "offences"
    decimals: int = 0  # 0: a count, drawn on whole-number ticks


@dataclass(frozen=True)
class HeatMap:
    key: str
    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[Value, ...], ...]  # one tuple per row
    row_axis: str
    column_axis: str
    unit: str = "offences"


ChartSpec = BarChart | LineChart | HeatMap


# ------------------------------------------------------------------------ text alternative


def _said(value: Value, unit: str, decimals: int = 0) -> str:
    v = number(value)
    if v is None:
        return SUPPRESSED_WORDS if is_suppressed(value) else NOT_AVAILABLE_WORDS
    text = f"{v:,.{decimals}f}" if decimals else count_text(v)
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}".strip()


def text_alternative(spec: ChartSpec) -> str:
    """One or more sentences giving every value the chart shows, suppressed ones said as
    "suppressed" (never as a figure)."""
    if isinstance(spec, HeatMap):
        parts = [f"{row}: " + ", ".join(f"{col} {_said(v, '')}"
                                         for col, v in zip(spec.columns, values, strict=True))
                 for row, values in zip(spec.rows, spec.values, strict=True)]
        return (f"{spec.title}, {spec.unit} by {spec.row_axis.lower()} and "
                f"{spec.column_axis.lower()}. " + "; ".join(parts) + ".")
    if isinstance(spec, LineChart):
        categories, decimals = spec.x_labels, spec.decimals
    else:
        categories, decimals = spec.categories, spec.decimals
    sentences = []
    for s in spec.series:
        listed = "; ".join(f"{c}: {_said(v, spec.unit, decimals)}"
                           for c, v in zip(categories, s.values, strict=True))
        lead = f"{s.name}: " if len(spec.series) > 1 else ""
        sentences.append(f"{lead}{listed}.")
    return f"{spec.title}. " + " ".join(sentences)


# ------------------------------------------------------------------------------ drawing


def hatch_segments(x0: float, y0: float, x1: float, y1: float, pattern: str,
                   step: float) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The lines of `pattern` ("/", "\\", "-", "x") inside the box, `step` apart across
    the lines, each cut at the box's edges; lines sit on a grid from the origin, so the
    pattern runs on from one box to the next."""
    out = []
    if "-" in pattern:
        k = math.ceil(y0 / step)
        while k * step <= y1:
            out.append(((x0, k * step), (x1, k * step)))
            k += 1
    diagonal = step * math.sqrt(2)  # the lines' spacing along an axis
    for slope in ((1, -1) if pattern == "x" else (1,) if "/" in pattern
                  else (-1,) if "\\" in pattern else ()):
        # y = slope * x + c for c on the grid, through the box
        lo, hi = ((y0 - x1, y1 - x0) if slope == 1 else (y0 + x0, y1 + x1))
        k = math.ceil(lo / diagonal)
        while k * diagonal <= hi:
            c = k * diagonal
            if slope == 1:
                a, b = max(x0, y0 - c), min(x1, y1 - c)
            else:
                a, b = max(x0, c - y1), min(x1, c - y0)
            if b > a:
                out.append(((a, slope * a + c), (b, slope * b + c)))
            k += 1
    return out


# --- text metrics: DejaVu Sans advance widths, in ems, per face

_FACE_FILES = {"": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf",
               "italic": "DejaVuSans-Oblique.ttf"}
_ADVANCES: dict[str, dict[str, float]] = {}
ASCENT, DESCENT = 0.76, 0.24  # of a line of text, in ems (cap height 0.73)
LINE_EM = 1.2  # between the baselines of a wrapped text's lines, in ems


def _advances(face: str) -> dict[str, float]:
    table = _ADVANCES.get(face)
    if table is None:
        font = FT2Font(str(FONT_DIR / _FACE_FILES[face]))
        font.set_size(100, 72)
        table = {chr(code): font.load_char(code, LoadFlags.NO_HINTING).linearHoriAdvance
                 / 65536 / 100 for code in range(32, 127)}
        table[""] = font  # the font itself, for characters beyond ASCII
        _ADVANCES[face] = table
    return table


@lru_cache(maxsize=8192)
def text_width(text: str, size: float, face: str = "") -> float:
    """The advance width of `text` in DejaVu Sans (`face`: "", "bold" or "italic"), in
    points at `size` points."""
    table = _advances(face)
    em = 0.0
    for ch in text:
        w = table.get(ch)
        if w is None:
            font = table[""]
            w = font.load_char(ord(ch), LoadFlags.NO_HINTING).linearHoriAdvance / 65536 / 100
            table[ch] = w
        em += w
    return em * size


def _wrap(text: str, chars: int, max_width: float, size: float, face: str = "") -> list[str]:
    """`text` wrapped at `chars` characters, and narrower still if a line would be wider
    than `max_width` points."""
    lines = textwrap.wrap(text, chars) or [""]
    while chars > 8 and max(text_width(line, size, face) for line in lines) > max_width:
        chars -= 4
        lines = textwrap.wrap(text, chars)
    return lines


def _fit_lines(text: str, max_width: float, size: float, face: str = "") -> list[str]:
    """`text` broken at spaces into lines no wider than `max_width` where a word allows."""
    words = text.split()
    lines: list[str] = []
    for word in words:
        if lines and text_width(f"{lines[-1]} {word}", size, face) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


# --- ticks


def _ticks(top: float, integer: bool, length: float, min_gap: float,
           label_width: object = None) -> tuple[list[float], int]:
    """Ticks from 0 to `top` on a round step (1, 2, 2.5 or 5 x 10^n), at most ten
    intervals, `min_gap` points apart or more (and wider than their labels when
    `label_width(ticks, places)` is given); and the decimals their labels need."""
    mag = 10.0 ** math.floor(math.log10(top / 10)) if top > 0 else 1.0
    for exponent in range(4):
        for m in (1, 2, 2.5, 5):
            step = m * mag * 10 ** exponent
            if integer and (step < 1 or abs(step - round(step)) > 1e-9):
                continue
            if top / step > 10 + 1e-9 or step / top * length < min_gap:
                continue
            ticks = [k * step for k in range(math.floor(top / step + 1e-9) + 1)]
            places = 0 if integer else next(
                (d for d in range(7) if abs(round(step, d) - step) < 1e-9 * max(1.0, step)),
                6)
            if label_width is None or step / top * length >= label_width(ticks, places) + 8:
                return ticks, places
    return [0.0, top], 0 if integer else 2


def _tick_text(value: float, places: int) -> str:
    return f"{value:,.{places}f}"


# --- SVG elements

def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# What a chart draws, in drawing order (`_Svg.marks`): the SVG's elements as the PDF draws
# them (exports.profiles.pdf_charts), in the SVG's user units (points, y running down).
# A colour of None is the enclosing group's; "none" is none.


@dataclass(frozen=True)
class Group:
    fill: str | None = None
    stroke: str | None = None
    stroke_width: float | None = None


@dataclass(frozen=True)
class EndGroup:
    pass


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float
    anchor: str  # start, middle or end
    face: str  # "", bold or italic
    fill: str | None
    rotate: float  # degrees, clockwise as SVG's, about (x, y)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str | None
    stroke: str | None = None
    stroke_width: float | None = None


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float
    dash: tuple[float, ...]  # () for a solid line, which has square caps
    square_caps: bool


@dataclass(frozen=True)
class Segments:
    """Unconnected straight lines (a hatch), as one path."""

    segments: tuple[tuple[float, float, float, float], ...]
    stroke: str
    width: float


Mark = Group | EndGroup | Text | Rect | Line | Circle | Polygon | Polyline | Segments


class _Svg:
    """An SVG document being written: elements as strings, in drawing order, and beside
    them the marks they draw."""

    def __init__(self, key: str, width: float, height: float) -> None:
        self.key, self.width, self.height = key, width, height
        self.parts: list[str] = []
        self.marks: list[Mark] = [Rect(0.0, 0.0, width, height, "#ffffff")]  # the ground
        self._ids: dict[str, int] = {}

    def id(self, name: str) -> str:
        """`{key}-{name}_{n}`, numbered per chart (as `axes_1`, `xtick_3`)."""
        n = self._ids[name] = self._ids.get(name, 0) + 1
        return f"{self.key}-{name}_{n}"

    def open(self, gid: str = "", fill: str | None = None, stroke: str | None = None,
             stroke_width: str | None = None) -> None:
        named = f' id="{escape(gid)}"' if gid else ""
        attrs = {k: v for k, v in (("fill", fill), ("stroke", stroke),
                                   ("stroke_width", stroke_width)) if v is not None}
        self.parts.append(f"<g{named}{_attrs(attrs)}>")
        self.marks.append(Group(fill, stroke, None if stroke_width is None
                                else float(stroke_width)))

    def close(self) -> None:
        self.parts.append("</g>")
        self.marks.append(EndGroup())

    def text(self, x: float, y: float, text: str, size: float, anchor: str = "start",
             face: str = "", fill: str = "", rotate: float = 0.0) -> None:
        attrs = f'x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"'
        if anchor != "start":
            attrs += f' text-anchor="{anchor}"'
        if face == "bold":
            attrs += ' font-weight="bold"'
        elif face == "italic":
            attrs += ' font-style="italic"'
        if fill:
            attrs += f' fill="{fill}"'
        if rotate:
            attrs += f' transform="rotate({_n(rotate)} {_n(x)} {_n(y)})"'
        self.parts.append(f"<text {attrs}>{escape(text, quote=False)}</text>")
        self.marks.append(Text(x, y, text, size, anchor, face, fill or None, rotate))

    def rect(self, x: float, y: float, w: float, h: float, fill: str, gid: str = "",
             stroke: str | None = None, stroke_width: str | None = None) -> None:
        named = f' id="{escape(gid)}"' if gid else ""
        attrs = {} if stroke is None else {"stroke": stroke, "stroke_width": stroke_width}
        self.parts.append(f'<rect{named} x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" '
                          f'height="{_n(h)}" fill="{fill}"{_attrs(attrs)}/>')
        self.marks.append(Rect(x, y, w, h, fill, stroke, None if stroke_width is None
                               else float(stroke_width)))

    def outline(self, x: float, y: float, w: float, h: float, stroke: str,
                width: float) -> None:
        """A rectangle's edge only."""
        self.parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" '
                          f'height="{_n(h)}" fill="none" stroke="{stroke}" '
                          f'stroke-width="{width}"/>')
        self.marks.append(Rect(x, y, w, h, "none", stroke, width))

    def square(self, x: float, y: float, size: float) -> None:
        """A square in the group's colours (a marker)."""
        self.parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(size)}" '
                          f'height="{_n(size)}"/>')
        self.marks.append(Rect(x, y, size, size, None))

    def circle(self, cx: float, cy: float, r: float) -> None:
        """A circle in the group's colours (a marker)."""
        self.parts.append(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}"/>')
        self.marks.append(Circle(cx, cy, r))

    def polygon(self, points: list[tuple[float, float]]) -> None:
        """A closed shape in the group's colours (a marker)."""
        self.parts.append('<polygon points="' + " ".join(f"{_n(a)},{_n(b)}" for a, b in points)
                          + '"/>')
        self.marks.append(Polygon(tuple(points)))

    def polyline(self, points: list[tuple[float, float]], stroke: str, width: float,
                 dash: str) -> None:
        """An open line through `points`: dashed as `dash` (SVG's dasharray), or solid
        with square caps."""
        attrs = (f' stroke-dasharray="{dash}"' if dash
                 else ' stroke-linecap="square"')
        self.parts.append('<polyline points="' + " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
                          + f'" fill="none" stroke="{stroke}" stroke-width="{_n(width)}"'
                          f'{attrs}/>')
        self.marks.append(Polyline(tuple(points), stroke, width,
                                   tuple(float(d) for d in dash.split(",")) if dash else (),
                                   not dash))

    def boxes(self, boxes: list[tuple[float, float]], w: float, h: float, fill: str) -> None:
        """Rectangles `w` by `h` at each top-left corner in `boxes`, as one path."""
        self.parts.append('<path d="' + "".join(f"M{_n(x)} {_n(y)}h{_n(w)}v{_n(h)}h{_n(-w)}z"
                                                for x, y in boxes) + f'" fill="{fill}"/>')
        self.marks.extend(Rect(x, y, w, h, fill) for x, y in boxes)

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#000000",
             width: float = 0.8) -> None:
        self.parts.append(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
                          f'stroke="{stroke}" stroke-width="{_n(width)}"/>')
        self.marks.append(Line(x1, y1, x2, y2, stroke, width))

    def hatch(self, x0: float, y0: float, x1: float, y1: float, pattern: str,
              colour: str, own_grid: bool = False) -> None:
        """`pattern` over the box (top-left `x0, y0`; SVG's y runs down), as one path of
        lines cut at its edges; worked out with y up, so "/" leans as it reads. The lines
        sit on the figure's grid (running on from box to box), or with `own_grid` on the
        box's own, its first line a little above its foot (a legend's swatch)."""
        segments = self.hatch_lines(x0, y0, x1, y1, pattern, own_grid)
        if segments:
            self.lines_path(segments, colour)

    def hatch_lines(self, x0: float, y0: float, x1: float, y1: float, pattern: str,
                    own_grid: bool = False) -> list[tuple[float, float, float, float]]:
        """`hatch`'s lines, each from (x, y) to (x, y)."""
        if not pattern:
            return []
        flip = self.height
        dx, dy = (x0, flip - y1 - 0.8) if own_grid else (0.0, 0.0)
        segments = hatch_segments(x0 - dx, flip - y1 - dy, x1 - dx, flip - y0 - dy, pattern,
                                  HATCH_STEP_PT)
        return [(a + dx, flip - b - dy, c + dx, flip - e - dy) for (a, b), (c, e) in segments]

    def lines_path(self, segments: list[tuple[float, float, float, float]],
                   colour: str) -> None:
        d = "".join(f"M{_n(a)} {_n(b)}L{_n(c)} {_n(e)}" for a, b, c, e in segments)
        self.parts.append(f'<path d="{d}" fill="none" stroke="{colour}" '
                          f'stroke-width="{_n(HATCH_WIDTH_PT)}"/>')
        self.marks.append(Segments(tuple(segments), colour, HATCH_WIDTH_PT))

    def document(self) -> str:
        w, h = _n(self.width), _n(self.height)
        return ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" height="{h}pt" '
                f'viewBox="0 0 {w} {h}" version="1.1">\n'
                f'<g id="{escape(self.key)}-figure_1" font-family="{FONT_FAMILY}" '
                'stroke-linejoin="round" stroke-linecap="butt">\n'
                f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>\n'
                + "\n".join(self.parts) + "\n</g>\n</svg>\n")


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())


# --- layout constants (points), as matplotlib's defaults drew them

WIDTH = WIDTH_IN * 72
PAD = 4.0  # around the figure
TICK, TICK_PAD, LABEL_PAD = 3.5, 3.5, 4.0
TICK_SIZE, LABEL_SIZE, TITLE_SIZE, VALUE_SIZE, LEGEND_SIZE = 9.0, 9.0, 10.0, 7.0, 8.0
SPINE = 0.8
GAP_TEXT = "#505050"
SIN45 = math.sqrt(0.5)


def _title(svg: _Svg, title: str) -> float:
    """Left-aligned over the whole figure (not the axes, which long labels push right);
    the height it takes from the top."""
    lines = _wrap(title, 78, svg.width - 2 * PAD - 2, TITLE_SIZE, "bold")
    y = PAD + ASCENT * TITLE_SIZE + 1
    for line in lines:
        svg.text(0.01 * svg.width, y, line, TITLE_SIZE, face="bold")
        y += LINE_EM * TITLE_SIZE
    return PAD + 1 + len(lines) * LINE_EM * TITLE_SIZE


def _side_title(lines: list[str], size: float = LABEL_SIZE) -> float:
    """The width a title turned on its side takes, `lines` of it."""
    return (len(lines) - 1) * LINE_EM * size + (ASCENT + DESCENT) * size


def _draw_side_title(svg: _Svg, lines: list[str], left: float, middle: float,
                     size: float = LABEL_SIZE) -> None:
    """Lines read from bottom to top, the first on the left, centred on `middle`."""
    for i, line in enumerate(lines):
        x = left + ASCENT * size + i * LINE_EM * size
        svg.text(x, middle, line, size, anchor="middle", rotate=-90)


def _legend_layout(entries: list[float], ncols: int, max_width: float
                   ) -> tuple[int, list[float], float]:
    """Columns, each column's width and the whole width, for legend entries of the given
    widths set row by row in at most `ncols` columns that fit `max_width`."""
    gap = 2 * LEGEND_SIZE
    while True:
        widths = [max(entries[i] for i in range(c, len(entries), ncols))
                  for c in range(ncols)]
        total = sum(widths) + gap * (ncols - 1)
        if total <= max_width or ncols == 1:
            return ncols, widths, total
        ncols -= 1


LEGEND_ROW = 1.6 * LEGEND_SIZE
HANDLE_W, HANDLE_H, HANDLE_PAD = 2 * LEGEND_SIZE, 0.7 * LEGEND_SIZE, 0.8 * LEGEND_SIZE


def _legend_height(names: list[str], ncols: int, width: float) -> float:
    entries = [HANDLE_W + HANDLE_PAD + text_width(n, LEGEND_SIZE) for n in names]
    ncols, _, _ = _legend_layout(entries, ncols, width - 2 * PAD)
    return math.ceil(len(names) / ncols) * LEGEND_ROW + 2


def _legend(svg: _Svg, names: list[str], ncols: int, top: float, handle) -> None:
    """Below the axes, centred on the figure: `handle(x, y_middle, j)` draws entry j's key."""
    entries = [HANDLE_W + HANDLE_PAD + text_width(n, LEGEND_SIZE) for n in names]
    ncols, widths, total = _legend_layout(entries, ncols, svg.width - 2 * PAD)
    svg.open(svg.id("legend"))
    left = (svg.width - total) / 2
    for j, name in enumerate(names):
        row, col = divmod(j, ncols)
        x = left + sum(widths[:col]) + 2 * LEGEND_SIZE * col
        middle = top + 2 + row * LEGEND_ROW + LEGEND_ROW / 2
        handle(x, middle, j)
        svg.text(x + HANDLE_W + HANDLE_PAD, middle + 0.36 * LEGEND_SIZE, name, LEGEND_SIZE)
    svg.close()


def _colour(spec: BarChart | LineChart, j: int) -> str:
    return DARK_BLUE if len(spec.series) == 1 else PALETTE[j % len(PALETTE)]


def _value_text(v: float, decimals: int) -> str:
    return f"{v:,.{decimals}f}" if decimals else count_text(v)


def _gap_mark(value: Value) -> str:
    return "[c]" if is_suppressed(value) else "[x]"


def _gap_label(value: Value) -> str:
    return "[c] suppressed" if is_suppressed(value) else "not available"



def _upright_axis(title: str, vmax: float, integer: bool, axes_h: float
                  ) -> tuple[list[float], int, list[str], float]:
    """An upright value axis `axes_h` tall: its ticks, their decimal places, its title's
    lines (one when it nearly fits) and where the axes then start on the left."""
    ticks, places = _ticks(vmax, integer, axes_h, 1.3 * TICK_SIZE)
    tick_w = max(text_width(_tick_text(t, places), TICK_SIZE) for t in ticks)
    lines = _fit_lines(title, axes_h, LABEL_SIZE)
    if len(lines) > 1 and text_width(title, LABEL_SIZE) <= axes_h + 20:
        lines = [title]
    return ticks, places, lines, PAD + _side_title(lines) + LABEL_PAD + tick_w + TICK + TICK_PAD



def _left_ticks(svg: _Svg, ticks: list[float], places: int, left: float, at) -> None:
    """The value ticks of an upright axis at `left`, each at height `at(value)`."""
    for t in ticks:
        y = at(t)
        svg.open(svg.id("ytick"))
        svg.line(left - TICK, y, left, y)
        svg.text(left - TICK - TICK_PAD, y + 0.36 * TICK_SIZE, _tick_text(t, places),
                 TICK_SIZE, anchor="end")
        svg.close()


def _bar(spec: BarChart) -> _Svg:
    n, k = len(spec.categories), len(spec.series)
    per = 0.32 if k == 1 else 0.22 * k + 0.1
    height = 72 * (max(2.8, 1.2 + per * n) if spec.horizontal else 3.6)
    svg = _Svg(spec.key, WIDTH, height)
    values = [[number(v) for v in s.values] for s in spec.series]
    top = max([v for vs in values for v in vs if v is not None] + [0])
    vmax = top * 1.15 if top else 1.0
    integer = spec.decimals == 0
    labels = [[None if v is None else _value_text(v, spec.decimals) for v in vs]
              for vs in values]
    head = _title(svg, spec.title) + 8
    legend_h = _legend_height([s.name for s in spec.series], min(k, 4), WIDTH) if k > 1 else 0
    if spec.horizontal:
        _bar_horizontal(svg, spec, values, labels, vmax, integer, head, legend_h)
    else:
        _bar_vertical(svg, spec, values, labels, vmax, integer, head, legend_h)
    if k > 1:
        def swatch(x: float, middle: float, j: int) -> None:
            y = middle - HANDLE_H / 2
            svg.rect(x, y, HANDLE_W, HANDLE_H, PALETTE[j % len(PALETTE)])
            svg.hatch(x, y, x + HANDLE_W, y + HANDLE_H, HATCHES[j % len(HATCHES)], "#ffffff",
                      own_grid=True)

        _legend(svg, [s.name for s in spec.series], min(k, 4), height - PAD - legend_h, swatch)
    return svg


def _bars(svg: _Svg, spec: BarChart, values, labels, slot: float, along, base: float,
          start: float, turned: bool = False) -> None:
    """Every bar (a gap for [c] and [x]), its value beside or above it. `along(v)`: the
    point on the value axis; `start`: where the category axis begins; `turned`: values
    over upright bars read upwards (when a label is wider than its bar's share)."""
    k = len(spec.series)
    width = 0.8 / k
    for j, s in enumerate(spec.series):
        colour = _colour(spec, j)
        pattern = HATCHES[j % len(HATCHES)]
        edge = "#ffffff" if k > 1 else colour
        for i, value in enumerate(s.values):
            centre = start + (i - 0.4 + width * (j + 0.5) + 0.5) * slot
            thick = width * 0.9 * slot
            v = values[j][i]
            if v is None:
                # A gap: a label at the base, nothing whose size depends on the value.
                if spec.horizontal:
                    svg.text(base + 3, centre + 0.36 * VALUE_SIZE, _gap_label(value),
                             VALUE_SIZE, face="italic", fill=GAP_TEXT)
                elif turned:
                    svg.text(centre + 0.36 * VALUE_SIZE, base - 3, _gap_mark(value),
                             VALUE_SIZE, face="italic", fill=GAP_TEXT, rotate=-90)
                else:
                    svg.text(centre, base - 3, _gap_mark(value), VALUE_SIZE,
                             anchor="middle", face="italic", fill=GAP_TEXT)
                continue
            end = along(max(v, 0.0))
            gid = f"{spec.key}-bar-{j}-{i}"
            if spec.horizontal:
                x0, x1, y0, y1 = base, end, centre - thick / 2, centre + thick / 2
                svg.text(end + 3, centre + 0.36 * VALUE_SIZE, labels[j][i], VALUE_SIZE)
            else:
                x0, x1, y0, y1 = centre - thick / 2, centre + thick / 2, end, base
                if turned:
                    svg.text(centre + 0.36 * VALUE_SIZE, end - 3, labels[j][i], VALUE_SIZE,
                             rotate=-90)
                else:
                    svg.text(centre, end - 3, labels[j][i], VALUE_SIZE, anchor="middle")
            svg.rect(x0, y0, x1 - x0, y1 - y0, colour, gid=gid, stroke=edge,
                     stroke_width="0.5")
            svg.hatch(x0, y0, x1, y1, pattern, "#ffffff")


def _bar_horizontal(svg: _Svg, spec: BarChart, values, labels, vmax: float, integer: bool,
                    head: float, legend_h: float) -> None:
    n = len(spec.categories)
    # category labels: one line each, unless so long the bars would have no room
    most = 0.5 * svg.width
    cat_lines = [_fit_lines(c, most, TICK_SIZE) if text_width(c, TICK_SIZE) > most else [c]
                 for c in spec.categories]
    cat_w = max((text_width(line, TICK_SIZE) for ls in cat_lines for line in ls), default=0)
    title_lines = textwrap.wrap(spec.category_axis, 22) or [""]
    left = PAD + _side_title(title_lines) + LABEL_PAD + cat_w + TICK + TICK_PAD
    bottom = (svg.height - PAD - legend_h - (ASCENT + DESCENT) * LABEL_SIZE - LABEL_PAD
              - (ASCENT + DESCENT) * TICK_SIZE - TICK - TICK_PAD)
    axes_h = bottom - head
    slot = axes_h / max(n, 1)

    def label_w(ticks: list[float], places: int) -> float:
        return max(text_width(_tick_text(t, places), TICK_SIZE) for t in ticks)

    right = svg.width - PAD - 0.5 * text_width(_tick_text(vmax, 0 if integer else 2), TICK_SIZE)
    ticks, places = _ticks(vmax, integer, right - left, 20, label_w)
    last = text_width(_tick_text(ticks[-1], places), TICK_SIZE)
    right = svg.width - PAD - max(2.0, last / 2 - (right - left) * (1 - ticks[-1] / vmax))
    # value labels beyond the longest bar stay inside the figure
    for vs, ls in zip(values, labels, strict=True):
        for v, text in zip(vs, ls, strict=True):
            if v is not None and v > 0:
                room = svg.width - PAD - left - 3 - text_width(text, VALUE_SIZE)
                right = min(right, left + room * vmax / v)
    axes_w = right - left

    def along(v: float) -> float:
        return left + axes_w * v / vmax

    svg.open(svg.id("axes"))
    _bars(svg, spec, values, labels, slot, along, left, head)
    for t in ticks:  # value ticks, below
        x = along(t)
        svg.open(svg.id("xtick"))
        svg.line(x, bottom, x, bottom + TICK)
        svg.text(x, bottom + TICK + TICK_PAD + ASCENT * TICK_SIZE, _tick_text(t, places),
                 TICK_SIZE, anchor="middle")
        svg.close()
    for i, lines in enumerate(cat_lines):  # categories, the first at the top
        y = head + (i + 0.5) * slot
        svg.open(svg.id("ytick"))
        svg.line(left - TICK, y, left, y)
        first = y + 0.36 * TICK_SIZE - (len(lines) - 1) * LINE_EM * TICK_SIZE / 2
        for m, line in enumerate(lines):
            svg.text(left - TICK - TICK_PAD, first + m * LINE_EM * TICK_SIZE, line,
                     TICK_SIZE, anchor="end")
        svg.close()
    svg.line(left, head, left, bottom + SPINE / 2, width=SPINE)
    svg.line(left - SPINE / 2, bottom, right, bottom, width=SPINE)
    svg.close()
    label_y = bottom + TICK + TICK_PAD + (ASCENT + DESCENT) * TICK_SIZE + LABEL_PAD
    svg.text((left + right) / 2, label_y + ASCENT * LABEL_SIZE, spec.value_axis, LABEL_SIZE,
             anchor="middle")
    _draw_side_title(svg, title_lines, PAD, (head + bottom) / 2)


def _bar_vertical(svg: _Svg, spec: BarChart, values, labels, vmax: float, integer: bool,
                  head: float, legend_h: float) -> None:
    n = len(spec.categories)
    right = svg.width - PAD - 2
    # categories under their bars: wrapped to their slot, turned if a word will not fit
    guess_left = (PAD + _side_title([spec.value_axis]) + LABEL_PAD + TICK + TICK_PAD
                  + text_width(_tick_text(vmax, 0 if integer else 1), TICK_SIZE))
    room = (right - guess_left) / max(n, 1) - 3
    cat_lines = [[c] if text_width(c, TICK_SIZE) <= room else _fit_lines(c, room, TICK_SIZE)
                 for c in spec.categories]
    turned = any(text_width(line, TICK_SIZE) > room for ls in cat_lines for line in ls)
    if turned:
        cat_lines = [[c] for c in spec.categories]
        cat_h = max(SIN45 * (text_width(c, TICK_SIZE) + TICK_SIZE) for c in spec.categories)
    else:
        rows = max(len(ls) for ls in cat_lines)
        cat_h = (rows - 1) * LINE_EM * TICK_SIZE + (ASCENT + DESCENT) * TICK_SIZE
    bottom = (svg.height - PAD - legend_h - (ASCENT + DESCENT) * LABEL_SIZE - LABEL_PAD
              - cat_h - TICK - TICK_PAD)
    # values wider than their bar's share of the slot read upwards; the room they need
    # above the tallest bars is taken from the gap under the title
    widths = [[text_width(text, VALUE_SIZE) if text is not None
               else text_width(_gap_mark(value), VALUE_SIZE, "italic")
               for text, value in zip(ls, s.values, strict=True)]
              for ls, s in zip(labels, spec.series, strict=True)]
    widest = max((w for ws in widths for w in ws), default=0)
    upright = False
    for _ in range(3):
        axes_h = bottom - head
        ticks, places, value_lines, left = _upright_axis(spec.value_axis, vmax, integer,
                                                         axes_h)
        if turned:  # the first label hangs left of its bar
            first_w = SIN45 * (text_width(spec.categories[0], TICK_SIZE) + TICK_SIZE)
            slot = (right - left) / max(n, 1)
            left = max(left, PAD + first_w - slot / 2)
        slot = (right - left) / max(n, 1)
        upright = widest > slot * 0.8 / len(spec.series) - 1
        over = max([(w if upright else (ASCENT + DESCENT) * VALUE_SIZE) + 3
                    - axes_h * (1 - v / vmax) + 1
                    for vs, ws in zip(values, widths, strict=True)
                    for v, w in zip(vs, ws, strict=True) if v is not None] + [0])
        if over <= 0.5:
            break
        head += over

    def along(v: float) -> float:
        return bottom - axes_h * v / vmax

    svg.open(svg.id("axes"))
    _bars(svg, spec, values, labels, slot, along, bottom, left, upright)
    _left_ticks(svg, ticks, places, left, along)  # value ticks, on the left
    for i, lines in enumerate(cat_lines):
        x = left + (i + 0.5) * slot
        svg.open(svg.id("xtick"))
        svg.line(x, bottom, x, bottom + TICK)
        _x_label(svg, x, bottom + TICK + TICK_PAD, lines, turned)
        svg.close()
    svg.line(left, head, left, bottom + SPINE / 2, width=SPINE)
    svg.line(left - SPINE / 2, bottom, right, bottom, width=SPINE)
    svg.close()
    label_y = bottom + TICK + TICK_PAD + cat_h + LABEL_PAD
    svg.text((left + right) / 2, label_y + ASCENT * LABEL_SIZE, spec.category_axis,
             LABEL_SIZE, anchor="middle")
    _draw_side_title(svg, value_lines, PAD, (head + bottom) / 2)


def _x_label(svg: _Svg, x: float, top: float, lines: list[str], turned: bool) -> None:
    """A category's label under its tick: centred, or turned 45 degrees with its end at
    the tick (as matplotlib's `rotation=45, ha="right"`)."""
    if turned:
        bx, by = x - SIN45 * DESCENT * TICK_SIZE, top + SIN45 * ASCENT * TICK_SIZE
        svg.text(bx, by, lines[0], TICK_SIZE, anchor="end", rotate=-45)
        return
    for m, line in enumerate(lines):
        svg.text(x, top + ASCENT * TICK_SIZE + m * LINE_EM * TICK_SIZE, line, TICK_SIZE,
                 anchor="middle")


def _turned_height(labels) -> float:
    return max((SIN45 * (text_width(t, TICK_SIZE) + TICK_SIZE) for t in labels), default=0)


DASHES = {"-": "", "--": "5.92,2.56", "-.": "10.24,2.56,1.6,2.56", ":": "1.6,2.64"}
LINE_WIDTH, MARKER_SIZE = 1.6, 4.0


def _marker(svg: _Svg, x: float, y: float, shape: str, colour: str,
            size: float = MARKER_SIZE) -> None:
    h = size / 2
    if shape == "o":
        svg.circle(x, y, h)
    elif shape == "s":
        svg.square(x - h, y - h, size)
    else:
        d = h * math.sqrt(2)
        svg.polygon([(x, y - h), (x - h, y + h), (x + h, y + h)] if shape == "^"
                    else [(x, y - d), (x + d, y), (x, y + d), (x - d, y)])


def _polyline(svg: _Svg, points: list[tuple[float, float]], colour: str, style: str) -> None:
    svg.polyline(points, colour, LINE_WIDTH, DASHES.get(style, ""))


def _line(spec: LineChart) -> _Svg:
    svg = _Svg(spec.key, WIDTH, 3.4 * 72)
    n, k = len(spec.x_labels), len(spec.series)
    values = [[number(v) for v in s.values] for s in spec.series]
    top = max([y for ys in values for y in ys if y is not None] + [0.0])
    vmax = top * 1.15 if top else 1.0
    integer = spec.decimals == 0
    head = _title(svg, spec.title) + 8
    names = [s.name for s in spec.series]
    legend_h = _legend_height(names, min(k, 3), WIDTH) + 4 if k > 1 else 0
    step = 1 if n <= 13 else 2
    shown = list(range(0, n, step))
    cat_h = _turned_height([spec.x_labels[i] for i in shown])
    bottom = (svg.height - PAD - legend_h - (ASCENT + DESCENT) * LABEL_SIZE - LABEL_PAD
              - cat_h - TICK - TICK_PAD)
    axes_h = bottom - head
    ticks, places, y_lines, left = _upright_axis(spec.y_axis, vmax, integer, axes_h)
    right = svg.width - PAD - 2
    lo, hi = (-0.05 * (n - 1), (n - 1) * 1.05) if n > 1 else (-0.5, 0.5)
    if shown:  # the first month's label hangs left of its tick
        first_w = SIN45 * (text_width(spec.x_labels[0], TICK_SIZE) + TICK_SIZE)
        inset = (0 - lo) / (hi - lo)
        # left + (right - left) * inset - first_w >= PAD
        need = (PAD + first_w - right * inset) / (1 - inset)
        left = max(left, need)

    def at_x(i: float) -> float:
        return left + (right - left) * (i - lo) / (hi - lo)

    def at_y(v: float) -> float:
        return bottom - axes_h * v / vmax

    svg.open(svg.id("axes"))
    for t in ticks:  # grid, behind the lines
        if t > 0:
            svg.line(left, at_y(t), right, at_y(t), "#E0E0E0", 0.6)
    for j, s in enumerate(spec.series):
        colour = _colour(spec, j)
        shape = MARKERS[j % len(MARKERS)]
        svg.open(f"{spec.key}-line-{j}")
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(values[j]):
            if v is None:
                if runs[-1]:
                    runs.append([])
            else:
                runs[-1].append((at_x(i), at_y(v)))
        for run in runs:
            if len(run) > 1:
                _polyline(svg, run, colour, LINE_STYLES[j % len(LINE_STYLES)])
        svg.open(fill=colour, stroke=colour, stroke_width="1")
        for run in runs:
            for x, y in run:
                _marker(svg, x, y, shape, colour)
        svg.close()
        svg.close()
        for i, value in enumerate(s.values):
            if values[j][i] is None:  # marked at the foot, never at a height
                y = bottom - (0.02 + 0.06 * j) * axes_h - DESCENT * VALUE_SIZE
                svg.text(at_x(i), y, _gap_mark(value), VALUE_SIZE, anchor="middle",
                         face="italic", fill=colour)
    _left_ticks(svg, ticks, places, left, at_y)
    for i in shown:
        x = at_x(i)
        svg.open(svg.id("xtick"))
        svg.line(x, bottom, x, bottom + TICK)
        _x_label(svg, x, bottom + TICK + TICK_PAD, [spec.x_labels[i]], True)
        svg.close()
    svg.line(left, head, left, bottom + SPINE / 2, width=SPINE)
    svg.line(left - SPINE / 2, bottom, right, bottom, width=SPINE)
    svg.close()
    label_y = bottom + TICK + TICK_PAD + cat_h + LABEL_PAD
    svg.text((left + right) / 2, label_y + ASCENT * LABEL_SIZE, spec.x_axis, LABEL_SIZE,
             anchor="middle")
    _draw_side_title(svg, y_lines, PAD, (head + bottom) / 2)
    if k > 1:
        def sample(x: float, middle: float, j: int) -> None:
            colour = PALETTE[j % len(PALETTE)]
            _polyline(svg, [(x, middle), (x + HANDLE_W, middle)], colour,
                      LINE_STYLES[j % len(LINE_STYLES)])
            svg.open(fill=colour, stroke=colour, stroke_width="1")
            _marker(svg, x + HANDLE_W / 2, middle, MARKERS[j % len(MARKERS)], colour)
            svg.close()

        _legend(svg, names, min(k, 3), svg.height - PAD - legend_h + 4, sample)
    return svg


def _cividis() -> list[tuple[str, bool]]:
    """The colour map's 256 colours, each with whether black text reads on it (relative
    luminance over a half) or white."""
    from matplotlib import colormaps

    cmap = colormaps["cividis"]
    out = []
    for i in range(cmap.N):
        red, green, blue, _ = cmap(i)
        hexa = "#" + "".join(f"{round(c * 255):02x}" for c in (red, green, blue))
        out.append((hexa, 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5))
    return out


_CIVIDIS: list[tuple[str, bool]] = []
COLOUR_STEPS = 128  # of the colour bar


def _cmap(x: float) -> tuple[str, bool]:
    if not _CIVIDIS:
        _CIVIDIS.extend(_cividis())
    n = len(_CIVIDIS)
    return _CIVIDIS[min(max(int(x * n), 0), n - 1)]


def _heat(spec: HeatMap) -> _Svg:
    rows, cols = len(spec.rows), len(spec.columns)
    svg = _Svg(spec.key, WIDTH, 72 * (1.4 + 0.34 * rows))
    grid = [[number(v) for v in vs] for vs in spec.values]
    shown = [v for vs in grid for v in vs if v is not None]
    vmax = max(shown) if shown and max(shown) > 0 else 1.0
    head = _title(svg, spec.title) + 8
    turned = cols > 8
    cat_h = _turned_height(spec.columns) if turned else (ASCENT + DESCENT) * TICK_SIZE
    bottom = (svg.height - PAD - (ASCENT + DESCENT) * LABEL_SIZE - LABEL_PAD - cat_h
              - TICK_PAD)
    axes_h = bottom - head
    # the colour bar, on the right: 90% of the axes' height, a twentieth of that wide
    bar_h = 0.9 * axes_h
    bar_w = bar_h / 20
    ticks, places = _ticks(vmax, True, bar_h, 1.3 * TICK_SIZE)
    tick_w = max(text_width(_tick_text(t, places), TICK_SIZE) for t in ticks)
    unit = spec.unit.capitalize()
    bar_x = (svg.width - PAD - (ASCENT + DESCENT) * LABEL_SIZE - LABEL_PAD - tick_w
             - TICK_PAD - TICK - bar_w)
    right = bar_x - 8
    row_lines = _fit_lines(spec.row_axis, axes_h, LABEL_SIZE)
    if len(row_lines) > 1 and text_width(spec.row_axis, LABEL_SIZE) <= axes_h + 20:
        row_lines = [spec.row_axis]
    row_w = max((text_width(r, TICK_SIZE) for r in spec.rows), default=0)
    left = PAD + _side_title(row_lines) + LABEL_PAD + row_w + TICK_PAD
    if turned and spec.columns:
        cell = (right - left) / cols
        left = max(left, PAD + SIN45 * (text_width(spec.columns[0], TICK_SIZE) + TICK_SIZE)
                   - cell / 2)
    cw, ch = (right - left) / max(cols, 1), axes_h / max(rows, 1)

    svg.open(svg.id("axes"))
    # cells: each edged in its own colour, so no hairline shows between neighbours
    for r, vs in enumerate(grid):
        for c, v in enumerate(vs):
            if v is not None:
                colour, _ = _cmap(v / vmax)
                svg.rect(left + c * cw, head + r * ch, cw, ch, colour, stroke=colour,
                         stroke_width="0.3")
    # [c] and [x] cells: white with grey hatching, no colour of the scale, so no value
    # (all of them as one white path and one path of lines: fewer shapes for the PDF)
    gaps = [(left + c * cw, head + r * ch) for r, vs in enumerate(grid)
            for c, v in enumerate(vs) if v is None]
    if gaps:
        svg.boxes(gaps, cw, ch, "#ffffff")
        svg.lines_path([s for x, y in gaps for s in svg.hatch_lines(x, y, x + cw, y + ch, "/")],
                       GAP_GREY)
    for r, vs in enumerate(grid):
        for c, v in enumerate(vs):
            x, y = left + c * cw, head + r * ch
            if v is None:
                svg.text(x + cw / 2, y + ch / 2 + 0.36 * VALUE_SIZE,
                         _gap_mark(spec.values[r][c]), VALUE_SIZE, anchor="middle",
                         face="italic")
            else:
                light = _cmap(v / vmax)[1]
                svg.text(x + cw / 2, y + ch / 2 + 0.36 * VALUE_SIZE, count_text(v),
                         VALUE_SIZE, anchor="middle", fill="" if light else "#ffffff")
    for c, column in enumerate(spec.columns):
        svg.open(svg.id("xtick"))
        _x_label(svg, left + (c + 0.5) * cw, bottom + TICK_PAD, [column], turned)
        svg.close()
    for r, row in enumerate(spec.rows):  # the first row at the top
        svg.open(svg.id("ytick"))
        svg.text(left - TICK_PAD, head + (r + 0.5) * ch + 0.36 * TICK_SIZE, row, TICK_SIZE,
                 anchor="end")
        svg.close()
    svg.close()
    label_y = bottom + TICK_PAD + cat_h + LABEL_PAD
    svg.text((left + right) / 2, label_y + ASCENT * LABEL_SIZE, spec.column_axis,
             LABEL_SIZE, anchor="middle")
    _draw_side_title(svg, row_lines, PAD, (head + bottom) / 2)

    # the colour bar: vector steps, each reaching into the next so no hairline shows
    bar_top = head + (axes_h - bar_h) / 2
    bar_bottom = bar_top + bar_h
    svg.open(svg.id("axes"))
    step_h = bar_h / COLOUR_STEPS
    for s in range(COLOUR_STEPS):
        colour, _ = _cmap((s + 0.5) / COLOUR_STEPS)
        y = bar_bottom - (s + 1) * step_h
        svg.rect(bar_x, y, bar_w, step_h + (0.4 if s < COLOUR_STEPS - 1 else 0), colour)
    svg.outline(bar_x, bar_top, bar_w, bar_h, "#000000", SPINE)
    for t in ticks:
        y = bar_bottom - bar_h * t / vmax
        svg.open(svg.id("ytick"))
        svg.line(bar_x + bar_w, y, bar_x + bar_w + TICK, y)
        svg.text(bar_x + bar_w + TICK + TICK_PAD, y + 0.36 * TICK_SIZE, _tick_text(t, places),
                 TICK_SIZE)
        svg.close()
    svg.close()
    unit_x = bar_x + bar_w + TICK + TICK_PAD + tick_w + LABEL_PAD
    _draw_side_title(svg, [unit], unit_x, (bar_top + bar_bottom) / 2)
    return svg


def _draw(spec: ChartSpec) -> _Svg:
    if isinstance(spec, BarChart):
        return _bar(spec)
    if isinstance(spec, LineChart):
        return _line(spec)
    return _heat(spec)


# ------------------------------------------------------------------------------ output


@lru_cache(maxsize=64)
def _drawn(spec: ChartSpec) -> _Svg:
    """A chart drawn once for the HTML and the PDF alike (read only)."""
    return _draw(spec)


def svg_text(spec: ChartSpec) -> str:
    """The chart as a standalone SVG document (byte-stable; ids derived from the chart's
    key)."""
    return _drawn(spec).document()


def chart_marks(spec: ChartSpec) -> tuple[float, float, tuple[Mark, ...]]:
    """The chart's width and height in points and its marks: what its SVG draws, in
    drawing order, for the PDF (exports.profiles.pdf_charts)."""
    drawn = _drawn(spec)
    return drawn.width, drawn.height, tuple(drawn.marks)


def svg_size_pt(svg: str) -> tuple[float, float]:
    """The width and height a chart's SVG declares, in points."""
    opening = svg[svg.index("<svg"):]
    opening = opening[:opening.index(">")]
    width = re.search(r'\swidth="([\d.]+)pt"', opening)
    height = re.search(r'\sheight="([\d.]+)pt"', opening)
    if not (width and height):
        raise ValueError("a chart's SVG does not state its size in points")
    return float(width.group(1)), float(height.group(1))


_SIZE = re.compile(r'\s(width|height)="[^"]*"')
_XMLNS = re.compile(r'\sxmlns(:\w+)?="[^"]*"')


def inline_svg(spec: ChartSpec) -> str:
    """The chart's SVG for an HTML page: no prologue or namespaces (nothing that even
    looks like a network address), scaled to its container, announced as one image
    whose accessible name and description are its title and text alternative."""
    text = svg_text(spec)
    width, _ = svg_size_pt(text)
    text = text[text.index("<svg"):]
    opening_end = text.index(">")
    opening = _XMLNS.sub("", _SIZE.sub("", text[:opening_end]))
    style = f' style="width:100%;max-width:{_n(width)}pt;height:auto"'
    key = escape(spec.key)  # every id in the chart already starts with it (`_Svg.id`)
    opening += (f'{style} role="img" aria-labelledby="{key}-title {key}-desc">'
                f'<title id="{key}-title">{escape(spec.title)}</title>'
                f'<desc id="{key}-desc">{escape(text_alternative(spec))}</desc>')
    return opening + text[opening_end + 1:]

