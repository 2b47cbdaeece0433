"""The `vrn` command line as scripts call it (DESIGN.md "Command line")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from vrn.cli import app
from vrn.lock import warehouse_lock

VRN = str(Path(sys.executable).with_name("vrn"))


@dataclass(frozen=True)
class Deployment:
    landing: Path
    warehouse: Path
    exports: Path
    first: subprocess.CompletedProcess
    second: subprocess.CompletedProcess

    def args(self) -> list[str]:
        return ["--landing", str(self.landing), "--warehouse", str(self.warehouse),
                "--exports", str(self.exports)]


def vrn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([VRN, *args], capture_output=True, text=True, env=env, timeout=1200)


@pytest.fixture(scope="session")
def deployment(small_drop, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """A small drop run through the whole pipeline twice (the second run must be a no-op
    for the data)."""
    root = tmp_path_factory.mktemp("deployment")
    landing = root / "landing"
    shutil.copytree(small_drop.landing, landing)
    wh, ex = root / "warehouse.duckdb", root / "exports"
    args = ["--landing", str(landing), "--warehouse", str(wh), "--exports", str(ex)]
    first = vrn("run", *args)
    with duckdb.connect(str(wh), read_only=True) as con:
        before = con.execute("SELECT count(*) FROM audit.files").fetchone()
    second = vrn("run", *args)
    with duckdb.connect(str(wh), read_only=True) as con:
        after = con.execute("SELECT count(*) FROM audit.files").fetchone()
    assert before == after, "a second run on the same landing folder added audit rows"
    return Deployment(landing, wh, ex, first, second)


def test_run_on_a_clean_drop_publishes_everything_and_exits_0(deployment: Deployment) -> None:
    assert deployment.first.returncode == 0, deployment.first.stdout[-3000:]
    assert "all steps succeeded" in deployment.first.stdout
    quarters = sorted(p.name for p in deployment.exports.iterdir() if not p.name.startswith("."))
    assert quarters == ["2023-24Q1", "2023-24Q2", "2023-24Q3", "2023-24Q4"]
    partners = {p.name for p in (deployment.exports / "2023-24Q4").iterdir()}
    assert {"home_office", "opcc", "icb", "csp-leicester", "csp-rutland"} <= partners


def test_second_run_on_same_landing_changes_nothing(deployment: Deployment) -> None:
    assert deployment.second.returncode == 0, deployment.second.stdout[-3000:]
    manifest = json.loads(
        (deployment.exports / "2023-24Q4" / "opcc" / "manifest.json").read_text())
    assert manifest["supersedes"] is None  # identical content was not re-published


def test_query_formats(deployment: Deployment) -> None:
    runner = CliRunner()
    sql = "SELECT count(*) AS n FROM marts.dim_geography"
    as_json = runner.invoke(app, ["query", sql, "--format", "json",
                                  "--warehouse", str(deployment.warehouse)])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output) == [{"n": 56}]
    as_csv = runner.invoke(app, ["query", sql, "--format", "csv",
                                 "--warehouse", str(deployment.warehouse)])
    assert as_csv.output.splitlines() == ["n", "56"]
    table = runner.invoke(app, ["query", sql, "--warehouse", str(deployment.warehouse)])
    assert "56" in table.output


def test_query_is_read_only(deployment: Deployment) -> None:
    result = CliRunner().invoke(app, ["query", "DROP TABLE marts.dim_date",
                                      "--warehouse", str(deployment.warehouse)])
    assert result.exit_code == 2
    with duckdb.connect(str(deployment.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.dim_date").fetchone()[0] > 0


def test_status_lists_files_quarantine_runs_and_exports(deployment: Deployment) -> None:
    result = CliRunner().invoke(app, ["status", "--warehouse", str(deployment.warehouse)])
    assert result.exit_code == 0, result.output
    for heading in ("Files by source and outcome", "quarantined rows", "waiting",
                    "Last runs", "Exports published"):
        assert heading in result.output
    assert "succeeded" in result.output


def test_run_without_landing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = vrn("run", "--landing", str(tmp_path / "nope"), "--warehouse",
                 str(tmp_path / "w.duckdb"), "--exports", str(tmp_path / "e"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_second_writer_is_told_and_leaves_without_touching_the_file(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    wh = tmp_path / "w.duckdb"
    with warehouse_lock(wh):
        result = vrn("run", "--no-wait", "--landing", str(landing), "--warehouse", str(wh),
                     "--exports", str(tmp_path / "e"))
    assert result.returncode == 2
    assert "is writing" in result.stderr
    assert not wh.exists()


def test_generate_rejects_bad_options(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "x"),
                                      "--start", "2024-13-01"])
    assert result.exit_code == 2


def test_environment_overrides_default_paths(tmp_path: Path) -> None:
    env = {**os.environ, "VRN_WAREHOUSE": str(tmp_path / "none.duckdb")}
    result = vrn("status", env=env)
    assert result.returncode == 2
    assert "none.duckdb" in result.stderr


def _tree_digest(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_planted_anomaly_blocks_police_exports_exits_1_and_keeps_publications(
    deployment: Deployment, tmp_path: Path
) -> None:
    """A quarter of police crimes halved (a partner's broken re-send) must block the
    exports built on police data, say which check and table, and leave everything
    already published untouched; health exports still publish."""
    landing, wh, ex = tmp_path / "landing", tmp_path / "w.duckdb", tmp_path / "exports"
    shutil.copytree(deployment.landing, landing)
    shutil.copyfile(deployment.warehouse, wh)
    shutil.copytree(deployment.exports, ex)
    published_before = _tree_digest(ex)
    crimes = landing / "police" / "crimes_2023-24Q3.csv"
    raw = crimes.read_bytes()
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.split(newline)
    header, rows = lines[0], [r for r in lines[1:] if r]
    crimes.write_bytes(newline.join([header, *rows[::2]]) + newline)

    result = vrn("run", "--landing", str(landing), "--warehouse", str(wh), "--exports", str(ex))
    assert result.returncode == 1, result.stdout[-3000:]
    assert "BLOCKED by check" in result.stdout
    assert "fct_serious_violence" in result.stdout or "crimes" in result.stdout
    assert _tree_digest(ex) == published_before  # nothing published was changed or lost
    with duckdb.connect(str(wh), read_only=True) as con:
        replaced = con.execute(
            "SELECT outcome FROM audit.files WHERE file_name = 'police/crimes_2023-24Q3.csv' "
            "ORDER BY loaded_at").fetchall()
    assert [r[0] for r in replaced] == ["superseded", "loaded"]
