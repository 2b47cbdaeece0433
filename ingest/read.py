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
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from vrn.settings import MAX_CELLS, MAX_COMPRESSION_RATIO, MAX_SHEETS, MAX_WORKBOOK_MB, Limits

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
# An .xlsx is a zip of XML parts, unpacked and parsed here, in the run's process: a small
# file can unpack to gigabytes (a "zip bomb", or a shared-string table of millions of
# strings). Before a reader opens anything the archive is checked against `Limits`
# (vrn/settings.py): its central directory first (no decompression), then one streaming
# pass over its parts counting sheets, cells and shared strings with bounded memory,
# and measuring each sheet's extent (its last row and column, from the cells'
# references): calamine, which reads the council extracts, holds a sheet as a grid from
# its first used cell to its last, so one stray cell at XFD1048576 would otherwise ask
# for billions of cells and end the process (it aborts, it does not raise).
# zipfile never unpacks a part beyond the size the central directory declares for it
# (it stops there and checks the CRC), so the declared sizes bound what a reader can
# unpack too: a part whose header lies fails its CRC check instead.

_SHEET_PART = re.compile(r"^xl/(worksheets|chartsheets)/[^/]+\.xml$", re.IGNORECASE)
_SHARED_STRINGS_PART = "xl/sharedstrings.xml"
# Cells (`<c …>`), shared strings (`<si>`) and sheets (`<sheet …/>` in workbook.xml),
# with or without a namespace prefix (`<x:c …>`); at most _ELEMENT_SPAN bytes long.
# A cell's or row's reference (`r="XFD1048576"`, `r="12"`) is read with it, when its
# opening tag has one.
_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,19}:)?(c|si|sheet|row)(?=[\s/>])"
                      rb"""(?:[^>]{0,200}?\sr\s*=\s*["']([A-Za-z]{0,3})(\d{1,9})["'])?""")
_ELEMENT_SPAN = 256
# The same elements as most writers make them, with no namespace prefix and a reference,
# when there is one, as the tag's first attribute (`<c r="B7" …>`, `<row r="7" …>`):
# about three times as fast to find. Used where no tag has a prefix (`_PREFIXED`); its
# references are taken only when every row and cell has one (`_extent_named`).
_PLAIN_ELEMENT = re.compile(rb"""<(c|si|sheet|row)(?=[\s/>])(?: r="([A-Za-z]{1,3})?(\d{1,9})")?""")
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]{0,19}:")
_RATIO_FLOOR = 1 << 20  # parts smaller than this unpacked are never a bomb worth naming
_PART_SHARE = 8  # a part openpyxl parses whole: at most 1/8 of the workbook limit
_PARTS_PER_SHEET = 50  # sheet, rels, drawings, charts, comments, tables, images...
_DIRECTORY_ENTRY = 1024  # bytes a part may take in the central directory (46 + its name)
# A shared-string table may hold this many strings no cell uses (Excel rebuilds it on
# save; more unused strings than this is a table built to be unpacked, not read).
_UNUSED_STRINGS = 10_000


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _directory_extent(fh: BinaryIO) -> tuple[int, int]:
    """(parts, bytes) of the central directory, as the zip's end record declares them,
    read before zipfile builds an object for every part it finds in those bytes (a
    directory of millions of parts would cost gigabytes)."""
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    tail_len = min(size, 22 + 0xFFFF + 20)  # end record, longest comment, zip64 locator
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise UnreadableFile("not a readable .xlsx workbook (it is not a zip archive, as "
                             "every .xlsx file is)")
    entries, directory = struct.unpack_from("<HI", tail, at + 10)
    if entries != 0xFFFF and directory != 0xFFFFFFFF:
        return entries, directory
    # zip64: the locator just before the end record gives the zip64 end record's offset.
    if at < 20 or tail[at - 20:at - 16] != b"PK\x06\x07":
        raise UnreadableFile("not a readable .xlsx workbook (damaged zip directory)")
    (offset,) = struct.unpack_from("<Q", tail, at - 20 + 8)
    fh.seek(offset)
    record = fh.read(56)
    if len(record) < 56 or record[:4] != b"PK\x06\x06":
        raise UnreadableFile("not a readable .xlsx workbook (damaged zip64 directory)")
    entries, directory = struct.unpack_from("<QQ", record, 32)
    return entries, directory


