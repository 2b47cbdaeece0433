"""The force's person number is its own master index (issue 2/6, point 7).

"The cohort missed a person: a suspect whose murder record came without tokens but with
the force's own person_ref, which appears on that person's other records." Records that
share a police person_ref (crime people and custody) are one person even when their
tokens are blank or disagree; the cohort counts such a suspect. One test on hand-made
records through dbt to the cohort, one on the generated three-year drop (`linked_years`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from linkage.model import LINKS_TABLE, run_linkage
from tests.support.linkage_records import Person, RawRecords
from vrn.reference import DBT_PROJECT_DIR

DANNY = Person("WALSH", "DANNY", date(2004, 9, 3), sex="M", postcode_district="LE4")


def _dbt_build(warehouse: Path, workdir: Path, select: str) -> None:
    dbt = str(Path(sys.executable).with_name("dbt"))
    env = {**os.environ, "VRN_WAREHOUSE": str(warehouse), "DO_NOT_TRACK": "1"}
    done = subprocess.run(
        [dbt, "build", "--select", select, "--indirect-selection", "cautious",
         "--exclude", "test_type:data", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(workdir / "target"),
         "--log-path", str(workdir / "logs")],
        env=env, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout[-4000:]


def test_tokenless_murder_suspect_joins_their_person_by_force_number_and_the_cohort(
        tmp_path: Path):
    # Danny, 17, is a suspect in a robbery (tokens, person number P7) and later in a
    # murder, whose record came without tokens but with the same person number.
    raw = RawRecords()
    raw.crime("CR/1/23", date(2023, 5, 1), "34B")
    robbery = raw.crime_person("CR/1/23", "P7", "suspect", DANNY, date(2023, 5, 1))
    raw.crime("CR/2/23", date(2023, 9, 1), "1")
    murder = raw.crime_person("CR/2/23", "P7", "suspect", None, date(2023, 9, 1), age=19)
    # Someone else, also without tokens, under another number: a person of their own.
    stranger = raw.crime_person("CR/2/23", "P8", "suspect", None, date(2023, 9, 1), age=30)
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    raw.write(con)
    run_linkage(con)
    keys = dict(con.execute(f"select record_ref, person_key from {LINKS_TABLE}").fetchall())
    probability = con.execute(f"select match_probability from {LINKS_TABLE} "
                              "where record_ref = ?", [murder]).fetchall()[0][0]
    con.close()
    assert keys[murder] == keys[robbery] != keys[stranger]
    assert probability == 1.0

    _dbt_build(warehouse, tmp_path, "+mart_cohort_risk_factors")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cohort = con.execute("""select subgroup, person_key, index_date
            from intermediate.int_people__cohort order by subgroup""").fetchall()
        mart = dict(con.execute("""select subgroup, persons from marts.mart_cohort_risk_factors
            where factor = 'any'""").fetchall())
        earlier = con.execute("""select persons_with_factor from marts.mart_cohort_risk_factors
            where subgroup = 'murder_attempted_murder' and factor = 'earlier_offending'
            """).fetchall()[0][0]
    finally:
        con.close()
    # The murder (code 1) is his index crime in both subgroups.
    assert cohort == [("all", keys[murder], date(2023, 9, 1)),
                      ("murder_attempted_murder", keys[murder], date(2023, 9, 1))]
    assert mart == {"all": 1, "murder_attempted_murder": 1}
    # The robbery, his own earlier offence, is now his history.
    assert earlier == 1


def test_every_tokenless_police_record_is_one_person_with_its_force_numbers_records(
        linked_years: Path):
    con = duckdb.connect(str(linked_years), read_only=True)
    try:
        # Raw rows, not the linkage's own records frame: each police record and its number.
        rows = con.execute(f"""
            with police as (
                select 'police_people' as source,
                       crime_ref || ':' || person_ref || ':' || role as record_ref,
                       person_ref,
                       coalesce(tok_surname, tok_forename, tok_dob) is null as tokenless
                from raw.police__crime_people
                union all
                select 'custody', custody_ref, person_ref,
                       coalesce(tok_surname, tok_forename, tok_dob) is null
                from raw.police__custody
            )
            select p.person_ref, bool_or(p.tokenless) as any_tokenless,
                   count(*) as records, count(distinct l.person_key) as persons,
                   count(l.person_key) as linked
            from police p left join {LINKS_TABLE} l using (source, record_ref)
            group by p.person_ref
            having bool_or(p.tokenless)
        """).df()
    finally:
        con.close()
    shared = rows[rows["records"] > 1]
    print(f"\n{len(rows)} force numbers with a record without tokens; "
          f"{len(shared)} of them on two or more records")
    assert len(shared) > 0
    assert (rows["linked"] == rows["records"]).all()
    assert (rows["persons"] == 1).all(), rows[rows["persons"] != 1].head().to_string()


@pytest.mark.parametrize("source", ["police_people", "custody"])
def test_force_numbers_are_never_shared_by_two_true_persons(years_drop, linked_years, source):
    """The rule's premise, checked on the generator's truth: a force person number names
    one true person (a duplicate nominal record gets a second number, never another's)."""
    from synthetic.truth import load_truth

    truth = load_truth(years_drop.truth).person_records
    records = truth[(truth["source"] == source) & truth["in_warehouse"]]
    if source == "police_people":
        numbers = records["record_ref"].str.split(":").str[1]
    else:
        con = duckdb.connect(str(linked_years), read_only=True)
        custody = con.execute(
            "select custody_ref, person_ref from raw.police__custody").df()
        con.close()
        numbers = records["record_ref"].map(
            dict(zip(custody["custody_ref"], custody["person_ref"], strict=True)))
    per_number = records.assign(number=numbers).groupby("number")["person_id"].nunique()
    assert per_number.notna().all() and len(per_number) > 0
    assert (per_number == 1).all()
