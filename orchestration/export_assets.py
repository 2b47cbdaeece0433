"""Dagster: the quality gates on the facts and marts, and one export asset per partner.

- Every Great Expectations suite (`expectations.gx_suites`) is an `@asset_check` on the
  dbt model it checks, run ONCE per run. A failure is reported per partner extract and
  quarter (metadata `failures`) with severity WARN: the check is blocking, so every
  export waits for it, but a failure stops nothing by itself — each export asset reads
  this run's verdicts and holds back exactly the partner × quarter exports whose tables
  read a failing extract in a window holding the failing quarter (`exports.gates`).
- Partners and their tables come from the dbt exposures (`exports.catalog`).
- Each export asset runs the Soda contracts on its tables before writing (a check after
  the write would be too late) and publishes what passes; its check
  `all_quarters_published` fails (WARN) when any quarter was held back.
- Every check always emits a result (PITFALLS 13): a suite that cannot run fails.
- Warehouse access is read-only, in pool "warehouse" (one at a time, PITFALLS 6); the
  `audit.exports` rows, and the `audit.access` row of every folder written (Data
  Protection Act 2018 s.62), are written afterwards with a writable connection.
"""

import json
from collections.abc import Iterator, Sequence
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DagsterInstance,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from exports.catalog import Partner, load_catalog
from exports.gates import EVERY_SOURCE, Gate, GateFailure
from orchestration.resources import WarehouseResource
from vrn import failpoints
from vrn.manifest import ensure_manifest

EXPORT_KEY_PREFIX = "exports"
PUBLISHED_CHECK = "all_quarters_published"
POOL = "warehouse"


def relation_key(relation: str) -> AssetKey:
    """A dbt relation's asset key (orchestration/dbt_assets.py: [schema, model])."""
    return AssetKey(relation.split("."))


def export_asset_key(partner: str) -> AssetKey:
    return AssetKey([EXPORT_KEY_PREFIX, partner])


# ---------------------------------------------------------------------------- gates


def run_gx_suite(warehouse: WarehouseResource, suite_name: str) -> Any:
    """One suite over a read-only connection; whatever goes wrong is a failed result."""
    from expectations import gx_suites
    from exports.warehouse import read_only

    suite = gx_suites.BY_NAME[suite_name]
    try:
        with read_only(warehouse.warehouse_path) as con:
            return gx_suites.run_suite(con, suite)
    except Exception as error:  # e.g. the warehouse is missing or locked
        return gx_suites.could_not_run(suite, error, ())


def gate_metadata(result: Any) -> dict[str, Any]:
    failures = [f.as_dict() for f in result.failures]
    return {
        "detail": MetadataValue.text(result.detail),
        "failing_rows": MetadataValue.int(int(result.failing_rows)),
        "example": MetadataValue.json(result.example or {}),
        "failures": MetadataValue.json(failures),
        "failing_quarters": MetadataValue.text(", ".join(sorted(
            {f"{f['source']} {f['fy_quarter'] or 'every quarter'}" for f in failures}))),
    }


def _gx_check(suite_name: str) -> AssetChecksDefinition:
    from expectations.gx_suites import BY_NAME

    suite = BY_NAME[suite_name]

    @asset_check(
        asset=relation_key(suite.table),
        name=suite.name,
        description=f"{suite.description} Fails per partner extract and quarter; the "
                    "exports reading a failing one in that quarter are held back.",
        blocking=True,
        additional_deps=[relation_key(r) for r in suite.reads if r != suite.table],
        pool=POOL,
    )
    def _check(context: AssetCheckExecutionContext,
               warehouse: WarehouseResource) -> AssetCheckResult:
        failpoints.reached("checks")
        result = run_gx_suite(warehouse, suite.name)
        if not result.passed:
            context.log.warning(result.detail)
        # WARN, not ERROR: a failure must hold back only the exports it concerns, which
        # the export assets decide from `failures`; ERROR would stop every one of them.
        return AssetCheckResult(passed=result.passed, severity=AssetCheckSeverity.WARN,
                                metadata=gate_metadata(result))

    return _check


