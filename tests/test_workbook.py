"""The partner workbook follows the GSS guidance "Releasing statistics in spreadsheets"
(DESIGN.md "Partner exports", the workbook paragraph), one rule a test."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from exports.labels import column_label, month_label, period_label, value_label
from exports.render import CoverSheet, csv_bytes, workbook_bytes

QUARTER_ROWS = [
    ("2023-24Q1", "2023-04-01", "2023-06-30"),
    ("2023-24Q2", "2023-07-01", "2023-09-30"),
    ("12m_to_2023-24Q2", "2022-10-01", "2023-09-30"),
]
NOTES = [("Export", "A small export."), ("Shorthand", "[c] confidential. [x] not available."),
         ("Table: Serious violence offences by type of location", "Offences: a count.")]
COVER = CoverSheet(title="Test partner: Violence Reduction Network data, July to "
                         "September 2023", period="July to September 2023",
                   source="Leicestershire Police: recorded crimes by recorded date")


def _location() -> pd.DataFrame:
    rows = []
    for period, start, end in QUARTER_ROWS:
        for place, offences in (("public_open_place", 1234), ("dwelling", "[c]"),
                                ("all", 5678)):
            rows.append([period, start, end, place, offences])
    return pd.DataFrame(rows, columns=["period", "period_start", "period_end",
                                       "location_type", "offences"], dtype=object)


def _area() -> pd.DataFrame:
    return pd.DataFrame(
        [["2023-24Q1", "2023-04-01", "2023-06-30", "district", "E06000017", "Rutland", 41,
          41049, 0.99879, 0.1234, 12000]],
        columns=["period", "period_start", "period_end", "area_level", "area_code",
                 "area_name", "offences", "population", "rate_per_1000", "charge_rate",
                 "events"], dtype=object)


SHEETS = [("sv_by_location", _location()), ("sv_by_area", _area())]


@pytest.fixture(scope="module")
def workbook_file() -> bytes:
    return workbook_bytes(SHEETS, NOTES, COVER, {"sv_by_location": ["police/crimes"]})


@pytest.fixture(scope="module")
def wb(workbook_file):
    return load_workbook(io.BytesIO(workbook_file))


def the_table(ws: Worksheet) -> tuple[int, int, int, int]:
    """(first row, first column, last row, last column) of the sheet's one Excel table."""
    from openpyxl.utils.cell import range_boundaries

    (ref,) = ws.tables.values()
    min_col, min_row, max_col, max_row = range_boundaries(ref if isinstance(ref, str)
                                                          else ref.ref)
    return min_row, min_col, max_row, max_col


def _norm(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 6)
    return value


def table_rows(ws: Worksheet) -> list[list[Any]]:
    """The sheet's Excel table, header row first, cells normalised for comparing."""
    r0, c0, r1, c1 = the_table(ws)
    return [[_norm(c.value) for c in row]
            for row in ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1)]


def expected_rows(table: Any, file_rows: list[list[str]]) -> list[list[Any]]:
    """A CSV's rows as the workbook must show them: headers and codes in words, periods in
    words, numbers as numbers, an empty cell as [z]."""
    header, *rows = file_rows
    out = [[column_label(table, c) for c in header]]
    if not rows:  # a table with no rows this quarter: its one row says so
        return [*out, ["No figures for this quarter", *["[z]"] * (len(header) - 1)]]
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        shown = []
        for column, value in cells.items():
            if value == "":
                shown.append("[z]")
            elif value in ("[c]", "[x]"):
                shown.append(value)
            elif column == "period":
                shown.append(period_label(value, cells["period_start"], cells["period_end"]))
            elif column in ("period_start", "period_end"):
                shown.append(value)
            elif column in ("month", "month_end"):
                shown.append(month_label(value))
            elif value_label(column, value) != value:  # a code in words
                shown.append(value_label(column, value))
            else:
                try:
                    shown.append(round(float(value), 6))
                except ValueError:
                    shown.append(value)
        out.append(shown)
    return out


def test_sheets_are_cover_contents_notes_then_one_per_table_named_as_its_csv(wb):
    assert wb.sheetnames == ["cover", "contents", "notes", "sv_by_location", "sv_by_area"]


