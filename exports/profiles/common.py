"""What both profiles share: reading the published frames, the words for periods,
changes and rates, and the chart and table builders (the CSP locality profile,
`exports.profiles.csp`, and opcc's needs assessment, `exports.profiles.sna`).

Every figure comes from `Built.published`, the frames written to the CSVs: a `[c]` is
said as "suppressed", drawn as a labelled gap and never stated, summed or compared;
`[x]` is "not available". Nothing is computed here: a change is the published change
column, never one worked out from two counts, and no share is made of two counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from exports import labels
from exports.profiles.charts import BarChart, ChartSpec, HeatMap, LineChart, Series
from exports.profiles.document import Block, Chart, Paragraph, Section, Table
from exports.profiles.numbers import (
    count_text,
    is_suppressed,
    number,
    rate_text,
    share_text,
    spoken,
)
from exports.shapes import NOT_AVAILABLE

AUTHOR = "Leicester, Leicestershire and Rutland Violence Reduction Network"
SUPPRESSED_SAID = ("suppressed: fewer than 5, or withheld so that a small number "
                   "cannot be worked out")


# ------------------------------------------------------------------------ reading tables


@dataclass(frozen=True)
class Window:
    period: str
    label: str  # "12 months to September 2024"


@dataclass
class Source:
    """The published frames of one export, with the words for its periods."""

    tables: Mapping[str, pd.DataFrame]
    fy_quarter: str

    def get(self, name: str, *columns: str) -> pd.DataFrame | None:
        """A table the partner receives, if it has these columns (else None: the section
        that needs it is left out)."""
        frame = self.tables.get(name)
        if frame is None or not set(columns) <= set(frame.columns):
            return None
        return frame

    def windows(self, frame: pd.DataFrame) -> list[Window]:
        """The periods of a table in order, with their words."""
        out: dict[str, Window] = {}
        starts = ends = None
        for i, period in enumerate(frame["period"].tolist()):  # lists: a profile asks often
            if period not in out:
                if starts is None:
                    starts, ends = frame["period_start"].tolist(), frame["period_end"].tolist()
                out[period] = Window(period, labels.period_label(period, starts[i], ends[i]))
        return list(out.values())

    def rolling(self, frame: pd.DataFrame) -> Window | None:
        """The rolling 12 months ending with the export quarter (the headline window)."""
        ws = self.windows(frame)
        chosen = [w for w in ws if w.period.startswith("12m")]
        return chosen[-1] if chosen else (ws[-1] if ws else None)

    def quarters(self, frame: pd.DataFrame) -> list[Window]:
        return [w for w in self.windows(frame) if not w.period.startswith("12m")]


@dataclass(frozen=True)
class Context:
    src: Source
    place: str
    owner: str


def _texts(series: pd.Series) -> list[str]:
    """A column's cells as text, as `astype(str)` has them (a Timestamp's `str` differs)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.astype(str).tolist()
    return [str(v) for v in series.tolist()]


def only(frame: pd.DataFrame, **where: Any) -> pd.DataFrame:
    """The rows whose columns hold these values (compared as text, as `astype(str)` has
    it; a profile asks this a few hundred times of small frames, so cell by cell)."""
    keep = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        text = str(value)
        keep &= np.fromiter((t == text for t in _texts(frame[column])), bool, len(frame))
    return frame[keep]


class Cells:
    """`cell(only(frame, **where), value)` for every cell of a grid: the frame's rows are
    keyed once by the text of `columns` (the first row of each key, as `cell` takes), and
    each cell is then one look-up instead of one pass over the frame."""

    def __init__(self, frame: pd.DataFrame, *columns: str) -> None:
        self.frame, self.columns = frame, columns
        self._values: dict[str, np.ndarray | pd.Series] = {}  # `_cells_of` each column
        self._first: dict[tuple[str, ...], int] = {}
        for i, key in enumerate(zip(*(_texts(frame[c]) for c in columns), strict=True)):
            self._first.setdefault(key, i)

    def get(self, value: str, **where: Any) -> Any:
        """The cell of column `value` in the first row matching `where` (every one of
        `columns`), or `[x]` when there is no such row or column."""
        row = self._first.get(tuple(str(where[c]) for c in self.columns))
        if row is None or value not in self.frame.columns:
            return NOT_AVAILABLE
        values = self._values.get(value)
        if values is None:
            values = self._values[value] = _cells_of(self.frame[value])
        return values[row] if isinstance(values, np.ndarray) else values.iloc[row]


