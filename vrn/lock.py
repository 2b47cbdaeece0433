"""One writer at a time: DuckDB allows one writing process per file (PITFALLS 6).

A second `vrn run` must wait for the first or leave with a clear message, never open the
file beside it. An advisory `flock` on `<warehouse>.lock` is released by the kernel when
the holder dies, so a killed run never leaves the warehouse locked.

DuckDB has a lock of its own: any other program with the file open (an analyst's `duckdb`
shell or notebook) keeps `vrn` from writing it; `check_no_other_program_holds` says so
plainly before a run starts.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


class WarehouseBusy(RuntimeError):
    pass


@contextmanager
def warehouse_lock(
    warehouse: Path, wait_seconds: float | None = None, on_wait=None
) -> Iterator[None]:
    """Hold the writer lock; wait up to `wait_seconds` (None = for ever) for it."""
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                if deadline is not None and time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"another vrn process (pid {holder}) is writing {warehouse}; "
                        "try again when it has finished"
                    ) from None
                if not told and on_wait is not None:
                    on_wait(holder)
                    told = True
                time.sleep(0.5)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


class WarehouseInUse(WarehouseBusy):
    """Another program (a `duckdb` shell, a notebook) holds DuckDB's own lock on the file."""


# DuckDB: 'Could not set lock on file "…": Conflicting lock is held in <program> (PID 123)'
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def in_use_message(warehouse: Path, duckdb_error: str) -> str:
    """What to tell the person running `vrn` when DuckDB refuses its lock."""
    holder = _DUCKDB_HOLDER.search(duckdb_error)
    who = (f"{holder['program']} (PID {holder['pid']})" if holder
           else "another program")
    return (f"the warehouse file {warehouse} is open in {who}, which stops vrn from writing "
            "it (DuckDB allows one writing process). Close that program (quit the duckdb "
            "shell, or close the connection in the notebook or script) and run again.")


def connect_for_writing(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A write connection to the warehouse, or `WarehouseInUse` naming who holds it."""
    import duckdb

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(warehouse))
    except duckdb.IOException as e:
        if "Could not set lock" not in str(e):
            raise
        raise WarehouseInUse(in_use_message(warehouse, str(e))) from None


def check_no_other_program_holds(warehouse: Path) -> None:
    """Open and close a write connection, so a file held by an analyst's `duckdb` session is
    reported before the run starts rather than as a failed step half-way through."""
    connect_for_writing(warehouse).close()
