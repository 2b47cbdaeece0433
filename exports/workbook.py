"""The partner workbook's layout on XlsxWriter: cover, contents, notes, one table a sheet.

This is the layout ONS's gptables builds for the GSS guidance "Releasing statistics in
spreadsheets" (exports.render says what the workbook holds), written here directly: the
same cells, formats, column widths and Excel tables, so the same figures give the same
bytes as gptables gave (tests/test_workbook_layout.py compares the two; gptables is kept
for that test only). gptables builds a table of dictionaries, one per cell, with a pandas
row assignment per row and a format dictionary per cell: a partner's workbook took about
1.3 CPU s that way and takes about 0.5 s here, where the formats are worked out once per
column and a line's width once per text.

What gptables checks and refuses is refused here too, with its reasons (GSS: no empty
rows, no cell of symbols only, a header on every column): a table with no figure at all,
an empty row, a cell holding only symbols.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import cell_autofit_width
from xlsxwriter.worksheet import Worksheet

# gptables' default theme ("gptheme"): Arial 12, titles 16 bold, headers bold over a rule.
_BASE = {"font_size": 12, "font_name": "Arial", "font_color": "automatic"}
COVER_TITLE = {**_BASE, "font_size": 16, "bold": True, "text_wrap": True}
COVER_SUBTITLE = {**_BASE, "font_size": 14, "bold": True, "text_wrap": True}
COVER_TEXT = {**_BASE, "text_wrap": True}
TITLE = {**_BASE, "font_size": 16, "bold": True}
SUBTITLE = {**_BASE, "font_size": 14}
INSTRUCTIONS = dict(_BASE)
SOURCE = dict(_BASE)
COLUMN_HEADING = {**_BASE, "bold": True, "bottom": 1, "text_wrap": 1, "valign": "top"}
INDEX_FORMATS = {1: {**_BASE, "bold": True, "text_wrap": 1}, 2: {**_BASE, "text_wrap": 1},
                 3: {**_BASE, "text_wrap": 1}}
DATA = {**_BASE, "text_wrap": 1}
LINK = {"underline": True, "font_color": "blue"}  # blue #0000FF passes WCAG AA contrast
COVER_WIDTH = 85  # characters, the cover's one column
ONE_TABLE = "This worksheet contains one table."

_LINK_MARKDOWN = re.compile(r"\[.+\]\(.+\)")  # "[display text](url)"
_SHORTHAND = re.compile(r"\[[\w\s]+\]")  # [c], [x], [z], [note 1]: not a figure
_ALPHANUMERIC = re.compile(r"[a-zA-Z0-9]")
_SPACE_ONLY = re.compile(r"\s*")


@dataclass(frozen=True)
class Cover:
    title: str
    intro: Sequence[str]
    about: Sequence[str]
    contact: Sequence[str]
    label: str = "Cover"


@dataclass(frozen=True)
class Sheet:
    """One worksheet holding one table: its text above the table, then the table."""

    name: str  # the worksheet's name
    title: str
    table: pd.DataFrame  # the cells as shown, headers as shown
    subtitles: Sequence[str] = ()
    instructions: str = ONE_TABLE
    source: str | None = None
    index_columns: Mapping[int, int] = field(default_factory=dict)  # level -> column
    num_formats: Mapping[int, str] = field(default_factory=dict)  # column -> data rows'
    table_name: str | None = None  # the Excel table's name; the sheet's if None

    @property
    def header_row(self) -> int:
        """The table's header row: after the title, subtitles, instructions and source."""
        return 1 + len(self.subtitles) + 1 + (self.source is not None)


