"""`vrn status`: what the warehouse holds, what it kept out, and what partners have.

The ingest part (files, rejections, quarantine, rows waiting for their crime) is
`ingest.status`, the one place those are counted; this adds runs and the state of every
partner × quarter export (DESIGN.md "Quality gates": held-back exports are said), and
who can read the warehouse and the exports, with the accesses `audit.access` logged
(Data Protection Act 2018 s.62; `vrn.lock`).
"""

from __future__ import annotations

import json
import os
import stat
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from exports.publish import run_lines
from ingest.status import ingest_status, status_lines
from vrn.lock import NOT_OWNER, mode_text, warehouse_files

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


def _owner(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def path_access(path: Path) -> dict[str, Any]:
    """A file's or folder's mode and owner; `owner_only` when its group and others have no
    access at all."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return {"path": str(path), "exists": False}
    return {"path": str(path), "exists": True, "mode": mode_text(st.st_mode),
            "owner": _owner(st.st_uid), "owner_only": not st.st_mode & NOT_OWNER}


def tree_access(root: Path) -> dict[str, Any]:
    """The exports folder's mode, and every file and folder under it wider than
    owner-only (links are not followed)."""
    out = path_access(root)
    if not out["exists"]:
        return out
    entries, wider = 0, []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            try:
                st = path.lstat()
            except FileNotFoundError:  # a run moved it meanwhile
                continue
            if stat.S_ISLNK(st.st_mode):
                continue
            entries += 1
            if st.st_mode & NOT_OWNER:
                wider.append({"path": str(path), "mode": mode_text(st.st_mode)})
    return {**out, "entries": entries, "wider_entries": len(wider), "wider_examples": wider[:3]}


def exports_root(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The exports folder the warehouse last published to (`audit.exports.folder` is
    `<exports>/<quarter>/<partner>`)."""
    rows = _rows(con, """SELECT folder FROM audit.exports WHERE outcome <> 'blocked'
                         ORDER BY published_at DESC LIMIT 1""")
    return Path(rows[0]["folder"]).parent.parent if rows else None


def access_log(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]] | None:
    """Per action of `audit.access`: accesses (a query's requested and outcome rows are
    one), those that failed, the first and the latest, and by whom; None without the
    table (a warehouse no vrn of this version has written)."""
    try:
        rel = con.sql("""
            SELECT action, count(DISTINCT access_id) AS accesses,
                   count(DISTINCT access_id) FILTER (WHERE outcome = 'failed') AS failed,
                   min(accessed_at) AS first_at, max(accessed_at) AS last_at,
                   arg_max(os_user, accessed_at) AS last_by
            FROM audit.access GROUP BY action ORDER BY action DESC""")
    except duckdb.CatalogException:
        return None
    return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]


def access_state(con: duckdb.DuckDBPyConnection, warehouse: Path, exports: Path | None,
                 default_exports: Path | None = None) -> dict[str, Any]:
    """Who can read the warehouse and the exports, and what `audit.access` holds.
    `exports` given wins; else the folder the warehouse last published to; else
    `default_exports`."""
    root = exports or exports_root(con) or default_exports
    return {
        "warehouse": [path_access(p) for p in warehouse_files(warehouse)
                      if p == warehouse or p.exists()],
        "exports": tree_access(root) if root is not None else None,
        "log": access_log(con),
    }


