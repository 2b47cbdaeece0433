"""Linkage quality and the cohort mart on a small generated drop, against its truth.

One drop (default seed, small scale, two financial years so the cohort has history) is
generated, ingested, linked and built once for the module. Quality is scored against the
generator's `person_records.csv`; the cohort figures are recomputed here from the truth's
person ids and the raw rows, without the dbt SQL, and compared with
`marts.mart_cohort_risk_factors`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.load import ingest_landing
from linkage.model import exact_match_links, link_records, load_settings, run_linkage
from linkage.quality import score_linkage
from linkage.records import collect_person_records
from synthetic.generate import generate
from synthetic.truth import load_truth
from vrn.reference import DBT_PROJECT_DIR

SEED, SCALE = 42, 0.05
START, END = date(2022, 4, 1), date(2024, 3, 31)
HIGH_HARM = {"1", "4.1", "4.10", "4.2", "2", "5D", "5E"}
MURDER_ATTEMPTED = {"1", "4.1", "4.10", "4.2", "2"}
FACTORS = (
    "looked_after", "child_protection_plan", "persistent_absence", "suspension",
    "permanent_exclusion", "earlier_victimisation", "earlier_offending", "earlier_custody",
)


@pytest.fixture(scope="module")
def drop(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("linkage_drop")
    landing = tmp / "landing"
    generate(landing, seed=SEED, scale=SCALE, start=START, end=END)
    warehouse = tmp / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    ingest_landing(con, landing)
    records = collect_person_records(con)
    run_linkage(con)
    con.close()
    return {"tmp": tmp, "warehouse": warehouse, "records": records,
            "truth": load_truth(Path(f"{landing}.truth"))}


POLICE_SOURCES = ("police_people", "custody")


def tokenised_truth(truth) -> pd.DataFrame:
    """Truth of the records that reach the warehouse and can be linked: those with tokens,
    and police records (crime people, custody) without tokens, which carry the force's
    person number and join its other records (issue 2/6). A council record without
    tokens has nothing to link on and is by rule a person of its own: not scored."""
    pr = truth.person_records
    linkable = (pr["token_error"] != "blank") | pr["source"].isin(POLICE_SOURCES)
    return pr[pr["in_warehouse"] & linkable].astype({"person_id": str})


def identified_truth(truth) -> pd.DataFrame:
    """The records of `tokenised_truth` that reach an identified person
    (dim_person.is_identified, which the cohort requires: a record with tokens or a police
    record), with the person each reaches. A police record without tokens reaches its
    true person through the force's person number when that person has a police record
    with tokens; otherwise it reaches only the person's other tokenless police records,
    written here as a person of their own (`<person_id>:police`), apart from the true
    person's council records, which nothing links it to."""
    scored = tokenised_truth(truth)
    has_tokens = scored["token_error"] != "blank"
    police = scored["source"].isin(POLICE_SOURCES)
    tokenised_police = set(scored.loc[has_tokens & police, "person_id"])
    apart = ~has_tokens & police & ~scored["person_id"].isin(tokenised_police)
    return scored.assign(person_id=scored["person_id"].where(
        ~apart, scored["person_id"] + ":police"))


def test_splink_meets_quality_targets_and_beats_exact_matching(drop):
    records, truth = drop["records"], tokenised_truth(drop["truth"])
    splink = score_linkage(link_records(records, load_settings()), truth)
    exact = score_linkage(exact_match_links(records), truth)
    print(f"\nsplink {splink.as_dict()}\nexact  {exact.as_dict()}")
    assert splink.records_scored == len(truth)
    assert splink.pairwise_precision >= 0.98
    assert splink.pairwise_recall >= 0.95
    assert splink.cluster_precision >= 0.98
    assert splink.cluster_recall >= 0.95
    # Exact matching on all three tokens misses every record with a token error.
    assert splink.pairwise_recall > exact.pairwise_recall
    assert splink.cluster_recall > exact.cluster_recall


