"""One writer at a time: DuckDB allows one writing process per file (PITFALLS 6).

A second `vrn run` must wait for the first or leave with a clear message, never open the
file beside it. An advisory `flock` on `<warehouse>.lock` is released by the kernel when
the holder dies, so a killed run never leaves the warehouse locked.

DuckDB has a lock of its own: any other program with the file open (an analyst's `duckdb`
shell or notebook) keeps `vrn` from writing it; `check_no_other_program_holds` says so
plainly before a run starts.

Who may read the warehouse, and who did (Data Protection Act 2018, Part 3, s.62):

- everything `vrn` creates is readable by its owner only (`owner_only_umask`: files 0600,
  folders 0700), and every write connection tightens a warehouse file (or its `.wal`)
  made earlier with a wider mode (`tighten`);
- every access to the personal data is a row of `audit.access` (ingest/schema.py),
  written by `record_access` (a `vrn query`, before it is answered) or
  `exports.publish.write_audit_rows` (a publication). Rows are only ever added.
"""

from __future__ import annotations

import fcntl
import os
import re
import socket
import stat
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

# A `warehouse_lock` holder that writes nothing but its `audit.access` row (milliseconds):
# worth waiting for, unlike a run.
ACCESS_LOG = "access-log"


class WarehouseBusy(RuntimeError):
    def __init__(self, message: str, pid: str = "unknown", purpose: str = "") -> None:
        super().__init__(message)
        self.pid, self.purpose = pid, purpose


