"""`vrn run` with nothing new does nothing (orchestration/inputs.py): the inputs it
compares change with anything a run's result depends on, and only a successful run on
the same inputs lets the next one stop."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.schema import create_schemas
from orchestration.inputs import LastRun, RunInputs, last_run, nothing_new, record_nothing_new
from vrn.listing import code_listing, tree_listing
from vrn.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    landing, exports = tmp_path / "landing", tmp_path / "exports"
    (landing / "police").mkdir(parents=True)
    (landing / "police" / "crimes_2023-24Q1.csv").write_text("crime_ref\nCR/1\n")
    (exports / "2023-24Q1" / "opcc").mkdir(parents=True)
    (exports / "2023-24Q1" / "opcc" / "manifest.json").write_text("{}")
    return Settings(landing, tmp_path / "warehouse.duckdb", exports)


def _inputs(settings: Settings) -> RunInputs:
    return RunInputs.of(settings, code="the same code")


def _touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_the_same_folders_give_the_same_inputs(settings: Settings) -> None:
    assert _inputs(settings) == _inputs(settings)
    assert _inputs(settings).changed_since(_inputs(settings)) == []


@pytest.mark.parametrize("change", [
    "new file", "re-sent file", "file removed", "file in an unknown folder", "link",
])
def test_any_change_in_the_landing_folder_changes_the_inputs(settings: Settings,
                                                             change: str) -> None:
    before = _inputs(settings)
    crimes = settings.landing / "police" / "crimes_2023-24Q1.csv"
    if change == "new file":
        (settings.landing / "police" / "crimes_2023-24Q2.csv").write_text("crime_ref\n")
    elif change == "re-sent file":
        crimes.write_text("crime_ref\nCR/2\n")
        _touch_later(crimes)
    elif change == "file removed":
        crimes.unlink()
    elif change == "file in an unknown folder":
        (settings.landing / "polcie").mkdir()
        (settings.landing / "polcie" / "crimes_2023-24Q2.csv").write_text("crime_ref\n")
    else:
        (settings.landing / "police" / "crimes_2023-24Q2.csv").symlink_to(crimes)
    assert _inputs(settings).changed_since(before) == ["the landing folder's files"]


def test_a_deleted_or_edited_publication_changes_the_inputs(settings: Settings) -> None:
    before = _inputs(settings)
    manifest = settings.exports / "2023-24Q1" / "opcc" / "manifest.json"
    manifest.write_text('{"edited": true}')
    _touch_later(manifest)
    assert _inputs(settings).changed_since(before) == ["the exports folder"]
    edited = _inputs(settings)
    manifest.unlink()
    assert _inputs(settings).changed_since(edited) == ["the exports folder"]


def test_other_paths_or_other_code_change_the_inputs(settings: Settings,
                                                     tmp_path: Path) -> None:
    before = _inputs(settings)
    elsewhere = Settings(settings.landing, tmp_path / "other.duckdb", settings.exports)
    assert _inputs(elsewhere).changed_since(before) == [
        "the landing, warehouse or exports path"]
    assert RunInputs.of(settings, code="edited").changed_since(before) == ["the project's code"]


def test_the_code_listing_covers_python_dbt_and_the_lock_file_not_what_dbt_writes(
        tmp_path: Path) -> None:
    for name in ("ingest/load.py", "exports/render.py", "orchestration/run.py",
                 "dbt_project/models/marts/fct.sql", "dbt_project/target/manifest.json",
                 "vrn/__pycache__/cli.cpython-311.pyc", "uv.lock", "data/warehouse.duckdb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    listed = {name for name, _, _ in code_listing(tmp_path, tmp_path / "dbt_project")}
    assert listed == {"ingest/load.py", "exports/render.py", "orchestration/run.py",
                      "dbt_project/models/marts/fct.sql", "uv.lock"}


def test_a_link_is_listed_as_itself_and_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("x" * 100)
    root = tmp_path / "root"
    root.mkdir()
    (root / "police").symlink_to(outside)
    assert [name for name, _, _ in tree_listing(root)] == ["police"]


def _record(warehouse: Path, run_id: str, status: str, inputs: RunInputs | None,
            started: datetime) -> None:
    with duckdb.connect(str(warehouse)) as con:
        create_schemas(con)
        con.execute("INSERT INTO audit.runs VALUES (?, ?, ?, ?, NULL, ?)",
                    [run_id, started, started, status, inputs.as_json() if inputs else None])


def test_only_a_successful_last_run_on_the_same_inputs_means_nothing_new(
        settings: Settings) -> None:
    inputs = _inputs(settings)
    assert last_run(settings.warehouse) is None  # no warehouse yet
    assert not nothing_new(inputs, None)
    _record(settings.warehouse, "a", "succeeded", inputs, datetime(2024, 1, 1))
    assert nothing_new(inputs, last_run(settings.warehouse))
    for n, status in enumerate(("blocked", "failed", "running"), start=2):
        _record(settings.warehouse, status, status, inputs, datetime(2024, 1, n))
        assert last_run(settings.warehouse).status == status
        assert not nothing_new(inputs, last_run(settings.warehouse)), status
    _record(settings.warehouse, "b", "succeeded", None, datetime(2024, 2, 1))
    assert not nothing_new(inputs, last_run(settings.warehouse))  # inputs not recorded


def test_a_run_that_found_nothing_new_is_recorded_with_the_run_it_follows(
        settings: Settings) -> None:
    inputs = _inputs(settings)
    _record(settings.warehouse, "first-run", "succeeded", inputs, datetime(2024, 1, 1))
    last = last_run(settings.warehouse)
    assert isinstance(last, LastRun)
    said = record_nothing_new(settings.warehouse, "second-run", inputs, last,
                              datetime(2024, 1, 2))
    assert said.startswith("nothing new since run first-run")
    again = last_run(settings.warehouse)
    assert (again.run_id, again.status, again.inputs) == ("second-run", "succeeded", inputs)
    assert nothing_new(inputs, again)  # a third run stops too
