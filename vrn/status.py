"""`vrn status`: what the warehouse holds and what it kept out, for the data engineer."""

from __future__ import annotations

from pathlib import Path

import duckdb


def _table(con: duckdb.DuckDBPyConnection, title: str, sql: str) -> str:
    try:
        frame = con.sql(sql).df()
    except duckdb.CatalogException:
        return f"{title}\n  (not yet available)\n"
    body = frame.to_string(index=False) if len(frame) else "  (none)"
    return f"{title}\n{body}\n"


def render_status(warehouse: Path) -> str:
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException:
        return "the warehouse is being written by a run; try again shortly"
    with con:
        parts = [
            _table(con, "Files by source and outcome:", """
                SELECT source, outcome, count(*) AS files, sum(rows_loaded) AS rows_loaded,
                       sum(rows_quarantined) AS rows_quarantined
                FROM audit.files GROUP BY ALL ORDER BY ALL"""),
            _table(con, "Rejected files:", """
                SELECT file_name, reason FROM audit.files
                WHERE outcome = 'rejected' ORDER BY file_name"""),
            _table(con, "Quarantined rows by file and reason:", """
                SELECT file_name, reason_code, count(*) AS rows,
                       any_value(reason ORDER BY row_number) AS example
                FROM quarantine.rows GROUP BY file_name, reason_code ORDER BY ALL"""),
            _table(con, "Rows waiting for their crime:", """
                SELECT 'crime_people' AS entity, count(*) AS rows FROM raw.police__crime_people p
                WHERE p.crime_ref NOT IN (SELECT crime_ref FROM raw.police__crimes)
                UNION ALL
                SELECT 'outcomes', count(*) FROM raw.police__outcomes o
                WHERE o.crime_ref NOT IN (SELECT crime_ref FROM raw.police__crimes)
                """),
            _table(con, "Last runs:", """
                SELECT run_id[:8] AS run, started_at, finished_at, status, detail
                FROM audit.runs ORDER BY started_at DESC LIMIT 5"""),
            _table(con, "Exports published:", """
                SELECT fy_quarter, partner, outcome, published_at, folder
                FROM audit.exports ORDER BY published_at DESC, partner LIMIT 60"""),
        ]
    return "\n".join(parts)