def test_every_sheet_has_its_title_in_a1(wb):
    assert wb["cover"]["A1"].value == COVER.title
    assert wb["contents"]["A1"].value == "Contents"
    assert wb["notes"]["A1"].value == "Notes"
    assert wb["sv_by_location"]["A1"].value == "Serious violence offences by type of location"
    assert wb["sv_by_area"]["A1"].value == "Serious violence offences by area"


def test_cover_gives_period_in_words_source_contact_and_what_changed(wb):
    text = "\n".join(str(c.value) for row in wb["cover"].iter_rows() for c in row if c.value)
    assert "July to September 2023" in text
    assert "Source: Leicestershire Police" in text
    assert "Contact" in text and COVER.contact in text
    assert "first version of this quarter's figures" in text


def test_contents_lists_and_links_every_sheet_with_its_title(wb):
    ws = wb["contents"]
    r0, c0, r1, _ = the_table(ws)
    listed = {ws.cell(r, c0).value: ws.cell(r, c0 + 1).value for r in range(r0 + 1, r1 + 1)}
    assert listed == {"sv_by_location": "Serious violence offences by type of location",
                      "sv_by_area": "Serious violence offences by area"}
    for r in range(r0 + 1, r1 + 1):
        link = ws.cell(r, c0).hyperlink
        assert link is not None and ws.cell(r, c0).value in (link.location or link.target)


def test_notes_are_a_numbered_table_of_title_and_text(wb):
    rows = table_rows(wb["notes"])
    assert rows[0] == ["Note number", "Note title", "Note text"]
    assert [r[0] for r in rows[1:]] == [1.0, 2.0, 3.0]
    assert [r[1] for r in rows[1:]] == [t for t, _ in NOTES]


def test_each_table_sheet_is_an_excel_table_with_plain_english_headers(wb):
    assert table_rows(wb["sv_by_location"])[0] == [
        "Period", "Period start", "Period end", "Location type", "Offences"]
    assert table_rows(wb["sv_by_area"])[0] == [
        "Period", "Period start", "Period end", "Area level", "Area code", "Area", "Offences",
        "Population", "Rate per 1,000 residents", "Charge rate", "Events"]


def test_no_merged_cells_and_no_blank_rows_or_columns_inside_tables(wb):
    for ws in wb.worksheets:
        assert not ws.merged_cells.ranges, ws.title
        if ws.tables:
            for row in table_rows(ws):
                assert all(v is not None and v != "" for v in row), (ws.title, row)


def test_properties_hold_the_title_and_the_language(wb, workbook_file):
    assert wb.properties.title == COVER.title
    assert wb.properties.language == "en-GB"
    assert wb.properties.keywords and wb.properties.subject and wb.properties.creator


def test_printing_fits_the_page_width_landscape_when_wide_and_repeats_the_header(wb):
    for ws in wb.worksheets:
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert wb["sv_by_area"].page_setup.orientation == "landscape"
    assert wb["sv_by_location"].page_setup.orientation != "landscape"
    for name in ("sv_by_location", "sv_by_area"):
        header = the_table(wb[name])[0]
        assert wb[name].print_title_rows == f"${header}:${header}"


def test_periods_and_categories_read_in_words(wb):
    rows = table_rows(wb["sv_by_location"])[1:]
    assert {r[0] for r in rows} == {"April to June 2023", "July to September 2023",
                                    "12 months to September 2023"}
    assert {r[3] for r in rows} == {"Public open place", "Dwelling", "All"}


def test_shorthand_is_explained_on_the_sheets_where_it_appears_only(wb):
    def above_table(name: str) -> str:
        ws = wb[name]
        return " ".join(str(c.value) for row in ws.iter_rows(max_row=the_table(ws)[0] - 1)
                        for c in row if c.value)

    assert "Some cells show [c] (confidential): see note 2." in above_table("sv_by_location")
    assert "[c]" not in above_table("sv_by_area")


