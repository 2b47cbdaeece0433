"""The Dagster instance's event log (`orchestration.event_log`): Dagster's own sqlite
storage, in the same place, with one engine per database and no flush per event."""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance, job, op

from orchestration.event_log import WarehouseEventLogStorage
from orchestration.instance import INSTANCE_YAML, open_instance, prepare_dagster_home


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


def test_each_database_keeps_one_engine_and_commits_without_a_flush(tmp_path: Path) -> None:
    storage = WarehouseEventLogStorage(str(tmp_path / "runs"))
    try:
        with storage.run_connection("a-run") as conn:
            synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        with storage.run_connection("a-run"):
            pass
        assert (synchronous, journal) == (1, "wal")  # NORMAL: a commit writes, never fsyncs
        assert sorted(storage._engines) == ["a-run", "index"]
    finally:
        storage.dispose()
    assert storage._engines == {}
