"""The run's dbt resource (`orchestration.dbt_assets.WarehouseDbtCli`): what it does before a
build besides starting dbt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from orchestration import dbt_assets, dbt_unit_tests
from orchestration.resources import WarehouseResource
from vrn.reference import DBT_PROJECT_DIR


def _no_process(args, *rest, **kwargs):
    raise AssertionError(f"started a process: {args}")


def test_the_dbt_version_is_read_without_starting_dbt(monkeypatch: pytest.MonkeyPatch) -> None:
    """dagster-dbt runs `dbt --version` before a build: a process importing dbt, which then
    asks PyPI for its latest release. The launcher runs this virtualenv's dbt, whose
    version its package metadata gives."""
    monkeypatch.setattr("dagster_dbt.core.resource.check_output", _no_process)
    resource = dbt_assets.dbt_resource()
    assert Path(dbt_assets.dbt_executable()).parent == Path(sys.executable).parent
    assert str(resource._cli_version) == metadata.version("dbt-core")
    assert resource._cli_version.major == 1  # dbt-core, not the Fusion engine


def test_a_dbt_found_elsewhere_is_asked_its_version(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = []

    def version_output(args, *rest, **kwargs):
        asked.append(list(args))
        return b"Core:\n  - installed: 1.10.7\n"

    monkeypatch.setattr("dagster_dbt.core.resource.check_output", version_output)
    resource = dbt_assets.dbt_resource()  # its launcher written for this virtualenv's dbt
    monkeypatch.setattr(dbt_assets, "dbt_executable", lambda: "/opt/elsewhere/bin/dbt")
    assert str(resource._cli_version) == "1.10.7"
    assert asked == [[resource.dbt_executable, "--version"]]


def test_dbt_writes_its_json_artifacts_only_when_the_unit_tests_run() -> None:
    """run_results.json is read for the unit tests' verdict; otherwise nothing reads dbt's
    artifacts, and writing them costs about a CPU second a build."""
    vars_json = '{"warehouse": "w.duckdb"}'
    skip = list(dbt_unit_tests.SKIP_ARGS)
    assert dbt_assets.build_args(vars_json, []) == ["build", "--vars", vars_json]
    assert dbt_assets.build_args(vars_json, skip) == [
        "build", "--vars", vars_json, *skip, "--no-write-json"]


def test_a_build_without_json_artifacts_keeps_its_parse_state(tmp_path: Path) -> None:
    """`vrn.manifest.keep_partial_parse` reads the parse state from the build's target
    folder: dbt writes it with or without its JSON artifacts."""
    target = tmp_path / "target"
    done = subprocess.run(
        [dbt_assets.dbt_executable(), "parse", "--no-write-json", "--target-path", str(target),
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--vars", json.dumps({"warehouse": str(tmp_path / "w.duckdb")})],
        capture_output=True, text=True, cwd=DBT_PROJECT_DIR, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (target / "partial_parse.msgpack").is_file()
    assert not (target / "manifest.json").exists()


def _parse_as_a_run_starts_dbt(warehouse: Path, target: Path) -> subprocess.CompletedProcess:
    """`dbt parse` started as a run's build starts dbt: by dagster-dbt in the project
    folder with paths relative to it, through the launcher, with the run's `--vars`."""
    resource = WarehouseResource(landing=str(warehouse.parent), warehouse=str(warehouse),
                                 exports=str(warehouse.parent / "exports"))
    relative = os.path.relpath(target, DBT_PROJECT_DIR)
    env = {**os.environ, "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
           "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR), "DBT_TARGET_PATH": relative,
           "DBT_LOG_PATH": relative, "VRN_DBT_PARENT": str(os.getpid()),
           "VRN_DBT_CWD": str(dbt_assets.dbt_folder(resource))}
    return subprocess.run(
        [dbt_assets.dbt_launcher(), "parse", "--no-write-json", "--vars",
         dbt_assets.dbt_vars(resource)],
        capture_output=True, text=True, cwd=DBT_PROJECT_DIR, env=env, check=False)


def test_the_parse_state_of_one_warehouses_build_serves_the_next_in_another_folder(
        tmp_path: Path) -> None:
    """dbt parses the whole project again (about 9 s) when the `--vars` or the profile
    differ from those its saved state was made with: a build gets the warehouse file's
    name alone and runs in its folder, so the path is in neither."""
    first, second = tmp_path / "one" / "warehouse.duckdb", tmp_path / "two" / "warehouse.duckdb"
    for warehouse in (first, second):
        warehouse.parent.mkdir()
    done = _parse_as_a_run_starts_dbt(first, tmp_path / "target-one")
    assert done.returncode == 0, done.stdout + done.stderr
    state = tmp_path / "target-one" / "partial_parse.msgpack"
    (tmp_path / "target-two").mkdir()
    shutil.copyfile(state, tmp_path / "target-two" / state.name)

    done = _parse_as_a_run_starts_dbt(second, tmp_path / "target-two")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Unable to do partial parsing" not in done.stdout, done.stdout
    # dbt's log and target folders stay where dagster-dbt put them, none beside the file
    assert sorted(p.name for p in second.parent.iterdir()) == []
