"""mart_policeuk_by_deprivation and mart_policeuk__lsoa_match on a generated drop.

The generator copies the two real police.uk months (synthetic/policeuk.py), so the drop's
street-level rows are real; the expected figures are counted again here straight from
the drop's CSV files joined to the committed IMD seed, and the seed is checked against
the public IoD2019 files through tools/make_reference_seeds.py.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import duckdb
import pytest

from vrn.reference import DBT_PROJECT_DIR

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
IMD_SEED = DBT_PROJECT_DIR / "seeds" / "ref_imd2019_lsoa.csv"
LLR_DISTRICTS = ("Leicester", "Rutland", "Blaby", "Charnwood", "Harborough",
                 "Hinckley and Bosworth", "Melton", "North West Leicestershire",
                 "Oadby and Wigston")


def load_seed_tool():
    path = Path(__file__).resolve().parents[1] / "tools" / "make_reference_seeds.py"
    spec = importlib.util.spec_from_file_location("make_reference_seeds", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def street_rows(small_drop) -> duckdb.DuckDBPyConnection:
    """The drop's police.uk files as downloaded, with the IMD seed beside them."""
    files = sorted((small_drop.landing / "policeuk").rglob("*-street.csv"))
    assert files, "the generated drop has no police.uk files"
    con = duckdb.connect()
    con.execute(f"""create view street as
        select * from read_csv({[str(f) for f in files]}, header = true, all_varchar = true)""")
    con.execute(f"create view imd as select * from read_csv('{IMD_SEED}', header = true)")
    return con


@pytest.fixture(scope="module")
def marts(published_base: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(published_base), read_only=True)


def test_imd_seed_equals_the_tool_output():
    if not (REFERENCE / "deprivation").exists():
        pytest.skip(f"the IoD2019 files are not at {REFERENCE / 'deprivation'}")
    rendered = load_seed_tool().render_seeds(REFERENCE)["ref_imd2019_lsoa.csv"]
    assert IMD_SEED.read_text(encoding="utf-8") == rendered, (
        "ref_imd2019_lsoa.csv differs from tools/make_reference_seeds.py's output: rerun it")


def test_imd_seed_holds_the_611_llr_lsoas_with_a_population():
    with duckdb.connect() as con:
        lsoas, populated, leicester = con.execute(f"""
            select count(*), count(population_mid2015) filter (where population_mid2015 > 0),
                   count(*) filter (where lad19_name = 'Leicester')
            from read_csv('{IMD_SEED}', header = true)""").fetchone()
    assert (lsoas, populated, leicester) == (611, 611, 192)


def test_crimes_per_decile_equal_the_raw_rows(street_rows, marts):
    expected = {
        (date.fromisoformat(month + "-01"), decile, crime_type): count
        for month, decile, crime_type, count in street_rows.execute("""
            select street."Month", imd.imd_decile, street."Crime type", count(*)
            from street inner join imd on street."LSOA code" = imd.lsoa11_code
            group by all""").fetchall()}
    actual = {(month, decile, crime_type): crimes
              for month, decile, crime_type, crimes in marts.execute("""
                  select month, imd_decile, crime_type, crimes
                  from marts.mart_policeuk_by_deprivation""").fetchall()}
    assert sum(expected.values()) > 0
    assert {key: n for key, n in actual.items() if n} == expected
    # Every month x decile x crime type is present, 0 when none.
    months = {m for m, _, _ in expected}
    types = {t for _, _, t in expected}
    assert set(actual) == {(m, d, t) for m in months for d in range(1, 11) for t in types}


def test_decile_population_and_rate(street_rows, marts):
    populations = dict(street_rows.execute(
        "select imd_decile, sum(population_mid2015) from imd group by 1").fetchall())
    for decile, crimes, population, rate in marts.execute("""
            select imd_decile, crimes, population, rate_per_1000
            from marts.mart_policeuk_by_deprivation""").fetchall():
        assert population == populations[decile]
        assert rate == pytest.approx(crimes * 1000 / population)


def test_lsoa_match_counts_equal_the_raw_rows(street_rows, marts):
    llr = ", ".join(f"'{name}'" for name in LLR_DISTRICTS)
    expected = {
        date.fromisoformat(month + "-01"): rest
        for month, *rest in street_rows.execute(f"""
            select
                "Month",
                count(distinct "LSOA code"),
                count(distinct "LSOA code") filter (where imd.lsoa11_code is not null),
                count(*),
                count(*) filter (where regexp_replace(trim("LSOA name"), '\\s+\\S+$', '')
                                 in ({llr})),
                count(*) filter (where imd.lsoa11_code is not null)
            from street left join imd on street."LSOA code" = imd.lsoa11_code
            where nullif(trim("LSOA code"), '') is not null
            group by all""").fetchall()}
    actual = {
        month: list(rest) for month, *rest in marts.execute("""
            select month, lsoas_in_data, lsoas_matching_imd, crimes_with_lsoa, llr_crimes,
                   crimes_matching_imd
            from marts.mart_policeuk__lsoa_match""").fetchall()}
    assert actual == expected
    # police.uk is on 2011 LSOAs: nearly every LLR row finds its IMD 2019 decile.
    for _, _, _, llr_crimes, matching in actual.values():
        assert matching / llr_crimes > 0.95
