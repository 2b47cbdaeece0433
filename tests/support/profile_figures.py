"""Figures a profile prints, checked against the partner's CSVs (DESIGN.md "Profiles":
every figure comes from the same disclosure-controlled tables as the CSVs).

The page's figures are its table cells and its elements marked `data-figure`: the
headline tiles' value, change and rate, and the generated sentences
(`data-figure="sentence"`, the running text that states figures and what changed); see
`tests/support/browser.py`. A table, tile or sentence that names its CSV
(`data-source="sv_by_month.csv"`) is compared with that CSV only; otherwise with every
CSV of the export. A share worked out in Python from two published counts ("10 offences
(33% of all)") is in no CSV, so it fails here unless the CSV carries that share.

A printed number matches a CSV value when it is that value rounded to the digits printed
(`12.34` for `12.3412`; `1,234` for `1234`), ignoring the sign (`down 12` for `-12`), or,
printed as a percentage, that value or a 0–1 fraction of it times 100 (`4.8%` for
`0.0475`). Words that hold digits but are no figures are left out first: "per 1,000",
years and financial years (`2023-24`, `2023/24`), quarters, "12 months", dates, times of
day (`15:00`) and ages in words ("under 25").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

SUPPRESSED = "[c]"
NOT_AVAILABLE = "[x]"

MONTHS = ("January|February|March|April|May|June|July|August|September|October|"
          "November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# Digits that are not figures, removed before numbers are read.
_NOT_FIGURES = re.compile(
    r"per\s+1,?000(?:\s+\w+)?"                     # per 1,000 residents
    r"|per\s+100,?000"
    r"|\b(?:19|20)\d{2}-\d{2}(?:\s*Q[1-4])?\b"      # 2023-24, 2023-24 Q4
    r"|\b(?:19|20)\d{2}/\d{2}\b"                    # 2023/24
    r"|\b\d{1,2}:\d{2}\b"                           # 15:00, a time of day
    r"|\bunder\s+\d{1,2}\b"                         # under 25, an age
    r"|\b\d{4}-\d{2}-\d{2}\b"                       # ISO dates
    r"|\bQ[1-4]\b"
    r"|\b\d{1,2}\s+months?\b"                       # 12 months
    rf"|\b(?:\d{{1,2}}\s+)?(?:{MONTHS})\s+(?:19|20)\d{{2}}\b"  # March 2024, 31 March 2024
    r"|\b(?:19|20)\d{2}\b(?!\s*%)"                  # a year on its own
    r"|\[[cx]\]"
)
_NUMBER = re.compile(r"(?<![\w.])[-+−]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s*%)?")


@dataclass(frozen=True)
class Printed:
    """A number as printed: its value, decimals shown, and whether it is a percentage."""

    value: Decimal
    decimals: int
    percent: bool
    text: str


def printed_numbers(text: str) -> list[Printed]:
    found = []
    for m in _NUMBER.finditer(_NOT_FIGURES.sub(" ", text)):
        whole, frac, pct = m.group(1), m.group(2) or "", m.group(3)
        found.append(Printed(Decimal(whole.replace(",", "") + frac),
                             len(frac) - 1 if frac else 0, bool(pct), m.group(0).strip()))
    return found


def csv_values(data: str) -> list[Decimal]:
    """Every numeric cell of a CSV (codes, labels, `[c]` and `[x]` are not numbers)."""
    values = []
    for row in csv.reader(io.StringIO(data)):
        for cell in row:
            try:
                values.append(abs(Decimal(cell)))
            except InvalidOperation:
                continue
    return values


def matches(number: Printed, values: Iterable[Decimal]) -> bool:
    half = Decimal(5) / Decimal(10) ** (number.decimals + 1)
    for v in values:
        candidates = (v, v * 100) if number.percent else (v,)
        if any(abs(c - number.value) <= half for c in candidates):
            return True
    return False


@dataclass(frozen=True)
class Unmatched:
    where: str
    text: str
    number: str
    source: str

    def __str__(self) -> str:
        against = self.source or "any CSV"
        return f"{self.number!r} in {self.where} {self.text!r} is in no cell of {against}"


def unmatched_figures(figures: Iterable, csvs: Mapping[str, str]) -> list[Unmatched]:
    """Numbers the page prints that no CSV holds (`csvs`: file name → text)."""
    every = [v for text in csvs.values() for v in csv_values(text)]
    by_file = {name: csv_values(text) for name, text in csvs.items()}
    missing = []
    for fig in figures:
        if fig.where == "table" and fig.column == 0:
            continue  # the row's label
        if fig.source and fig.source not in by_file:
            missing.append(Unmatched(_where(fig), fig.text, "(table)", fig.source))
            continue
        values = by_file[fig.source] if fig.source else every
        for number in printed_numbers(fig.text):
            if not matches(number, values):
                missing.append(Unmatched(_where(fig), fig.text, number.text, fig.source))
    return missing


def _where(fig) -> str:
    if fig.where == "table":
        return f"table {fig.caption or fig.table + 1!s} row {fig.row + 1} column {fig.column + 1}"
    return f"figure {fig.caption}"


def read_csvs(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.csv"))}


def suppressed_tables(csvs: Mapping[str, str]) -> list[str]:
    """The CSVs holding at least one `[c]`."""
    return [name for name, text in csvs.items()
            if any(SUPPRESSED in row for row in csv.reader(io.StringIO(text)))]


def says_suppressed(text: str) -> bool:
    return SUPPRESSED in text or "suppressed" in text.lower()


def suppressed_cells_shown_as_numbers(figures: Iterable, csvs: Mapping[str, str]) -> list[str]:
    """Cells of a table naming its CSV that print a number where that CSV's row with the
    same label holds `[c]` in every numeric column (a whole suppressed row printed)."""
    found = []
    rows_by_file: dict[str, dict[str, list[str]]] = {}
    for name, text in csvs.items():
        rows_by_file[name] = {}
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                rows_by_file[name].setdefault(_label(cell), []).extend(row)
    table_rows: dict[tuple[int, int], list] = {}
    for fig in figures:
        if fig.where == "table" and fig.source in rows_by_file:
            table_rows.setdefault((fig.table, fig.row), []).append(fig)
    for cells in table_rows.values():
        label = next((c.text for c in cells if c.column == 0), "")
        row = rows_by_file[cells[0].source].get(_label(label))
        if not row:
            continue
        numeric = [c for c in row if c not in (SUPPRESSED, NOT_AVAILABLE, "")
                   and _is_number(c)]
        if SUPPRESSED in row and not numeric:
            shown = [c.text for c in cells if c.column > 0 and printed_numbers(c.text)]
            if shown:
                found.append(f"{cells[0].source} row {label!r} is [c] in the CSV "
                             f"but the page prints {shown}")
    return found


def _label(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True
