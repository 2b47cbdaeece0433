"""The dbt project as Dagster assets: one `@dbt_assets` so every model is an asset and
every error-severity dbt test a blocking check on it (PITFALLS 7), run as ONE `dbt build`
per run (PITFALLS 12: dbt's fixed cost is ~4.5 s).

Asset keys are `[schema, model]` (`["marts", "fct_rasso"]`); a `raw` source table is
the asset `["raw", "<table>"]` its ingest step materializes; other sources (linkage) map
through `meta.dagster.asset_key` in their `__sources.yml`.
"""


import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from vrn.reference import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def dbt_executable() -> str:
    """The dbt of this virtualenv (PITFALLS 2), not whatever is first on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def _newest_source_mtime() -> float:
    newest = 0.0
    for pattern in ("*.sql", "*.yml", "*.yaml", "*.csv"):
        for p in DBT_PROJECT_DIR.rglob(pattern):
            if "target" in p.parts or "dbt_packages" in p.parts or "logs" in p.parts:
                continue
            newest = max(newest, p.stat().st_mtime)
    return newest


def ensure_manifest() -> Path:
    """Parse the project when the manifest is missing or older than any project file,
    so a fresh clone (the target folder is not committed) works without a manual step."""
    if not MANIFEST.exists() or MANIFEST.stat().st_mtime < _newest_source_mtime():
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR)],
            check=True,
        )
    return MANIFEST


class VrnDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type in ("model", "seed", "snapshot"):
            schema = dbt_resource_props.get("schema") or "main"
            return AssetKey([schema, dbt_resource_props["name"]])
        if resource_type == "source" and dbt_resource_props.get("schema") == "raw":
            # One asset per raw table, written by its ingest step.
            return AssetKey(["raw", dbt_resource_props["identifier"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return dbt_resource_props.get("schema") or "warehouse"


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=VrnDbtTranslator(),
    pool="warehouse",
)
def warehouse_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    """Seeds, staging, intermediate and marts, with their tests, in one `dbt build`."""
    yield from dbt.cli(["build"], context=context, raise_on_error=False).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_executable(),
    )
