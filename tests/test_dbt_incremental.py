"""The police models built crime by crime (dbt_project/macros/crime_chain.sql), the
people models built person by person (dbt_project/macros/people_chain.sql), and when
`vrn run` builds them whole (`orchestration.dbt_incremental`).

A hand-made raw warehouse is built whole; then files arrive, are re-sent and are removed,
as between two runs. The incremental build must give exactly the rows a full build of
the same raw tables gives, rebuilding only the crimes whose staged rows changed: a crime
nothing touched keeps the row it had (shown by marking that row before the build). A
build interrupted part way (some models built, the rest not) is caught up by the next.
dbt builds only the police chain and what it reads (`SELECT`).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support.published import dbt_build

from ingest.schema import create_schemas
from orchestration import dbt_incremental

CHAIN = ("int_police__crime_inputs", "int_police__crimes", "int_police__crime_people",
         "int_police__crime_outcomes_current", "int_police__crime_people_summarised",
         "int_police__recorded_crimes")
# No unit tests; a test only when all the models it reads are selected.
OPTIONS = ("--exclude-resource-type", "unit_test", "--indirect-selection", "cautious")
SELECT = ("--select", "+int_police__recorded_crimes", "+int_police__crime_outcomes_current",
          *OPTIONS)


def put_file(con: duckdb.DuckDBPyConnection, table: str, period: str, version: str,
             rows: Sequence[Mapping[str, Any]]) -> None:
    """One police file's rows in `raw.police__<table>`, replacing any earlier version of
    it, with the lineage ingest adds; `version` stands for its SHA-256."""
    file_name = f"police/{table}_{period}.csv"
    con.execute(f"delete from raw.police__{table} where file_name = ?", [file_name])
    columns = sorted({c for row in rows for c in row})
    names = ", ".join([*columns, "file_name", "file_sha256", "row_number", "period"])
    marks = ", ".join("?" for _ in range(len(columns) + 4))
    con.executemany(f"insert into raw.police__{table} ({names}) values ({marks})",
                    [[row.get(c) for c in columns] + [file_name, version * 64, i, period]
                     for i, row in enumerate(rows, start=1)])


def drop_file(con: duckdb.DuckDBPyConnection, table: str, period: str) -> None:
    con.execute(f"delete from raw.police__{table} where file_name = ?",
                [f"police/{table}_{period}.csv"])


def crime(ref: str, code: str, recorded: str, *, status: str = "recorded") -> dict[str, Any]:
    return {"crime_ref": ref, "recorded_date": recorded, "offence_from": f"{recorded} 12:00:00",
            "ho_offence_code": code, "beat_code": "LC01", "location_type": "dwelling",
            "flag_knife_sharp": "N", "flag_domestic_abuse": "N", "status": status}


def person(crime_ref: str, person_ref: str, role: str, age: int) -> dict[str, Any]:
    return {"crime_ref": crime_ref, "person_ref": person_ref, "role": role, "age": age,
            "sex": "F"}


def outcome(crime_ref: str, code: str, day: str) -> dict[str, Any]:
    return {"crime_ref": crime_ref, "outcome_code": code, "outcome_date": day}


def first_files(con: duckdb.DuckDBPyConnection) -> None:
    put_file(con, "crimes", "2023-24Q1", "a", [
        crime("CR/1", "19C", "2023-04-10"), crime("CR/2", "19C", "2023-05-01"),
        crime("CR/3", "8N", "2023-05-02"), crime("CR/4", "19D", "2023-06-01"),
        crime("CR/5", "8N", "2023-06-02"), crime("CR/6", "105A", "2023-06-03"),
    ])
    put_file(con, "crime_people", "2023-24Q1", "a", [
        person("CR/1", "P1", "victim", 30), person("CR/1", "P2", "suspect", 40),
        person("CR/3", "P3", "victim", 19), person("CR/4", "P4", "victim", 22),
        person("CR/4", "P5", "suspect", 35),
        # waits for its crime
        person("CR/9", "P9", "victim", 15),
    ])
    put_file(con, "crime_people", "2023-24Q2", "a", [person("CR/5", "P6", "victim", 50)])
    put_file(con, "outcomes", "2023-24Q1", "a", [
        outcome("CR/1", "1", "2023-06-01"), outcome("CR/2", "16", "2023-06-05"),
        outcome("CR/9", "1", "2023-06-06"),
    ])


def second_files(con: duckdb.DuckDBPyConnection) -> None:
    """What arrives between the two builds. CR/5 and CR/6 are touched by nothing."""
    # new: CR/7, the waiting CR/9, and CR/3 again, cancelled (the later period stands)
    put_file(con, "crimes", "2023-24Q2", "a", [
        crime("CR/7", "8N", "2023-08-01"), crime("CR/9", "19C", "2023-08-02"),
        crime("CR/3", "8N", "2023-05-02", status="cancelled"),
    ])
    # re-sent: CR/1's victim a year older, CR/4's suspect gone
    put_file(con, "crime_people", "2023-24Q1", "b", [
        person("CR/1", "P1", "victim", 31), person("CR/1", "P2", "suspect", 40),
        person("CR/3", "P3", "victim", 19), person("CR/4", "P4", "victim", 22),
        person("CR/9", "P9", "victim", 15),
    ])
    put_file(con, "crime_people", "2023-24Q3", "a", [person("CR/7", "P7", "victim", 24)])
    # removed: Q1's outcomes; CR/2 gets a later one in Q2
    drop_file(con, "outcomes", "2023-24Q1")
    put_file(con, "outcomes", "2023-24Q2", "a", [outcome("CR/2", "1", "2023-09-01")])


def chain_rows(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {m: sorted(con.execute(f"select * from intermediate.{m}").fetchall(), key=repr)
                for m in CHAIN}


def build(warehouse: Path, workdir: Path, *extra: str) -> None:
    result = dbt_build(warehouse, workdir, *SELECT, *extra)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse built whole from the first files."""
    folder = tmp_path_factory.mktemp("incremental")
    warehouse = folder / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        create_schemas(con)
        first_files(con)
    build(warehouse, folder)
    return warehouse


