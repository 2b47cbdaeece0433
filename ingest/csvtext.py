"""CSV files DuckDB's strict reader refuses, read record by record so a bad row never
sinks the file.

The fast path (`ingest.tabular.stage_csv`) hands a UTF-8 file to DuckDB's `read_csv`,
which needs one line ending per file, lines under a size limit and every row as wide as
the header. A partner's file that breaks one of those is still a valid CSV, or a CSV with
some bad rows (spec, General rules: LF or CRLF; a row error quarantines the row and the
rest of the file loads). Such a file is rewritten here with Python's `csv` module, which
takes LF, CRLF and CR as they come: one numbered row per record, each row as wide as the
header, and `__row_problem` saying what was wrong with a row that could not be read as
sent (the validator quarantines it, `ingest.validate.ROW_PROBLEM`). Only a file whose
records cannot be told apart at all — a quote opened and never closed, a field past the
line limit — is rejected, with the line where it happened.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from ingest.read import UnreadableFile

# No field of the spec is longer than a few dozen characters; a field longer than this is
# not a value (its row is quarantined, `ingest.validate`).
MAX_FIELD_CHARS = 10_000
# A record longer than this is not a row of any extract: the file is rejected there.
MAX_RECORD_BYTES = int(os.environ.get("VRN_MAX_CSV_RECORD_MB", "64")) * (1 << 20)
PROBLEM_COLUMN = "__row_problem"


def rewrite(path: Path, width: int, out: Path) -> int:
    """`path` (UTF-8, header first) as a numbered CSV at `out`: `__row_number`, `width`
    fields, `__row_problem`. Blank lines are not rows (as DuckDB reads them). Returns the
    number of data rows; raises UnreadableFile naming the line when records cannot be
    told apart."""
    csv.field_size_limit(MAX_RECORD_BYTES)
    rows = 0
    with path.open(encoding="utf-8-sig", errors="strict", newline="") as src, out.open(
            "w", encoding="utf-8", newline="") as dst:
        reader = csv.reader(src, strict=True)
        writer = csv.writer(dst, lineterminator="\n")
        writer.writerow(["__row_number", *(f"c{i}" for i in range(width)), PROBLEM_COLUMN])
        try:
            next(reader, None)  # the header, checked already
        except csv.Error as e:
            raise UnreadableFile(f"line 1 (the header) is not well-formed CSV ({e})") from e
        while True:
            line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                text = str(e)
                if "field larger than field limit" in text:
                    raise UnreadableFile(
                        f"line {line}: a field runs past {MAX_RECORD_BYTES >> 20} MB "
                        "(VRN_MAX_CSV_RECORD_MB); records cannot be told apart after it"
                    ) from e
                if "unexpected end of data" in text:
                    raise UnreadableFile(
                        f"line {line}: a quoted field that starts on this line is never "
                        "closed, so the rows after it cannot be told apart") from e
                rows += 1
                writer.writerow([rows, *([""] * width),
                                 f"line {line} is not well-formed CSV ({text})"])
                continue
            if not record:
                continue  # a blank line
            rows += 1
            problem = ""
            if len(record) != width:
                problem = (f"the row has {len(record)} fields where the header has "
                           f"{width}; its values cannot be matched to columns")
                record = [""] * width
            writer.writerow([rows, *record, problem])
    return rows
