"""Reading what the exports publish, over one read-only connection: I/O only.

The exports read the `publish` schema (the `pub_` models, one row per export quarter ×
period × category before disclosure control), the window and coverage models beside it,
and `audit.files` for the manifest's sources. Open the connection only while no writer
holds the file (PITFALLS 6) and close it before anything writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from exports.catalog import PublishedTable

EXPORT_QUARTERS = "intermediate.int_publish__export_quarters"
COVERAGE = "intermediate.int_publish__source_coverage"
READS = "intermediate.int_publish__reads"


class MissingTable(RuntimeError):
    """A table the exports rely on is not in the warehouse (dbt has not built it)."""


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


def _frame(con: duckdb.DuckDBPyConnection, sql: str, what: str,
           params: Sequence[object] = ()) -> pd.DataFrame:
    try:
        rel = con.execute(sql, list(params))
        types = {d[0]: str(d[1]) for d in rel.description}
        frame = rel.df()
    except duckdb.CatalogException as e:
        raise MissingTable(f"{what} is not in the warehouse (has dbt built it?): {e}") from None
    for column, kind in types.items():  # DATE stays a date (pandas would make it midnight)
        if kind == "DATE":
            values = frame[column]
            frame[column] = pd.Series(values.dt.date.tolist(), index=frame.index,
                                      dtype=object).where(values.notna(), None)
    return frame


@dataclass
class Published:
    """Everything the exports read, taken at once."""

    quarters: list[str]  # export quarters, in order
    rows: dict[str, pd.DataFrame]  # pub_ model name -> every row, in row order
    reads: dict[str, tuple[str, ...]]  # model -> `<source>/<entity>` it reads (lineage)
    missing: pd.DataFrame  # source, entity, period, period_start, period_end, file_name, reason
    loaded_files: pd.DataFrame  # file_name, source, entity, period, sha256
    # (partner, fy_quarter) -> (inputs_sha256, manifest_sha256) of its latest publication
    published: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # (partner, fy_quarter, manifest_sha256) of every folder audit.exports records
    recorded: set[tuple[str, str, str]] = field(default_factory=set)
    # Worked out once per read by `exports.publish.select_export`, for every quarter and
    # partner it selects: (model, partner scoped) -> {(export quarter, partner, or None
    # when not scoped): positions of its rows}, and model -> each row's hash.
    # Not arguments, so a `dataclasses.replace` with other rows starts them afresh.
    positions: dict[tuple[str, bool], dict[tuple[str, str | None], np.ndarray]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    row_hashes: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False,
                                              compare=False)


def read_published(con: duckdb.DuckDBPyConnection, tables: Iterable[PublishedTable],
                   partners: Iterable[str] | None = None) -> Published:
    """What the exports of `tables` read. Of a table with a row per partner (the CSP
    tables), only the rows of `partners` are read (every partner's when None): a CSP's
    export step need not read the seven other CSPs' rows of every quarter."""
    quarters = _frame(con, f"SELECT export_quarter FROM {EXPORT_QUARTERS} "
                           "ORDER BY export_quarter_start", EXPORT_QUARTERS)
    only = None if partners is None else sorted(set(partners))
    rows = {}
    for t in dict.fromkeys(tables):
        order, where, params = "", "", []
        if t.partner_scoped:
            order = ", partner"
            if only is not None:
                where, params = "WHERE list_contains(?::VARCHAR[], partner) ", [only]
        rows[t.model] = _frame(
            con, f"SELECT * FROM {t.relation} {where}ORDER BY export_quarter{order}, row_order",
            t.relation, params)
    reads_frame = _frame(con, f"SELECT model_name, source || '/' || entity AS read FROM {READS} "
                              "ORDER BY model_name, read", READS)
    reads: dict[str, tuple[str, ...]] = {}
    for model, group in reads_frame.groupby("model_name", sort=True):
        reads[str(model)] = tuple(group["read"])
    missing = _frame(con, f"SELECT source, entity, period, period_start, period_end, file_name, "
                          f"reason FROM {COVERAGE} WHERE is_missing "
                          "ORDER BY source, entity, period_start", COVERAGE)
    loaded = _frame(con, "SELECT file_name, source, entity, period, sha256 FROM audit.files "
                         "WHERE outcome = 'loaded' ORDER BY file_name", "audit.files")
    return Published(list(quarters["export_quarter"]), rows, reads, missing, loaded,
                     latest_publications(con), recorded_manifests(con))


def recorded_manifests(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    """Every (partner, fy_quarter, manifest hash) audit.exports has a row for."""
    try:
        rows = con.execute("SELECT DISTINCT partner, fy_quarter, manifest_sha256 "
                           "FROM audit.exports WHERE manifest_sha256 IS NOT NULL").fetchall()
    except duckdb.Error:  # no audit.exports yet
        return set()
    return {(p, q, m) for p, q, m in rows}


def latest_publications(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str, str]]:
    """Each partner × quarter's latest publication that recorded its inputs: what it was
    made from and its manifest's hash (none before the first run wrote `audit.exports`)."""
    try:
        rows = con.execute("""
            SELECT partner, fy_quarter, inputs_sha256, manifest_sha256 FROM audit.exports
            WHERE outcome <> 'blocked'
            QUALIFY row_number() OVER (PARTITION BY partner, fy_quarter
                                       ORDER BY published_at DESC) = 1""").fetchall()
    except duckdb.Error:  # no audit.exports yet, or one without inputs_sha256
        return {}
    return {(p, q): (i, m) for p, q, i, m in rows if i is not None and m is not None}
