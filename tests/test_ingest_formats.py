"""Files as partners send them (spec, General rules): encodings, line endings, quoting,
date styles, workbooks, headers, raw identifiers, and police.uk files as downloaded."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from ingest import read
from ingest.files import describe
from ingest.load import PARSERS
from ingest.specs import BY_NAME, POLICEUK_HEADER
from tests.support.partner_files import csv_bytes, good_row, parse_rows, write_table, write_xlsx


def parse_path(landing: Path, path: Path, source: str, tmp: Path):
    return PARSERS[source](describe(path, landing, source), tmp / "work")


# --- encodings and CSV shape -------------------------------------------------------------


def test_utf8_with_bom_is_read(tmp_path: Path) -> None:
    parsed = parse_rows(tmp_path, "crimes", [good_row("crimes")], encoding="utf-8-sig")
    assert parsed.rejected is None and parsed.rows_loaded == 1


def test_windows_1252_is_decoded_strictly_and_transcoded(tmp_path: Path) -> None:
    row = good_row("funding", provider="Women’s Aid – Rutland £", service="Café support")
    parsed = parse_rows(tmp_path, "funding", [row], encoding="cp1252")
    assert parsed.rejected is None
    (loaded,) = parsed.rows()
    assert loaded["provider"] == "Women’s Aid – Rutland £"
    assert loaded["service"] == "Café support"


def test_rutland_council_file_in_windows_1252_with_crlf(tmp_path: Path) -> None:
    row = good_row("children_looked_after", child_ref="RÜT-0001")
    parsed = parse_rows(tmp_path, "children_looked_after", [row], source="la/E06000017",
                        encoding="cp1252", newline="\r\n", style="uk")
    assert parsed.rejected is None
    (loaded,) = parsed.rows()
    assert loaded["child_ref"] == "RÜT-0001" and loaded["la_code"] == "E06000017"


def test_utf8_is_preferred_when_a_file_reads_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("crime_ref\nZoë Café\n".encode())
    assert read.detect_encoding(path) == "utf-8"


def test_a_file_in_neither_encoding_is_rejected(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    path = write_table(landing, "police", "crimes", [good_row("crimes")])
    path.write_bytes(path.read_bytes().replace(b"dwelling", b"dw\x81\x8dlling"))
    parsed = parse_path(landing, path, "police", tmp_path)
    assert parsed.rejected and "neither UTF-8" in parsed.rejected


def test_crlf_line_endings(tmp_path: Path) -> None:
    rows = [good_row("crimes", crime_ref=f"CR/{i}") for i in range(3)]
    parsed = parse_rows(tmp_path, "crimes", rows, newline="\r\n")
    assert parsed.rows_loaded == 3
    assert [r["status"] for r in parsed.rows()] == ["recorded"] * 3  # no stray \r


def test_quoted_fields_with_commas_quotes_and_newlines(tmp_path: Path) -> None:
    row = good_row("funding", service='Counselling, "CSA" survivors\nand families')
    parsed = parse_rows(tmp_path, "funding", [row, good_row("funding", provider="B")])
    assert parsed.rows_loaded == 2
    assert parsed.rows()[0]["service"] == 'Counselling, "CSA" survivors\nand families'
    assert [r["row_number"] for r in parsed.rows()] == [1, 2]


def test_a_row_with_too_many_fields_is_quarantined_and_the_rest_of_the_file_loads(
        tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    path = write_table(landing, "police", "crimes", [good_row("crimes", crime_ref="CR/1")])
    path.write_bytes(path.read_bytes() + b"CR/2,2023-04-10,2023-04-09 10:00,,8N,LC01,,,,,,,"
                     b"recorded,extra\n" + _body(good_row("crimes", crime_ref="CR/3")))
    parsed = parse_path(landing, path, "police", tmp_path)
    assert parsed.rejected is None
    assert [r["crime_ref"] for r in parsed.rows()] == ["CR/1", "CR/3"]
    assert [r["row_number"] for r in parsed.rows()] == [1, 3]
    (bad,) = parsed.quarantine()
    assert (bad["row_number"], bad["reason_code"]) == (2, "bad_value")
    assert "14 fields where the header has 13" in bad["reason"]


def _body(*rows: dict) -> bytes:
    """Data lines of a crimes CSV (no header)."""
    header = BY_NAME["crimes"].header
    return csv_bytes(header, [[r[c] for c in header] for r in rows]).split(b"\n", 1)[1]


def _with_rows(tmp_path: Path, body: bytes):
    landing = tmp_path / "landing"
    path = write_table(landing, "police", "crimes", [])
    path.write_bytes(path.read_bytes() + body)
    return parse_path(landing, path, "police", tmp_path)


def test_mixed_lf_and_crlf_line_endings_load(tmp_path: Path) -> None:
    rows = [_body(good_row("crimes", crime_ref=f"CR/{i}")).rstrip(b"\r\n") for i in range(4)]
    parsed = _with_rows(tmp_path, rows[0] + b"\r\n" + rows[1] + b"\n" + rows[2] + b"\r\n"
                        + rows[3] + b"\n")
    assert parsed.rejected is None and parsed.rows_quarantined == 0
    assert [r["crime_ref"] for r in parsed.rows()] == ["CR/0", "CR/1", "CR/2", "CR/3"]
    assert [r["status"] for r in parsed.rows()] == ["recorded"] * 4  # no stray \r


def test_an_oversized_field_quarantines_its_row_naming_the_column_and_the_rest_loads(
        tmp_path: Path) -> None:
    huge = "x" * 5_000_000
    body = _body(good_row("crimes", crime_ref="CR/1"),
                 good_row("crimes", crime_ref="CR/2", location_type=huge),
                 good_row("crimes", crime_ref="CR/3"))
    parsed = _with_rows(tmp_path, body)
    assert parsed.rejected is None
    assert [r["crime_ref"] for r in parsed.rows()] == ["CR/1", "CR/3"]
    (bad,) = parsed.quarantine()
    assert (bad["row_number"], bad["reason_code"], bad["column_name"]) == (
        2, "bad_value", "location_type")
    assert "5000000 characters" in bad["reason"] and len(bad["bad_value"]) < 100


def test_a_file_whose_quote_never_closes_is_rejected_with_the_line_number(
        tmp_path: Path) -> None:
    body = _body(good_row("crimes", crime_ref="CR/1"))
    parsed = _with_rows(tmp_path, body + b'CR/2,"2023-04-10,2023-04-09 10:00\n' + body)
    assert parsed.rejected and "line 3" in parsed.rejected and "never closed" in parsed.rejected


def test_a_malformed_quote_quarantines_its_row_only(tmp_path: Path) -> None:
    body = _body(good_row("crimes", crime_ref="CR/1"))
    parsed = _with_rows(tmp_path, body + b'"CR/2"x,2023-04-10\n'
                        + _body(good_row("crimes", crime_ref="CR/3")))
    assert parsed.rejected is None
    assert [r["crime_ref"] for r in parsed.rows()] == ["CR/1", "CR/3"]
    (bad,) = parsed.quarantine()
    assert (bad["row_number"], bad["reason_code"]) == (2, "bad_value")
    assert "line 3" in bad["reason"]


def test_an_empty_file_is_rejected(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    path = write_table(landing, "police", "crimes", [])
    path.write_bytes(b"")
    parsed = parse_path(landing, path, "police", tmp_path)
    assert parsed.rejected and "empty" in parsed.rejected


def test_a_header_only_file_loads_nothing(tmp_path: Path) -> None:
    parsed = parse_rows(tmp_path, "crimes", [])
    assert parsed.rejected is None and parsed.rows_read == 0


# --- dates -------------------------------------------------------------------------------


def test_uk_date_style(tmp_path: Path) -> None:
    parsed = parse_rows(tmp_path, "custody", [good_row("custody")], style="uk")
    (row,) = parsed.rows()
    assert row["arrived_at"] == datetime(2023, 4, 10, 10, 0)


@pytest.mark.parametrize("clock", ["22:30", "22:30:00"])
def test_datetimes_with_or_without_seconds(tmp_path: Path, clock: str) -> None:
    parsed = parse_rows(tmp_path, "crimes",
                        [good_row("crimes", offence_from=f"2023-04-09 {clock}")])
    assert parsed.rows()[0]["offence_from"] == datetime(2023, 4, 9, 22, 30)


def test_typed_values_in_raw(tmp_path: Path) -> None:
    (row,) = parse_rows(tmp_path, "assault_admissions", [good_row("assault_admissions")]).rows()
    assert row["age"] == 19 and row["cost_gbp"] == 2375.0
    assert row["lsoa21_code"] is None
    assert row["period"] == "2023-24Q1" and row["row_number"] == 1


# --- workbooks (Leicestershire) ----------------------------------------------------------


def test_council_workbook_with_date_cells(tmp_path: Path) -> None:
    row = good_row("children_looked_after")
    row["episode_start"] = datetime(2023, 5, 1)  # a date cell
    parsed = parse_rows(tmp_path, "children_looked_after", [row], source="la/E10000018",
                        ext="xlsx")
    assert parsed.rejected is None
    (loaded,) = parsed.rows()
    assert loaded["episode_start"] == date(2023, 5, 1) and loaded["la_code"] == "E10000018"


def test_council_workbook_with_text_dates_in_uk_style(tmp_path: Path) -> None:
    rows = [good_row("child_protection_plans", child_ref=f"C{i}") for i in range(3)]
    rows[1]["plan_start"] = datetime(2023, 6, 2)  # date cells mix with text dates
    parsed = parse_rows(tmp_path, "child_protection_plans", rows, source="la/E10000018",
                        ext="xlsx", style="uk")
    assert parsed.rows_loaded == 3
    assert [r["plan_start"] for r in parsed.rows()] == [date(2023, 6, 1), date(2023, 6, 2),
                                                       date(2023, 6, 1)]


def test_workbook_numbers_and_row_numbers(tmp_path: Path) -> None:
    rows = [good_row("school_absence", child_ref=f"C{i}") for i in range(3)]
    rows[0]["sessions_possible"] = 300  # a number cell
    rows[2]["sessions_missed"] = 2.5  # not a whole number
    parsed = parse_rows(tmp_path, "school_absence", rows, source="la/E10000018", ext="xlsx")
    assert parsed.rows()[0]["sessions_possible"] == 300
    # sheet row 2 is data row 1
    assert [(q["row_number"], q["reason_code"]) for q in parsed.quarantine()] == [
        (3, "bad_number")]


def test_workbook_blank_rows_are_not_data_rows(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    header = BY_NAME["exclusions"].header
    row = list(good_row("exclusions").values())
    path = write_xlsx(landing / "la/E10000018/exclusions_2023-24.xlsx",
                      [header, row, [None] * len(header), [row[0] + "b", *row[1:]]])
    parsed = parse_path(landing, path, "la/E10000018", tmp_path)
    assert parsed.rows_loaded == 2
    assert [r["row_number"] for r in parsed.rows()] == [1, 3]


# --- headers and raw identifiers ---------------------------------------------------------


def test_header_spaces_and_bom_are_trimmed(tmp_path: Path) -> None:
    header = [f" {c} " for c in BY_NAME["outcomes"].header]
    parsed = parse_rows(tmp_path, "outcomes", [good_row("outcomes")], header=header,
                        encoding="utf-8-sig")
    assert parsed.rejected is None and parsed.rows_loaded == 1


@pytest.mark.parametrize(("header", "words"), [
    (["crime_ref", "Outcome_Code", "outcome_date"], "unexpected 'Outcome_Code'"),
    (["crime_ref", "outcome_date", "outcome_code"], "column 2"),
    (["crime_ref", "outcome_code", "outcome_date", "notes"], "unexpected 'notes'"),
    (["crime_ref", "outcome_code"], "missing outcome_date"),
])
def test_bad_header_rejects_the_whole_file(tmp_path: Path, header, words) -> None:
    parsed = parse_rows(tmp_path, "outcomes", [good_row("outcomes")], header=header)
    assert parsed.rejected and words in parsed.rejected
    assert parsed.rows_loaded == 0


@pytest.mark.parametrize("column", ["surname", " DOB ", "Date_Of_Birth", "NHS_NUMBER",
                                    "postcode", "upn", "Name"])
def test_raw_identifier_column_rejects_the_file_for_privacy(tmp_path: Path, column) -> None:
    header = [*BY_NAME["crime_people"].header, column]
    parsed = parse_rows(tmp_path, "crime_people", [good_row("crime_people")], header=header)
    assert parsed.rejected and "raw identifier" in parsed.rejected
    assert column.strip() in parsed.rejected


def test_raw_identifier_in_a_workbook(tmp_path: Path) -> None:
    header = [*BY_NAME["children_looked_after"].header, "Forename"]
    parsed = parse_rows(tmp_path, "children_looked_after", [good_row("children_looked_after")],
                        header=header, source="la/E10000018", ext="xlsx")
    assert parsed.rejected and "raw identifier" in parsed.rejected


# --- police.uk ---------------------------------------------------------------------------


def policeuk_file(landing: Path, rows, header=POLICEUK_HEADER,
                  name: str = "2023-01-leicestershire-street.csv") -> Path:
    path = landing / "policeuk" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(header, rows))
    return path


POLICEUK_ROWS = [
    ["abc", "2023-01", "Leicestershire Police", "Leicestershire Police", "-1.21", "52.62",
     "On or near Lowland Avenue", "E01025631", "Blaby 002A", "Other theft",
     "Investigation complete; no suspect identified", ""],
    ["", "2023-01", "Leicestershire Police", "Leicestershire Police", "", "", "No location",
     "", "", "Anti-social behaviour", "", ""],
]


def test_policeuk_rows_load_as_downloaded(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    path = policeuk_file(landing, POLICEUK_ROWS)
    parsed = parse_path(landing, path, "policeuk", tmp_path)
    assert parsed.rejected is None and parsed.rows_quarantined == 0
    rows = parsed.rows()
    assert [r["crime_type"] for r in rows] == ["Other theft", "Anti-social behaviour"]
    assert rows[0]["lsoa_name"] == "Blaby 002A" and rows[1]["crime_id"] is None
    assert rows[0]["period"] == "2023-01"


def test_policeuk_header_is_checked(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    header = [h.lower() for h in POLICEUK_HEADER]
    path = policeuk_file(landing, POLICEUK_ROWS, header=header)
    assert parse_path(landing, path, "policeuk", tmp_path).rejected


def test_policeuk_real_month_loads(tmp_path: Path) -> None:
    src = Path(__file__).parents[1] / "synthetic/data/policeuk/2023-01-leicestershire-street.csv"
    landing = tmp_path / "landing"
    (landing / "policeuk").mkdir(parents=True)
    path = landing / "policeuk" / src.name
    path.write_bytes(src.read_bytes())
    parsed = parse_path(landing, path, "policeuk", tmp_path)
    assert parsed.rejected is None
    assert parsed.rows_loaded == sum(1 for _ in src.open(encoding="utf-8")) - 1