def _missing(value: Any) -> bool:
    """What pandas' `isna` says of one cell value."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _with_links(value: Any) -> Any:
    """A text written as "[display text](url)" becomes a link ({text: url})."""
    if isinstance(value, str):
        found = _LINK_MARKDOWN.findall(value)
        if not found:
            return value
        if len(found) > 1:
            raise ValueError("More than one link found in cell. Excel only permits one "
                             f"link per cell: {value!r}")
        url = re.split(r"\(", found[0])[1].replace(")", "")
        text = re.split(r"\]", found[0])[0].replace("[", "")
        return {_LINK_MARKDOWN.sub(text, value): url}
    if isinstance(value, list):
        return [_with_links(v) for v in value]
    if isinstance(value, dict):
        return {k: _with_links(v) for k, v in value.items()}
    return value


def _cell_string(value: Any) -> str:
    """A cell's text as its column's width is worked out."""
    if isinstance(value, str):
        return value
    if isinstance(value, float | int):
        return str(value)
    if isinstance(value, dict):
        return "\n".join(_cell_string(k) for k in value)
    if isinstance(value, list):
        return "\n".join(_cell_string(v) for v in value)
    return str(value) if value else ""


def _width(value: Any, props: Mapping[str, Any]) -> int:
    """Pixels a cell needs: XlsxWriter's autofit width of its longest line, scaled for
    the font size, bold and the share of capitals."""
    line = max(_cell_string(value).split("\n"), key=len)
    return _line_width(line, props.get("font_size", 11), props.get("bold", False))


@functools.lru_cache(maxsize=1 << 16)
def _line_width(line: str, font_size: float, bold: bool) -> int:
    upper = sum(1 for c in line if c.isupper()) / len(line) if line else 0
    scale = (font_size / 11) * (1.1 if bold else 1.0) * (1.0 + 0.15 * upper)
    return math.ceil(cell_autofit_width(line) * scale)


def _numeric(values: Sequence[Any]) -> bool:
    """Whether a column right-aligns: its cells, shorthand aside, are all numbers (as
    pandas' `convert_dtypes` would type it)."""
    present = [v for v in values
               if not _missing(v) and not (isinstance(v, str) and _SHORTHAND.search(v))]
    if not present:
        return False
    if all(isinstance(v, bool) for v in present):
        return True
    return all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in present)


class _Writer:
    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self._formats: dict[tuple, Format] = {}

    def format(self, props: Mapping[str, Any]) -> Format:
        key = tuple(sorted(props.items()))
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = self.workbook.add_format(dict(props))
        return found

    def cell(self, ws: Worksheet, row: int, col: int, value: Any,
             props: Mapping[str, Any], fmt: Format | None = None) -> None:
        """One cell in the format of `props` (`fmt`, when the caller has it already)."""
        if isinstance(value, list):
            if len(value) == 1:
                self.cell(ws, row, col, value[0], props, fmt)
            else:
                ws.write(row, col, "\n".join(value), fmt or self.format(props))
        elif isinstance(value, dict):
            display, url = next(iter(value.items()))
            ws.write_url(row, col, url, self.format({**props, **LINK}), display)
        elif _missing(value):
            ws.write_blank(row, col, None, fmt or self.format(props))
        else:
            ws.write(row, col, value, fmt or self.format(props))

    def lines(self, ws: Worksheet, row: int, texts: Sequence[Any],
              props: Mapping[str, Any], links: bool = True) -> int:
        for text in texts:
            if text:
                self.cell(ws, row, 0, _with_links(text) if links else text, props)
                row += 1
        return row

    def cover(self, cover: Cover) -> None:
        ws = self.workbook.add_worksheet(cover.label)
        ws.hide_gridlines(2)
        row = self.lines(ws, 0, [cover.title], COVER_TITLE)
        for heading, texts in (("Introductory information", cover.intro),
                               ("About these data", cover.about), ("Contact", cover.contact)):
            row = self.lines(ws, row, [heading], COVER_SUBTITLE)
            row = self.lines(ws, row, texts, COVER_TEXT)
        ws.set_column(0, 0, COVER_WIDTH)

    def sheet(self, sheet: Sheet) -> Worksheet:
        ws = self.workbook.add_worksheet(sheet.name)
        ws.hide_gridlines(2)
        self.lines(ws, 0, [sheet.title], TITLE)
        row = self.lines(ws, 1, sheet.subtitles, SUBTITLE)
        row = self.lines(ws, row, [sheet.instructions], INSTRUCTIONS, links=False)
        self.lines(ws, row, [sheet.source], SOURCE)
        self.table(ws, sheet)
        return ws

    def table(self, ws: Worksheet, sheet: Sheet) -> None:
        headers = [str(h) for h in sheet.table.columns]
        _check_headers(sheet.name, headers)
        rows = [[_blank_if_space(_with_links(v)) for v in r]
                for r in sheet.table.to_numpy(dtype=object).tolist()]
        _check_cells(sheet.name, headers, rows)
        index_level = {col: level for level, col in sheet.index_columns.items()}
        first = sheet.header_row
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(headers)
        heading_props, body_props = [], []
        for c, values in enumerate(columns):
            numeric = _numeric(values) and not (c == 0 and not sheet.index_columns)
            align = {"align": "left" if c in index_level or not numeric else "right"}
            heading_props.append({**COLUMN_HEADING, **align})
            body = {**(INDEX_FORMATS[index_level[c]] if c in index_level else DATA), **align}
            if c in sheet.num_formats:
                body["num_format"] = sheet.num_formats[c]
            body_props.append(body)
        for c, header in enumerate(headers):
            self.cell(ws, first, c, header, heading_props[c])
        body_formats = [self.format(props) for props in body_props]  # once per column
        for r, values in enumerate(rows, start=first + 1):
            for c, value in enumerate(values):
                self.cell(ws, r, c, value, body_props[c], body_formats[c])
        for c, values in enumerate(columns):
            width = max([_width(headers[c], heading_props[c]),
                         *(_width(v, body_props[c]) for v in values)])
            ws.set_column_pixels(c, c, width)
        ws.add_table(first, 0, first + len(rows), len(headers) - 1, {
            "header_row": True, "autofilter": False, "style": None,
            "name": sheet.table_name or sheet.name,
            "columns": [{"header": h, "header_format": self.format(heading_props[c])}
                        for c, h in enumerate(headers)]})


