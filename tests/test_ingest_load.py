"""The warehouse side: every source end to end, the audit trail, re-sends, idempotence,
crash safety, cross-period duplicates and rows waiting for their crime."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest import SOURCES, load
from ingest.files import fingerprint, for_path
from ingest.load import ingest_landing
from ingest.specs import BY_NAME
from ingest.status import ingest_status, status_lines
from ingest.tabular import release
from tests.support.partner_files import good_row, write_return, write_table


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def audit(con) -> list[tuple]:
    return con.execute(
        "SELECT file_name, outcome, rows_read, rows_loaded, rows_quarantined FROM audit.files "
        "ORDER BY file_name, loaded_at").fetchall()


def count(con, table: str, where: str = "true") -> int:
    return con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchall()[0][0]


def snapshot(con) -> dict[str, list]:
    tables = [r[0] for r in con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_schema IN ('raw', 'quarantine', 'audit') ORDER BY 1").fetchall()]
    return {t: sorted(map(str, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


def every_source_drop(landing: Path) -> None:
    """One good file of every kind, in every landing folder."""
    for entity in ("crimes", "crime_people", "outcomes", "custody"):
        write_table(landing, "police", entity, [good_row(entity)])
    write_table(landing, "opcc", "icv_visits", [good_row("icv_visits")])
    for entity in ("ae_assaults", "assault_admissions", "ambulance_assaults"):
        write_table(landing, "health", entity, [good_row(entity)])
    for la, ext, enc in (("E06000016", "csv", "utf-8"), ("E10000018", "xlsx", "utf-8"),
                         ("E06000017", "csv", "cp1252")):
        for entity in ("children_looked_after", "child_protection_plans", "school_absence",
                       "exclusions"):
            write_table(landing, f"la/{la}", entity, [good_row(entity)], ext=ext, encoding=enc)
    write_table(landing, "commissioning", "funding", [good_row("funding")])
    for service in ("sarc", "cyp_sarc", "isva"):
        write_return(landing, service)
    uk = landing / "policeuk" / "2023-01-leicestershire-street.csv"
    uk.parent.mkdir(parents=True)
    src = Path(__file__).parents[1] / "synthetic/data/policeuk" / uk.name
    uk.write_bytes(src.read_bytes())


def test_every_source_happy_path(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    every_source_drop(landing)
    report = ingest_landing(con, landing)
    assert report.rejected == [] and report.rows_quarantined == 0
    assert len(report.loaded) == 4 + 1 + 3 + 12 + 1 + 3 + 1
    assert count(con, "raw.police__crimes") == 1
    assert count(con, "raw.la__children_looked_after") == 3
    assert sorted(r[0] for r in con.execute(
        "SELECT la_code FROM raw.la__exclusions").fetchall()) == sorted(
        ["E06000016", "E10000018", "E06000017"])
    assert count(con, "raw.commissioning__service_returns") == 17 + 14 + 9
    assert count(con, "raw.policeuk__street") > 8000
    (name, sha, row_number, period) = con.execute(
        "SELECT file_name, file_sha256, row_number, period FROM raw.la__school_absence "
        "WHERE la_code = 'E06000017'").fetchall()[0]
    assert name == "la/E06000017/school_absence_2023-24.csv"
    assert (len(sha), row_number, period) == (64, 1, "2023-24")


def test_sources_can_be_ingested_one_at_a_time(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    every_source_drop(landing)
    report = ingest_landing(con, landing, ["la/E10000018"])
    assert {f.file_name.split("/")[1] for f in report.files} == {"E10000018"}
    assert len(SOURCES) == 8


def test_the_same_content_again_changes_nothing(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    every_source_drop(landing)
    write_table(landing, "police", "custody", [good_row("custody", age="200")])
    write_table(landing, "police", "crimes", [good_row("crimes")],
                header=[*good_row("crimes"), "dob"])
    ingest_landing(con, landing)
    before = snapshot(con)
    report = ingest_landing(con, landing)
    assert len(report.unchanged) == len(report.files)
    assert snapshot(con) == before


def test_a_resend_replaces_the_files_rows_and_supersedes(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    first = [good_row("crimes", crime_ref="CR/1"), good_row("crimes", crime_ref="CR/2"),
             good_row("crimes", crime_ref="CR/3", beat_code="ZZ")]
    write_table(landing, "police", "crimes", first)
    ingest_landing(con, landing)
    assert (count(con, "raw.police__crimes"), count(con, "quarantine.rows")) == (2, 1)

    write_table(landing, "police", "crimes", [good_row("crimes", crime_ref="CR/9")])
    report = ingest_landing(con, landing)
    (result,) = report.files
    assert result.outcome == "loaded" and result.supersedes is not None
    assert [r[0] for r in con.execute("SELECT crime_ref FROM raw.police__crimes").fetchall()] == [
        "CR/9"]
    assert count(con, "quarantine.rows") == 0
    assert [r[1] for r in audit(con)] == ["superseded", "loaded"]


def test_a_rejected_version_is_superseded_when_a_new_one_arrives(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    write_table(landing, "health", "ae_assaults", [good_row("ae_assaults")],
                header=[c.upper() for c in good_row("ae_assaults")])
    ingest_landing(con, landing)
    assert [r[1] for r in audit(con)] == ["rejected"]
    write_table(landing, "health", "ae_assaults", [good_row("ae_assaults")])
    ingest_landing(con, landing)
    assert [r[1] for r in audit(con)] == ["superseded", "loaded"]
    assert count(con, "raw.health__ae_assaults") == 1


def test_a_rejected_resend_replaces_the_loaded_version(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    write_table(landing, "police", "custody", [good_row("custody")])
    ingest_landing(con, landing)
    write_table(landing, "police", "custody", [good_row("custody")],
                header=[*good_row("custody"), "Surname"])
    report = ingest_landing(con, landing)
    assert "raw identifier" in report.rejected[0].reason
    assert [r[1] for r in audit(con)] == ["superseded", "rejected"]
    assert count(con, "raw.police__custody") == 0


def test_resending_crimes_does_not_touch_crime_people(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    write_table(landing, "police", "crimes", [good_row("crimes")])
    write_table(landing, "police", "crime_people", [good_row("crime_people")])
    ingest_landing(con, landing)
    write_table(landing, "police", "crimes", [good_row("crimes", crime_ref="CR/NEW")])
    report = ingest_landing(con, landing)
    assert [f.outcome for f in report.files] == ["loaded", "unchanged"]
    assert count(con, "raw.police__crime_people") == 1


def test_a_run_interrupted_mid_file_leaves_the_previous_state(tmp_path: Path, con,
                                                              monkeypatch) -> None:
    landing = tmp_path / "landing"
    write_table(landing, "police", "crimes", [good_row("crimes", crime_ref="CR/1"),
                                              good_row("crimes", crime_ref="CR/2", status="x")])
    ingest_landing(con, landing)
    before = snapshot(con)

    write_table(landing, "police", "crimes", [good_row("crimes", crime_ref="CR/7"),
                                              good_row("crimes", crime_ref="CR/8", status="x")])

    def crash(*_args, **_kw):
        raise OSError("disk full")

    # Old rows deleted and new rows inserted, then the quarantine insert dies.
    monkeypatch.setattr(load, "_insert_quarantine", crash)
    with pytest.raises(OSError):
        ingest_landing(con, landing)
    assert snapshot(con) == before
    # The scratch the file was validated in went with the failed run.
    assert load.SCRATCH_DATABASE not in databases(con)

    monkeypatch.undo()
    report = ingest_landing(con, landing)
    assert report.loaded[0].supersedes is not None
    assert [r[0] for r in con.execute("SELECT crime_ref FROM raw.police__crimes").fetchall()] == [
        "CR/7"]


def databases(con) -> set[str]:
    return {name for (name,) in con.execute(
        "SELECT database_name FROM duckdb_databases()").fetchall()}


def test_a_file_validated_beside_the_warehouse_gives_what_it_gives_on_its_own(
        tmp_path: Path, con) -> None:
    """Validated in the scratch attached to the warehouse (what `ingest_landing` does), a
    file's loaded and quarantined rows are exactly those it gives validated in a DuckDB
    of its own (as Parquet): a key an earlier file holds, a key twice, a bad value. The
    scratch is emptied once its file is done, and detached after the run."""
    landing = tmp_path / "landing"
    write_table(landing, "police", "crimes", [good_row("crimes", crime_ref="CR/1")],
                period="2023-24Q1")
    ingest_landing(con, landing)
    assert load.SCRATCH_DATABASE not in databases(con)
    q2 = write_table(landing, "police", "crimes", [
        good_row("crimes", crime_ref=ref, recorded_date="2023-07-05", **extra)
        for ref, extra in (("CR/1", {}), ("CR/2", {}), ("CR/3", {"status": "x"}),
                           ("CR/4", {}), ("CR/4", {}), ("CR/5", {}))], period="2023-24Q2")
    file = for_path(q2, "police")
    sha256, size = fingerprint(file)

    own = load.parse_landing_file(con, file, tmp_path / "own", sha256, size)
    assert own.rows_path is not None and own.rows_sql is None
    with load.attached_scratch(con) as scratch:
        beside = load.parse_landing_file(con, file, tmp_path / "beside", sha256, size,
                                         scratch)
        assert beside.rows_path is None and beside.quarantine_path is None
        assert (beside.rows_read, beside.rows_loaded, beside.rows_quarantined) == (
            own.rows_read, own.rows_loaded, own.rows_quarantined) == (6, 2, 4)
        assert beside.rows() == own.rows()
        assert beside.quarantine() == own.quarantine()
        assert load.write_file(con, beside, replaces=False) == "loaded"
        release(scratch)
        assert scratch.con.execute("SELECT count(*) FROM duckdb_tables() WHERE "
                                   "database_name = ?", [scratch.name]).fetchall() == [(0,)]
    assert load.SCRATCH_DATABASE not in databases(con)
    loaded = con.execute("SELECT crime_ref FROM raw.police__crimes WHERE file_name = ? "
                         "ORDER BY row_number", [file.file_name]).fetchall()
    assert loaded == [("CR/2",), ("CR/5",)]
    assert [r["crime_ref"] for r in own.rows()] == ["CR/2", "CR/5"]
    assert count(con, "quarantine.rows", f"file_name = '{file.file_name}'") == 4


def test_duplicate_key_across_periods(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    q1 = [good_row("crimes", crime_ref="CR/1"), good_row("crimes", crime_ref="CR/2")]
    q2 = [good_row("crimes", crime_ref="CR/2", recorded_date="2023-07-05"),
          good_row("crimes", crime_ref="CR/3", recorded_date="2023-07-05")]
    write_table(landing, "police", "crimes", q2, period="2023-24Q2")
    write_table(landing, "police", "crimes", q1, period="2023-24Q1")
    ingest_landing(con, landing)  # Q1 loads before Q2: period order
    (q,) = con.execute("SELECT file_name, row_number, reason_code, reason "
                       "FROM quarantine.rows").fetchall()
    assert q[:3] == ("police/crimes_2023-24Q2.csv", 1, "duplicate_key")
    assert "police/crimes_2023-24Q1.csv" in q[3]

    # A re-sent Q1 is checked against every other current file, Q2 included.
    q1b = [*q1, good_row("crimes", crime_ref="CR/3")]
    write_table(landing, "police", "crimes", q1b, period="2023-24Q1")
    ingest_landing(con, landing)
    rows = con.execute("SELECT file_name, row_number FROM quarantine.rows "
                       "ORDER BY file_name").fetchall()
    assert rows == [("police/crimes_2023-24Q1.csv", 3), ("police/crimes_2023-24Q2.csv", 1)]


def _ae(ref: str, arrived: str, **changes: str) -> dict[str, str]:
    return good_row("ae_assaults", **{"attendance_ref": ref, "arrived_at": arrived,
                                      "assault_at": arrived, **changes})


def _loaded_and_quarantined(con) -> dict[str, list[tuple]]:
    """Every row ingest wrote, in the order written (the audit without its times)."""
    return {
        "raw": con.execute("SELECT * FROM raw.health__ae_assaults "
                           "ORDER BY file_name, row_number").fetchall(),
        "quarantine": con.execute("SELECT * FROM quarantine.rows "
                                  "ORDER BY file_name, row_number").fetchall(),
        "audit": con.execute("SELECT * EXCLUDE (loaded_at) FROM audit.files "
                             "ORDER BY loaded_at, file_name").fetchall(),
    }


def test_new_files_of_one_entity_validated_together_as_if_one_by_one(
        tmp_path: Path, con, monkeypatch) -> None:
    """New small files of one entity are validated in one batch (`load.ingest_batch`),
    with every row loaded or quarantined as when each file is validated and written
    before the next: a key a good row of an earlier file of the batch holds, a key
    whose earlier row was quarantined (the later one loads), a key an earlier run
    loaded, a key twice in one file, a file in the other date style among them (whose
    keys the files before it hold once written), a rejected file, and each file's own
    period in the checks."""

    def earlier_run(landing: Path) -> None:
        write_table(landing, "health", "ae_assaults", [_ae("AE0000", "2023-04-12 23:10")],
                    period="2023-24Q1")

    def new_files(landing: Path) -> None:
        write_table(landing, "health", "ae_assaults", [
            _ae("AE0001", "2023-07-12 23:10"),
            _ae("AE0002", "2023-07-12 23:10", sex="Q"),  # quarantined: holds nothing
            _ae("AE0000", "2023-07-12 23:10"),  # the earlier run's file holds it
            _ae("AE0003", "2023-07-12 23:10"), _ae("AE0003", "2023-07-13 01:00"),
            _ae("AE0009", "2023-06-30 23:10"),  # in Q1, not this file's Q2
            _ae("AE0010", "2023-07-12 23:10", assault_at="2023-10-01 00:10"),  # after Q2
        ], period="2023-24Q2")
        write_table(landing, "health", "ae_assaults", [
            _ae("AE0001", "2023-10-12 23:10"),  # held by Q2
            _ae("AE0002", "2023-10-12 23:10"),  # loads: Q2's row of it was quarantined
            _ae("AE0004", "2023-10-12 23:10"),
            _ae("AE0010", "2023-09-30 23:10"),  # in Q2, not this file's Q3
        ], period="2023-24Q3", style="uk")
        write_table(landing, "health", "ae_assaults", [
            _ae("AE0002", "2024-01-12 23:10"),  # held by Q3, a file of the other style
            _ae("AE0003", "2024-01-12 23:10"),  # loads: both Q2 rows were quarantined
            _ae("AE0004", "2024-01-12 23:10"),  # held by Q3
            _ae("AE0005", "2024-01-12 23:10"),
        ], period="2023-24Q4")
        write_table(landing, "health", "ae_assaults", [_ae("AE0006", "2024-04-12 23:10")],
                    period="2024-25Q1", header=BY_NAME["ae_assaults"].header[:-1])
        write_table(landing, "health", "ae_assaults", [
            _ae("AE0005", "2024-07-12 23:10"),  # held by Q4
            _ae("AE0006", "2024-07-12 23:10"),  # loads: the file that had it was rejected
        ], period="2024-25Q2")

    def ingest_both(target, landing: Path) -> None:
        earlier_run(landing)
        ingest_landing(target, landing)
        new_files(landing)
        ingest_landing(target, landing)

    batches: list[int] = []
    parse_tables = load.parse_tables

    def counted(files, *args, **kwargs):
        batches.append(len(files))
        return parse_tables(files, *args, **kwargs)

    monkeypatch.setattr(load, "parse_tables", counted)
    ingest_both(con, tmp_path / "together")
    assert batches == [5]  # the five new files, in one batch

    together = _loaded_and_quarantined(con)
    loaded = set(con.execute("SELECT file_name, attendance_ref "
                             "FROM raw.health__ae_assaults").fetchall())
    q = "health/ae_assaults_"
    assert loaded == {
        (f"{q}2023-24Q1.csv", "AE0000"), (f"{q}2023-24Q2.csv", "AE0001"),
        (f"{q}2023-24Q3.csv", "AE0002"), (f"{q}2023-24Q3.csv", "AE0004"),
        (f"{q}2023-24Q4.csv", "AE0003"), (f"{q}2023-24Q4.csv", "AE0005"),
        (f"{q}2024-25Q2.csv", "AE0006")}
    reasons = {(r[0], r[5]): (r[8], r[9]) for r in together["quarantine"]}
    assert reasons[(f"{q}2023-24Q3.csv", 1)] == (
        "duplicate_key", f"attendance_ref AE0001 is already held by {q}2023-24Q2.csv; "
        "a key must be unique across periods")
    assert reasons[(f"{q}2023-24Q4.csv", 1)][1].endswith(f"held by {q}2023-24Q3.csv; "
                                                         "a key must be unique across periods")
    assert reasons[(f"{q}2023-24Q2.csv", 3)][1].startswith("attendance_ref AE0000 is already "
                                                           f"held by {q}2023-24Q1.csv")
    assert reasons[(f"{q}2023-24Q2.csv", 4)][1].endswith("appears on 2 rows of this file; "
                                                         "a key must be unique")
    assert reasons[(f"{q}2023-24Q3.csv", 4)] == (
        "out_of_period", "arrived_at 30/09/2023 23:10 is outside the file's period "
        "2023-24Q3 (2023-10-01 to 2023-12-31)")
    assert reasons[(f"{q}2023-24Q2.csv", 7)] == (
        "impossible_date", "assault_at 2023-10-01 00:10 is after the end of the file's "
        "period 2023-24Q2 (2023-09-30)")
    assert [r[0] for r in together["audit"] if r[9] == "rejected"] == [f"{q}2024-25Q1.csv"]

    one_by_one = duckdb.connect()
    monkeypatch.setattr(load, "BATCH_FILES", 1)
    batches.clear()
    ingest_both(one_by_one, tmp_path / "one_by_one")
    assert batches == []
    assert _loaded_and_quarantined(one_by_one) == together
    one_by_one.close()


def test_the_held_keys_looked_up_are_only_the_new_files_own(tmp_path: Path, con) -> None:
    """The warehouse is asked about the keys the new file holds, not for every key held
    (which grew with every file loaded)."""
    landing = tmp_path / "landing"
    q1 = [good_row("crimes", crime_ref=f"CR/{n}") for n in range(1, 6)]
    write_table(landing, "police", "crimes", q1, period="2023-24Q1")
    ingest_landing(con, landing)
    q2 = write_table(landing, "police", "crimes", [
        good_row("crimes", crime_ref=ref, recorded_date="2023-07-05")
        for ref in ("CR/2", "CR/9")], period="2023-24Q2")
    # The new file's keys as `validate.file_keys_sql` gives them: the text and its parts,
    # a key the file repeats listed twice (they are not made distinct first).
    keys = ("SELECT * FROM (VALUES ('CR/2', 'CR/2'), ('CR/9', 'CR/9'), ('CR/2', 'CR/2')) "
            "AS t(key_text, __k0)")
    # Validated in a DuckDB of its own: the keys go to the warehouse and back as Parquet.
    lookup = load.held_keys_lookup(con, for_path(q2, "police"), tmp_path)
    assert lookup is not None
    with duckdb.connect() as own:
        held = own.execute(f"SELECT * FROM {lookup(own, keys)}").fetchall()
    assert held == [("CR/2", "police/crimes_2023-24Q1.csv")]
    # Validated in the scratch attached to the warehouse: one query of both.
    with load.attached_scratch(con) as scratch:
        lookup = load.held_keys_lookup(con, for_path(q2, "police"), tmp_path, scratch)
        assert lookup is not None
        relation = lookup(scratch.con, keys)
        assert "read_parquet" not in relation
        held = scratch.con.execute(f"SELECT * FROM {relation}").fetchall()
    assert held == [("CR/2", "police/crimes_2023-24Q1.csv")]
    # A file of no known entity has nothing to look up.
    assert load.held_keys_lookup(con, for_path(landing / "police" / "x.csv", "police"),
                                 tmp_path) is None


def test_a_key_of_several_parts_is_held_only_when_every_part_matches(tmp_path: Path,
                                                                     con) -> None:
    """The look-up joins the key part by part, as the warehouse stores it: a crime
    person's crime, person and role."""
    landing = tmp_path / "landing"
    write_table(landing, "police", "crime_people", [
        good_row("crime_people", crime_ref="CR/1", person_ref="P1", role="victim")],
        period="2023-24Q1")
    ingest_landing(con, landing)
    write_table(landing, "police", "crime_people", [
        good_row("crime_people", crime_ref=crime, person_ref=person, role=role)
        for crime, person, role in (("CR/1", "P1", "suspect"), ("CR/1", "P1", "victim"),
                                    ("CR/1", "P2", "victim"), ("CR/2", "P1", "victim"))],
        period="2023-24Q2")
    ingest_landing(con, landing)
    assert con.execute("SELECT file_name, row_number, reason FROM quarantine.rows"
                       ).fetchall() == [(
        "police/crime_people_2023-24Q2.csv", 2,
        "crime_ref CR/1, person_ref P1, role victim is already held by "
        "police/crime_people_2023-24Q1.csv; a key must be unique across periods")]
    assert count(con, "raw.police__crime_people") == 4


