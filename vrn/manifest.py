"""The dbt project's manifest: where it is, and parsing it when it is stale.

The partner exports (which `pub_` models each partner receives, their columns and
disclosure shape), the Soda contracts and the Dagster dbt assets all read dbt's
`manifest.json`; this is the one place that finds or refreshes it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from vrn.files import write_whole
from vrn.reference import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
# dbt's parse state. dagster-dbt copies it from here into each build's own target folder
# (dbt then re-reads only the files whose checksums changed), never back.
PARTIAL_PARSE = MANIFEST.with_name("partial_parse.msgpack")


def dbt_executable() -> str:
    """The dbt of this virtualenv (PITFALLS 2), not whatever is first on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


# What dbt parses: the project's own folders and files. Never its `target/` (tens of
# thousands of compiled files after a few builds: walking it cost seconds at every start).
_SOURCE_FOLDERS = ("models", "seeds", "macros", "tests", "analyses", "snapshots")
_SOURCE_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")


def _newest_source_mtime() -> float:
    newest = max((p.stat().st_mtime for name in _SOURCE_FILES
                  if (p := DBT_PROJECT_DIR / name).exists()), default=0.0)
    for folder in _SOURCE_FOLDERS:
        for root, _dirs, files in os.walk(DBT_PROJECT_DIR / folder):
            for name in files:
                newest = max(newest, os.stat(os.path.join(root, name)).st_mtime)
    return newest


# The `--vars` of `ensure_manifest`'s parse: those of a run's build of a warehouse named
# as the default one (`orchestration.dbt_assets.dbt_vars`), so that its first build finds
# this parse state its own and re-reads only what changed since.
PARSE_VARS = json.dumps({"warehouse": "warehouse.duckdb"})


def ensure_manifest() -> Path:
    """Parse the project when the manifest is missing or older than any project file,
    so a fresh clone (the target folder is not committed) works without a manual step."""
    # Several processes may start at once (test workers, the UI beside a run): one parses,
    # the others wait on the lock and then find the manifest fresh.
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    with (MANIFEST.parent / "manifest.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not MANIFEST.exists() or MANIFEST.stat().st_mtime < _newest_source_mtime():
            subprocess.run(
                [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                 "--profiles-dir", str(DBT_PROJECT_DIR), "--vars", PARSE_VARS],
                check=True, env={**os.environ, "DO_NOT_TRACK": "1"},
            )
    return MANIFEST


def parse_beside() -> threading.Thread:
    """`ensure_manifest` in a thread of its own, started now: a `vrn run` starts it before
    it imports the pipeline, so that on a fresh clone (or after a change to the dbt
    project) dbt's parse, a process of its own of about 8 CPU s, runs beside those
    imports instead of after them. The pipeline's own `ensure_manifest` then waits on the
    lock for it and finds the manifest fresh. Should the parse fail, the thread says
    nothing: the pipeline's call parses again and raises as it always has."""
    def parse() -> None:
        with contextlib.suppress(Exception):
            ensure_manifest()

    thread = threading.Thread(target=parse, name="dbt-parse", daemon=True)
    thread.start()
    return thread


def read_manifest(path: Path | None = None) -> dict[str, Any]:
    """The manifest, parsed (by default the project's, made fresh first). Parsed once per
    version of the file in a process, and only the latest version kept: the Dagster dbt
    assets and the export catalog both read it while the definitions load (a few MB of
    JSON). The same dict is handed to every caller: read it, never change it."""
    path = Path(path) if path is not None else ensure_manifest()
    stat = path.stat()
    return _parsed(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1)
def _parsed(path: Path, _mtime_ns: int, _size: int) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def keep_partial_parse(build_target: Path, kept: Path = PARTIAL_PARSE) -> bool:
    """Keep a build's parse state where the next build starts from.

    dbt reuses a saved parse only when the command-line `--vars` and the profile are the
    ones it was saved with; a run passes its warehouse file's name as `--vars`, which
    `ensure_manifest`'s own parse has only for the default name, so without this a run
    could parse the whole project again (about 10 s; a build after a build of a warehouse
    of the same name re-reads only the changed files, about 3 s). dbt checks that state
    itself (vars, profile, dbt version, every file's checksum) and parses in full when
    anything differs: a state from another warehouse name or older code costs a full
    parse, never a wrong one."""
    source = build_target / PARTIAL_PARSE.name
    if not source.is_file():  # dbt stopped before it had parsed
        return False
    write_whole(kept, source.read_bytes())
    return True
