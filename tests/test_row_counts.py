"""Every table dbt builds reports its row count under Dagster's standard key
`dagster/row_count`, read after dbt has let go of the file (PITFALLS 6), the events kept
in dbt's order."""

from __future__ import annotations

import duckdb
from dagster import AssetCheckResult, AssetKey, Output

from orchestration.row_counts import ROW_COUNT, count_dbt_rows, count_rows, with_row_counts

MANIFEST = {"nodes": {
    "model.vrn.fct_rasso": {"name": "fct_rasso", "alias": "fct_rasso", "schema": "marts",
                            "config": {"materialized": "table"}},
    "model.vrn.stg_police__crimes": {"name": "stg_police__crimes", "alias": "stg_police__crimes",
                                     "schema": "staging", "config": {"materialized": "view"}},
    "model.vrn.int_scratch": {"name": "int_scratch", "alias": "int_scratch",
                              "schema": "intermediate", "config": {"materialized": "ephemeral"}},
    "seed.vrn.ref_beats": {"name": "ref_beats", "alias": "ref_beats", "schema": "seeds",
                           "config": {"materialized": "seed"}},
}}


def output(unique_id: str) -> Output:
    name = unique_id.split(".")[-1]
    return Output(None, output_name=name, metadata={"unique_id": unique_id, "status": "success"})


def warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts; create schema staging; create schema seeds")
    con.execute("create table marts.fct_rasso as select * from range(3)")
    con.execute("create view staging.stg_police__crimes as select * from range(5)")
    con.execute("create table seeds.ref_beats as select * from range(56)")
    return con


def test_tables_views_and_seeds_report_their_row_counts_under_dagsters_key() -> None:
    check = AssetCheckResult(asset_key=AssetKey(["marts", "fct_rasso"]), passed=True,
                             check_name="unique_fct_rasso_crime_ref")
    events = [output("model.vrn.stg_police__crimes"), output("model.vrn.fct_rasso"), check,
              output("seed.vrn.ref_beats")]
    with warehouse() as con:
        counts = count_dbt_rows(con, events, MANIFEST)
    counted = with_row_counts(events, counts)
    assert [getattr(e, "output_name", None) for e in counted] == [
        "stg_police__crimes", "fct_rasso", None, "ref_beats"]
    assert [e.metadata[ROW_COUNT].value for e in counted if isinstance(e, Output)] == [5, 3, 56]
    assert counted[1].metadata["status"].value == "success"  # dbt's metadata kept
    assert counted[2] is check


def test_ephemeral_models_get_no_count() -> None:
    with warehouse() as con:
        assert count_dbt_rows(con, [output("model.vrn.int_scratch")], MANIFEST) == {}


def test_a_relation_that_cannot_be_counted_is_left_out_not_failed() -> None:
    with warehouse() as con:
        assert count_rows(con, ['"marts"."gone"', '"marts"."fct_rasso"']) == {
            '"marts"."fct_rasso"': 3}
