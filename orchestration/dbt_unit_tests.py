"""dbt's unit tests, run when the code they test has changed.

A dbt unit test runs a model's SQL on rows written in its YAML (`given`), never on the
warehouse's data: its verdict depends on the code alone (the models, macros and seeds,
and the dbt and DuckDB that run them). dbt's own advice is to run them in development and
CI and leave them out of production builds (`--exclude-resource-type unit_test`). `vrn
run` does both: its `dbt build` runs every unit test whenever the code is not exactly the
code on which all of them last passed, and leaves them out otherwise (about 15 s of
every run). "The code" is `vrn.listing.code_digest` (every file of the packages, the dbt
project and `uv.lock`, by name, size and modification time: a file touched counts as
changed) with the installed versions of dbt-core, dbt-duckdb and DuckDB.

The last passing code is kept in dbt's `target/` folder, beside the manifest: a fresh
clone, or a cleaned `target/`, runs them all again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from vrn.files import write_whole
from vrn.listing import code_digest
from vrn.reference import DBT_PROJECT_DIR

PASSED_FILE = DBT_PROJECT_DIR / "target" / "unit-tests-passed"
SKIP_ARGS = ("--exclude-resource-type", "unit_test")
VERSIONED = ("dbt-core", "dbt-duckdb", "duckdb")


def code_key() -> str:
    """What a unit test's verdict depends on, as one digest."""
    parts = [code_digest(), *(f"{p}=={metadata.version(p)}" for p in VERSIONED)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def passed_on(key: str, passed_file: Path = PASSED_FILE) -> bool:
    """Whether every unit test passed on the code `key` names."""
    try:
        return passed_file.read_text(encoding="utf-8").strip() == key
    except OSError:
        return False


def build_args(key: str, passed_file: Path = PASSED_FILE) -> list[str]:
    """The `dbt build` arguments that leave the unit tests out, when they passed on this
    very code; none otherwise."""
    return list(SKIP_ARGS) if passed_on(key, passed_file) else []


def all_passed(run_results: Mapping[str, Any], manifest: Mapping[str, Any]) -> bool:
    """Whether this build ran every unit test of the project and each passed."""
    expected = set(manifest.get("unit_tests", {}))
    ran = {r["unique_id"]: r.get("status") for r in run_results.get("results", [])
           if r.get("unique_id", "").startswith("unit_test.")}
    return bool(expected) and set(ran) == expected and all(
        status == "pass" for status in ran.values())


def record(key: str, run_results: Mapping[str, Any], manifest: Mapping[str, Any],
           passed_file: Path = PASSED_FILE) -> bool:
    """After a build that ran them: keep `key` as the code every unit test passed on, or
    forget any earlier code when one did not pass. Whether they all passed."""
    ok = all_passed(run_results, manifest)
    if ok:
        passed_file.parent.mkdir(parents=True, exist_ok=True)
        write_whole(passed_file, (key + "\n").encode("utf-8"))
    else:
        passed_file.unlink(missing_ok=True)
    return ok
