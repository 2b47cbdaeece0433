"""No telemetry leaves the machine: the warehouse holds special-category data.

Set before dbt, Dagster, Great Expectations or Soda are imported or started, by every
entry point (CLI, Dagster definitions, tests). The dbt project and the Dagster instance
also switch it off in their own configuration files (`dbt_project/dbt_project.yml`
flags, `orchestration/dagster.yaml`); this covers subprocesses and libraries that only
read the environment.
"""

from __future__ import annotations

import os

TELEMETRY_OFF: dict[str, str] = {
    "DO_NOT_TRACK": "1",  # dbt (and other tools honouring the convention)
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "SODA_CORE_TELEMETRY_ENABLED": "false",
}


def disable_telemetry() -> None:
    for key, value in TELEMETRY_OFF.items():
        os.environ[key] = value
