"""What `vrn run`'s ingest is measured against: DuckDB's own reading of the same files.

Every file of a landing drop is read into a table of an in-memory DuckDB, as text, and
nothing else is done with it: each CSV by DuckDB's `read_csv` (header, every column
VARCHAR), each workbook by calamine (the reader ingest uses) handed to DuckDB. A CSV that
is not UTF-8 (Windows-1252, as some councils send) is decoded by Python first, since
DuckDB's `read_csv` has no such encoding of its own; a UTF-16 one (with its byte-order
mark) is read by DuckDB as UTF-16. Nothing is validated, linked or recorded: this is the
floor under ingest, "DuckDB's own read_csv of the same files" of the speed issue.

    python benchmarks/read_files.py LANDING     # prints files, rows and seconds
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _read_csv_sql(path: Path, encoding: str = "utf-8") -> str:
    literal = str(path).replace("'", "''")
    return (f"select * from read_csv('{literal}', header = true, all_varchar = true, "
            f"encoding = '{encoding}')")


def _csv(con: duckdb.DuckDBPyConnection, table: str, path: Path, scratch: Path) -> None:
    with path.open("rb") as fh:
        encoding = "utf-16" if fh.read(2) in UTF16_BOMS else "utf-8"
    try:
        con.execute(f"create table {table} as {_read_csv_sql(path, encoding)}")
    except duckdb.InvalidInputException:  # not UTF-8: decoded as Windows-1252
        text = scratch / f"{table}.csv"
        text.write_text(path.read_bytes().decode("cp1252"), encoding="utf-8")
        con.execute(f"create table {table} as {_read_csv_sql(text)}")
        text.unlink()


def _workbook(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    import pandas as pd
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = [str(h) for h in rows[0]] if rows else []
    frame = pd.DataFrame([[None if v == "" else str(v) for v in r[:len(header)]]
                          for r in rows[1:]], columns=header, dtype=object)
    con.register("sheet", frame)
    con.execute(f"create table {table} as select * from sheet")
    con.unregister("sheet")


def read_landing(landing: Path) -> tuple[int, int]:
    """(files read, rows read) of every CSV and workbook under `landing`."""
    files = rows = 0
    with duckdb.connect() as con, tempfile.TemporaryDirectory() as tmp:
        for path in sorted(p for p in landing.rglob("*") if p.is_file()):
            table = f"file_{files}"
            if path.suffix.lower() == ".csv":
                _csv(con, table, path, Path(tmp))
            elif path.suffix.lower() == ".xlsx":
                _workbook(con, table, path)
            else:
                continue
            files += 1
            rows += con.execute(f"select count(*) from {table}").fetchall()[0][0]
    return files, rows


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    started = time.perf_counter()
    files, rows = read_landing(Path(argv[0]))
    print(f"read {files} files, {rows} rows in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
