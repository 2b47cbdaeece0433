"""Ingest as Dagster assets, and the sensor that notices new files in the landing folder.

`ingest/` knows nothing of Dagster; each asset here calls `ingest.load.ingest_landing`
for its landing folder(s) with a short-lived connection (closed before returning: DuckDB
allows one writer, PITFALLS 6) and holds pool `warehouse`. Each asset materializes one
Dagster asset per raw table it writes (`raw/police__crimes`, …), the keys dbt's sources
map to, so lineage runs from a raw table to every model reading it. The three councils
are one step, because each council table holds every council (`la_code`).
"""

from collections.abc import Iterator, Sequence
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    DefaultSensorStatus,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    asset,
    multi_asset,
    sensor,
)

from ingest import SOURCES
from ingest.files import is_leftover
from ingest.load import IngestReport, ingest_landing
from ingest.schema import POLICEUK_TABLE, SERVICE_RETURNS_TABLE
from ingest.specs import ENTITIES
from orchestration.resources import WarehouseResource
from orchestration.row_counts import ROW_COUNT, count_rows
from vrn.listing import digest, tree_listing

RUN_JOB_NAME = "vrn_run_job"

# asset name (key `raw/<name>`) -> landing folders it ingests
ASSET_SOURCES: dict[str, tuple[str, ...]] = {
    "police": ("police",),
    "opcc": ("opcc",),
    "health": ("health",),
    "la": ("la/E06000016", "la/E10000018", "la/E06000017"),
    "commissioning": ("commissioning",),
    "policeuk": ("policeuk",),
}
assert sorted(s for v in ASSET_SOURCES.values() for s in v) == sorted(SOURCES)

DESCRIPTIONS = {
    "police": "Leicestershire Police crimes, crime people, outcomes and custody extracts.",
    "opcc": "The OPCC's Independent Custody Visitor visits.",
    "health": "A&E assault attendances, assault admissions and ambulance call-outs.",
    "la": "Children looked after, protection plans, school absence and exclusions from "
          "Leicester, Leicestershire and Rutland councils.",
    "commissioning": "SARC, CYP SARC and ISVA quarterly returns, and OPCC funding.",
    "policeuk": "Public police.uk street-level crime files, as downloaded.",
}


def report_metadata(report: IngestReport) -> dict[str, object]:
    """What a run of one asset did, as Dagster metadata."""
    meta: dict[str, object] = {
        "files_loaded": len(report.loaded),
        "files_rejected": len(report.rejected),
        "files_unchanged": len(report.unchanged),
        "files_replacing_earlier_version": len(report.superseding),
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
    }
    changed = [f for f in report.files if f.outcome != "unchanged"]
    if changed:
        meta["files"] = MetadataValue.md("\n".join(f"- {f.describe()}" for f in changed))
    return meta


def raw_tables(name: str) -> list[str]:
    """The raw tables (schema-qualified) that ingest step `name` writes."""
    tables = [e.raw_table for e in ENTITIES if e.source == name]
    if name == "commissioning":
        tables.append(SERVICE_RETURNS_TABLE)
    if name == "policeuk":
        tables.append(POLICEUK_TABLE)
    return tables


def raw_table_key(table: str) -> AssetKey:
    """`raw.police__crimes` -> AssetKey(["raw", "police__crimes"])."""
    schema, name = table.split(".")
    return AssetKey([schema, name])


def build_ingest_asset(name: str, sources: Sequence[str]) -> AssetsDefinition:
    tables = raw_tables(name)
    specs = [
        AssetSpec(raw_table_key(t), group_name="ingest",
                  description=f"{DESCRIPTIONS[name]} Table {t}: new or changed files only; "
                              "bad rows quarantined, every file recorded in audit.files.")
        for t in tables
    ]

    @multi_asset(name=f"ingest_{name}", specs=specs, pool="warehouse")
    def _ingest(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[MaterializeResult]:
        con = warehouse.connect()
        try:
            report = ingest_landing(con, warehouse.landing_path, list(sources),
                                    progress=context.log.info)
            counts = count_rows(con, tables)
        finally:
            con.close()
        for f in report.rejected:
            context.log.warning(f.describe())
        context.log.info(report.summary())
        metadata = report_metadata(report)
        for table, spec in zip(tables, specs, strict=True):
            # The table's rows after this run (every current file's), not this run's load.
            yield MaterializeResult(asset_key=spec.key,
                                    metadata={**metadata, ROW_COUNT: counts[table]})

    return _ingest


UNPLACED_KEY = AssetKey(["audit", "landing_unplaced"])


@asset(key=UNPLACED_KEY, group_name="ingest", pool="warehouse",
       description="What lies under the landing folder outside every source folder (an "
                   "unknown folder, files in the landing folder itself, links): never "
                   "read, each recorded in audit.files as rejected with where it should "
                   "be, so nothing a partner sends vanishes unexplained.")
def ingest_unplaced(context: AssetExecutionContext,
                    warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        report = ingest_landing(con, warehouse.landing_path, [], unplaced=True,
                                progress=context.log.info)
        (held,) = con.execute("SELECT count(*) FROM audit.files WHERE source IS NULL "
                              "AND outcome = 'rejected'").fetchone()
    for f in report.rejected:
        context.log.warning(f.describe())
    # Its "rows": the things outside every source folder now on record as rejected.
    return MaterializeResult(metadata={**report_metadata(report), ROW_COUNT: int(held)})


ingest_assets: list[AssetsDefinition] = [
    *(build_ingest_asset(name, sources) for name, sources in ASSET_SOURCES.items()),
    ingest_unplaced,
]


# --- the landing-folder sensor --------------------------------------------------------


def landing_listing(landing: Path) -> list[tuple[str, int, int]]:
    """(path under landing, size, mtime in ns) of everything under the landing folder a
    run reads or records (links listed as themselves, not followed), editors' lock and
    temporary files left out."""
    return [e for e in tree_listing(landing) if not is_leftover(e[0].rsplit("/", 1)[-1])]




# On from the start: a deployment that has to be switched on in the UI before it notices
# partners' files is a deployment that silently does nothing.
@sensor(job_name=RUN_JOB_NAME, minimum_interval_seconds=30,
        default_status=DefaultSensorStatus.RUNNING,
        description="Starts a run when a file in the landing folder is new or has changed "
                    "(by path, size and modification time).")
def landing_sensor(context: SensorEvaluationContext,
                   warehouse: WarehouseResource) -> Iterator[RunRequest | SkipReason]:
    landing = warehouse.landing_path
    if not landing.is_dir():
        yield SkipReason(f"the landing folder {landing} does not exist")
        return
    listing = landing_listing(landing)
    cursor = digest(listing)
    if cursor == context.cursor:
        yield SkipReason(f"no new or changed files in {landing} ({len(listing)} files)")
        return
    context.update_cursor(cursor)
    if not listing:
        yield SkipReason(f"the landing folder {landing} is empty")
        return
    yield RunRequest(run_key=cursor, job_name=RUN_JOB_NAME,
                     tags={"vrn/trigger": "landing_sensor", "vrn/files": str(len(listing))})
