"""The landing folder is the boundary, and every file under it is accounted for.

Issue [5/6], points 1 and 2: links, pipes and devices are never opened and nothing they
point at reaches the audit trail; only regular files directly in a source folder are
read; anything else under the landing folder gets an audit row saying where it should
be, and editors' lock files are listed as ignored.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from ingest.files import LandingFile, OutsideLanding, describe, fingerprint, survey
from ingest.load import ingest_file, ingest_landing
from orchestration.ingest_assets import landing_listing
from tests.support.partner_files import good_row, write_table

SECRET = "root:x:0:0:SECRET-TARGET-CONTENT:/root:/bin/bash"


def _audit(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute("SELECT file_name, outcome, reason, sha256, size_bytes "
                       "FROM audit.files ORDER BY file_name").fetchall()
    return {r[0]: r[1:] for r in rows}


def _raw_rows(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM raw.police__crimes").fetchone()[0]


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "passwd"
    path.parent.mkdir()
    path.write_text(SECRET + "\n")
    return path


def test_a_link_named_like_a_valid_file_is_never_followed_and_its_target_never_reaches_the_audit_trail(  # noqa: E501
        landing: Path, secret: Path) -> None:
    (landing / "police").mkdir()
    os.symlink(secret, landing / "police" / "crimes_2023-24Q1.csv")
    with duckdb.connect() as con:
        report = ingest_landing(con, landing)
        audit = _audit(con)
        assert _raw_rows(con) == 0
    outcome, reason, sha256, size = audit["police/crimes_2023-24Q1.csv"]
    assert outcome == "rejected" and sha256 is None and size is None
    assert "police/crimes_2023-24Q1.csv is a symbolic link" in reason
    everything = repr(audit) + "".join(f.describe() for f in report.files)
    assert "SECRET" not in everything and str(secret) not in everything


def test_a_link_to_a_valid_partner_file_elsewhere_is_not_loaded(landing: Path,
                                                                  tmp_path: Path) -> None:
    elsewhere = write_table(tmp_path / "elsewhere", "police", "crimes", [good_row("crimes")])
    (landing / "police").mkdir()
    os.symlink(elsewhere, landing / "police" / elsewhere.name)
    with duckdb.connect() as con:
        ingest_landing(con, landing)
        assert _raw_rows(con) == 0
        assert _audit(con)[f"police/{elsewhere.name}"][0] == "rejected"


def test_a_linked_source_folder_is_not_walked(landing: Path, tmp_path: Path) -> None:
    write_table(tmp_path / "elsewhere", "police", "crimes", [good_row("crimes")])
    os.symlink(tmp_path / "elsewhere" / "police", landing / "police")
    assert survey(landing).files == []
    with duckdb.connect() as con:
        ingest_landing(con, landing)
        assert _raw_rows(con) == 0
        outcome, reason, *_ = _audit(con)["police"]
    assert outcome == "rejected" and "police is a symbolic link" in reason


def test_a_named_pipe_is_recorded_as_rejected_and_never_opened(landing: Path) -> None:
    (landing / "opcc").mkdir()
    os.mkfifo(landing / "opcc" / "icv_visits_2023-24Q1.csv")  # opening it would hang
    with duckdb.connect() as con:
        ingest_landing(con, landing)
        outcome, reason, *_ = _audit(con)["opcc/icv_visits_2023-24Q1.csv"]
    assert outcome == "rejected" and "named pipe" in reason


def test_a_file_swapped_for_a_link_after_the_survey_is_not_read(landing: Path,
                                                                 secret: Path) -> None:
    path = write_table(landing, "police", "crimes", [good_row("crimes")])
    file = describe(path, landing, "police")
    path.unlink()
    os.symlink(secret, path)  # between finding the file and reading it
    with pytest.raises(OutsideLanding, match="symbolic link"):
        fingerprint(file)
    with duckdb.connect() as con:
        ingest_landing(con, landing, [])  # the schemas
        result = ingest_file(con, file)
        assert _raw_rows(con) == 0
        assert result.outcome == "rejected" and "SECRET" not in (result.reason or "")


def test_a_linked_folder_on_the_way_to_a_file_is_not_followed(landing: Path,
                                                               tmp_path: Path) -> None:
    elsewhere = write_table(tmp_path / "elsewhere", "police", "crimes", [good_row("crimes")])
    os.symlink(elsewhere.parent, landing / "police")
    file = LandingFile(landing / "police" / elsewhere.name, f"police/{elsewhere.name}",
                       "police", "crimes", "2023-24Q1", "csv")
    with pytest.raises(OutsideLanding, match="not a plain folder"):
        fingerprint(file)


@pytest.mark.parametrize(("rel", "words"), [
    ("polcie/crimes_2023-24Q1.csv", "polcie/ is not a landing folder (did you mean police/?)"),
    ("police/old/crimes_2023-24Q1.csv", "subfolder (police/old/) of police/"),
    ("crimes_2023-24Q1.csv", "in the landing folder itself"),
    ("la/crimes_2023-24Q1.csv", "la/ is not a landing folder"),
    ("la/E99999999/children_looked_after_2023-24Q1.csv", "la/E99999999/ is not a landing"),
])
def test_a_file_outside_the_source_folders_is_recorded_as_rejected_saying_where_it_should_be(
        landing: Path, rel: str, words: str) -> None:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("crime_ref\n")
    with duckdb.connect() as con:
        report = ingest_landing(con, landing)
        outcome, reason, sha256, size = _audit(con)[rel]
    assert outcome == "rejected" and words in reason
    assert sha256 is None and size == path.stat().st_size  # never opened
    assert [f.file_name for f in report.rejected] == [rel]


def test_a_name_matching_no_entity_is_recorded_as_rejected(landing: Path) -> None:
    (landing / "police").mkdir()
    (landing / "police" / "arrests_2023-24Q1.csv").write_text("x\n")
    with duckdb.connect() as con:
        ingest_landing(con, landing)
        outcome, reason, *_ = _audit(con)["police/arrests_2023-24Q1.csv"]
    assert outcome == "rejected" and "not recognised" in reason


def test_editor_lock_and_temporary_files_are_ignored_and_listed(landing: Path) -> None:
    write_table(landing, "police", "crimes", [good_row("crimes")])
    for name in ("~$crimes_2023-24Q1.xlsx", ".~lock.crimes_2023-24Q1.csv#",
                 "crimes_2023-24Q1.csv.tmp"):
        (landing / "police" / name).write_text("x")
    with duckdb.connect() as con:
        report = ingest_landing(con, landing)
        assert set(_audit(con)) == {"police/crimes_2023-24Q1.csv"}
    assert sorted(report.ignored) == ["police/.~lock.crimes_2023-24Q1.csv#",
                                      "police/crimes_2023-24Q1.csv.tmp",
                                      "police/~$crimes_2023-24Q1.xlsx"]
    assert "3 lock or temporary file(s) ignored" in report.summary()
    assert all(".~lock" not in e[0] for e in landing_listing(landing))  # no run for them


def test_every_file_under_the_landing_folder_is_accounted_for_once(landing: Path,
                                                                   secret: Path) -> None:
    write_table(landing, "police", "crimes", [good_row("crimes")])
    for rel in ("polcie/a.csv", "police/sub/deeper/b.csv", "c.csv", "health/notes.txt",
                "commissioning/~$sarc_return_2023-24Q1.xlsx"):
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (landing / rel).write_text("x")
    os.symlink(secret, landing / "police" / "crime_people_2023-24Q1.csv")
    everything = {p.relative_to(landing).as_posix() for p in landing.rglob("*")
                  if p.is_symlink() or p.is_file()}
    with duckdb.connect() as con:
        first = ingest_landing(con, landing)
        recorded = set(_audit(con))
        second = ingest_landing(con, landing)
        assert set(_audit(con)) == recorded and len(_audit(con)) == len(recorded)
    assert recorded | set(first.ignored) == everything
    assert not recorded & set(first.ignored)
    assert {f.outcome for f in second.files} == {"unchanged"}  # recorded once


def test_each_step_accounts_for_its_own_folders_and_one_step_for_the_rest(
        landing: Path) -> None:
    for rel in ("police/sub/a.csv", "health/sub/b.csv", "polcie/c.csv"):
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (landing / rel).write_text("x")
    with duckdb.connect() as con:
        police = ingest_landing(con, landing, ["police"])
        health = ingest_landing(con, landing, ["health"])
        rest = ingest_landing(con, landing, [], unplaced=True)
    assert [f.file_name for f in police.files] == ["police/sub/a.csv"]
    assert [f.file_name for f in health.files] == ["health/sub/b.csv"]
    assert [f.file_name for f in rest.files] == ["polcie/c.csv"]


def test_the_sensor_notices_a_file_in_an_unknown_folder(landing: Path) -> None:
    (landing / "polcie").mkdir()
    (landing / "polcie" / "crimes_2023-24Q1.csv").write_text("x")
    assert [e[0] for e in landing_listing(landing)] == ["polcie/crimes_2023-24Q1.csv"]


def test_a_real_file_replacing_a_rejected_link_loads(landing: Path, secret: Path) -> None:
    (landing / "police").mkdir()
    link = landing / "police" / "crimes_2023-24Q1.csv"
    os.symlink(secret, link)
    with duckdb.connect() as con:
        ingest_landing(con, landing)
        link.unlink()
        write_table(landing, "police", "crimes", [good_row("crimes")])
        report = ingest_landing(con, landing)
        assert _raw_rows(con) == 1
        outcomes = con.execute("SELECT outcome FROM audit.files ORDER BY loaded_at").fetchall()
    assert [o for (o,) in outcomes] == ["superseded", "loaded"]
    assert report.loaded[0].file_name == "police/crimes_2023-24Q1.csv"
