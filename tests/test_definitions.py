"""The Dagster definitions: the asset graph analysts and operators see (a rename never
goes unnoticed), one writer at a time, telemetry off."""

from __future__ import annotations

from pathlib import Path

import yaml
from dagster import AssetKey

from orchestration.definitions import defs

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
