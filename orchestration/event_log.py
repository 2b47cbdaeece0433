"""Dagster's sqlite event log, written without a disk flush per event.

A `vrn run` records about a thousand events before its first step (one planned event per
asset and per asset check) and several thousand more as it goes. Dagster's
`SqliteEventLogStorage` builds a new SQLAlchemy engine for every event and commits it
with sqlite's default `synchronous=FULL`: a flush of the write-ahead log to disk per
event, which is most of the time before the first step. This storage is the same
storage (same files, same schema, same queries; configured in `dagster.yaml` by
`orchestration.instance`), keeping one engine per database for the life of the process
and running sqlite with `synchronous=NORMAL`. In WAL mode (which Dagster sets) that
still survives the process being killed at any point, `kill -9` included: only the
machine losing power can lose the last few events, and never corrupts the file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool


def _per_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class WarehouseEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with one engine per shard (per run, and the index) kept
    for the process, each connection in `synchronous=NORMAL`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, Engine] = {}
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,
                          config_value: Mapping[str, Any]) -> WarehouseEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard), poolclass=NullPool,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            event.listen(engine, "connect", _per_connection)
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        super().dispose()

