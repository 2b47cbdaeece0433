"""The generated files look as partners send them: the spec's headers exactly, codes from
the reference lists, and every format variation the spec lists (BOM, Windows-1252, LF and
CRLF, both date styles, datetimes with and without seconds, workbooks with date cells and
with text dates), one style per file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ingest.specs import BY_NAME, Entity
from tests.figures import PERIOD_RE, decode, read_table
from vrn.reference import beat_codes, offence_codes, outcome_codes

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UK_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
ISO_DT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$")
UK_DT = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}(:\d{2})?$")
OUR_SOURCES = ("police", "la")


def entity_files(landing: Path, sources: tuple[str, ...] = OUR_SOURCES
                 ) -> list[tuple[Path, Entity]]:
    out = []
    for source in sources:
        for path in sorted((landing / source).rglob("*")):
            m = PERIOD_RE.search(path.name)
            if path.is_file() and m:
                entity = BY_NAME.get(path.name[: m.start()])
                if entity is not None:
                    out.append((path, entity))
    return out


def test_every_file_has_the_spec_header_exactly(small_drop) -> None:
    files = entity_files(small_drop.landing, ("police", "la", "opcc", "health"))
    assert len(files) > 60
    for path, entity in files:
        header = list(read_table(path).columns)
        assert header == entity.header, f"{path.name}: {header} != {entity.header}"


def test_every_police_and_council_period_is_written(small_drop) -> None:
    names = {p.relative_to(small_drop.landing).as_posix()
             for p, _ in entity_files(small_drop.landing)}
    for q in ("2023-24Q1", "2023-24Q2", "2023-24Q3", "2023-24Q4"):
        for e in ("crimes", "crime_people", "outcomes", "custody"):
            assert f"police/{e}_{q}.csv" in names
        assert f"la/E06000016/children_looked_after_{q}.csv" in names
        assert f"la/E10000018/child_protection_plans_{q}.xlsx" in names
        assert f"la/E06000017/children_looked_after_{q}.csv" in names
    # Every academic year overlapping the period (2022-23 ends 31 August 2023).
    for ay in ("2022-23", "2023-24"):
        assert f"la/E06000016/school_absence_{ay}.csv" in names
        assert f"la/E10000018/exclusions_{ay}.xlsx" in names
        assert f"la/E06000017/school_absence_{ay}.csv" in names


def test_every_code_is_in_its_reference_list(small_drop) -> None:
    refs = {"offence_codes": offence_codes(), "outcome_codes": outcome_codes(),
            "beat_codes": beat_codes()}
    for path, entity in entity_files(small_drop.landing):
        table = read_table(path)
        for col in entity.columns:
            if col.kind not in ("code", "flag"):
                continue
            allowed = set(refs[col.ref]) if col.ref else set(col.values or ())
            values = set(table[col.name]) - {""}
            assert values <= allowed, f"{path.name} {col.name}: {sorted(values - allowed)}"


def test_serious_violence_and_other_crime_both_appear(small_drop) -> None:
    codes = set()
    for path in (small_drop.landing / "police").glob("crimes_*.csv"):
        codes |= set(read_table(path)["ho_offence_code"])
    assert {"105A", "9A", "46", "49", "58C", "92E", "28E"} <= codes  # not serious violence
    assert {"8N", "8L", "8R", "19C", "34B", "5D"} <= codes  # serious violence


def _date_styles(path: Path, entity: Entity) -> set[str]:
    """The date styles of one file's date and datetime values (text or cells)."""
    styles: set[str] = set()
    if path.suffix == ".xlsx":
        wb = load_workbook(path, read_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        cols = [i for i, c in enumerate(entity.columns) if c.kind in ("date", "datetime")]
        for r in rows[1:]:
            for i in cols:
                v = r[i]
                if v is None or v == "":
                    continue
                styles.add("cell" if not isinstance(v, str) else
                           "iso" if ISO_DATE.match(v) or ISO_DT.match(v) else
                           "uk" if UK_DATE.match(v) or UK_DT.match(v) else "other")
        return styles
    table = read_table(path)
    for col in entity.columns:
        if col.kind not in ("date", "datetime"):
            continue
        for v in set(table[col.name]) - {""}:
            if col.kind == "date":
                styles.add("iso" if ISO_DATE.match(v) else "uk" if UK_DATE.match(v) else "other")
            else:
                styles.add("iso" if ISO_DT.match(v) else "uk" if UK_DT.match(v) else "other")
                styles.add("seconds" if v.count(":") == 2 else "minutes")
    return styles


def test_one_date_style_per_file(small_drop) -> None:
    for path, entity in entity_files(small_drop.landing):
        styles = _date_styles(path, entity) - {"seconds", "minutes"}
        assert len(styles) <= 1, f"{path.name} mixes date styles {styles}"
        seconds = _date_styles(path, entity) & {"seconds", "minutes"}
        assert len(seconds) <= 1, f"{path.name} mixes datetimes with and without seconds"


def test_the_drop_has_every_format_partners_use(small_drop) -> None:
    encodings: set[str] = set()
    endings: set[str] = set()
    styles: set[str] = set()
    for path, entity in entity_files(small_drop.landing):
        styles |= _date_styles(path, entity)
        if path.suffix != ".csv":
            continue
        data = path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):
            encodings.add("utf-8-bom")
        else:
            try:
                data.decode("utf-8")
                encodings.add("utf-8")
            except UnicodeDecodeError:
                data.decode("cp1252")  # Rutland's system: must decode as Windows-1252
                encodings.add("cp1252")
        endings.add("crlf" if b"\r\n" in data else "lf")
    assert encodings == {"utf-8", "utf-8-bom", "cp1252"}
    assert endings == {"lf", "crlf"}
    assert {"iso", "uk", "cell", "seconds", "minutes"} <= styles


def test_rutland_sends_windows_1252_with_crlf(small_drop) -> None:
    for path in (small_drop.landing / "la" / "E06000017").glob("*.csv"):
        data = path.read_bytes()
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
        if b"\x96" in data:  # the en dash of its child references
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            assert "\u2013" in decode(data)


def test_leicestershire_sends_one_sheet_workbooks(small_drop) -> None:
    books = sorted((small_drop.landing / "la" / "E10000018").glob("*"))
    assert books and all(p.suffix == ".xlsx" for p in books)
    for path in books:
        wb = load_workbook(path, read_only=True)
        assert len(wb.worksheets) == 1
        wb.close()


def test_no_raw_identifiers_reach_the_landing_folder(small_drop) -> None:
    forbidden = {"surname", "forename", "first_name", "last_name", "name", "full_name", "dob",
                 "date_of_birth", "address", "nhs_number", "postcode", "upn"}
    for path, _ in entity_files(small_drop.landing):
        assert not {c.strip().lower() for c in read_table(path).columns} & forbidden
    assert not (small_drop.landing / "persons.csv").exists()
    assert small_drop.truth.parent == small_drop.landing.parent