def _cells_of(column: pd.Series) -> np.ndarray | pd.Series:
    """A column whose cells `to_numpy()` gives as `iloc` does (numbers, booleans and
    objects held by numpy) as that array, indexed without pandas' cost per cell; any other
    (dates, pandas' own types) as it is."""
    dtype = column.dtype
    return column.to_numpy() if isinstance(dtype, np.dtype) and dtype.kind in "biufO" else column


def cell(frame: pd.DataFrame, column: str) -> Any:
    """The first row's cell, or `[x]` when there is no such row or column."""
    return frame[column].iloc[0] if len(frame) and column in frame.columns else NOT_AVAILABLE


def csp_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Tables by area hold each district and the CSP as a whole: the CSP's row."""
    if "area_level" in frame.columns:
        csp = frame[frame["area_level"] == "csp"]
        if len(csp):
            return csp
    return frame


# ------------------------------------------------------------------------ words


def quarter_words(fy_quarter: str) -> str:
    """`2024-25Q2` -> "July to September 2024"."""
    from vrn import periods

    q = periods.fy_quarter(fy_quarter)
    return labels.period_label(fy_quarter, q.start, q.end)


def year_earlier_label(label: str) -> str:
    """ "12 months to September 2024" -> "the 12 months to September 2023"."""
    words = label.split()
    if words and words[-1].isdigit():
        words[-1] = str(int(words[-1]) - 1)
    return "the " + " ".join(words)


def month_span(months: Sequence[str]) -> str:
    """ "October 2023 to September 2024"; one month is just that month."""
    if not months:
        return ""
    return months[0] if months[0] == months[-1] else f"{months[0]} to {months[-1]}"


def short_month(month: str) -> str:
    """ "October 2023" -> "Oct 2023" (chart axes)."""
    name, year = month.split()
    return f"{name[:3]} {year}"


def weekday(value: Any) -> str:
    """`1` (Monday) to `7` (Sunday), as the table holds them (text or numbers)."""
    return labels.value_label("weekday", str(value))


def hour(value: Any) -> str:
    """A clock hour `0`..`23` as `00:00`; a band (`06:00-11:59`) as it is."""
    text = str(value)
    return f"{int(text):02d}:00" if text.isdigit() else text


def rate_words(value: Any, count: Any = None) -> str:
    """A tile's rate per 1,000 residents. A rate over a count of zero is 0."""
    v = number(value)
    if v is None and number(count) == 0 and not is_suppressed(value):
        v = 0.0
    if v is None:
        return "rate suppressed" if is_suppressed(value) else "rate not available"
    return f"{rate_text(v)} per 1,000 residents"


# Two knife measures with different definitions: each named for what it counts.
KNIFE_ENABLED = labels.KNIFE_ENABLED
KNIFE_FLAGGED = labels.KNIFE_FLAGGED
KNIFE_MEASURES_SAID = (
    f"Two knife measures are shown. {KNIFE_ENABLED}: the offences on the Home Office's "
    "list of knife-enabled crime (such as assault with injury, robbery and homicide) in "
    "which a knife or sharp instrument was used or threatened. "
    f"{KNIFE_FLAGGED}: any serious violence the police flagged as involving a knife or "
    "sharp object, whatever the offence. The first is mostly a part of the second.")


def measure_name(measure: str) -> str:
    return {
        # where a profile's tile says more than the table's label
        "all_serious_violence": "Serious violence",
        "knife_or_sharp_object": KNIFE_FLAGGED,
        "knife_enabled_ho": KNIFE_ENABLED,
        "knife_enabled_sv": KNIFE_ENABLED,
        "domestic_abuse": "Domestic abuse-related serious violence",
        "victim_under_25": "Serious violence against young people (victim under 25)",
        "rasso_offences": "Rape and serious sexual offences",
    }.get(measure) or str(labels.value_label("measure", measure))


