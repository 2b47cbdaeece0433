"""The Dagster definitions: the asset graph analysts and operators see (a rename never
goes unnoticed), one writer at a time, telemetry off.

`tests/snapshots/definitions.json` holds every asset key, asset check, job, schedule and
sensor. After a deliberate change, regenerate it and commit it with the change:

    uv run python tests/test_definitions.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from dagster import AssetKey, DefaultScheduleStatus, DefaultSensorStatus

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"
REGENERATE = "uv run python tests/test_definitions.py"

CONTRACT_MARTS = (
    "dim_date", "dim_geography", "dim_offence", "fct_serious_violence", "fct_rasso",
    "fct_custody_detention", "fct_assault_injury", "fct_icv_visit", "fct_service_return",
    "mart_sv_duty_measures", "mart_sv_by_area", "mart_rasso_performance", "dim_person",
    "bridge_person_record", "mart_cohort_risk_factors", "mart_policeuk_monthly",
)
PARTNERS = (
    "csp-leicester", "csp-charnwood", "csp-blaby-hinckley-bosworth", "csp-harborough",
    "csp-melton", "csp-north-west-leicestershire", "csp-oadby-wigston", "csp-rutland",
    "home_office", "opcc", "icb",
)


def keys() -> set[AssetKey]:
    return set(defs.resolve_asset_graph().get_all_asset_keys())


def test_every_contract_table_is_an_asset() -> None:
    for model in CONTRACT_MARTS:
        assert AssetKey(["marts", model]) in keys(), model


def test_every_raw_table_is_an_asset_upstream_of_staging() -> None:
    graph = defs.resolve_asset_graph()
    crimes = AssetKey(["raw", "police__crimes"])
    assert crimes in keys()
    assert AssetKey(["staging", "stg_police__crimes"]) in graph.get(crimes).child_keys


def test_one_export_asset_per_partner_downstream_of_the_marts() -> None:
    exports = {k for k in keys() if k.path[0] == "exports"}
    assert {k.path[-1] for k in exports} == set(PARTNERS)


def test_linkage_runs_between_ingest_and_the_people_marts() -> None:
    graph = defs.resolve_asset_graph()
    links = AssetKey(["linkage", "person_links"])
    assert AssetKey(["raw", "police__crime_people"]) in graph.get(links).parent_keys
    children = graph.get(links).child_keys
    assert children and all(k.path[0] == "marts" for k in children)


def test_run_job_schedule_and_landing_sensor_exist() -> None:
    assert defs.resolve_job_def("vrn_run_job") is not None
    assert defs.resolve_schedule_def("quarterly_export_schedule").cron_schedule
    assert defs.resolve_sensor_def("landing_sensor").job_name == "vrn_run_job"


def test_every_warehouse_writer_is_in_the_single_writer_pool() -> None:
    for assets_def in defs.resolve_asset_graph().assets_defs:
        if any(k.path[0] in ("raw", "linkage", "marts", "staging") for k in assets_def.keys):
            assert assets_def.op.pool == "warehouse", assets_def.op.name


def test_dagster_instance_config_disables_telemetry_and_limits_the_pool() -> None:
    config = yaml.safe_load(
        (Path(__file__).parent.parent / "orchestration" / "dagster.yaml").read_text())
    assert config["telemetry"]["enabled"] is False
    assert config["concurrency"]["pools"]["default_limit"] == 1


def test_dbt_project_disables_anonymous_usage_stats() -> None:
    config = yaml.safe_load(
        (Path(__file__).parent.parent / "dbt_project" / "dbt_project.yml").read_text())
    assert config["flags"]["send_anonymous_usage_stats"] is False


def definitions_snapshot() -> dict[str, Any]:
    """Everything a user can see by name in the UI, sorted, in plain JSON."""
    graph = defs.resolve_asset_graph()
    repository = defs.get_repository_def()
    return {
        "assets": sorted(k.to_user_string() for k in graph.get_all_asset_keys()),
        "asset_checks": sorted(f"{k.asset_key.to_user_string()}:{k.name}"
                               for k in graph.asset_check_keys),
        "jobs": sorted(j.name for j in repository.get_all_jobs()
                       if not j.name.startswith("__")),
        "schedules": {s.name: {"job": s.job_name, "cron": s.cron_schedule,
                               "timezone": s.execution_timezone,
                               "default_status": s.default_status.value}
                      for s in sorted(repository.schedule_defs, key=lambda s: s.name)},
        "sensors": {s.name: {"job": s.job_name,
                             "default_status": s.default_status.value}
                    for s in sorted(repository.sensor_defs, key=lambda s: s.name)},
    }


def _differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        return [line for key in sorted(set(expected) | set(actual))
                for line in _differences(expected.get(key), actual.get(key), f"{path}/{key}")]
    if isinstance(expected, list) and isinstance(actual, list):
        return ([f"{path}: added {x}" for x in actual if x not in expected]
                + [f"{path}: removed {x}" for x in expected if x not in actual])
    return [] if expected == actual else [f"{path}: was {expected!r}, now {actual!r}"]


def test_definitions_match_the_committed_snapshot() -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    differences = _differences(expected, definitions_snapshot())
    assert not differences, (
        "the Dagster definitions differ from tests/snapshots/definitions.json:\n  "
        + "\n  ".join(differences)
        + f"\nif the change is deliberate, regenerate the snapshot: {REGENERATE}")


def test_sensor_and_schedule_are_on_by_default() -> None:
    assert defs.resolve_sensor_def("landing_sensor").default_status == (
        DefaultSensorStatus.RUNNING)
    assert defs.resolve_schedule_def("quarterly_export_schedule").default_status == (
        DefaultScheduleStatus.RUNNING)


def test_loading_the_definitions_imports_no_dataframe_library() -> None:
    """`vrn run` loads the definitions before its first step; pandas, numpy and pyarrow
    (about half a second) are imported by the steps that use them. A fresh interpreter,
    since this one has them already."""
    probe = ("import sys, orchestration.definitions; "
             "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow', 'great_expectations', "
             "'soda_core', 'splink', 'fpdf') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def write_snapshot() -> None:
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(json.dumps(definitions_snapshot(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}", file=sys.stderr)


if __name__ == "__main__":
    write_snapshot()