def test_council_keys_are_unique_within_a_council_only(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    for la in ("E06000016", "E06000017"):
        write_table(landing, f"la/{la}", "exclusions", [good_row("exclusions")])
    write_table(landing, "la/E06000016", "exclusions", [good_row("exclusions")],
                period="2024-25")
    ingest_landing(con, landing)
    assert count(con, "raw.la__exclusions") == 2
    # the 2024-25 file's row repeats a key Leicester's 2023-24 file holds (and is also
    # out of its period, which comes first in the rule order)
    assert con.execute("SELECT reason_code FROM quarantine.rows").fetchall() == [
        ("out_of_period",)]


def test_orphan_people_and_outcomes_wait_for_their_crime(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    write_table(landing, "police", "crime_people", [good_row("crime_people")])
    write_table(landing, "police", "outcomes", [good_row("outcomes")])
    ingest_landing(con, landing)
    assert count(con, "raw.police__crime_people") == 1
    assert ingest_status(con)["waiting"] == {"crime_people": 1, "outcomes": 1}
    write_table(landing, "police", "crimes", [good_row("crimes")])
    ingest_landing(con, landing)
    assert ingest_status(con)["waiting"] == {"crime_people": 0, "outcomes": 0}


def test_an_unrecognised_file_name_is_rejected_in_the_audit(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    write_table(landing, "police", "crimes", [good_row("crimes")], name="crimes_Q1-2023.csv")
    write_table(landing, "police", "crimes", [good_row("crimes")], name="arrests_2023-24Q1.csv")
    (landing / "police" / ".~lock.crimes.csv#").write_text("x")
    report = ingest_landing(con, landing)
    assert len(report.rejected) == 2
    assert all("file name not recognised" in f.reason for f in report.rejected)
    assert ingest_landing(con, landing).unchanged != []


def test_status_shows_files_quarantine_and_waiting(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    write_table(landing, "police", "crimes", [
        good_row("crimes", crime_ref="CR/1"), good_row("crimes", crime_ref="CR/2", status="x"),
        good_row("crimes", crime_ref="CR/3", status="y")])
    write_table(landing, "police", "custody", [good_row("custody")],
                header=[*good_row("custody"), "nhs_number"])
    ingest_landing(con, landing)
    status = ingest_status(con)
    assert status["files"] == {"loaded": 1, "rejected": 1, "superseded": 0}
    assert status["quarantine"][0]["file_name"] == "police/crimes_2023-24Q1.csv"
    assert (status["quarantine"][0]["reason_code"], status["quarantine"][0]["rows"]) == (
        "unknown_code", 2)
    assert status["quarantined_rows"] == 2
    assert status["rejected_files"][0]["file_name"] == "police/custody_2023-24Q1.csv"
    assert any("waiting" in line for line in status_lines(status))


def test_status_of_an_empty_warehouse(con) -> None:
    assert ingest_status(con)["files"] == {"loaded": 0, "rejected": 0, "superseded": 0}


def test_a_missing_landing_folder_is_an_error(tmp_path: Path, con) -> None:
    with pytest.raises(FileNotFoundError, match="landing folder"):
        ingest_landing(con, tmp_path / "nowhere")


def test_files_load_with_the_raised_checkpoint_threshold_then_it_is_put_back(
        tmp_path: Path) -> None:
    """While files load, DuckDB checkpoints only past `INGEST_CHECKPOINT_THRESHOLD` of
    WAL; the connection's own setting is back afterwards, after a failure too."""
    from ingest.load import INGEST_CHECKPOINT_THRESHOLD, checkpointing_less

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("SET checkpoint_threshold = '48MiB'")

    def threshold() -> str:
        return con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()[0][0]

    raised = INGEST_CHECKPOINT_THRESHOLD.replace("MiB", ".0 MiB")
    landing = tmp_path / "landing"
    write_table(landing, "police", "crimes", [good_row("crimes")])
    write_table(landing, "police", "outcomes", [good_row("outcomes")])
    during: list[str] = []
    report = ingest_landing(con, landing, progress=lambda _: during.append(threshold()))
    assert len(report.loaded) == 2
    assert during == [raised, raised]
    assert threshold() == "48.0 MiB"
    with pytest.raises(RuntimeError), checkpointing_less(con):
        raise RuntimeError("a file's load failed")
    assert threshold() == "48.0 MiB"
    con.close()
