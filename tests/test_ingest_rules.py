"""The spec's validation rules (partner-extracts.md, "Validation rules"), one test each.

Files are built by hand in a temporary folder and parsed exactly as ingest parses them,
without a warehouse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.partner_files import good_row, parse_rows


def verdicts(parsed) -> list[tuple[int, str, str]]:
    """(row_number, reason_code, column_name) of every quarantined row."""
    return [(q["row_number"], q["reason_code"], q["column_name"]) for q in parsed.quarantine()]


def only_verdict(tmp: Path, entity: str, **changes: str) -> tuple[str, str] | None:
    """The single quarantine verdict (rule, column) for one row with `changes`, or None."""
    parsed = parse_rows(tmp, entity, [good_row(entity, **changes)])
    assert parsed.rejected is None, parsed.rejected
    v = verdicts(parsed)
    assert len(v) <= 1
    return (v[0][1], v[0][2]) if v else None


ENTITIES = ("crimes", "crime_people", "outcomes", "custody", "icv_visits", "ae_assaults",
            "assault_admissions", "ambulance_assaults", "children_looked_after",
            "child_protection_plans", "school_absence", "exclusions", "funding")


@pytest.mark.parametrize("entity", ENTITIES)
def test_good_rows_pass_every_rule(tmp_path: Path, entity: str) -> None:
    parsed = parse_rows(tmp_path, entity, [good_row(entity)])
    assert parsed.rejected is None
    assert (parsed.rows_read, parsed.rows_loaded, parsed.rows_quarantined) == (1, 1, 0)


# --- missing_value -----------------------------------------------------------------------


@pytest.mark.parametrize(("entity", "column"), [
    ("crimes", "recorded_date"), ("crimes", "beat_code"), ("crime_people", "person_ref"),
    ("outcomes", "outcome_date"), ("custody", "age"), ("icv_visits", "offered"),
    ("ae_assaults", "site_code"), ("assault_admissions", "external_cause"),
    ("ambulance_assaults", "category"), ("children_looked_after", "sex"),
    ("school_absence", "sessions_missed"), ("funding", "amount_gbp"),
])
def test_missing_value_in_a_required_column(tmp_path: Path, entity: str, column: str) -> None:
    assert only_verdict(tmp_path, entity, **{column: ""}) == ("missing_value", column)


def test_missing_value_counts_spaces_as_blank(tmp_path: Path) -> None:
    assert only_verdict(tmp_path, "crimes", crime_ref="   ") == ("missing_value", "crime_ref")


@pytest.mark.parametrize(("entity", "columns"), [
    ("crimes", ("offence_to", "location_type", "flag_domestic_abuse", "flag_hate")),
    ("crime_people", ("age", "sex", "ethnicity", "postcode_district", "tok_surname",
                      "tok_forename", "tok_dob")),
    ("custody", ("released_at", "ethnicity", "tok_dob", "strip_search")),
    ("icv_visits", ("issues",)),
    ("ae_assaults", ("ethnicity", "lsoa21_code", "assault_at")),
    ("assault_admissions", ("discharged_at", "cost_gbp", "ethnicity", "lsoa21_code")),
    ("ambulance_assaults", ("lsoa21_code", "conveyed")),
    ("children_looked_after", ("episode_end", "legal_status", "tok_surname")),
    ("child_protection_plans", ("plan_end",)),
])
def test_optional_columns_may_be_blank(tmp_path: Path, entity: str, columns) -> None:
    assert only_verdict(tmp_path, entity, **dict.fromkeys(columns, "")) is None


# --- unknown_code ------------------------------------------------------------------------


@pytest.mark.parametrize(("entity", "column", "value"), [
    ("crimes", "ho_offence_code", "8Z"), ("crimes", "beat_code", "ZZ99"),
    ("outcomes", "outcome_code", "19"), ("custody", "arrest_ho_offence_code", "burglary"),
])
def test_unknown_code_against_reference_lists(tmp_path: Path, entity, column, value) -> None:
    assert only_verdict(tmp_path, entity, **{column: value}) == ("unknown_code", column)


@pytest.mark.parametrize(("entity", "column", "value"), [
    ("crimes", "status", "Recorded"), ("crimes", "location_type", "pub"),
    ("crimes", "flag_hate", "y"), ("crimes", "flag_firearm", "Yes"),
    ("crime_people", "role", "witness"), ("crime_people", "sex", "Male"),
    ("crime_people", "ethnicity", "White British"), ("custody", "suite_code", "LOU"),
    ("custody", "disposal", "charge"), ("ae_assaults", "assault_method", "punched"),
    ("ambulance_assaults", "category", "assault"), ("children_looked_after",
                                                    "category_of_need", "N9"),
    ("children_looked_after", "legal_status", "C3"), ("child_protection_plans", "category",
                                                      "SEX"),
    ("exclusions", "type", "fixed"), ("funding", "service_category", "sexual violence"),
])
def test_unknown_code_against_value_lists(tmp_path: Path, entity, column, value) -> None:
    assert only_verdict(tmp_path, entity, **{column: value}) == ("unknown_code", column)


@pytest.mark.parametrize(("entity", "column", "value"), [
    ("ae_assaults", "lad_code", "E0600016"), ("ae_assaults", "lad_code", "E10000O18"),
    ("ae_assaults", "lsoa21_code", "W01000001"), ("crime_people", "postcode_district", "LE3 1"),
    ("assault_admissions", "primary_diagnosis", "S01.81"),
    ("assault_admissions", "primary_diagnosis", "SO1.8"),
    ("assault_admissions", "external_cause", "W50"),
    ("assault_admissions", "external_cause", "Y10"),
    ("assault_admissions", "external_cause", "X99.12"),
])
def test_unknown_code_against_patterns(tmp_path: Path, entity, column, value) -> None:
    assert only_verdict(tmp_path, entity, **{column: value}) == ("unknown_code", column)


@pytest.mark.parametrize("cause", ["X99", "X99.1", "X991", "X85", "Y09", "Y09.9"])
def test_external_cause_may_be_written_three_ways(tmp_path: Path, cause: str) -> None:
    assert only_verdict(tmp_path, "assault_admissions", external_cause=cause) is None


def test_out_of_area_lad_code_is_loaded(tmp_path: Path) -> None:
    assert only_verdict(tmp_path, "ae_assaults", lad_code="E08000025") is None


@pytest.mark.parametrize(("issues", "verdict"), [
    ("food_drink", None), ("food_drink;cell_condition;other", None), ("", None),
    ("food;drink", ("unknown_code", "issues")), ("noise", ("unknown_code", "issues")),
    ("food_drink;Cell condition", ("unknown_code", "issues")),
])
def test_icv_issues_are_semicolon_separated_categories(tmp_path: Path, issues, verdict) -> None:
    assert only_verdict(tmp_path, "icv_visits", issues=issues) == verdict


# --- bad_date ----------------------------------------------------------------------------


@pytest.mark.parametrize(("entity", "column", "value"), [
    ("crimes", "recorded_date", "2023-02-29"), ("crimes", "recorded_date", "2023-04-31"),
    ("crimes", "offence_from", "2023-04-32 10:00"), ("crimes", "recorded_date", "10 April 2023"),
    ("crimes", "offence_from", "2023-04-09"), ("crimes", "offence_from", "2023-04-09 25:00"),
    ("custody", "released_at", "tomorrow"), ("children_looked_after", "episode_end", "2023-13-01"),
])
def test_bad_date_does_not_parse_or_is_not_a_calendar_date(tmp_path, entity, column,
                                                            value) -> None:
    assert only_verdict(tmp_path, entity, **{column: value}) == ("bad_date", column)


def test_bad_date_in_the_other_style_than_the_file(tmp_path: Path) -> None:
    rows = [good_row("crimes", crime_ref=f"CR/{i}") for i in range(3)]
    rows[2]["recorded_date"] = "10/04/2023"  # a UK date in an ISO file
    parsed = parse_rows(tmp_path, "crimes", rows)
    assert verdicts(parsed) == [(3, "bad_date", "recorded_date")]


def test_bad_date_style_is_detected_per_file(tmp_path: Path) -> None:
    rows = [good_row("crimes", crime_ref=f"CR/{i}") for i in range(3)]
    parsed = parse_rows(tmp_path, "crimes", rows, style="uk")
    assert parsed.rows_loaded == 3
    assert parsed.rows()[0]["recorded_date"].isoformat() == "2023-04-10"


# --- impossible_date ---------------------------------------------------------------------


@pytest.mark.parametrize(("entity", "changes", "column"), [
    ("crimes", {"offence_to": "2023-04-09 22:00"}, "offence_to"),
    ("custody", {"released_at": "2023-04-10 09:59:00"}, "released_at"),
    ("custody", {"authorised_at": "2023-04-10 09:00:00"}, "authorised_at"),
    ("icv_visits", {"admitted_at": "2023-04-12 13:59:00"}, "admitted_at"),
    ("assault_admissions", {"discharged_at": "2023-04-12 20:00"}, "discharged_at"),
    ("children_looked_after", {"episode_end": "2023-04-30"}, "episode_end"),
    ("child_protection_plans", {"plan_end": "2023-05-31"}, "plan_end"),
])
def test_impossible_date_an_end_before_its_start(tmp_path, entity, changes, column) -> None:
    assert only_verdict(tmp_path, entity, **changes) == ("impossible_date", column)


def test_impossible_date_offence_from_a_later_day_than_recorded(tmp_path: Path) -> None:
    assert only_verdict(tmp_path, "crimes", offence_from="2023-04-11 00:05") == (
        "impossible_date", "offence_from")


def test_dates_compare_as_dates_same_day_is_not_later(tmp_path: Path) -> None:
    # Recorded on the 10th, offence at 23:59 on the 10th: not a later day.
    assert only_verdict(tmp_path, "crimes", offence_from="2023-04-10 23:59") is None


def test_impossible_date_an_event_after_the_end_of_the_period(tmp_path: Path) -> None:
    assert only_verdict(tmp_path, "ae_assaults", assault_at="2023-07-01 00:10") == (
        "impossible_date", "assault_at")


@pytest.mark.parametrize(("entity", "changes"), [
    ("custody", {"released_at": "2023-07-03 08:00:00"}),
    ("assault_admissions", {"discharged_at": "2023-08-01 10:00"}),
    ("children_looked_after", {"episode_end": "2024-01-01"}),
    ("child_protection_plans", {"plan_end": "2024-03-01"}),
])
def test_end_dates_may_run_past_the_period(tmp_path: Path, entity, changes) -> None:
    assert only_verdict(tmp_path, entity, **changes) is None


# --- out_of_period -----------------------------------------------------------------------


@pytest.mark.parametrize(("entity", "changes", "column"), [
    ("crimes", {"recorded_date": "2023-03-31", "offence_from": "2023-03-30 10:00"},
     "recorded_date"),
    ("custody", {"arrived_at": "2023-07-01 00:00:00", "authorised_at": "2023-07-01 00:10:00",
                 "released_at": ""}, "arrived_at"),
    ("icv_visits", {"arrived_at": "2023-03-01 10:00:00", "admitted_at": "2023-03-01 10:00:00"},
     "arrived_at"),
    ("assault_admissions", {"admitted_at": "2023-01-02 10:00"}, "admitted_at"),
    ("ambulance_assaults", {"call_at": "2023-07-01 00:00"}, "call_at"),
    ("children_looked_after", {"episode_start": "2023-03-31"}, "episode_start"),
    ("child_protection_plans", {"plan_start": "2023-07-01", "plan_end": ""}, "plan_start"),
    ("school_absence", {"academic_year": "2022-23"}, "academic_year"),
    ("funding", {"financial_year": "2022-23"}, "financial_year"),
])
def test_out_of_period_placing_date(tmp_path: Path, entity, changes, column) -> None:
    assert only_verdict(tmp_path, entity, **changes) == ("out_of_period", column)


def test_out_of_period_not_impossible_date_for_the_placing_date(tmp_path: Path) -> None:
    # recorded_date after the period's end is the placing date: out_of_period.
    assert only_verdict(tmp_path, "crimes", recorded_date="2023-07-02") == (
        "out_of_period", "recorded_date")


@pytest.mark.parametrize(("outcome_date", "verdict"), [
    ("2023-05-01", None), ("2022-11-30", None), ("2023-06-30", None),
    ("2023-07-01", ("out_of_period", "outcome_date")),
])
def test_outcome_date_may_be_in_an_earlier_period_not_a_later_one(tmp_path, outcome_date,
                                                                  verdict) -> None:
    assert only_verdict(tmp_path, "outcomes", outcome_date=outcome_date) == verdict


@pytest.mark.parametrize(("start_date", "verdict"), [
    ("2023-09-01", None), ("2024-08-31", None),
    ("2023-08-31", ("out_of_period", "start_date")),
    ("2024-09-01", ("out_of_period", "start_date")),
])
def test_academic_years_run_september_to_august(tmp_path: Path, start_date, verdict) -> None:
    assert only_verdict(tmp_path, "exclusions", start_date=start_date) == verdict


# --- bad_number --------------------------------------------------------------------------


@pytest.mark.parametrize(("entity", "column", "value"), [
    ("custody", "age", "130"), ("custody", "age", "-1"), ("crime_people", "age", "34.5"),
    ("ae_assaults", "age", "unknown"), ("icv_visits", "refused", "-1"),
    ("school_absence", "sessions_possible", "2.5"), ("exclusions", "sessions", "several"),
    ("assault_admissions", "cost_gbp", "£2,375.00"), ("funding", "amount_gbp", "TBC"),
])
def test_bad_number(tmp_path: Path, entity: str, column: str, value: str) -> None:
    assert only_verdict(tmp_path, entity, **{column: value}) == ("bad_number", column)


@pytest.mark.parametrize(("column", "value"), [("age", "0"), ("age", "120")])
def test_ages_from_0_to_120_are_whole_numbers_in_range(tmp_path, column, value) -> None:
    assert only_verdict(tmp_path, "custody", **{column: value}) is None


# --- duplicate_key -----------------------------------------------------------------------


def test_duplicate_key_every_row_sharing_a_key(tmp_path: Path) -> None:
    rows = [good_row("crimes", crime_ref="CR/1"), good_row("crimes", crime_ref="CR/2"),
            good_row("crimes", crime_ref="CR/1")]
    parsed = parse_rows(tmp_path, "crimes", rows)
    assert verdicts(parsed) == [(1, "duplicate_key", "crime_ref"),
                                (3, "duplicate_key", "crime_ref")]
    assert parsed.rows_loaded == 1


def test_duplicate_key_is_the_whole_key(tmp_path: Path) -> None:
    rows = [good_row("crime_people", role="victim"), good_row("crime_people", role="suspect")]
    assert verdicts(parse_rows(tmp_path, "crime_people", rows)) == []
    rows.append(good_row("crime_people", role="suspect"))
    assert [v[1] for v in verdicts(parse_rows(tmp_path / "b", "crime_people", rows))] == [
        "duplicate_key", "duplicate_key"]


def test_council_keys_compare_start_dates_as_dates(tmp_path: Path) -> None:
    rows = [good_row("children_looked_after"), good_row("children_looked_after")]
    parsed = parse_rows(tmp_path, "children_looked_after", rows, style="uk")
    assert [v[1] for v in verdicts(parsed)] == ["duplicate_key", "duplicate_key"]


def test_outcomes_have_no_key_two_on_one_day_are_both_kept(tmp_path: Path) -> None:
    rows = [good_row("outcomes"), good_row("outcomes")]
    assert parse_rows(tmp_path, "outcomes", rows).rows_loaded == 2


# --- sum_mismatch ------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "column"), [
    ({"asleep_observed": "4"}, "detainees_in_cells"),
    ({"refused": "2"}, "offered"),
])
def test_sum_mismatch_icv_parts_do_not_add_up(tmp_path: Path, changes, column) -> None:
    assert only_verdict(tmp_path, "icv_visits", **changes) == ("sum_mismatch", column)


# --- one row, one verdict ----------------------------------------------------------------


def test_first_failing_rule_in_the_table_order_wins(tmp_path: Path) -> None:
    # unknown code (beat) and bad date (recorded) and bad number: unknown_code first.
    assert only_verdict(tmp_path, "crimes", beat_code="ZZ", recorded_date="2023-02-30") == (
        "unknown_code", "beat_code")
    # missing value beats everything, even a duplicate or a sum mismatch.
    assert only_verdict(tmp_path / "b", "icv_visits", suite_code="", refused="9") == (
        "missing_value", "suite_code")
    # bad_number comes before sum_mismatch.
    assert only_verdict(tmp_path / "c", "icv_visits", refused="-1") == (
        "bad_number", "refused")


def test_first_failing_column_in_file_order_within_a_rule(tmp_path: Path) -> None:
    assert only_verdict(tmp_path, "custody", sex="Q", suite_code="LOU", disposal="x") == (
        "unknown_code", "suite_code")


def test_a_bad_row_gives_one_quarantine_row(tmp_path: Path) -> None:
    bad = good_row("ae_assaults", attendance_ref="AE0002", site_code="", age="999", sex="Q",
                   arrived_at="31/04/2023")
    parsed = parse_rows(tmp_path, "ae_assaults", [good_row("ae_assaults"), bad])
    assert verdicts(parsed) == [(2, "missing_value", "site_code")]
    assert (parsed.rows_loaded, parsed.rows_quarantined) == (1, 1)


def test_reason_names_the_column_the_value_and_what_was_expected(tmp_path: Path) -> None:
    parsed = parse_rows(tmp_path, "crimes", [good_row("crimes", beat_code="ZZ99")])
    (q,) = parsed.quarantine()
    assert q["bad_value"] == "ZZ99"
    assert "beat_code" in q["reason"] and "'ZZ99'" in q["reason"] and "beat" in q["reason"]
    assert q["file_name"] == "police/crimes_2023-24Q1.csv"
    assert (q["source"], q["entity"], q["period"]) == ("police", "crimes", "2023-24Q1")
    assert len(q["file_sha256"]) == 64


def test_row_number_is_the_one_based_data_row(tmp_path: Path) -> None:
    rows = [good_row("crimes", crime_ref=f"CR/{i}") for i in range(5)]
    rows[3]["status"] = "closed"
    parsed = parse_rows(tmp_path, "crimes", rows)
    assert verdicts(parsed) == [(4, "unknown_code", "status")]
    assert [r["row_number"] for r in parsed.rows()] == [1, 2, 3, 5]
