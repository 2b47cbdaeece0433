"""Workbooks are read within bounds (`vrn.settings.Limits`): a workbook past a limit is
rejected, with the limit and the variable that raises it named, before openpyxl unpacks
it; memory stays bounded whatever the archive declares.

Hostile workbooks are built here from a small valid one, rewritten with zipfile. The
limits are lowered through the environment rather than the files made large, so each
test stays light; the tracemalloc assertions show nothing near the declared size was
ever unpacked into memory.
"""

from __future__ import annotations

import json
import random
import struct
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest import read
from ingest.files import describe
from ingest.load import PARSERS
from ingest.specs import BY_NAME
from tests.support.partner_files import good_row, write_return, write_table
from tests.support.published import run_dbt
from vrn.settings import (
    MAX_CELLS,
    MAX_COMPRESSION_RATIO,
    MAX_SHEETS,
    MAX_WORKBOOK_MB,
    MEMORY_LIMIT,
    Limits,
    apply_memory_limit,
)

COUNCIL = "la/E10000018"  # Leicestershire sends workbooks
SHARED_STRINGS = "xl/sharedStrings.xml"
SST_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />')
SST_OPEN = (b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from the defaults, whatever the machine's environment says."""
    for name in (MAX_WORKBOOK_MB, MAX_SHEETS, MAX_CELLS, MAX_COMPRESSION_RATIO, MEMORY_LIMIT):
        monkeypatch.delenv(name, raising=False)


def council_workbook(landing: Path, rows: int = 3) -> Path:
    """A normal Leicestershire school-absence workbook."""
    return write_table(landing, COUNCIL, "school_absence",
                       [good_row("school_absence", child_ref=f"C{i}") for i in range(rows)],
                       ext="xlsx")


def parse(landing: Path, path: Path, source: str = COUNCIL) -> Any:
    return PARSERS[source](describe(path, landing, source), landing.parent / "work")


def rewrite(path: Path, change: Callable[[zipfile.ZipFile, zipfile.ZipFile], None]) -> Path:
    """The workbook with its parts copied, then `change(src, dst)` adding or replacing."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        change(src, dst)
    tmp.replace(path)
    return path


def widest_dimension(src: zipfile.ZipFile, dst: zipfile.ZipFile) -> None:
    """For `rewrite`: the first sheet declares the widest dimension, A1:XFD1048576."""
    for info in src.infolist():
        data = src.read(info.filename)
        if info.filename == "xl/worksheets/sheet1.xml":
            start = data.index(b"<dimension ref=")
            end = data.index(b"/>", start) + 2
            data = data[:start] + b'<dimension ref="A1:XFD1048576"/>' + data[end:]
        dst.writestr(info.filename, data)


def with_shared_strings(path: Path, body: Callable[[], Iterable[bytes]], *,
                        zip64: bool = True) -> Path:
    """`path` with a shared-string table streamed from `body` (no cell uses it)."""
    def change(src: zipfile.ZipFile, dst: zipfile.ZipFile) -> None:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SST_TYPE + b"</Types>")
            dst.writestr(info.filename, data)
        if zip64:
            with dst.open(SHARED_STRINGS, "w", force_zip64=True) as out:
                out.write(SST_OPEN)
                for chunk in body():
                    out.write(chunk)
                out.write(b"</sst>")
        else:
            dst.writestr(SHARED_STRINGS, SST_OPEN + b"".join(body()) + b"</sst>")
    return rewrite(path, change)


def repeated_text(megabytes: int) -> Callable[[], Iterator[bytes]]:
    """One string repeated: packs about 1,000 to 1, as the reported workbook did."""
    piece = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    block = piece * 1000  # ~1 MB

    def body() -> Iterator[bytes]:
        for _ in range(megabytes):
            yield block
    return body


def declared_size(path: Path, member: str) -> int:
    with zipfile.ZipFile(path) as zf:
        return zf.getinfo(member).file_size


def peak_memory(action: Callable[[], Any]) -> tuple[Any, int]:
    """What `action` returns and the most Python memory it held at once."""
    tracemalloc.start()
    try:
        return action(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- the whole archive, from its central directory ---------------------------------------


def test_a_workbook_whose_shared_strings_decompress_past_the_limit_is_rejected_in_seconds_naming_the_limit(  # noqa: E501
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    landing = tmp_path / "landing"
    path = with_shared_strings(council_workbook(landing), repeated_text(40))
    assert path.stat().st_size < MB < declared_size(path, SHARED_STRINGS)
    monkeypatch.setenv(MAX_WORKBOOK_MB, "16")
    monkeypatch.setenv(MAX_COMPRESSION_RATIO, "100000")  # only the size limit in play

    parsed, peak = peak_memory(lambda: parse(landing, path))

    assert parsed.rejected.startswith("the workbook unpacks to 39 MB, more than the limit "
                                      "of 16 MB (VRN_MAX_WORKBOOK_MB")
    assert parsed.rejected.endswith("The whole file is rejected and nothing was loaded")
    assert parsed.rows_loaded == 0
    assert peak < 4 * MB  # the 40 MB table was never unpacked into memory


def test_a_part_that_unpacks_absurdly_larger_than_it_is_packed_is_rejected_as_a_zip_bomb(
        tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    path = with_shared_strings(council_workbook(landing), repeated_text(40))

    parsed, peak = peak_memory(lambda: parse(landing, path))  # the default limits

    assert "its part xl/sharedStrings.xml unpacks" in parsed.rejected
    assert "more than the limit of 100 to 1 (VRN_MAX_COMPRESSION_RATIO)" in parsed.rejected
    assert peak < 4 * MB


def test_a_part_whose_header_understates_its_size_fails_fast_without_unpacking_the_rest(
        tmp_path: Path) -> None:
    """The declared sizes bound what is unpacked: zipfile stops at the declared size and
    the CRC check fails, so a lying header cannot smuggle the bomb past the size check."""
    landing = tmp_path / "landing"
    path = with_shared_strings(council_workbook(landing), repeated_text(8), zip64=False)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(SHARED_STRINGS).header_offset
    struct.pack_into("<I", data, local + 22, 100)  # the local header's size
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # and the central directory's
        (name_length,) = struct.unpack_from("<H", data, at + 28)
        if data[at + 46:at + 46 + name_length] == SHARED_STRINGS.encode():
            struct.pack_into("<I", data, at + 24, 100)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    assert declared_size(path, SHARED_STRINGS) == 100

    parsed, peak = peak_memory(lambda: parse(landing, path))

    assert parsed.rejected.startswith("not a readable .xlsx workbook (Bad CRC-32")
    assert peak < 4 * MB


def test_a_workbook_with_more_sheets_than_the_limit_is_rejected_naming_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import Workbook

    landing = tmp_path / "landing"
    path = landing / COUNCIL / "school_absence_2023-24.xlsx"
    path.parent.mkdir(parents=True)
    wb = Workbook()
    wb.active.append(BY_NAME["school_absence"].header)
    for n in range(5):
        wb.create_sheet(f"Notes {n}")
    wb.save(path)  # six sheets
    monkeypatch.setenv(MAX_SHEETS, "5")

    parsed = parse(landing, path)

    assert parsed.rejected.startswith("the workbook has 6 sheets, more than the limit of 5 "
                                      "(VRN_MAX_SHEETS")
    monkeypatch.setenv(MAX_SHEETS, "6")
    assert parse(landing, path).rejected is None


def test_a_workbook_listing_more_sheets_than_the_limit_is_rejected_whatever_its_parts_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sheets are also counted where openpyxl finds them, in workbook.xml, which may list
    one part many times."""
    landing = tmp_path / "landing"

    def six_sheets_one_part(src: zipfile.ZipFile, dst: zipfile.ZipFile) -> None:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                start = data.index(b"<sheets>") + len(b"<sheets>")
                end = data.index(b"</sheets>")
                sheets = b"".join(b'<sheet name="S%d" sheetId="%d" r:id="rId1"/>' % (n, n)
                                  for n in range(1, 7))
                data = data[:start] + sheets + data[end:]
            dst.writestr(info.filename, data)
    path = rewrite(council_workbook(landing), six_sheets_one_part)
    monkeypatch.setenv(MAX_SHEETS, "5")

    parsed = parse(landing, path)

    assert parsed.rejected.startswith("the workbook has more sheets than the limit of 5 "
                                      "(VRN_MAX_SHEETS")


def test_a_zip_declaring_more_parts_than_a_workbook_of_that_many_sheets_has_is_rejected_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    landing = tmp_path / "landing"

    def many_parts(src: zipfile.ZipFile, dst: zipfile.ZipFile) -> None:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        for n in range(200):
            dst.writestr(f"customXml/item{n}.xml", b"")
    path = rewrite(council_workbook(landing), many_parts)
    monkeypatch.setenv(MAX_SHEETS, "1")  # a one-sheet workbook: at most 150 parts

    parsed = parse(landing, path)

    assert parsed.rejected.startswith("the workbook has 209 parts, more than a workbook of "
                                      "at most 1 sheets may have (150; VRN_MAX_SHEETS")


def test_a_file_that_is_not_a_zip_is_rejected_as_an_unreadable_workbook(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    path = landing / COUNCIL / "school_absence_2023-24.xlsx"
    path.parent.mkdir(parents=True)
    path.write_text(",".join(BY_NAME["school_absence"].header) + "\n", encoding="utf-8")

    parsed = parse(landing, path)

    assert parsed.rejected == ("not a readable .xlsx workbook (it is not a zip archive, as "
                               "every .xlsx file is). The whole file is rejected and nothing "
                               "was loaded")


# --- cells, counted before openpyxl reads them and while rows are read ---------------------


def test_a_workbook_with_more_cells_than_the_limit_is_rejected_naming_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    landing = tmp_path / "landing"
    path = council_workbook(landing, rows=10)  # 11 rows x 7 columns = 77 cells
    monkeypatch.setenv(MAX_CELLS, "76")

    parsed = parse(landing, path)

    # 11 rows of 7 columns: the cells, or the grid they span, pass the limit
    assert parsed.rejected.startswith("the workbook has more cells than the limit of 76")
    assert "(VRN_MAX_CELLS; a data engineer can raise it" in parsed.rejected
    monkeypatch.setenv(MAX_CELLS, "77")
    assert parse(landing, path).rejected is None


def test_a_sheet_padding_its_rows_past_the_cell_limit_is_stopped_at_the_row_where_it_passed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet declaring the widest dimension has every row padded to 16,384 cells by
    openpyxl: the few cells in its XML pass the first count, the rows do not."""
    landing = tmp_path / "landing"

    path = rewrite(council_workbook(landing, rows=3), widest_dimension)
    monkeypatch.setenv(MAX_CELLS, "40000")

    with pytest.raises(read.UnreadableFile) as caught:
        list(read.read_xlsx(path))

    assert str(caught.value) == ("the workbook has more cells than the limit of 40,000, passed "
                                 "at sheet row 3 (VRN_MAX_CELLS; a data engineer can raise it "
                                 "for a real workbook this large)")


def test_a_council_sheet_declaring_the_widest_dimension_is_read_as_the_cells_it_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Council workbooks are read by calamine, which lays a sheet out from its cells, not
    from the dimension it declares: the padding openpyxl would do never happens."""
    landing = tmp_path / "landing"

    path = rewrite(council_workbook(landing, rows=3), widest_dimension)
    monkeypatch.setenv(MAX_CELLS, "40000")

    assert [len(cells) for _, cells in read.read_xlsx_values(path)] == [7, 7, 7, 7]
    parsed = parse(landing, path)
    assert parsed.rejected is None and parsed.rows_loaded == 3


@pytest.mark.parametrize("far", ["XFD1048576", "A1048576", "XFD400"])
def test_one_cell_far_from_the_rest_is_rejected_before_the_sheet_is_laid_out(
        tmp_path: Path, far: str) -> None:
    """A reader holds a sheet as a grid from A1 to its last row and column: one value at
    XFD1048576 asks for 17 billion cells (calamine would end the process, not raise).
    The sheet's extent is measured from its cells' references first, and refused."""
    from openpyxl import load_workbook

    landing = tmp_path / "landing"
    path = council_workbook(landing, rows=3)
    wb = load_workbook(path)
    wb.worksheets[0][far] = "x"
    wb.save(path)

    parsed = parse(landing, path)

    rows, columns = int(far.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), (
        16_384 if far.startswith("XFD") else 7)
    assert parsed.rejected == (
        "the workbook has more cells than the limit of 5,000,000: its sheet "
        f"xl/worksheets/sheet1.xml reaches row {rows:,} and column {columns:,}, a grid of "
        f"{rows * columns:,} cells however few of them hold a value (VRN_MAX_CELLS; a data "
        "engineer can raise it for a real workbook this large). The whole file is rejected "
        "and nothing was loaded")


def test_cells_without_references_are_placed_as_a_reader_places_them(tmp_path: Path) -> None:
    """A cell need not name its place (`r`): it then follows the one before it, and a row
    without `r` follows the row before. The extent measured is the reader's."""
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<sheetData><row r="2"><c r="C2"/><c/><c/></row><row><c/></row>'
             b'<row r="9"/></sheetData></worksheet>')
    at = [0, 0, 0, 0]
    read._extent([m.groups(b"") for m in read._ELEMENT.finditer(sheet)], at)
    assert at[2:] == [3, 5]  # last row 3 (the empty row 9 adds nothing), last column E


def random_sheet(rng: random.Random, cells: int, odd: float = 0.1) -> bytes:
    """Sheet XML with rows and cells placed every way a reader must follow. With
    `odd` 0, as most writers make them (each reference first in its tag); else a share
    `odd` of references later in their tags, in single quotes or absent, and rows not
    named, with the odd prefixed or foreign element. Rows and cells name numbers
    independently (a cell may name another row than its own), up to 9 digits."""
    def ref(letters: bool) -> str:
        column = "".join(rng.choice("ABCXYZ") for _ in range(rng.randint(1, 3)))
        return (column if letters else "") + str(rng.choice(
            [rng.randint(1, 40), rng.randint(1, 999_999_999)]))

    def chance() -> float:
        return rng.random() / odd if odd else 1.0

    parts = ['<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData>']
    while cells > 0:
        how = chance()
        parts.append('<row>' if how < 0.5 else f'<row spans="1:3" r="{ref(False)}">'
                     if how < 1 else f'<row r="{ref(False)}" spans="1:3">')
        for _ in range(rng.randint(0, 6)):
            cells -= 1
            how = chance()
            tag = "x:c" if how < 0.1 else "c"
            attrs = ('' if how < 0.3 else f' s="1" r="{ref(True)}"' if how < 0.5
                     else f" r='{ref(True)}'" if how < 0.7 else f' r="{ref(how > 0.9)}"')
            parts.append(f'<{tag}{attrs} t="n"><v>{rng.randint(0, 9)}</v></{tag}>')
        if chance() < 0.2:
            parts.append('<si><t>stray</t></si>')
        parts.append('</row>')
    parts.append('</sheetData></worksheet>')
    return "".join(parts).encode()


@pytest.mark.parametrize("seed", range(40))
def test_a_sheets_extent_found_at_once_is_the_extent_found_element_by_element(
        seed: int) -> None:
    """`_extent_named` (numpy, over the plain elements most writers make) says what the
    element-by-element walk over every element says, chunk by chunk, or declines."""
    rng = random.Random(seed)
    sheet = random_sheet(rng, 400, odd=0.1 if seed % 2 else 0.0)
    # Chunks ending after a `>`, as `_count_elements` cuts them.
    ends = sorted({sheet.index(b">", rng.randrange(len(sheet) - 1)) + 1 for _ in range(5)}
                  | {len(sheet)})
    walked, at_once = [0, 0, 0, 0], [0, 0, 0, 0]
    start, named = 0, 0
    for end in ends:
        read._extent(read._ELEMENT.findall(sheet, start, end), walked)
        plain = read._PLAIN_ELEMENT.findall(sheet, start, end)
        if read._PREFIXED.search(sheet, start, end) or not read._extent_named(plain, at_once):
            read._extent(read._ELEMENT.findall(sheet, start, end), at_once)
        else:
            named += 1
        assert at_once == walked, (seed, start, end)
        start = end
    assert walked[2] > 0
    if not seed % 2:  # as writers make them: every chunk measured at once
        assert named == len(ends)


def test_plain_sheets_are_measured_at_once_and_the_same() -> None:
    """A sheet as writers make it (every reference first in its tag) is measured at once
    in every chunk, rows up to the largest number a reference may have."""
    rng = random.Random(7)
    rows = [(rng.choice([rng.randint(1, 50), 999_999_999]), rng.randint(0, 4))
            for _ in range(300)]
    sheet = ('<worksheet><sheetData>' + "".join(
        f'<row r="{n}">' + "".join(f'<c r="{"ABCDXFD"[i % 7] * (1 + i % 2)}{n}" t="n">'
                                   f'<v>1</v></c>' for i in range(k)) + '</row>'
        for n, k in rows) + '</sheetData></worksheet>').encode()
    plain, at = read._PLAIN_ELEMENT.findall(sheet), [0, 0, 0, 0]
    assert read._extent_named(plain, at)
    walked = [0, 0, 0, 0]
    read._extent(read._ELEMENT.findall(sheet), walked)
    assert at == walked
    assert at[2] == max(n for n, k in rows if k)


def test_cells_cut_from_their_row_by_a_chunk_are_still_in_that_row() -> None:
    """A chunk may end just after a row's tag: the cells in the next chunk are in that
    row (here 900, though they name row 5), as when the sheet is walked whole."""
    first, second = b'<row r="2"><c r="A2"/></row><row r="900">', b'<c r="B5"/></row>'
    at = [0, 0, 0, 0]
    for chunk in (first, second):
        assert read._extent_named(read._PLAIN_ELEMENT.findall(chunk), at)
    walked = [0, 0, 0, 0]
    read._extent(read._ELEMENT.findall(first + second), walked)
    assert at == walked == [900, 2, 900, 2]


@pytest.mark.parametrize("chunk", [97, 1000, 4096])
def test_elements_are_counted_the_same_in_chunks_of_any_size(
        chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts and extents do not depend on where the parts are cut into chunks."""
    path = tmp_path / "book.xlsx"
    rng = random.Random(chunk)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b'<workbook><sheets><sheet name="a" r:id="1"/>'
                                       b'<x:sheet name="b"/></sheets></workbook>')
        zf.writestr("xl/worksheets/sheet1.xml", random_sheet(rng, 3000))
        zf.writestr("xl/worksheets/sheet2.xml", random_sheet(rng, 500).replace(
            b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>"))
        zf.writestr(SHARED_STRINGS, SST_OPEN + b"<si><t>a</t></si>" * 700 + b"</sst>")

    def measured() -> tuple[dict[bytes, int], dict[str, tuple[int, int]]]:
        with zipfile.ZipFile(path) as zf:
            limits = Limits(max_cells=10**30, max_sheets=10)
            return read._count_elements(zf, zf.infolist(), limits)

    whole = measured()
    monkeypatch.setattr(read, "_CHUNK", chunk)
    assert measured() == whole
    # and as the whole parts, element by element
    with zipfile.ZipFile(path) as zf:
        counts = {b"c": 0, b"si": 0, b"sheet": 0, b"row": 0}
        extents = {}
        for info in zf.infolist():
            matches = read._ELEMENT.findall(zf.read(info))
            for kind, _, _ in matches:
                counts[kind] += 1
            if info.filename.startswith("xl/worksheets/"):
                at = [0, 0, 0, 0]
                read._extent(matches, at)
                extents[info.filename] = at[2], at[3]
    assert whole == (counts, extents)
    assert counts[b"sheet"] == 2 and counts[b"si"] >= 700


def test_a_shared_string_table_far_bigger_than_the_cells_using_it_is_rejected(
        tmp_path: Path) -> None:
    landing = tmp_path / "landing"

    def distinct() -> Iterator[bytes]:
        yield b"".join(b"<si><t>%x</t></si>" % n for n in range(20_000))
    path = with_shared_strings(council_workbook(landing), distinct)

    parsed = parse(landing, path)

    assert parsed.rejected.startswith("the workbook's shared-string table holds 20,000 strings "
                                      "for 28 cells")


def test_a_shared_string_table_past_the_cell_limit_is_rejected_naming_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    landing = tmp_path / "landing"

    def distinct() -> Iterator[bytes]:
        yield b"".join(b"<si><t>%x</t></si>" % n for n in range(2_000))
    path = with_shared_strings(council_workbook(landing), distinct)
    monkeypatch.setenv(MAX_CELLS, "1000")

    parsed = parse(landing, path)

    assert parsed.rejected.startswith("the workbook has more cells than the limit of 1,000: "
                                      "its shared-string table alone holds more strings "
                                      "(VRN_MAX_CELLS")


# --- what still loads ------------------------------------------------------------------------


def test_a_normal_council_workbook_still_loads_under_the_default_limits(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    parsed = parse(landing, council_workbook(landing, rows=200))
    assert parsed.rejected is None and parsed.rows_loaded == 200


def test_a_normal_commissioning_return_still_loads_under_the_default_limits(
        tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    path = write_return(landing, "sarc")
    parsed = parse(landing, path, source="commissioning")
    assert parsed.rejected is None and parsed.rows_loaded > 0


# --- the limits themselves ----------------------------------------------------------------


def test_limits_come_from_the_environment_with_generous_defaults() -> None:
    assert Limits.from_env({}) == Limits(max_workbook_mb=256, max_sheets=50,
                                         max_cells=5_000_000, max_compression_ratio=100,
                                         memory_limit="4GB")
    assert Limits.from_env({MAX_CELLS: "20,000,000", MAX_WORKBOOK_MB: "512",
                            MAX_SHEETS: "80", MAX_COMPRESSION_RATIO: "300",
                            MEMORY_LIMIT: "8GB"}) == Limits(512, 80, 20_000_000, 300, "8GB")
    assert Limits.from_env({MEMORY_LIMIT: ""}).memory_limit is None


@pytest.mark.parametrize(("name", "value"), [(MAX_CELLS, "lots"), (MAX_SHEETS, "0"),
                                             (MAX_WORKBOOK_MB, "-5"), (MEMORY_LIMIT, "4 gigs")])
def test_a_limit_that_is_not_a_limit_is_an_error_naming_its_variable(name: str,
                                                                      value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Limits.from_env({name: value})


def test_the_memory_limit_caps_a_duckdb_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_LIMIT, "512MB")
    with duckdb.connect() as con, duckdb.connect() as reference:
        before = con.execute("SELECT current_setting('memory_limit')").fetchall()
        apply_memory_limit(con)
        reference.execute("SET memory_limit = '512MB'")
        after = con.execute("SELECT current_setting('memory_limit')").fetchall()
        assert after == reference.execute("SELECT current_setting('memory_limit')").fetchall()
        assert after != before


def test_dbt_builds_with_the_same_memory_limit(tmp_path: Path) -> None:
    """dbt's DuckDB has the limit the pipeline's own connections have (VRN_MEMORY_LIMIT):
    the profile gives it when dbt opens the warehouse (`config_options`)."""
    done = run_dbt("show", tmp_path / "w.duckdb", tmp_path, "--inline",
                   "select current_setting('memory_limit') as memory_limit", "--output",
                   "json", "--quiet", env={MEMORY_LIMIT: "512MB"})
    assert done.returncode == 0, done.stdout + done.stderr
    shown = json.loads(done.stdout[done.stdout.index("{"):])["show"]
    with duckdb.connect() as reference:
        reference.execute("SET memory_limit = '512MB'")
        expected = reference.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert shown == [{"memory_limit": expected}]
