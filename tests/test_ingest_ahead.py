"""New council workbooks landed ahead of their turn (`ingest.ahead`): what the worker
makes is what the run would make itself, a workbook it cannot land is landed by the run
with the same outcome, only new workbooks go to it, and it runs only so far ahead."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest import ahead, load, tabular
from ingest.ahead import Ahead, land, landing_ahead
from ingest.files import fingerprint, for_path, survey
from ingest.load import ingest_landing
from tests.support.partner_files import good_row, write_table

LEICESTERSHIRE = "la/E10000018"


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def council_drop(landing: Path) -> None:
    """Workbooks from Leicestershire (quarters and years, a bad row, a duplicate key, UK
    date cells, one that is no workbook), CSVs from the other councils and the police."""
    for i, quarter in enumerate(("2023-24Q1", "2023-24Q2", "2023-24Q3")):
        month = 4 + 3 * i
        write_table(landing, LEICESTERSHIRE, "children_looked_after", [
            good_row("children_looked_after", child_ref=f"C{i}1",
                     episode_start=f"2023-{month:02d}-05"),
            good_row("children_looked_after", child_ref=f"C{i}2",
                     episode_start=f"2023-{month:02d}-06", sex="Q"),
        ], period=quarter, ext="xlsx")
    write_table(landing, LEICESTERSHIRE, "child_protection_plans", [
        {**good_row("child_protection_plans", child_ref="P1"), "plan_start": date(2023, 6, 1),
         "plan_end": date(2023, 9, 1)},
        {**good_row("child_protection_plans", child_ref="P1"), "plan_start": date(2023, 6, 1),
         "plan_end": date(2023, 9, 1)},
    ], ext="xlsx", style="uk")
    write_table(landing, LEICESTERSHIRE, "school_absence", [good_row("school_absence")],
                ext="xlsx")
    (landing / LEICESTERSHIRE / "exclusions_2023-24.xlsx").write_bytes(b"not a workbook")
    for la in ("la/E06000016", "la/E06000017"):
        write_table(landing, la, "exclusions", [good_row("exclusions")])
    write_table(landing, "police", "crimes", [good_row("crimes")])


def contents(con) -> dict[str, list]:
    """Every row the ingest wrote (the audit trail without its timestamps)."""
    out = {}
    for schema, table in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE "
            "table_schema IN ('raw', 'quarantine', 'audit') ORDER BY 1, 2").fetchall():
        rel = con.sql(f"SELECT * EXCLUDE (loaded_at) FROM {schema}.{table}"
                      if table == "files" else f"SELECT * FROM {schema}.{table}")
        out[f"{schema}.{table}"] = sorted(map(repr, rel.fetchall()))
    return out


@contextmanager
def nothing_ahead(*_args, **_kwargs) -> Iterator[None]:
    yield None


def ingest_without_ahead(landing: Path, monkeypatch) -> tuple[list[str], dict[str, list]]:
    with monkeypatch.context() as m, duckdb.connect() as c:
        m.setattr(load, "landing_ahead", nothing_ahead)
        report = ingest_landing(c, landing)
        return [f.describe() for f in report.files], contents(c)


def test_what_the_worker_lands_is_what_the_run_would_land_itself(
        tmp_path: Path, con, monkeypatch) -> None:
    """Each workbook is turned into text once, by the worker; the rows loaded and
    quarantined, the rejections and the audit trail are those of a run landing every
    file itself."""
    landing = tmp_path / "landing"
    council_drop(landing)
    converted: list[tuple[str, str]] = []
    real = ahead.workbook_as_csv

    def spy(path: Path, *args, **kwargs):
        converted.append((path.name, threading.current_thread().name))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(ahead, "workbook_as_csv", spy)
    monkeypatch.setattr(tabular, "workbook_as_csv", spy)
    report = ingest_landing(con, landing)

    workbooks = sorted(p.name for p in (landing / LEICESTERSHIRE).iterdir())
    # "not a workbook" fails in the worker, then again when the run lands it itself.
    assert sorted(name for name, _ in converted) == sorted(
        [*workbooks, "exclusions_2023-24.xlsx"])
    assert all(thread.startswith("vrn-ahead") for name, thread in converted
               if name != "exclusions_2023-24.xlsx")
    assert [t for name, t in converted if name == "exclusions_2023-24.xlsx"] == [
        "vrn-ahead_0", threading.current_thread().name]
    monkeypatch.undo()

    described, rows = ingest_without_ahead(landing, monkeypatch)
    assert [f.describe() for f in report.files] == described
    assert contents(con) == rows
    assert report.rows_quarantined == 5  # three bad sexes, both rows of a key twice
    (rejected,) = report.rejected
    assert rejected.file_name == f"{LEICESTERSHIRE}/exclusions_2023-24.xlsx"
    assert "not a readable .xlsx workbook" in (rejected.reason or "")


def test_a_file_the_worker_cannot_land_is_landed_by_the_run(tmp_path: Path, con,
                                                             monkeypatch) -> None:
    """Whatever fails in the worker, the run lands the workbook itself, as it would
    have."""
    landing = tmp_path / "landing"
    council_drop(landing)
    failed: list[str] = []

    def broken(file, folder):
        failed.append(file.file_name)
        raise OSError("the worker's disk is full")

    monkeypatch.setattr(ahead, "land", broken)
    report = ingest_landing(con, landing)
    assert len(report.files) == 9
    assert sorted(failed) == sorted(f"{LEICESTERSHIRE}/{p.name}"
                                    for p in (landing / LEICESTERSHIRE).iterdir())
    monkeypatch.undo()
    described, rows = ingest_without_ahead(landing, monkeypatch)
    assert [f.describe() for f in report.files] == described
    assert contents(con) == rows


def test_the_text_made_ahead_is_what_is_validated(tmp_path: Path) -> None:
    """The copy is hashed as it is made and its text is the workbook's; validating the
    file as landed reads that text, not the workbook again."""
    landing = tmp_path / "landing"
    council_drop(landing)
    path = landing / LEICESTERSHIRE / "children_looked_after_2023-24Q2.xlsx"
    file = for_path(path, LEICESTERSHIRE)
    landed = land(file, tmp_path / "ahead")
    assert (landed.sha256, landed.size) == fingerprint(file)
    assert landed.copy.read_bytes() == path.read_bytes()
    header, csv = tabular.workbook_as_csv(path, load.BY_NAME[file.entity], tmp_path)
    assert landed.text is not None and list(landed.text.header) == header
    assert landed.text.csv.read_bytes() == csv.read_bytes()

    landed.copy.write_bytes(b"the copy, no longer a workbook")
    parsed = tabular.parse_table(landed.file(file), tmp_path / "parsed",
                                 sha256=landed.sha256)
    assert parsed.rejected is None
    assert (parsed.rows_read, parsed.rows_loaded, parsed.rows_quarantined) == (2, 1, 1)


def test_only_new_workbooks_go_to_the_worker(tmp_path: Path) -> None:
    """A file the warehouse holds a version of is hashed before anything else (an
    unchanged re-send is never copied or converted), an unrecognised name is rejected
    unread, and a CSV is only copied: none is landed ahead; with no new workbook there
    is no worker."""
    landing = tmp_path / "landing"
    council_drop(landing)
    (landing / LEICESTERSHIRE / "unknown_2023-24.xlsx").write_bytes(b"?")
    files = survey(landing).files
    held = f"{LEICESTERSHIRE}/school_absence_2023-24.xlsx"
    with landing_ahead(files, {held: ("sha",)}) as worker:
        assert worker is not None
        given = set(worker._given)
        for i, file in enumerate(files):
            worker.take(file, tmp_path / "taken" / str(i))
    assert given == {f"{LEICESTERSHIRE}/{p.name}" for p in (landing / LEICESTERSHIRE).iterdir()
                     } - {held, f"{LEICESTERSHIRE}/unknown_2023-24.xlsx"}
    assert len(given) == 5
    csvs = [f for f in files if f.extension == "csv"]
    with landing_ahead(csvs, {}) as worker:
        assert worker is None
    with landing_ahead(files, {f.file_name: ("sha",) for f in files}) as worker:
        assert worker is None


def test_the_worker_runs_only_so_far_ahead(tmp_path: Path) -> None:
    """Files are given to the worker in load order until those given and not yet taken
    come to `ahead_bytes` (one at least); each one taken lets the next go; what was
    landed and never taken is removed, and the worker stops, on leaving."""
    landing = tmp_path / "landing"
    council_drop(landing)
    files = [f for f in survey(landing).files if f.source == LEICESTERSHIRE]
    folder = tmp_path / "ahead"
    folder.mkdir()
    worker = Ahead(files, folder, ahead_bytes=1)
    try:
        assert list(worker._given) == [files[0].file_name]
        assert worker.take(files[1], tmp_path / "early") is None  # not given yet
        taken = worker.take(files[0], tmp_path / "taken" / "0")
        assert taken is not None and taken.copy.is_relative_to(tmp_path / "taken" / "0")
        assert taken.copy.read_bytes() == files[0].path.read_bytes()
        assert list(worker._given) == [files[1].file_name]
    finally:
        worker.close()
    assert not any(t.name.startswith("vrn-ahead") for t in threading.enumerate())

    with pytest.raises(RuntimeError), landing_ahead(files, {}) as worker:
        assert worker is not None
        worker.take(files[0], tmp_path / "taken" / "again")
        raise RuntimeError("the run failed between files")
    assert not any(t.name.startswith("vrn-ahead") for t in threading.enumerate())
