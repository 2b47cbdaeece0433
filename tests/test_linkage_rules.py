"""The linkage rules, one test each, on hand-made raw records whose truth the test states.

Brief (issue 5/5): link across police crime people, custody and the three councils from
tokens with sex, age, postcode district and the agency's own number; tolerate ONE
disagreeing token where the other evidence agrees; never link on two disagreeing tokens,
nor on a shared date of birth alone; records with no tokens are each their own person;
keys stable across runs. Issue 2/6: records sharing the force's person number (crime
people and custody) are one person, tokens or not (the force's own master index).
The model's reasoning is in linkage/settings/person_linkage.yaml.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from linkage.model import (
    LINKS_TABLE,
    _load_records,
    exact_match_links,
    link_records,
    load_settings,
    run_linkage,
)
from linkage.records import COLUMNS, collect_person_records
from tests.support.linkage_records import Person, RawRecords

LEICESTER, LEICESTERSHIRE, RUTLAND = "E06000016", "E10000018", "E06000017"
JAMAL = Person("OKAFOR", "JAMAL", date(2006, 2, 14), sex="M", postcode_district="LE3")
ALI = Person("HUSSAIN", "ALI", date(2006, 2, 14), sex="M", postcode_district="LE3")


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def persons_of(records: RawRecords, settings) -> dict[str, str]:
    """record_ref -> person_key after linking the given raw records."""
    con = duckdb.connect()
    records.write(con)
    links = link_records(collect_person_records(con), settings)
    con.close()
    return dict(zip(links["record_ref"], links["person_key"], strict=True))


def police_pair(first: Person, second: Person, *, same_force_number: bool) -> RawRecords:
    """`first` a suspect in 2023; `second` a detainee a year later, under the same force
    person number or another one."""
    raw = RawRecords()
    raw.crime("CR/1/23", date(2023, 6, 1), "5D")
    raw.crime_person("CR/1/23", "P1", "suspect", first, date(2023, 6, 1))
    raw.custody("CU1", "P1" if same_force_number else "P2", second, date(2024, 6, 1))
    return raw


def test_same_tokens_link_across_all_six_sources(settings):
    raw = RawRecords()
    raw.crime("CR/1/23", date(2023, 6, 1), "5D")
    refs = [
        raw.crime_person("CR/1/23", "P1", "suspect", JAMAL, date(2023, 6, 1)),
        raw.custody("CU1", "P1", JAMAL, date(2023, 6, 2)),
        raw.looked_after(LEICESTER, "K1", JAMAL, date(2016, 4, 1)),
        raw.protection_plan(LEICESTERSHIRE, "C9", JAMAL, date(2014, 4, 1)),
        raw.absence(LEICESTER, "K1", JAMAL, "2019-20", 300, 60),
        raw.exclusion(RUTLAND, "R5", JAMAL, date(2020, 1, 6), "suspension"),
    ]
    persons = persons_of(raw, settings)
    assert len({persons[r] for r in refs}) == 1


def test_misspelt_surname_links_when_other_evidence_agrees(settings):
    # Forename and dob agree, so do sex, age and the force's person number.
    persons = persons_of(police_pair(JAMAL, JAMAL.misspelt(), same_force_number=True), settings)
    assert persons["CR/1/23:P1:suspect"] == persons["CU1"]


def test_wrong_dob_links_when_other_evidence_agrees(settings):
    # Names, sex and the force number agree; the ages fit the true dob.
    persons = persons_of(police_pair(JAMAL, JAMAL.wrong_dob(), same_force_number=True),
                         settings)
    assert persons["CR/1/23:P1:suspect"] == persons["CU1"]


def test_wrong_dob_links_council_records_with_the_same_child_number(settings):
    raw = RawRecords()
    cla = raw.looked_after(LEICESTER, "K1", JAMAL, date(2016, 4, 1))
    absence = raw.absence(LEICESTER, "K1", JAMAL.wrong_dob(), "2019-20", 300, 40)
    persons = persons_of(raw, settings)
    assert persons[cla] == persons[absence]


def test_misspelt_council_record_joins_police_through_its_childs_other_records(settings):
    # The misspelt episode links to the child's plan by the council's child number; the
    # plan agrees with the police record on all three tokens.
    raw = RawRecords()
    raw.crime("CR/1/23", date(2023, 6, 1), "5D")
    suspect = raw.crime_person("CR/1/23", "P1", "suspect", JAMAL, date(2023, 6, 1))
    episode = raw.looked_after(LEICESTER, "K1", JAMAL.misspelt(), date(2016, 4, 1))
    plan = raw.protection_plan(LEICESTER, "K1", JAMAL, date(2015, 4, 1))
    persons = persons_of(raw, settings)
    assert persons[suspect] == persons[episode] == persons[plan]


def test_one_disagreeing_token_with_nothing_else_to_back_it_does_not_link(settings):
    # Across agencies there is no shared number: forename + dob + sex alone are shared
    # by too many people in LLR (1-18% of such pairs are one person at scale 1).
    raw = RawRecords()
    raw.crime("CR/1/23", date(2023, 6, 1), "5D")
    suspect = raw.crime_person("CR/1/23", "P1", "suspect", JAMAL, date(2023, 6, 1))
    episode = raw.looked_after(LEICESTER, "K1", JAMAL.misspelt(), date(2016, 4, 1))
    persons = persons_of(raw, settings)
    assert persons[suspect] != persons[episode]


def test_two_disagreeing_tokens_do_not_link(settings):
    twice_wrong = JAMAL.misspelt().wrong_dob()
    persons = persons_of(police_pair(JAMAL, twice_wrong, same_force_number=False), settings)
    assert persons["CR/1/23:P1:suspect"] != persons["CU1"]


def test_different_person_with_same_dob_does_not_link(settings):
    # Same dob, sex and home district: only the names tell them apart, and they do.
    persons = persons_of(police_pair(JAMAL, ALI, same_force_number=False), settings)
    assert persons["CR/1/23:P1:suspect"] != persons["CU1"]


def test_records_without_tokens_or_a_shared_force_number_are_each_their_own_person(settings):
    raw = RawRecords()
    raw.crime("CR/1/23", date(2023, 6, 1), "5D")
    raw.crime_person("CR/1/23", "P1", "suspect", None, date(2023, 6, 1), age=19)
    raw.crime_person("CR/1/23", "P2", "suspect", None, date(2023, 6, 1), age=19)
    raw.custody("CU1", "P3", None, date(2023, 6, 2))
    persons = persons_of(raw, settings)
    assert len(set(persons.values())) == 3


def test_records_sharing_a_force_person_number_are_one_person_without_tokens(settings):
    raw = RawRecords()
    raw.crime("CR/1/23", date(2023, 6, 1), "5D")
    suspect = raw.crime_person("CR/1/23", "P1", "suspect", None, date(2023, 6, 1), age=19)
    custody = raw.custody("CU1", "P1", None, date(2023, 6, 2))
    other = raw.crime_person("CR/1/23", "P2", "suspect", None, date(2023, 6, 1), age=19)
    persons = persons_of(raw, settings)
    assert persons[suspect] == persons[custody] != persons[other]


def test_records_sharing_a_force_person_number_link_even_when_tokens_disagree(settings):
    # Two disagreeing tokens would never link on Splink's evidence; the number decides.
    persons = persons_of(
        police_pair(JAMAL, JAMAL.misspelt().wrong_dob(), same_force_number=True), settings)
    assert persons["CR/1/23:P1:suspect"] == persons["CU1"]


def test_the_force_number_does_not_link_across_agencies(settings):
    # A council's child number that happens to read like a force number is another index.
    raw = RawRecords()
    raw.crime("CR/1/23", date(2023, 6, 1), "5D")
    suspect = raw.crime_person("CR/1/23", "P1", "suspect", JAMAL, date(2023, 6, 1))
    episode = raw.looked_after(LEICESTER, "P1", ALI, date(2016, 4, 1))
    persons = persons_of(raw, settings)
    assert persons[suspect] != persons[episode]


def test_exact_matching_misses_the_misspelt_surname_splink_links(settings):
    con = duckdb.connect()
    police_pair(JAMAL, JAMAL.misspelt(), same_force_number=True).write(con)
    records = collect_person_records(con)
    exact = exact_match_links(records)
    assert exact["person_key"].nunique() == 2
    assert link_records(records, settings)["person_key"].nunique() == 1


def test_person_keys_are_stable_across_runs_and_record_order(settings):
    raw = police_pair(JAMAL, JAMAL.misspelt(), same_force_number=True)
    raw.crime("CR/2/23", date(2023, 7, 1), "8N")
    raw.crime_person("CR/2/23", "P3", "victim", ALI, date(2023, 7, 1))
    con = duckdb.connect()
    raw.write(con)
    records = collect_person_records(con)
    first = link_records(records, settings)
    reversed_records = records.iloc[::-1].reset_index(drop=True).copy()
    second = link_records(reversed_records, settings)
    pd.testing.assert_frame_equal(first, second)
    # And through the warehouse table, twice.
    run_linkage(con, settings)
    one = con.execute(f"select * from {LINKS_TABLE} order by all").df()
    run_linkage(con, settings)
    two = con.execute(f"select * from {LINKS_TABLE} order by all").df()
    pd.testing.assert_frame_equal(one, two)


def test_a_record_id_given_twice_is_linked_once_from_its_smallest_local_id(settings):
    """The ingest refuses a key two current files share, so raw tables never hold one
    twice; should they, the model keeps one row of the record (the one with the smallest
    force person number) rather than give Splink a unique id twice."""
    raw = RawRecords()
    raw.custody("CU1", "P2", ALI, date(2024, 6, 1))
    raw.custody("CU1", "P1", JAMAL, date(2024, 6, 1))
    raw.crime("CR/1/23", date(2023, 6, 1), "5D")
    raw.crime_person("CR/1/23", "P1", "suspect", None, date(2023, 6, 1))
    raw.crime_person("CR/1/23", "P9", "victim", None, date(2023, 6, 1))
    con = duckdb.connect()
    raw.write(con)
    run_linkage(con, settings)
    links = con.execute(f"select record_ref, person_key from {LINKS_TABLE}").fetchall()
    assert sorted(ref for ref, _ in links) == ["CR/1/23:P1:suspect", "CR/1/23:P9:victim", "CU1"]
    person = dict(links)
    # The row kept is P1's: it shares the suspect's force number; P2's would not.
    assert person["CU1"] == person["CR/1/23:P1:suspect"] != person["CR/1/23:P9:victim"]
    by_frame = link_records(collect_person_records(con), settings)
    assert dict(zip(by_frame["record_ref"], by_frame["person_key"], strict=True)) == person


def test_records_are_numbered_in_record_id_order_and_a_repeat_keeps_its_place():
    """`_load_records` numbers the records by their place in (record id, local id)
    order, whatever order the query gives them in; a record id given twice keeps its
    row with the smallest local id, and the number the other row had is left unused."""
    con = duckdb.connect()
    rows = [("b", "police_people", "2"), ("c", "custody", "9"), ("a", "custody", "5"),
            ("b", "police_people", "1"), ("d", "custody", None)]
    con.execute("create table given (record_id varchar, source varchar, local_id varchar)")
    con.executemany("insert into given values (?, ?, ?)", rows)
    columns = {c: "null" for c in COLUMNS if c not in ("record_id", "source", "local_id")}
    columns.update(record_ref="record_id", local_system="'police'",
                   has_tokens="record_id <> 'c'")
    _load_records(con, "select record_id, source, local_id, "
                       + ", ".join(f"{v} as {c}" for c, v in columns.items()) + " from given")
    assert con.execute("select record_no, record_id, local_id from records "
                       "order by record_no").fetchall() == [
        (1, "a", "5"), (2, "b", "1"), (4, "c", "9"), (5, "d", None)]
    assert con.execute("select record_no from linkable_records order by 1").fetchall() == [
        (1,), (2,), (5,)]


def test_linkage_holds_no_tokens_names_or_dates_of_birth(settings):
    con = duckdb.connect()
    police_pair(JAMAL, JAMAL, same_force_number=False).write(con)
    run_linkage(con, settings)
    columns = {r[0] for r in con.execute(f"describe {LINKS_TABLE}").fetchall()}
    assert columns == {
        "source", "record_ref", "person_key", "match_probability", "has_tokens",
        "settings_version", "linked_at",
    }
    # The records frame works from tokens, never from what they hide.
    assert not {"surname", "forename", "dob", "date_of_birth"} & set(COLUMNS)


def test_match_probability_is_the_strongest_link_and_null_for_a_lone_record(settings):
    raw = police_pair(JAMAL, JAMAL, same_force_number=False)
    raw.crime_person("CR/1/23", "P9", "victim", ALI, date(2023, 6, 1))
    con = duckdb.connect()
    raw.write(con)
    links = link_records(collect_person_records(con), settings).set_index("record_ref")
    assert links.loc["CU1", "match_probability"] > settings.threshold_match_probability
    assert pd.isna(links.loc["CR/1/23:P9:victim", "match_probability"])
