"""The people marts `mart_rates_by_age_sex` and `mart_repeat_people` (DESIGN.md, "The three
marts of people and forces"), checked on the three-year linked warehouse three ways:
recomputed in pandas from the raw police rows and the linkage's person_key (exactly equal),
against the generator's truth of who each record is (within the linkage's tolerance), and
the rates against the population seed.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from synthetic.truth import load_truth

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
ROLES = ["victim", "suspect"]
DOMAINS = ["serious_violence", "domestic_abuse", "rasso"]
# The bands as DESIGN.md writes them (the mart reads them from seed ref_age_bands).
AGE_BANDS = ["0-9", "10-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
AGE_EDGES = [0, 10, 18, 25, 35, 45, 55, 65, np.inf]
# Linkage is probabilistic: true persons and the linked ones may differ this much.
LINKAGE_TOLERANCE = 0.05
# ...or this many persons, for counts too small for a share (seen here: 3 of 58).
REPEAT_SLACK = 3


def _fy(dates: pd.Series) -> pd.Series:
    start = dates.dt.year - (dates.dt.month < 4).astype(int)
    return start.astype(str) + "-" + ((start + 1) % 100).map("{:02d}".format)


@pytest.fixture(scope="module")
def marts(linked_years: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(linked_years), read_only=True) as con:
        return {
            name: con.execute(f"SELECT * FROM marts.{name}").df()
            for name in ("mart_rates_by_age_sex", "mart_repeat_people")
        }


@pytest.fixture(scope="module")
def involvements(linked_years: Path) -> pd.DataFrame:
    """Every person record in a recorded, not cancelled crime, straight from raw, with
    each domain it counts in, the linkage's person_key and the crime's financial year."""
    with duckdb.connect(str(linked_years), read_only=True) as con:
        crimes = con.execute(
            "SELECT crime_ref, recorded_date, offence_from, ho_offence_code, "
            "flag_domestic_abuse, status FROM raw.police__crimes").df()
        people = con.execute(
            "SELECT crime_ref, person_ref, role, age, sex FROM raw.police__crime_people").df()
        bridge = con.execute(
            "SELECT record_ref, person_key FROM marts.bridge_person_record "
            "WHERE source = 'police_people'").df()
        last_period_end = con.execute(
            "SELECT max(period) FROM audit.files WHERE source = 'police' "
            "AND entity = 'crimes' AND outcome = 'loaded'").fetchone()[0]
    codes = pd.read_csv(SEEDS / "ref_offence_codes.csv", dtype=str, keep_default_na=False)
    sv_codes = set(codes.loc[codes["sv_group"] != "", "ho_offence_code"])
    rasso_codes = set(codes.loc[codes["is_rasso"].str.lower() == "true", "ho_offence_code"])
    assert sv_codes and rasso_codes

    crimes = crimes[crimes["status"] == "recorded"].copy()
    crimes["recorded_date"] = pd.to_datetime(crimes["recorded_date"])
    crimes["financial_year"] = _fy(crimes["recorded_date"])
    flags = {
        "serious_violence": crimes["ho_offence_code"].isin(sv_codes),
        "domestic_abuse": crimes["flag_domestic_abuse"].str.strip().str.upper() == "Y",
        "rasso": crimes["ho_offence_code"].isin(rasso_codes),
    }
    by_domain = pd.concat(
        [crimes[flag].assign(domain=domain) for domain, flag in flags.items()])
    rows = people.merge(by_domain, on="crime_ref")
    rows["record_ref"] = rows["crime_ref"] + ":" + rows["person_ref"] + ":" + rows["role"]
    rows = rows.merge(bridge, on="record_ref", how="left")
    assert rows["person_key"].notna().all(), "every police person record is linked"
    rows.attrs["last_period"] = last_period_end
    return rows


@pytest.fixture(scope="module")
def truth_ids(years_drop) -> pd.DataFrame:
    records = load_truth(years_drop.truth).person_records
    return records.loc[records["source"] == "police_people", ["record_ref", "person_id"]]


def _first_of_year(rows: pd.DataFrame, person: str) -> pd.DataFrame:
    keys = ["financial_year", "domain", "role", person]
    ordered = rows.sort_values(["recorded_date", "offence_from", "crime_ref", "person_ref"])
    return ordered.drop_duplicates(keys, keep="first")


def _persons_by_band_sex(rows: pd.DataFrame, person: str) -> pd.DataFrame:
    first = _first_of_year(rows[rows["domain"] == "serious_violence"], person)
    first = first.assign(
        age_band=pd.cut(first["age"], AGE_EDGES, right=False, labels=AGE_BANDS).astype(object),
        sex=first["sex"].where(first["sex"].isin(["M", "F"])),
    )
    cells = []
    for band_all in (False, True):
        for sex_all in (False, True):
            cell = first.assign(
                age_band="all" if band_all else first["age_band"],
                sex="all" if sex_all else first["sex"],
            ).dropna(subset=["age_band", "sex"])
            cells.append(cell.groupby(["financial_year", "role", "age_band", "sex"])[person]
                         .nunique().rename("persons"))
    return pd.concat(cells).reset_index()


def _repeat_figures(rows: pd.DataFrame, person: str) -> pd.DataFrame:
    keys = ["financial_year", "domain", "role", person]
    crimes = rows.groupby(keys)["crime_ref"].nunique().rename("crimes").reset_index()
    first = _first_of_year(rows, person)[[*keys, "crime_ref", "recorded_date"]]
    later = rows[["domain", "role", person, "crime_ref", "recorded_date"]]
    pairs = first.merge(later, on=["domain", "role", person], suffixes=("", "_later"))
    days = (pairs["recorded_date_later"] - pairs["recorded_date"]).dt.days
    again = pairs[(pairs["crime_ref_later"] != pairs["crime_ref"]) & days.between(0, 365)]
    again = again[keys].drop_duplicates().assign(is_again=True)
    crimes = crimes.merge(again, on=keys, how="left")
    crimes["is_again"] = crimes["is_again"].fillna(False).astype(bool)
    return (crimes.assign(is_repeat=crimes["crimes"] >= 2)
            .groupby(["financial_year", "role", "domain"])
            .agg(persons=(person, "size"), persons_repeat=("is_repeat", "sum"),
                 persons_again_12m=("is_again", "sum"))
            .reset_index())


def _with_zeros(expected: pd.DataFrame, mart: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    merged = mart[keys].merge(expected, on=keys, how="left")
    assert len(merged) == len(mart)
    return merged.fillna(0)


def test_every_combination_is_present(marts):
    rates, repeats = marts["mart_rates_by_age_sex"], marts["mart_repeat_people"]
    years = sorted(rates["financial_year"].unique())
    assert years == ["2019-20", "2020-21", "2021-22"]
    grid = pd.MultiIndex.from_product([years, ROLES, [*AGE_BANDS, "all"], ["M", "F", "all"]])
    got = pd.MultiIndex.from_frame(rates[["financial_year", "role", "age_band", "sex"]])
    assert len(rates) == len(grid) and set(got) == set(grid)
    grid = pd.MultiIndex.from_product([years, ROLES, DOMAINS])
    got = pd.MultiIndex.from_frame(repeats[["financial_year", "role", "domain"]])
    assert sorted(repeats["financial_year"].unique()) == years
    assert len(repeats) == len(grid) and set(got) == set(grid)


def test_persons_by_age_and_sex_equal_raw_rows(marts, involvements):
    rates = marts["mart_rates_by_age_sex"]
    keys = ["financial_year", "role", "age_band", "sex"]
    expected = _with_zeros(_persons_by_band_sex(involvements, "person_key"), rates, keys)
    got = rates[[*keys, "persons"]].merge(expected, on=keys, suffixes=("", "_expected"))
    wrong = got[got["persons"] != got["persons_expected"]]
    assert wrong.empty, wrong
    assert rates["persons"].sum() > 0


def test_repeat_figures_equal_raw_rows(marts, involvements):
    repeats = marts["mart_repeat_people"]
    keys = ["financial_year", "role", "domain"]
    expected = _with_zeros(_repeat_figures(involvements, "person_key"), repeats, keys)
    got = repeats.merge(expected, on=keys, suffixes=("", "_expected"))
    for column in ("persons", "persons_repeat"):
        wrong = got[got[column] != got[f"{column}_expected"]]
        assert wrong.empty, (column, wrong)
    followed = got[got["persons_again_12m"].notna()]
    wrong = followed[followed["persons_again_12m"] != followed["persons_again_12m_expected"]]
    assert wrong.empty, wrong
    assert (got["persons_repeat"] > 0).any() and (followed["persons_again_12m"] > 0).any()
    share = got["persons_repeat"] / got["persons"].replace(0, np.nan)
    assert np.allclose(got["share_repeat"], share, equal_nan=True)


def test_again_within_12m_is_null_only_where_365_days_run_past_the_data(marts, involvements):
    """The data end on the last day of the last crimes quarter loaded (2021-22Q4)."""
    repeats = marts["mart_repeat_people"]
    assert involvements.attrs["last_period"] == "2021-22Q4"
    assert (pd.to_datetime(repeats["data_end_date"]) == pd.Timestamp("2022-03-31")).all()
    # 2020-21 ends 2021-03-31; 365 days later is 2022-03-31, inside the data.
    is_null = repeats.set_index("financial_year")["persons_again_12m"].isna()
    assert is_null.groupby(level=0).all().to_dict() == {
        "2019-20": False, "2020-21": False, "2021-22": True}


def test_persons_within_tolerance_of_true_persons(marts, involvements, truth_ids):
    """The generator knows who each record really is: the linked counts stay close."""
    rows = involvements.merge(truth_ids, on="record_ref", how="left")
    assert rows["person_id"].notna().all()
    rates = marts["mart_rates_by_age_sex"]
    overall = rates[(rates["age_band"] == "all") & (rates["sex"] == "all")]
    true_overall = (rows[rows["domain"] == "serious_violence"]
                    .groupby(["financial_year", "role"])["person_id"].nunique()
                    .rename("true_persons").reset_index())
    got = overall.merge(true_overall, on=["financial_year", "role"])
    assert len(got) == 6
    error = (got["persons"] - got["true_persons"]).abs() / got["true_persons"]
    assert (error <= LINKAGE_TOLERANCE).all(), got.assign(error=error)

    truth = _repeat_figures(rows, "person_id")
    got = marts["mart_repeat_people"].merge(
        truth, on=["financial_year", "role", "domain"], suffixes=("", "_true"))
    for column in ("persons", "persons_repeat", "persons_again_12m"):
        both = got[got[column].notna()]
        # Repeats are few (tens) and each link the linkage misses splits one repeat
        # person in two: small counts may differ by up to REPEAT_SLACK persons.
        allowed = np.maximum(LINKAGE_TOLERANCE * both[f"{column}_true"], REPEAT_SLACK)
        off = both[(both[column] - both[f"{column}_true"]).abs() > allowed]
        assert off.empty, (column, off[["financial_year", "role", "domain", column,
                                        f"{column}_true"]])


def test_rates_use_the_population_seed_of_the_nearest_mid_year(marts):
    rates = marts["mart_rates_by_age_sex"]
    seed = pd.read_csv(SEEDS / "ref_population_age_sex.csv", dtype={"area_code": str})
    mid_years = sorted(seed["mid_year"].unique())
    assert mid_years == [2020, 2021, 2022, 2023]
    seed["age_band"] = pd.cut(seed["age"], AGE_EDGES, right=False, labels=AGE_BANDS)
    for financial_year, rows in rates.groupby("financial_year"):
        start = int(financial_year[:4])
        mid_year = min(max(start, mid_years[0]), mid_years[-1])
        assert (rows["population_mid_year"] == mid_year).all(), financial_year
        year = seed[seed["mid_year"] == mid_year]
        population = rows.set_index(["role", "age_band", "sex"])["population"]
        for role in ROLES:
            assert population[(role, "all", "all")] == year["population"].sum()
            for sex in ("M", "F"):
                assert population[(role, "all", sex)] == year.loc[
                    year["sex"] == sex, "population"].sum()
                for band in AGE_BANDS:
                    assert population[(role, band, sex)] == year.loc[
                        (year["sex"] == sex) & (year["age_band"] == band), "population"].sum()
    assert np.allclose(rates["rate_per_1000"], rates["persons"] / rates["population"] * 1000)
    assert np.allclose(rates["share_of_residents"], rates["persons"] / rates["population"])


def test_population_seed_agrees_with_ref_population_for_mid_2022():
    seed = pd.read_csv(SEEDS / "ref_population_age_sex.csv", dtype={"area_code": str})
    districts = pd.read_csv(SEEDS / "ref_population.csv", dtype=str)
    districts = districts[districts["area_level"] == "district"]
    by_area = seed[seed["mid_year"] == 2022].groupby("area_code")["population"].sum()
    assert by_area.to_dict() == {
        row.area_code: int(row.population) for row in districts.itertuples()}