def test_counts_have_thousands_separators_rates_decimals_and_shares_percent(wb):
    ws = wb["sv_by_area"]
    r0, c0, _, c1 = the_table(ws)
    formats = {ws.cell(r0, c).value: ws.cell(r0 + 1, c).number_format
               for c in range(c0, c1 + 1)}
    assert formats["Offences"] == formats["Population"] == formats["Events"] == "#,##0"
    assert formats["Rate per 1,000 residents"] == "#,##0.000"
    assert formats["Charge rate"] == "0.0%"
    ws = wb["sv_by_location"]
    r0, c0, _, c1 = the_table(ws)
    assert ws.cell(r0 + 1, c1).number_format == "#,##0"


def test_two_renders_of_the_same_figures_are_byte_identical(workbook_file):
    again = workbook_bytes(SHEETS, NOTES, COVER, {"sv_by_location": ["police/crimes"]})
    assert again == workbook_file


def test_a_blank_cell_is_shown_as_z_and_explained():
    frame = _area()
    frame.loc[0, "charge_rate"] = None
    wb = load_workbook(io.BytesIO(workbook_bytes([("sv_by_area", frame)], NOTES, COVER)))
    assert table_rows(wb["sv_by_area"])[1][9] == "[z]"
    assert "[z] (not applicable)" in " ".join(str(c.value) for c in wb["sv_by_area"]["A"])


def test_a_table_with_no_rows_says_so_in_its_one_row():
    """gptables refuses an empty table; a table may have none this quarter (its 12
    months reach back before the data), so the sheet says so, with [z] in each figure."""
    frame = _area().iloc[0:0]
    wb = load_workbook(io.BytesIO(workbook_bytes([("sv_by_area", frame)], NOTES, COVER)))
    header, *rows = table_rows(wb["sv_by_area"])
    assert header == [column_label(None, c) for c in frame.columns]
    assert rows == [["No figures for this quarter", *["[z]"] * (len(frame.columns) - 1)]]
    said = " ".join(str(c.value) for c in wb["sv_by_area"]["A"] if c.value)
    assert "no figures in this export" in said and "[z] (not applicable)" in said


def test_table_values_equal_the_csv_after_label_mapping(wb):
    for name, frame in SHEETS:
        file_rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode())))
        assert table_rows(wb[name]) == expected_rows(None, file_rows), name


def test_labels_in_words():
    assert period_label("2023-24", "2023-04-01", "2024-03-31") == "April 2023 to March 2024"
    assert period_label("2023-24Q3", date(2023, 10, 1), date(2023, 12, 31)) == (
        "October to December 2023")
    assert month_label("2023-10-01") == "October 2023"
    assert value_label("victim_age_band", "0-17") == "0 to 17"
    assert value_label("sex", "F") == "Female"
    assert value_label("sv_group", "violence_with_injury") == "Violence with injury"
    assert value_label("location_type", "somewhere_new") == "somewhere_new"
    assert column_label(None, "rate_per_1000") == "Rate per 1,000 residents"


def test_every_partner_workbook_from_the_warehouse_matches_its_csvs(published_base, catalog):
    """Real tables: each sheet's Excel table is its CSV, cell for cell, in words; no
    snake_case header or label anywhere a person reads."""
    import re

    from exports import publish as P
    from exports.warehouse import read_only, read_published

    with read_only(published_base) as con:
        pub = read_published(con, list(catalog.tables))
    quarter = pub.quarters[-1]
    snake = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
    for partner in catalog.partners:
        export = P.select_export(pub, partner, quarter)
        built = P.build(export)
        files = P.render_files(export, built, P.missing_files(pub, export))
        name = P.workbook_name(partner.name, quarter)
        assert P.render_files(export, built, P.missing_files(pub, export))[name] == files[name]
        book = load_workbook(io.BytesIO(files[name]))
        for t in partner.tables:
            file_rows = list(csv.reader(io.StringIO(files[f"{t.name}.csv"].decode())))
            rows = table_rows(book[t.name])
            assert rows == expected_rows(t, file_rows), (partner.name, t.name)
            words = [v for row in rows for v in row if isinstance(v, str)]
            assert not [w for w in words if snake.search(w)], (partner.name, t.name)