@contextmanager
def warehouse_lock(
    warehouse: Path, wait_seconds: float | None = None, on_wait=None, purpose: str = "",
) -> Iterator[None]:
    """Hold the writer lock; wait up to `wait_seconds` (None = for ever) for it. The lock
    file names the holder's pid, then its `purpose` if it has one (`ACCESS_LOG`)."""
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, OWNER_ONLY_FILE)
    try:
        tighten(lock_path)
        deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                text = os.pread(fd, 64, 0).decode(errors="replace").split()
                holder = text[0] if text else "unknown"
                if deadline is not None and time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"another vrn process (pid {holder}) is writing {warehouse}; "
                        "try again when it has finished", holder, " ".join(text[1:])
                    ) from None
                if not told and on_wait is not None:
                    on_wait(holder)
                    told = True
                time.sleep(0.5)
        os.ftruncate(fd, 0)
        os.pwrite(fd, " ".join(filter(None, [str(os.getpid()), purpose])).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


class WarehouseInUse(WarehouseBusy):
    """Another program (a `duckdb` shell, a notebook) holds DuckDB's own lock on the file."""

    def __init__(self, message: str, holder: str = "another program") -> None:
        super().__init__(message)
        self.holder = holder


# DuckDB: 'Could not set lock on file "…": Conflicting lock is held in <program> (PID 123)'
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def lock_holder(duckdb_error: str) -> str:
    """The program DuckDB says holds its lock, with its PID."""
    holder = _DUCKDB_HOLDER.search(duckdb_error)
    return f"{holder['program']} (PID {holder['pid']})" if holder else "another program"


def in_use_message(warehouse: Path, duckdb_error: str) -> str:
    """What to tell the person running `vrn` when DuckDB refuses its lock."""
    return (f"the warehouse file {warehouse} is open in {lock_holder(duckdb_error)}, which "
            "stops vrn from writing it (DuckDB allows one writing process). Close that "
            "program (quit the duckdb shell, or close the connection in the notebook or "
            "script) and run again.")


def connect_for_writing(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A write connection to the warehouse, or `WarehouseInUse` naming who holds it. A
    warehouse file made earlier with a wider mode is made owner-only (`tighten`)."""
    import duckdb

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(warehouse))
    except duckdb.IOException as e:
        if "Could not set lock" not in str(e):
            raise
        raise WarehouseInUse(in_use_message(warehouse, str(e)), lock_holder(str(e))) from None
    tighten_warehouse(warehouse)
    return con


def check_no_other_program_holds(warehouse: Path) -> None:
    """Open and close a write connection, so a file held by an analyst's `duckdb` session is
    reported before the run starts rather than as a failed step half-way through."""
    connect_for_writing(warehouse).close()


# ---------------------------------------------------------------------------- owner only

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700
NOT_OWNER = 0o077  # any access by the group or others


def owner_only_umask() -> None:
    """Whatever this process (and the dbt it starts) creates from now on is readable by
    its owner only: the warehouse and its `.wal`, exports, logs, Dagster's run history."""
    os.umask(NOT_OWNER)


def tighten(path: Path, mode: int = OWNER_ONLY_FILE) -> bool:
    """Set `path` to `mode` when its group or others have any access (True if it did).
    A link is left alone (chmod would reach its target); a path that is not ours to
    change too: `vrn status` warns about what stays open."""
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode) or not st.st_mode & NOT_OWNER:
            return False
        os.chmod(path, mode)
    except OSError:  # gone meanwhile, not ours, a read-only file system
        return False
    return True


def warehouse_files(warehouse: Path) -> list[Path]:
    """The warehouse file and, while a writer has changes not yet checkpointed, its WAL."""
    return [warehouse, warehouse.with_name(warehouse.name + ".wal")]


def tighten_warehouse(warehouse: Path) -> None:
    for path in warehouse_files(warehouse):
        tighten(path)


def mode_text(mode: int) -> str:
    return f"{stat.S_IMODE(mode):04o}"


# ---------------------------------------------------------------------------- audit.access

QUERY, PUBLISH = "query", "publish"


class AccessNotLogged(RuntimeError):
    """The access could not be recorded in `audit.access`: it must not happen."""


def os_user() -> tuple[str, int]:
    """The OS account this process runs as, by the system's account database (not the
    environment, which anyone can set); the uid alone when it has no name there."""
    import pwd

    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name, uid
    except KeyError:
        return f"uid {uid}", uid


def access_row(action: str, detail: str, outcome: str, *, access_id: str | None = None,
               rows_returned: int | None = None, recipient: str | None = None,
               run_id: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """One row of `audit.access` by this process, now (UTC)."""
    user, uid = os_user()
    return {"access_id": access_id or str(uuid.uuid4()),
            "accessed_at": datetime.now(UTC).replace(tzinfo=None), "os_user": user,
            "uid": uid, "host": socket.gethostname(), "pid": os.getpid(), "action": action,
            "detail": detail, "outcome": outcome, "rows_returned": rows_returned,
            "recipient": recipient, "run_id": run_id, "reason": reason}


def insert_access(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Add rows to `audit.access` (created if missing). Never update or delete one."""
    from ingest.schema import create_access_log

    create_access_log(con)
    for row in rows:
        con.execute(f"INSERT INTO audit.access ({', '.join(row)}) "
                    f"VALUES ({', '.join('?' * len(row))})", list(row.values()))


# How long a query waits for another vrn's access row or another program's connection.
ACCESS_LOG_WAIT_SECONDS = 10.0


def record_access(warehouse: Path, row: dict[str, Any], wait_seconds: float | None = None
                  ) -> None:
    """Write one `audit.access` row, or raise `AccessNotLogged` saying why it cannot be.

    A `vrn run` holding the warehouse is not waited for (it takes minutes); another vrn
    writing its own access row, or a program with the file open for a moment (another
    query reading it), is waited for up to `wait_seconds` (`ACCESS_LOG_WAIT_SECONDS`)."""
    import duckdb

    wait = ACCESS_LOG_WAIT_SECONDS if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + wait
    while True:
        try:
            with (warehouse_lock(warehouse, wait_seconds=0, purpose=ACCESS_LOG),
                  connect_for_writing(warehouse) as con):
                insert_access(con, [row])
            return
        except WarehouseInUse as e:  # DuckDB's lock: another program has the file open
            if time.monotonic() >= deadline:
                raise AccessNotLogged(
                    f"the warehouse file {warehouse} is open in {e.holder}, which stops vrn "
                    "from writing the log (DuckDB allows no writer beside another program's "
                    "connection, even a reading one). Try again when it has closed the file "
                    "(a query has finished, a duckdb shell or notebook has closed its "
                    "connection).") from None
        except WarehouseBusy as e:  # our own lock: a run, or another vrn's access row
            if e.purpose != ACCESS_LOG:
                raise AccessNotLogged(
                    f"a vrn run (pid {e.pid}) is writing {warehouse}, so the log cannot be "
                    "written until it has finished; try again then") from None
            if time.monotonic() >= deadline:
                raise AccessNotLogged(
                    f"other vrn processes (the last pid {e.pid}) kept the log of {warehouse} "
                    f"busy for {wait:g} s; try again") from None
        except (duckdb.Error, OSError) as e:
            raise AccessNotLogged(f"{type(e).__name__}: {e}") from None
        time.sleep(0.05)
