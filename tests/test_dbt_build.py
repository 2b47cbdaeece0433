"""`dbt build` on a small hand-made warehouse: the contract tables follow the counting rules.

The raw tables are created by `ingest.schema.create_schemas` and filled with a few rows
written here by hand, each there for one rule (a cancelled crime, common assault with a
knife flag, `4.1` beside `4.10`, two outcomes on one day, an outcome whose crime has not
arrived, an out-of-area admission, ...). dbt runs once for the module, in a subprocess,
with its own target folder so parallel test workers never share one (`run_dbt_build` is
`support.published.dbt_build`, the tests' one dbt invocation). The linkage
models (`models/marts/people`) are left out: they need the Splink step first.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support.published import dbt_build as run_dbt_build
from support.published import run_dbt

from ingest.schema import create_schemas

LLR_POPULATION = 1_136_705
LEICESTER_POPULATION = 373_399


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, period: str,
                rows: Sequence[Mapping[str, Any]], *, la_code: str | None = None) -> None:
    """Rows of one partner file into `raw.<table>`, with the lineage ingest would add."""
    source, entity = table.split("__", 1)
    folder = f"la/{la_code}" if la_code else source
    file_name = f"{folder}/{entity}_{period}.csv"
    columns = sorted({c for row in rows for c in row})
    lineage = ["file_name", "file_sha256", "row_number", "period"]
    names = ", ".join(f'"{c}"' for c in [*columns, *lineage])
    marks = ", ".join("?" for _ in [*columns, *lineage])
    con.executemany(
        f"insert into raw.{table} ({names}) values ({marks})",
        [[row.get(c) for c in columns] + [file_name, "0" * 64, i, period]
         for i, row in enumerate(rows, start=1)],
    )
    # The audit trail ingest would write: the file is loaded (coverage reads it).
    con.execute(
        "insert into audit.files (file_name, source, entity, period, sha256, size_bytes, "
        "rows_read, rows_loaded, rows_quarantined, outcome, loaded_at) "
        "select ?, ?, ?, ?, ?, 0, 0, 0, 0, 'loaded', now() where not exists "
        "(select 1 from audit.files where file_name = ?)",
        [file_name, folder, entity, period, "0" * 64, file_name])


def crime(ref: str, code: str, recorded: str, beat: str, *, knife: str = "N",
          status: str = "recorded", offence_from: str | None = None,
          location: str | None = "dwelling") -> dict[str, Any]:
    return {"crime_ref": ref, "recorded_date": recorded,
            "offence_from": offence_from or f"{recorded} 12:00:00", "ho_offence_code": code,
            "beat_code": beat, "location_type": location, "flag_knife_sharp": knife,
            "flag_domestic_abuse": "N", "status": status}


def person(crime_ref: str, person_ref: str, role: str, age: int | None,
           sex: str = "F") -> dict[str, Any]:
    return {"crime_ref": crime_ref, "person_ref": person_ref, "role": role, "age": age,
            "sex": sex}


def load_hand_made_rows(con: duckdb.DuckDBPyConnection) -> None:
    insert_rows(con, "police__crimes", "2023-24Q1", [
        # knife-enabled 8N in Leicester, youngest victim 19, at 23:30 (night-time economy)
        crime("CR/1", "8N", "2023-05-01", "LC01", knife="Y",
              offence_from="2023-04-30 23:30:00"),
        # common assault with a knife flag: never serious violence
        crime("CR/2", "105A", "2023-05-02", "LC01", knife="Y"),
        # 4.10 corporate manslaughter (Blaby) and 4.1 manslaughter with a knife (Leicester)
        crime("CR/3", "4.10", "2023-05-03", "HB06"),
        crime("CR/4", "4.1", "2023-05-04", "LC02", knife="Y"),
        # cancelled in the newest file for its period: counts nowhere
        crime("CR/5", "8N", "2023-05-05", "LC01", knife="Y", status="cancelled"),
        crime("CR/6", "19C", "2023-06-01", "CH01"),
    ])
    insert_rows(con, "police__crimes", "2023-24Q2", [
        crime("CR/7", "19C", "2023-08-15", "CH02"),
        # harassment flagged knife: serious violence, not on the Home Office knife list
        crime("CR/10", "8L", "2023-09-01", "MR04", knife="Y", location=None),
    ])
    insert_rows(con, "police__crimes", "2023-24Q3", [crime("CR/9", "20A", "2023-10-10", "HB01")])
    insert_rows(con, "police__crimes", "2023-24Q4", [crime("CR/8", "19D", "2024-02-01", "LE01")])

    insert_rows(con, "police__crime_people", "2023-24Q1", [
        person("CR/1", "P1", "victim", 19), person("CR/1", "P2", "victim", 40, "M"),
        person("CR/1", "P3", "suspect", 22, "M"),
        person("CR/3", "P6", "victim", 30, "M"),
        person("CR/4", "P4", "victim", 17, "M"), person("CR/4", "P5", "suspect", 30, "M"),
        person("CR/6", "P7", "victim", 25), person("CR/6", "P8", "suspect", 18, "M"),
        # waits: its crime has not arrived
        person("CR/999", "P99", "victim", 10),
    ])
    insert_rows(con, "police__crime_people", "2023-24Q2", [
        person("CR/7", "P7", "victim", 25), person("CR/7", "P8", "suspect", 18, "M"),
    ])
    insert_rows(con, "police__crime_people", "2023-24Q4", [person("CR/8", "P9", "victim", 15)])

    insert_rows(con, "police__outcomes", "2023-24Q1", [
        {"crime_ref": "CR/999", "outcome_code": "1", "outcome_date": "2023-06-01"},
        {"crime_ref": "CR/5", "outcome_code": "1", "outcome_date": "2023-06-01"},
    ])
    insert_rows(con, "police__outcomes", "2023-24Q2", [
        {"crime_ref": "CR/6", "outcome_code": "16", "outcome_date": "2023-07-01"},
        {"crime_ref": "CR/6", "outcome_code": "1", "outcome_date": "2023-09-01"},
    ])
    # two assignments on one day in two files: the later period's file wins
    insert_rows(con, "police__outcomes", "2023-24Q3", [
        {"crime_ref": "CR/7", "outcome_code": "15", "outcome_date": "2023-12-01"},
    ])
    insert_rows(con, "police__outcomes", "2023-24Q4", [
        {"crime_ref": "CR/7", "outcome_code": "14", "outcome_date": "2023-12-01"},
    ])

    insert_rows(con, "police__custody", "2023-24Q1", [
        {"custody_ref": "CU1", "suite_code": "EUS", "arrived_at": "2023-04-10 10:00:00",
         "authorised_at": "2023-04-10 10:15:00", "released_at": "2023-04-10 20:00:00",
         "person_ref": "P1", "age": 16, "sex": "M", "arrest_ho_offence_code": "8N",
         "disposal": "charged"},
        {"custody_ref": "CU2", "suite_code": "KEY", "arrived_at": "2023-05-01 08:00:00",
         "authorised_at": "2023-05-01 08:10:00", "released_at": None, "person_ref": "P2",
         "age": 30, "sex": "F", "arrest_ho_offence_code": "46", "disposal": "other"},
    ])

    insert_rows(con, "opcc__icv_visits", "2023-24Q1", [
        # Monday, admitted after 5 minutes: immediate access
        {"visit_ref": "V1", "suite_code": "EUS", "arrived_at": "2023-04-03 09:00:00",
         "admitted_at": "2023-04-03 09:05:00", "detainees_in_cells": 10, "offered": 4,
         "not_offered_on_advice": 1, "unavailable": 2, "asleep_observed": 3, "agreed": 3,
         "refused": 1, "issues": "food_drink;cell_condition"},
        # Saturday evening, 5 min 30 s: over 5 minutes, so the 6-15 band
        {"visit_ref": "V2", "suite_code": "KEY", "arrived_at": "2023-04-08 21:00:00",
         "admitted_at": "2023-04-08 21:05:30", "detainees_in_cells": 5, "offered": 2,
         "not_offered_on_advice": 1, "unavailable": 1, "asleep_observed": 1, "agreed": 2,
         "refused": 0, "issues": "food_drink"},
        {"visit_ref": "V3", "suite_code": "EUS", "arrived_at": "2023-04-04 02:00:00",
         "admitted_at": "2023-04-04 02:20:00", "detainees_in_cells": 3, "offered": 1,
         "not_offered_on_advice": 0, "unavailable": 1, "asleep_observed": 1, "agreed": 0,
         "refused": 1, "issues": None},
    ])

    insert_rows(con, "health__assault_admissions", "2023-24Q1", [
        {"spell_ref": "S1", "admitted_at": "2023-05-01 10:00:00",
         "discharged_at": "2023-05-03 10:00:00", "age": 20, "sex": "M",
         "lad_code": "E07000130", "primary_diagnosis": "S01.8", "external_cause": "X99",
         "cost_gbp": 2000.0},
        {"spell_ref": "S2", "admitted_at": "2023-05-02 10:00:00",
         "discharged_at": "2023-05-02 18:00:00", "age": 30, "sex": "F",
         "lad_code": "E06000016", "primary_diagnosis": "S21.1", "external_cause": "X991",
         "cost_gbp": 3000.0},
        # out of area: loaded, outside every LLR figure
        {"spell_ref": "S3", "admitted_at": "2023-05-03 10:00:00", "age": 20, "sex": "M",
         "lad_code": "E09000001", "primary_diagnosis": "S01.8", "external_cause": "X99"},
        {"spell_ref": "S4", "admitted_at": "2023-05-04 10:00:00",
         "discharged_at": "2023-05-09 10:00:00", "age": 19, "sex": "M",
         "lad_code": "E06000017", "primary_diagnosis": "S02.0", "external_cause": "Y04"},
    ])
    insert_rows(con, "health__ae_assaults", "2023-24Q1", [
        {"attendance_ref": "AE1", "site_code": "RWE", "arrived_at": "2023-05-01 23:00:00",
         "age": 20, "sex": "M", "lad_code": "E06000016", "assault_method": "knife_sharp",
         "assault_location_type": "street"},
        {"attendance_ref": "AE2", "site_code": "RWE", "arrived_at": "2023-05-01 23:00:00",
         "age": 20, "sex": "M", "lad_code": "E08000026", "assault_method": "blunt",
         "assault_location_type": "street"},
    ])
    insert_rows(con, "health__ambulance_assaults", "2023-24Q1", [
        {"incident_ref": "AM1", "call_at": "2023-05-01 22:00:00", "lad_code": "E07000129",
         "category": "stab_gunshot_penetrating", "conveyed": "Y", "age": 18, "sex": "M"},
        {"incident_ref": "AM2", "call_at": "2023-05-02 22:00:00", "lad_code": "E06000016",
         "category": "assault_sexual_assault", "conveyed": "N", "age": 30, "sex": "F"},
        {"incident_ref": "AM3", "call_at": "2023-05-03 22:00:00", "lad_code": "E06000016",
         "category": "assault_sexual_assault", "conveyed": None, "age": 40, "sex": "F"},
    ])

    for period, value in (("2024-25Q1", 60), ("2024-25Q2", 74)):
        insert_rows(con, "commissioning__service_returns", period, [
            {"service": "sarc", "fy_quarter": period, "label": "Referrals received",
             "measure": "referrals_received", "value": value},
            {"service": "sarc", "fy_quarter": period,
             "label": "Forensic examination within 60 minutes (%)",
             "measure": "forensic_examination_within_60_minutes", "value": 100.0},
        ])
    for year, amount in (("2022-23", 50_000.0), ("2023-24", 67_906.0)):
        insert_rows(con, "commissioning__funding", year, [
            {"provider": "Juniper Lodge", "service": "Sexual Assault Referral Centre",
             "service_category": "sexual_violence", "financial_year": year,
             "amount_gbp": amount},
        ])

    street = [
        ("crime-1", "E01025631", "Blaby 002A", "Burglary"),
        (None, "E01025632", "Blaby 002B", "Anti-social behaviour"),
        ("crime-3", "E01013600", "Leicester 010C", "Violence and sexual offences"),
        ("crime-4", "E01025900", "North West Leicestershire 001A", "Shoplifting"),
        ("crime-5", None, None, "Other theft"),  # no location: not in LLR figures
        ("crime-6", "E01027800", "Nottingham 001A", "Burglary"),  # outside LLR
    ]
    insert_rows(con, "policeuk__street", "2023-01", [
        {"crime_id": cid, "month": "2023-01", "reported_by": "Leicestershire Police",
         "falls_within": "Leicestershire Police", "lsoa_code": code, "lsoa_name": name,
         "crime_type": crime_type}
        for cid, code, name, crime_type in street
    ])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made warehouse's file, built."""
    workdir = tmp_path_factory.mktemp("dbt_hand_made")
    path = workdir / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        create_schemas(con)
        load_hand_made_rows(con)
    result = run_dbt_build(path, workdir)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return path


