"""Access is recorded and restricted (Data Protection Act 2018, Part 3, s.62 logging).

Every `vrn query` and every publication is a row of `audit.access` with who (the OS
user), when (UTC) and what (the SQL text exactly as given, the folder written); a query
that cannot be logged is not answered. The warehouse and the exports are created
readable by their owner only (files 0600, folders 0700), what an earlier version left
wider is tightened when vrn next writes it, and `vrn status` says who can open them.

Most tests use a warehouse of a few tables made here (seconds); the one publishing real
partner folders uses the session's built warehouse (`published_base`, tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import pwd
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from dagster import asset, materialize
from typer.testing import CliRunner

from exports import folder as folders
from exports.publish import PartnerOutcome, write_audit_rows
from ingest.schema import create_schemas
from orchestration.resources import WarehouseResource
from vrn import lock
from vrn.cli import app
from vrn.lock import ACCESS_LOG, connect_for_writing, warehouse_lock

USER = pwd.getpwuid(os.geteuid()).pw_name


@pytest.fixture(autouse=True)
def everyday_umask():
    """Each test starts from the usual umask 022 (so that owner-only modes come from vrn,
    not from the test), and the process's umask is put back afterwards: `vrn` sets 077."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.fixture
def small_warehouse(tmp_path: Path) -> Path:
    """A warehouse with the landing schemas and one mart table, as a reader queries it."""
    path = tmp_path / "wh" / "warehouse.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        create_schemas(con)
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.dim_geography AS SELECT * FROM (VALUES "
                    "('B1', 'E06000016'), ('B2', 'E06000017'), ('B3', 'E10000018')) "
                    "AS t(beat_code, la_code)")
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def access_rows(warehouse: Path) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rel = con.sql("SELECT * FROM audit.access ORDER BY accessed_at, outcome DESC")
        return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]


def query(warehouse: Path, sql: str, *options: str):
    return CliRunner().invoke(app, ["query", sql, "--warehouse", str(warehouse), *options])


# ---------------------------------------------------------------------------- queries


def test_every_vrn_query_is_logged_with_os_user_time_and_sql_text(small_warehouse):
    sql = ("SELECT la_code,\n       count(*) AS beats   -- per authority\n"
           "FROM marts.dim_geography WHERE beat_code <> 'it''s' GROUP BY 1 ORDER BY 1")
    before = datetime.now(UTC).replace(tzinfo=None)
    result = query(small_warehouse, sql, "--format", "json")
    after = datetime.now(UTC).replace(tzinfo=None)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)) == 3

    requested, served = access_rows(small_warehouse)
    for row in (requested, served):
        assert row["action"] == "query"
        assert row["detail"] == sql  # exactly as given: newlines, comment, quotes
        assert (row["os_user"], row["uid"]) == (USER, os.geteuid())
        assert row["pid"] == os.getpid() and row["host"]
        assert before <= row["accessed_at"] <= after  # UTC
    # logged before it ran; the outcome is a second row of the same access
    assert requested["access_id"] == served["access_id"]
    assert (requested["outcome"], requested["rows_returned"]) == ("requested", None)
    assert (served["outcome"], served["rows_returned"]) == ("served", 3)


