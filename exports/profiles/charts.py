"""Profile charts with matplotlib (Agg, no pyplot state): bar, horizontal bar, line and
heat map, each as inline SVG text (for `profile.html`) and PNG bytes (for `profile.pdf`).

Rules every chart keeps:
- a suppressed cell (`[c]`) is never drawn with a length, height, position or colour that
  depends on its value: a bar chart leaves a gap labelled `[c]`, a line chart breaks the
  line and marks the month `[c]` at the foot of the axes, a heat map hatches the cell
  in a fixed grey; `[x]` is labelled "not available" the same way;
- colours read in greyscale and with colour-blindness: one dark blue for a single series;
  several series are told apart by marker, line style or hatch as well as colour (the
  Government Analysis Function's categorical palette); heat maps use cividis;
- byte-stable output: a fixed SVG hash salt per chart, no dates in the metadata, the
  DejaVu Sans shipped with matplotlib, a fixed PNG resolution.
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from itertools import pairwise

import matplotlib

matplotlib.use("Agg")  # no display: profiles are rendered in batch

from matplotlib import rc_context
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

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
HATCHES = ("", "///", "...", "xxx")
GAP_GREY = "#BFBFBF"
PNG_DPI = 150
WIDTH_IN = 7.5

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",  # text stays text: searchable and read by screen readers
    "hatch.linewidth": 0.8,
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
            bars = draw(pos, v, width * 0.9, color=colour, hatch=HATCHES[j % len(HATCHES)],
                        edgecolor="white" if k > 1 else colour, linewidth=0.5,
                        label=s.name if i == next(
                            (t for t, x in enumerate(s.values) if number(x) is not None), -1)
                        else None)
            bars.patches[0].set_gid(f"{spec.key}-bar-{j}-{i}")
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
        fig.legend(frameon=False, fontsize=8, loc="outside lower center", ncols=min(k, 4))
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
    image = ax.imshow(np.ma.masked_invalid(grid), cmap="cividis", vmin=0, vmax=vmax,
                      aspect="auto")
    cmap = image.get_cmap()
    for r, values in enumerate(spec.values):
        for c, value in enumerate(values):
            v = number(value)
            if v is None:
                # white with grey hatching: no colour of the scale, so no value
                ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor="white",
                                       hatch="////", edgecolor=GAP_GREY, linewidth=0.0))
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
    bar = fig.colorbar(image, ax=ax, shrink=0.9, pad=0.01)
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
def _rendered(spec: ChartSpec, dpi: int) -> tuple[str, bytes]:
    """The chart drawn once and saved twice: SVG (byte-stable; ids salted per chart) and
    PNG. Constrained layout runs at the first save; the second reuses its positions."""
    rc = {**RC, "svg.hashsalt": f"vrn-profile-{spec.key}"}  # ids unique per chart
    with rc_context(rc):
        fig = _draw(spec)
        svg = io.StringIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        fig.set_layout_engine("none")
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=dpi, metadata={"Software": None},
                    facecolor="white")
    return svg.getvalue(), png.getvalue()


def svg_text(spec: ChartSpec) -> str:
    """The chart as a standalone SVG document (byte-stable)."""
    return _rendered(spec, PNG_DPI)[0]


def png_bytes(spec: ChartSpec, dpi: int = PNG_DPI) -> bytes:
    return _rendered(spec, dpi)[1]


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