def _check_directory(zf: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    """The checks the central directory answers: sizes, compression, sheet parts."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > limits.max_workbook_bytes:
        raise UnreadableFile(
            f"the workbook unpacks to {_mb(total)}, more than the limit of "
            f"{limits.max_workbook_mb:,} MB ({MAX_WORKBOOK_MB}; a data engineer can raise "
            "it for a real workbook this large)")
    part_limit = limits.max_workbook_bytes // _PART_SHARE
    for i in infos:
        if (i.file_size > _RATIO_FLOOR
                and i.file_size > limits.max_compression_ratio * max(i.compress_size, 1)):
            ratio = i.file_size / max(i.compress_size, 1)
            raise UnreadableFile(
                f"its part {i.filename} unpacks {ratio:,.0f} times larger than it is packed "
                f"({_mb(i.compress_size)} to {_mb(i.file_size)}), more than the limit of "
                f"{limits.max_compression_ratio:,} to 1 ({MAX_COMPRESSION_RATIO}): a zip "
                "bomb, not a workbook")
        name = i.filename.casefold()
        whole = (name.endswith((".xml", ".rels")) and not _SHEET_PART.match(name)
                 and name != _SHARED_STRINGS_PART)
        if whole and i.file_size > part_limit:
            raise UnreadableFile(
                f"its part {i.filename} unpacks to {_mb(i.file_size)}; a part other than a "
                f"sheet or the shared strings may unpack to at most {_mb(part_limit)} (an "
                f"eighth of {MAX_WORKBOOK_MB}={limits.max_workbook_mb})")
    sheets = sum(bool(_SHEET_PART.match(i.filename)) for i in infos)
    if sheets > limits.max_sheets:
        raise UnreadableFile(_too_many_sheets(sheets, limits))
    return infos


def _too_many_sheets(sheets: int | None, limits: Limits) -> str:
    """`sheets` None: counting stopped at the limit."""
    has = f"{sheets:,} sheets, more" if sheets is not None else "more sheets"
    return (f"the workbook has {has} than the limit of {limits.max_sheets:,} "
            f"({MAX_SHEETS}; a data engineer can raise it)")


def _too_many_cells(limits: Limits, where: str = "") -> str:
    return (f"the workbook has more cells than the limit of {limits.max_cells:,}{where} "
            f"({MAX_CELLS}; a data engineer can raise it for a real workbook this large)")


def _extent(matches: list[tuple[bytes, bytes, bytes]], at: list[int]) -> None:
    """Move a reader's place over a sheet's cells and rows, in order: `at` is [row,
    column, furthest row, furthest column], updated in place. A row moves to the row it
    names (or the next); a cell to the column and row it names, or the next column. A
    row adds to the extent only with a cell in it."""
    from openpyxl.utils import column_index_from_string  # `A` -> 1, `XFD` -> 16384

    row, column, rows, columns = at
    for kind, letters, number in matches:
        if kind == b"row":
            row, column = (int(number) if number else row + 1), 0
            continue
        if kind != b"c":
            continue
        if letters:
            column, row = column_index_from_string(letters.decode()), max(row, int(number), 1)
        else:
            column, row = column + 1, max(row, 1)
        if row > rows:
            rows = row
        if column > columns:
            columns = column
    at[:] = row, column, rows, columns


def _extent_named(matches: list[tuple[bytes, bytes, bytes]], at: list[int]) -> bool:
    """`_extent` at once, with numpy, for the elements every writer of workbooks makes:
    rows and cells only, each row naming its number and each cell its column and row
    (`<row r="7">`, `<c r="B7">`). False, and `at` untouched, for any other element.

    Each cell's row is then the largest of its own number, the number of the row it
    sits in and the cells before it in that row: the furthest row is the largest cell
    number or the number of a row holding a cell (the first row, for cells before any
    row of these elements), and the furthest column the cells' largest column."""
    import numpy as np
    from openpyxl.utils import column_index_from_string

    if not matches:
        return True
    kinds, letters, numbers = np.array(matches, dtype="S9").T  # `\d{1,9}`
    is_cell, is_row = kinds == b"c", kinds == b"row"
    named = letters != b""
    if not ((is_cell | is_row).all() and named[is_cell].all() and not named[is_row].any()
            and (numbers[is_row] != b"").all()):
        return False
    row, column, rows, columns = at
    cells = np.flatnonzero(is_cell)
    row_at = np.flatnonzero(is_row)
    cell_rows = numbers[cells].astype(np.int64)
    if cells.size:
        holding = row_at[row_at + 1 < kinds.size]
        holding = holding[is_cell[holding + 1]]  # rows whose next element is a cell
        heads = numbers[holding].astype(np.int64)
        furthest = max(int(cell_rows.max()), int(heads.max(initial=0)), 1)
        if cells[0] < (row_at[0] if row_at.size else kinds.size):
            furthest = max(furthest, row)  # cells before the first row: in the row at
        rows = max(rows, furthest)
        columns = max(columns, *(column_index_from_string(c.decode())
                                 for c in np.unique(letters[cells])))
    if row_at.size:  # the place: the last row, raised by the cells after it
        last = int(row_at[-1])
        after = cell_rows[cells > last]
        row = max(int(numbers[last]), int(after.max()), 1) if after.size else int(
            numbers[last])
    elif cells.size:
        row = max(row, int(cell_rows.max()), 1)
    column = (column_index_from_string(letters[-1].decode()) if is_cell[-1] else 0)
    at[:] = row, column, rows, columns
    return True


def _whole_matches(buf: bytes, final: bool) -> tuple[list[tuple[bytes, bytes, bytes]], int]:
    """The element matches in `buf` known to be whole, and where the rest of `buf`
    (to be read again with the next chunk) begins. No match holds a `>`, so every match
    before the last `>` is whole; a chunk without any (no XML, or one long text) is cut
    _ELEMENT_SPAN bytes from its end, and a match starting before the cut is whole."""
    cut = len(buf) if final else buf.rfind(b">") + 1
    if cut:
        return _ELEMENT.findall(buf, 0, cut), cut
    end = len(buf) - _ELEMENT_SPAN
    matches = []
    for m in _ELEMENT.finditer(buf):
        if m.start() >= end:
            break
        matches.append(m.groups(b""))
    return matches, max(end, 0)


def _plain_matches(buf: bytes, final: bool
                   ) -> tuple[list[tuple[bytes, bytes, bytes]], int, bool]:
    """`_whole_matches` by `_PLAIN_ELEMENT`, when `buf` has a `>` and no prefixed tag
    before its last one; else `_whole_matches`. The same elements (well-formed XML has
    no `<` inside a tag), with only the references given first in their tags. With
    them, whether they are `_PLAIN_ELEMENT`'s."""
    cut = len(buf) if final else buf.rfind(b">") + 1
    if cut and _PREFIXED.search(buf, 0, cut) is None:
        return _PLAIN_ELEMENT.findall(buf, 0, cut), cut, True
    return (*_whole_matches(buf, final), False)


def _count_elements(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                    limits: Limits) -> tuple[dict[bytes, int], dict[str, tuple[int, int]]]:
    """One streaming pass over every part (1 MiB at a time, never more than its declared
    size): cells, shared strings and sheets counted, and each sheet's extent (last row x
    last column) measured, stopping at the first limit passed. Returns the counts and
    the extents."""
    counts = {b"c": 0, b"si": 0, b"sheet": 0, b"row": 0}
    extents: dict[str, tuple[int, int]] = {}
    for info in infos:
        read = 0
        tail = b""
        extent = [0, 0, 0, 0] if _SHEET_PART.match(info.filename) else None
        with zf.open(info) as part:
            while True:
                chunk = part.read(_CHUNK)
                read += len(chunk)
                if read > info.file_size:  # zipfile stops at the declared size; be sure
                    raise UnreadableFile(f"not a readable .xlsx workbook (its part "
                                         f"{info.filename} is longer than it declares)")
                buf = tail + chunk
                matches, rest, plain = _plain_matches(buf, final=not chunk)
                kinds = list(map(itemgetter(0), matches))
                for kind in counts:
                    counts[kind] += kinds.count(kind)
                if extent is not None and not _extent_named(matches, extent):
                    # A reference not first in its tag, or none: every element walked,
                    # with every reference its tag has.
                    _extent(_whole_matches(buf, final=not chunk)[0] if plain
                            else matches, extent)
                tail = buf[rest:]
                if counts[b"c"] > limits.max_cells:
                    raise UnreadableFile(_too_many_cells(limits))
                if extent is not None and extent[2] * extent[3] > limits.max_cells:
                    raise UnreadableFile(_too_many_cells(limits, (
                        f": its sheet {info.filename} reaches row {extent[2]:,} and "
                        f"column {extent[3]:,}, a grid of {extent[2] * extent[3]:,} "
                        "cells however few of them hold a value")))
                if counts[b"si"] > limits.max_cells:
                    raise UnreadableFile(_too_many_cells(limits, ": its shared-string "
                                                         "table alone holds more strings"))
                if counts[b"sheet"] > limits.max_sheets:
                    raise UnreadableFile(_too_many_sheets(None, limits))
                if not chunk:
                    break
        if extent is not None:
            extents[info.filename] = extent[2], extent[3]
    cells, strings = counts[b"c"], counts[b"si"]
    if strings > cells + _UNUSED_STRINGS:
        raise UnreadableFile(
            f"the workbook's shared-string table holds {strings:,} strings for {cells:,} "
            "cells: strings no cell uses, made to be unpacked rather than read")
    return counts, extents


def check_workbook(fh: BinaryIO, limits: Limits | None = None) -> None:
    """Raise UnreadableFile, naming the limit and how to raise it, when the workbook in
    `fh` is not a zip or unpacks past `limits`; memory and time stay bounded whatever the
    file holds (its central directory is read first, then each part streamed)."""
    limits = limits or Limits.from_env()
    entries, directory = _directory_extent(fh)
    most = 100 + _PARTS_PER_SHEET * limits.max_sheets
    if entries > most or directory > most * _DIRECTORY_ENTRY:
        entries = max(entries, directory // _DIRECTORY_ENTRY)
        raise UnreadableFile(
            f"the workbook has {entries:,} parts, more than a workbook of at most "
            f"{limits.max_sheets:,} sheets may have ({most:,}; {MAX_SHEETS} raises it)")
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as zf:
            infos = _check_directory(zf, limits)
            _count_elements(zf, infos, limits)
    except UnreadableFile:
        raise
    except zipfile.BadZipFile as e:
        raise UnreadableFile(f"not a readable .xlsx workbook ({e})") from e
    except (OSError, EOFError, RuntimeError, NotImplementedError, zlib.error) as e:
        # a damaged or truncated part, an encrypted one, a compression zipfile lacks
        raise UnreadableFile(f"not a readable .xlsx workbook ({type(e).__name__}: {e})") from e
    finally:
        fh.seek(0)


@dataclass(frozen=True, slots=True)
class Cell:
    """A workbook cell's value with the number format that says how it is shown."""

    value: Any
    number_format: str = "General"


_EMPTY = Cell(None)


def _cell(c: Any) -> Cell:
    value = c.value
    number_format = getattr(c, "number_format", "General")
    if value is None and number_format == "General":
        return _EMPTY  # one object for the many empty cells a sheet pads its rows with
    return Cell(value, number_format)


def _named_sheet(names: Sequence[str], sheet: str) -> str:
    """The sheet of `names` called `sheet` (case and surrounding spaces aside)."""
    by_name = {n.strip().casefold(): n for n in names}
    if sheet.casefold() not in by_name:
        raise UnreadableFile(
            f"the workbook has no sheet {sheet!r} (sheets: {', '.join(names)})")
    return by_name[sheet.casefold()]


def read_xlsx(path: Path, sheet: str | None = None) -> Iterator[tuple[int, list[Cell]]]:
    """(sheet row number, cells) for each row of one sheet (the first unless named).

    Raises UnreadableFile when the workbook cannot be opened, the sheet is missing, or
    the workbook passes a limit of `vrn.settings.Limits` (checked before openpyxl reads
    anything, and while rows are read: cells, a row counting at least one).
    """
    from openpyxl import load_workbook

    limits = Limits.from_env()
    with path.open("rb") as fh:  # one open file for the checks and openpyxl
        check_workbook(fh, limits)
        try:
            wb = load_workbook(fh, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
            raise UnreadableFile(
                f"not a readable .xlsx workbook ({type(e).__name__}: {e})") from e
        try:
            ws = wb.worksheets[0] if sheet is None else wb[_named_sheet(wb.sheetnames, sheet)]
            cells = 0
            for number, row in enumerate(ws.iter_rows(), start=1):
                # Rows are padded to the sheet's declared width: count what is yielded.
                cells += max(len(row), 1)
                if cells > limits.max_cells:
                    raise UnreadableFile(_too_many_cells(limits, f", passed at sheet row "
                                                                 f"{number:,}"))
                yield number, [_cell(c) for c in row]
        finally:
            wb.close()


def read_xlsx_values(path: Path, sheet: str | None = None) -> list[tuple[int, list[Any]]]:
    """(sheet row number, values) for every row of one worksheet (the first unless
    named), from A1 to the sheet's last used row and column; an empty cell is "".

    Read by calamine (Rust) in one call, not cell by cell: numbers come back as floats,
    dates and times as `date`/`datetime`/`time` (by their number format), formulas as
    their cached values. Number formats are not read (`read_xlsx` has them). Raises
    UnreadableFile as `read_xlsx` does; the limits, the sheet's extent included, are
    checked before calamine reads anything.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    with path.open("rb") as fh:
        check_workbook(fh, Limits.from_env())
        try:
            wb = CalamineWorkbook.from_filelike(fh)
        except Exception as e:  # calamine raises its own kinds for a file that is not one
            raise UnreadableFile(
                f"not a readable .xlsx workbook ({type(e).__name__}: {e})") from e
    try:
        sheets = [m.name for m in wb.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        if sheet is None:
            if not sheets:
                raise UnreadableFile("the workbook has no worksheet")
            name = sheets[0]
        else:
            name = _named_sheet(sheets, sheet)
        try:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as e:
            raise UnreadableFile(
                f"not a readable .xlsx workbook ({type(e).__name__}: {e})") from e
    finally:
        wb.close()
    return list(enumerate(rows, start=1))


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


def write_utf8_csv(rows: Iterable[Sequence[str]], out: Path) -> None:
    """Rows of text as a plain UTF-8 CSV (a workbook handed to the CSV validator)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    out.write_text(buf.getvalue(), encoding="utf-8")
