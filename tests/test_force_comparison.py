"""mart_force_comparison against the Home Office file itself (DESIGN.md, "The three marts
of people and forces").

The mart is built by dbt from the seeds alone (it reads no partner data) into an empty
warehouse; every expected figure is summed again here, with DuckDB, straight from
`shared/reference/police_force_area/prc_pfa_long.csv.gz` and the ONS population file,
so a wrong seed, measure, year filter, rank or rate fails a test.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest
from support.published import dbt_build

from vrn.reference import DBT_PROJECT_DIR

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
FORCE_DATA = REFERENCE / "police_force_area"
PRC = FORCE_DATA / "prc_pfa_long.csv.gz"
POPULATION = FORCE_DATA / "pfa_population_mid2024.csv"
SEEDS = DBT_PROJECT_DIR / "seeds"

pytestmark = pytest.mark.skipif(
    not PRC.exists(),
    reason=f"the Home Office force data are not at {FORCE_DATA} (shared/reference absent)")

# DESIGN.md: the measures in the Home Office file's own classification, written again
# here as (column, value) so the test does not read the seed it checks.
MEASURES = {
    "homicide": ('"Offence Subgroup"', "Homicide"),
    "violence_with_injury": ('"Offence Subgroup"', "Violence with injury"),
    "rape": ('"Offence Subgroup"', "Rape offences"),
    "sexual_offences": ('"Group"', "Sexual offences"),
    "robbery": ('"Group"', "Robbery"),
    "all_crime": ("1", 1),
}
EXPECTED_YEARS = ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
OUTCOMES = FORCE_DATA / "outcomes_2024_25.csv.gz"
FORCE_SEEDS = ["ref_force_recorded_crime.csv", "ref_force_outcomes.csv",
               "ref_force_populations.csv", "ref_force_names.csv"]


def load_seed_tool():
    path = Path(__file__).resolve().parents[1] / "tools" / "make_reference_seeds.py"
    spec = importlib.util.spec_from_file_location("make_reference_seeds", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def force_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("forces") / "warehouse.duckdb"
    done = dbt_build(warehouse, warehouse.parent / "dbt", "--select", "+mart_force_comparison",
                      "+mart_force_outcomes")
    if done.returncode != 0:
        raise AssertionError("dbt build failed:\n" + done.stdout[-6000:] + done.stderr[-2000:])
    return warehouse


@pytest.fixture(scope="module")
def mart(force_warehouse: Path) -> dict[tuple[str, str, str], dict]:
    with duckdb.connect(str(force_warehouse), read_only=True) as con:
        relation = con.sql("select * from marts.mart_force_comparison")
        columns = relation.columns
        rows = [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
    return {(r["financial_year"], r["force_name"], r["measure"]): r for r in rows}


@pytest.fixture(scope="module")
def home_office() -> dict[tuple[str, str, str], int]:
    """Offences per financial year x territorial force x measure, from the raw file,
    for every year the file holds all four quarters of."""
    expected: dict[tuple[str, str, str], int] = {}
    with duckdb.connect() as con:
        con.execute(f"create view prc as select * from read_csv('{PRC}', header = true)")
        for measure, (column, value) in MEASURES.items():
            for year, force, offences in con.execute(f"""
                    select replace("FY", '/', '-'), "Force", sum(n)
                    from prc
                    where territorial and {column} = ? and "FY" >= '2019/20'
                      and "FY" in (select "FY" from prc group by "FY"
                                   having count(distinct "Financial Quarter") = 4)
                    group by all""", [value]).fetchall():
                expected[(year, force, measure)] = int(offences)
    return expected


@pytest.fixture(scope="module")
def populations() -> dict[str, int]:
    """Home Office force name -> ONS mid-2024 population; the one name ONS spells
    differently is mapped here by hand."""
    with duckdb.connect() as con:
        rows = con.execute(f"select \"PFA 2023 Name\", \"Population\" from "
                           f"read_csv('{POPULATION}', header = true)").fetchall()
    by_ons_name = {name: int(population) for name, population in rows}
    by_ons_name["Devon and Cornwall"] = by_ons_name.pop("Devon & Cornwall")
    return by_ons_name


def test_force_seeds_equal_the_tool_output():
    rendered = load_seed_tool().render_seeds(REFERENCE)
    for name in FORCE_SEEDS:
        assert (SEEDS / name).read_text(encoding="utf-8") == rendered[name], (
            f"{name} differs from tools/make_reference_seeds.py's output: rerun it")


def test_years_run_from_2019_20_to_the_last_complete_one(mart):
    # The file holds 2025-26 Q1-Q3 only: that year is left out.
    assert sorted({year for year, _, _ in mart}) == EXPECTED_YEARS


def test_every_year_force_and_measure_is_present(mart, populations):
    assert len(populations) == 43
    expected = {(year, force, measure) for year in EXPECTED_YEARS
                for force in populations for measure in MEASURES}
    assert set(mart) == expected


def test_every_territorial_force_has_a_population(mart, populations):
    for (_, force, _), row in mart.items():
        assert row["population"] == populations[force], force


@pytest.mark.parametrize("force", ["Leicestershire", "Nottinghamshire", "Devon and Cornwall",
                                   "London, City of"])
def test_force_offences_equal_the_home_office_file(mart, home_office, force):
    for year in EXPECTED_YEARS:
        for measure in MEASURES:
            assert mart[(year, force, measure)]["offences"] == home_office.get(
                (year, force, measure), 0), (year, force, measure)


def test_every_row_equals_the_home_office_file(mart, home_office):
    for key, row in mart.items():
        assert row["offences"] == home_office.get(key, 0), key


def test_only_leicestershire_is_llr(mart):
    assert {force for (_, force, _), row in mart.items() if row["is_llr"]} == {"Leicestershire"}


def test_population_is_mid_2024_for_every_year(mart):
    assert {row["population"] for (_, force, _), row in mart.items()
            if force == "Leicestershire"} == {1_175_364}


def test_rates_ranks_and_england_wales_rate_recomputed(mart, home_office, populations):
    for year in EXPECTED_YEARS:
        for measure in MEASURES:
            offences = {force: home_office.get((year, force, measure), 0)
                        for force in populations}
            rates = {force: offences[force] * 1000 / populations[force]
                     for force in populations}
            ew_rate = sum(offences.values()) * 1000 / sum(populations.values())
            for force, rate in rates.items():
                row = mart[(year, force, measure)]
                # 1 = highest rate; ties share the lower rank number (SQL rank()).
                expected_rank = 1 + sum(other > rate for other in rates.values())
                assert row["rate_per_1000"] == pytest.approx(rate, rel=1e-12)
                assert row["rank"] == expected_rank, (year, force, measure)
                assert row["england_wales_rate_per_1000"] == pytest.approx(ew_rate, rel=1e-12)


@pytest.fixture(scope="module")
def outcomes_mart(force_warehouse: Path) -> dict[tuple[str, str], tuple]:
    with duckdb.connect(str(force_warehouse), read_only=True) as con:
        return {(force, group): tuple(rest) for force, group, *rest in con.execute("""
            select force_name, offence_group, outcomes, charged_summonsed, charge_rate, rank,
                   england_wales_charge_rate
            from marts.mart_force_outcomes where financial_year = '2024-25'""").fetchall()}


def test_force_outcomes_equal_the_home_office_file(outcomes_mart):
    with duckdb.connect() as con:
        rows = con.execute(f"""
            select "Force", coalesce("Offence Group", 'all'), sum(n),
                   sum(n) filter (where "Outcome Group" = 'Charged/Summonsed')
            from read_csv('{OUTCOMES}', header = true)
            where territorial
            group by grouping sets (("Force", "Offence Group"), ("Force"))""").fetchall()
    expected = {(force, group): (int(total), int(charged or 0))
                for force, group, total, charged in rows}
    assert {group for _, group in expected} >= {
        "Sexual offences", "Violence against the person", "Robbery", "all"}
    assert {key: values[:2] for key, values in outcomes_mart.items()} == expected
    for group in {group for _, group in expected}:
        rates = {force: charged / total
                 for (force, g), (total, charged) in expected.items() if g == group and total}
        totals = [v for (_, g), v in expected.items() if g == group]
        ew_rate = (sum(c for _, c in totals) / sum(t for t, _ in totals)
                   if sum(t for t, _ in totals) else None)
        for force, rate in rates.items():
            _, _, charge_rate, rank, england_wales = outcomes_mart[(force, group)]
            assert charge_rate == pytest.approx(rate, rel=1e-12)
            assert rank == 1 + sum(other > rate for other in rates.values()), (force, group)
            assert england_wales == pytest.approx(ew_rate, rel=1e-12)


def test_leicestershire_sexual_offences_charge_rate(outcomes_mart):
    # Read off the file by hand: 288 charged/summonsed of 3,962 outcomes in 2024-25.
    assert outcomes_mart[("Leicestershire", "Sexual offences")][:2] == (3962, 288)
