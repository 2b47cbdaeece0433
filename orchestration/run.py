"""Run the whole pipeline in this process and say what happened.

`vrn run` calls `run_pipeline`: ingest → linkage → dbt build → checks → exports, as one
Dagster job on the in-process executor (PITFALLS 12: the multiprocess executor costs
~2 s a step, and DuckDB wants one writer anyway). The run id is Dagster's: the same id
names the run in the Dagster UI, in `audit.runs` and in dbt's log file. Whatever a
blocking check stops is reported with the check, the table, the failing row count and an
example.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dagster import DagsterEventType, DagsterInstance, ExecuteInProcessResult

from ingest.schema import create_schemas
from orchestration.inputs import RunInputs
from orchestration.instance import (
    PROCESS_TAG,
    open_instance,
    release_abandoned_runs,
    this_process,
)
from vrn import failpoints
from vrn.lock import connect_for_writing, owner_only_umask
from vrn.settings import Settings

JOB_NAME = "vrn_run_job"
# Dagster stores the events it marks as a batch (a run's planned events: one per asset and
# per check, about a thousand, written before the first step) with one `store_event_batch`
# call when this is set; `orchestration.event_log` stores such a batch in one transaction
# per database instead of two or three per event.
EVENT_BATCH = ("DAGSTER_EVENT_BATCH_SIZE", "10000")


@contextmanager
def event_batches() -> Iterator[None]:
    """Dagster's batched event writing, for the duration of a run in this process (it
    reads the variable at every event)."""
    name, value = EVENT_BATCH
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


@dataclass
class RunOutcome:
    run_id: str
    succeeded: bool
    failed_checks: list[dict[str, Any]] = field(default_factory=list)
    failed_steps: list[dict[str, Any]] = field(default_factory=list)
    materialized: list[str] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)  # one line per partner
    held_back: int = 0  # partner x quarter exports a gate held back

    @property
    def not_updated(self) -> list[str]:
        """Assets the run meant to materialize and did not (failed, or downstream of a
        failure or a blocking check)."""
        return sorted(set(self.planned) - set(self.materialized))

    @property
    def exit_code(self) -> int:
        # A dbt model that fails leaves the step itself successful (dbt carries on with what
        # does not depend on it): an asset the run meant to build and did not is a failure.
        clean = (self.succeeded and not self.failed_checks and not self.failed_steps
                 and not self.not_updated and not self.held_back)
        return 0 if clean else 1

    @property
    def status(self) -> str:
        """As recorded in `audit.runs`."""
        if self.exit_code == 0:
            return "succeeded"
        return "blocked" if self.failed_checks or self.held_back else "failed"


def run_config(settings: Settings) -> dict[str, Any]:
    """This invocation's paths as the warehouse resource's config (the `Definitions`
    default serves `vrn ui`), and the concise console logger."""
    paths = {"landing": str(settings.landing), "warehouse": str(settings.warehouse),
             "exports": str(settings.exports)}
    return {
        "resources": {"warehouse": {"config": paths}},
        "loggers": {"console": {"config": {"log_level": "INFO"}}},
    }


def run_pipeline(settings: Settings, echo: Callable[[str], None] = print,
                 inputs: RunInputs | None = None) -> RunOutcome:
    """Every step; `inputs` (taken before the run, `orchestration.inputs`) are recorded
    with it, so that the next `vrn run` can tell nothing has changed since."""
    # Whatever the run creates (warehouse, dbt's logs, Dagster's history, exports) is
    # readable by its owner only, also when the caller is not the `vrn` command line.
    owner_only_umask()
    # Dagster's own run ids are uuid4 strings; choosing it here lets `audit.runs` record
    # the run before the job starts, under the id Dagster then runs it with.
    run_id = str(uuid.uuid4())
    inputs = inputs or RunInputs.of(settings)
    _record_start(settings.warehouse, run_id)

    echo(f"run {run_id}: landing {settings.landing} → warehouse {settings.warehouse}")
    # The instance first: the definitions wait for dbt's parse of the project when one is
    # due (a fresh clone: `vrn.manifest.parse_beside`), and opening it need not.
    with open_instance(settings.warehouse) as instance:
        from orchestration.definitions import defs

        job = defs.resolve_job_def(JOB_NAME)
        for stale in release_abandoned_runs(instance):
            echo(f"run {stale} ended without finishing (its process is gone): marked "
                 "failed, and the warehouse pool it held released")
        with event_batches():
            result = job.execute_in_process(
                run_config=run_config(settings), instance=instance, run_id=run_id,
                raise_on_error=False, tags={PROCESS_TAG: this_process()},
            )
        outcome = outcome_of(result, planned_assets(instance, run_id))
    outcome.exports, outcome.held_back = export_lines(settings.warehouse, run_id)
    failpoints.reached("run.finishing")
    # The exports folder as this run left it: the next run compares with that.
    _record_finish(settings.warehouse, outcome, inputs.with_exports(settings.exports))
    # What went wrong, then the verdict, then (DESIGN.md "Quality gates") one line per
    # partner: the quarters published and those held back, with check, file and why.
    for line in report_lines(outcome):
        echo(line)
    echo(verdict(outcome))
    for line in outcome.exports:
        echo(line)
    return outcome


def export_lines(warehouse: Path, run_id: str) -> tuple[list[str], int]:
    """One line per partner from this run's `audit.exports` rows, and how many exports
    were held back."""
    from exports.publish import run_lines

    with connect_for_writing(warehouse) as con:
        rel = con.execute("SELECT * FROM audit.exports WHERE run_id = ? "
                          "ORDER BY partner, fy_quarter", [run_id])
        names = [d[0] for d in rel.description]
        rows = [dict(zip(names, r, strict=True)) for r in rel.fetchall()]
    return run_lines(rows), sum(r["outcome"] == "blocked" for r in rows)


def planned_assets(instance: DagsterInstance, run_id: str) -> list[str]:
    """The assets the run set out to materialize (Dagster records the plan when it creates
    the run, outside the execution events of the result)."""
    records = instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    return [r.dagster_event.asset_key.to_user_string() for r in records if r.dagster_event]


def outcome_of(result: ExecuteInProcessResult, planned: list[str]) -> RunOutcome:
    outcome = RunOutcome(run_id=result.run_id, succeeded=result.success, planned=planned)
    for event in result.all_events:
        et = event.event_type
        if et == DagsterEventType.ASSET_MATERIALIZATION:
            outcome.materialized.append(event.asset_key.to_user_string())
        elif et == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity.value == "ERROR":
                outcome.failed_checks.append({
                    "check": evaluation.check_name,
                    "asset": evaluation.asset_key.to_user_string(),
                    **_metadata_text(evaluation.metadata),
                })
        elif et == DagsterEventType.STEP_FAILURE:
            outcome.failed_steps.append({
                "step": event.step_key,
                "error": _root_cause(event.event_specific_data.error),
            })
        elif et == DagsterEventType.STEP_SKIPPED:
            outcome.skipped.append(event.step_key)
    return outcome


def _metadata_text(metadata: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in (metadata or {}).items():
        raw = getattr(value, "value", value)
        out[key] = str(raw)
    return out


def _root_cause(error: Any) -> str:
    """The message of the error that started it: Dagster wraps a step's exception in
    "Error occurred while executing op …", which tells nobody what went wrong."""
    if error is None:
        return "unknown error"
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return error.message.strip()


def report_lines(outcome: RunOutcome) -> list[str]:
    """What the run did and what stopped, before the verdict (`verdict`), which is always
    the last line printed."""
    lines = [f"materialized {len(outcome.materialized)} assets"]
    for check in outcome.failed_checks:
        details = ", ".join(f"{k}={v}" for k, v in check.items() if k not in ("check", "asset"))
        lines.append(f"BLOCKED by check {check['check']} on {check['asset']}: {details}")
    for step in outcome.failed_steps:
        lines.append(f"FAILED step {step['step']}: {step['error']}")
    if outcome.skipped:
        lines.append("not run because something upstream failed: "
                     + ", ".join(sorted(outcome.skipped)))
    if outcome.not_updated:
        lines.append(f"not updated ({len(outcome.not_updated)}): "
                     + ", ".join(outcome.not_updated))
    return lines


def verdict(outcome: RunOutcome) -> str:
    if outcome.exit_code == 0:
        return "all steps succeeded; every export published"
    held = f": {outcome.held_back} export(s) held back" if outcome.held_back else ""
    return f"run finished with problems (exit 1){held}"


def _record_start(warehouse: Path, run_id: str) -> None:
    """Record the run as running. `vrn run` holds the warehouse's writer lock from start
    to end, so a run still recorded as running now ended without finishing (killed, or
    its machine lost): it is recorded as failed, saying so."""
    with connect_for_writing(warehouse) as con:
        create_schemas(con)
        con.execute(
            "UPDATE audit.runs SET status = 'failed', finished_at = ?, detail = ? "
            "WHERE status = 'running'",
            [datetime.now(), f"ended without finishing: its process stopped (killed?) "
                             f"before it could record its end; found by run {run_id}"])
        con.execute(
            "INSERT INTO audit.runs (run_id, started_at, status) VALUES (?, ?, 'running')",
            [run_id, datetime.now()],
        )


def _record_finish(warehouse: Path, outcome: RunOutcome, inputs: RunInputs) -> None:
    with connect_for_writing(warehouse) as con:
        con.execute(
            "UPDATE audit.runs SET finished_at = ?, status = ?, detail = ?, inputs = ? "
            "WHERE run_id = ?",
            [datetime.now(), outcome.status,
             f"{len(outcome.materialized)} assets, {len(outcome.failed_checks)} failed checks, "
             f"{len(outcome.failed_steps)} failed steps, {outcome.held_back} exports held back",
             inputs.as_json(), outcome.run_id],
        )
