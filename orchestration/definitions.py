"""The one place that defines the Dagster `Definitions` of vrn-warehouse.

Order of a run (DESIGN.md): ingest assets → person linkage → dbt assets (one asset per
model, dbt tests as blocking checks) → Great Expectations / Soda asset checks → export
assets, one per partner. Everything that writes the warehouse shares pool "warehouse"
and the job runs on the in-process executor, so there is only ever one writer.
"""

from __future__ import annotations

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
    load_asset_checks_from_modules,
    load_assets_from_modules,
)

from vrn.privacy import disable_telemetry

disable_telemetry()

from orchestration import (  # noqa: E402 - telemetry must be off before these import
    dbt_assets,
    export_assets,
    ingest_assets,
    linkage_assets,
)
from orchestration.console import concise_console  # noqa: E402
from orchestration.resources import WarehouseResource  # noqa: E402
from vrn.settings import Settings  # noqa: E402

_modules = [ingest_assets, linkage_assets, dbt_assets, export_assets]
all_assets = load_assets_from_modules(_modules)
all_checks = load_asset_checks_from_modules(_modules)

vrn_run_job = define_asset_job(
    "vrn_run_job",
    selection=AssetSelection.all(),
    description="Ingest new files, link people, build every model, check, publish exports.",
    executor_def=in_process_executor,
)

# Partners' quarterly files are due in the month after a quarter ends; the export run
# follows on the 15th, after the usual re-sends (a sensor still reacts to any new file).
quarterly_export_schedule = ScheduleDefinition(
    name="quarterly_export_schedule",
    job=vrn_run_job,
    cron_schedule="0 6 15 1,4,7,10 *",
    execution_timezone="Europe/London",
    default_status=DefaultScheduleStatus.RUNNING,
)

defs = Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[vrn_run_job],
    schedules=[quarterly_export_schedule],
    sensors=[ingest_assets.landing_sensor],
    resources={
        # The default for `vrn ui` / `dagster dev` (paths from VRN_* or the defaults);
        # `vrn run` passes its own paths as this resource's run config (orchestration/run.py).
        "warehouse": WarehouseResource.from_settings(Settings.from_env()),
        "dbt": dbt_assets.dbt_resource(),
    },
    executor=in_process_executor,
    loggers={"console": concise_console},
)