def gates_of_run(instance: DagsterInstance, run_id: str,
                 sources: dict[str, tuple[str, ...]]) -> list[Gate]:
    """This run's verdict of every suite, from Dagster's event log. A suite with no
    evaluation in this run (it did not run) holds back every export: never a pass."""
    from expectations.gx_suites import SUITES_ALL

    keys = [AssetCheckKey(relation_key(s.table), s.name) for s in SUITES_ALL]
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    gates = []
    for suite, key in zip(SUITES_ALL, keys, strict=True):
        own = sources.get(suite.model, ())
        record = latest.get(key)
        evaluation = getattr(getattr(getattr(record, "event", None), "dagster_event", None),
                             "event_specific_data", None)
        metadata = getattr(evaluation, "metadata", None)
        if record is None or record.run_id != run_id or metadata is None:
            why = "the check did not run in this run, so nothing it guards is published"
            failures: Sequence[GateFailure] = [GateFailure(suite.name, EVERY_SOURCE, None, why)]
        else:
            raw = metadata.get("failures")
            failures = [GateFailure.from_dict(f) for f in (getattr(raw, "value", raw) or [])]
        gates.append(Gate(suite.name, own or (EVERY_SOURCE,), suite.description,
                          tuple(failures)))
    return gates


# ---------------------------------------------------------------------------- exports


def _export_asset(partner: Partner) -> AssetsDefinition:
    from expectations.gx_suites import SUITES_ALL

    key = export_asset_key(partner.name)
    # Every gate runs before any export decides (blocking checks order their dependents).
    deps = sorted({relation_key(t.relation) for t in partner.tables}
                  | {relation_key(s.table) for s in SUITES_ALL},
                  key=lambda k: k.to_user_string())

    @asset(
        key=key,
        deps=deps,
        group_name=EXPORT_KEY_PREFIX,
        description=f"{partner.label}: the quarterly export folders of {partner.name} under "
                    f"<exports>/<quarter>/ ({', '.join(t.name for t in partner.tables)}).",
        check_specs=[AssetCheckSpec(
            PUBLISHED_CHECK, asset=key,
            description="Every export quarter was published: none held back by a quality "
                        "gate or a Soda contract (run before writing).")],
        pool=POOL,
    )
    def _export(context: AssetExecutionContext,
                warehouse: WarehouseResource) -> Iterator[Any]:
        from expectations.gx_suites import read_lineage
        from expectations.soda_contracts import verify_exports
        from exports.publish import partner_line, publish_exports, write_audit_rows
        from exports.warehouse import read_only
        from ingest.schema import create_schemas

        with read_only(warehouse.warehouse_path) as con:
            sources = read_lineage(con)
        gates = gates_of_run(context.instance, context.run_id, sources)
        report = publish_exports(
            warehouse.warehouse_path, warehouse.exports_path, CATALOG, gates=gates,
            verify=verify_exports, partners=[partner.name], run_id=context.run_id)
        with warehouse.connect() as con:  # the read-only connection is closed by now
            create_schemas(con)
            write_audit_rows(con, report.audit_rows())  # and audit.access (s.62)
        failpoints.reached("exports.between_partners")
        line = partner_line(partner.name, report.outcomes)
        (context.log.warning if report.blocked else context.log.info)(line)
        counts: dict[str, int] = {}
        for o in report.outcomes:
            counts[o.outcome] = counts.get(o.outcome, 0) + 1
        held = {f"{o.fy_quarter}": " | ".join(o.held_by) for o in report.blocked}
        yield AssetCheckResult(
            check_name=PUBLISHED_CHECK, passed=not report.blocked,
            severity=AssetCheckSeverity.WARN,
            metadata={"summary": MetadataValue.text(line),
                      "held_back": MetadataValue.json(held)})
        yield MaterializeResult(asset_key=key, metadata={
            "summary": MetadataValue.text(line),
            "quarters": MetadataValue.text(", ".join(report.quarters)),
            **{k: MetadataValue.int(v) for k, v in counts.items()},
            "held_back": MetadataValue.text(json.dumps(held)),
        })

    return _export


def _all_gx_checks() -> list[AssetChecksDefinition]:
    from expectations.gx_suites import SUITES_ALL

    return [_gx_check(s.name) for s in SUITES_ALL]


CATALOG = load_catalog(ensure_manifest())
gx_asset_checks: list[AssetChecksDefinition] = _all_gx_checks()
export_assets: list[AssetsDefinition] = [_export_asset(p) for p in CATALOG.partners]
