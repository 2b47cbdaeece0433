"""Where the landing folder, warehouse and exports live, and the limits a run keeps to.

Defaults per DESIGN.md (`data/landing`, `data/warehouse.duckdb`, `data/exports`),
overridden by `VRN_LANDING`, `VRN_WAREHOUSE`, `VRN_EXPORTS` and then by CLI options.
Relative defaults resolve against the current directory, as a user running `vrn` expects.

`Limits` bounds what one partner workbook may unpack to (`VRN_MAX_WORKBOOK_MB`,
`VRN_MAX_SHEETS`, `VRN_MAX_CELLS`, `VRN_MAX_COMPRESSION_RATIO`) and what a DuckDB
connection may hold in memory (`VRN_MEMORY_LIMIT`, applied by `apply_memory_limit`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


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


# --- resource limits -----------------------------------------------------------------
# A partner's workbook is unpacked and parsed in this process: without bounds, a small
# `.xlsx` whose shared strings decompress to a gigabyte is "loaded" after minutes at
# gigabytes of memory. `ingest.read.read_xlsx` rejects a workbook past these limits
# before openpyxl opens it; the rejection names the variable that raises the limit.
MAX_WORKBOOK_MB = "VRN_MAX_WORKBOOK_MB"
MAX_SHEETS = "VRN_MAX_SHEETS"
MAX_CELLS = "VRN_MAX_CELLS"
MAX_COMPRESSION_RATIO = "VRN_MAX_COMPRESSION_RATIO"
MEMORY_LIMIT = "VRN_MEMORY_LIMIT"
_DUCKDB_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text.replace(",", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"{name} must be a whole number above 0, not {text!r}")
    return value


@dataclass(frozen=True)
class Limits:
    """How much one partner file and one DuckDB connection may take.

    The defaults let the largest real workbook the spec implies (a year's school absence
    for every Leicestershire pupil: ~110,000 rows x 7 columns, under a million cells,
    ~60 MB unpacked; the generator's full-scale one is 7 MB) through several times over,
    while a workbook past them is refused in seconds, before openpyxl reads it.
    A workbook inside them is read at about 30 µs and, while `ingest.tabular` holds the
    sheet, ~150-200 bytes a cell (measured: 700,000 cells, 30 s, 155 MB): the default
    cell limit bounds one workbook at about 1 GB and a few minutes.
    """

    max_workbook_mb: int = 256  # the whole archive, unpacked (declared sizes)
    max_sheets: int = 50
    max_cells: int = 5_000_000  # in the whole workbook
    # Unpacked / packed size of one part. Real workbook XML packs 4-15 to 1; deflate
    # cannot pass ~1,030 to 1, which zip bombs approach.
    max_compression_ratio: int = 100
    # DuckDB's `memory_limit` for the pipeline's connections; None: DuckDB's default
    # (80% of the machine's memory). DuckDB spills to disk beyond it.
    memory_limit: str | None = "4GB"

    @property
    def max_workbook_bytes(self) -> int:
        return self.max_workbook_mb * 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """The limits `VRN_MAX_WORKBOOK_MB`, `VRN_MAX_SHEETS`, `VRN_MAX_CELLS`,
        `VRN_MAX_COMPRESSION_RATIO` and `VRN_MEMORY_LIMIT` set, else the defaults. A
        value that is not a limit raises ValueError naming the variable."""
        env = os.environ if env is None else env
        memory: str | None = env.get(MEMORY_LIMIT, cls.memory_limit or "").strip()
        if memory and not _DUCKDB_MEMORY.match(memory):
            raise ValueError(f"{MEMORY_LIMIT} must be a size such as 4GB or 512MB, "
                             f"not {memory!r}")
        return cls(
            max_workbook_mb=_positive_int(env, MAX_WORKBOOK_MB, cls.max_workbook_mb),
            max_sheets=_positive_int(env, MAX_SHEETS, cls.max_sheets),
            max_cells=_positive_int(env, MAX_CELLS, cls.max_cells),
            max_compression_ratio=_positive_int(env, MAX_COMPRESSION_RATIO,
                                                cls.max_compression_ratio),
            memory_limit=memory or None,
        )


def apply_memory_limit(con: duckdb.DuckDBPyConnection, limits: Limits | None = None) -> None:
    """Cap what DuckDB may hold in memory on `con` at `VRN_MEMORY_LIMIT` (default 4GB);
    beyond it DuckDB spills to its temp directory or fails the query, never the machine.
    Call it right after `duckdb.connect(...)`. The limit is per database instance: a
    second connection to the same instance shares it. An empty `VRN_MEMORY_LIMIT` leaves
    DuckDB's own default."""
    limits = limits or Limits.from_env()
    if limits.memory_limit:
        con.execute(f"SET memory_limit = '{limits.memory_limit}'")
