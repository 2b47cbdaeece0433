"""Dagster resources: the paths of one deployment, shared by every asset."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext

from vrn.lock import owner_only_umask, tighten_warehouse
from vrn.settings import Settings, apply_memory_limit


class WarehouseResource(ConfigurableResource):
    """Landing folder, DuckDB warehouse file and exports folder of this deployment.

    Every asset that writes the warehouse opens its own short-lived connection through
    `connect()` and closes it before returning: DuckDB allows one writing process and a
    read-only connection fails while a writer holds the file (PITFALLS 6).

    Whatever a run creates is readable by its owner only, however Dagster runs it (in
    `vrn run`'s process, or in a process `dagster dev` started): the umask is set when
    the resource is set up, and a writable connection tightens a warehouse file made
    earlier with a wider mode (`vrn.lock`).
    """

    landing: str
    warehouse: str
    exports: str

    @classmethod
    def from_settings(cls, s: Settings) -> WarehouseResource:
        return cls(landing=str(s.landing), warehouse=str(s.warehouse), exports=str(s.exports))

    @property
    def landing_path(self) -> Path:
        return Path(self.landing)

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)

    @property
    def exports_path(self) -> Path:
        return Path(self.exports)

    @property
    def logs_path(self) -> Path:
        """Long tool output (dbt's, one file a run): `logs/` beside the warehouse file."""
        return self.warehouse_path.parent / "logs"

    def setup_for_execution(self, context: InitResourceContext) -> None:
        owner_only_umask()

    def connect(self, read_only: bool = False):  # -> duckdb.DuckDBPyConnection
        import duckdb

        self.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.warehouse_path), read_only=read_only)
        apply_memory_limit(con)  # VRN_MEMORY_LIMIT: DuckDB spills beyond it
        if not read_only:
            tighten_warehouse(self.warehouse_path)
        return con