@pytest.fixture(scope="module")
def warehouse(built: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built), read_only=True)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_schemas_are_exactly_the_layer_names(warehouse):
    schemas = {s for (s,) in rows(warehouse, "select schema_name from information_schema.schemata")}
    assert {"staging", "intermediate", "marts", "seeds"} <= schemas
    assert not any(s.startswith("main_") for s in schemas)


def test_cancelled_and_common_assault_are_never_serious_violence(warehouse):
    refs = {r for (r,) in rows(warehouse, "select crime_ref from marts.fct_serious_violence")}
    assert refs == {"CR/1", "CR/3", "CR/4", "CR/6", "CR/7", "CR/8", "CR/9", "CR/10"}


def test_offence_codes_4_1_and_4_10_stay_distinct(warehouse):
    found = dict(rows(warehouse, """
        select ho_offence_code, offence_description from marts.fct_serious_violence
        where crime_ref in ('CR/3', 'CR/4')"""))
    assert found == {"4.10": "Corporate manslaughter", "4.1": "Manslaughter"}


def test_serious_violence_row_carries_people_time_and_place(warehouse):
    (row,) = rows(warehouse, """
        select offence_date, offence_hour, is_night_time_economy, financial_year, la_code,
               district_code, victim_count, youngest_victim_age, suspect_count,
               youngest_suspect_age, is_knife_enabled_ho
        from marts.fct_serious_violence where crime_ref = 'CR/1'""")
    assert row[1:] == (23, True, "2023-24", "E06000016", "E06000016", 2, 19, 1, 22, True)
    assert str(row[0]) == "2023-04-30"


