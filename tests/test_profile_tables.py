"""The profiles' tables (DESIGN.md "Profiles": every figure a profile shows is in a `pub_`
table the partner receives, under the same disclosure control as its CSVs).

On the three-year linked drop (`linked_years`, the people marts built): each new table's
figures for one CSP (Charnwood) and one period equal an independent count from the raw
files (tests/figures.py reads them; it shares no code with dbt), a CSP's tables hold only
its own area, and every table the catalog declares passes disclosure control as declared
(its margins add up, or `protect` refuses it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from figures import RASSO_CODES, Drop, read_seed

from exports.disclosure import protect
from exports.partners import disclosure_rule
from exports.publish import shape_of

pytestmark = pytest.mark.slow

PARTNER = "csp-charnwood"
CSP = "Charnwood Community Safety Partnership"
EXPORT = "2021-22Q3"
QUARTER = ("2021-22Q2", date(2021, 7, 1), date(2021, 9, 30))
ROLLING = ("12m_to_2021-22Q3", date(2021, 1, 1), date(2021, 12, 31))
NEW_CSP_TABLES = ["sv_headlines", "sv_by_weekday_hour", "sv_by_neighbourhood",
                  "sv_people_by_age_sex"]
NEW_OPCC_TABLES = ["sna_sv_by_area", "sna_sv_by_month", "sna_sv_by_group",
                   "sna_sv_by_location", "sna_sv_by_weekday_hour", "sna_people_rates",
                   "sna_repeat_people", "sna_cohort_risk_factors", "sna_force_comparison",
                   "sna_health"]
PUBLIC_PLACES = {"public_open_place", "hospitality", "shop", "transport", "education",
                 "workplace"}


@pytest.fixture(scope="module")
def drop(years_drop) -> Drop:
    return Drop(years_drop.landing)


@pytest.fixture(scope="module")
def published(linked_years: Path):
    """A reader of `publish.pub_<table>` rows of the export quarter."""
    cache: dict[str, pd.DataFrame] = {}

    def read(table: str, export: str = EXPORT) -> pd.DataFrame:
        if (table, export) not in cache:
            with duckdb.connect(str(linked_years), read_only=True) as con:
                cache[(table, export)] = con.execute(
                    f"SELECT * FROM publish.pub_{table} WHERE export_quarter = ? "
                    "ORDER BY row_order", [export]).df()
        return cache[(table, export)]
    return read


def populations(linked_years: Path) -> pd.DataFrame:
    with duckdb.connect(str(linked_years), read_only=True) as con:
        return con.execute("SELECT * FROM intermediate.int_geography__area_populations "
                           "WHERE financial_year = '2021-22'").df()


def sv_in(drop: Drop, first: date, last: date) -> pd.DataFrame:
    """Recorded serious violence in LLR recorded between two days, with its CSP and NPA."""
    c = drop.crimes
    c = c[c["is_sv"] & (c["recorded"].dt.date >= first) & (c["recorded"].dt.date <= last)]
    return c.assign(csp=c["beat_code"].map(drop.beats["csp_name"]),
                    npa=c["beat_code"].map(drop.beats["npa_name"]))


def charnwood(crimes: pd.DataFrame, drop: Drop) -> pd.DataFrame:
    return crimes[crimes["beat_code"].map(drop.beats["csp_name"]) == CSP]


def rate(count: int, population: int) -> float:
    return round(count * 1000 / population, 3)


# ------------------------------------------------------------------- the CSP's headlines


@pytest.mark.parametrize("period", [QUARTER, ROLLING], ids=lambda p: p[0])
def test_headline_measures_are_the_csps_crimes(drop, published, linked_years, period):
    label, first, last = period
    all_crimes = drop.crimes
    in_period = all_crimes[(all_crimes["recorded"].dt.date >= first)
                           & (all_crimes["recorded"].dt.date <= last)]
    crimes = charnwood(in_period, drop)
    sv = crimes[crimes["is_sv"]]
    young = (drop.youngest(sv, "victim") < 25) | (drop.youngest(sv, "suspect") < 25)
    expected = {
        "serious_violence": len(sv),
        "knife_sharp": int((sv["flag_knife_sharp"] == "Y").sum()),
        "domestic_abuse": int((sv["flag_domestic_abuse"] == "Y").sum()),
        "sexual_violence": int(sv["ho_offence_code"].map(
            drop.offences["is_sexual_violence"]).astype(str).str.lower().eq("true").sum()),
        "young_people": int(young.sum()),
        "public_place": int(sv["location_type"].isin(PUBLIC_PLACES).sum()),
        "rasso": int(crimes["ho_offence_code"].isin(RASSO_CODES).sum()),
        "hate_crime": int((crimes["flag_hate"] == "Y").sum()),
    }
    rows = published("sv_headlines")
    rows = rows[(rows["partner"] == PARTNER) & (rows["period"] == label)].set_index("measure")
    assert {m: int(rows.loc[m, "offences"]) for m in expected} == expected
    population = int(populations(linked_years).query(
        "area_level == 'csp' and area_code == @CSP")["population"].iloc[0])
    assert int(rows.loc["serious_violence", "population"]) == population
    assert rows.loc["serious_violence", "rate_per_1000"] == rate(len(sv), population)


def test_headline_year_earlier_is_the_same_window_a_year_before(drop, published):
    label, first, last = QUARTER
    before = charnwood(sv_in(drop, first.replace(year=2020), last.replace(year=2020)), drop)
    rows = published("sv_headlines")
    row = rows[(rows["partner"] == PARTNER) & (rows["period"] == label)
               & (rows["measure"] == "serious_violence")].iloc[0]
    assert row["offences_year_earlier"] == len(before)
    now = len(charnwood(sv_in(drop, first, last), drop))
    assert row["change_on_year_earlier"] == pytest.approx((now - len(before)) / len(before),
                                                          abs=5e-5)


def test_headline_year_earlier_before_the_data_is_not_available(published):
    rows = published("sv_headlines", "2019-20Q2")
    assert rows["offences_year_earlier"].isna().all()
    assert rows["change_on_year_earlier"].isna().all()


# ------------------------------------------------------------------- weekday and hour


def test_weekday_hour_cells_are_the_csps_crimes_of_the_rolling_12_months(drop, published):
    label, first, last = ROLLING
    sv = charnwood(sv_in(drop, first, last), drop)
    counts = sv.groupby([sv["offence"].dt.day_of_week + 1, sv["offence"].dt.hour]).size()
    rows = published("sv_by_weekday_hour")
    rows = rows[rows["partner"] == PARTNER]
    assert set(rows["period"]) == {label}  # the rolling 12 months only
    cells = rows[~rows["weekday"].isin(["all", "unknown"]) & ~rows["hour"].isin(["all", "unknown"])]
    assert len(cells) == 7 * 24
    got = {(int(r.weekday), int(r.hour)): int(r.offences) for r in cells.itertuples()}
    assert got == {k: int(counts.get(k, 0)) for k in got}
    total = rows[(rows["weekday"] == "all") & (rows["hour"] == "all")]["offences"].iloc[0]
    assert total == len(sv)


def test_weekday_hour_totals_add_up(published):
    rows = published("sv_by_weekday_hour")
    for partner, table in rows.groupby("partner"):
        by_hour = table[table["weekday"] != "all"].groupby("hour")["offences"].sum()
        totals = table[table["weekday"] == "all"].set_index("hour")["offences"]
        assert by_hour.sort_index().tolist() == totals.sort_index().tolist(), partner


# ------------------------------------------------------------------- neighbourhoods


def test_neighbourhood_offences_are_the_csps_beats_only(drop, published):
    label, first, last = QUARTER
    sv = charnwood(sv_in(drop, first, last), drop)
    rows = published("sv_by_neighbourhood")
    rows = rows[(rows["partner"] == PARTNER) & (rows["period"] == label)].set_index("npa_name")
    npas = set(drop.beats[drop.beats["csp_name"] == CSP]["npa_name"])
    assert set(rows.index) == npas | {"all"}
    assert {n: int(rows.loc[n, "offences"]) for n in npas} == {
        n: int((sv["npa"] == n).sum()) for n in npas}
    assert rows.loc["all", "offences"] == len(sv)


def test_neighbourhood_population_is_the_csps_districts_in_it(published, linked_years):
    pops = populations(linked_years).set_index(["area_level", "area_code"])["population"]
    rows = published("sv_by_neighbourhood")
    q = rows[rows["period"] == QUARTER[0]]
    # Harborough and Wigston spans two CSPs: each gets its own district's population.
    hw = q[q["npa_name"] == "Harborough and Wigston"].set_index("partner")["population"]
    assert hw["csp-harborough"] == pops[("district", "E07000131")]
    assert hw["csp-oadby-wigston"] == pops[("district", "E07000135")]
    # Hinckley and Blaby is both of one CSP's districts.
    hb = q[(q["npa_name"] == "Hinckley and Blaby")]
    assert hb["population"].iloc[0] == pops[("district", "E07000129")] + pops[
        ("district", "E07000132")]
    # Leicester's NPAs split the city: no estimate, no rate.
    city = q[(q["partner"] == "csp-leicester") & (q["npa_name"] != "all")]
    assert len(city) == 4
    assert city["population"].isna().all() and city["rate_per_1000"].isna().all()


# ------------------------------------------------------------------- people by age and sex


def test_people_by_age_sex_are_the_csps_involvements(drop, published):
    label, first, last = QUARTER
    sv = charnwood(sv_in(drop, first, last), drop)
    bands = read_seed("ref_age_bands")
    rows = published("sv_people_by_age_sex")
    rows = rows[(rows["partner"] == PARTNER) & (rows["period"] == label)]
    for role in ("victim", "suspect"):
        people = drop.people_of(sv, role)
        band = pd.Series("unknown", index=people.index)
        for b in bands.itertuples():
            upper = 200 if pd.isna(b.age_to) or b.age_to == "" else int(b.age_to)
            band[(people["age_n"] >= int(b.age_from)) & (people["age_n"] <= upper)] = b.age_band
        sex = people["sex"].where(people["sex"].isin(["M", "F"]), "other")
        expected = pd.crosstab(band, sex)
        mine = rows[rows["role"] == role]
        for r in mine.itertuples():
            want = expected.reindex(index=expected.index if r.age_band == "all" else [r.age_band],
                                    columns=expected.columns if r.sex == "all" else [r.sex],
                                    fill_value=0).to_numpy().sum()
            assert r.persons == want, (role, r.age_band, r.sex)
        all_all = mine[(mine["age_band"] == "all") & (mine["sex"] == "all")]["persons"].iloc[0]
        assert all_all == len(people)


# ------------------------------------------------------------------- scope


def test_csp_tables_sum_to_llr_over_the_partners(published):
    """Each CSP gets its own area's rows: over the eight, serious violence is LLR's once."""
    headlines = published("sv_headlines")
    sv = headlines[(headlines["measure"] == "serious_violence")
                   & (headlines["period"] == QUARTER[0])]
    assert len(sv) == 8
    llr = published("sna_sv_by_area")
    llr = llr[(llr["period"] == QUARTER[0]) & (llr["area_level"] == "llr")]["offences"].iloc[0]
    assert sv["offences"].sum() == llr
    neighbourhoods = published("sv_by_neighbourhood")
    all_rows = neighbourhoods[(neighbourhoods["npa_name"] == "all")
                              & (neighbourhoods["period"] == QUARTER[0])]
    assert all_rows["offences"].sum() == llr


# ------------------------------------------------------------------- opcc (LLR)


def test_sna_by_area_is_every_area_of_llr(drop, published, linked_years):
    label, first, last = QUARTER
    sv = sv_in(drop, first, last)
    rows = published("sna_sv_by_area")
    rows = rows[rows["period"] == label].set_index(["area_level", "area_code"])
    assert rows.loc[("llr", "LLR"), "offences"] == len(sv)
    for level in ("la", "district", "csp"):
        assert rows.loc[level, "offences"].sum() == len(sv), level
    by_la = sv.groupby("la").size()
    assert {la: int(rows.loc[("la", la), "offences"]) for la in by_la.index} == by_la.to_dict()
    assert rows.loc[("csp", CSP), "offences"] == len(charnwood(sv, drop))


def test_sna_by_month_is_24_months_of_llr(drop, published):
    rows = published("sna_sv_by_month", "2021-22Q4")
    assert len(rows) == 24
    assert rows["month"].min() == pd.Timestamp(2020, 4, 1)
    sv = drop.crimes[drop.crimes["is_sv"]]
    by_month = sv.groupby(sv["recorded"].dt.to_period("M")).size()
    knife = sv[sv["flag_knife_sharp"] == "Y"].groupby(sv["recorded"].dt.to_period("M")).size()
    for r in rows.itertuples():
        month = pd.Timestamp(r.month).to_period("M")
        assert r.offences == by_month.get(month, 0)
        assert r.knife_sharp_offences == knife.get(month, 0)


def test_sna_by_group_and_location_are_llr(drop, published):
    label, first, last = QUARTER
    sv = sv_in(drop, first, last)
    groups = published("sna_sv_by_group")
    groups = groups[groups["period"] == label].set_index("sv_group")["offences"]
    assert groups["all"] == len(sv)
    assert groups.drop("all").to_dict() == {
        g: int((sv["sv_group"] == g).sum()) for g in groups.drop("all").index}
    places = published("sna_sv_by_location")
    places = places[places["period"] == label].set_index("location_type")["offences"]
    location = sv["location_type"].replace("", "not_recorded").fillna("not_recorded")
    assert places.drop("all").to_dict() == {
        t: int((location == t).sum()) for t in places.drop("all").index}


def test_sna_people_tables_show_complete_years_only(published):
    assert published("sna_people_rates", "2021-22Q3")["financial_year"].unique().tolist() == [
        "2019-20", "2020-21"]
    # The 365 days after 2020-21 end on 31 March 2022: known at 2021-22Q4, not at Q3.
    at_q3 = published("sna_repeat_people", "2021-22Q3").set_index("financial_year")
    assert at_q3.loc["2019-20", "persons_again_12m"].notna().all()
    assert at_q3.loc["2020-21", "persons_again_12m"].isna().all()
    at_q4 = published("sna_repeat_people", "2021-22Q4").set_index("financial_year")
    assert at_q4.loc["2020-21", "persons_again_12m"].notna().all()
    assert at_q4.loc["2021-22", "persons_again_12m"].isna().all()


def test_sna_force_comparison_is_leicestershire_up_to_the_export_year(published):
    rows = published("sna_force_comparison", "2020-21Q2")
    assert set(rows["financial_year"]) == {"2019-20", "2020-21"}
    assert len(rows) == 2 * 6


# ------------------------------------------------------------------- disclosure control


@pytest.mark.parametrize("table", NEW_CSP_TABLES + NEW_OPCC_TABLES)
def test_every_profile_table_passes_disclosure_control_as_declared(
        catalog, published, table):
    """`protect` checks the declared margins add up and the counts are whole; a CSP's
    table is protected for one partner, as the exporter does."""
    partner = PARTNER if table in NEW_CSP_TABLES else "opcc"
    declared = {t.name: t for t in catalog.partner(partner).tables}
    assert table in declared, f"{partner} does not receive {table}"
    spec = declared[table]
    for export in ("2021-22Q3", "2021-22Q4"):
        rows = published(table, export)
        if "partner" in rows:
            rows = rows[rows["partner"] == partner]
        out = protect(rows[list(spec.columns)].reset_index(drop=True), shape_of(spec, rows),
                      disclosure_rule(partner, spec.kind), rows["missing"].notna().tolist())
        assert len(out.frame) == len(rows)
