"""A council workbook's cells turned into text a column at a time
(`ingest.tabular.workbook_as_csv`, `column_texts`) give the CSV that turning each cell
into text in turn gives: every type calamine returns, mixed in one column or not, blank
and short rows, date styles."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from ingest import read, tabular, validate
from ingest.specs import BY_NAME
from tests.support.partner_files import write_xlsx


def cells_one_by_one(rows: list[tuple[int, list[Any]]], entity_name: str) -> list[list[str]]:
    """The CSV rows of `workbook_as_csv`, each cell in turn (the reference)."""
    entity = BY_NAME[entity_name]
    header = read.clean_header(rows[0][1])
    while header and header[-1] == "":
        header.pop()
    kinds = {i: c.kind for i, c in enumerate(entity.columns)}
    iso = uk = 0
    for _, cells in rows[1:]:
        for i, value in enumerate(cells):
            if kinds.get(i) in validate.DATE_KINDS and isinstance(value, str):
                iso += bool(tabular._ISO.match(value.strip()))
                uk += bool(tabular._UK.match(value.strip()))
    style = validate.choose_style(iso, uk)
    out = [["__row_number", *header]]
    for number, cells in rows[1:]:
        values = cells[:len(header)]
        if all(read.is_blank(v) for v in values):
            continue
        text = [tabular.cell_text(v, kinds.get(i, "text"), style) for i, v in enumerate(values)]
        out.append([str(number - 1), *text, *[""] * (len(header) - len(text))])
    return out


CELLS: list[Any] = [
    "", " ", "  \t", "text", " padded ", "2024-03-05", "05/03/2024", "5/3/24", "x,y", 'a "q"',
    "line\nbreak", 0.0, 12.0, 12.5, -3.25, 1e20, float("nan"), 7, 0, True, False, None,
    date(2024, 3, 5), datetime(2024, 3, 5, 13, 4, 5), time(9, 30), timedelta(days=2),
]


def random_rows(rng: random.Random, width: int, count: int, mixed: bool
                ) -> list[tuple[int, list[Any]]]:
    """A sheet as `read.read_xlsx_values` gives it (header first), its columns each of
    one type or (`mixed`) of any, with blank rows and, sometimes, short rows."""
    header = ["child_ref", "tok_surname", "tok_forename", "tok_dob", "start_date", "type",
              "sessions"][:width] + [""] * rng.choice([0, 0, 2])
    columns = [[rng.choice(CELLS)] if mixed else CELLS[rng.randrange(len(CELLS))]
               for _ in header]
    rows: list[tuple[int, list[Any]]] = [(1, list(header))]
    for n in range(2, count + 2):
        if rng.random() < 0.1:
            cells = [rng.choice(["", " ", None]) for _ in header]
        else:
            cells = [rng.choice(CELLS) if mixed else c for c in columns]
            if not mixed and rng.random() < 0.2:  # one odd cell in a column of one type
                cells[rng.randrange(len(cells))] = rng.choice(CELLS)
        if rng.random() < 0.05:
            cells = cells[:rng.randrange(len(cells) + 1)]
        rows.append((n, cells))
    return rows


def csv_rows(path: Path | None) -> list[list[str]]:
    assert path is not None
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("seed", range(30))
def test_a_sheet_turned_into_text_column_by_column_is_the_csv_cell_by_cell(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = random.Random(seed)
    rows = random_rows(rng, width=rng.randint(1, 7), count=rng.randint(0, 40),
                       mixed=seed % 2 == 1)
    monkeypatch.setattr(read, "read_xlsx_values", lambda _path: rows)
    header, path = tabular.workbook_as_csv(tmp_path / "exclusions_2024-25.xlsx",
                                           BY_NAME["exclusions"], tmp_path)
    expected = cells_one_by_one(rows, "exclusions")
    assert header == expected[0][1:]
    assert csv_rows(path) == expected


@pytest.mark.parametrize("values", [
    ["a", " b ", ""], [1.0, 2.5, 3.0], [1, 2], [True, False], [None, None],
    [date(2024, 1, 2)], [datetime(2024, 1, 2, 3, 4, 5)], [time(1, 2, 3)],
    [timedelta(hours=5)], ["a", 1.0, None, date(2024, 1, 2), True, timedelta(1)],
])
@pytest.mark.parametrize("kind", ["text", "date", "datetime"])
@pytest.mark.parametrize("style", ["iso", "uk"])
def test_each_type_of_cell_becomes_the_text_it_becomes_alone(values: list[Any], kind: str,
                                                             style: str) -> None:
    assert tabular.column_texts(values, kind, style) == [
        tabular.cell_text(v, kind, style) for v in values]


def test_a_workbook_read_for_real_gives_the_csv_cell_by_cell(tmp_path: Path) -> None:
    header = BY_NAME["exclusions"].header
    rows = [header,
            ["C1", "a" * 64, "b" * 64, "c" * 64, date(2024, 9, 2), "suspension", 2],
            ["C2", "a" * 64, "b" * 64, "c" * 64, "03/09/2024", "suspension", 1.5],
            [None] * len(header),
            ["C3", "a" * 64, "b" * 64, "c" * 64, "04/09/2024", "permanent", "x"],
            ["", "", "", "", "", "", " "]]
    path = write_xlsx(tmp_path / "la/E10000018/exclusions_2024-25.xlsx", rows)
    got_header, got = tabular.workbook_as_csv(path, BY_NAME["exclusions"], tmp_path)
    expected = cells_one_by_one(read.read_xlsx_values(path), "exclusions")
    assert got_header == header
    assert csv_rows(got) == expected
    # the date cell in the file's own style: UK, as its text dates are
    assert expected[1][5] == "02/09/2024" and [r[0] for r in expected[1:]] == ["1", "2", "4"]
