"""The export stage as Dagster runs it: every Great Expectations suite a blocking check
(severity WARN) on the model it checks, run once; one export asset per partner of the dbt
exposures, ordered after every gate; each export asset reads this run's verdicts from
Dagster's event log and holds back exactly the partner × quarter exports they concern."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, asset, materialize
from support.published import published_copy, rebuild

from expectations.gx_suites import SUITES_ALL
from orchestration import export_assets
from orchestration.resources import WarehouseResource

pytestmark = pytest.mark.slow


def test_one_export_asset_per_exposure_partner_after_every_gate():
    keys = {a.key for a in export_assets.export_assets}
    assert keys == {AssetKey(["exports", p]) for p in export_assets.CATALOG.names}
    checks = {(c.asset_key, c.name) for d in export_assets.gx_asset_checks
              for c in d.check_specs}
    assert checks == {(export_assets.relation_key(s.table), s.name) for s in SUITES_ALL}
    assert all(spec.blocking for d in export_assets.gx_asset_checks for spec in d.check_specs)
    gated = {export_assets.relation_key(s.table) for s in SUITES_ALL}
    for a in export_assets.export_assets:
        assert gated <= set(a.dependency_keys)  # every gate has run before it decides
        assert a.op.pool == "warehouse"
        [spec] = a.check_specs
        assert spec.name == export_assets.PUBLISHED_CHECK


def test_a_gx_check_on_a_missing_warehouse_fails_instead_of_passing(tmp_path):
    resource = WarehouseResource(landing=str(tmp_path), warehouse=str(tmp_path / "none.duckdb"),
                                 exports=str(tmp_path / "exports"))
    result = export_assets.run_gx_suite(resource, "health_volume")
    assert not result.passed and "could not run" in result.detail
    assert result.failures and result.failures[0].fy_quarter is None


def _stand_ins() -> list:
    relations = {r for s in SUITES_ALL for r in (s.table, *s.reads)}

    def one(relation: str):
        @asset(key=export_assets.relation_key(relation))
        def _model() -> None:
            return None
        return _model
    return [one(r) for r in sorted(relations)]


def test_a_doubled_icv_quarter_holds_back_only_the_opcc_quarters_it_touches_in_a_run(
        published_base, tmp_path):
    path = published_copy(published_base, tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO raw.opcc__icv_visits SELECT * REPLACE (visit_ref || '-again' "
                    "AS visit_ref) FROM raw.opcc__icv_visits WHERE file_name = "
                    "'opcc/icv_visits_2023-24Q2.csv'")
    rebuild(path)
    shutil.rmtree(tmp_path / "dbt", ignore_errors=True)
    resource = WarehouseResource(landing=str(tmp_path), warehouse=str(path),
                                 exports=str(tmp_path / "exports"))
    opcc, icb = (next(a for a in export_assets.export_assets
                      if a.key == AssetKey(["exports", p])) for p in ("opcc", "icb"))
    result = materialize([*_stand_ins(), *export_assets.gx_asset_checks, opcc, icb],
                         resources={"warehouse": resource}, raise_on_error=False)
    assert result.success
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e
                   for e in result.get_asset_check_evaluations()}
    icv = evaluations[("marts/fct_icv_visit", "icv_volume")]
    assert icv.passed is False and icv.severity.value == "WARN"
    assert "opcc/icv_visits 2023-24Q2" in icv.metadata["failing_quarters"].value
    assert evaluations[("exports/opcc", "all_quarters_published")].passed is False
    assert evaluations[("exports/icb", "all_quarters_published")].passed is True
    exports = Path(tmp_path / "exports")
    assert (exports / "2023-24Q1" / "opcc" / "manifest.json").is_file()
    for q in ("2023-24Q2", "2023-24Q3", "2023-24Q4"):
        assert not (exports / q / "opcc").exists()
        assert (exports / q / "icb" / "manifest.json").is_file()
    with duckdb.connect(str(path), read_only=True) as con:
        held = con.execute("SELECT fy_quarter FROM audit.exports WHERE partner = 'opcc' AND "
                           "outcome = 'blocked' ORDER BY 1").fetchall()
    assert [q for (q,) in held] == ["2023-24Q2", "2023-24Q3", "2023-24Q4"]