def test_sv_duty_measures_follow_the_home_office_definitions(warehouse):
    got = {(m, a): v for m, a, v in rows(warehouse, """
        select measure, age_group, value from marts.mart_sv_duty_measures
        where financial_year = '2023-24'""")}
    assert got == {
        ("knife_enabled_sv", "all"): 2, ("knife_enabled_sv", "under_25"): 2,
        ("homicide", "all"): 2, ("homicide", "under_25"): 1,
        ("knife_homicide", "all"): 1, ("knife_homicide", "under_25"): 1,
        ("sharp_object_admissions", "all"): 2, ("sharp_object_admissions", "under_25"): 1,
    }
    assert rows(warehouse, "select count(*) from marts.mart_sv_duty_measures") == [(8,)]


def test_sv_by_area_rates_per_1000_use_the_population_seed(warehouse):
    got = {(lvl, code): (n, pop, rate, share) for lvl, code, n, pop, rate, share in rows(
        warehouse, """
        select area_level, area_code, offences, population, rate_per_1000, share_of_llr
        from marts.mart_sv_by_area where financial_year = '2023-24'""")}
    assert got[("llr", "LLR")][:2] == (8, LLR_POPULATION)
    assert math.isclose(got[("llr", "LLR")][2], 8 * 1000 / LLR_POPULATION)
    assert got[("la", "E06000016")][:2] == (3, LEICESTER_POPULATION)
    assert math.isclose(got[("la", "E06000016")][2], 3 * 1000 / LEICESTER_POPULATION)
    assert math.isclose(got[("la", "E06000016")][3], 3 / 8)
    assert got[("la", "E10000018")][0] == 4
    assert got[("district", "E07000130")][0] == 2  # Charnwood
    assert got[("district", "E07000133")][:1] == (0,)  # Melton: present, 0
    bhb = "Blaby, Hinckley and Bosworth Community Safety Partnership"
    assert got[("csp", bhb)][:2] == (2, 104_182 + 114_298)
    assert len(got) == 1 + 3 + 9 + 8


