"""The export stage as Dagster sees it: every Great Expectations suite a blocking check on
the mart it checks, one export asset per partner downstream of the marts it reads with a
blocking Soda check, all in pool "warehouse", and every check always emits a result."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetKey, asset, materialize

from expectations.gx_suites import SUITES_ALL
from exports.partners import PARTNERS
from exports.sample_warehouse import build_sample_warehouse
from orchestration import export_assets
from orchestration.resources import WarehouseResource


def test_asset_keys_and_checks_are_as_the_lead_expects():
    keys = {a.key for a in export_assets.export_assets}
    assert keys == {AssetKey(["exports", p]) for p in PARTNERS}
    checks = {(c.asset_key, c.name) for d in export_assets.gx_asset_checks
              for c in d.check_specs}
    assert checks == {(AssetKey(["marts", s.table]), s.name) for s in SUITES_ALL}
    for d in export_assets.gx_asset_checks:
        assert all(spec.blocking for spec in d.check_specs)
    for a in export_assets.export_assets:
        [spec] = a.check_specs
        assert spec.name == "soda_contracts" and spec.blocking
        assert a.op.pool == "warehouse"
        assert all(dep.path[0] == "marts" for dep in a.dependency_keys)


def test_icb_depends_on_health_marts_only_so_police_failures_cannot_stop_it():
    [icb] = [a for a in export_assets.export_assets if a.key == AssetKey(["exports", "icb"])]
    assert {k.path[1] for k in icb.dependency_keys} == {"fct_assault_injury"}


def test_a_gx_check_on_a_missing_warehouse_fails_instead_of_passing(tmp_path):
    resource = WarehouseResource(landing=str(tmp_path), warehouse=str(tmp_path / "none.duckdb"),
                                 exports=str(tmp_path / "exports"))
    result = export_assets.run_gx_suite(resource, "health_volume")
    assert not result.passed and "could not run" in result.detail


def _stand_ins(tables: list[str]):
    def one(name: str):
        @asset(key=AssetKey(["marts", name]))
        def _mart() -> None:
            return None
        return _mart
    return [one(t) for t in tables]


def test_a_failing_health_check_stops_the_icb_export_in_a_dagster_run(tmp_path):
    import duckdb

    path = build_sample_warehouse(Path(tmp_path) / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM marts.fct_assault_injury WHERE source = 'ae' AND "
                    "event_at >= TIMESTAMP '2023-10-01' AND event_at < TIMESTAMP '2024-01-01'")
    resource = WarehouseResource(landing=str(tmp_path), warehouse=str(path),
                                 exports=str(tmp_path / "exports"))
    checks = [d for d in export_assets.gx_asset_checks
              if any(s.name in ("health_volume", "health_classification") for s in d.check_specs)]
    [icb] = [a for a in export_assets.export_assets if a.key == AssetKey(["exports", "icb"])]
    result = materialize([*_stand_ins(["fct_assault_injury"]), *checks, icb],
                         resources={"warehouse": resource}, raise_on_error=False)
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations["health_volume"] is False
    assert evaluations["health_classification"] is True
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert AssetKey(["exports", "icb"]) not in materialized
    assert not (tmp_path / "exports").exists()
