"""Reading the warehouse contract tables into pandas, over a read-only connection.

Exports and the Great Expectations suites rely ONLY on the DESIGN.md warehouse contract
(schema `marts`) plus `audit.files` for the manifest's sources. Reading is all this
module does; every figure is computed by pure functions elsewhere. Open the connection
only while no writer holds the file (PITFALLS 6) and close it before anything writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

# The contract columns each table is read with (DESIGN.md "Warehouse contract").
CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "dim_date": ("date", "financial_year", "fy_quarter", "month", "weekday"),
    "dim_geography": (
        "beat_code", "beat_name", "npa_name", "district_code", "district_name", "la_code",
        "la_name", "csp_name",
    ),
    "dim_offence": (
        "ho_offence_code", "description", "sv_group", "is_rape", "is_rasso",
        "is_ho_knife_offence",
    ),
    "fct_serious_violence": (
        "crime_ref", "recorded_date", "offence_date", "offence_hour", "financial_year",
        "ho_offence_code", "sv_group", "la_code", "district_code", "beat_code", "location_type",
        "is_knife_sharp", "is_knife_enabled_ho", "is_domestic_abuse", "is_sexual_violence",
        "victim_count", "youngest_victim_age", "suspect_count", "youngest_suspect_age",
    ),
    "fct_rasso": (
        "crime_ref", "recorded_date", "financial_year", "is_rape", "outcome_code",
        "outcome_date", "is_charged", "is_victim_not_supporting", "days_to_outcome",
        "victim_age", "victim_sex", "suspect_age",
    ),
    "fct_custody_detention": (
        "custody_ref", "suite_code", "arrived_at", "released_at", "detention_hours", "age",
        "is_juvenile", "sex", "ethnicity", "disposal", "arrest_ho_offence_code",
        "financial_year",
    ),
    "fct_assault_injury": (
        "source", "event_ref", "event_at", "financial_year", "age", "sex", "district_code",
        "la_code", "means", "is_sharp_object",
    ),
    "fct_icv_visit": (
        "visit_ref", "suite_code", "arrived_at", "admitted_at", "access_delay_minutes",
        "weekday", "time_slot", "financial_year", "detainees_in_cells", "offered", "agreed",
        "refused",
    ),
    "fct_service_return": ("fy_quarter", "service", "measure", "value"),
    "mart_sv_duty_measures": ("financial_year", "measure", "age_group", "value"),
    "mart_sv_by_area": (
        "financial_year", "area_level", "area_code", "area_name", "offences", "population",
        "rate_per_1000", "share_of_llr",
    ),
    "mart_rasso_performance": (
        "month_end", "rapes_12m", "rapes_per_1000_12m", "charge_rate_12m",
        "median_days_to_outcome_12m", "victim_not_supporting_rate_12m",
    ),
}
CONTRACT_TABLES: tuple[str, ...] = tuple(CONTRACT_COLUMNS)
DATE_COLUMNS = frozenset(
    {"date", "month", "recorded_date", "offence_date", "outcome_date", "month_end"})
TIMESTAMP_COLUMNS = frozenset({"arrived_at", "released_at", "event_at", "admitted_at"})


class MissingTable(RuntimeError):
    """A contract table (or column) the exports rely on is not in the warehouse."""


@contextmanager
def read_only(warehouse: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(warehouse)
    if not path.exists():
        raise MissingTable(f"warehouse {path} does not exist: run the ingest and dbt first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """`marts.<table>` with its contract columns, dates as `datetime.date`-normalised
    pandas timestamps and flags as plain booleans."""
    columns = CONTRACT_COLUMNS[table]
    present = {
        r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_name = ?", [table]).fetchall()
    }
    if not present:
        raise MissingTable(f"table marts.{table} is not in the warehouse")
    missing = [c for c in columns if c not in present]
    if missing:
        raise MissingTable(
            f"table marts.{table} lacks contract column(s) {', '.join(missing)}")
    select = ", ".join(f'"{c}"' for c in columns)
    frame = con.execute(f"SELECT {select} FROM marts.{table}").df()
    for c in columns:
        if c in DATE_COLUMNS or c in TIMESTAMP_COLUMNS:
            frame[c] = pd.to_datetime(frame[c])
    return frame


def read_tables(
    con: duckdb.DuckDBPyConnection, tables: Iterable[str]
) -> dict[str, pd.DataFrame]:
    return {t: read_table(con, t) for t in dict.fromkeys(tables)}


def read_loaded_files(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The current (loaded) version of every landing file: the manifest's sources."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'audit' AND table_name = 'files'").fetchone()[0]
    if not exists:
        raise MissingTable("table audit.files is not in the warehouse")
    return con.execute(
        "SELECT file_name, source, entity, period, sha256 FROM audit.files "
        "WHERE outcome = 'loaded' ORDER BY file_name").df()


def months_with_serious_violence(con: duckdb.DuckDBPyConnection) -> list:
    rows = con.execute(
        "SELECT DISTINCT date_trunc('month', recorded_date)::DATE "
        "FROM marts.fct_serious_violence WHERE recorded_date IS NOT NULL").fetchall()
    return [r[0] for r in rows]
