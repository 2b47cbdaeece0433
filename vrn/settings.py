"""Where the landing folder, warehouse and exports live.

Defaults per DESIGN.md (`data/landing`, `data/warehouse.duckdb`, `data/exports`),
overridden by `VRN_LANDING`, `VRN_WAREHOUSE`, `VRN_EXPORTS` and then by CLI options.
Relative defaults resolve against the current directory, as a user running `vrn` expects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    landing: Path
    warehouse: Path
    exports: Path

    @classmethod
    def from_env(
        cls,
        landing: Path | None = None,
        warehouse: Path | None = None,
        exports: Path | None = None,
    ) -> Settings:
        return cls(
            landing=Path(landing or os.environ.get("VRN_LANDING", "data/landing")).resolve(),
            warehouse=Path(
                warehouse or os.environ.get("VRN_WAREHOUSE", "data/warehouse.duckdb")
            ).resolve(),
            exports=Path(exports or os.environ.get("VRN_EXPORTS", "data/exports")).resolve(),
        )