@pytest.fixture(scope="module")
def cohort_mart(drop) -> pd.DataFrame:
    """`marts.mart_cohort_risk_factors` built by dbt on the linked drop."""
    tmp = drop["tmp"]
    dbt = str(Path(sys.executable).with_name("dbt"))
    env = {**os.environ, "VRN_WAREHOUSE": str(drop["warehouse"]), "DO_NOT_TRACK": "1"}
    done = subprocess.run(
        [dbt, "build", "--select", "+mart_cohort_risk_factors", "--indirect-selection",
         "cautious", "--project-dir",
         str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp / "dbt_target"), "--log-path", str(tmp / "dbt_logs")],
        env=env, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    con = duckdb.connect(str(drop["warehouse"]), read_only=True)
    try:
        return con.execute("select * from marts.mart_cohort_risk_factors").df()
    finally:
        con.close()


def _raw(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def expected_cohort_figures(warehouse: Path, truth) -> pd.DataFrame:
    """The mart's figures from the truth's person ids, in pandas, from raw rows."""
    person = identified_truth(truth).set_index(["source", "record_ref"])["person_id"]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        crimes = _raw(con, """select crime_ref, status, ho_offence_code,
                              offence_from::date as offence_date, recorded_date
                              from raw.police__crimes""")
        people = _raw(con, """select crime_ref || ':' || person_ref || ':' || role as ref,
                              crime_ref, role, age from raw.police__crime_people""")
        custody = _raw(con, "select custody_ref as ref, arrived_at::date as d "
                            "from raw.police__custody")
        cla = _raw(con, "select la_code || ':' || child_ref || ':' || "
                        "strftime(episode_start, '%Y-%m-%d') as ref, episode_start as d "
                        "from raw.la__children_looked_after")
        cpp = _raw(con, "select la_code || ':' || child_ref || ':' || "
                        "strftime(plan_start, '%Y-%m-%d') as ref, plan_start as d "
                        "from raw.la__child_protection_plans")
        absence = _raw(con, "select la_code || ':' || child_ref || ':' || academic_year "
                            "as ref, academic_year, sessions_possible, sessions_missed "
                            "from raw.la__school_absence")
        exclusions = _raw(con, "select la_code || ':' || child_ref || ':' || "
                               "strftime(start_date, '%Y-%m-%d') as ref, start_date as d, "
                               "type from raw.la__exclusions")
    finally:
        con.close()

    def pid(source: str, refs: pd.Series) -> pd.Series:
        keys = pd.MultiIndex.from_arrays([[source] * len(refs), refs])
        return pd.Series(person.reindex(keys).to_numpy(), index=refs.index)

    recorded = crimes[crimes["status"] == "recorded"]
    people = people.merge(recorded, on="crime_ref")
    people["person_id"] = pid("police_people", people["ref"])
    people = people.dropna(subset=["person_id"])

    events: list[pd.DataFrame] = []

    def add(factor: str, frame: pd.DataFrame, source: str, date_col: str = "d") -> None:
        ids = pid(source, frame["ref"])
        events.append(pd.DataFrame({"person_id": ids, "factor": factor,
                                    "d": pd.to_datetime(frame[date_col])}).dropna())

    add("looked_after", cla, "la_cla")
    add("child_protection_plan", cpp, "la_cpp")
    persistent = absence[(absence["sessions_possible"] > 0)
                         & (absence["sessions_missed"] / absence["sessions_possible"] >= 0.1)]
    persistent = persistent.assign(
        d=[date(int(y[:4]) + 1, 8, 31) for y in persistent["academic_year"]])
    add("persistent_absence", persistent, "la_absence")
    add("suspension", exclusions[exclusions["type"] == "suspension"], "la_exclusions")
    add("permanent_exclusion", exclusions[exclusions["type"] == "permanent"], "la_exclusions")
    add("earlier_custody", custody, "custody")
    for role, factor in (("victim", "earlier_victimisation"), ("suspect", "earlier_offending")):
        part = people[people["role"] == role]
        events.append(pd.DataFrame({"person_id": part["person_id"], "factor": factor,
                                    "d": pd.to_datetime(part["recorded_date"])}))
    all_events = pd.concat(events)

    rows = []
    young_suspects = people[(people["role"] == "suspect") & (people["age"] < 25)]
    for subgroup, codes in (("all", HIGH_HARM), ("murder_attempted_murder", MURDER_ATTEMPTED)):
        index = (young_suspects[young_suspects["ho_offence_code"].isin(codes)]
                 .groupby("person_id")["offence_date"].min())
        index = pd.to_datetime(index).rename("index_date").reset_index()
        had = all_events.merge(index, on="person_id")
        had = had[had["d"] < had["index_date"]][["person_id", "factor"]].drop_duplicates()
        per_person = had.groupby("person_id").size().reindex(index["person_id"], fill_value=0)
        persons = len(index)
        avg = float(per_person.mean()) if persons else None
        for factor in (*FACTORS, "any"):
            n = (int((per_person > 0).sum()) if factor == "any"
                 else int((had["factor"] == factor).sum()))
            rows.append({"subgroup": subgroup, "factor": factor, "persons": persons,
                         "persons_with_factor": n, "avg_factors_per_person": avg})
    return pd.DataFrame(rows)


def test_cohort_figures_match_the_truth(drop, cohort_mart):
    expected = expected_cohort_figures(drop["warehouse"], drop["truth"])
    got = cohort_mart.set_index(["subgroup", "factor"]).sort_index()
    want = expected.set_index(["subgroup", "factor"]).sort_index()
    both = got.merge(want, left_index=True, right_index=True, suffixes=("", "_truth"))
    print(f"\n{both.to_string()}")
    assert list(got.index) == list(want.index)
    assert (got["persons"] > 0).all()
    assert (got["persons"] == want["persons"]).all()
    assert (got["persons_with_factor"] == want["persons_with_factor"]).all()
    assert got["avg_factors_per_person"].to_numpy() == pytest.approx(
        want["avg_factors_per_person"].to_numpy())


def test_planted_cohort_members_are_the_cohort(drop, cohort_mart):
    """The generator plants the SNA's young high-harm suspects (truth `cohort.csv`). Each
    whose index suspect record reaches the warehouse is found: with tokens, or without
    them through the force's person number on their other police records (issue 2/6)."""
    truth = drop["truth"]
    records = truth.person_records
    suspect = records[(records["source"] == "police_people")
                      & records["record_ref"].str.endswith(":suspect")
                      & records["in_warehouse"]]
    suspect = suspect.assign(crime_ref=suspect["record_ref"].str.split(":").str[0])
    planted = truth.cohort.merge(suspect, left_on=["person_id", "index_crime_ref"],
                                 right_on=["person_id", "crime_ref"])
    identified = planted[planted["record_ref"].isin(
        identified_truth(truth).query("source == 'police_people'")["record_ref"])]
    assert len(identified) == len(planted)
    con = duckdb.connect(str(drop["warehouse"]), read_only=True)
    try:
        found = con.execute("""
            select c.subgroup, b.source, b.record_ref
            from intermediate.int_people__cohort c
            join marts.bridge_person_record b using (person_key)
        """).df()
    finally:
        con.close()
    in_cohort = found.merge(records, on=["source", "record_ref"])
    for subgroup, members in (
        ("all", identified),
        ("murder_attempted_murder", identified[identified["murder_attempted_murder"] == "Y"]),
    ):
        ids = set(in_cohort.loc[in_cohort["subgroup"] == subgroup, "person_id"])
        assert set(members["person_id"]) <= ids, subgroup
    persons = cohort_mart.set_index(["subgroup", "factor"])["persons"]
    assert persons[("all", "any")] >= len(identified) > 0