def test_rasso_current_outcome_and_youngest_people(warehouse):
    got = {r[0]: r[1:] for r in rows(warehouse, """
        select crime_ref, is_rape, outcome_code, is_charged, is_victim_not_supporting,
               days_to_outcome, victim_age, victim_sex, suspect_age
        from marts.fct_rasso order by crime_ref""")}
    assert got == {
        "CR/6": (True, "1", True, False, 92, 25, "F", 18),
        "CR/7": (True, "14", False, True, 108, 25, "F", 18),
        "CR/8": (True, None, False, False, None, 15, "F", None),
        "CR/9": (False, None, False, False, None, None, None, None),
    }


def test_rasso_performance_starts_with_the_first_whole_12_months(warehouse):
    got = rows(warehouse, """
        select month_end, window_start, rapes_12m, charged_12m, charge_rate_12m,
               median_days_to_outcome_12m, victim_not_supporting_rate_12m,
               rapes_per_1000_12m
        from marts.mart_rasso_performance""")
    assert len(got) == 1
    month_end, window_start, rapes, charged, charge_rate, median, vns_rate, per_1000 = got[0]
    assert (str(month_end), str(window_start), rapes, charged) == (
        "2024-03-31", "2023-04-01", 3, 1)
    assert math.isclose(charge_rate, 1 / 3)
    assert median == 100.0  # mean of 92 and 108
    assert math.isclose(vns_rate, 1 / 3)
    assert math.isclose(per_1000, 3 * 1000 / LLR_POPULATION)


