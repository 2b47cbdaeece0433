"""Person linkage as a Dagster asset: after the police and council loads, before dbt.

`linkage/` knows nothing of Dagster; this wraps `run_linkage` so it runs whenever the raw
person records may have changed, holds the warehouse pool (one writer, PITFALLS 6) and
reports what it linked. The dbt source `linkage.person_links` maps to this asset
(`dbt_project/models/marts/people/__sources.yml`), so `bridge_person_record`,
`dim_person` and the cohort mart wait for it.
"""

# No `from __future__ import annotations`: Dagster inspects the `context` annotation.
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from linkage.model import LINKS_TABLE, load_settings, run_linkage
from linkage.records import RAW_TABLES
from orchestration.resources import WarehouseResource

PERSON_LINKS_KEY = AssetKey(["linkage", "person_links"])


@asset(
    key=PERSON_LINKS_KEY,
    # One asset per raw table (orchestration/ingest_assets.py); the crimes give crime
    # people their event date.
    deps=[AssetKey(table.split(".")) for table in RAW_TABLES],
    pool="warehouse",
    group_name="linkage",
    description=(
        "Which police, custody and council person records are the same person, linked "
        "with Splink from pseudonymised tokens (surname, forename, date of birth) with sex, "
        "age and postcode district, under the versioned model in "
        "linkage/settings/person_linkage.yaml. Only new and changed records, and the "
        "persons they touch, are linked again; the result is that of linking every record."
    ),
)
def person_links(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    settings = load_settings()
    con = warehouse.connect()
    try:
        summary = run_linkage(con, settings)
    finally:
        con.close()
    if summary.linked_everything:
        scope = "every record linked (no persons kept from an earlier run of this model)"
    else:
        scope = (f"{summary.records_linked} new or changed records, with the persons they "
                 "touch, linked again; the other persons kept from the last run")
    context.log.info(
        f"{LINKS_TABLE}: {summary.records} records -> {summary.persons} persons "
        f"({summary.persons_in_several_sources} in several sources) with model "
        f"{summary.settings_version}; {scope}"
    )
    return MaterializeResult(
        metadata={
            "settings_version": summary.settings_version,
            "settings_file": MetadataValue.path(str(settings.path)),
            "records": summary.records,
            "records_without_tokens": summary.records_without_tokens,
            "persons": summary.persons,
            "persons_in_several_sources": summary.persons_in_several_sources,
            "records_linked_again": summary.records_linked,
        }
    )
