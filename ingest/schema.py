"""The warehouse's landing schemas: `raw`, `quarantine` and `audit`.

Raw tables hold every spec column, typed (dates parsed from either style), plus where the
row came from: the file's path under the landing folder, its SHA-256, the 1-based data
row number and the file's period label. Council tables add the council's `la_code`
(the landing folder it came from). dbt's staging models read these as sources.
"""

from __future__ import annotations

import duckdb

from ingest.specs import ENTITIES, Entity

LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("file_name", "VARCHAR NOT NULL"),
    ("file_sha256", "VARCHAR NOT NULL"),
    ("row_number", "INTEGER NOT NULL"),
    ("period", "VARCHAR NOT NULL"),
)

SERVICE_RETURNS_TABLE = "raw.commissioning__service_returns"
POLICEUK_TABLE = "raw.policeuk__street"
POLICEUK_COLUMNS = (
    "crime_id", "month", "reported_by", "falls_within", "longitude", "latitude", "location",
    "lsoa_code", "lsoa_name", "crime_type", "last_outcome_category", "context",
)


def raw_columns(entity: Entity) -> list[tuple[str, str]]:
    cols = [(c.name, c.sql_type) for c in entity.columns]
    if entity.source == "la":
        cols.insert(0, ("la_code", "VARCHAR NOT NULL"))
    return cols + list(LINEAGE_COLUMNS)


def _create(con: duckdb.DuckDBPyConnection, table: str, cols: list[tuple[str, str]]) -> None:
    body = ",\n  ".join(f'"{n}" {t}' for n, t in cols)
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} (\n  {body}\n)")


def create_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Create every landing table if missing; safe to run on every start."""
    for schema in ("raw", "quarantine", "audit"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for entity in ENTITIES:
        _create(con, entity.raw_table, raw_columns(entity))
    _create(con, SERVICE_RETURNS_TABLE, [
        ("service", "VARCHAR NOT NULL"),  # sarc | cyp_sarc | isva
        ("fy_quarter", "VARCHAR NOT NULL"),
        ("label", "VARCHAR NOT NULL"),  # the label as the spec writes it
        ("measure", "VARCHAR NOT NULL"),  # returns.md: lower-case, runs of other chars -> _
        ("value", "DOUBLE NOT NULL"),
        *LINEAGE_COLUMNS,
    ])
    _create(con, POLICEUK_TABLE, [(c, "VARCHAR") for c in POLICEUK_COLUMNS] + list(LINEAGE_COLUMNS))
    _create(con, "quarantine.rows", [
        ("file_name", "VARCHAR NOT NULL"),
        ("file_sha256", "VARCHAR NOT NULL"),
        ("source", "VARCHAR NOT NULL"),
        ("entity", "VARCHAR NOT NULL"),
        ("period", "VARCHAR"),
        ("row_number", "INTEGER NOT NULL"),
        ("column_name", "VARCHAR"),
        ("bad_value", "VARCHAR"),
        ("reason_code", "VARCHAR NOT NULL"),
        ("reason", "VARCHAR NOT NULL"),
    ])
    _create(con, "audit.files", [
        ("file_name", "VARCHAR NOT NULL"),
        ("source", "VARCHAR"),
        ("entity", "VARCHAR"),
        ("period", "VARCHAR"),
        # Null for what was never opened: a link, pipe or device, a file outside the
        # source folders (ingest.files.survey).
        ("sha256", "VARCHAR"),
        ("size_bytes", "BIGINT"),
        ("rows_read", "INTEGER"),
        ("rows_loaded", "INTEGER"),
        ("rows_quarantined", "INTEGER"),
        ("outcome", "VARCHAR NOT NULL"),  # loaded | rejected | superseded
        ("reason", "VARCHAR"),
        ("loaded_at", "TIMESTAMP NOT NULL"),
    ])
    _create(con, "audit.exports", [
        ("partner", "VARCHAR NOT NULL"),
        ("fy_quarter", "VARCHAR NOT NULL"),
        ("folder", "VARCHAR NOT NULL"),
        ("manifest_sha256", "VARCHAR"),
        ("published_at", "TIMESTAMP NOT NULL"),
        ("outcome", "VARCHAR NOT NULL"),  # published | republished | blocked | unchanged
        ("reason", "VARCHAR"),
        ("run_id", "VARCHAR"),  # the Dagster run that decided it (audit.runs.run_id)
        # What the folder was made from (exports.publish.inputs_sha256): the same again
        # and the folder intact, the export is not rebuilt.
        ("inputs_sha256", "VARCHAR"),
    ])
    # Warehouses made before strays were recorded held every file's hash and size.
    for column in ("sha256", "size_bytes"):
        if con.execute("SELECT is_nullable FROM information_schema.columns WHERE "
                       "table_schema = 'audit' AND table_name = 'files' AND column_name = ?",
                       [column]).fetchone() == ("NO",):
            con.execute(f"ALTER TABLE audit.files ALTER COLUMN {column} DROP NOT NULL")
    # Warehouses made before exports carried these: add the columns in place.
    con.execute("ALTER TABLE audit.exports ADD COLUMN IF NOT EXISTS run_id VARCHAR")
    con.execute("ALTER TABLE audit.exports ADD COLUMN IF NOT EXISTS inputs_sha256 VARCHAR")
    _create(con, "audit.runs", [
        ("run_id", "VARCHAR NOT NULL"),
        ("started_at", "TIMESTAMP NOT NULL"),
        ("finished_at", "TIMESTAMP"),
        ("status", "VARCHAR NOT NULL"),  # running | succeeded | blocked | failed
        ("detail", "VARCHAR"),
        # What the run's result depends on (orchestration/inputs.py), as JSON digests.
        ("inputs", "VARCHAR"),
    ])
    con.execute("ALTER TABLE audit.runs ADD COLUMN IF NOT EXISTS inputs VARCHAR")
    create_access_log(con)


def create_access_log(con: duckdb.DuckDBPyConnection) -> None:
    """`audit.access`, the access log of Data Protection Act 2018, Part 3, s.62: one row per
    access to the personal data, written before a `vrn query` is answered (its outcome
    follows as a second row of the same `access_id`) and for every folder an export wrote.
    Rows are only ever added: never updated, never deleted. On its own, because `vrn query`
    writes it into whatever warehouse it is given."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    _create(con, "audit.access", [
        ("access_id", "VARCHAR NOT NULL"),  # one access; a query's outcome row shares it
        ("accessed_at", "TIMESTAMP NOT NULL"),  # UTC
        ("os_user", "VARCHAR NOT NULL"),  # the OS account the process ran as
        ("uid", "BIGINT"),
        ("host", "VARCHAR"),
        ("pid", "INTEGER NOT NULL"),
        ("action", "VARCHAR NOT NULL"),  # query | publish
        ("detail", "VARCHAR NOT NULL"),  # the SQL text exactly as given | the folder written
        # query: requested (before it runs), then served | failed; publish: published |
        # republished
        ("outcome", "VARCHAR NOT NULL"),
        ("rows_returned", "BIGINT"),  # a served query's rows
        ("recipient", "VARCHAR"),  # a publication's partner
        ("run_id", "VARCHAR"),  # the run that published (audit.runs.run_id)
        ("reason", "VARCHAR"),  # why a query failed
    ])
