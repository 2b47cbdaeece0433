"""The `vrn` command line (DESIGN.md "Command line": a contract scripts and tests call).

Exit codes: 0 done; 1 a check blocked an export (reasons printed) or a step failed;
2 usage or configuration error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vrn.privacy import disable_telemetry
from vrn.settings import Settings

if TYPE_CHECKING:
    from orchestration.inputs import RunInputs

disable_telemetry()

app = typer.Typer(
    help="vrn-warehouse: LLR Violence Reduction Network data warehouse.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

LandingOpt = Annotated[Path | None, typer.Option("--landing", help="Landing folder [VRN_LANDING].")]
WarehouseOpt = Annotated[
    Path | None, typer.Option("--warehouse", help="DuckDB warehouse file [VRN_WAREHOUSE].")
]
ExportsOpt = Annotated[Path | None, typer.Option("--exports", help="Exports folder [VRN_EXPORTS].")]


@app.callback()
def _owner_only() -> None:
    # Before any command: what vrn creates (warehouse, exports, logs, Dagster's history)
    # is readable by its owner only (vrn.lock.owner_only_umask).
    from vrn.lock import owner_only_umask

    owner_only_umask()


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} {value!r} is not a date in YYYY-MM-DD form") from None


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Landing folder to write.")],
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes.")] = 42,
    scale: Annotated[float, typer.Option(help="Volume multiplier (1.0 = real LLR).")] = 1.0,
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")] = "2019-04-01",
    end: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD.")] = "2025-03-31",
    defects: Annotated[float, typer.Option(help="Share of rows given real-world defects.")] = 0.0,
    truth: Annotated[
        Path | None, typer.Option(help="Truth folder (default: <out>.truth, beside the landing).")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Replace an earlier drop in --out instead of refusing.")
    ] = False,
) -> None:
    """Write a synthetic partner landing drop per the extract specification."""
    from synthetic.generate import generate as run_generate

    d0, d1 = _parse_date(start, "--start"), _parse_date(end, "--end")
    if d1 < d0:
        raise _fail("--end is before --start")
    if scale <= 0:
        raise _fail("--scale must be positive")
    if not 0 <= defects <= 0.5:
        raise _fail("--defects must be between 0 and 0.5")
    try:
        summary = _generate_with_progress(
            run_generate, out, seed, scale, d0, d1, defects, truth, overwrite
        )
    except (FileExistsError, ValueError) as e:
        raise _fail(str(e).replace("overwrite=True", "--overwrite")) from None
    concise = {k: v for k, v in summary.items() if k != "files"}
    typer.echo(json.dumps(concise, indent=2, default=str))


def _generate_with_progress(
    run_generate, out, seed, scale, d0, d1, defects, truth, overwrite=False
) -> dict:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
        TextColumn("{task.completed} files"), TimeElapsedColumn(), transient=False,
    ) as progress:
        task = progress.add_task("generating", total=None)

        def tick(message: str) -> None:
            progress.update(task, advance=1, description=message)

        summary = run_generate(
            out.resolve(), seed=seed, scale=scale, start=d0, end=d1, defects=defects,
            truth=truth.resolve() if truth else None, progress=tick, overwrite=overwrite,
        )
        progress.update(task, description="generated", total=progress.tasks[0].completed)
    return summary


@app.command()
def run(
    landing: LandingOpt = None,
    warehouse: WarehouseOpt = None,
    exports: ExportsOpt = None,
    wait: Annotated[
        bool, typer.Option(help="Wait for another running vrn to finish (else exit 2).")
    ] = True,
    force: Annotated[
        bool, typer.Option(help="Run every step even when nothing has changed since the "
                                "last successful run.")
    ] = False,
) -> None:
    """Ingest new files, build every model, run every check, publish what passed.

    When the landing files, the code and the exports folder are exactly as the last
    successful run left them, there is nothing to do: the run says so and stops."""
    settings = Settings.from_env(landing, warehouse, exports)
    code = _run(settings, wait, force)
    raise typer.Exit(code)


def _nothing_new(settings: Settings, inputs: RunInputs) -> bool:
    """If nothing changed since the last successful run, record and say so (True)."""
    import uuid

    from orchestration.inputs import last_run, nothing_new, record_nothing_new

    last = last_run(settings.warehouse)
    if not nothing_new(inputs, last):
        return False
    started_at, run_id = datetime.now(), str(uuid.uuid4())
    typer.echo(f"run {run_id}: landing {settings.landing} → warehouse {settings.warehouse}")
    assert last is not None  # nothing_new says so
    typer.echo(record_nothing_new(settings.warehouse, run_id, inputs, last, started_at))
    from vrn.status import unchanged_lines

    typer.echo("nothing to do (vrn run --force runs every step); the exports as published:")
    for line in unchanged_lines(settings.warehouse):
        typer.echo(line)
    return True


def _run(settings: Settings, wait: bool, force: bool = False) -> int:
    from vrn.lock import WarehouseBusy, check_no_other_program_holds, warehouse_lock

    if not settings.landing.is_dir():
        raise _fail(
            f"landing folder {settings.landing} does not exist (set --landing or VRN_LANDING)"
        )
    try:
        with warehouse_lock(
            settings.warehouse,
            wait_seconds=None if wait else 0,
            on_wait=lambda pid: typer.echo(
                f"waiting: another vrn (pid {pid}) is writing the warehouse"
            ),
        ):
            check_no_other_program_holds(settings.warehouse)  # tightens its mode, too
            from exports.folder import owner_only_tree
            from orchestration.inputs import RunInputs

            # Exports an earlier version left wider than owner-only (a chmod changes no
            # modification time: the inputs below are the same either way).
            owner_only_tree(settings.exports)

            # Taken before anything heavy is imported: a run with nothing new is a second.
            inputs = RunInputs.of(settings)
            if not force and _nothing_new(settings, inputs):
                return 0
            from vrn.manifest import parse_beside

            parse_beside()  # dbt's parse, when due, beside the imports below
            from orchestration.run import run_pipeline

            outcome = run_pipeline(settings, echo=typer.echo, inputs=inputs)
    except WarehouseBusy as e:
        raise _fail(str(e)) from None
    return outcome.exit_code


@app.command()
def demo(
    scale: Annotated[float, typer.Option(help="Volume of the generated drop.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
) -> None:
    """Generate a sample drop into data/landing if it is empty, then run with the defaults."""
    settings = Settings.from_env()
    if not settings.landing.exists() or not any(settings.landing.iterdir()):
        from synthetic.generate import generate as run_generate

        typer.echo(f"generating a synthetic drop into {settings.landing} (scale {scale})")
        summary = _generate_with_progress(
            run_generate, settings.landing, seed, scale, date(2019, 4, 1), date(2025, 3, 31),
            0.0, None,
        )
        typer.echo(f"wrote {summary.get('file_count', '?')} files; truth in {summary.get('truth')}")
    else:
        typer.echo(f"{settings.landing} already holds files: running on them")
    raise typer.Exit(_run(settings, wait=True))


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run read-only against the warehouse.")],
    fmt: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
    warehouse: WarehouseOpt = None,
) -> None:
    """Answer SQL against the warehouse, read-only. Every query is logged first in
    audit.access (who, when, the SQL text); one that cannot be logged is not run."""
    import duckdb
    import pandas as pd

    from vrn.lock import QUERY, AccessNotLogged, access_row, record_access

    if fmt not in ("table", "csv", "json"):
        raise _fail("--format must be table, csv or json")
    settings = Settings.from_env(warehouse=warehouse)
    if not settings.warehouse.exists():
        raise _fail(f"no warehouse at {settings.warehouse}: run `vrn run` first")
    # Data Protection Act 2018 s.62: logged before it runs, or not run at all.
    requested = access_row(QUERY, sql, "requested")
    try:
        record_access(settings.warehouse, requested)
    except AccessNotLogged as e:
        raise _fail("query not run: every query is logged in audit.access before it is "
                    f"answered (Data Protection Act 2018 s.62), and this one cannot be: {e}"
                    ) from None

    def outcome(result: str, rows: int | None = None, reason: str | None = None) -> None:
        """The query's outcome, a second row of the same access (the first stays as it
        is). Should a run take the warehouse meanwhile, the query stays logged as
        requested: say so, and answer it."""
        try:
            record_access(settings.warehouse, access_row(
                QUERY, sql, result, access_id=requested["access_id"], rows_returned=rows,
                reason=reason))
        except AccessNotLogged as e:
            typer.secho(f"note: the query is logged in audit.access, its outcome ({result}) "
                        f"could not be added: {e}", fg=typer.colors.YELLOW, err=True)

    try:
        con = duckdb.connect(str(settings.warehouse), read_only=True)
    except duckdb.IOException as e:
        outcome("failed", reason=str(e))
        raise _fail(f"the warehouse is being written by a run; try again shortly ({e})") from None
    error: duckdb.Error | None = None
    try:
        rel = con.sql(sql)
        frame = rel.df() if rel is not None else pd.DataFrame()  # None: not a SELECT
    except duckdb.Error as e:
        error = e
    finally:
        con.close()  # before the outcome is written: one process, one kind of connection
    if error is not None:
        outcome("failed", reason=str(error))
        raise _fail(f"query failed: {error}")
    outcome("served", rows=len(frame))
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        typer.echo(frame.to_json(orient="records", date_format="iso", indent=2))
    else:
        with pd.option_context("display.max_rows", 500, "display.max_columns", 50,
                               "display.width", 200):
            typer.echo(frame.to_string(index=False) if len(frame) else "(no rows)")


@app.command()
def status(
    landing: Annotated[Path | None, typer.Option(
        "--landing", help="Landing folder to compare with the audit trail [VRN_LANDING]: "
                          "lock files ignored, loaded files no longer there.")] = None,
    warehouse: WarehouseOpt = None,
    exports: Annotated[Path | None, typer.Option(
        "--exports", help="Exports folder whose modes to check [VRN_EXPORTS] (default: the "
                          "one the warehouse last published to).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print it all as JSON.")] = False,
) -> None:
    """Files loaded, rows quarantined and why, last runs, every partner × quarter export,
    and who can read the warehouse and exports (with the accesses logged)."""
    import duckdb

    from vrn.status import render_status, status_data, status_json

    settings = Settings.from_env(landing=landing, warehouse=warehouse, exports=exports)
    if not settings.warehouse.exists():
        raise _fail(f"no warehouse at {settings.warehouse}: run `vrn run` first")
    given = exports is not None or "VRN_EXPORTS" in os.environ
    # Only a landing folder named: the default may not be the one this warehouse reads.
    named = landing is not None or "VRN_LANDING" in os.environ
    try:
        data = status_data(settings.warehouse, settings.exports if given else None,
                           default_exports=settings.exports,
                           landing=settings.landing if named else None)
    except duckdb.IOException as e:
        raise _fail(f"the warehouse is being written by a run; try again shortly ({e})") from None
    typer.echo(status_json(data) if as_json else render_status(data))


@app.command()
def profile(
    partner: Annotated[str, typer.Option("--partner", help="Partner, e.g. csp-charnwood.")],
    quarter: Annotated[str, typer.Option("--quarter", help="Export quarter, e.g. 2024-25Q2.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the profile into.")],
    warehouse: WarehouseOpt = None,
) -> None:
    """Write one partner's profile (profile.html, profile.pdf) for a quick look: read-only,
    nothing published, no audit row."""
    import duckdb

    from exports.catalog import load_catalog
    from exports.profiles.profile import profile_from_warehouse
    from exports.warehouse import MissingTable
    from vrn.manifest import ensure_manifest

    settings = Settings.from_env(warehouse=warehouse)
    if not settings.warehouse.exists():
        raise _fail(f"no warehouse at {settings.warehouse}: run `vrn run` first")
    catalog = load_catalog(ensure_manifest())
    if partner not in catalog.names:
        raise _fail(f"unknown partner {partner!r}; expected one of {', '.join(catalog.names)}")
    typer.echo(f"building the {partner} profile for {quarter} from {settings.warehouse}")
    try:
        files = profile_from_warehouse(settings.warehouse, catalog, partner, quarter,
                                       say=typer.echo)
    except duckdb.IOException as e:
        raise _fail(f"the warehouse is being written by a run; try again shortly ({e})") from None
    except (ValueError, MissingTable) as e:
        raise _fail(str(e)) from None
    if not files:
        raise _fail(f"{partner} gets no profile (CSP partners and opcc do)")
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
        typer.echo(f"wrote {out / name} ({len(data):,} bytes)")


@app.command()
def ui(
    landing: LandingOpt = None,
    warehouse: WarehouseOpt = None,
    exports: ExportsOpt = None,
    port: Annotated[int, typer.Option(help="Web UI port.")] = 3000,
) -> None:
    """The Dagster web UI on this project."""
    from orchestration.instance import prepare_dagster_home

    settings = Settings.from_env(landing, warehouse, exports)
    home = prepare_dagster_home(settings.warehouse)
    # `dagster dev` loads the definitions in processes of its own: the paths reach their
    # default warehouse resource through the environment of that child only.
    env = {**os.environ, "DAGSTER_HOME": str(home), "VRN_LANDING": str(settings.landing),
           "VRN_WAREHOUSE": str(settings.warehouse), "VRN_EXPORTS": str(settings.exports)}
    dagster = Path(sys.executable).with_name("dagster")
    cmd = [str(dagster), "dev", "-m", "orchestration.definitions", "-p", str(port)]
    typer.echo(f"starting Dagster UI on http://127.0.0.1:{port} ({datetime.now():%H:%M})")
    raise typer.Exit(subprocess.call(cmd, env=env))


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
