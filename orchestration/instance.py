"""The project's Dagster instance home: run history beside the warehouse, telemetry off."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dagster import DagsterInstance

INSTANCE_YAML = Path(__file__).with_name("dagster.yaml")


def prepare_dagster_home(warehouse: Path) -> Path:
    """Use `$DAGSTER_HOME` if set, else `<warehouse folder>/dagster_home`; make sure it
    carries this project's dagster.yaml (telemetry disabled, pool limit 1)."""
    home = Path(os.environ.get("DAGSTER_HOME") or warehouse.parent / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists() or target.read_bytes() != INSTANCE_YAML.read_bytes():
        shutil.copyfile(INSTANCE_YAML, target)
    return home


def open_instance(warehouse: Path) -> DagsterInstance:
    """The instance whose run storage records this warehouse's runs (its run ids are the
    ones in `audit.runs`), opened from its home without touching the environment."""
    return DagsterInstance.from_config(str(prepare_dagster_home(warehouse)))
