"""When `vrn run`'s dbt build must build the incremental models whole (`--full-refresh`).

The police models built crime by crime (dbt_project/macros/crime_chain.sql) rebuild only
the crimes whose staged rows changed since they last built them. What that digest of the
rows cannot see, the SQL, the macros, the seeds, dbt and DuckDB, needs every crime built
again: so a build passes `--full-refresh` unless the code (`dbt_unit_tests.code_key`)
is exactly the code this warehouse's models were last built with by a build that
succeeded. The key is kept in the warehouse (`BUILT_TABLE`), not beside the dbt project:
another warehouse may have been built by other code.

A build that fails leaves the key as it was: after a failed full refresh the next build
is a full refresh again, while a failed incremental build on unchanged code needs none
(each model catches up with the model it is built from by itself).
"""

from __future__ import annotations

import duckdb

BUILT_TABLE = "audit.dbt_built_code"
FULL_REFRESH = ("--full-refresh",)


def built_with(con: duckdb.DuckDBPyConnection) -> str | None:
    """The code key of the warehouse's last successful build; None when there is none (a
    new warehouse, or one from before the key was kept)."""
    try:
        row = con.execute(f"select code_key from {BUILT_TABLE}").fetchone()
    except duckdb.CatalogException:  # no such table
        return None
    return row[0] if row else None


def build_args(key: str, con: duckdb.DuckDBPyConnection | None) -> list[str]:
    """`--full-refresh` unless the warehouse (`con`; None: no file yet) was last built,
    successfully, by code `key`."""
    return [] if con is not None and built_with(con) == key else list(FULL_REFRESH)


def record(key: str, con: duckdb.DuckDBPyConnection) -> None:
    """After a successful build: the warehouse's models are built by code `key`."""
    schema, _ = BUILT_TABLE.split(".")
    con.execute(f"create schema if not exists {schema}")
    con.execute(f"""create or replace table {BUILT_TABLE} as
                    select ?::varchar as code_key, now() as built_at""", [key])
