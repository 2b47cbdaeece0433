"""Reading partner files as they arrive: encodings, CSV headers, workbooks.

Partners' systems differ (spec, General rules): UTF-8 with or without a BOM, or
Windows-1252 from Rutland's system; LF or CRLF; quoted fields; Leicestershire's `.xlsx`
with date cells or text dates. DuckDB reads only UTF-8 offline (PITFALLS 10), so a
Windows-1252 file is decoded strictly and written out as UTF-8 before DuckDB sees it.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 20


class UnreadableFile(Exception):
    """The file cannot be read as the spec says it is sent; the message says why."""


def _decodes(path: Path, encoding: str) -> tuple[bool, bool, str | None]:
    """(decodes strictly, has non-ASCII bytes, where it fails)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    non_ascii = False
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            non_ascii = non_ascii or not chunk.isascii()
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as e:
                return False, non_ascii, f"byte {offset + e.start + 1}"
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False, non_ascii, "the end of the file"
    return True, non_ascii, None


def _tie_break(path: Path) -> str:
    """A file that decodes both as UTF-8 and as Windows-1252: ask charset-normalizer,
    limited to those two, on the start of the file. UTF-8 unless it is sure otherwise."""
    from charset_normalizer import from_bytes

    with path.open("rb") as f:
        sample = f.read(_CHUNK)
    best = from_bytes(sample, cp_isolation=["utf_8", "cp1252"]).best()
    return "cp1252" if best is not None and best.encoding == "cp1252" else "utf-8"


def detect_encoding(path: Path) -> str:
    """`utf-8-sig`, `utf-8` or `cp1252`; raises UnreadableFile for anything else."""
    with path.open("rb") as f:
        head = f.read(3)
    utf8_ok, non_ascii, where = _decodes(path, "utf-8")
    if head == BOM:
        if not utf8_ok:
            raise UnreadableFile(f"the file starts with a UTF-8 BOM but is not UTF-8 at {where}")
        return "utf-8-sig"
    if utf8_ok and not non_ascii:
        return "utf-8"  # plain ASCII reads the same either way
    cp_ok, _, cp_where = _decodes(path, "cp1252")
    if utf8_ok and cp_ok:
        return _tie_break(path)
    if utf8_ok:
        return "utf-8"
    if cp_ok:
        return "cp1252"
    raise UnreadableFile(
        f"the file is neither UTF-8 (invalid at {where}) nor Windows-1252 (invalid at "
        f"{cp_where}); the spec accepts only those encodings"
    )


def as_utf8(path: Path, encoding: str, workdir: Path) -> Path:
    """A path DuckDB can read: the file itself if UTF-8, else a strict UTF-8 transcode."""
    if encoding in ("utf-8", "utf-8-sig"):
        return path
    out = workdir / f"{path.stem}.utf8.csv"
    with path.open(encoding=encoding, errors="strict", newline="") as src, out.open(
        "w", encoding="utf-8", newline=""
    ) as dst:
        while chunk := src.read(_CHUNK):
            dst.write(chunk)
    return out


def read_csv_header(path: Path, encoding: str) -> list[str] | None:
    """The first record of a CSV (None if the file is empty), quotes honoured."""
    with path.open(encoding=encoding, errors="strict", newline="") as f:
        first = next(csv.reader(f), None)
    return first


def clean_header(names: Sequence[Any]) -> list[str]:
    """Header names as the spec compares them: surrounding spaces and a BOM removed."""
    return ["" if n is None else str(n).replace("\ufeff", "").strip() for n in names]


# --- workbooks -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A workbook cell's value with the number format that says how it is shown."""

    value: Any
    number_format: str = "General"


def read_xlsx(path: Path, sheet: str | None = None) -> Iterator[tuple[int, list[Cell]]]:
    """(sheet row number, cells) for each row of one sheet (the first unless named).

    Raises UnreadableFile when the workbook cannot be opened or the sheet is missing.
    """
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableFile(f"not a readable .xlsx workbook ({type(e).__name__}: {e})") from e
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        else:
            names = {n.strip().casefold(): n for n in wb.sheetnames}
            if sheet.casefold() not in names:
                raise UnreadableFile(
                    f"the workbook has no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})"
                )
            ws = wb[names[sheet.casefold()]]
        for number, row in enumerate(ws.iter_rows(), start=1):
            yield number, [Cell(c.value, getattr(c, "number_format", "General")) for c in row]
    finally:
        wb.close()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def number_text(value: int | float) -> str:
    """A numeric cell as a partner would type it: 12.0 is `12`, 12.5 is `12.5`."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def date_text(value: date | datetime | time, kind: str, style: str) -> str:
    """A date cell written in the file's text style (`iso` or `uk`) for a date or
    datetime column, so the validator sees one style per file."""
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    d = value.date() if isinstance(value, datetime) else value
    day = d.isoformat() if style == "iso" else d.strftime("%d/%m/%Y")
    if kind == "datetime":
        clock = value.strftime("%H:%M:%S") if isinstance(value, datetime) else "00:00:00"
        return f"{day} {clock}"
    return day


def write_utf8_csv(rows: Sequence[Sequence[str]], out: Path) -> None:
    """Rows of text as a plain UTF-8 CSV (a workbook handed to the CSV validator)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")
