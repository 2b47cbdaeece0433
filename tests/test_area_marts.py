"""The area marts of issue [2/6]: `mart_rasso__by_area`, `mart_hate_crime` and
`mart_sv__series_by_month`, checked on the three-year warehouse against counts made here
independently from the raw police rows (`raw.police__crimes`, `raw.police__crime_people`,
`raw.police__outcomes`), each crime placed by its beat through the `ref_beats` seed and
classified by the `ref_offence_codes` seed, with the spec's rules written out again:
a crime counts once, by `recorded_date`, while its status is `recorded`; its current
outcome is its latest assignment by `outcome_date` (ties: the later period's file, then
the later row); charged = `1`/`1A`, victim not supporting = `14`/`16`
(spec/partner-extracts.md, spec/published-figures.md).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
AREA_LEVELS = {"llr": None, "la": "la_code", "district": "district_code", "csp": "csp_name"}
# The SNA's public place violence (003, summary table): outside a home, where the spec's
# location_type says so; `dwelling`, `other` and blank are not public place.
PUBLIC_PLACES = {"public_open_place", "hospitality", "shop", "transport", "education",
                 "workplace"}
SERIES = ["all", "public_place", "domestic", "sexual", "young_people"]


def _fy(dates: pd.Series) -> pd.Series:
    start = dates.dt.year - (dates.dt.month < 4).astype(int)
    return start.astype(str) + "-" + ((start + 1) % 100).map("{:02d}".format)


def _flag(column: pd.Series) -> pd.Series:
    """Y/N flag; blank is unknown and counts as not flagged."""
    return column.fillna("").str.strip().str.upper() == "Y"


def _seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS / f"{name}.csv", dtype=str, keep_default_na=False)


def _by_area(rows: pd.DataFrame, keys: list[str], figures: dict[str, pd.Series]) -> pd.DataFrame:
    """Sum `figures` (boolean or 0/1 series over `rows`) per `keys` × every area level."""
    frame = rows.assign(**{name: series.astype(int) for name, series in figures.items()})
    parts = []
    for level, column in AREA_LEVELS.items():
        placed = frame.assign(area_level=level,
                              area_code="LLR" if column is None else frame[column])
        parts.append(placed.groupby([*keys, "area_level", "area_code"])[list(figures)].sum())
    return pd.concat(parts)


@pytest.fixture(scope="module")
def warehouse_path(linked_years: Path) -> Path:
    return linked_years


@pytest.fixture(scope="module")
def crimes(warehouse_path: Path) -> pd.DataFrame:
    """Recorded, not cancelled crimes from raw, placed by ref_beats and classified by
    ref_offence_codes, with the youngest victim's and suspect's age."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        raw = con.execute(
            "SELECT crime_ref, recorded_date, ho_offence_code, beat_code, location_type, "
            "flag_domestic_abuse, flag_hate, status FROM raw.police__crimes").df()
        people = con.execute(
            "SELECT crime_ref, role, age FROM raw.police__crime_people").df()
    assert raw["crime_ref"].is_unique
    raw = raw[raw["status"] == "recorded"].copy()
    raw["recorded_date"] = pd.to_datetime(raw["recorded_date"])
    raw["financial_year"] = _fy(raw["recorded_date"])
    raw["month"] = raw["recorded_date"].dt.to_period("M").dt.to_timestamp()
    beats = _seed("ref_beats")[["beat_code", "district_code", "la_code", "csp_name"]]
    codes = _seed("ref_offence_codes")
    placed = raw.merge(beats, on="beat_code", how="left", validate="many_to_one")
    assert placed["district_code"].notna().all(), "every beat is in ref_beats"
    placed = placed.merge(codes, on="ho_offence_code", how="left", validate="many_to_one")
    assert placed["description"].notna().all(), "every code is in ref_offence_codes"
    people["age"] = pd.to_numeric(people["age"])
    youngest = people.pivot_table(index="crime_ref", columns="role", values="age",
                                  aggfunc="min")
    placed = placed.merge(youngest.add_prefix("youngest_"), left_on="crime_ref",
                          right_index=True, how="left")
    for role in ("victim", "suspect"):
        placed[f"youngest_{role}"] = placed.get(f"youngest_{role}", np.nan)
    return placed


