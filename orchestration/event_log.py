"""Dagster's sqlite event log, written over one open connection per database.

A `vrn run` records about a thousand events before its first step (one planned event per
asset and per asset check) and several thousand more as it goes. Dagster's
`SqliteEventLogStorage` builds a new SQLAlchemy engine for every event, opens a new sqlite
connection (and its write-ahead log) two or three times per event, and commits with
sqlite's default `synchronous=FULL`: a flush of the write-ahead log to disk per event.
Together that was most of the time before the first step. This storage is the same
storage (same files, same schema, same queries; configured in `dagster.yaml` by
`orchestration.instance`), keeping one engine, holding one open connection, per database
for the life of the process (the most recently used `MAX_OPEN` of them), and running
sqlite with `synchronous=NORMAL`. Every use of a connection is under Dagster's own lock
(`_db_lock`), so one connection serves every thread in turn. In WAL mode (which Dagster
sets) that still survives the process being killed at any point, `kill -9` included:
only the machine losing power can lose the last few events, and never corrupts the file.
Other processes (`vrn ui`, `vrn status`) read and write the same files with their own
connections, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool


def _per_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Databases kept open at once: a run uses two (its own and the index); the web UI reads
# many runs' and closes the least recently used beyond this.
MAX_OPEN = 16


class WarehouseEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with one engine and one open connection per shard (per run,
    and the index) kept for the process, each connection in `synchronous=NORMAL`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables: set[str] = set()
        # While `store_event_batch` runs: the thread storing it, and the connection (its
        # transaction begun) of each database the batch has written so far.
        self._batch_thread: int | None = None
        self._batch: dict[str, Connection] = {}
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,
                          config_value: Mapping[str, Any]) -> WarehouseEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine (called under `_db_lock`). `StaticPool` keeps its one
        connection open; `check_same_thread=False` because the lock, not the thread,
        keeps its uses apart."""
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard), poolclass=StaticPool,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                                                 "check_same_thread": False})
            event.listen(engine, "connect", _per_connection)
            self._engines[shard] = engine
            while len(self._engines) > MAX_OPEN:
                self._engines.popitem(last=False)[1].dispose()
        else:
            self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        if self._batch_thread == threading.get_ident():  # inside store_event_batch
            yield self._batch_connection(shard)
            return
        with self._db_lock, self._ready_engine(shard).connect() as conn, conn.begin():
            yield conn

    def _ready_engine(self, shard: str) -> Engine:
        """The shard's engine, its database set up on first use (called under
        `_db_lock`)."""
        engine = self._engine(shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine

    def _batch_connection(self, shard: str) -> Connection:
        """The batch's connection to `shard`, its transaction begun at its first use
        (called holding `_db_lock`, by the thread storing the batch)."""
        conn = self._batch.get(shard)
        if conn is None:
            conn = self._ready_engine(shard).connect()
            conn.begin()
            self._batch[shard] = conn
        return conn

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """The events, each stored exactly as `store_event` stores it, in one transaction
        per database instead of two or three per event. Dagster sends a batch when
        `DAGSTER_EVENT_BATCH_SIZE` is set (`orchestration.run` sets it for its run): the
        run's planned events, one per asset and per check, before its first step. If any
        event fails, the whole batch is rolled back and Dagster stores the events one by
        one instead."""
        with self._db_lock:
            self._batch_thread, self._batch = threading.get_ident(), {}
            try:
                for e in events:
                    self.store_event(e)
                for conn in self._batch.values():  # the run's shard first, the index last
                    conn.commit()
            except BaseException:
                for conn in self._batch.values():
                    conn.rollback()
                raise
            finally:
                for conn in self._batch.values():
                    conn.close()
                self._batch_thread, self._batch = None, {}

    def has_table(self, table_name: str) -> bool:
        """Dagster asks before every asset check event whether the index has the checks'
        table, over a new engine each time; a table, once there, stays (a wipe empties
        tables, it does not drop them)."""
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def _close(self, keep: str | None = None) -> None:
        with self._db_lock:
            for shard in [s for s in self._engines if s != keep]:
                self._engines.pop(shard).dispose()

    def wipe(self) -> None:
        # Dagster deletes the run databases' files: close them first, so that nothing
        # goes on writing into a deleted file.
        self._close(keep=INDEX_SHARD_NAME)
        super().wipe()

    def dispose(self) -> None:
        self._close()
        super().dispose()

