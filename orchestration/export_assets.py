"""Dagster: the quality gates on the marts and one export asset per partner.

- Every Great Expectations suite (`expectations.gx_suites`) is a blocking `@asset_check`
  on the dbt model it checks, so a failure stops every export downstream of that model
  in the same run — and only those (each export asset depends on the marts it reads).
- Each partner's export is an asset downstream of its marts, with a blocking
  `soda_contracts` check: the Soda contracts run on the export tables *before* anything
  is written (a check after the write would be too late), and the asset publishes only
  when they pass. A blocked partner materialises nothing; the others still publish.
- Every check always emits a result (PITFALLS 13): a check that cannot run fails.
- Warehouse access is read-only, in pool "warehouse" (one at a time, PITFALLS 6); the
  `audit.exports` rows are written afterwards with a writable connection.
"""


from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from expectations.results import CheckResult, could_not_run
from exports.marts import CONTRACT_TABLES
from exports.partners import PARTNERS, partner_group
from exports.reconcile import RECONCILE_READS
from exports.tables import reads_for
from orchestration.resources import WarehouseResource

# The dbt models' asset keys (orchestration/dbt_assets.py: [schema, model]).
MART_ASSET_KEYS: dict[str, AssetKey] = {t: AssetKey(["marts", t]) for t in CONTRACT_TABLES}
EXPORT_KEY_PREFIX = "exports"
SODA_CHECK = "soda_contracts"
POOL = "warehouse"


def export_asset_key(partner: str) -> AssetKey:
    return AssetKey([EXPORT_KEY_PREFIX, partner])


def _metadata(result: CheckResult) -> dict[str, Any]:
    return {
        "table": MetadataValue.text(result.table),
        "failing_rows": MetadataValue.int(int(result.failing_rows)),
        "example": MetadataValue.json(result.example or {}),
        "detail": MetadataValue.text(result.detail),
    }


def run_gx_suite(warehouse: WarehouseResource, suite_name: str) -> CheckResult:
    """One suite over a read-only connection; whatever goes wrong is a failed result."""
    from expectations import gx_suites
    from exports.marts import months_with_serious_violence, read_only, read_table
    from exports.windows import complete_quarters

    suite = gx_suites.BY_NAME[suite_name]
    try:
        tables, errors = {}, {}
        with read_only(warehouse.warehouse_path) as con:
            for name in suite.reads:
                try:
                    tables[name] = read_table(con, name)
                except Exception as error:  # reported as the suite failing
                    errors[name] = error
            try:
                quarters = complete_quarters(months_with_serious_violence(con))
            except Exception:  # no police data: each volume suite uses its own quarters
                quarters = []
        return gx_suites.run_suites(tables, errors, quarters, [suite])[0]
    except Exception as error:  # e.g. the warehouse is missing or locked
        return could_not_run(suite.name, f"marts.{suite.table}", error, suite.guards)


def _gx_check(suite_name: str) -> AssetChecksDefinition:
    from expectations.gx_suites import BY_NAME

    suite = BY_NAME[suite_name]

    @asset_check(
        asset=MART_ASSET_KEYS[suite.table],
        name=suite.name,
        description=f"{suite.description} Guards: {', '.join(suite.guards)}.",
        blocking=True,
        additional_deps=[MART_ASSET_KEYS[t] for t in suite.reads if t != suite.table],
        pool=POOL,
    )
    def _check(context: AssetCheckExecutionContext,
               warehouse: WarehouseResource) -> AssetCheckResult:
        result = run_gx_suite(warehouse, suite.name)
        if not result.passed:
            context.log.error(result.message())
        return AssetCheckResult(passed=result.passed, severity=AssetCheckSeverity.ERROR,
                                metadata=_metadata(result))

    return _check


def _export_asset(partner: str) -> AssetsDefinition:
    from expectations.gx_suites import suites_guarding

    group = partner_group(partner)
    reads = (set(reads_for(group)) | set(RECONCILE_READS[group])
             | {r for s in suites_guarding([group]) for r in s.reads})
    key = export_asset_key(partner)

    @asset(
        key=key,
        deps=[MART_ASSET_KEYS[t] for t in sorted(reads)],
        group_name=EXPORT_KEY_PREFIX,
        description=f"The quarterly export folders of {partner} under <exports>/<quarter>/.",
        check_specs=[AssetCheckSpec(
            SODA_CHECK, asset=key, blocking=True,
            description="Soda contracts on every export table (schema, no unsuppressed small "
                        "count, totals reconcile with the marts), run before writing.")],
        output_required=False,
        pool=POOL,
    )
    def _export(context: AssetExecutionContext,
                warehouse: WarehouseResource) -> Iterator[Any]:
        from exports.publish import publish_exports, write_audit_rows

        try:
            report = publish_exports(warehouse.warehouse_path, warehouse.exports_path,
                                     partners=[partner], echo=context.log.info)
        except Exception as error:  # the check must still say something (PITFALLS 13)
            failed = could_not_run(SODA_CHECK, f"exports {partner}", error, (group,))
            yield AssetCheckResult(check_name=SODA_CHECK, passed=False,
                                   severity=AssetCheckSeverity.ERROR, metadata=_metadata(failed))
            return
        with warehouse.connect() as con:  # the read-only connection is closed by now
            from ingest.schema import create_schemas

            create_schemas(con)
            write_audit_rows(con, report.audit_rows())
        blocking = report.blocking_checks()
        for line in report.lines():
            (context.log.error if line.startswith("BLOCKED") else context.log.info)(line)
        if blocking:
            first = blocking[0][0]
            failed = CheckResult(
                first.name, False, first.table, first.failing_rows, first.example,
                f"blocked {len(report.blocked)} export(s): " + " | ".join(
                    c.message() for c, _ in blocking), first.guards)
            yield AssetCheckResult(check_name=SODA_CHECK, passed=False,
                                   severity=AssetCheckSeverity.ERROR, metadata=_metadata(failed))
            return
        yield AssetCheckResult(
            check_name=SODA_CHECK, passed=True, metadata={
                "quarters": MetadataValue.text(", ".join(report.quarters)),
                "detail": MetadataValue.text("every export table met its Soda contract")})
        counts: dict[str, int] = {}
        for o in report.outcomes:
            counts[o.outcome] = counts.get(o.outcome, 0) + 1
        yield MaterializeResult(asset_key=key, metadata={
            "quarters": MetadataValue.text(", ".join(report.quarters)),
            **{k: MetadataValue.int(v) for k, v in counts.items()},
        })

    return _export


def _all_gx_checks() -> list[AssetChecksDefinition]:
    from expectations.gx_suites import SUITES_ALL

    return [_gx_check(s.name) for s in SUITES_ALL]


gx_asset_checks: list[AssetChecksDefinition] = _all_gx_checks()
export_assets: list[AssetsDefinition] = [_export_asset(p) for p in PARTNERS]
