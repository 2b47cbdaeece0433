"""Profile charts with matplotlib (no pyplot state): bar, horizontal bar, line and heat
map, each drawn once as SVG: inline in `profile.html`, and drawn as vector paths and text
into `profile.pdf` by fpdf2 (no second, raster rendering).

Only what fpdf2's SVG reader draws is used: paths, text and clip paths; no SVG patterns
(a hatch is drawn as lines, clipped by hand to its bar) and no embedded images (a heat map
is a mesh of cells, its colour bar drawn as vector steps).

Rules every chart keeps:
- a suppressed cell (`[c]`) is never drawn with a length, height, position or colour that
  depends on its value: a bar chart leaves a gap labelled `[c]`, a line chart breaks the
  line and marks the month `[c]` at the foot of the axes, a heat map hatches the cell
  in a fixed grey; `[x]` is labelled "not available" the same way;
- colours read in greyscale and with colour-blindness: one dark blue for a single series;
  several series are told apart by marker, line style or hatch as well as colour (the
  Government Analysis Function's categorical palette); heat maps use cividis;
- byte-stable output: a fixed SVG hash salt per chart, no dates in the metadata, the
  DejaVu Sans shipped with matplotlib.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from itertools import pairwise

import matplotlib

matplotlib.use("Agg")  # no display: profiles are rendered in batch

from matplotlib import colormaps, rc_context
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerBase
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import IdentityTransform, blended_transform_factory

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

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",  # text stays text: searchable and read by screen readers
    "path.simplify": False,
}


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


class _Hatch(LineCollection):
    """A hatch over a rectangle, as plain lines worked out when the figure is drawn (the
    rectangle's place on the page is known only then)."""

    def __init__(self, box: Rectangle, pattern: str, colour: str) -> None:
        super().__init__([], colors=colour, linewidths=HATCH_WIDTH_PT,
                         transform=IdentityTransform(), zorder=box.get_zorder() + 0.1)
        self._box, self._pattern = box, pattern

    def draw(self, renderer) -> None:
        extent = self._box.get_window_extent(renderer)
        x0, x1 = sorted((extent.x0, extent.x1))
        y0, y1 = sorted((extent.y0, extent.y1))
        self.set_segments(hatch_segments(x0, y0, x1, y1, self._pattern,
                                         renderer.points_to_pixels(HATCH_STEP_PT)))
        super().draw(renderer)


def _hatched(ax, box: Rectangle, pattern: str, colour: str) -> None:
    if pattern:
        ax.add_collection(_Hatch(box, pattern, colour), autolim=False)


class _Swatch(Patch):
    """A legend entry: the series' colour and hatch."""

    def __init__(self, colour: str, pattern: str, label: str) -> None:
        super().__init__(facecolor=colour, label=label)
        self.pattern = pattern


class _SwatchHandler(HandlerBase):
    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height,
                       fontsize, trans):
        box = Rectangle((-xdescent, -ydescent), width, height, transform=trans,
                        facecolor=orig_handle.get_facecolor(), edgecolor="none")
        artists = [box]
        if orig_handle.pattern:
            artists.append(_Hatch(box, orig_handle.pattern, "white"))
        return artists


def _figure(height_in: float) -> Figure:
    return Figure(figsize=(WIDTH_IN, height_in), layout="constrained")


def _title(fig: Figure, title: str) -> None:
    """Left-aligned over the whole figure (not the axes, which long labels push right)."""
    fig.suptitle(textwrap.fill(title, 78), x=0.01, ha="left", fontweight="bold",
                 fontsize=10)


def _value_axis(axis, decimals: int) -> None:
    """Counts on whole-number ticks (never 0.5 offences, nor `0, 0, 1, 1` from rounding);
    other figures with the decimals their tick step needs, so no two labels repeat."""
    if decimals == 0:
        axis.set_major_locator(MaxNLocator(integer=True))
        axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        return

    def label(x: float, _: object) -> str:
        ticks = sorted(axis.get_majorticklocs())
        step = min((b - a for a, b in pairwise(ticks) if b > a),
                   default=1.0)
        places = next((d for d in range(7) if abs(round(step, d) - step) < 1e-9 * max(
            1.0, abs(step))), 6)
        return f"{x:,.{places}f}"

    axis.set_major_formatter(FuncFormatter(label))


def _gap_label(value: Value) -> str:
    return "[c] suppressed" if is_suppressed(value) else "not available"


