"""`vrn status`: what the warehouse holds, what it kept out, and what partners have.

The ingest part (files, rejections, quarantine, rows waiting for their crime) is
`ingest.status`, the one place those are counted; this adds runs and the state of every
partner × quarter export (DESIGN.md "Quality gates": held-back exports are said).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from exports.publish import run_lines
from ingest.status import ingest_status, status_lines

STATES = {"published": "published", "republished": "published", "unchanged": "published",
          "blocked": "held back"}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    try:
        rel = con.sql(sql)
    except duckdb.CatalogException:
        return []
    return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]


def exports_state(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Partner × quarter: the latest decision, and the publication partners hold (a
    held-back quarter keeps its earlier publication, if there was one)."""
    return _rows(con, """
        WITH ranked AS (
            SELECT *, row_number() OVER (PARTITION BY partner, fy_quarter
                                         ORDER BY published_at DESC, outcome) AS n
            FROM audit.exports),
        last_published AS (
            SELECT partner, fy_quarter, max(published_at) AS published_at
            FROM audit.exports WHERE outcome <> 'blocked' GROUP BY ALL)
        SELECT r.partner, r.fy_quarter, r.outcome, r.folder, r.manifest_sha256, r.reason,
               r.published_at, r.run_id, p.published_at AS last_published_at
        FROM ranked AS r LEFT JOIN last_published AS p USING (partner, fy_quarter)
        WHERE r.n = 1 ORDER BY r.partner, r.fy_quarter""")


def status_data(warehouse: Path) -> dict[str, Any]:
    """Everything `vrn status` says, as plain data (the `--json` output)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        exports = exports_state(con)
        return {
            "warehouse": str(warehouse),
            "files_by_source": _rows(con, """
                SELECT source, outcome, count(*) AS files,
                       sum(rows_loaded)::BIGINT AS rows_loaded,
                       sum(rows_quarantined)::BIGINT AS rows_quarantined
                FROM audit.files GROUP BY ALL ORDER BY ALL"""),
            "ingest": ingest_status(con),
            "runs": _rows(con, """
                SELECT run_id, started_at, finished_at, status, detail
                FROM audit.runs ORDER BY started_at DESC LIMIT 5"""),
            "exports": [{**e, "state": STATES.get(e["outcome"], e["outcome"])}
                        for e in exports],
        }


def _table(title: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return f"{title}\n  (none)\n"
    import pandas as pd

    return f"{title}\n{pd.DataFrame(rows).to_string(index=False)}\n"


def unchanged_lines(warehouse: Path) -> list[str]:
    """One line per partner for a run that found nothing new: what partners hold, none of
    it written by this run."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return run_lines([{**e, "outcome": "unchanged" if e["outcome"] != "blocked"
                           else "blocked"} for e in exports_state(con)])


def render_status(data: dict[str, Any]) -> str:
    runs = [{**r, "run_id": str(r["run_id"])[:8]} for r in data["runs"]]
    exports = run_lines(data["exports"], "at the latest decision")
    kept = [f"  {e['partner']} {e['fy_quarter']}: partners keep the publication of "
            f"{e['last_published_at']:%Y-%m-%d %H:%M}" for e in data["exports"]
            if e["outcome"] == "blocked" and e["last_published_at"] is not None]
    return "\n".join([
        _table("Files by source and outcome:", data["files_by_source"]),
        "Ingest:\n" + "\n".join(status_lines(data["ingest"])) + "\n",
        _table("Last runs:", runs),
        "Exports (partner: quarters published; held back, by which check and why):\n"
        + ("\n".join(exports) if exports else "  (none yet)")
        + ("\nHeld back after an earlier publication:\n" + "\n".join(kept) if kept else "")
        + "\n",
    ])


def status_json(data: dict[str, Any]) -> str:
    def plain(v: Any) -> Any:
        return v.isoformat() if isinstance(v, datetime | date) else str(v)

    return json.dumps(data, indent=2, default=plain)