def test_rasso_repeat_victims_and_suspects(warehouse):
    got = {(scope, role): (p, rep) for scope, role, p, rep in rows(warehouse, """
        select offence_scope, role, persons, repeat_persons from marts.mart_rasso__repeat_people
        where financial_year = '2023-24'""")}
    assert got[("rape", "victim")] == (2, 1)  # P7 twice, P9 once
    assert got[("rape", "suspect")] == (1, 1)  # P8 twice


def test_custody_detention_hours_and_juveniles(warehouse):
    got = {r[0]: r[1:] for r in rows(warehouse, """
        select custody_ref, detention_hours, is_juvenile, financial_year
        from marts.fct_custody_detention""")}
    assert got == {"CU1": (10.0, True, "2023-24"), "CU2": (None, False, "2023-24")}


def test_assault_injury_keeps_llr_residents_only(warehouse):
    got = {(s, r): (m, sharp) for s, r, m, sharp in rows(warehouse, """
        select source, event_ref, means, is_sharp_object from marts.fct_assault_injury""")}
    assert got == {
        ("admission", "S1"): ("X99", True), ("admission", "S2"): ("X99.1", True),
        ("admission", "S4"): ("Y04", False), ("ae", "AE1"): ("knife_sharp", True),
        ("ambulance", "AM1"): ("stab_gunshot_penetrating", True),
        ("ambulance", "AM2"): ("assault_sexual_assault", False),
        ("ambulance", "AM3"): ("assault_sexual_assault", False),
    }


def test_ambulance_conveyance_blank_counts_as_not_conveyed(warehouse):
    got = {c: (n, conv, rate) for c, n, conv, rate in rows(warehouse, """
        select category, call_outs, conveyed, conveyed_rate from marts.mart_health__ambulance
        where financial_year = '2023-24'""")}
    assert got["all"][:2] == (3, 1)
    assert got["stab_gunshot_penetrating"] == (1, 1, 1.0)


def test_icv_access_delay_weekday_and_time_slot(warehouse):
    got = {r[0]: r[1:] for r in rows(warehouse, """
        select visit_ref, access_delay_minutes, access_band, weekday, time_slot
        from marts.fct_icv_visit""")}
    assert got == {
        "V1": (5, "up_to_5_min", 1, "08:00-11:59"),
        "V2": (6, "6_to_15_min", 6, "20:00-23:59"),
        "V3": (20, "over_15_min", 2, "00:00-07:59"),
    }


def test_icv_visits_against_the_weekly_target(warehouse):
    got = {s: (v, w, t) for s, v, w, t in rows(warehouse, """
        select suite_code, visits, weeks_covered, target_visits
        from marts.mart_icv__visits_vs_target where financial_year = '2023-24'""")}
    assert got["all"] == (3, 13, 26)  # one quarter = 13 whole weeks, two primary suites
    assert got["BEA"] == (0, 13, 0)


def test_icv_grid_has_every_weekday_and_slot_per_suite(warehouse):
    (count, visits), = rows(warehouse, """
        select count(*), sum(visits) from marts.mart_icv__visit_grid""")
    assert (count, visits) == (3 * 7 * 5, 3)


def test_icv_detainees_and_issues(warehouse):
    (row,) = rows(warehouse, """
        select detainees_in_cells, offered, agreed, refused, agreed_share_of_offered
        from marts.mart_icv__detainees where suite_code = 'all'""")
    assert row[:4] == (18, 7, 5, 2)
    assert math.isclose(row[4], 5 / 7)
    issues = dict(rows(warehouse, """
        select issue_category, visits_reporting from marts.mart_icv__issues
        where rank_in_year = 1"""))
    assert issues == {"food_drink": 2}


def test_service_returns_year_to_date_adds_counts_only(warehouse):
    got = {m: (v, prev, ytd) for m, v, prev, ytd in rows(warehouse, """
        select measure, value, previous_quarter_value, financial_year_to_date
        from marts.mart_commissioning__service_returns where fy_quarter = '2024-25Q2'""")}
    assert got["referrals_received"] == (74.0, 60.0, 134.0)
    assert got["forensic_examination_within_60_minutes"] == (100.0, 100.0, None)


