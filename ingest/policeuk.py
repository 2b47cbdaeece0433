"""police.uk street-level crime files, exactly as downloaded from data.police.uk.

Public data taken as they are (spec, policeuk): only the header is checked and no row is
quarantined. Every value is kept as text in `raw.policeuk__street`; which rows count in
LLR figures (an LSOA in one of the nine LLR districts) is decided in dbt.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest import read, validate
from ingest.files import LandingFile, for_path
from ingest.schema import POLICEUK_COLUMNS, POLICEUK_TABLE
from ingest.specs import POLICEUK_HEADER
from ingest.tabular import (
    HeldKeys,
    ParsedFile,
    Scratch,
    csv_problem,
    lineage,
    scratch_connection,
    stage_csv,
    start,
)

SOURCE = "policeuk"


def parse(file: LandingFile, workdir: Path, *, sha256: str | None = None,
          held_keys: HeldKeys = None, scratch: Scratch = None) -> ParsedFile:
    """One month's street file: its header checked, every row loaded as text."""
    result = start(file, sha256)
    result.table = POLICEUK_TABLE
    try:
        encoding = read.detect_encoding(file.path)
        header = read.clean_header(read.read_csv_header(file.path, encoding) or [])
    except read.UnreadableFile as e:
        result.rejected = f"{e}. The whole file is rejected and nothing was loaded"
        return result
    problem = (validate.raw_identifier_problem(header)
               or validate.header_problem(header, POLICEUK_HEADER))
    if problem:
        result.rejected = problem
        return result
    workdir.mkdir(parents=True, exist_ok=True)
    rows_path = workdir / "rows.parquet"
    tags = lineage(file, result.sha256)
    with scratch_connection(scratch) as con:
        try:
            stage_csv(con, read.as_utf8(file.path, encoding, workdir), list(POLICEUK_COLUMNS))
        except duckdb.Error as e:
            result.rejected = csv_problem(e)
            return result
        except read.UnreadableFile as e:
            result.rejected = f"{e}. The whole file is rejected and nothing was loaded"
            return result
        cols = ", ".join(validate.q(c) for c in POLICEUK_COLUMNS)
        con.execute(
            f"COPY (SELECT {cols}, {validate.lit(tags['file_name'])} AS file_name, "
            f"{validate.lit(tags['file_sha256'])} AS file_sha256, row_number, "
            f"{validate.lit(tags['period'])} AS period FROM staged ORDER BY row_number) "
            f"TO {validate.lit(str(rows_path))} (FORMAT parquet)"
        )
        ((count,),) = con.execute("SELECT count(*) FROM staged").fetchall()
    result.rows_read = result.rows_loaded = count
    result.rows_path = rows_path
    return result


def read_file(path: Path, workdir: Path) -> ParsedFile:
    """A police.uk file outside any landing folder (tests, a file checked by hand)."""
    return parse(for_path(path, SOURCE), workdir)