def is_knife(what: str) -> bool:
    return what in (KNIFE_ENABLED, KNIFE_FLAGGED)


def change_words(change: Any, earlier_label: str) -> str:
    """The published change on a year earlier (a fraction) in words for a tile."""
    v = number(change)
    if v is None:
        return ("change suppressed" if is_suppressed(change)
                else "change on a year earlier not available")
    if round(100 * v) == 0:
        return f"no change on {earlier_label}"
    return f"{'up' if v > 0 else 'down'} {abs(100 * v):.0f}% on {earlier_label}"


def _lower_first(what: str) -> str:
    return what if what[:2].isupper() else what[:1].lower() + what[1:]


def change_sentence(what: str, place: str, value: Any, change: Any, window: str,
                    unit: str = "offences") -> str:
    """ "Serious violence in Charnwood fell by 4% to 1,234 offences in the 12 months to
    September 2024", the change being the published one. A suppressed figure is never
    stated, nor a change that would hint at it."""
    v = number(value)
    if v is None:
        state = SUPPRESSED_SAID if is_suppressed(value) else "not available"
        return (f"The number of {_lower_first(what)} in {place} in the {window} is "
                f"{state}.")
    c = number(change)
    if c is None:
        return f"{what} in {place}: {spoken(v, unit)} in the {window}."
    pct = round(abs(100 * c))
    if pct == 0:
        return (f"{what} in {place}: {spoken(v, unit)} in the {window}, unchanged on a "
                "year earlier.")
    verb = "rose" if c > 0 else "fell"
    return f"{what} in {place} {verb} by {pct}% to {spoken(v, unit)} in the {window}."


def quarter_sentence(what: str, place: str, earlier: tuple[Any, str],
                     later: tuple[Any, str]) -> str | None:
    """The latest quarter against the one before, both published figures (no change
    worked out from them); None when either is not a shown figure."""
    a, b = number(earlier[0]), number(later[0])
    if a is None or b is None:
        return None
    lead = f"In the latest quarter ({later[1]}), {_lower_first(what)} in {place}"
    if a == b:
        return f"{lead} was {spoken(b, 'offences')}, the same as in {earlier[1]}."
    direction = "up" if b > a else "down"
    return (f"{lead} was {spoken(b, 'offences')}, {direction} from {spoken(a, '')} in "
            f"{earlier[1]}.")


def said(text: str, source: str = "") -> Paragraph:
    """A generated sentence: its numbers are figures of the CSVs (`source` when it
    names the one they come from), marked so the tests check each."""
    return Paragraph(text, figures=True, source=source)


# ------------------------------------------------------------------------ tables


def cell_text(value: Any, column: str) -> str:
    if "rate_per_1000" in column or column.endswith("_per_1000"):
        return rate_text(value)
    if column.endswith("rate") or column.startswith("share"):
        return share_text(value)
    return count_text(value)


def period_table(src: Source, frame: pd.DataFrame, category: str, value: str, caption: str,
                 category_header: str, order: Callable[[list[str]], list[str]] | None = None,
                 source: str = "") -> Table:
    """Categories down, periods across: every published cell as it is."""
    windows = src.windows(frame)
    cats = list(dict.fromkeys(frame[category].astype(str)))
    if order:
        cats = order(cats)
    grid = Cells(frame, category, "period")
    rows = []
    for c in cats:
        cells = [str(labels.value_label(category, c))]
        for w in windows:
            cells.append(cell_text(grid.get(value, **{category: c, "period": w.period}),
                                   value))
        rows.append(tuple(cells))
    return Table(caption, (category_header, *(w.label for w in windows)), tuple(rows),
                 source=source)


# ------------------------------------------------------------------------ charts