def test_funding_by_provider_runs_to_the_year_end(warehouse):
    got = rows(warehouse, """
        select financial_year, amount_gbp, cumulative_amount_gbp
        from marts.mart_commissioning__funding_by_provider order by financial_year""")
    assert got == [("2022-23", 50_000.0, 50_000.0), ("2023-24", 67_906.0, 117_906.0)]


def test_policeuk_monthly_counts_llr_districts_with_an_lsoa(warehouse):
    got = {(str(m), d, t): n for m, d, t, n in rows(warehouse, """
        select month, district_name, crime_type, crimes from marts.mart_policeuk_monthly""")}
    assert got == {
        ("2023-01-01", "Blaby", "Burglary"): 1,
        ("2023-01-01", "Blaby", "Anti-social behaviour"): 1,
        ("2023-01-01", "Leicester", "Violence and sexual offences"): 1,
        ("2023-01-01", "North West Leicestershire", "Shoplifting"): 1,
    }


def test_dates_are_uk_financial_years_and_quarters(warehouse):
    got = rows(warehouse, """
        select financial_year, fy_quarter, weekday from marts.dim_date
        where date in ('2024-03-31', '2024-04-01', '2023-12-31') order by date""")
    assert got == [("2023-24", "2023-24Q3", 7), ("2023-24", "2023-24Q4", 7),
                   ("2024-25", "2024-25Q1", 1)]


# Each model's plain rules are one `column_rules` test (tests/generic/column_rules.sql).
# A copy of the built warehouse with one rule of each kind broken: what dbt says, and the
# rows the test's query names.
BROKEN = {
    "column_rules_fct_serious_violence": [
        # a key repeated, a required column null, a value out of range, one not accepted
        "insert into marts.fct_serious_violence "
        "select * from marts.fct_serious_violence where crime_ref = 'CR/1'",
        "update marts.fct_serious_violence set recorded_date = null where crime_ref = 'CR/6'",
        "update marts.fct_serious_violence set offence_hour = 130 where crime_ref = 'CR/3'",
        "update marts.fct_serious_violence set la_code = 'E99999999' where crime_ref = 'CR/4'",
    ],
    "column_rules_pub_sv_by_area": [
        # two rows of one export and partner in the same place of the table; a negative rate
        "update publish.pub_sv_by_area set row_order = 1 where row_order = 2",
        "update publish.pub_sv_by_area set rate_per_1000 = -1.5 "
        "where row_order = 1 and area_level = 'csp'",
    ],
    "column_rules_ref_beats": [
        "insert into seeds.ref_beats select * from seeds.ref_beats where beat_code = 'LC01'",
    ],
}


def test_column_rules_fail_naming_each_broken_rule(built: Path, tmp_path: Path):
    copy = Path(shutil.copy(built, tmp_path / "warehouse.duckdb"))
    with duckdb.connect(str(copy)) as con:
        for statements in BROKEN.values():
            for sql in statements:
                con.execute(sql)
    result = run_dbt("test", copy, tmp_path, "--select", *BROKEN)
    assert result.returncode == 1, result.stdout[-4000:]
    for name in BROKEN:
        assert f"Failure in test {name} " in result.stdout, result.stdout[-4000:]

    def failing(name: str) -> set[tuple]:
        [compiled] = (tmp_path / "target" / "compiled").rglob(f"{name}.sql")
        with duckdb.connect(str(copy), read_only=True) as con:
            return set(con.execute(compiled.read_text()).fetchall())

    assert failing("column_rules_fct_serious_violence") == {
        ("primary key", "crime_ref", "CR/1", 2),
        ("not null", "recorded_date", None, 1),
        ("within 0 to 120", "offence_hour", "130", 1),
        ("accepted values", "la_code", "E99999999", 1),
    }
    by_area = failing("column_rules_pub_sv_by_area")
    assert {(rule, columns, value) for rule, columns, value, _ in by_area} >= {
        ("at least 0", "rate_per_1000", "-1.5")}
    assert {(rule, columns) for rule, columns, _, _ in by_area} == {
        ("unique combination", "export_quarter, partner, row_order"),
        ("at least 0", "rate_per_1000")}
    assert failing("column_rules_ref_beats") == {("unique", "beat_code", "LC01", 2)}