def test_a_failed_query_is_logged_with_why_and_the_log_is_only_ever_added_to(
        small_warehouse):
    assert query(small_warehouse, "SELECT 1 AS one").exit_code == 0
    first = access_rows(small_warehouse)
    result = query(small_warehouse, "DROP TABLE marts.dim_geography")
    assert result.exit_code == 2 and "query failed" in result.output
    rows = access_rows(small_warehouse)
    assert rows[:2] == first  # earlier rows untouched: rows are only added
    requested, failed = rows[2:]
    assert requested["detail"] == failed["detail"] == "DROP TABLE marts.dim_geography"
    assert (requested["outcome"], failed["outcome"]) == ("requested", "failed")
    assert "read-only" in failed["reason"]
    with duckdb.connect(str(small_warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.dim_geography").fetchone() == (3,)


def test_a_query_is_logged_in_a_warehouse_that_has_no_audit_schema_yet(tmp_path):
    path = tmp_path / "bare.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT 42 AS answer")
    result = query(path, "SELECT answer FROM t", "--format", "csv")
    assert result.output.splitlines() == ["answer", "42"]
    assert [r["outcome"] for r in access_rows(path)] == ["requested", "served"]


def test_a_query_that_cannot_be_logged_is_refused(small_warehouse):
    """A `vrn run` holds the warehouse: the log cannot be written, so the query is not
    answered: a plain message, exit 2, nothing served, no traceback."""
    with warehouse_lock(small_warehouse):
        result = query(small_warehouse, "SELECT beat_code FROM marts.dim_geography")
    assert result.exit_code == 2
    out = result.output
    assert "query not run" in out and "audit.access" in out and "s.62" in out
    assert "vrn run" in out and f"pid {os.getpid()}" in out and "try again" in out
    assert "B1" not in out and "Traceback" not in out
    assert access_rows(small_warehouse) == []


def test_a_query_is_refused_when_another_program_keeps_the_log_from_being_written(
        small_warehouse, monkeypatch):
    """Another program's connection (even a reading one) stops DuckDB from taking a
    writer: after a short wait, refused, naming the program and its PID."""
    monkeypatch.setattr(lock, "ACCESS_LOG_WAIT_SECONDS", 0.5)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\n"
         f"con = duckdb.connect({str(small_warehouse)!r}, read_only=True)\n"
         "print('open', flush=True)\ntime.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = query(small_warehouse, "SELECT beat_code FROM marts.dim_geography")
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2
    assert "query not run" in result.output and f"PID {holder.pid}" in result.output
    assert "B1" not in result.output and "Traceback" not in result.output
    assert access_rows(small_warehouse) == []


def test_a_query_is_refused_when_the_log_write_fails_for_any_reason(small_warehouse,
                                                                     monkeypatch):
    def disk_full(*_: object) -> None:
        raise duckdb.IOException("No space left on device")

    monkeypatch.setattr(lock, "insert_access", disk_full)
    result = query(small_warehouse, "SELECT beat_code FROM marts.dim_geography")
    assert result.exit_code == 2
    assert "query not run" in result.output and "No space left on device" in result.output
    assert "B1" not in result.output and "Traceback" not in result.output


def test_a_query_waits_for_another_querys_log_row_but_not_for_a_run(small_warehouse):
    """Another vrn writing its own access row holds the lock for milliseconds: wait."""
    taken = threading.Event()

    def other_query() -> None:
        with warehouse_lock(small_warehouse, purpose=ACCESS_LOG):
            taken.set()
            time.sleep(0.6)

    thread = threading.Thread(target=other_query)
    thread.start()
    taken.wait()
    started = time.monotonic()
    result = query(small_warehouse, "SELECT count(*) AS n FROM marts.dim_geography")
    thread.join()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 0.3  # it waited rather than refused
    assert [r["outcome"] for r in access_rows(small_warehouse)] == ["requested", "served"]


# ---------------------------------------------------------------------------- publications


def _outcome(exports: Path, partner: str, quarter: str, outcome: str) -> PartnerOutcome:
    return PartnerOutcome(partner, quarter, outcome, str(exports / quarter / partner),
                          None if outcome == "blocked" else "ab" * 32, "why", datetime.now(UTC))


def test_every_publication_is_logged_with_its_folder(small_warehouse, tmp_path):
    """A folder written (published or republished) is an access row: who, when, the
    folder, for whom, in which run. A blocked or unchanged export wrote nothing."""
    exports = tmp_path / "exports"
    outcomes = [_outcome(exports, "icb", "2023-24Q1", "published"),
                _outcome(exports, "icb", "2023-24Q2", "republished"),
                _outcome(exports, "opcc", "2023-24Q1", "unchanged"),
                _outcome(exports, "opcc", "2023-24Q2", "blocked")]
    before = datetime.now(UTC).replace(tzinfo=None)
    with connect_for_writing(small_warehouse) as con:
        assert write_audit_rows(con, [o.audit_row("run-1") for o in outcomes]) == 4
    rows = access_rows(small_warehouse)
    assert sorted((r["detail"], r["outcome"], r["recipient"]) for r in rows) == [
        (str(exports / "2023-24Q1" / "icb"), "published", "icb"),
        (str(exports / "2023-24Q2" / "icb"), "republished", "icb")]
    for r in rows:
        assert (r["action"], r["run_id"], r["os_user"]) == ("publish", "run-1", USER)
        assert before <= r["accessed_at"] <= datetime.now(UTC).replace(tzinfo=None)
    assert len({r["access_id"] for r in rows}) == 2


@pytest.mark.slow
def test_every_folder_the_export_step_writes_is_owner_only_and_logged(
        warehouse, catalog, tmp_path):
    """Real partner folders: an exports folder an earlier version left wide is tightened,
    every folder and file written is 0700/0600, and each folder is logged."""
    from support.published import gates_of

    from expectations.soda_contracts import verify_exports
    from exports.publish import publish_exports

    exports = tmp_path / "exports"
    old = exports / "2022-23Q4" / "icb"
    old.mkdir(parents=True, mode=0o755)
    (old / "old.csv").write_text("a\n1\n")
    os.chmod(old / "old.csv", 0o644)
    report = publish_exports(warehouse, exports, catalog, gates=gates_of(warehouse),
                             verify=verify_exports, partners=["icb", "csp-rutland"],
                             quarters=["2023-24Q4"], run_id="run-2")
    assert [o.outcome for o in report.outcomes] == ["published", "published"]
    for path in [exports, *exports.rglob("*")]:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path
    with connect_for_writing(warehouse) as con:
        write_audit_rows(con, report.audit_rows())
    logged = {(r["detail"], r["recipient"], r["run_id"]) for r in access_rows(warehouse)
              if r["action"] == "publish"}
    assert logged == {(str(exports / "2023-24Q4" / p), p, "run-2")
                      for p in ("icb", "csp-rutland")}


# ---------------------------------------------------------------------------- owner only


def test_warehouse_and_exports_are_created_owner_only(tmp_path):
    """Whatever the umask: the warehouse file (and its WAL, under the umask vrn sets) is
    0600; every exports folder 0700 and file 0600, a republication's `_previous` too."""
    wh = tmp_path / "new" / "warehouse.duckdb"
    with connect_for_writing(wh) as con:
        assert mode(wh) == 0o600
        lock.owner_only_umask()  # as `vrn` and every Dagster run set it
        con.execute("CREATE TABLE t AS SELECT range AS n FROM range(1000)")
        wal = wh.with_name(wh.name + ".wal")
        assert wal.exists() and mode(wal) == 0o600
    os.umask(0o022)
    with warehouse_lock(wh):  # the writer lock beside it
        assert mode(wh.with_name(wh.name + ".lock")) == 0o600

    exports = tmp_path / "exports"

    def publish(data: bytes) -> folders.Publication:
        return folders.publish_folder(exports, "2023-24Q4", "icb", {"a.csv": data}, [],
                                      lambda _: b"{}", datetime.now(UTC))

    assert publish(b"x\n1\n").outcome == "published"
    assert publish(b"x\n2\n").outcome == "republished"
    paths = [exports, *exports.rglob("*")]
    assert any("_previous" in p.parts for p in paths)
    for path in paths:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_a_warehouse_made_wider_earlier_is_tightened_when_vrn_next_writes_it(small_warehouse):
    os.chmod(small_warehouse, 0o644)
    assert query(small_warehouse, "SELECT 1").exit_code == 0  # its access row is a write
    assert mode(small_warehouse) == 0o600
    os.chmod(small_warehouse, 0o664)
    connect_for_writing(small_warehouse).close()  # a run's first write
    assert mode(small_warehouse) == 0o600


def test_exports_published_wider_earlier_are_tightened_and_links_left_alone(tmp_path):
    exports, outside = tmp_path / "exports", tmp_path / "outside"
    (exports / "2023-24Q1" / "icb").mkdir(parents=True)
    (exports / "2023-24Q1" / "icb" / "t.csv").write_text("x")
    outside.mkdir()
    (outside / "mine.txt").write_text("not ours")
    (exports / "link").symlink_to(outside)
    for p in (exports, exports / "2023-24Q1", exports / "2023-24Q1" / "icb"):
        os.chmod(p, 0o755)
    assert folders.owner_only_tree(exports) == 4
    assert [mode(p) for p in (exports, exports / "2023-24Q1", exports / "2023-24Q1" / "icb",
                              exports / "2023-24Q1" / "icb" / "t.csv")] == [0o700] * 3 + [0o600]
    assert (mode(outside), mode(outside / "mine.txt")) == (0o755, 0o644)


def test_any_vrn_run_tightens_what_an_earlier_version_left_wider_even_with_nothing_new(
        small_warehouse, tmp_path):
    """A run that finds nothing new stops before the pipeline; the warehouse file and the
    exports are tightened all the same (a chmod changes no modification time, so the run
    still has nothing new to do)."""
    from orchestration.inputs import RunInputs
    from vrn.settings import Settings

    landing, exports = tmp_path / "landing", tmp_path / "exports"
    (landing / "police").mkdir(parents=True)
    (exports / "2023-24Q4" / "icb").mkdir(parents=True)
    (exports / "2023-24Q4" / "icb" / "t.csv").write_text("x")
    settings = Settings(landing=landing, warehouse=small_warehouse, exports=exports)
    with duckdb.connect(str(small_warehouse)) as con:
        con.execute("INSERT INTO audit.runs VALUES ('r1', now(), now(), 'succeeded', NULL, ?)",
                    [RunInputs.of(settings).as_json()])
    os.chmod(small_warehouse, 0o644)
    result = CliRunner().invoke(app, ["run", "--landing", str(landing), "--warehouse",
                                      str(small_warehouse), "--exports", str(exports)])
    assert result.exit_code == 0, result.output
    assert "nothing to do" in result.output
    assert mode(small_warehouse) == 0o600
    for path in [exports, *exports.rglob("*")]:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_vrn_sets_an_owner_only_umask_before_any_command(small_warehouse):
    assert query(small_warehouse, "SELECT 1").exit_code == 0
    assert os.umask(0o022) == 0o077


def test_a_dagster_run_creates_the_warehouse_owner_only(tmp_path):
    """However Dagster runs the assets (`dagster dev` too), the resource sets the umask
    and a writable connection leaves the warehouse file owner-only."""
    wh = tmp_path / "dagster" / "warehouse.duckdb"
    resource = WarehouseResource(landing=str(tmp_path), warehouse=str(wh),
                                 exports=str(tmp_path / "exports"))

    @asset
    def writes(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("CREATE TABLE t AS SELECT 1 AS n")
        (warehouse.logs_path).mkdir(parents=True)

    assert materialize([writes], resources={"warehouse": resource}).success
    assert mode(wh) == 0o600
    assert mode(resource.logs_path) == 0o700
    assert os.umask(0o022) == 0o077


# ---------------------------------------------------------------------------- vrn status


def test_vrn_status_reports_modes_and_warns_when_wider_than_owner_only(small_warehouse,
                                                                       tmp_path):
    exports = tmp_path / "exports"
    (exports / "2023-24Q4" / "icb").mkdir(parents=True)
    (exports / "2023-24Q4" / "icb" / "t.csv").write_text("x")
    assert query(small_warehouse, "SELECT 1").exit_code == 0
    with connect_for_writing(small_warehouse) as con:
        write_audit_rows(con, [_outcome(exports, "icb", "2023-24Q4", "published")
                               .audit_row("run-3")])
    os.chmod(small_warehouse, 0o644)
    for p in (exports, exports / "2023-24Q4"):
        os.chmod(p, 0o755)

    def status(*options: str) -> str:
        result = CliRunner().invoke(app, ["status", "--warehouse", str(small_warehouse),
                                          *options])
        assert result.exit_code == 0, result.output
        return result.output

    out = status()  # the exports folder is the one the warehouse published to
    assert f"warehouse {small_warehouse}: mode 0644, owner {USER} (NOT owner only)" in out
    assert (f"WARNING: the warehouse {small_warehouse} is open to others than its owner "
            f"(mode 0644). Fix: chmod 600 {small_warehouse}") in out
    assert f"exports {exports}: mode 0755" in out
    assert "3 of the 3 files and folders under it" in out
    assert f"Fix: chmod -R go-rwx {exports}" in out
    assert f"1 query (last {datetime.now(UTC):%Y-%m-%d}" in out and f"by {USER})" in out
    assert "1 publication (last" in out

    os.chmod(small_warehouse, 0o600)
    folders.owner_only_tree(exports)
    out = status()
    assert f"warehouse {small_warehouse}: mode 0600, owner {USER} (owner only)" in out
    assert f"exports {exports}: mode 0700, owner {USER} (owner only); its 3 files and " \
           "folders owner only" in out
    assert "WARNING" not in out

    elsewhere = tmp_path / "elsewhere"
    assert f"exports {elsewhere}: not created yet" in status("--exports", str(elsewhere))
    data = json.loads(status("--json"))["access"]
    assert data["warehouse"][0]["mode"] == "0600" and data["exports"]["owner_only"]
    assert {r["action"]: r["accesses"] for r in data["log"]} == {"query": 1, "publish": 1}


def test_vrn_status_says_when_a_warehouse_has_no_access_log_yet(tmp_path):
    wh = tmp_path / "old.duckdb"
    with duckdb.connect(str(wh)) as con:
        create_schemas(con)
        con.execute("DROP TABLE audit.access")  # as a warehouse made before the log
    result = CliRunner().invoke(app, ["status", "--warehouse", str(wh), "--exports",
                                      str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    assert "audit.access: not in this warehouse yet" in result.output
