"""A run links again only what changed (linkage/model.py, issue 4/6), and its persons,
keys and probabilities are exactly those of linking every record again.

Each test links a warehouse, changes its raw records as a partner's new or re-sent files
would (records added, removed, changed), links it again, and compares the result with a
link of the same records from nothing (the kept state dropped).
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from linkage.model import LINKS_TABLE, STATE_TABLE, LinkageSummary, load_settings, run_linkage
from linkage.records import RAW_TABLES
from tests.support.linkage_records import Person, RawRecords

LEICESTER = "E06000016"
LINK_COLUMNS = "source, record_ref, person_key, match_probability, has_tokens, settings_version"

JAMAL = Person("OKAFOR", "JAMAL", date(2006, 2, 14))
ALI = Person("HUSSAIN", "ALI", date(2006, 2, 14))
BEA = Person("MORRIS", "BEATRICE", date(2008, 9, 3), sex="F", postcode_district="LE2")
JANE = Person("KOWALSKA", "JANE", date(2007, 1, 20), sex="F", postcode_district="LE4")


def link(path: Path) -> LinkageSummary:
    con = duckdb.connect(str(path))
    try:
        return run_linkage(con)
    finally:
        con.close()


def links(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select {LINK_COLUMNS} from {LINKS_TABLE} "
                           "order by source, record_ref").fetchall()
    finally:
        con.close()


def linked(path: Path) -> tuple[list[tuple], list[tuple]]:
    """The links and the state kept for the next run (without the runs' times)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        state = con.execute(f"select digest, person_key, match_probability, model_key "
                            f"from {STATE_TABLE} order by all").fetchall()
    finally:
        con.close()
    return links(path), state


def persons(path: Path) -> dict[str, str]:
    return {ref: key for _, ref, key, *_ in links(path)}


def link_from_nothing(path: Path, tmp_path: Path) -> tuple[list[tuple], list[tuple]]:
    """The same raw records linked with no kept state: every record linked (its links
    and state written whole)."""
    copy = tmp_path / "from_nothing.duckdb"
    shutil.copy(path, copy)
    con = duckdb.connect(str(copy))
    con.execute(f"drop table if exists {STATE_TABLE}")
    con.close()
    assert link(copy).linked_everything
    return linked(copy)


def execute(path: Path, *sql: str) -> None:
    con = duckdb.connect(str(path))
    for statement in sql:
        con.execute(statement)
    con.close()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """Three persons as a partner first sends them:

    - Jamal: a crime person (force number P1) and a looked-after record; Ali apart.
    - Bea: a crime person with a misspelt surname (P7), a custody record under P7 with
      the right tokens (the force number links them), and a looked-after record with the
      right tokens (linked to the custody record by tokens). The custody record is the
      only thing joining the misspelt record to the looked-after one.
    - Jane: a crime person with a misspelt surname (P9) and a looked-after record with the
      right tokens: one disagreeing token and no shared number, so two persons.
    """
    path = tmp_path / "warehouse.duckdb"
    raw = RawRecords()
    raw.crime("CR/1/23", date(2023, 6, 1), "5D")
    raw.crime_person("CR/1/23", "P1", "suspect", JAMAL, date(2023, 6, 1))
    raw.crime_person("CR/1/23", "P2", "victim", ALI, date(2023, 6, 1))
    raw.looked_after(LEICESTER, "K1", JAMAL, date(2019, 4, 1))
    raw.crime("CR/2/23", date(2023, 7, 1), "8N")
    raw.crime_person("CR/2/23", "P7", "suspect", BEA.misspelt(), date(2023, 7, 1))
    raw.custody("CU7", "P7", BEA, date(2023, 8, 1))
    raw.looked_after(LEICESTER, "K7", BEA, date(2020, 4, 1))
    raw.crime("CR/3/23", date(2023, 9, 1), "8N")
    raw.crime_person("CR/3/23", "P9", "victim", JANE.misspelt(), date(2023, 9, 1))
    raw.looked_after(LEICESTER, "K9", JANE, date(2021, 4, 1))
    con = duckdb.connect(str(path))
    raw.write(con)
    con.close()
    first = link(path)
    assert first.linked_everything and first.records_linked == first.records == 8
    return path


def test_nothing_changed_links_nothing_again(warehouse, tmp_path):
    before = links(warehouse)
    summary = link(warehouse)
    assert (summary.linked_everything, summary.records_linked) == (False, 0)
    assert links(warehouse) == before
    assert linked(warehouse) == link_from_nothing(warehouse, tmp_path)


def test_a_record_that_joined_two_others_removed_splits_its_person(warehouse, tmp_path):
    before = persons(warehouse)
    assert before["CR/2/23:P7:suspect"] == before["CU7"] == before[f"{LEICESTER}:K7:2020-04-01"]
    execute(warehouse, "delete from raw.police__custody where custody_ref = 'CU7'")

    summary = link(warehouse)

    after = persons(warehouse)
    assert not summary.linked_everything
    assert summary.records_linked == 2  # Bea's two other records, nothing of the others'
    assert after["CR/2/23:P7:suspect"] != after[f"{LEICESTER}:K7:2020-04-01"]
    assert linked(warehouse) == link_from_nothing(warehouse, tmp_path)


