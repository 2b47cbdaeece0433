"""Ingest as Dagster assets, and the landing-folder sensor."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from dagster import (
    AssetKey,
    AssetSelection,
    Definitions,
    RunRequest,
    SkipReason,
    build_sensor_context,
    define_asset_job,
    materialize,
)

from orchestration import ingest_assets
from orchestration.resources import WarehouseResource
from tests.support.partner_files import good_row, write_table


def resource(tmp: Path) -> WarehouseResource:
    return WarehouseResource(landing=str(tmp / "landing"), warehouse=str(tmp / "wh.duckdb"),
                             exports=str(tmp / "exports"))


def test_one_ingest_step_per_source_one_asset_per_raw_table() -> None:
    steps = {a.op.name for a in ingest_assets.ingest_assets}
    assert steps == {f"ingest_{n}" for n in
                     ("police", "opcc", "health", "la", "commissioning", "policeuk")} | {
        "audit__landing_unplaced"}  # what lies outside every source folder
    keys = {k for a in ingest_assets.ingest_assets for k in a.keys}
    assert AssetKey(["raw", "police__crimes"]) in keys
    assert AssetKey(["raw", "la__exclusions"]) in keys
    assert AssetKey(["raw", "commissioning__service_returns"]) in keys
    assert len(keys) == 16  # 13 spec tables, the returns, police.uk and the unplaced
    for a in ingest_assets.ingest_assets:
        assert set(a.group_names_by_key.values()) == {"ingest"}
        assert a.op.pool == "warehouse"


def test_ingest_assets_materialize_with_metadata(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_table(landing, "police", "crimes", [good_row("crimes"),
                                              good_row("crimes", crime_ref="X", status="?")])
    write_table(landing, "police", "custody", [good_row("custody")],
                header=[*good_row("custody"), "dob"])
    result = materialize(ingest_assets.ingest_assets, resources={"warehouse": resource(tmp_path)})
    assert result.success
    meta = {e.materialization.asset_key: e.materialization.metadata
            for e in result.get_asset_materialization_events()}
    police = meta[AssetKey(["raw", "police__crimes"])]
    assert police["files_loaded"].value == 1 and police["files_rejected"].value == 1
    assert police["rows_loaded"].value == 1 and police["rows_quarantined"].value == 1
    # the connection was closed: another process-level connection can open the file
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM audit.files").fetchall() == [(2,)]


def test_every_raw_table_reports_its_row_count(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_table(landing, "police", "crimes", [good_row("crimes"),
                                              good_row("crimes", crime_ref="CR/0000002/23")])
    result = materialize(ingest_assets.ingest_assets, resources={"warehouse": resource(tmp_path)})
    counts = {e.materialization.asset_key.to_user_string():
              e.materialization.metadata["dagster/row_count"].value
              for e in result.get_asset_materialization_events()}
    assert len(counts) == 16
    assert counts["raw/police__crimes"] == 2
    assert counts["audit/landing_unplaced"] == 0
    assert counts["raw/police__custody"] == 0


def test_landing_sensor_requests_a_run_when_files_change(tmp_path: Path) -> None:
    res = resource(tmp_path)
    job = define_asset_job("vrn_run_job", selection=AssetSelection.all())
    defs = Definitions(assets=ingest_assets.ingest_assets, jobs=[job],
                       sensors=[ingest_assets.landing_sensor], resources={"warehouse": res})

    def evaluate(cursor: str | None):
        with build_sensor_context(cursor=cursor, resources={"warehouse": res},
                                  definitions=defs) as ctx:
            return list(ingest_assets.landing_sensor(ctx)), ctx.cursor

    out, _ = evaluate(None)
    assert isinstance(out[0], SkipReason)  # no landing folder yet
    path = write_table(tmp_path / "landing", "police", "crimes", [good_row("crimes")])
    (request,), cursor = evaluate(None)
    assert isinstance(request, RunRequest) and request.job_name == "vrn_run_job"
    (again,), same = evaluate(cursor)
    assert isinstance(again, SkipReason) and same == cursor
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    (changed,), new_cursor = evaluate(cursor)
    assert isinstance(changed, RunRequest) and new_cursor != cursor