def status_data(warehouse: Path, exports: Path | None = None,
                default_exports: Path | None = None,
                landing: Path | None = None) -> dict[str, Any]:
    """Everything `vrn status` says, as plain data (the `--json` output). `exports` is
    the folder whose modes to report (default: the one the warehouse last published to,
    else `default_exports`); `landing`, when given, the landing folder whose lock files
    and missing files to list (`ingest.status.landing_status`)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        exports_rows = exports_state(con)
        return {
            "warehouse": str(warehouse),
            "files_by_source": _rows(con, """
                SELECT source, outcome, count(*) AS files,
                       sum(rows_loaded)::BIGINT AS rows_loaded,
                       sum(rows_quarantined)::BIGINT AS rows_quarantined
                FROM audit.files GROUP BY ALL ORDER BY ALL"""),
            "ingest": ingest_status(con, landing),
            "runs": _rows(con, """
                SELECT run_id, started_at, finished_at, status, detail
                FROM audit.runs ORDER BY started_at DESC LIMIT 5"""),
            "exports": [{**e, "state": STATES.get(e["outcome"], e["outcome"])}
                        for e in exports_rows],
            "access": access_state(con, warehouse, exports, default_exports),
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


NOUNS = {"query": ("query", "queries"), "publish": ("publication", "publications")}


def _logged_line(access: dict[str, Any]) -> str:
    if access["log"] is None:
        return ("  audit.access: not in this warehouse yet, so no query or publication is "
                "logged (the next vrn run or vrn query creates it)")
    logged = {r["action"]: r for r in access["log"]}
    parts = []
    for action, (one, many) in NOUNS.items():
        r = logged.get(action)
        if r is None:
            parts.append(f"0 {many}")
            continue
        failed = f"; {r['failed']} failed" if r["failed"] else ""
        parts.append(f"{r['accesses']} {one if r['accesses'] == 1 else many} (last "
                     f"{r['last_at']:%Y-%m-%d %H:%M} UTC by {r['last_by']}{failed})")
    since = min((r["first_at"] for r in access["log"]), default=None)
    return (f"  audit.access{f' (since {since:%Y-%m-%d %H:%M} UTC)' if since else ''}: "
            + ", ".join(parts) + " logged")


def access_lines(access: dict[str, Any]) -> list[str]:
    """Who can open the warehouse and the exports, the accesses logged, then a WARNING
    with the fix for whatever is wider than owner-only."""
    lines, warnings = [], []
    files = [f for f in access["warehouse"] if f["exists"]]
    for n, f in enumerate(files):
        kind = "warehouse" if n == 0 else "warehouse WAL"
        lines.append(f"  {kind} {f['path']}: mode {f['mode']}, owner {f['owner']}"
                     + (" (owner only)" if f["owner_only"] else " (NOT owner only)"))
        if not f["owner_only"]:
            warnings.append(
                f"  WARNING: the {kind} {f['path']} is open to others than its owner (mode "
                f"{f['mode']}). Fix: chmod 600 {f['path']} (the next vrn run or query does "
                "it).")
    ex = access["exports"]
    if ex is None:
        lines.append("  exports: none published yet")
    elif not ex["exists"]:
        lines.append(f"  exports {ex['path']}: not created yet")
    else:
        wide, entries = ex["wider_entries"], ex["entries"]
        inside = (f"{wide} of its {entries} files and folders NOT owner only" if wide
                  else f"its {entries} files and folders owner only" if entries
                  else "empty")
        lines.append(f"  exports {ex['path']}: mode {ex['mode']}, owner {ex['owner']}"
                     + (" (owner only)" if ex["owner_only"] else " (NOT owner only)")
                     + f"; {inside}")
        if wide or not ex["owner_only"]:
            example = (f"; e.g. {ex['wider_examples'][0]['path']}, mode "
                       f"{ex['wider_examples'][0]['mode']}" if wide else "")
            warnings.append(
                f"  WARNING: the exports {ex['path']} are open to others than their owner "
                f"(the folder itself mode {ex['mode']}; {wide} of the {entries} files and "
                f"folders under it{example}). "
                f"Fix: chmod -R go-rwx {ex['path']} (the next vrn run does it).")
    return [*lines, _logged_line(access), *warnings]


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
        "Access (who can open the warehouse and exports: owner only = files 0600, folders "
        "0700; who queried and published):\n"
        + "\n".join(access_lines(data["access"])),
    ])


def status_json(data: dict[str, Any]) -> str:
    def plain(v: Any) -> Any:
        return v.isoformat() if isinstance(v, datetime | date) else str(v)

    return json.dumps(data, indent=2, default=plain)
