"""A generated drop end to end: `synthetic.generate` -> `ingest.load.ingest_landing` ->
`dbt build`, then the contract tables are checked against the DESIGN.md warehouse
contract and against counts made straight from `raw` (the rules applied by hand).

One financial year at a small scale with defects switched on (rejected files,
quarantined rows, cancelled crimes), so every model and dbt test runs on data of the
real shape in well under a minute.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

import duckdb
import pytest
from test_dbt_build import run_dbt_build

from ingest.load import ingest_landing
from synthetic.generate import generate

pytestmark = pytest.mark.slow

# DESIGN.md, "Warehouse contract": the columns analysts' queries rely on (people tables
# are the linkage engineer's).
CONTRACT: dict[str, set[str]] = {
    "dim_date": {"date", "financial_year", "fy_quarter", "month", "weekday"},
    "dim_geography": {"beat_code", "beat_name", "npa_name", "district_code", "district_name",
                      "la_code", "la_name", "csp_name"},
    "dim_offence": {"ho_offence_code", "description", "sv_group", "is_rape", "is_rasso",
                    "is_ho_knife_offence"},
    "fct_serious_violence": {
        "crime_ref", "recorded_date", "offence_date", "offence_hour", "financial_year",
        "ho_offence_code", "sv_group", "la_code", "district_code", "beat_code",
        "location_type", "is_knife_sharp", "is_knife_enabled_ho", "is_domestic_abuse",
        "is_sexual_violence", "victim_count", "youngest_victim_age", "suspect_count",
        "youngest_suspect_age"},
    "fct_rasso": {"crime_ref", "recorded_date", "financial_year", "is_rape", "outcome_code",
                  "outcome_date", "is_charged", "is_victim_not_supporting", "days_to_outcome",
                  "victim_age", "victim_sex", "suspect_age"},
    "fct_custody_detention": {"custody_ref", "suite_code", "arrived_at", "released_at",
                              "detention_hours", "age", "is_juvenile", "sex", "ethnicity",
                              "disposal", "arrest_ho_offence_code", "financial_year"},
    "fct_assault_injury": {"source", "event_ref", "event_at", "financial_year", "age", "sex",
                           "district_code", "la_code", "means", "is_sharp_object"},
    "fct_icv_visit": {"visit_ref", "suite_code", "arrived_at", "admitted_at",
                      "access_delay_minutes", "weekday", "time_slot", "financial_year",
                      "detainees_in_cells", "offered", "agreed", "refused"},
    "fct_service_return": {"fy_quarter", "service", "measure", "value"},
    "mart_sv_duty_measures": {"financial_year", "measure", "age_group", "value"},
    "mart_sv_by_area": {"financial_year", "area_level", "area_code", "area_name", "offences",
                        "population", "rate_per_1000", "share_of_llr"},
    "mart_rasso_performance": {"month_end", "rapes_12m", "rapes_per_1000_12m",
                               "charge_rate_12m", "median_days_to_outcome_12m",
                               "victim_not_supporting_rate_12m"},
    "mart_policeuk_monthly": {"month", "district_name", "crime_type", "crimes"},
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    workdir = tmp_path_factory.mktemp("dbt_generated")
    landing = workdir / "landing"
    generate(landing, seed=11, scale=0.05, start=date(2023, 4, 1), end=date(2024, 3, 31),
             defects=0.02)
    path = workdir / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ingest_landing(con, landing)
    result = run_dbt_build(path, workdir)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str):
    ((value,),) = con.execute(sql).fetchall()
    return value


def test_contract_tables_have_the_design_columns(warehouse):
    for table, columns in CONTRACT.items():
        found = {c for (c,) in warehouse.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = ?", [table]).fetchall()}
        assert columns <= found, f"marts.{table} lacks {sorted(columns - found)}"


def test_serious_violence_counts_recorded_crimes_in_the_definition(warehouse):
    by_hand = scalar(warehouse, """
        select count(*) from raw.police__crimes as c
        inner join seeds.ref_offence_codes as o on c.ho_offence_code = o.ho_offence_code
        where c.status = 'recorded' and o.sv_group is not null""")
    assert scalar(warehouse, "select count(*) from marts.fct_serious_violence") == by_hand > 0
    assert scalar(warehouse, """
        select count(*) from marts.fct_serious_violence
        where ho_offence_code in ('105A', '8S', '9A', '46', '58A', '92A')""") == 0


def test_knife_enabled_measure_matches_a_count_from_raw(warehouse):
    by_hand = scalar(warehouse, """
        select count(*) from raw.police__crimes as c
        inner join seeds.ref_offence_codes as o on c.ho_offence_code = o.ho_offence_code
        where c.status = 'recorded' and c.flag_knife_sharp = 'Y' and o.is_ho_knife_offence
          and c.recorded_date between '2023-04-01' and '2024-03-31'""")
    assert scalar(warehouse, """
        select value from marts.mart_sv_duty_measures
        where financial_year = '2023-24' and measure = 'knife_enabled_sv'
          and age_group = 'all'""") == by_hand
    assert scalar(warehouse, "select count(*) from marts.mart_sv_duty_measures") == 8


def test_sv_by_area_levels_add_up_to_llr(warehouse):
    totals = dict(warehouse.execute("""
        select area_level, sum(offences) from marts.mart_sv_by_area
        where financial_year = '2023-24' group by area_level""").fetchall())
    assert totals["la"] == totals["district"] == totals["csp"] == totals["llr"]
    for level in ("la", "district", "csp"):
        share = scalar(warehouse, f"""
            select sum(share_of_llr) from marts.mart_sv_by_area
            where financial_year = '2023-24' and area_level = '{level}'""")
        assert math.isclose(share, 1.0)


def test_rasso_performance_has_the_one_whole_window(warehouse):
    rows = warehouse.execute("""
        select month_end, rapes_12m from marts.mart_rasso_performance""").fetchall()
    by_hand = scalar(warehouse, """
        select count(*) from marts.fct_rasso where is_rape""")
    assert [(str(m), n) for m, n in rows] == [("2024-03-31", by_hand)]


def test_policeuk_monthly_counts_every_llr_row_with_an_lsoa(warehouse):
    by_hand = scalar(warehouse, """
        select count(*) from raw.policeuk__street
        where regexp_replace(trim(lsoa_name), '\\s+\\S+$', '') in (
            select area_name from seeds.ref_population where area_level = 'district')""")
    assert scalar(warehouse, "select sum(crimes) from marts.mart_policeuk_monthly") == by_hand


def test_icv_visit_grid_adds_up_to_visits(warehouse):
    assert scalar(warehouse, "select sum(visits) from marts.mart_icv__visit_grid") == scalar(
        warehouse, "select count(*) from marts.fct_icv_visit")
