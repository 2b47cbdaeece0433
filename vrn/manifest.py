"""The dbt project's manifest: where it is, and parsing it when it is stale.

The partner exports (which `pub_` models each partner receives, their columns and
disclosure shape), the Soda contracts and the Dagster dbt assets all read dbt's
`manifest.json`; this is the one place that finds or refreshes it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

from vrn.reference import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


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
                 "--profiles-dir", str(DBT_PROJECT_DIR)],
                check=True, env={**os.environ, "DO_NOT_TRACK": "1"},
            )
    return MANIFEST
