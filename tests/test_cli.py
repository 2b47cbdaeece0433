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
from dagster import AssetKey, DagsterInstance
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
    decoy: Path  # where VRN_* pointed during the first run, overridden by the options
    network: tuple[str, ...]  # the prefix the first run ran under (no network)

    @property
    def dagster_home(self) -> Path:
        """Where the runs' Dagster history is (orchestration/instance.py)."""
        return Path(os.environ.get("DAGSTER_HOME") or self.warehouse.parent / "dagster_home")

    def args(self) -> list[str]:
        return ["--landing", str(self.landing), "--warehouse", str(self.warehouse),
                "--exports", str(self.exports)]


def vrn(*args: str, env: dict[str, str] | None = None,
        wrap: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*wrap, VRN, *args], capture_output=True, text=True, env=env,
                          timeout=1200)


def no_network() -> tuple[str, ...]:
    """A command prefix that runs a program in a new network namespace with no interface
    up (`unshare -n`, or `unshare -rn` as a user): nothing it does can reach a network.
    Empty when this machine allows neither (the no-network test then fails, saying so)."""
    probe = ("import socket, sys; "
             "sys.exit(0 if [n for _, n in socket.if_nameindex()] == ['lo'] else 3)")
    for wrap in (("unshare", "-n"), ("unshare", "-rn")):
        if shutil.which(wrap[0]) and subprocess.run(
                [*wrap, sys.executable, "-c", probe], capture_output=True).returncode == 0:
            return wrap  # the probe saw only the loopback interface (and it is down)
    return ()


@pytest.fixture(scope="session")
def deployment(small_drop, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """A small drop run through the whole pipeline twice (the second run must be a no-op
    for the data). The first run's environment names other paths in VRN_*: the options
    must win everywhere, dbt included."""
    root = tmp_path_factory.mktemp("deployment")
    landing = root / "landing"
    shutil.copytree(small_drop.landing, landing)
    wh, ex = root / "warehouse.duckdb", root / "exports"
    args = ["--landing", str(landing), "--warehouse", str(wh), "--exports", str(ex)]
    decoy = root / "decoy"
    network = no_network()
    first = vrn("run", *args, env={
        **os.environ, "VRN_LANDING": str(decoy / "landing"),
        "VRN_WAREHOUSE": str(decoy / "warehouse.duckdb"), "VRN_EXPORTS": str(decoy / "exports"),
    }, wrap=network)
    with duckdb.connect(str(wh), read_only=True) as con:
        before = con.execute("SELECT count(*) FROM audit.files").fetchone()
    second = vrn("run", *args)
    with duckdb.connect(str(wh), read_only=True) as con:
        after = con.execute("SELECT count(*) FROM audit.files").fetchone()
    assert before == after, "a second run on the same landing folder added audit rows"
    return Deployment(landing, wh, ex, first, second, decoy, network)


def test_run_on_a_clean_drop_publishes_everything_and_exits_0(deployment: Deployment) -> None:
    assert deployment.first.returncode == 0, deployment.first.stdout[-3000:]
    assert "all steps succeeded" in deployment.first.stdout
    quarters = sorted(p.name for p in deployment.exports.iterdir() if not p.name.startswith("."))
    assert quarters == ["2023-24Q1", "2023-24Q2", "2023-24Q3", "2023-24Q4"]
    partners = {p.name for p in (deployment.exports / "2023-24Q4").iterdir()}
    assert {"home_office", "opcc", "icb", "csp-leicester", "csp-rutland"} <= partners


def test_a_full_run_succeeds_with_no_network(deployment: Deployment) -> None:
    """Nothing in the pipeline reaches out (no telemetry, no downloads): the deployment's
    first run, the whole pipeline, ran in a network namespace with no interface up."""
    assert deployment.network, ("neither `unshare -n` nor `unshare -rn` works here, so the "
                                "run could not be cut off from the network")
    assert deployment.first.returncode == 0, deployment.first.stdout[-3000:]
    assert "all steps succeeded" in deployment.first.stdout


def test_second_run_on_same_landing_changes_nothing(deployment: Deployment) -> None:
    assert deployment.second.returncode == 0, deployment.second.stdout[-3000:]
    # Same files, same code, the exports as the first run left them: nothing to do, and
    # the partners' lines still say what they have.
    assert "nothing new since run" in deployment.second.stdout
    assert "csp-rutland: 4 quarter(s) published" in deployment.second.stdout
    with duckdb.connect(str(deployment.warehouse), read_only=True) as con:
        runs = con.execute("SELECT status, detail FROM audit.runs ORDER BY started_at").fetchall()
    assert [status for status, _ in runs] == ["succeeded", "succeeded"]
    assert runs[1][1].startswith("nothing new since run")
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
                    "Last runs", "Exports (partner"):
        assert heading in result.output
    assert "succeeded" in result.output


