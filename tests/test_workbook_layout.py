"""exports.workbook writes the layout ONS's gptables writes, byte for byte.

The partner workbook used to be written with gptables; exports.workbook writes the same
layout straight onto XlsxWriter (it is much faster). gptables stays here as the
reference: every workbook below is written both ways and must be the same bytes, and
what gptables refuses must be refused.
"""

from __future__ import annotations

import io
import re
import stat
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import gptables as gpt
import pandas as pd
import pytest

from exports.render import CoverSheet, finish_workbook, workbook_bytes, workbook_sheets
from exports.workbook import Cover, Sheet, contents_sheet, notes_sheet, write_workbook
from vrn.xlsx import FIXED_TIME, pin_timestamps

COVER = Cover(title="Test partner: figures for July to September 2023",
              intro=["Period covered: July to September 2023",
                     "Source: see [the data page](https://example.org/data)"],
              about=["What changed: first version.", "", "The contents worksheet links."],
              contact=["VRN data team, vrn@example.org"], label="cover")
NOTES = [("Export", "A small export."), ("Shorthand", "[c] confidential.\n[x] not available."),
         ("Table: Offences by area", "Offences: a count.\nRate: per 1,000 people.")]
PROPERTIES = {"title": "Test partner", "subject": "July to September 2023",
              "author": "VRN", "created": FIXED_TIME}


def _gptables_bytes(cover: Cover, notes: Sequence[tuple[str, str]], sheets: Sequence[Sheet],
                    properties: Mapping[str, Any]) -> bytes:
    """The workbook as gptables wrote it for the exports (the code exports.render used)."""
    tables = {s.name: gpt.GPTable(
        table=s.table.copy(), table_name=s.name, title=s.title, subtitles=list(s.subtitles),
        instructions=s.instructions, source=s.source, index_columns=dict(s.index_columns),
        additional_formatting=[{"column": {"columns": [i], "format": {"num_format": f},
                                           "include_names": False}}
                               for i, f in s.num_formats.items()]) for s in sheets}
    notes_table = pd.DataFrame({"ref": [f"note{i}" for i in range(1, len(notes) + 1)],
                                "Note title": [t for t, _ in notes],
                                "Note text": [x for _, x in notes]})
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = gpt.produce_workbook(
            filename=buf, sheets=tables,
            cover=gpt.Cover(title=cover.title, intro=list(cover.intro),
                            about=list(cover.about), contact=list(cover.contact),
                            cover_label=cover.label),
            contentsheet_label="contents",
            contentsheet_options={"title": "Contents",
                                  "column_names": ["Worksheet", "Table title"]},
            notes_table=notes_table, notesheet_label="notes",
            notesheet_options={"title": "Notes"})
    for ws in wb.worksheets():
        ws.fit_to_pages(1, 0)
        ws.set_paper(9)
        if ws.name in tables:
            if len(tables[ws.name].table.columns) > 6:
                ws.set_landscape()
            ws.repeat_rows(tables[ws.name].data_range[0])
    wb.set_properties(dict(properties))
    wb.close()
    return pin_timestamps(buf.getvalue())


def _our_bytes(cover: Cover, notes: Sequence[tuple[str, str]], sheets: Sequence[Sheet],
               properties: Mapping[str, Any]) -> bytes:
    buf = io.BytesIO()
    write_workbook(buf, cover,
                   contents_sheet("contents", "Contents", ["Worksheet", "Table title"], sheets),
                   notes_sheet("notes", "Notes", notes), sheets, properties)
    return pin_timestamps(buf.getvalue())


