"""From a partner's tabular file to validated rows, without touching the warehouse.

`parse_table` reads a CSV (any accepted encoding) or a one-sheet workbook, checks the
header, validates every row with `ingest.validate` in a private in-memory DuckDB, and
leaves what it found for `ingest.load` to move into the warehouse in one transaction: the
good rows, typed, in the raw table's column order, and the quarantine rows. In a private
database of its own they are two Parquet files in a work folder; in the in-memory
database `ingest.load` attaches to the warehouse's own DuckDB (`AttachedScratch`) they
are the validated table itself, which the warehouse reads directly (`ParsedFile.rows_sql`).
Tests read either with `ParsedFile.rows()` / `.quarantine()`. `parse_tables` validates
several new files of one entity in the attached scratch at once, each file's outcome the
same as `parse_table`'s would be, each file validated after the one before was written.
"""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ingest import csvtext, read, validate
from ingest.files import LandingFile, fingerprint
from ingest.specs import BY_NAME, Entity


@dataclass(frozen=True)
class AttachedScratch:
    """An in-memory database attached to the warehouse's own DuckDB (`ingest.load`), in
    which each file is validated. Nothing is written to the warehouse here; but since
    the warehouse can read it, a file's rows go into `raw` straight from the validated
    table, and its keys are looked up against the warehouse in one query, with no
    Parquet written and read back in between (about a quarter of the time a police
    file took from validation to commit). Its tables outlive `parse_table`, until the
    file is written: `ingest.load` empties it then (`release`)."""

    con: duckdb.DuckDBPyConnection  # a cursor of the warehouse's, in the scratch database
    name: str  # the scratch database's name in the warehouse's DuckDB
    warehouse: str  # the warehouse's own database name, to read its tables from here

    def table(self, table: str) -> str:
        return f"{validate.q(self.name)}.main.{table}"


# An in-memory DuckDB a run may lend to every file's validation (opening one costs tens
# of milliseconds a file), or one attached to the warehouse; None means "open your own".
Scratch = duckdb.DuckDBPyConnection | AttachedScratch | None
# Given the connection a file is validated on and the SQL of the file's own keys
# (`key_text`), a relation on that connection of those keys other current files of its
# entity hold (`key_text`, `file_name`: `ingest.load.held_keys_lookup`); None: nothing to
# look up.
HeldKeys = Callable[[duckdb.DuckDBPyConnection, str], str] | None
SCRATCH_TABLES = ("judged", "held", "answers", "staged_text", "batch_staged")
_ISO = re.compile(r"^\d{4}-")
_UK = re.compile(r"^\d{1,2}/")


@dataclass
class ParsedFile:
    """What one file yields: rows to load and rows to quarantine, or why it is rejected."""

    file: LandingFile
    sha256: str
    size_bytes: int
    table: str | None = None  # the raw table its rows go to
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rejected: str | None = None  # the reason, when the whole file is refused
    rows_path: Path | None = None  # Parquet, columns of `table`
    quarantine_path: Path | None = None  # Parquet, columns of quarantine.rows
    # Validated in an `AttachedScratch`: the same as SELECTs the warehouse runs (over the
    # scratch's tables, until it is released), instead of Parquet.
    rows_sql: str | None = None
    quarantine_sql: str | None = None
    scratch: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    def _fetch(self, path: Path | None, sql: str | None) -> list[dict[str, Any]]:
        if sql is not None and self.scratch is not None:
            rel = self.scratch.sql(sql)
            return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
        if path is None:
            return []
        with duckdb.connect() as con:
            rel = con.sql(f"SELECT * FROM read_parquet({validate.lit(str(path))})")
            names = rel.columns
            return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]

    def rows(self) -> list[dict[str, Any]]:
        """The good rows as dicts (for tests and small files)."""
        return self._fetch(self.rows_path, self.rows_sql)

    def quarantine(self) -> list[dict[str, Any]]:
        return self._fetch(self.quarantine_path, self.quarantine_sql)


