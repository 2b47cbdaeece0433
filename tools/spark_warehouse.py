"""Build the dbt project on Apache Spark from a DuckDB warehouse's inputs.

    uv sync --extra spark                     # dbt-spark and PySpark (Java 17 needed)
    uv run python tools/spark_warehouse.py load [--warehouse FILE] [--spark-dir DIR]
    uv run python tools/spark_warehouse.py build [--spark-dir DIR] [DBT BUILD ARGS…]

The dbt models read what is not theirs from `raw.*`, `audit.*` and `linkage.*` (ingest
and the Splink linkage write those into the DuckDB warehouse; they run on DuckDB only).
`load` copies those tables to Parquet under `<spark-dir>/sources/` (timestamps as UTC
instants, so Spark reads them as its `timestamp`) and registers each as an external
table of the same schema and name in Spark's metastore, by `dbt run-operation
register_parquet_sources` with the `spark` target: the Spark settings live only in
dbt_project/profiles.yml. `build` runs `dbt build --target spark` (seeds, models,
tests); the tables it makes are Parquet under `<spark-dir>/warehouse/<schema>.db/`.
Telemetry off (PITFALLS 9); nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from linkage.model import STATE_TABLE

ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = ROOT / "dbt_project"
# Written by ingest/ (raw, audit) and linkage/ (linkage); read by the models as sources.
SOURCE_SCHEMAS = ("raw", "audit", "linkage")
# What the linkage keeps for its next run: no model reads it.
NOT_SOURCES = (tuple(STATE_TABLE.split(".")),)


def export_sources(warehouse: Path, folder: Path) -> list[tuple[str, str]]:
    """Every table of SOURCE_SCHEMAS as `<folder>/<schema>/<table>/part-0.parquet`."""
    if folder.exists():
        shutil.rmtree(folder)
    tables = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        rows = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            f"WHERE schema_name IN {SOURCE_SCHEMAS} ORDER BY 1, 2").fetchall()
        for schema, table in rows:
            if (schema, table) in NOT_SOURCES:
                continue
            columns = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
                [schema, table]).fetchall()
            # A naive DuckDB timestamp is UTC wall-clock time: written as an instant, Spark
            # (session time zone UTC) reads the same value as its `timestamp`.
            select = ", ".join(
                f'CAST("{name}" AS TIMESTAMPTZ) AS "{name}"' if kind == "TIMESTAMP"
                else f'"{name}"' for name, kind in columns)
            target = folder / schema / table
            target.mkdir(parents=True)
            con.execute(f'COPY (SELECT {select} FROM "{schema}"."{table}") '
                        f"TO '{target / 'part-0.parquet'}' (FORMAT parquet)")
            tables.append((schema, table))
    return tables


def dbt(command: list[str], spark_dir: Path, workdir: Path) -> subprocess.CompletedProcess:
    """One dbt command against the `spark` target, telemetry off, Spark state in
    `spark_dir` (read by profiles.yml as VRN_SPARK_DIR)."""
    exe = shutil.which("dbt", path=str(Path(sys.executable).parent)) or "dbt"
    env = {**os.environ, "VRN_SPARK_DIR": str(spark_dir.resolve()), "DO_NOT_TRACK": "1",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    return subprocess.run(
        [exe, *command, "--target", "spark", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(workdir / "target"),
         "--log-path", str(workdir / "logs")],
        env=env, capture_output=True, text=True, check=False, cwd=workdir)


def load(warehouse: Path, spark_dir: Path) -> subprocess.CompletedProcess:
    """Copy the warehouse's source tables to Parquet and register them in Spark."""
    spark_dir.mkdir(parents=True, exist_ok=True)
    folder = spark_dir.resolve() / "sources"
    tables = export_sources(warehouse, folder)
    print(f"{len(tables)} tables of {', '.join(SOURCE_SCHEMAS)} written to {folder}")
    return dbt(["run-operation", "register_parquet_sources", "--args",
                f"{{folder: '{folder}'}}"], spark_dir, spark_dir.resolve())


def build(spark_dir: Path, extra: list[str]) -> subprocess.CompletedProcess:
    """`dbt build --target spark`: seeds, every model, every test."""
    return dbt(["build", *extra], spark_dir, spark_dir.resolve())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["load", "build"])
    parser.add_argument("--warehouse", type=Path, default=Path(
        os.environ.get("VRN_WAREHOUSE", "data/warehouse.duckdb")))
    parser.add_argument("--spark-dir", type=Path, default=Path(
        os.environ.get("VRN_SPARK_DIR", "data/spark")))
    # Anything else is passed to `dbt build` (e.g. `--select marts`).
    args, dbt_args = parser.parse_known_args(argv)
    done = (load(args.warehouse, args.spark_dir) if args.step == "load"
            else build(args.spark_dir, [a for a in dbt_args if a != "--"]))
    print(done.stdout[-20000:], end="")
    print(done.stderr[-5000:], end="", file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