def test_status_json_shows_every_partner_quarter_and_the_run_ends_with_a_line_each(
        deployment: Deployment) -> None:
    result = CliRunner().invoke(app, ["status", "--json", "--warehouse",
                                      str(deployment.warehouse)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    grid = {(e["partner"], e["fy_quarter"]): e["state"] for e in data["exports"]}
    quarters = ["2023-24Q1", "2023-24Q2", "2023-24Q3", "2023-24Q4"]
    partners = {p for p, _ in grid}
    assert len(partners) == 11 and {"opcc", "icb", "home_office", "csp-rutland"} <= partners
    assert grid == {(p, q): "published" for p in partners for q in quarters}
    last = deployment.first.stdout.strip().splitlines()[-11:]
    assert sorted(line.split(":", 1)[0] for line in last) == sorted(partners)
    assert all("4 quarter(s) published" in line for line in last), last


def test_paths_reach_the_run_as_resource_config_not_through_the_environment(
    deployment: Deployment,
) -> None:
    assert deployment.first.returncode == 0, deployment.first.stdout[-3000:]
    assert not deployment.decoy.exists()
    with duckdb.connect(str(deployment.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.fct_rasso").fetchone()[0] > 0


def _run_ids(deployment: Deployment) -> list[str]:
    with duckdb.connect(str(deployment.warehouse), read_only=True) as con:
        return [r[0] for r in con.execute(
            "SELECT run_id FROM audit.runs ORDER BY started_at").fetchall()]


def test_audit_runs_records_dagsters_run_id(deployment: Deployment) -> None:
    run_ids = _run_ids(deployment)
    assert len(run_ids) == 2
    assert f"run {run_ids[0]}:" in deployment.first.stdout
    assert f"run {run_ids[1]}:" in deployment.second.stdout
    with DagsterInstance.from_config(str(deployment.dagster_home)) as instance:
        run = instance.get_run_by_id(run_ids[0])
        assert run is not None and run.job_name == "vrn_run_job" and run.is_success
        # The second run found nothing new: it stopped before the pipeline was loaded,
        # so Dagster has no run of that id (audit.runs says why).
        assert instance.get_run_by_id(run_ids[1]) is None


def test_dbt_output_goes_to_a_log_file_and_the_console_shows_its_summary(
    deployment: Deployment,
) -> None:
    out = deployment.first.stdout
    assert "dbt: Done. PASS=" in out
    assert " START " not in out and "[PASS in" not in out
    [log] = [Path(line.split("dbt's full output: ", 1)[1].strip())
             for line in out.splitlines() if "dbt's full output: " in line]
    assert log == deployment.warehouse.parent / "logs" / f"dbt-{_run_ids(deployment)[0]}.log"
    text = log.read_text(encoding="utf-8")
    assert " START " in text and "Done. PASS=" in text


def test_raw_tables_and_dbt_models_report_their_row_counts(deployment: Deployment) -> None:
    tables = {"raw/police__crimes": "raw.police__crimes", "marts/fct_rasso": "marts.fct_rasso",
              "staging/stg_police__crimes": "staging.stg_police__crimes"}
    reported = {}
    with DagsterInstance.from_config(str(deployment.dagster_home)) as instance:
        for key in tables:
            event = instance.get_latest_materialization_event(AssetKey.from_user_string(key))
            reported[key] = event.asset_materialization.metadata["dagster/row_count"].value
    with duckdb.connect(str(deployment.warehouse), read_only=True) as con:
        for key, table in tables.items():
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == reported[key]


def test_warehouse_open_in_another_program_is_a_plain_message_and_exit_2(
    tmp_path: Path,
) -> None:
    """An analyst's `duckdb` session holding the file: say which file, that another program
    (with its PID) holds it and what to do, before the Dagster job starts."""
    landing = tmp_path / "landing"
    landing.mkdir()
    wh = tmp_path / "w.duckdb"
    with duckdb.connect(str(wh)):
        result = vrn("run", "--landing", str(landing), "--warehouse", str(wh),
                     "--exports", str(tmp_path / "e"))
    assert result.returncode == 2
    assert str(wh) in result.stderr and f"PID {os.getpid()}" in result.stderr
    assert "Close that program" in result.stderr and "run again" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "dagster_home").exists()  # the job never started


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
    # The run ends with one line per partner; police-reading partners hold back the
    # quarters whose window holds the halved one, naming the check, file and quarter.
    last = result.stdout.strip().splitlines()[-11:]
    held = {line.split(":", 1)[0] for line in last if "HELD BACK" in line}
    assert held == {"csp-blaby-hinckley-bosworth", "csp-charnwood", "csp-harborough",
                    "csp-leicester", "csp-melton", "csp-north-west-leicestershire",
                    "csp-oadby-wigston", "csp-rutland", "home_office", "opcc"}, last
    opcc = next(line for line in last if line.startswith("opcc:"))
    assert "police_sv_volume" in opcc and "police/crimes_2023-24Q3.csv" in opcc
    assert "2023-24Q3" in opcc and "2023-24Q1" in opcc.split("HELD BACK")[0]
    assert "HELD BACK" not in next(line for line in last if line.startswith("icb:"))
    assert _tree_digest(ex) == published_before  # nothing published was changed or lost
    with duckdb.connect(str(wh), read_only=True) as con:
        replaced = con.execute(
            "SELECT outcome FROM audit.files WHERE file_name = 'police/crimes_2023-24Q3.csv' "
            "ORDER BY loaded_at").fetchall()
    assert [r[0] for r in replaced] == ["superseded", "loaded"]