def _clear(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP VIEW IF EXISTS staged")
    for table in SCRATCH_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")


@contextmanager
def scratch_connection(scratch: Scratch = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The in-memory DuckDB one file is validated in — never the warehouse. A lent
    connection is left empty again afterwards (big files' tables freed), so that each
    use finds it empty: the last one cleared it on its way out, whatever happened. An
    attached scratch keeps its tables until the file is written (`release`)."""
    if isinstance(scratch, AttachedScratch):
        yield scratch.con
        return
    con = duckdb.connect() if scratch is None else scratch
    try:
        yield con
    finally:
        if scratch is None:
            con.close()
        else:
            _clear(con)


def release(scratch: Scratch) -> None:
    """Empty an attached scratch once its file is written (or given up)."""
    if isinstance(scratch, AttachedScratch):
        _clear(scratch.con)


def lineage(file: LandingFile, sha256: str) -> dict[str, str]:
    return {
        "file_name": file.file_name,
        "file_sha256": sha256,
        "source": file.source,
        "entity": file.entity or "",
        "period": file.period or "",
    }


def start(file: LandingFile, sha256: str | None) -> ParsedFile:
    if sha256 is None:
        sha256, size = fingerprint(file.path)
    else:
        size = file.path.stat().st_size
    return ParsedFile(file, sha256, size)


def stage_csv(con: duckdb.DuckDBPyConnection, path: Path, names: list[str],
              numbered: bool = False) -> None:
    """Load the data rows of a UTF-8 CSV as text into `staged` (row_number + one column
    per name, trimmed, blank as NULL, and `__row_problem`: why a row could not be read as
    sent, else NULL). `numbered`: the first field is the row number (a workbook's rows,
    written by `workbook_as_csv`).

    DuckDB reads the file when it can; a file it refuses (mixed line endings, a row of
    the wrong width, a stray quote) is rewritten record by record (`ingest.csvtext`), so
    that a bad row is quarantined and the rest loads. A file whose records cannot be told
    apart raises `read.UnreadableFile`, naming the line."""
    try:
        _read_csv(con, path, len(names), numbered, problems=False)
    except duckdb.Error:
        if numbered:
            raise
        con.execute("DROP TABLE IF EXISTS staged_text")
        with tempfile.TemporaryDirectory(prefix="vrn-records-") as tmp:
            rewritten = Path(tmp) / "records.csv"
            csvtext.rewrite(path, len(names), rewritten)
            _read_csv(con, rewritten, len(names), numbered=True, problems=True)
        numbered = True
        problem = f"NULLIF({csvtext.PROBLEM_COLUMN}, '')"
    else:
        problem = "CAST(NULL AS VARCHAR)"
    row_number = "CAST(__row_number AS INTEGER)" if numbered else "CAST(rowid + 1 AS INTEGER)"
    cols = ", ".join(
        f"NULLIF(trim(c{i}), '') AS {validate.q(n)}" for i, n in enumerate(names)
    )
    # A view: the trimmed text is computed once, as the validator reads it.
    con.execute(f"CREATE VIEW staged AS SELECT {row_number} AS row_number, {cols}, "
                f"{problem} AS {csvtext.PROBLEM_COLUMN} FROM staged_text")


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, width: int, numbered: bool,
              problems: bool) -> None:
    fields = ((["__row_number"] if numbered else []) + [f"c{i}" for i in range(width)]
              + ([csvtext.PROBLEM_COLUMN] if problems else []))
    columns = "{" + ", ".join(f"{validate.lit(f)}: 'VARCHAR'" for f in fields) + "}"
    con.execute(
        f"""CREATE TABLE staged_text AS SELECT * FROM read_csv({validate.lit(str(path))},
            header = false, skip = 1, all_varchar = true, delim = ',', quote = '"',
            escape = '"', columns = {columns}, auto_detect = false,
            max_line_size = {csvtext.MAX_RECORD_BYTES})"""
    )


def csv_problem(e: duckdb.Error) -> str:
    """DuckDB's CSV error, shortened to what a partner can act on."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    # Never the line itself ("Original Line: …"): it may be megabytes, and it is the
    # partner's data, not a reason.
    keep = [ln for ln in lines if not ln.startswith(("Possible fixes", "*", "file =",
                                                    "delimiter", "quote", "escape",
                                                    "Original Line"))]
    text = "; ".join(keep[:3]).replace("Invalid Input Error: ", "")
    return (f"the file is not a well-formed CSV ({text}); every row must have as many "
            "fields as the header. The whole file is rejected and nothing was loaded")


def workbook_as_csv(path: Path, entity: Entity, workdir: Path) -> tuple[list[str], Path | None]:
    """A council workbook (header in row 1, one sheet) as a numbered UTF-8 CSV of text.

    Date cells are written in the file's own text style (the style most of its text dates
    use, ISO when it has none) so that a workbook mixing date cells and text dates is
    judged like a CSV: one style per file. A row whose cells under the header are all
    blank is not a data row. The cells are turned into text a column at a time
    (`column_texts`), not cell by cell.
    """
    rows = read.read_xlsx_values(path)
    if not rows:
        return [], None
    header = read.clean_header(rows[0][1])
    while header and header[-1] == "":
        header.pop()  # cells a workbook reports beyond the last heading
    width = len(header)
    data = rows[1:]
    sheet_width = max((len(cells) for _, cells in data), default=0)
    columns = _columns([cells for _, cells in data], sheet_width)
    kinds = [c.kind for c in entity.columns]
    dated = [columns[i] for i, kind in enumerate(kinds[:sheet_width])
             if kind in validate.DATE_KINDS]
    style = validate.choose_style(*_text_date_styles(dated))
    kept = _data_row_indices(columns[:width], len(data))
    texts = [column_texts(_pick(columns[i], kept), kinds[i] if i < len(kinds) else "text",
                          style) if i < sheet_width else [""] * len(kept)
             for i in range(width)]
    numbers = [str(data[i][0] - 1) for i in kept]  # sheet row 2 is data row 1
    csv_path = workdir / f"{path.stem}.xlsx.csv"
    read.write_utf8_csv(itertools.chain([["__row_number", *header]],
                                        zip(numbers, *texts, strict=True)), csv_path)
    return header, csv_path


def _columns(rows: list[list[Any]], width: int) -> list[tuple[Any, ...]]:
    """The rows' cells column by column. calamine's rows are all as wide as the sheet; a
    shorter row is padded with blank cells, as a missing cell is blank."""
    if any(len(cells) != width for cells in rows):
        rows = [list(cells) + [""] * (width - len(cells)) for cells in rows]
    return list(zip(*rows, strict=True)) if rows else []


def _text_date_styles(columns: Sequence[Sequence[Any]]) -> tuple[int, int]:
    """(ISO, UK): how many text cells of the date columns begin as each style's dates."""
    iso = uk = 0
    for column in columns:
        for value in column:
            if isinstance(value, str):
                iso += bool(_ISO.match(value.strip()))
                uk += bool(_UK.match(value.strip()))
    return iso, uk


def _data_row_indices(columns: Sequence[Sequence[Any]], count: int) -> list[int]:
    """The rows (of `count`) with a cell that is not blank in one of `columns` (the
    columns under the header), in order: an empty sheet row is not a data row."""
    blank: Sequence[int] = range(count)
    for column in columns:  # the rows blank so far, narrowed column by column
        if set(map(type, column)) <= {str}:
            blank = [i for i in blank if not column[i].strip()]
        else:
            blank = [i for i in blank if read.is_blank(column[i])]
        if not blank:
            return list(range(count))
    skip = set(blank)
    return [i for i in range(count) if i not in skip]


def _pick(column: Sequence[Any], rows: list[int]) -> Sequence[Any]:
    return column if len(rows) == len(column) else [column[i] for i in rows]


def cell_text(value: Any, kind: str, style: str) -> str:
    """A workbook cell as the text a partner would have typed: a date or time in the
    file's style (`read.date_text`), a number as `read.number_text`, blank as empty."""
    if value is None:
        return ""
    if hasattr(value, "year") or hasattr(value, "hour"):
        return read.date_text(value, kind, style)
    if isinstance(value, int | float):
        return read.number_text(value)
    return str(value)


def column_texts(values: Sequence[Any], kind: str, style: str) -> list[str]:
    """`cell_text` of each cell of a column, the column at once: a column's cells are
    nearly always of one type (calamine's `str`, `float`, `date`, …): text stays as it
    is, numbers go through `read.number_text`, and any other type through `cell_text`."""
    def of_type(kind_of: type) -> Callable[[Any], str] | None:
        if kind_of is str:
            return None  # already text
        if kind_of in (float, int, bool):
            return read.number_text
        return lambda v: cell_text(v, kind, style)

    ways = {t: of_type(t) for t in set(map(type, values))}
    if len(ways) == 1:
        (way,) = ways.values()
        return list(values) if way is None else list(map(way, values))
    return [v if (way := ways[type(v)]) is None else way(v) for v in values]


def _data_rows(file: LandingFile, entity: Entity, workdir: Path) -> tuple[Path, bool] | str:
    """A file's data rows as a UTF-8 CSV of text, and whether its first field numbers
    them (a workbook's); or why the whole file is rejected: unreadable, empty, a raw
    identifier among its columns (the privacy reason, first), or not the spec's header."""
    try:
        if file.extension == "xlsx":
            header, data_path = ((list(file.text.header), file.text.csv) if file.text
                                 else workbook_as_csv(file.path, entity, workdir))
            numbered = True
        else:
            encoding = read.detect_encoding(file.path)
            first = read.read_csv_header(file.path, encoding)
            header = read.clean_header(first or [])
            data_path = read.as_utf8(file.path, encoding, workdir) if first else None
            numbered = False
    except read.UnreadableFile as e:
        return f"{e}. The whole file is rejected and nothing was loaded"
    if not header or data_path is None:
        return f"the file is empty: expected a header row ({', '.join(entity.header)})"
    problem = (validate.raw_identifier_problem(header)
               or validate.header_problem(header, entity.header))
    if problem:
        return problem
    return data_path, numbered


def _staged(con: duckdb.DuckDBPyConnection, data_path: Path, entity: Entity,
            numbered: bool) -> str | None:
    """`stage_csv`; why the whole file is rejected when its records cannot be read."""
    try:
        stage_csv(con, data_path, entity.header, numbered=numbered)
    except duckdb.Error as e:
        return csv_problem(e)
    except read.UnreadableFile as e:
        return f"{e}. The whole file is rejected and nothing was loaded"
    return None


def parse_table(file: LandingFile, workdir: Path, *, sha256: str | None = None,
                held_keys: HeldKeys = None, scratch: Scratch = None) -> ParsedFile:
    """Validate one tabular extract (any entity of `ingest.specs`).

    `held_keys`: given a Parquet file of this file's keys (`key_text`), a Parquet file
    (key_text, file_name) of those that other current files of the same entity already
    hold (`ingest.load.held_keys_lookup`); rows with those keys are duplicates. Nothing
    here reads or writes the warehouse.
    """
    result = start(file, sha256)
    entity = BY_NAME[file.entity or ""]
    result.table = entity.raw_table
    period = file.period_bounds
    assert period is not None
    workdir.mkdir(parents=True, exist_ok=True)

    # 1. The header, before any row: raw identifiers first (the privacy reason), then
    # the spec's column list.
    data = _data_rows(file, entity, workdir)
    if isinstance(data, str):
        result.rejected = data
        return result
    data_path, numbered = data

    # 2. Every row, in DuckDB: stage as text, detect the date style, judge, write out.
    with scratch_connection(scratch) as con:
        problem = _staged(con, data_path, entity, numbered)
        if problem:
            result.rejected = problem
            return result
        style = "iso"
        if (sql := validate.detect_style_sql("staged", entity.columns)) is not None:
            ((iso, uk),) = con.execute(sql).fetchall()
            style = validate.choose_style(iso, uk)
        held = None
        if held_keys is not None and entity.key:
            relation = held_keys(con, validate.file_keys_sql(entity, style, "staged"))
            # One row per key already: the warehouse's answer is grouped by key.
            con.execute(f"CREATE TABLE held AS SELECT key_text, file_name FROM {relation}")
            held = "held"
        checks = validate.checks_for(entity, period, style)
        con.execute("CREATE TABLE judged AS "
                    + validate.judged_sql(entity, checks, style, "staged", held))
        tags = lineage(file, result.sha256)
        ((total, bad),) = con.execute(
            "SELECT count(*), count(__check) FROM judged").fetchall()
        if isinstance(scratch, AttachedScratch):
            judged = scratch.table("judged")
            result.rows_sql = validate.rows_select(entity, judged, tags, file.la_code)
            if bad:
                result.quarantine_sql = validate.quarantine_select(checks, judged, tags)
            result.scratch = con
        else:
            result.rows_path = workdir / "rows.parquet"
            con.execute(f"COPY ({validate.rows_select(entity, 'judged', tags, file.la_code)}) "
                        f"TO {validate.lit(str(result.rows_path))} (FORMAT parquet)")
            if bad:
                result.quarantine_path = workdir / "quarantine.parquet"
                con.execute(f"COPY ({validate.quarantine_select(checks, 'judged', tags)}) "
                            f"TO {validate.lit(str(result.quarantine_path))} (FORMAT parquet)")
    result.rows_read, result.rows_quarantined = total, bad
    result.rows_loaded = total - bad
    return result


def parse_tables(files: Sequence[tuple[LandingFile, str]], workdir: Path,
                 held_keys: HeldKeys, scratch: AttachedScratch) -> Iterator[ParsedFile]:
    """Validate several new files of one entity (and council) together, in load order,
    as `parse_table` validates each: the same rows loaded and quarantined, for the same
    reasons, as if each file were validated after the one before it had been written.

    Each file's header is checked and its rows staged on their own; then the files'
    rows are judged in one query (`validate.judged_sql` with `files`), where judging
    them one by one cost several queries a file whatever its size. Files are given as
    (file, its SHA-256) and yielded in the same order: the caller writes each before
    asking for the next, since the files staged after a change of date style (a file
    whose dates are written the other way) are judged only once those before it are
    written. `held_keys` looks up the keys other current files hold, of all the files.
    """
    con = scratch.con
    entity = BY_NAME[files[0][0].entity or ""]
    results = []
    staged: list[int] = []  # indexes into `results` of the files whose rows are staged
    for i, (file, sha256) in enumerate(files):
        result = start(file, sha256)
        result.table = entity.raw_table
        results.append(result)
        folder = workdir / str(i)
        folder.mkdir(parents=True, exist_ok=True)
        data = _data_rows(file, entity, folder)
        if isinstance(data, str):
            result.rejected = data
            continue
        result.rejected = _staged(con, data[0], entity, data[1])
        if result.rejected is None:
            period = file.period_bounds
            assert period is not None
            into = ("INSERT INTO batch_staged BY NAME" if staged
                    else "CREATE TABLE batch_staged AS")
            con.execute(f"{into} SELECT {i} AS __file, {validate.lit(file.file_name)} AS "
                        f"__file_name, {validate.PeriodSQL.of(period).as_columns()}, * "
                        "FROM staged")
            staged.append(i)
        con.execute("DROP VIEW IF EXISTS staged")
        con.execute("DROP TABLE IF EXISTS staged_text")

    styles = dict.fromkeys(staged, "iso")
    if staged and (sql := validate.detect_style_sql("batch_staged", entity.columns,
                                                    per_file=True)) is not None:
        for i, iso, uk in con.execute(sql).fetchall():
            styles[i] = validate.choose_style(iso, uk)
    # Runs of consecutive staged files of one date style, by their first file.
    runs = [list(run) for _, run in itertools.groupby(staged, key=styles.__getitem__)]
    first_of_run = {run[0]: run for run in runs}
    for i, result in enumerate(results):
        if i in first_of_run:
            _judge_run(con, entity, [results[j] for j in first_of_run[i]],
                       first_of_run[i], styles[i], held_keys, scratch)
        yield result


def _judge_run(con: duckdb.DuckDBPyConnection, entity: Entity, results: list[ParsedFile],
               numbers: list[int], style: str, held_keys: HeldKeys,
               scratch: AttachedScratch) -> None:
    """Judge the staged rows of files `numbers` (of one date style) in one query; each
    result gets the SELECTs of its own rows."""
    rows = f"(SELECT * FROM batch_staged WHERE __file BETWEEN {numbers[0]} AND {numbers[-1]})"
    con.execute("DROP TABLE IF EXISTS held")
    con.execute("DROP TABLE IF EXISTS judged")
    held = None
    if held_keys is not None and entity.key:
        relation = held_keys(con, validate.file_keys_sql(entity, style, rows))
        con.execute(f"CREATE TABLE held AS SELECT key_text, file_name FROM {relation}")
        held = "held"
    checks = validate.checks_for(entity, validate.FILE_PERIOD, style)
    con.execute("CREATE TABLE judged AS " + validate.judged_sql(
        entity, checks, style, rows, held, files=len(numbers)))
    counts = {i: (total, bad) for i, total, bad in con.execute(
        "SELECT __file, count(*), count(__check) FROM judged GROUP BY __file").fetchall()}
    judged = scratch.table("judged")
    for i, result in zip(numbers, results, strict=True):
        total, bad = counts.get(i, (0, 0))
        tags = lineage(result.file, result.sha256)
        result.rows_sql = validate.rows_select(entity, judged, tags, result.file.la_code, i)
        if bad:
            result.quarantine_sql = validate.quarantine_select(checks, judged, tags, i)
        result.scratch = con
        result.rows_read, result.rows_quarantined = total, bad
        result.rows_loaded = total - bad