def _bar(spec: BarChart) -> Figure:
    n, k = len(spec.categories), len(spec.series)
    per = 0.32 if k == 1 else 0.22 * k + 0.1
    fig = _figure(max(2.8, 1.2 + per * n) if spec.horizontal else 3.6)
    ax = fig.add_subplot()
    width = 0.8 / k
    top = max([number(v) or 0 for s in spec.series for v in s.values] + [0])
    label_pad = top * 0.01 if top else 0.01
    for j, s in enumerate(spec.series):
        colour = DARK_BLUE if k == 1 else PALETTE[j % len(PALETTE)]
        for i, value in enumerate(s.values):
            pos = i - 0.4 + width * (j + 0.5)
            v = number(value)
            if v is None:
                # A gap: a label at the base, nothing whose size depends on the value.
                kw = dict(fontsize=7, color="#505050", style="italic")
                if spec.horizontal:
                    ax.text(label_pad, pos, _gap_label(value), va="center", ha="left", **kw)
                else:
                    ax.text(pos, label_pad, "[c]" if is_suppressed(value) else "[x]",
                            ha="center", va="bottom", **kw)
                continue
            draw = ax.barh if spec.horizontal else ax.bar
            bars = draw(pos, v, width * 0.9, color=colour,
                        edgecolor="white" if k > 1 else colour, linewidth=0.5)
            bars.patches[0].set_gid(f"{spec.key}-bar-{j}-{i}")
            _hatched(ax, bars.patches[0], HATCHES[j % len(HATCHES)], "white")
            text = f"{v:,.{spec.decimals}f}" if spec.decimals else count_text(v)
            if spec.horizontal:
                ax.text(v + label_pad, pos, text, va="center", ha="left", fontsize=7)
            else:
                ax.text(pos, v + label_pad, text, ha="center", va="bottom", fontsize=7)
    ticks = list(range(n))
    if spec.horizontal:
        ax.set_yticks(ticks, spec.categories)
        # every category gets its full slot, a gap included (first at the top)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlabel(spec.value_axis)
        ax.set_ylabel(textwrap.fill(spec.category_axis, 22))
        ax.set_xlim(0, top * 1.15 if top else 1)
        _value_axis(ax.xaxis, spec.decimals)
    else:
        ax.set_xticks(ticks, spec.categories)
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylabel(spec.value_axis)
        ax.set_xlabel(spec.category_axis)
        ax.set_ylim(0, top * 1.15 if top else 1)
        _value_axis(ax.yaxis, spec.decimals)
    _title(fig, spec.title)
    if k > 1:
        swatches = [_Swatch(PALETTE[j % len(PALETTE)], HATCHES[j % len(HATCHES)], s.name)
                    for j, s in enumerate(spec.series)]
        fig.legend(handles=swatches, handler_map={_Swatch: _SwatchHandler()},
                   frameon=False, fontsize=8, loc="outside lower center", ncols=min(k, 4))
    return fig


def _line(spec: LineChart) -> Figure:
    fig = _figure(3.4)
    ax = fig.add_subplot()
    n = len(spec.x_labels)
    xs = list(range(n))
    foot = blended_transform_factory(ax.transData, ax.transAxes)
    top = 0.0
    for j, s in enumerate(spec.series):
        ys = [number(v) for v in s.values]
        top = max([top] + [y for y in ys if y is not None])
        colour = DARK_BLUE if len(spec.series) == 1 else PALETTE[j % len(PALETTE)]
        ax.plot(xs, [float("nan") if y is None else y for y in ys], color=colour,
                linestyle=LINE_STYLES[j % len(LINE_STYLES)], marker=MARKERS[j % len(MARKERS)],
                markersize=4, linewidth=1.6, label=s.name, gid=f"{spec.key}-line-{j}")
        for i, value in enumerate(s.values):
            if number(value) is None:  # marked at the foot, never at a height
                ax.text(i, 0.02 + 0.06 * j, "[c]" if is_suppressed(value) else "[x]",
                        transform=foot, ha="center", va="bottom", fontsize=7,
                        color=colour, style="italic")
    step = 1 if n <= 13 else 2
    ax.set_xticks(xs[::step], spec.x_labels[::step], rotation=45, ha="right")
    ax.set_ylim(0, top * 1.15 if top else 1)
    _value_axis(ax.yaxis, spec.decimals)
    ax.set_ylabel(spec.y_axis)
    ax.set_xlabel(spec.x_axis)
    ax.grid(axis="y", color="#E0E0E0", linewidth=0.6)
    ax.set_axisbelow(True)
    _title(fig, spec.title)
    if len(spec.series) > 1:
        fig.legend(frameon=False, fontsize=8, ncols=min(len(spec.series), 3),
                   loc="outside lower center")
    return fig


