"""Ingest as Dagster assets, and the sensor that notices new files in the landing folder.

`ingest/` knows nothing of Dagster; each asset here calls `ingest.load.ingest_landing`
for its landing folder(s) with a short-lived connection (closed before returning: DuckDB
allows one writer, PITFALLS 6) and holds pool `warehouse`. Keys are `raw/<source>`; the
three councils are one asset, `raw/la`, because dbt's council sources are one table per
entity holding every council (`la_code`), and they map to that key.
"""

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    asset,
    sensor,
)

from ingest import SOURCES
from ingest.load import IngestReport, ingest_landing
from orchestration.resources import WarehouseResource

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


def build_ingest_asset(name: str, sources: Sequence[str]) -> AssetsDefinition:
    @asset(
        key=AssetKey(["raw", name]),
        group_name="ingest",
        pool="warehouse",
        description=DESCRIPTIONS[name] + " New or changed files only; bad rows quarantined, "
                    "every file recorded in audit.files.",
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        con = warehouse.connect()
        try:
            report = ingest_landing(con, warehouse.landing_path, list(sources),
                                    progress=context.log.info)
        finally:
            con.close()
        for f in report.rejected:
            context.log.warning(f.describe())
        context.log.info(report.summary())
        return MaterializeResult(metadata=report_metadata(report))

    return _ingest


ingest_assets: list[AssetsDefinition] = [
    build_ingest_asset(name, sources) for name, sources in ASSET_SOURCES.items()
]


# --- the landing-folder sensor --------------------------------------------------------


def landing_listing(landing: Path) -> list[tuple[str, int, int]]:
    """(path under landing, size, mtime in ns) of every file ingest would look at."""
    out = []
    for source in SOURCES:
        folder = landing / source
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and not path.name.startswith((".", "~$")):
                st = path.stat()
                out.append((path.relative_to(landing).as_posix(), st.st_size, st.st_mtime_ns))
    return sorted(out)


def listing_digest(listing: list[tuple[str, int, int]]) -> str:
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()


@sensor(job_name=RUN_JOB_NAME, minimum_interval_seconds=30,
        description="Starts a run when a file in the landing folder is new or has changed "
                    "(by path, size and modification time).")
def landing_sensor(context: SensorEvaluationContext,
                   warehouse: WarehouseResource) -> Iterator[RunRequest | SkipReason]:
    landing = warehouse.landing_path
    if not landing.is_dir():
        yield SkipReason(f"the landing folder {landing} does not exist")
        return
    listing = landing_listing(landing)
    digest = listing_digest(listing)
    if digest == context.cursor:
        yield SkipReason(f"no new or changed files in {landing} ({len(listing)} files)")
        return
    context.update_cursor(digest)
    if not listing:
        yield SkipReason(f"the landing folder {landing} is empty")
        return
    yield RunRequest(run_key=digest, job_name=RUN_JOB_NAME,
                     tags={"vrn/trigger": "landing_sensor", "vrn/files": str(len(listing))})
