"""One writer at a time: DuckDB allows one writing process per file (PITFALLS 6).

A second `vrn run` must wait for the first or leave with a clear message, never open the
file beside it. An advisory `flock` on `<warehouse>.lock` is released by the kernel when
the holder dies, so a killed run never leaves the warehouse locked.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
