"""The project's Dagster instance home: run history beside the warehouse, telemetry off."""

from __future__ import annotations

import json
import os
from pathlib import Path

from dagster import DagsterInstance

INSTANCE_YAML = Path(__file__).with_name("dagster.yaml")


def instance_yaml(home: Path) -> str:
    """This project's dagster.yaml for `home`: the file's settings, and the event log
    (`orchestration.event_log`) where Dagster's sqlite storage keeps it,
    `<home>/history/runs`, so runs recorded before it stay readable."""
    runs = json.dumps(str(home / "history" / "runs"))  # a YAML string, quoted
    return (INSTANCE_YAML.read_text()
            + "# The event log: Dagster's sqlite storage, one engine per database and no disk\n"
            + "# flush per event (orchestration/event_log.py).\n"
            + "event_log_storage:\n  module: orchestration.event_log\n"
            + f"  class: WarehouseEventLogStorage\n  config:\n    base_dir: {runs}\n")


def prepare_dagster_home(warehouse: Path) -> Path:
    """Use `$DAGSTER_HOME` if set, else `<warehouse folder>/dagster_home`; make sure it
    carries this project's dagster.yaml (telemetry disabled, pool limit 1, the event log
    of `orchestration.event_log`)."""
    home = Path(os.environ.get("DAGSTER_HOME") or warehouse.parent / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    text = instance_yaml(home)
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
    return home


def open_instance(warehouse: Path) -> DagsterInstance:
    """The instance whose run storage records this warehouse's runs (its run ids are the
    ones in `audit.runs`), opened from its home without touching the environment."""
    return DagsterInstance.from_config(str(prepare_dagster_home(warehouse)))


# The process running a `vrn run` (pid and its start time, so a reused pid is not taken
# for it), as a tag of the Dagster run.
PROCESS_TAG = "vrn/process"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), or None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def this_process() -> str:
    pid = os.getpid()
    return f"{pid}:{_start_time(pid) or ''}"


def _alive(process: str) -> bool:
    pid, _, started = process.partition(":")
    if not Path("/proc").is_dir():  # not Linux: the pid alone
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return _start_time(int(pid)) == started


def release_abandoned_runs(instance: DagsterInstance) -> list[str]:
    """Runs the instance still records as under way whose `vrn run` process has gone
    (killed with SIGKILL, or lost with its machine): each is marked failed, and the pool
    slot it held is freed — else the pool "warehouse" (limit 1) stays claimed and every
    later run waits for it for ever. Runs not started by `vrn run` (no process tag: the
    UI's, the sensor's) are left to Dagster's own run monitoring."""
    from dagster import DagsterRunStatus, RunsFilter

    released = []
    under_way = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED,
                 DagsterRunStatus.CANCELING]
    for run in instance.get_runs(filters=RunsFilter(statuses=under_way)):
        process = run.tags.get(PROCESS_TAG)
        if process is None or _alive(process):
            continue
        instance.report_run_failed(
            run, "the vrn run process ended without finishing (killed?); a later vrn run "
                 "found it gone and released what it held")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released
