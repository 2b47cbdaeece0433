"""The Dagster instance's event log (`orchestration.event_log`): Dagster's own sqlite
storage, in the same place, with one open connection per database and no flush per
event."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import sqlalchemy
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    asset,
    job,
    op,
)
from sqlalchemy.engine import Connection, Engine

from orchestration import event_log
from orchestration.event_log import WarehouseEventLogStorage
from orchestration.instance import INSTANCE_YAML, open_instance, prepare_dagster_home
from orchestration.run import EVENT_BATCH, event_batches


@op
def one() -> int:
    return 1


@job
def tiny() -> None:
    one()


def _events(instance: DagsterInstance, run_id: str) -> list[str]:
    return [e.dagster_event.event_type_value for e in instance.all_logs(run_id)
            if e.dagster_event is not None]


def test_runs_recorded_by_dagsters_default_storage_stay_readable(tmp_path: Path,
                                                                 monkeypatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_bytes(INSTANCE_YAML.read_bytes())  # as an older vrn wrote it
    with DagsterInstance.from_config(str(home)) as before:
        assert type(before.event_log_storage).__name__ == "SqliteEventLogStorage"
        old = tiny.execute_in_process(instance=before).run_id
        recorded = _events(before, old)

    assert prepare_dagster_home(tmp_path / "warehouse.duckdb") == home.resolve()
    with open_instance(tmp_path / "warehouse.duckdb") as instance:
        assert isinstance(instance.event_log_storage, WarehouseEventLogStorage)
        assert "STEP_SUCCESS" in recorded
        assert _events(instance, old) == recorded
        new = tiny.execute_in_process(instance=instance).run_id
        assert _events(instance, new)[-1] == "PIPELINE_SUCCESS"
        assert [r.run_id for r in instance.get_runs()] == [new, old]


def _dbapi(conn) -> object:
    return conn.connection.dbapi_connection


def test_each_database_keeps_one_connection_and_commits_without_a_flush(tmp_path: Path) -> None:
    storage = WarehouseEventLogStorage(str(tmp_path / "runs"))
    try:
        with storage.run_connection("a-run") as conn:
            synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            first = _dbapi(conn)
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        seen = []

        def other_thread() -> None:
            with storage.run_connection("a-run") as conn:
                seen.append((_dbapi(conn), conn.exec_driver_sql("SELECT x FROM t").scalar()))
                conn.exec_driver_sql("INSERT INTO t VALUES (2)")

        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert (synchronous, journal) == (1, "wal")  # NORMAL: a commit writes, never fsyncs
        assert seen == [(first, 1)]  # the same connection, from another thread, in turn
        assert sorted(storage._engines) == ["a-run", "index"]
        # Another process's storage (`vrn ui`, `vrn status`) sees every commit at once.
        reader = WarehouseEventLogStorage(str(tmp_path / "runs"))
        try:
            with reader.run_connection("a-run") as conn:
                assert conn.exec_driver_sql("SELECT sum(x) FROM t").scalar() == 3
        finally:
            reader.dispose()
    finally:
        storage.dispose()
    assert storage._engines == {}


def test_the_least_recently_used_databases_are_closed_beyond_the_limit(tmp_path: Path,
                                                                        monkeypatch) -> None:
    monkeypatch.setattr(event_log, "MAX_OPEN", 3)
    storage = WarehouseEventLogStorage(str(tmp_path / "runs"))
    try:
        for run in ("r1", "r2", "r1", "r3", "r4"):
            with storage.run_connection(run):
                pass
        assert list(storage._engines) == ["r1", "r3", "r4"]  # r2, least recently used, closed
        with storage.index_connection() as conn:  # reopened when needed
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    finally:
        storage.dispose()


def test_wiping_closes_the_run_databases_before_their_files_go(tmp_path: Path) -> None:
    storage = WarehouseEventLogStorage(str(tmp_path / "runs"))
    try:
        with storage.run_connection("a-run") as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        storage.wipe()
        assert "a-run" not in storage._engines
        assert not (tmp_path / "runs" / "a-run.db").exists()
        with storage.run_connection("a-run") as conn:  # a new file, not the deleted one
            assert conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 't'").scalar() == 0
        assert (tmp_path / "runs" / "a-run.db").exists()
    finally:
        storage.dispose()


def test_the_asset_check_table_is_looked_up_once_it_is_there(tmp_path: Path,
                                                              monkeypatch) -> None:
    storage = WarehouseEventLogStorage(str(tmp_path / "runs"))
    lookups = []
    parent = event_log.SqliteEventLogStorage.has_table

    def counted(self, name: str) -> bool:
        lookups.append(name)
        return parent(self, name)

    monkeypatch.setattr(event_log.SqliteEventLogStorage, "has_table", counted)
    try:
        assert storage.supports_asset_checks and storage.supports_asset_checks
        assert not storage.has_table("no_such_table") and not storage.has_table("no_such_table")
        assert lookups.count("no_such_table") == 2  # an absent table is asked again
        assert len(lookups) == 3
    finally:
        storage.dispose()


@asset
def upstream() -> int:
    return 1


@asset(check_specs=[AssetCheckSpec("positive", asset="downstream")])
def downstream(upstream: int):
    yield MaterializeResult(metadata={"value": upstream + 1})
    yield AssetCheckResult(check_name="positive", passed=True)


def _planned(instance: DagsterInstance, run_id: str) -> tuple[list[tuple[str, str]], int, int]:
    """The run's planned events as the run's own database holds them; its planned
    materializations and its check executions (one row each, from its planned event) as
    the index holds them."""
    run_log = [(e.dagster_event.event_type_value, e.dagster_event.step_key or "")
               for e in instance.all_logs(run_id) if e.dagster_event is not None
               and e.dagster_event.event_type_value.endswith("_PLANNED")]
    with instance.event_log_storage.index_connection() as conn:
        index = conn.exec_driver_sql(
            "SELECT count(*) FROM event_logs WHERE run_id = ? AND dagster_event_type = "
            "'ASSET_MATERIALIZATION_PLANNED'", (run_id,)).scalar()
        checks = conn.exec_driver_sql(
            "SELECT count(*) FROM asset_check_executions WHERE run_id = ?", (run_id,)
        ).scalar()
    return sorted(run_log), index, checks


def test_a_runs_planned_events_are_stored_as_one_transaction_per_database(
        tmp_path: Path, monkeypatch, request) -> None:
    commits: list[object] = []

    def count(conn: Connection) -> None:
        commits.append(conn)

    sqlalchemy.event.listen(Engine, "commit", count)  # every COMMIT of every database
    request.addfinalizer(lambda: sqlalchemy.event.remove(Engine, "commit", count))
    both = Definitions(assets=[upstream, downstream]).resolve_implicit_global_asset_job_def()
    with open_instance(tmp_path / "warehouse.duckdb") as instance:
        monkeypatch.delenv(EVENT_BATCH[0], raising=False)
        both.execute_in_process(instance=instance)  # the databases created and set up
        commits.clear()
        one_by_one = both.execute_in_process(instance=instance).run_id
        unbatched_commits = len(commits)
        commits.clear()
        with event_batches():
            batched = both.execute_in_process(instance=instance).run_id
        batched_commits = len(commits)
        assert EVENT_BATCH[0] not in os.environ  # as it was before the run
        expected = _planned(instance, one_by_one)
        assert expected[0] == [("ASSET_CHECK_EVALUATION_PLANNED", "downstream"),
                               ("ASSET_MATERIALIZATION_PLANNED", "downstream"),
                               ("ASSET_MATERIALIZATION_PLANNED", "upstream")]
        assert expected[1:] == (2, 1)
        assert _planned(instance, batched) == expected  # the same rows, in both databases
        assert instance.get_run_by_id(batched).is_success
    # One by one, the three planned events take seven commits (a materialization: the
    # run's database and the index; the check: those and its execution row); as a batch,
    # two (the run's database and the index). Every other event is stored as before.
    assert unbatched_commits - batched_commits == 7 - 2


def test_a_batch_that_fails_is_rolled_back_whole(tmp_path: Path, monkeypatch) -> None:
    with open_instance(tmp_path / "warehouse.duckdb") as instance:
        run_id = tiny.execute_in_process(instance=instance).run_id
        storage = instance.event_log_storage
        events = [e for e in instance.all_logs(run_id)][:3]
        again = [e._replace(run_id="c" * 32) for e in events]
        stored = []
        real = event_log.SqliteEventLogStorage.store_event

        def fails_on_the_third(self, event) -> None:
            if len(stored) == 2:
                raise RuntimeError("disk full")
            real(self, event)
            stored.append(event)

        monkeypatch.setattr(event_log.SqliteEventLogStorage, "store_event", fails_on_the_third)
        with pytest.raises(RuntimeError, match="disk full"):
            storage.store_event_batch(again)
        assert len(stored) == 2
        assert instance.all_logs("c" * 32) == []  # neither of the two stored is kept
        assert storage._batch_thread is None and storage._batch == {}
        monkeypatch.setattr(event_log.SqliteEventLogStorage, "store_event", real)
        storage.store_event_batch(again)  # the storage is usable again
        assert len(instance.all_logs("c" * 32)) == 3
