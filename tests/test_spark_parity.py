"""The same dbt project on Apache Spark gives the same answers as on DuckDB.

`small_drop` (scale 0.05, 2023-24) is ingested, linked and built on DuckDB as `vrn run`
builds it (`published_base`). Its `raw.*`, `audit.*` and `linkage.*` tables are copied to
Parquet and registered in a local Spark (tools/spark_warehouse.py load), and the project
is built there with `dbt build --target spark` (seeds, every model, every dbt test). Then
every contract table of DESIGN.md ("Warehouse contract", `CONTRACT_MARTS`) is compared
row for row: the same columns, the same rows (in any order), numbers equal to 9
significant digits, null equal only to null. Any difference fails.

Needs the `spark` extra (`uv sync --extra spark`: dbt-spark, PySpark) and Java 17; .ci/run
installs both. Without them the test fails and says so: it never skips.
Marked `spark` (`pytest -m spark` runs it alone; 10 to 15 minutes on two cores).
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.util
import math
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parent.parent
SPARK_TOOL = ROOT / "tools" / "spark_warehouse.py"

# DESIGN.md, "Warehouse contract": every table schema `marts` must hold.
CONTRACT_MARTS = (
    "dim_date", "dim_geography", "dim_offence", "fct_serious_violence", "fct_rasso",
    "fct_custody_detention", "fct_assault_injury", "fct_icv_visit", "fct_service_return",
    "mart_sv_duty_measures", "mart_sv_by_area", "mart_rasso_performance", "dim_person",
    "bridge_person_record", "mart_cohort_risk_factors", "mart_policeuk_monthly",
    "mart_rates_by_age_sex", "mart_repeat_people", "mart_force_comparison",
)
SIGNIFICANT_DIGITS = 9


def _spark_ready() -> None:
    missing = [m for m in ("pyspark", "dbt.adapters.spark") if not _importable(m)]
    if missing:
        pytest.fail(f"the Spark target needs {', '.join(missing)}: install the `spark` extra "
                    "(`uv sync --extra spark`), as .ci/run does", pytrace=False)
    if shutil.which("java") is None:
        pytest.fail("the Spark target needs Java 17 (`java` on PATH; Debian: "
                    "openjdk-17-jre-headless), as .ci/run installs", pytrace=False)


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _tool(step: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SPARK_TOOL), step, *args],
                          capture_output=True, text=True, check=False, cwd=ROOT)


@pytest.fixture(scope="module")
def spark_dir(published_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The DuckDB warehouse's inputs loaded into Spark and the project built there."""
    _spark_ready()
    folder = tmp_path_factory.mktemp("spark")
    loaded = _tool("load", "--warehouse", str(published_base), "--spark-dir", str(folder))
    assert loaded.returncode == 0, loaded.stdout[-6000:] + loaded.stderr[-3000:]
    built = _tool("build", "--spark-dir", str(folder))
    assert built.returncode == 0, built.stdout[-8000:] + built.stderr[-3000:]
    return folder


def _normal(value):
    """One cell as both engines' values compare: numbers to SIGNIFICANT_DIGITS, instants
    as naive UTC, lists as tuples."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, decimal.Decimal)):
        number = float(value)
        if math.isnan(number) or number == 0:
            return number
        return float(f"{number:.{SIGNIFICANT_DIGITS - 1}e}")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_normal(v) for v in value)
    return value


def _rows(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(f"SELECT * FROM {relation}")
    columns = [d[0] for d in cursor.description]
    rows = [tuple(_normal(v) for v in row) for row in cursor.fetchall()]
    order = sorted(range(len(columns)), key=lambda i: columns[i])
    rows = [tuple(row[i] for i in order) for row in rows]
    return sorted(columns), sorted(rows, key=lambda r: [(v is None, repr(v)) for v in r])


@pytest.mark.parametrize("mart", CONTRACT_MARTS)
def test_contract_mart_is_the_same_on_spark_as_on_duckdb(
        mart: str, spark_dir: Path, published_base: Path) -> None:
    files = spark_dir / "warehouse" / "marts.db" / mart
    assert files.is_dir(), f"Spark built no table marts.{mart} (looked in {files})"
    with duckdb.connect(str(published_base), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        duck_columns, duck_rows = _rows(con, f"marts.{mart}")
        spark_columns, spark_rows = _rows(con, f"read_parquet('{files}/*.parquet')")
    assert spark_columns == duck_columns
    assert len(spark_rows) == len(duck_rows), (
        f"marts.{mart}: {len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark")
    assert duck_rows, f"marts.{mart} is empty: the drop does not exercise it"
    differ = [(d, s) for d, s in zip(duck_rows, spark_rows, strict=True) if d != s]
    assert not differ, (f"marts.{mart}: {len(differ)} rows differ (columns {duck_columns}); "
                        f"first DuckDB vs Spark: {differ[:3]}")