def copy_of(warehouse: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(warehouse, folder / "warehouse.duckdb"))


@pytest.fixture(scope="module")
def built_whole(first_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both files' rows built whole (--full-refresh): what every incremental build must
    equal."""
    warehouse = copy_of(first_build, tmp_path_factory.mktemp("whole"))
    with duckdb.connect(str(warehouse)) as con:
        second_files(con)
    build(warehouse, warehouse.parent, "--full-refresh")
    return warehouse


def test_every_crime_is_built_with_the_digest_of_its_rows(first_build):
    rows = chain_rows(first_build)
    digests = dict(rows["int_police__crime_inputs"])
    assert set(digests) == {"CR/1", "CR/2", "CR/3", "CR/4", "CR/5", "CR/6", "CR/9"}
    with duckdb.connect(str(first_build), read_only=True) as con:
        for model in CHAIN[1:]:
            built = con.execute(f"select distinct crime_ref, inputs_digest "
                                f"from intermediate.{model}").fetchall()
            assert built and all(digests[ref] == digest for ref, digest in built), model


def test_incremental_build_gives_the_rows_of_a_whole_build(first_build, built_whole,
                                                          tmp_path):
    warehouse = copy_of(first_build, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        second_files(con)
    build(warehouse, tmp_path)
    got, want = chain_rows(warehouse), chain_rows(built_whole)
    assert got == want
    recorded = {r[0] for r in want["int_police__recorded_crimes"]}
    assert recorded == {"CR/1", "CR/2", "CR/4", "CR/5", "CR/6", "CR/7", "CR/9"}  # CR/3 cancelled


def test_only_the_crimes_whose_rows_changed_are_built_again(first_build, tmp_path):
    """Each model's row of CR/5 (nothing touched it) and of CR/1 (its victim re-sent) is
    marked before the build: CR/5's marks stay, CR/1's are built over."""
    warehouse = copy_of(first_build, tmp_path)
    marked = {"int_police__crimes": "offence_description",
              "int_police__crime_people": "sex",
              "int_police__crime_people_summarised": "youngest_victim_sex",
              "int_police__recorded_crimes": "offence_description"}
    with duckdb.connect(str(warehouse)) as con:
        for model, column in marked.items():
            con.execute(f"update intermediate.{model} set {column} = 'marked' "
                        "where crime_ref in ('CR/1', 'CR/5')")
        second_files(con)
    build(warehouse, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for model, column in marked.items():
            got = dict(con.execute(f"select crime_ref, max({column}) from "
                                   f"intermediate.{model} where crime_ref in ('CR/1', 'CR/5') "
                                   "group by crime_ref").fetchall())
            assert got == {"CR/5": "marked", "CR/1": got["CR/1"]} and got["CR/1"] != "marked", \
                model


def test_a_build_cut_short_is_caught_up_by_the_next(first_build, built_whole, tmp_path):
    """Only the first models built (as when the rest failed or were skipped): the next
    build brings each model level with the model it is built from."""
    warehouse = copy_of(first_build, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        second_files(con)
    result = dbt_build(warehouse, tmp_path, "--select", "int_police__crime_inputs",
                       "int_police__crimes", *OPTIONS)
    assert result.returncode == 0, result.stdout[-3000:]
    assert chain_rows(warehouse) != chain_rows(built_whole)
    build(warehouse, tmp_path)
    assert chain_rows(warehouse) == chain_rows(built_whole)


def test_recorded_crimes_built_from_a_summary_left_behind_are_built_again(first_build,
                                                                           tmp_path):
    """int_police__recorded_crimes also reads the victims' summary: a crime built while the
    summary still held it at an older digest gets a null digest, and is built again."""
    def resend(con: duckdb.DuckDBPyConnection) -> None:
        put_file(con, "crime_people", "2023-24Q1", "b", [
            person("CR/1", "P1", "victim", 17), person("CR/1", "P2", "suspect", 40),
            person("CR/3", "P3", "victim", 19), person("CR/4", "P4", "victim", 22),
            person("CR/4", "P5", "suspect", 35), person("CR/9", "P9", "victim", 15),
        ])

    whole = copy_of(first_build, tmp_path / "whole")
    warehouse = copy_of(first_build, tmp_path / "cut")
    for each in (whole, warehouse):
        with duckdb.connect(str(each)) as con:
            resend(con)
    build(whole, whole.parent, "--full-refresh")
    result = dbt_build(warehouse, warehouse.parent, "--select", "int_police__crime_inputs",
                       "int_police__crimes", "int_police__crime_people",
                       "int_police__recorded_crimes", *OPTIONS)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("""select is_victim_under_25, inputs_digest is null
                              from intermediate.int_police__recorded_crimes
                              where crime_ref = 'CR/1'""").fetchall() == [(False, True)]
    build(warehouse, warehouse.parent)
    assert chain_rows(warehouse) == chain_rows(whole)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("""select is_victim_under_25 from
                              intermediate.int_police__recorded_crimes
                              where crime_ref = 'CR/1'""").fetchall() == [(True,)]


def test_what_a_table_reads_is_not_what_decides_which_crimes_to_build(first_build,
                                                                     tmp_path):
    """int_police__crime_inputs reads the victims and the outcomes for every crime, but
    serious violence reads no outcomes: the lineage of what each table reads (a partner's
    `reads`, `[x]`, the gates) does not pass through it."""
    warehouse = copy_of(first_build, tmp_path)
    result = dbt_build(warehouse, tmp_path, "--select", "int_publish__reads", *OPTIONS)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reads = {(model, f"{source}/{entity}") for model, source, entity in con.execute(
            "select * from intermediate.int_publish__reads").fetchall()}
    assert {r for m, r in reads if m == "fct_serious_violence"} == {
        "police/crimes", "police/crime_people"}
    assert ("fct_rasso", "police/outcomes") in reads


# ---------------------------------------------------------------------------- people

PEOPLE = ("dim_person", "bridge_person_record", "int_people__crime_involvements",
          "int_people__domain_involvements")
PEOPLE_SELECT = ("--select", "+dim_person", "+int_people__crime_involvements",
                 "+int_people__domain_involvements", *OPTIONS)
FIRST_RUN, SECOND_RUN = datetime(2024, 1, 5, 9, 0), datetime(2024, 4, 5, 9, 0)

# The first linkage run's persons, by key: each record as `source|record_ref`.
FIRST_LINKS = {
    "A": ["police_people|CR/1:P1:victim", "police_people|CR/4:P4:victim"],
    "B": ["police_people|CR/1:P2:suspect", "custody|CU1"],
    "C": ["police_people|CR/3:P3:victim"],
    "D": ["police_people|CR/4:P5:suspect"],
    "E": ["police_people|CR/5:P6:victim"],
    "F": ["police_people|CR/9:P9:victim"],
}


def put_links(con: duckdb.DuckDBPyConnection, persons: Mapping[str, Sequence[str]],
              linked_at: Mapping[str, datetime]) -> None:
    """`linkage.person_links` as a linkage run leaves it: each person's records, at the
    person's time."""
    con.execute("create schema if not exists linkage")
    con.execute("""create or replace table linkage.person_links (source varchar,
        record_ref varchar, person_key varchar, match_probability double,
        has_tokens boolean, settings_version varchar, linked_at timestamp)""")
    con.executemany(
        "insert into linkage.person_links values (?, ?, ?, ?, true, '1', ?)",
        [[*record.split("|"), key, 0.99 if len(records) > 1 else None, linked_at[key]]
         for key, records in persons.items() for record in records])


def relinked(con: duckdb.DuckDBPyConnection) -> None:
    """A second linkage run with the second files: person A loses CR/4's victim (now G),
    E gains CR/7's victim and a custody record under a new key (E2), D's record is gone
    with CR/4's suspect; B, C and F are kept as they were."""
    persons = {**FIRST_LINKS,
               "A": ["police_people|CR/1:P1:victim"], "G": ["police_people|CR/4:P4:victim"],
               "E2": ["custody|CU2", "police_people|CR/5:P6:victim",
                      "police_people|CR/7:P7:victim"]}
    del persons["D"], persons["E"]
    put_links(con, persons, {k: SECOND_RUN if k in ("A", "G", "E2") else FIRST_RUN
                             for k in persons})


def people_rows(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {m: sorted(con.execute(f"select * from {schema}.{m}").fetchall(), key=repr)
                for m, schema in zip(PEOPLE, ("marts", "marts", "intermediate", "intermediate"),
                                     strict=True)}


def build_people(warehouse: Path, workdir: Path, *extra: str) -> None:
    result = dbt_build(warehouse, workdir, *PEOPLE_SELECT, *extra, people=True)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.fixture(scope="module")
def first_people_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first files and the first linkage run's persons, built whole."""
    folder = tmp_path_factory.mktemp("people")
    warehouse = folder / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        create_schemas(con)
        first_files(con)
        put_links(con, FIRST_LINKS, dict.fromkeys(FIRST_LINKS, FIRST_RUN))
    build_people(warehouse, folder)
    return warehouse


def test_people_incremental_build_gives_the_rows_of_a_whole_build(first_people_build,
                                                                 tmp_path):
    whole = copy_of(first_people_build, tmp_path / "whole")
    warehouse = copy_of(first_people_build, tmp_path / "incremental")
    for each in (whole, warehouse):
        with duckdb.connect(str(each)) as con:
            second_files(con)
            relinked(con)
    build_people(whole, whole.parent, "--full-refresh")
    build_people(warehouse, warehouse.parent)
    got, want = people_rows(warehouse), people_rows(whole)
    assert got == want
    assert {row[0] for row in want["dim_person"]} == {"A", "B", "C", "E2", "F", "G"}
    involved = {(row[1], row[0]) for row in want["int_people__crime_involvements"]}
    assert ("CR/4", "G") in involved and ("CR/7", "E2") in involved


def test_only_the_persons_and_crimes_linked_again_are_built_again(first_people_build,
                                                                 tmp_path):
    """The linkage alone changed (no file did): E gains a custody record under a new key.
    Rows of E and of its crime CR/5 are built again; the others, marked before the
    build, keep their marks."""
    warehouse = copy_of(first_people_build, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        persons = {**FIRST_LINKS, "E2": ["custody|CU2", "police_people|CR/5:P6:victim"]}
        del persons["E"]
        put_links(con, persons, {k: SECOND_RUN if k == "E2" else FIRST_RUN for k in persons})
        con.execute("update marts.dim_person set agencies = ['marked']")
        for model in PEOPLE[2:]:
            con.execute(f"update intermediate.{model} set ho_offence_code = 'marked'"
                        if model == "int_people__crime_involvements" else
                        f"update intermediate.{model} set person_ref = 'marked'")
    build_people(warehouse, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        agencies = dict(con.execute("select person_key, agencies from marts.dim_person"
                                    ).fetchall())
        crimes = dict(con.execute("""select crime_ref, max(ho_offence_code)
            from intermediate.int_people__crime_involvements group by crime_ref""").fetchall())
        domains = dict(con.execute("""select crime_ref, max(person_ref)
            from intermediate.int_people__domain_involvements group by crime_ref""").fetchall())

    assert agencies == {**{key: ["marked"] for key in "ABCDF"}, "E2": ["custody", "police_people"]}
    assert crimes == {"CR/1": "marked", "CR/3": "marked", "CR/4": "marked", "CR/5": "8N"}
    assert domains == {"CR/1": "marked", "CR/3": "marked", "CR/4": "marked", "CR/5": "P6"}


def test_a_full_refresh_unless_built_by_this_very_code(tmp_path):
    assert dbt_incremental.build_args("k1", None) == ["--full-refresh"]  # no warehouse yet
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert dbt_incremental.built_with(con) is None
        assert dbt_incremental.build_args("k1", con) == ["--full-refresh"]
        dbt_incremental.record("k1", con)
        assert dbt_incremental.built_with(con) == "k1"
        assert dbt_incremental.build_args("k1", con) == []
        assert dbt_incremental.build_args("k2", con) == ["--full-refresh"]
        dbt_incremental.record("k2", con)
        assert con.execute(f"select code_key from {dbt_incremental.BUILT_TABLE}"
                           ).fetchall() == [("k2",)]
