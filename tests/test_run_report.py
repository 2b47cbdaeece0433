"""What `vrn run` says at the end: what it did, what stopped and why (the error that
started a failure, not Dagster's wrapper around it), and a verdict."""

from __future__ import annotations

from dagster._utils.error import SerializableErrorInfo

from orchestration.run import RunOutcome, _root_cause, report_lines, run_config, verdict
from vrn.settings import Settings


def test_a_failed_step_is_reported_with_the_error_that_started_it() -> None:
    cause = SerializableErrorInfo("KeyError: 'model.vrn_warehouse.pub_x'\n", [], "KeyError")
    wrapper = SerializableErrorInfo(
        'dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while '
        'executing op "warehouse_dbt_assets":\n', [], "DagsterExecutionStepExecutionError",
        cause=cause)
    assert _root_cause(wrapper) == "KeyError: 'model.vrn_warehouse.pub_x'"
    assert _root_cause(None) == "unknown error"


def test_report_names_blocked_checks_failed_steps_and_skipped_steps_then_the_verdict() -> None:
    outcome = RunOutcome(
        run_id="r1", succeeded=False, materialized=["raw/police__crimes"],
        failed_checks=[{"check": "police_sv_volume", "asset": "marts/fct_serious_violence",
                        "failing_rows": "1"}],
        failed_steps=[{"step": "warehouse_dbt_assets", "error": "KeyError: 'x'"}],
        skipped=["exports__opcc"], planned=["raw/police__crimes", "exports/opcc"])
    assert report_lines(outcome) == [
        "materialized 1 assets",
        "BLOCKED by check police_sv_volume on marts/fct_serious_violence: failing_rows=1",
        "FAILED step warehouse_dbt_assets: KeyError: 'x'",
        "not run because something upstream failed: exports__opcc",
        "not updated (1): exports/opcc",
    ]
    assert verdict(outcome).startswith("run finished with problems (exit 1)")
    assert outcome.status == "blocked" and outcome.exit_code == 1
    assert verdict(RunOutcome(run_id="r2", succeeded=True)) == (
        "all steps succeeded; every export published")


def test_a_model_dbt_could_not_build_fails_the_run_though_every_step_succeeded() -> None:
    outcome = RunOutcome(run_id="r3", succeeded=True, materialized=["marts/dim_date"],
                         planned=["marts/dim_date", "marts/mart_custody__disposals"])
    assert outcome.exit_code == 1 and outcome.status == "failed"
    assert report_lines(outcome)[-1] == "not updated (1): marts/mart_custody__disposals"


def test_the_cli_paths_reach_the_job_as_warehouse_resource_config(tmp_path) -> None:
    settings = Settings.from_env(tmp_path / "in", tmp_path / "w.duckdb", tmp_path / "out")
    assert run_config(settings)["resources"]["warehouse"]["config"] == {
        "landing": str(tmp_path / "in"), "warehouse": str(tmp_path / "w.duckdb"),
        "exports": str(tmp_path / "out")}
