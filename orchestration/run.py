"""Run the whole pipeline in this process and say what happened.

`vrn run` calls `run_pipeline`: ingest → linkage → dbt build → checks → exports, as one
Dagster job on the in-process executor (PITFALLS 12: the multiprocess executor costs
~2 s a step, and DuckDB wants one writer anyway). Whatever a blocking check stops is
reported with the check, the table, the failing row count and an example.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dagster import DagsterEventType, DagsterInstance

from ingest.schema import create_schemas
from orchestration.instance import prepare_dagster_home
from vrn.settings import Settings


@dataclass
class RunOutcome:
    run_id: str
    succeeded: bool
    failed_checks: list[dict[str, Any]] = field(default_factory=list)
    failed_steps: list[dict[str, Any]] = field(default_factory=list)
    materialized: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0 if self.succeeded and not self.failed_checks and not self.failed_steps else 1


def _metadata_text(metadata: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in (metadata or {}).items():
        raw = getattr(value, "value", value)
        out[key] = str(raw)
    return out


def run_pipeline(settings: Settings, echo: Callable[[str], None] = print) -> RunOutcome:
    prepare_dagster_home(settings.warehouse)
    started = datetime.now()
    run_id = str(uuid.uuid4())
    import duckdb

    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        create_schemas(con)
        con.execute(
            "INSERT INTO audit.runs VALUES (?, ?, NULL, 'running', NULL)", [run_id, started]
        )

    from orchestration.definitions import defs

    job = defs.resolve_job_def("vrn_run_job")
    echo(f"run {run_id[:8]}: landing {settings.landing} → warehouse {settings.warehouse}")
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    outcome = RunOutcome(run_id=run_id, succeeded=result.success)
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
            error = event.event_specific_data.error
            outcome.failed_steps.append({
                "step": event.step_key,
                "error": error.message.strip() if error else "unknown error",
            })
        elif et == DagsterEventType.STEP_SKIPPED:
            outcome.skipped.append(event.step_key)
    _report(outcome, echo)
    status = "succeeded" if outcome.exit_code == 0 else (
        "blocked" if outcome.failed_checks else "failed")
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "UPDATE audit.runs SET finished_at = ?, status = ?, detail = ? WHERE run_id = ?",
            [datetime.now(), status,
             f"{len(outcome.materialized)} assets, {len(outcome.failed_checks)} failed checks, "
             f"{len(outcome.failed_steps)} failed steps", run_id],
        )
    return outcome


def _report(outcome: RunOutcome, echo: Callable[[str], None]) -> None:
    echo(f"materialized {len(outcome.materialized)} assets")
    for check in outcome.failed_checks:
        details = ", ".join(f"{k}={v}" for k, v in check.items() if k not in ("check", "asset"))
        echo(f"BLOCKED by check {check['check']} on {check['asset']}: {details}")
    for step in outcome.failed_steps:
        echo(f"FAILED step {step['step']}: {step['error']}")
    if outcome.skipped:
        echo(f"not run because something upstream failed: {', '.join(sorted(outcome.skipped))}")
    echo("all steps succeeded" if outcome.exit_code == 0 else "run finished with problems (exit 1)")