@pytest.fixture(scope="module")
def marts(warehouse_path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return {name: con.execute(f"SELECT * FROM marts.{name}").df()
                for name in ("mart_rasso__by_area", "mart_hate_crime",
                             "mart_sv__series_by_month")}


def _areas(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["area_level"], frame["area_code"], strict=True))


def _expected_areas() -> set[tuple[str, str]]:
    beats = _seed("ref_beats")
    return ({("llr", "LLR")} | {("la", c) for c in beats["la_code"]}
            | {("district", c) for c in beats["district_code"]}
            | {("csp", c) for c in beats["csp_name"]})


def _compare(mart: pd.DataFrame, keys: list[str], expected: pd.DataFrame) -> None:
    """Every figure of `expected` equals the mart's at its keys; every other mart row is 0."""
    got = mart.set_index(keys)[list(expected.columns)]
    joined = got.join(expected.add_suffix("_expected"), how="left").fillna(0)
    missing = expected.index.difference(got.index)
    assert missing.empty, f"the mart lacks rows with crimes: {list(missing)[:5]}"
    for column in expected.columns:
        differ = joined[joined[column] != joined[f"{column}_expected"]]
        assert differ.empty, f"{column} differs:\n{differ.head(10)}"


# ----------------------------------------------------------------------------- RASSO


def test_rasso_by_area_counts_equal_the_raw_crimes_and_outcomes(
        warehouse_path: Path, crimes: pd.DataFrame, marts: dict[str, pd.DataFrame]) -> None:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        outcomes = con.execute(
            "SELECT crime_ref, outcome_code, outcome_date, period, row_number "
            "FROM raw.police__outcomes").df()
    current = (outcomes.sort_values(["outcome_date", "period", "row_number"])
               .groupby("crime_ref").tail(1).set_index("crime_ref")["outcome_code"])
    rasso = crimes[crimes["is_rasso"] == "true"].copy()
    assert len(rasso) > 50, "the drop has RASSO crimes to count"
    rasso["outcome_code"] = rasso["crime_ref"].map(current)
    rape = rasso["is_rape"] == "true"
    expected = _by_area(rasso, ["financial_year"], {
        "rasso_offences": pd.Series(True, index=rasso.index),
        "rapes": rape,
        "rapes_charged": rape & rasso["outcome_code"].isin(["1", "1A"]),
        "rapes_victim_not_supporting": rape & rasso["outcome_code"].isin(["14", "16"]),
        "rapes_under_investigation": rape & rasso["outcome_code"].isna(),
    })
    mart = marts["mart_rasso__by_area"]
    _compare(mart, ["financial_year", "area_level", "area_code"], expected)
    assert expected["rapes_charged"].sum() > 0, "some rapes were charged: the test can fail"


def test_rasso_by_area_has_every_area_every_year_and_its_rates(
        crimes: pd.DataFrame, marts: dict[str, pd.DataFrame]) -> None:
    mart = marts["mart_rasso__by_area"]
    years = sorted(crimes["financial_year"].unique())
    assert sorted(mart["financial_year"].unique()) == years
    for year, rows in mart.groupby("financial_year"):
        assert _areas(rows) == _expected_areas(), year
    with_rapes = mart[mart["rapes"] > 0]
    np.testing.assert_allclose(with_rapes["charge_rate"],
                               with_rapes["rapes_charged"] / with_rapes["rapes"])
    np.testing.assert_allclose(mart["rate_per_1000"],
                               mart["rasso_offences"] * 1000 / mart["population"])
    assert mart.loc[mart["rapes"] == 0, "charge_rate"].isna().all()


