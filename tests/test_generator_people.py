"""People are consistent across agencies: one synthetic population behind every police,
custody and council record, keyed-hash tokens of the true name and date of birth (with
the errors real systems make), and the SNA's cohort planted with its earlier records.
The true identities are only in the truth folder, beside the landing folder."""

from __future__ import annotations

import pandas as pd
import pytest

from synthetic.common import token
from synthetic.persons import FACTORS
from synthetic.truth import load_truth
from tests.figures import Drop, read_entity

HIGH_HARM = {"1", "4.1", "4.10", "4.2", "2", "5D", "5E"}


@pytest.fixture(scope="module")
def truth(small_drop):
    return load_truth(small_drop.truth)


@pytest.fixture(scope="module")
def drop(small_drop) -> Drop:
    return Drop(small_drop.landing)


def police_records(drop: Drop, truth) -> pd.DataFrame:
    p = drop.people.copy()
    p["record_ref"] = p["crime_ref"] + ":" + p["person_ref"] + ":" + p["role"]
    recs = truth.person_records[truth.person_records["source"] == "police_people"]
    return p.merge(recs, on="record_ref", how="left", validate="one_to_one")


def test_the_truth_lives_beside_the_landing_folder(small_drop) -> None:
    assert small_drop.truth == small_drop.landing.with_name("landing.truth")
    for name in ("persons.csv", "person_records.csv", "cohort.csv", "defects.json",
                 "manifest.json"):
        assert (small_drop.truth / name).exists()
    assert not list(small_drop.landing.rglob("person*.csv"))


def test_every_person_record_is_in_the_truth_with_its_person(drop, truth) -> None:
    merged = police_records(drop, truth)
    assert merged["person_id"].notna().all()
    recs = truth.person_records
    assert set(recs["person_id"]) == set(truth.persons["person_id"])
    assert set(recs["source"]) == {"police_people", "custody", "la_cla", "la_cpp",
                                   "la_absence", "la_exclusions"}
    assert set(recs["token_error"]) <= {"none", "surname", "forename", "dob", "blank"}
    council = recs[recs["source"].str.startswith("la_")]["record_ref"]
    assert council.str.match(r"^E\d{8}:[^:]+:(\d{4}-\d{2}-\d{2}|\d{4}-\d{2})$").all()


def test_tokens_are_keyed_hashes_of_the_true_name_and_date_of_birth(drop, truth) -> None:
    merged = police_records(drop, truth).merge(truth.persons, on="person_id")
    exact = merged[merged["token_error"] == "none"]
    assert (exact["tok_surname"] == exact["surname"].map(token)).all()
    assert (exact["tok_forename"] == exact["forename"].map(token)).all()
    assert (exact["tok_dob"] == exact["dob"].map(token)).all()
    for kind, column, field in (("surname", "tok_surname", "surname"),
                                ("dob", "tok_dob", "dob"), ("forename", "tok_forename",
                                                            "forename")):
        wrong = merged[merged["token_error"] == kind]
        assert len(wrong) and (wrong[column] != wrong[field].map(token)).all()
    blank = merged[merged["token_error"] == "blank"]
    assert len(blank) and (blank[["tok_surname", "tok_forename", "tok_dob"]] == "").all().all()


def test_a_realistic_share_of_records_carry_token_errors(truth) -> None:
    errors = (truth.person_records["token_error"] != "none").mean()
    assert 0.03 <= errors <= 0.07


def test_ages_agree_with_the_true_date_of_birth(drop, truth) -> None:
    merged = police_records(drop, truth).merge(truth.persons, on="person_id")
    merged = merged.dropna(subset=["age_n"])
    offence = merged["crime_ref"].map(drop.crimes.set_index("crime_ref")["offence"])
    dob = pd.to_datetime(merged["dob"])
    age = (offence.dt.year - dob.dt.year
           - ((offence.dt.month * 100 + offence.dt.day) < (dob.dt.month * 100 + dob.dt.day)))
    known = offence.notna()
    assert (age[known] == merged["age_n"][known]).all()


def test_the_same_young_people_appear_across_agencies(truth) -> None:
    recs = truth.person_records
    sources = recs.groupby("person_id")["source"].agg(set)
    police_custody_council = sources.map(
        lambda s: {"police_people", "custody"} <= s and any(x.startswith("la_") for x in s))
    assert police_custody_council.sum() >= 20
    repeat = recs[recs["source"] == "police_people"].groupby("person_id").size()
    assert (repeat > 1).sum() > 100  # repeat victims and suspects


def test_the_planted_cohort_is_every_young_high_harm_suspect(drop, truth) -> None:
    merged = police_records(drop, truth)
    crimes = drop.crimes.set_index("crime_ref")
    code = merged["crime_ref"].map(crimes["ho_offence_code"])
    young = merged[(merged["role"] == "suspect") & code.isin(HIGH_HARM)
                   & (merged["age_n"] < 25)]
    assert set(young["person_id"]) == set(truth.cohort["person_id"])
    assert set(truth.cohort["index_crime_ref"]) <= set(crimes.index)


def test_the_cohorts_factors_are_dated_before_the_index_date(truth) -> None:
    c = truth.cohort
    for f in FACTORS:
        dated = c[c[f] != ""]
        assert (dated[f] < dated["index_date"]).all(), f
    assert (c["factor_count"] == (c[list(FACTORS)] != "").sum(axis=1)).all()


def test_the_cohorts_factor_records_are_in_the_files(small_drop, truth) -> None:
    c = truth.cohort
    recs = truth.person_records
    by_person = recs.groupby("person_id")["source"].agg(set)
    for factor, source in (("looked_after", "la_cla"), ("child_protection_plan", "la_cpp"),
                           ("persistent_absence", "la_absence"),
                           ("earlier_custody", "custody")):
        members = c[c[factor] != ""]["person_id"]
        assert all(source in by_person[p] for p in members), factor
    absence = read_entity(small_drop.landing, "la/E06000016", "school_absence")
    assert len(absence)


def test_about_113_cohort_members_a_quarter(small_drop, truth) -> None:
    per_quarter = 113 * small_drop.options["scale"]
    assert abs(len(truth.cohort) - 4 * per_quarter) <= 2


@pytest.mark.parametrize("which", ["small_drop", "defect_drop"])
def test_every_person_bearing_row_is_in_person_records(request, which) -> None:
    """Duplicates and defective rows included (marked as not reaching the warehouse)."""
    generated = request.getfixturevalue(which)
    truth = load_truth(generated.truth)
    manifest = {f["file"]: f["rows"] for f in truth.manifest["files"]}
    per_file = truth.person_records.groupby("file_name").size()
    for name, rows in manifest.items():
        if name.startswith(("police/crime_people_", "police/custody_", "la/")):
            assert per_file.get(name, 0) == rows, name
    rejected = set(truth.rejected_files)
    in_rejected = truth.person_records["file_name"].isin(rejected)
    assert not truth.person_records[in_rejected]["in_warehouse"].any()