def bars(key: str, title: str, frame: pd.DataFrame, category: str, value: str,
         axis: str, category_axis: str, unit: str = "offences", sort: bool = True,
         horizontal: bool = True, decimals: int = 0,
         names: Callable[[str], str] | None = None) -> BarChart:
    """A bar per category (the `all` row left out). Sorted by size, the suppressed and
    unavailable last, whatever their true size."""
    rows = [(str(c), v) for c, v in zip(frame[category], frame[value], strict=True)
            if str(c) != "all"]
    if sort:
        rows.sort(key=lambda r: (number(r[1]) is None, -(number(r[1]) or 0)))
    name = names or (lambda c: str(labels.value_label(category, c)))
    return BarChart(key, title, tuple(name(c) for c, _ in rows),
                    (Series(labels.column_label(None, value), tuple(v for _, v in rows)),),
                    axis, category_axis, unit=unit, horizontal=horizontal, decimals=decimals)


def _values(spec: ChartSpec) -> list[Any]:
    if isinstance(spec, HeatMap):
        return [v for row in spec.values for v in row]
    return [v for s in spec.series for v in s.values]


def nothing_to_draw(spec: ChartSpec, place: str) -> str | None:
    """Why the chart would be empty or a single point (then a sentence replaces it), or
    None when it has something to draw."""
    values = _values(spec)
    shown = [number(v) for v in values if number(v) is not None]
    if isinstance(spec, LineChart) and len(spec.x_labels) < 2:
        return (f"{spec.title}: one figure only, so it is not drawn; the table gives it.")
    if any(shown):
        return None
    kinds = []
    if 0 in shown:
        kinds.append("0")
    if any(is_suppressed(v) for v in values):
        kinds.append("below 5, or would reveal one that is, and withheld ([c])")
    if any(number(v) is None and not is_suppressed(v) for v in values):
        kinds.append("not available ([x])")
    how = ", or ".join(kinds) if kinds else "empty"
    return f"{spec.title}: not drawn, because every figure for {place} is {how}."


def chart_block(spec: ChartSpec, place: str, note: str = "") -> Block:
    """The chart, or a sentence saying why there is nothing to draw."""
    why = nothing_to_draw(spec, place)
    return Chart(spec, note) if why is None else Paragraph(why)


def largest(what: str, place: str, column: str
            ) -> Callable[[pd.DataFrame, Window], str | None]:
    """The sentence naming the largest shown category (a suppressed one never wins)."""
    def say(rows: pd.DataFrame, w: Window) -> str | None:
        shown = [(number(v), c) for c, v in zip(rows[column], rows["offences"], strict=True)
                 if str(c) != "all" and number(v) is not None]
        if not shown or not max(shown)[0]:
            return None
        v, c = max(shown)
        return (f"The largest {what} in {place} in the {w.label} was "
                f"{str(labels.value_label(column, c)).lower()}: {spoken(v, 'offences')}.")
    return say


def breakdown(ctx: Context, table: str, category: str, key: str, heading: str,
              noun: str, intro: Callable[[pd.DataFrame, Window], str | None] | None = None,
              source: str = "") -> Section | None:
    """A chart of the headline window's categories, and every period in a table."""
    frame = ctx.src.get(table, "period", category, "offences")
    if frame is None:
        return None
    w = ctx.src.rolling(frame)
    if w is None:
        return None
    source = source or f"{table}.csv"
    rows = only(frame, period=w.period)
    blocks: list[Block] = []
    if intro and (text := intro(rows, w)):
        blocks.append(said(text, source))
    blocks.append(chart_block(bars(key, f"Serious violence offences by {noun}, {w.label}",
                                   rows, category, "offences", f"Offences ({w.label})",
                                   labels.column_label(None, category)), ctx.place))
    blocks.append(period_table(ctx.src, frame, category, "offences",
                               f"Serious violence offences by {noun}",
                               labels.column_label(None, category), source=source))
    return Section(heading, tuple(blocks), key)


def about_sources(reads: Mapping[str, Sequence[str]]) -> list[str]:
    return sorted({labels.source_label(r) for rs in reads.values() for r in rs})