def test_rasso_csp_population_is_the_sum_of_its_districts(
        marts: dict[str, pd.DataFrame]) -> None:
    beats = _seed("ref_beats")[["district_code", "csp_name"]].drop_duplicates()
    mart = marts["mart_rasso__by_area"]
    districts = mart[mart["area_level"] == "district"].merge(
        beats, left_on="area_code", right_on="district_code")
    summed = districts.groupby(["financial_year", "csp_name"])["population"].sum()
    csp = mart[mart["area_level"] == "csp"].set_index(["financial_year", "area_code"])
    summed = summed.rename_axis(csp.index.names).reindex(csp.index)
    assert (csp["population"] == summed).all(), pd.concat([csp["population"], summed], axis=1)


# ------------------------------------------------------------------------ hate crime


def test_hate_crime_counts_every_flagged_crime_by_offence_group(
        crimes: pd.DataFrame, marts: dict[str, pd.DataFrame]) -> None:
    hate = crimes[_flag(crimes["flag_hate"])]
    assert (hate["sv_group"] == "").any(), "hate crimes outside serious violence count too"
    figures = {"offences": pd.Series(True, index=hate.index),
               "serious_violence_offences": hate["sv_group"] != ""}
    by_group = _by_area(hate, ["financial_year", "ons_offence_group"], figures)
    by_group.index = by_group.index.set_names("offence_group", level=1)
    total = _by_area(hate.assign(offence_group="all"), ["financial_year", "offence_group"],
                     figures)
    expected = pd.concat([by_group, total])
    mart = marts["mart_hate_crime"]
    _compare(mart, ["financial_year", "offence_group", "area_level", "area_code"], expected)


def test_hate_crime_has_every_year_area_and_offence_group(
        crimes: pd.DataFrame, marts: dict[str, pd.DataFrame]) -> None:
    mart = marts["mart_hate_crime"]
    groups = set(_seed("ref_offence_codes")["ons_offence_group"]) | {"all"}
    years = set(crimes["financial_year"])
    combos = set(zip(mart["financial_year"], mart["area_level"], mart["area_code"],
                     mart["offence_group"], strict=True))
    assert combos == {(y, level, code, g) for y in years for level, code in _expected_areas()
                      for g in groups}
    shown = mart[mart["offences"] > 0]
    np.testing.assert_allclose(shown["serious_violence_share"],
                               shown["serious_violence_offences"] / shown["offences"])


# --------------------------------------------------------------- the SNA's five series


def test_series_by_month_equal_the_raw_serious_violence(
        crimes: pd.DataFrame, marts: dict[str, pd.DataFrame]) -> None:
    sv = crimes[crimes["sv_group"] != ""]
    young = (sv["youngest_victim"] < 25) | (sv["youngest_suspect"] < 25)
    members = {
        "all": pd.Series(True, index=sv.index),
        "public_place": sv["location_type"].isin(PUBLIC_PLACES),
        "domestic": _flag(sv["flag_domestic_abuse"]),
        "sexual": sv["is_sexual_violence"] == "true",
        "young_people": young,
    }
    expected = pd.concat([
        _by_area(sv[member].assign(series=series), ["month", "series"],
                 {"offences": pd.Series(True, index=sv[member].index)})
        for series, member in members.items()])
    mart = marts["mart_sv__series_by_month"].copy()
    mart["month"] = pd.to_datetime(mart["month"])
    _compare(mart, ["month", "series", "area_level", "area_code"], expected)
    llr = mart[mart["area_level"] == "llr"].groupby("series")["offences"].sum()
    assert 0 < llr["public_place"] < llr["all"]
    assert 0 < llr["young_people"] < llr["all"]


def test_series_by_month_has_every_month_area_and_series(
        crimes: pd.DataFrame, marts: dict[str, pd.DataFrame]) -> None:
    mart = marts["mart_sv__series_by_month"]
    months = pd.date_range(crimes["recorded_date"].min().to_period("M").to_timestamp(),
                           crimes["recorded_date"].max(), freq="MS")
    combos = set(zip(pd.to_datetime(mart["month"]), mart["area_level"], mart["area_code"],
                     mart["series"], strict=True))
    assert combos == {(m, level, code, s) for m in months for level, code in _expected_areas()
                      for s in SERIES}