def _heat(spec: HeatMap) -> Figure:
    import numpy as np

    rows, cols = len(spec.rows), len(spec.columns)
    fig = _figure(1.4 + 0.34 * rows)
    ax = fig.add_subplot()
    grid = np.full((rows, cols), np.nan)
    for r, values in enumerate(spec.values):
        for c, value in enumerate(values):
            v = number(value)
            if v is not None:
                grid[r, c] = v
    shown = grid[~np.isnan(grid)]
    vmax = float(shown.max()) if shown.size and shown.max() > 0 else 1.0
    cmap = colormaps["cividis"]
    # Cells as a mesh of paths (an image would not reach the PDF); each cell's edge in
    # its own colour, so no hairline shows between neighbours.
    mesh = ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5,
                         np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=vmax,
                         edgecolors="face", linewidth=0.3)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)  # first row at the top
    for r, values in enumerate(spec.values):
        for c, value in enumerate(values):
            v = number(value)
            if v is None:
                # white with grey hatching: no colour of the scale, so no value
                cell = Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor="white",
                                 edgecolor="none", linewidth=0.0)
                ax.add_patch(cell)
                _hatched(ax, cell, "/", GAP_GREY)
                ax.text(c, r, "[c]" if is_suppressed(value) else "[x]", ha="center",
                        va="center", fontsize=7, color="black", style="italic")
                continue
            red, green, blue = to_rgb(cmap(v / vmax))
            light = 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5
            ax.text(c, r, count_text(v), ha="center", va="center", fontsize=7,
                    color="black" if light else "white")
    ax.set_xticks(range(cols), spec.columns, rotation=45 if cols > 8 else 0,
                  ha="right" if cols > 8 else "center")
    ax.set_yticks(range(rows), spec.rows)
    ax.set_xlabel(spec.column_axis)
    ax.set_ylabel(spec.row_axis)
    ax.spines[:].set_visible(False)
    ax.tick_params(length=0)
    bar = fig.colorbar(mesh, ax=ax, shrink=0.9, pad=0.01)
    bar.solids.set_rasterized(False)  # vector steps, as the cells (see the module's note)
    bar.solids.set_edgecolor("face")  # and no hairline between the steps
    bar.solids.set_linewidth(0.3)
    bar.set_label(spec.unit.capitalize())
    _value_axis(bar.ax.yaxis, 0)
    _title(fig, spec.title)
    return fig


def _draw(spec: ChartSpec) -> Figure:
    if isinstance(spec, BarChart):
        return _bar(spec)
    if isinstance(spec, LineChart):
        return _line(spec)
    return _heat(spec)


# ------------------------------------------------------------------------------ output


@lru_cache(maxsize=64)
def svg_text(spec: ChartSpec) -> str:
    """The chart as a standalone SVG document (byte-stable; ids salted per chart), drawn
    once for the HTML and the PDF alike."""
    rc = {**RC, "svg.hashsalt": f"vrn-profile-{spec.key}"}  # ids unique per chart
    with rc_context(rc):
        fig = _draw(spec)
        svg = io.StringIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return svg.getvalue()


def svg_size_pt(svg: str) -> tuple[float, float]:
    """The width and height a chart's SVG declares, in points."""
    opening = svg[svg.index("<svg"):]
    opening = opening[:opening.index(">")]
    width = re.search(r'\swidth="([\d.]+)pt"', opening)
    height = re.search(r'\sheight="([\d.]+)pt"', opening)
    if not (width and height):
        raise ValueError("a chart's SVG does not state its size in points")
    return float(width.group(1)), float(height.group(1))


_FONT_PX = re.compile(r"(font-size: ?[\d.]+)px")


def pdf_svg(spec: ChartSpec) -> bytes:
    """The chart's SVG for the PDF: without the metadata block, which fpdf2 does not read,
    and with font sizes in points. Matplotlib writes them as `px` in a document whose user
    unit is the point (browsers agree); fpdf2 reads a px as 0.75 pt, which would shrink
    every label by a quarter."""
    text = _FONT_PX.sub(r"\1pt", _METADATA.sub("", svg_text(spec)))
    return text.encode("utf-8")


_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_SIZE = re.compile(r'\s(width|height)="[^"]*"')
_XMLNS = re.compile(r'\sxmlns(:\w+)?="[^"]*"')


def inline_svg(spec: ChartSpec) -> str:
    """The chart's SVG for an HTML page: no prologue, namespaces or metadata (nothing
    that even looks like a network address), scaled to its container, announced as one
    image whose accessible name and description are its title and text alternative."""
    text = svg_text(spec)
    text = text[text.index("<svg"):]
    text = _METADATA.sub("", text)
    text = text.replace("xlink:href=", "href=")
    opening_end = text.index(">")
    opening = text[:opening_end]
    width = re.search(r'width="([\d.]+)pt"', opening)
    opening = _XMLNS.sub("", _SIZE.sub("", opening))
    style = f' style="width:100%;max-width:{width.group(1)}pt;height:auto"' if width else ""
    key = escape(spec.key)
    text = _scoped_ids(text, key)
    opening += (f'{style} role="img" aria-labelledby="{key}-title {key}-desc">'
                f'<title id="{key}-title">{escape(spec.title)}</title>'
                f'<desc id="{key}-desc">{escape(text_alternative(spec))}</desc>')
    return opening + text[opening_end + 1:]


def _scoped_ids(text: str, key: str) -> str:
    """Matplotlib names its groups `figure_1`, `axes_1`, ... in every chart: prefix each
    id (and every reference to it) with the chart's key so ids stay unique on the page."""
    def rename(name: str) -> str:
        return name if name.startswith(f"{key}-") else f"{key}-{name}"

    text = re.sub(r'(\sid=")([^"]+)(")', lambda m: m[1] + rename(m[2]) + m[3], text)
    text = re.sub(r"(url\(#)([^)]+)(\))", lambda m: m[1] + rename(m[2]) + m[3], text)
    return re.sub(r'(href="#)([^"]+)(")', lambda m: m[1] + rename(m[2]) + m[3], text)
