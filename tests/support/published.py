"""A warehouse built the way `vrn run` builds it up to the exports, for the export tests.

A generated drop is ingested, linked and built by one `dbt build` of every model, as
`vrn run` does before it publishes.
Tests take a copy, change the audit trail or raw rows the way a partner's file would, and
rebuild with `rebuild` when the change must flow through the models.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from ingest.load import ingest_landing
from vrn.manifest import PARTIAL_PARSE, dbt_executable
from vrn.reference import DBT_PROJECT_DIR


def run_dbt(command: str, warehouse: Path, workdir: Path, *extra: str,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """One dbt `command` of the project against `warehouse`, telemetry off (PITFALLS 9),
    its target and logs in `workdir`; `env` adds to the environment.

    Started as `vrn run` starts dbt (`orchestration.dbt_assets.dbt_vars`): in the
    warehouse's folder, the file's name as `--vars`, from the project's saved parse state
    (`vrn.manifest.PARTIAL_PARSE`), so that dbt re-reads only what changed since instead
    of parsing the whole project again (about 9 s a build)."""
    target = (workdir / "target").resolve()
    target.mkdir(parents=True, exist_ok=True)
    if PARTIAL_PARSE.is_file() and not (target / PARTIAL_PARSE.name).exists():
        shutil.copyfile(PARTIAL_PARSE, target / PARTIAL_PARSE.name)
    env = {**os.environ, **(env or {}), "DO_NOT_TRACK": "1",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    env.pop("VRN_WAREHOUSE", None)
    return subprocess.run(
        [dbt_executable(), command, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
         "--log-path", str((workdir / "logs").resolve()),
         "--vars", json.dumps({"warehouse": warehouse.name}), *extra],
        env=env, capture_output=True, text=True, check=False, cwd=warehouse.resolve().parent,
    )


def dbt_build(warehouse: Path, workdir: Path, *extra: str, people: bool = False
              ) -> subprocess.CompletedProcess:
    """One `dbt build` of the project against `warehouse`. The people marts (which need
    `linkage.person_links`) and what reads them are left out unless `people`."""
    return run_dbt("build", warehouse, workdir,
                   *([] if people else ["--exclude", "path:models/marts/people+"]), *extra)


def build_published_warehouse(landing: Path, warehouse: Path) -> Path:
    """Ingest, link and build every model, as `vrn run` does before publishing (opcc's
    needs-assessment tables read the people marts)."""
    with duckdb.connect(str(warehouse)) as con:
        ingest_landing(con, landing)
    rebuild(warehouse)
    return warehouse


def build_linked_warehouse(landing: Path, warehouse: Path) -> Path:
    """As `vrn run` builds it, linkage included: ingest, link, then every model."""
    return build_published_warehouse(landing, warehouse)


def published_copy(base: Path, folder: Path) -> Path:
    """A private copy of the built warehouse in `folder` (its dbt target goes beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(base, folder / "warehouse.duckdb"))


def rebuild(warehouse: Path) -> None:
    """Link again and rebuild the models after a test changed what a partner sent."""
    from linkage.model import run_linkage

    with duckdb.connect(str(warehouse)) as con:
        run_linkage(con)
    done = dbt_build(warehouse, warehouse.parent / "dbt", people=True)
    if done.returncode != 0:
        raise AssertionError("dbt build failed:\n" + done.stdout[-6000:] + done.stderr[-2000:])


def reject_file(warehouse: Path, file_name: str, reason: str) -> None:
    """What the ingest records when a partner's file is rejected: its rows are not in
    `raw`, its current audit row says `rejected` with the reason."""
    with duckdb.connect(str(warehouse)) as con:
        ((source, entity),) = con.execute(
            "SELECT source, entity FROM audit.files WHERE file_name = ? AND outcome = 'loaded'",
            [file_name]).fetchall()
        table = f"raw.{source.split('/')[0]}__{entity}"
        con.execute(f"DELETE FROM {table} WHERE file_name = ?", [file_name])
        con.execute("UPDATE audit.files SET outcome = 'rejected', reason = ?, "
                    "rows_loaded = 0 WHERE file_name = ? AND outcome = 'loaded'",
                    [reason, file_name])


def gates_of(warehouse: Path) -> list:
    """Every Great Expectations suite's verdict on `warehouse`, as the Dagster checks
    give them to the export assets (`exports.gates.Gate`, sources from dbt lineage)."""
    from expectations.gx_suites import SUITES_ALL, read_lineage, run_suite
    from exports.warehouse import read_only

    with read_only(warehouse) as con:
        sources = read_lineage(con)
        results = [run_suite(con, s) for s in SUITES_ALL]
    return [r.gate(sources.get(r.suite.model, ())) for r in results]
