"""Commissioned services' quarterly returns (spec/returns.md): forms, not tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import commissioning
from ingest.commissioning import measure_name
from ingest.files import describe
from ingest.specs import RETURN_LABELS
from tests.support.partner_files import return_values, write_return, write_xlsx


def parse(tmp: Path, path: Path):
    landing = tmp / "landing"
    return commissioning.parse(describe(path, landing, "commissioning"), tmp / "work")


def returned(tmp: Path, service: str, **kw):
    return parse(tmp, write_return(tmp / "landing", service, **kw))


@pytest.mark.parametrize("service", ["sarc", "cyp_sarc", "isva"])
def test_a_good_return_becomes_one_row_per_measure(tmp_path: Path, service: str) -> None:
    parsed = returned(tmp_path, service)
    assert parsed.rejected is None
    rows = parsed.rows()
    assert [r["label"] for r in rows] == list(RETURN_LABELS[service])
    assert {r["service"] for r in rows} == {service}
    assert {r["fy_quarter"] for r in rows} == {"2024-25Q2"}
    values = return_values(service)
    assert {r["measure"]: r["value"] for r in rows} == {
        measure_name(k): float(v) for k, v in values.items()}


def test_measure_naming_rule() -> None:
    assert measure_name("Referrals received") == "referrals_received"
    assert measure_name("Forensic examination within 60 minutes (%)") == (
        "forensic_examination_within_60_minutes")
    assert measure_name("Average length of support (months)") == (
        "average_length_of_support_months")
    assert measure_name("Self-harm behaviours") == "self_harm_behaviours"
    assert measure_name("Children assessed (LLR)") == "children_assessed_llr"


def test_labels_match_ignoring_case_spaces_and_a_trailing_colon(tmp_path: Path) -> None:
    labels = {"Female": "  female: ", "Male": "MALE", "Complaints": "Complaints:"}
    parsed = returned(tmp_path, "sarc", labels=labels)
    assert parsed.rejected is None
    assert {r["label"] for r in parsed.rows()} >= {"Female", "Male", "Complaints"}


def test_numbers_stored_as_text_are_fine(tmp_path: Path) -> None:
    values = {k: str(v) for k, v in return_values("isva").items()}
    assert returned(tmp_path, "isva", values=values).rejected is None


def test_other_labels_and_section_headings_are_ignored(tmp_path: Path) -> None:
    parsed = returned(tmp_path, "cyp_sarc", extra_rows=[["Notes", "see attached"],
                                                        ["Period covered", "Jul to Sep"]])
    assert parsed.rejected is None and parsed.rows_loaded == len(RETURN_LABELS["cyp_sarc"])


def test_row_number_is_the_sheet_row_less_one(tmp_path: Path) -> None:
    rows = returned(tmp_path, "sarc").rows()
    # title, blank, heading, then the first label on sheet row 4
    assert rows[0]["row_number"] == 3


def test_percentage_cell_formatted_as_percent(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_return(tmp_path / "landing", "sarc",
                        values={**return_values("sarc"),
                                "Forensic examination within 60 minutes (%)": 0.855})
    wb = load_workbook(path)
    ws = wb["Return"]
    for row in ws.iter_rows():
        if row[0].value == "Forensic examination within 60 minutes (%)":
            row[1].number_format = "0.0%"
    wb.save(path)
    rows = {r["label"]: r["value"] for r in parse(tmp_path, path).rows()}
    assert rows["Forensic examination within 60 minutes (%)"] == pytest.approx(85.5)


@pytest.mark.parametrize(("change", "words"), [
    ({"Complaints": ...}, "missing: 'Complaints'"),
    ({"Complaints": None}, "has no value"),
    ({"Complaints": "none"}, "not a number"),
    ({"Complaints": 1.5}, "not a whole number"),
    ({"Referrals declined": -1}, "cannot be negative"),
    ({"Forensic examination within 60 minutes (%)": 101}, "outside 0–100"),
    ({"Female": 45}, "but Individuals supported is 50"),
    ({"Self referral": 14}, "but Individuals supported is 50"),
])
def test_sarc_return_rejected(tmp_path: Path, change, words) -> None:
    parsed = returned(tmp_path, "sarc", values={**return_values("sarc"), **change})
    assert parsed.rejected and words in parsed.rejected, parsed.rejected
    assert parsed.rows_loaded == 0


@pytest.mark.parametrize("change", [
    {"Male": 3}, {"Referred by social care": 4}, {"Referred for rape": 15},
])
def test_cyp_sarc_return_fails_its_checks(tmp_path: Path, change) -> None:
    parsed = returned(tmp_path, "cyp_sarc", values={**return_values("cyp_sarc"), **change})
    assert parsed.rejected and "Children assessed (LLR)" in parsed.rejected


@pytest.mark.parametrize(("change", "words"), [
    ({"Rutland": 6}, "but Referrals received is 238"),
    ({"Supported with a support plan": 219}, "exceeds Referrals received minus Declined"),
])
def test_isva_return_fails_its_checks(tmp_path: Path, change, words) -> None:
    parsed = returned(tmp_path, "isva", values={**return_values("isva"), **change})
    assert parsed.rejected and words in parsed.rejected


def test_isva_decimals_allowed_where_marked(tmp_path: Path) -> None:
    values = {**return_values("isva"), "Longest support (months)": 88.8}
    rows = {r["label"]: r["value"] for r in returned(tmp_path, "isva", values=values).rows()}
    assert rows["Longest support (months)"] == pytest.approx(88.8)


def test_a_workbook_without_a_return_sheet_is_rejected(tmp_path: Path) -> None:
    parsed = returned(tmp_path, "isva", sheet="Sheet1")
    assert parsed.rejected and "no sheet 'Return'" in parsed.rejected


def test_a_label_given_twice_is_rejected(tmp_path: Path) -> None:
    parsed = returned(tmp_path, "isva", extra_rows=[["Rutland", 5]])
    assert parsed.rejected and "appears twice" in parsed.rejected


def test_a_file_that_is_not_a_workbook_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "landing" / "commissioning" / "sarc_return_2024-25Q2.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a zip")
    assert "not a readable .xlsx" in parse(tmp_path, path).rejected


def test_the_period_comes_from_the_file_name_not_the_title(tmp_path: Path) -> None:
    path = tmp_path / "landing" / "commissioning" / "isva_return_2023-24Q3.xlsx"
    rows = [["ISVA quarterly return 2099-00Q9"]] + [
        [k, v] for k, v in return_values("isva").items()]
    write_xlsx(path, rows, sheet="Return")
    assert {r["fy_quarter"] for r in parse(tmp_path, path).rows()} == {"2023-24Q3"}