def _frame(rows: list[list[Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _sheets() -> list[Sheet]:
    area = _frame(
        [["April to June 2023", date(2023, 4, 1), "Rutland", 41, 0.99879, "[c]", 12000],
         ["July to September 2023", date(2023, 7, 1), "Melton", "[c]", "[x]", 0.25, 13],
         ["July to September 2023", date(2023, 7, 1), "HINCKLEY AND BOSWORTH", 1234567,
          12.5, 0.1234, 0],
         ["Rolling 12 months\nto September 2023", date(2022, 10, 1), "Charnwood", 7, 3, 1.0,
          "[z]"]],
        ["Period", "Period start", "Area name", "Offences", "Rate per 1,000 people",
         "Charge rate (share of outcomes)", "Events"])
    mixed = _frame(
        [[1, "[c]", "   ", "see [our method](https://example.org/method)", True, 2.5, "x"],
         [2, "[x]", "words", "plain", False, 3, "[note 1]"]],
        ["Number", "All shorthand", "Blank or words", "Linked", "Flag", "Mixed numbers",
         "Text and note"])
    wide = _frame([[f"c{i}" for i in range(8)]], [f"Column {i}" for i in range(8)])
    return [
        Sheet(name="sv_by_area", title="Offences by area", table=area,
              subtitles=["Some cells show [c] (confidential): see note 2.",
                         "Each column is described in note 3."],
              instructions="This worksheet contains one table. Notes are on the notes "
                           "worksheet.",
              source="Source: Leicestershire Police recorded crimes.",
              num_formats={1: "d mmmm yyyy", 3: "#,##0", 4: "#,##0.000", 5: "0.0%",
                           6: "#,##0"}),
        Sheet(name="mixed_cells", title="Cells of every kind", table=mixed,
              subtitles=["", "A subtitle after an empty one."], num_formats={5: "#,##0.0##"}),
        Sheet(name="wide_table", title="A table wider than six columns", table=wide,
              source="Source: see [the source](https://example.org/source)."),
    ]


def test_the_workbook_is_the_bytes_gptables_wrote() -> None:
    """Once finished as the exports finish every workbook (`finish_workbook`, which also
    pins each zip part's attributes: XlsxWriter marks a part it kept in memory, as ours
    are, differently from one written through a temporary file, as gptables' are)."""
    sheets = _sheets()
    ours = _our_bytes(COVER, NOTES, sheets, PROPERTIES)
    theirs = _gptables_bytes(COVER, NOTES, sheets, PROPERTIES)
    assert finish_workbook(ours) == finish_workbook(theirs)
    # the same parts, in the same order, with the same contents, before finishing too
    ours_zip, theirs_zip = (zipfile.ZipFile(io.BytesIO(b)) for b in (ours, theirs))
    assert ours_zip.namelist() == theirs_zip.namelist()
    for name in ours_zip.namelist():
        assert ours_zip.read(name) == theirs_zip.read(name), name


def test_a_partner_workbook_is_the_bytes_gptables_wrote() -> None:
    """Through exports.render, as the exports write it: labels, number formats, an empty
    table shown as one row, sources."""
    location = _frame([["2023-24Q1", "2023-04-01", "2023-06-30", place, n]
                       for place, n in (("public_open_place", 1234), ("dwelling", "[c]"),
                                        ("all", 5678))],
                      ["period", "period_start", "period_end", "location_type", "offences"])
    empty = _frame([], ["period", "period_start", "period_end", "area_code", "offences"])
    tables = [("sv_by_location", location), ("sv_by_area", empty)]
    reads = {"sv_by_location": ["police/crimes"]}
    cover = CoverSheet(title="Test partner", period="April to June 2023",
                       source="Leicestershire Police")
    sheets = workbook_sheets(tables, NOTES, reads)
    ours = workbook_bytes(tables, NOTES, cover, reads)
    theirs = _gptables_bytes(
        Cover(title=cover.title, intro=[f"Period covered: {cover.period}",
                                        f"Source: {cover.source}"],
              about=[f"What changed since the previous version: {cover.changes}",
                     "Some figures are withheld or not available; the shorthand used is "
                     "explained on the notes worksheet.",
                     "The contents worksheet lists and links every table."],
              contact=[cover.contact], label="cover"),
        NOTES, sheets, {
            "title": cover.title, "subject": cover.period, "author": "Leicester, "
            "Leicestershire and Rutland Violence Reduction Network", "keywords": "violence "
            "reduction, serious violence, official statistics, sv_by_location, sv_by_area",
            "comments": "Follows the GSS guidance on releasing statistics in spreadsheets.",
            "created": FIXED_TIME})
    assert ours == finish_workbook(theirs)


@pytest.mark.parametrize(("rows", "refused"), [
    ([["a", "-"]], r"bad_table: row 1, column 'Count' holds symbols only"),
    ([["a", 1], [None, None]], "bad_table: row 2 is empty"),
    ([[None, None]], "only null"),
])
def test_what_gptables_refuses_is_refused(rows: list[list[Any]], refused: str) -> None:
    sheet = Sheet(name="bad_table", title="A bad table", table=_frame(rows, ["Area", "Count"]))
    with pytest.raises(ValueError):
        _gptables_bytes(COVER, NOTES, [sheet], PROPERTIES)
    with pytest.raises(ValueError, match=refused):
        _our_bytes(COVER, NOTES, [sheet], PROPERTIES)


def test_finishing_pins_every_part_and_adds_the_language_once() -> None:
    """`finish_workbook` rewrites XlsxWriter's zip once: every part keeps its name, order
    and contents, with a fixed time and the attributes of a regular file; core.xml gets
    the fixed `modified` stamp and the language, once; finishing again changes nothing."""
    sheets = _sheets()
    buf = io.BytesIO()
    write_workbook(buf, COVER,
                   contents_sheet("contents", "Contents", ["Worksheet", "Table title"], sheets),
                   notes_sheet("notes", "Notes", NOTES), sheets, PROPERTIES)
    raw = buf.getvalue()
    finished = finish_workbook(raw)
    assert finish_workbook(finished) == finished
    raw_zip, done = (zipfile.ZipFile(io.BytesIO(b)) for b in (raw, finished))
    assert done.namelist() == raw_zip.namelist()
    for info in done.infolist():
        assert info.date_time == (2020, 1, 1, 0, 0, 0), info.filename
        assert info.external_attr == (stat.S_IFREG | 0o600) << 16, info.filename
        assert info.compress_type == zipfile.ZIP_DEFLATED, info.filename
        if info.filename != "docProps/core.xml":
            assert done.read(info) == raw_zip.read(info.filename), info.filename
    core = done.read("docProps/core.xml").decode()
    assert core.count("<dc:language>en-GB</dc:language>") == 1
    assert re.search(r"<dcterms:modified[^>]*>2020-01-01T00:00:00Z<", core)
