"""Where victims and suspects live (marts.mart_sv_residence) and who is detained
(marts.mart_custody__detainee_demographics), recomputed here in pandas from the raw rows
of the three-year linked drop (`linked_years`) and compared cell by cell (issue 2/6).

The one thing taken from the warehouse beyond raw rows is which crimes are serious
violence (`marts.fct_serious_violence`, tested against the definition elsewhere) and the
linkage's persons (`linkage.person_links`, scored against the truth elsewhere).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest


def _read(warehouse: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _financial_year(ts: pd.Series) -> pd.Series:
    start = ts.dt.year - (ts.dt.month < 4).astype(int)
    return start.astype(str) + "-" + ((start + 1) % 100).astype(str).str.zfill(2)


@pytest.fixture(scope="module")
def residence(linked_years: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    mart = _read(linked_years, "select * from marts.mart_sv_residence")
    sv = _read(linked_years, "select crime_ref, recorded_date, financial_year "
                             "from marts.fct_serious_violence")
    people = _read(linked_years, """
        select p.crime_ref, p.role, p.postcode_district, c.offence_from, l.person_key
        from raw.police__crime_people p
        join raw.police__crimes c using (crime_ref)
        join linkage.person_links l
          on l.source = 'police_people'
         and l.record_ref = p.crime_ref || ':' || p.person_ref || ':' || p.role""")
    people = people.merge(sv, on="crime_ref")
    district = people["postcode_district"].fillna("").str.strip().str.upper()
    people["district"] = district.where(district != "", "unknown")
    first = (people.sort_values(["recorded_date", "offence_from", "crime_ref", "district"])
             .drop_duplicates(["financial_year", "role", "person_key"]))
    persons = first.groupby(["financial_year", "role", "district"]).size().rename("persons")
    crimes = (people.groupby(["financial_year", "role", "district"])["crime_ref"]
              .nunique().rename("crimes"))
    want = pd.concat([persons, crimes], axis=1).fillna(0).astype(int)
    want["share"] = want["persons"] / want.groupby(level=["financial_year", "role"])[
        "persons"].transform("sum")
    return mart, want


def test_residence_persons_and_crimes_equal_counts_from_raw_rows(residence):
    mart, want = residence
    got = mart.set_index(["financial_year", "role", "postcode_district"])
    got.index.names = want.index.names
    nonzero = got[(got["persons"] > 0) | (got["crimes"] > 0)]
    assert len(want) > 20
    assert sorted(nonzero.index) == sorted(want.index)
    np.testing.assert_array_equal(
        got.loc[want.index, "persons"].to_numpy(), want["persons"].to_numpy())
    np.testing.assert_array_equal(
        got.loc[want.index, "crimes"].to_numpy(), want["crimes"].to_numpy())
    np.testing.assert_allclose(
        got.loc[want.index, "share_of_role_persons"].to_numpy(), want["share"].to_numpy())


def test_residence_places_each_person_once_a_year_and_role(residence, linked_years):
    mart, _ = residence
    distinct = _read(linked_years, """
        select s.financial_year, p.role, count(distinct l.person_key) as persons
        from raw.police__crime_people p
        join marts.fct_serious_violence s using (crime_ref)
        join linkage.person_links l
          on l.source = 'police_people'
         and l.record_ref = p.crime_ref || ':' || p.person_ref || ':' || p.role
        group by all""").set_index(["financial_year", "role"])["persons"]
    totals = mart.groupby(["financial_year", "role"])["persons"].sum()
    assert totals.sort_index().to_dict() == distinct.sort_index().to_dict()
    assert (mart["postcode_district"] == "unknown").any()
    # Every year x role x district is present.
    assert len(mart) == (mart["financial_year"].nunique() * 2
                         * mart["postcode_district"].nunique())


AGE_BANDS = [(0, 9, "0-9"), (10, 17, "10-17"), (18, 24, "18-24"), (25, 34, "25-34"),
             (35, 44, "35-44"), (45, 54, "45-54"), (55, 64, "55-64"), (65, 200, "65+")]
SNA_GROUP = {"W": "white", "A": "asian", "B": "black", "M": "other", "O": "other"}
FLAGS = {"with_appropriate_adult": "appropriate_adult",
         "mental_health_s136": "mental_health_s136", "with_interpreter": "interpreter",
         "strip_searched": "strip_search"}


@pytest.fixture(scope="module")
def custody(linked_years: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    mart = _read(linked_years, "select * from marts.mart_custody__detainee_demographics")
    raw = _read(linked_years, "select * from raw.police__custody")
    raw["financial_year"] = _financial_year(pd.to_datetime(raw["arrived_at"]))
    raw["age_band"] = [next(label for lo, hi, label in AGE_BANDS if lo <= a <= hi)
                       for a in raw["age"]]
    raw["sex"] = raw["sex"].fillna("U")
    eth = raw["ethnicity"].fillna("").str.strip()
    raw["ethnic_group"] = [SNA_GROUP.get(e[:1], "not_stated") if e != "NS" else "not_stated"
                           for e in eth]
    raw["juvenile"] = np.where(raw["age"] < 18, "juvenile", "adult")
    for column in FLAGS.values():
        raw[column] = raw[column].fillna("").str.upper().eq("Y")
    frames = []
    for suite, part in (("all", raw), *raw.groupby("suite_code")):
        for dimension in ("age_band", "sex", "ethnic_group", "juvenile"):
            grouped = part.groupby(["financial_year", part[dimension].rename("category")])
            counted = grouped.agg(detentions=("custody_ref", "size"),
                                  detainees=("person_ref", "nunique"),
                                  **{k: (v, "sum") for k, v in FLAGS.items()})
            frames.append(counted.reset_index().assign(suite_code=suite, dimension=dimension))
    want = pd.concat(frames)
    want["share"] = want["detentions"] / want.groupby(
        ["financial_year", "suite_code", "dimension"])["detentions"].transform("sum")
    return mart, want


def test_detainee_demographics_equal_counts_from_raw_rows(custody):
    mart, want = custody
    key = ["financial_year", "suite_code", "dimension", "category"]
    got = mart.set_index(key)
    want = want.set_index(key)
    assert len(want) > 50
    assert set(got.index[got["detentions"] > 0]) == set(want.index)
    for column in ("detentions", "detainees", *FLAGS):
        np.testing.assert_array_equal(got.loc[want.index, column].to_numpy(),
                                      want[column].to_numpy().astype(int), err_msg=column)
    np.testing.assert_allclose(got.loc[want.index, "share_of_detentions"].to_numpy(),
                               want["share"].to_numpy())


def test_every_detainee_demographic_combination_is_present(custody):
    mart, want = custody
    years = set(want["financial_year"])
    assert set(mart["financial_year"]) >= years
    per_year = mart.groupby("financial_year").size()
    # 4 suite rows (3 suites and all) x (8 bands + 4 sexes + 5 groups + 2) categories.
    assert (per_year == 4 * (8 + 4 + 5 + 2)).all()
    zeros = mart[mart["detentions"] == 0]
    assert (zeros["detainees"] == 0).all() and (zeros["with_appropriate_adult"] == 0).all()