def _blank_if_space(value: Any) -> Any:
    return None if isinstance(value, str) and _SPACE_ONLY.fullmatch(value) else value


def _check_headers(name: str, headers: Sequence[str]) -> None:
    if any(not h for h in headers):
        raise ValueError(f"{name}: a column has no header; every column must have one")
    if len(set(headers)) != len(headers):
        raise ValueError(f"{name}: two columns have the same header {list(headers)}")


def _check_cells(name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """What gptables refuses (GSS): no figure at all, an empty row, a cell of symbols
    only. Rows are counted from 1 below the header row."""
    if all(_missing(v) for r in rows for v in r):
        raise ValueError(f"{name} contains only null or whitespace cells; give a table "
                         "with figures, or a row saying there are none")
    for i, r in enumerate(rows, start=1):
        if all(_missing(v) for v in r):
            raise ValueError(f"{name}: row {i} is empty; a table may not have blank rows")
        for header, v in zip(headers, r, strict=True):
            if not _missing(v) and not _ALPHANUMERIC.search(str(v)):
                raise ValueError(f"{name}: row {i}, column {header!r} holds symbols only "
                                 f"({v!r}); use shorthand such as [x] with a note instead")


def write_workbook(target: IO[bytes], cover: Cover, contents: Sheet, notes: Sheet,
                   sheets: Sequence[Sheet], properties: Mapping[str, Any]) -> None:
    """Write the workbook to `target`: the cover, the contents and notes sheets, then one
    sheet per table, each printed on A4 to the page's width (landscape past six columns),
    a table sheet's header row repeated on every printed page."""
    # Each part kept in memory until it is zipped: by default XlsxWriter writes every
    # part of every workbook to a temporary file first (about a quarter of the time a
    # partner's workbook took). The exports then pin each part's time and attributes
    # (`exports.render.finish_workbook`), so the bytes do not depend on how it was written.
    workbook = Workbook(target, {"in_memory": True})
    writer = _Writer(workbook)
    writer.cover(cover)
    for sheet in (contents, notes, *sheets):
        writer.sheet(sheet)
    repeated = {s.name: s for s in sheets}
    for ws in workbook.worksheets():
        ws.fit_to_pages(1, 0)
        ws.set_paper(9)  # A4
        sheet = repeated.get(ws.name)
        if sheet is not None and len(sheet.table.columns) > 6:
            ws.set_landscape()
        if sheet is not None:
            ws.repeat_rows(sheet.header_row)
    workbook.set_properties(dict(properties))
    workbook.close()


def contents_sheet(name: str, title: str, column_names: Sequence[str],
                   sheets: Sequence[Sheet]) -> Sheet:
    """The contents: each table's sheet, linked, beside its title."""
    frame = pd.DataFrame([[{s.name: f"internal:'{s.name}'!A1"}, [s.title]] for s in sheets],
                         columns=list(column_names), dtype=object)
    return Sheet(name=name, title=title, table=frame, index_columns={2: 0},
                 table_name="contents_table")


def notes_sheet(name: str, title: str, notes: Sequence[tuple[str, str]]) -> Sheet:
    """The notes, numbered in the order given."""
    frame = pd.DataFrame([[i, t, x] for i, (t, x) in enumerate(notes, start=1)],
                         columns=["Note number", "Note title", "Note text"], dtype=object)
    return Sheet(name=name, title=title, table=frame, table_name="notes_table")
