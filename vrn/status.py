"""`vrn status`: what the warehouse holds and what it kept out, for the data engineer.

The ingest part (files, rejections, quarantine, rows waiting for their crime) is
`ingest.status`, the one place those are counted; this adds runs and exports.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.status import ingest_status, status_lines


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
                SELECT source, outcome, count(*) AS files,
                       sum(rows_loaded)::BIGINT AS rows_loaded,
                       sum(rows_quarantined)::BIGINT AS rows_quarantined
                FROM audit.files GROUP BY ALL ORDER BY ALL"""),
            "Ingest:\n" + "\n".join(status_lines(ingest_status(con))) + "\n",
            _table(con, "Last runs:", """
                SELECT run_id[:8] AS run, started_at::TIMESTAMP(0) AS started_at,
                       finished_at::TIMESTAMP(0) AS finished_at, status, detail
                FROM audit.runs ORDER BY started_at DESC LIMIT 5"""),
            _table(con, "Exports published (latest outcome per quarter and partner):", """
                SELECT fy_quarter, outcome, count(*) AS partners,
                       string_agg(partner, ', ' ORDER BY partner) AS which,
                       max(published_at)::TIMESTAMP(0) AS last_at
                FROM (SELECT * FROM audit.exports
                      QUALIFY row_number() OVER (PARTITION BY fy_quarter, partner
                                                 ORDER BY published_at DESC) = 1)
                GROUP BY ALL ORDER BY fy_quarter, outcome"""),
        ]
    return "\n".join(parts)
