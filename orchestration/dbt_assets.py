"""The dbt project as Dagster assets: one `@dbt_assets` so every model is an asset and
every error-severity dbt test a blocking check on it (PITFALLS 7), run as ONE `dbt build`
per run (PITFALLS 12: dbt's fixed cost is ~4.5 s).

Asset keys are `[schema, model]` (`["marts", "fct_rasso"]`); a `raw` source table is
the asset `["raw", "<table>"]` its ingest step materializes; other sources (linkage) map
through `meta.dagster.asset_key` in their `__sources.yml`.

The warehouse file reaches dbt from the run's `WarehouseResource` as its name in `--vars`,
dbt being started in its folder (`dbt_vars`), so that dbt's saved parse state serves
every warehouse of that name; dbt's own lines go to a log file and only its summary and
failures to the console (`dbt_console`); every model and seed it builds reports its row
count (`row_counts`). dbt's unit tests run in the build when the code changed since they
last all passed (`dbt_unit_tests`); the incremental models are built whole when the code
changed since the warehouse was last built (`dbt_incremental`). The build's parse state
is kept for the next build (`vrn.manifest.keep_partial_parse`).
"""

import json
import os
import sys
from collections.abc import Mapping, Sequence
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging.version import Version

from orchestration import dbt_incremental, dbt_unit_tests
from orchestration.dbt_console import build_quietly, dbt_log_path
from orchestration.resources import WarehouseResource
from orchestration.row_counts import count_dbt_rows, with_row_counts
from vrn.files import write_whole
from vrn.manifest import dbt_executable, keep_partial_parse, read_manifest
from vrn.reference import DBT_PROJECT_DIR


class VrnDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type in ("model", "seed", "snapshot"):
            schema = dbt_resource_props.get("schema") or "main"
            return AssetKey([schema, dbt_resource_props["name"]])
        if resource_type == "source" and dbt_resource_props.get("schema") == "raw":
            # One asset per raw table, written by its ingest step.
            return AssetKey(["raw", dbt_resource_props["identifier"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return dbt_resource_props.get("schema") or "warehouse"


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


@dbt_assets(
    manifest=read_manifest(),  # parsed once, also for the export catalog
    project=dbt_project,
    dagster_dbt_translator=VrnDbtTranslator(),
    pool="warehouse",
)
def warehouse_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Seeds, staging, intermediate and marts, with their tests, in one `dbt build`."""
    log_path = dbt_log_path(warehouse.logs_path, context.run_id)
    context.log.info(f"dbt's full output: {log_path}")
    os.environ["VRN_DBT_PARENT"] = str(os.getpid())  # read by the launcher
    os.environ["VRN_DBT_CWD"] = str(dbt_folder(warehouse))  # and this
    code = dbt_unit_tests.code_key()
    skip = dbt_unit_tests.build_args(code)
    if skip:
        context.log.info("dbt unit tests: every one passed on this very code "
                         f"({dbt_unit_tests.PASSED_FILE}); not run again")
    refresh = built_code_args(code, warehouse)
    if refresh:
        context.log.info("dbt: every crime built again (--full-refresh): this warehouse "
                         "was not last built by this very code")
    invocation = dbt.cli(build_args(dbt_vars(warehouse), skip, refresh), context=context,
                         raise_on_error=False)
    events = build_quietly(invocation, log_path, context.log)
    keep_partial_parse(invocation.target_path)
    if not skip:
        try:
            results = invocation.get_artifact("run_results.json")
        except (OSError, ValueError):  # dbt stopped before writing it
            results = {}
        if not dbt_unit_tests.record(code, results, invocation.manifest):
            context.log.info("dbt unit tests: not all passed; they run again next time")
    counts: dict[str, int] = {}
    if warehouse.warehouse_path.exists():
        # dbt has exited: the file is free (PITFALLS 6); written only after a build that
        # succeeded, to keep the code it was built by (`dbt_incremental`).
        built = invocation.process.poll() == 0
        with warehouse.connect(read_only=not built) as con:
            if built:
                dbt_incremental.record(code, con)
            counts = count_dbt_rows(con, events, invocation.manifest)
    yield from with_row_counts(events, counts)


def built_code_args(code: str, warehouse: WarehouseResource) -> list[str]:
    """`--full-refresh` unless the warehouse's models were last built by code `code`
    (`dbt_incremental`)."""
    if not warehouse.warehouse_path.exists():
        return dbt_incremental.build_args(code, None)
    with warehouse.connect(read_only=True) as con:
        return dbt_incremental.build_args(code, con)


def build_args(vars_json: str, skip_unit_tests: Sequence[str],
               full_refresh: Sequence[str] = ()) -> list[str]:
    """`dbt build`'s arguments. dbt's JSON artifacts (`manifest.json`, 4 MB and written
    twice, `run_results.json`, `graph.gpickle`: about 1 CPU s a build) are written only
    when the unit tests run, whose verdict is read from `run_results.json`; nothing else
    reads them (the run's manifest is `vrn.manifest`'s, rows are counted in the warehouse,
    and dbt keeps its parse state, `partial_parse.msgpack`, either way)."""
    no_artifacts = ["--no-write-json"] if skip_unit_tests else []
    return ["build", "--vars", vars_json, *skip_unit_tests, *full_refresh, *no_artifacts]


def dbt_vars(warehouse: WarehouseResource) -> str:
    """`--vars` naming the warehouse file: profiles.yml reads `var('warehouse')`, so dbt
    builds the file this run's resource names, whatever the environment says.

    The name alone, dbt being started in the file's folder (`dbt_folder`, by the
    launcher): dbt reuses its saved parse state only under the `--vars` and the profile
    (the file's path included) it was saved with, and parses the whole project again
    otherwise (about 9 s). With the folder's path out of both, the state saved by a build
    of one warehouse serves the next build of any warehouse of the same name, as does
    `vrn.manifest`'s own parse (`PARSE_VARS`) for the first build of all."""
    return json.dumps({"warehouse": warehouse.warehouse_path.name})


def dbt_folder(warehouse: WarehouseResource) -> Path:
    """The folder dbt is started in: the warehouse file's, so that its name opens it."""
    return warehouse.warehouse_path.resolve().parent


# dbt runs as a child process. Killed with `kill -9`, a run cannot stop it, and an
# orphaned dbt would go on writing the warehouse after the run's lock was released. So
# dbt is started through this launcher, which asks Linux to kill it when its parent dies
# (PR_SET_PDEATHSIG) and gives up if the parent is already gone; elsewhere it just runs dbt.
# It starts dbt in the warehouse's folder (`dbt_vars`), dbt's log and target paths, given
# relative to the project folder dbt is started from, made absolute first (dbt resolves
# the log path against the folder it runs in).
_LAUNCHER = """#!{python}
# Written by orchestration/dbt_assets.py: dbt, killed with the run that started it.
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except AttributeError:  # not Linux
    pass
if os.getppid() != int(os.environ.get("VRN_DBT_PARENT", os.getppid())):
    sys.exit("the run that started dbt has ended; dbt was not started")
if os.environ.get("VRN_DBT_CWD"):
    for name in ("DBT_LOG_PATH", "DBT_TARGET_PATH"):
        if os.environ.get(name):
            os.environ[name] = os.path.abspath(os.environ[name])
    os.chdir(os.environ["VRN_DBT_CWD"])
os.execv({dbt!r}, [{dbt!r}, *sys.argv[1:]])
"""


def dbt_launcher() -> str:
    """The launcher's path (under dbt's `target/`, written when missing or stale)."""
    path = DBT_PROJECT_DIR / "target" / "vrn-dbt-launcher"
    text = _LAUNCHER.format(python=sys.executable, dbt=dbt_executable())
    if not path.is_file() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, text.encode("utf-8"), mode=0o700)
    return str(path)


class WarehouseDbtCli(DbtCliResource):
    """dagster-dbt's resource, without the dbt adapter it builds in the run's own process.

    Before each `dbt build` dagster-dbt loads the project, its macros and its parse state
    into a dbt adapter in the run's process (about 1.2 CPU s a run), for `fetch_row_counts()`
    and `fetch_column_metadata()` alone. This project calls neither: it counts rows once
    dbt has exited (`row_counts`, PITFALLS 6), so the build goes without the adapter,
    as dagster-dbt's own invocation allows (its adapter is optional)."""

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None

    @cached_property
    def _cli_version(self) -> Version:  # type: ignore[override]
        """The version of the dbt the launcher runs, without running it.

        dagster-dbt asks `dbt --version` in a process of its own before each build: about
        2 CPU s of importing dbt, and dbt's `--version` asks PyPI for its latest release,
        a request leaving the machine at every run (PITFALLS 9). The launcher runs this
        virtualenv's dbt (`vrn.manifest.dbt_executable`), whose version is dbt-core's
        package metadata; a dbt found elsewhere on PATH is asked as dagster-dbt asks."""
        if Path(dbt_executable()).parent == Path(sys.executable).parent:
            return Version(metadata.version("dbt-core"))
        return DbtCliResource._cli_version.func(self)  # type: ignore[attr-defined]


def dbt_resource() -> DbtCliResource:
    return WarehouseDbtCli(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_launcher(),
    )