def test_a_new_record_joining_two_persons_merges_them_under_the_smaller_record_id(
        warehouse, tmp_path):
    before = persons(warehouse)
    assert before["CR/3/23:P9:victim"] != before[f"{LEICESTER}:K9:2021-04-01"]
    raw = RawRecords()
    raw.custody("CU9", "P9", JANE, date(2024, 5, 1))  # Jane's number, her right tokens
    con = duckdb.connect(str(warehouse))
    raw.write(con)
    con.close()

    summary = link(warehouse)

    after = persons(warehouse)
    assert summary.records_linked == 1
    assert after["CR/3/23:P9:victim"] == after[f"{LEICESTER}:K9:2021-04-01"] == after["CU9"]
    # The custody record's id ('custody|CU9') is the person's smallest: a new key for all.
    assert after["CU9"] not in before.values()
    assert after["CR/1/23:P1:suspect"] == before["CR/1/23:P1:suspect"]  # Jamal kept
    assert linked(warehouse) == link_from_nothing(warehouse, tmp_path)


def test_a_changed_record_leaves_its_person_and_joins_another(warehouse, tmp_path):
    # Ali's record re-sent with Jamal's tokens: the same record, now Jamal's.
    jamal = JAMAL.tokens()
    execute(warehouse, f"""update raw.police__crime_people
        set tok_surname = '{jamal["tok_surname"]}', tok_forename = '{jamal["tok_forename"]}',
            tok_dob = '{jamal["tok_dob"]}'
        where person_ref = 'P2'""")
    before = persons(warehouse)
    assert before["CR/1/23:P2:victim"] != before["CR/1/23:P1:suspect"]

    summary = link(warehouse)

    after = persons(warehouse)
    assert summary.records_linked == 1
    assert after["CR/1/23:P2:victim"] == after["CR/1/23:P1:suspect"]
    assert linked(warehouse) == link_from_nothing(warehouse, tmp_path)


def linked_at(path: Path) -> dict[str, datetime]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute(f"select record_ref, linked_at from {LINKS_TABLE}").fetchall())
    finally:
        con.close()


def test_linked_at_moves_for_every_record_of_a_person_linked_again_only(warehouse):
    """What the dbt models built person by person read (macros/people_chain.sql): a
    record's time changes exactly when its person is linked again, to a time later than
    any before."""
    first = linked_at(warehouse)
    assert len(set(first.values())) == 1  # one run: one time
    link(warehouse)
    assert linked_at(warehouse) == first  # nothing changed: nothing linked again

    # Jane's custody record joins her two persons; Bea loses her custody record.
    raw = RawRecords()
    raw.custody("CU9", "P9", JANE, date(2024, 5, 1))
    con = duckdb.connect(str(warehouse))
    raw.write(con)
    con.execute("delete from raw.police__custody where custody_ref = 'CU7'")
    con.close()
    link(warehouse)

    after = linked_at(warehouse)
    jane = ["CR/3/23:P9:victim", f"{LEICESTER}:K9:2021-04-01", "CU9"]
    bea = ["CR/2/23:P7:suspect", f"{LEICESTER}:K7:2020-04-01"]
    others = [ref for ref in after if ref not in jane + bea]
    assert len({after[ref] for ref in jane + bea}) == 1
    assert after[jane[0]] > max(first.values())
    assert {ref: after[ref] for ref in others} == {ref: first[ref] for ref in others}
    assert others  # Jamal's and Ali's records


def test_linked_at_is_later_than_any_earlier_run_s_even_with_the_clock_set_back(warehouse):
    future = datetime(2999, 1, 1)
    execute(warehouse, f"update {LINKS_TABLE} set linked_at = timestamp '{future}'",
            f"update {STATE_TABLE} set linked_at = timestamp '{future}'")
    raw = RawRecords()
    raw.custody("CU9", "P9", JANE, date(2024, 5, 1))
    con = duckdb.connect(str(warehouse))
    raw.write(con)
    con.close()
    link(warehouse)
    assert linked_at(warehouse)["CU9"] == future + timedelta(microseconds=1)


def test_another_model_links_every_record_again(warehouse, tmp_path):
    settings = load_settings()
    stricter = type(settings)(**{**settings.__dict__, "threshold_match_probability": 0.95})
    con = duckdb.connect(str(warehouse))
    try:
        assert run_linkage(con, stricter).linked_everything
        assert not run_linkage(con, stricter).linked_everything
        assert run_linkage(con, settings).linked_everything
    finally:
        con.close()


def test_a_warehouse_file_named_like_a_keyword_links(warehouse, tmp_path):
    """The warehouse's catalog is named after its file; quoted in every statement."""
    renamed = tmp_path / "full-copy.duckdb"
    shutil.copy(warehouse, renamed)
    assert link(renamed).records_linked == 0
    assert links(renamed) == links(warehouse)


def test_a_new_quarter_and_re_sent_files_on_a_generated_drop(linked_years, tmp_path):
    """Three generated years: the last quarter held back and linked, then sent, with
    earlier files re-sent (records dropped, tokens changed, a dob blanked)."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(linked_years, path)
    held = {table: f"main.held_{table.replace('.', '_')}" for table in RAW_TABLES}
    last = "period in ('2021-22Q4', '2021-22')"
    execute(path, f"drop table {STATE_TABLE}", *(
        f"create table {copy} as select * from {table} where {last}"
        for table, copy in held.items()), *(
        f"delete from {table} where {last}" for table in RAW_TABLES))
    assert link(path).linked_everything
    execute(path, *(f"insert into {table} select * from {copy}" for table, copy in held.items()),
            "delete from raw.police__crime_people where period = '2020-21Q2' "
            "and row_number % 7 = 0",
            "update raw.police__custody set tok_surname = md5(coalesce(tok_surname, 'x')) "
            "where period = '2019-20Q3' and row_number % 5 = 0",
            "update raw.la__children_looked_after set tok_dob = null "
            "where period = '2020-21Q1' and row_number % 3 = 0")

    summary = link(path)

    assert not summary.linked_everything
    assert 0 < summary.records_linked < summary.records / 3
    assert linked(path) == link_from_nothing(path, tmp_path)
