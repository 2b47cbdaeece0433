"""Row counts on materializations, under Dagster's standard key `dagster/row_count`
(`TableMetadataSet.row_count`), so the UI shows each table's size and its history.

dagster-dbt's `fetch_row_counts()` queries while dbt still holds the DuckDB file
(PITFALLS 6); here dbt's events are collected first and the counts read afterwards, over
one read-only connection, closed before the events go on to Dagster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb
from dagster import AssetMaterialization, Output

ROW_COUNT = "dagster/row_count"

# dbt materializations that leave a relation to count (an ephemeral model leaves none).
COUNTED = {"table", "view", "incremental", "seed", "snapshot"}


def count_rows(con: duckdb.DuckDBPyConnection, relations: Iterable[str]) -> dict[str, int]:
    """`relation` (schema-qualified, quoted as needed) -> its row count. A relation that
    cannot be counted (dropped, or a view whose inputs are gone) is left out: a missing
    count must not fail a step whose work is done."""
    counts: dict[str, int] = {}
    for relation in relations:
        try:
            counts[relation] = int(con.execute(f"select count(*) from {relation}").fetchone()[0])
        except duckdb.Error:
            continue
    return counts


def dbt_relation(manifest: Mapping[str, Any], unique_id: str) -> str | None:
    """`"schema"."alias"` of a dbt node that leaves a relation, else None."""
    node = manifest.get("nodes", {}).get(unique_id)
    if not node or node.get("config", {}).get("materialized") not in COUNTED:
        return None
    return f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'


def _unique_id(event: Any) -> str | None:
    value = (getattr(event, "metadata", None) or {}).get("unique_id")
    return None if value is None else str(getattr(value, "value", value))


def dbt_relations(events: Iterable[Any], manifest: Mapping[str, Any]) -> dict[str, str]:
    """unique_id -> relation of every model or seed these events say dbt built."""
    out: dict[str, str] = {}
    for event in events:
        if not isinstance(event, Output | AssetMaterialization):
            continue
        unique_id = _unique_id(event)
        relation = dbt_relation(manifest, unique_id) if unique_id else None
        if relation:
            out[unique_id] = relation
    return out


def with_row_counts(events: Sequence[Any], counts: Mapping[str, int]) -> list[Any]:
    """The events in their order, each dbt materialization with its count (by unique_id)
    added to its metadata."""
    out = []
    for event in events:
        unique_id = _unique_id(event) if isinstance(event, Output | AssetMaterialization) else None
        if unique_id in counts:
            event = event.with_metadata({**event.metadata, ROW_COUNT: counts[unique_id]})
        out.append(event)
    return out


def count_dbt_rows(con: duckdb.DuckDBPyConnection, events: Iterable[Any],
                   manifest: Mapping[str, Any]) -> dict[str, int]:
    """unique_id -> row count of each relation these events say dbt built."""
    relations = dbt_relations(events, manifest)
    by_relation = count_rows(con, sorted(set(relations.values())))
    return {uid: by_relation[r] for uid, r in relations.items() if r in by_relation}
