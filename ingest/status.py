"""What ingest has done, for `vrn status`: files by outcome, quarantined rows by file and
reason, and the rows waiting for their crime.

Plain structures (dicts, lists, numbers) so the CLI can print them as a table or JSON and
tests can compare them. Read-only: safe on a `read_only` connection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ingest.files import survey
from ingest.specs import CRIME_PEOPLE, CRIMES, OUTCOMES

OUTCOMES_SEEN = ("loaded", "rejected", "superseded")


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
        "AND table_name = ?", [schema, table],
    ).fetchall()[0][0] > 0


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    rel = con.sql(sql)
    names = rel.columns
    return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]


def waiting_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """crime_people and outcomes rows whose crime is not (or no longer) in the warehouse:
    kept in raw, left out of the facts, joined when their crime arrives (spec)."""
    out = {}
    for entity in (CRIME_PEOPLE, OUTCOMES):
        (n,) = con.execute(
            f"SELECT count(*) FROM {entity.raw_table} AS r WHERE NOT EXISTS "
            f"(SELECT 1 FROM {CRIMES.raw_table} AS c WHERE c.crime_ref = r.crime_ref)"
        ).fetchall()[0]
        out[entity.entity] = int(n)
    return out


def landing_status(con: duckdb.DuckDBPyConnection | None, landing: Path) -> dict[str, Any]:
    """What the landing folder holds that the audit trail alone does not say: lock and
    temporary files ignored, and loaded files no longer there (their rows are kept, as
    the spec keeps a period until a file of the same name replaces it)."""
    if not landing.is_dir():
        return {"ignored": [], "gone": []}
    found = survey(landing)
    present = {f.file_name for f in found.files}
    loaded = [] if con is None or not _has_table(con, "audit", "files") else [
        name for (name,) in con.execute(
            "SELECT file_name FROM audit.files WHERE outcome = 'loaded' ORDER BY file_name"
        ).fetchall()]
    return {"ignored": [s.file_name for s in found.ignored],
            "gone": [name for name in loaded if name not in present]}


def ingest_status(con: duckdb.DuckDBPyConnection, landing: Path | None = None
                  ) -> dict[str, Any]:
    """Everything `vrn status` says about ingest.

    Keys: `files` (count per outcome), `last_loaded_at`, `rejected_files` (current
    rejections with reasons), `quarantine` (per file and reason code: rows and one
    example reason), `quarantined_rows` (total), `waiting` (rows per entity) and, given
    the landing folder, `landing` (`landing_status`).
    """
    empty: dict[str, Any] = {
        "files": dict.fromkeys(OUTCOMES_SEEN, 0), "last_loaded_at": None,
        "rejected_files": [], "quarantine": [], "quarantined_rows": 0,
        "waiting": {CRIME_PEOPLE.entity: 0, OUTCOMES.entity: 0},
    }
    if landing is not None:
        empty["landing"] = landing_status(con, landing)
    if not _has_table(con, "audit", "files"):
        return empty
    status = dict(empty)
    counts = dict(con.execute(
        "SELECT outcome, count(*) FROM audit.files GROUP BY outcome").fetchall())
    status["files"] = {o: int(counts.get(o, 0)) for o in OUTCOMES_SEEN}
    ((status["last_loaded_at"],),) = con.execute(
        "SELECT max(loaded_at) FROM audit.files").fetchall()
    status["rejected_files"] = _rows(
        con, "SELECT file_name, reason, loaded_at FROM audit.files "
             "WHERE outcome = 'rejected' ORDER BY file_name")
    status["quarantine"] = _rows(
        con, "SELECT file_name, reason_code, count(*) AS rows, min(reason) AS example "
             "FROM quarantine.rows GROUP BY file_name, reason_code "
             "ORDER BY file_name, reason_code")
    status["quarantined_rows"] = sum(int(q["rows"]) for q in status["quarantine"])
    status["waiting"] = waiting_rows(con)
    return status


def status_lines(status: dict[str, Any]) -> list[str]:
    """The status as lines of text (the CLI's default rendering)."""
    f = status["files"]
    lines = [f"files: {f['loaded']} loaded, {f['rejected']} rejected, "
             f"{f['superseded']} superseded (last at {status['last_loaded_at'] or 'never'})"]
    for r in status["rejected_files"]:
        lines.append(f"  rejected {r['file_name']}: {r['reason']}")
    lines.append(f"quarantined rows: {status['quarantined_rows']}")
    for q in status["quarantine"]:
        lines.append(f"  {q['file_name']}: {q['rows']} {q['reason_code']} "
                     f"(e.g. {q['example']})")
    w = status["waiting"]
    lines.append(f"waiting for their crime: {w['crime_people']} crime_people rows, "
                 f"{w['outcomes']} outcomes rows")
    landing = status.get("landing")
    if landing and landing["ignored"]:
        lines.append(f"ignored: {len(landing['ignored'])} editor lock or temporary file(s), "
                     "not extracts: " + ", ".join(landing["ignored"]))
    if landing and landing["gone"]:
        lines.append(f"no longer in the landing folder: {len(landing['gone'])} loaded "
                     "file(s); their rows stay until a file of the same name replaces "
                     "them: " + ", ".join(landing["gone"]))
    return lines
