"""The bytes of an export: CSVs, the workbook and the manifest. No file I/O here.

Every renderer is deterministic — the same figures give the same bytes — so a re-run on
unchanged data recognises its own publication and rewrites nothing. The workbook is for
people: bold, frozen header, sensible column widths, and a `notes` sheet with the
definitions, the sources and the suppression rule; the CSVs are for loading.
"""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

import pandas as pd

from exports.catalog import PublishedTable
from exports.disclosure import NOT_AVAILABLE, SUPPRESSED
from exports.partners import DisclosureRule
from vrn.reference import PROJECT_ROOT
from vrn.xlsx import FIXED_TIME, pin_timestamps

NOTES_SHEET = "notes"


def cell_text(value: Any) -> str | None:
    """How one published value is written: `[c]` and `[x]` as they are, whole numbers
    without a point, other numbers with up to 6 decimals, dates ISO; None for empty."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return cell_text(value.item())
    return str(value)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8, header row first, LF line ends, quoted only where needed."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        writer.writerow(["" if (t := cell_text(v)) is None else t for v in row])
    return buf.getvalue().encode("utf-8")


def _cell_value(value: Any) -> Any:
    """Numbers stay numbers in the workbook, so people can sum and chart them."""
    text = cell_text(value)
    if text is None or text in (SUPPRESSED, NOT_AVAILABLE):
        return text
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if hasattr(value, "item"):
        return value.item()
    return text


def notes_rows(partner: str, fy_quarter: str, periods: Sequence[tuple[str, str, str]],
               tables: Sequence[PublishedTable], rules: Mapping[str, DisclosureRule],
               reads: Mapping[str, Sequence[str]],
               missing: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The notes sheet: what the export holds, how it was counted and protected, what is
    not available and why, and every column's meaning (from the models' YAML).

    `periods` are the (label, first day, last day) of the export's window as its tables
    hold them; `missing` the manifest's `missing` entries."""
    spans = "; ".join(f"{label} ({start} to {end})" for label, start, end in periods)
    rows: list[tuple[str, str]] = [
        ("Export", f"{partner}, {fy_quarter}: Leicester, Leicestershire and Rutland Violence "
                   "Reduction Network data warehouse."),
        ("Periods", f"Tables by period hold: {spans or 'no period'}. Monthly tables hold the "
                    "months of the rolling 12 months that lie inside the data."),
        ("Counting", "Crimes count once, by recorded date, while recorded and not cancelled; "
                     "custody, ICV and health events count by their own date."),
        ("Sources", "; ".join(sorted({r for t in tables for r in reads.get(t.name, ())}))
         + " (the exact files and their SHA-256 are listed in manifest.json)."),
    ]
    for kind in sorted({t.kind for t in tables}):
        rule = rules[kind]
        numbers = (f"counts {rule.suppress_from} to {rule.suppress_to} shown as {SUPPRESSED}"
                   + (f", other counts rounded to the nearest {rule.round_to}"
                      if rule.round_to else ""))
        rows.append((f"Suppression ({kind.replace('_', ' and ')} figures)",
                     f"{rule.name}: {numbers}. {rule.description}"))
    rows.append(("Shorthand", f"{SUPPRESSED} confidential: withheld to protect people "
                              f"(see Suppression). {NOT_AVAILABLE} not available: a partner "
                              "file the figure needs was not received or was rejected."))
    if missing:
        said = []
        for m in missing:
            what = f"{m['source']}/{m['entity']} for {m['period']}"
            why = (f"file {m['file_name']} was {m['reason']}" if m.get("file_name")
                   else m["reason"])
            said.append(f"{what} ({why})")
        rows.append(("Not available", "Figures drawing on these partner files are shown as "
                     f"{NOT_AVAILABLE}, including the financial-year and rolling 12-month rows "
                     "that include them: " + "; ".join(said) + "."))
    else:
        rows.append(("Not available", "Every partner file these figures draw on was received "
                                      "and loaded."))
    for t in tables:
        rows.append((f"Table {t.name}", f"{t.description} ({t.kind.replace('_', ' and ')} "
                                        f"figures; from {', '.join(reads.get(t.name, ()))})."))
        for c in t.columns:
            meaning = t.column_descriptions.get(c) or "A count."
            rate = next((r for r in t.shape.rates if r.column == c), None)
            if rate:
                meaning += (f" Computed from {', '.join(rate.over)}; {SUPPRESSED} when any of "
                            "them is.")
            rows.append((f"  {t.name}.{c}", meaning))
    return rows


def workbook_bytes(sheets: Sequence[tuple[str, pd.DataFrame]],
                   notes: Sequence[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)

    ws = wb.create_sheet(NOTES_SHEET)
    ws.append(["item", "text"])
    for item, text in notes:
        ws.append([item, text])
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 110
    for row in ws.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
        row[0].alignment = Alignment(vertical="top")
        if not str(row[0].value).startswith(" "):
            row[0].font = bold
    _header(ws, bold)

    for name, frame in sheets:
        if len(name) > 31:
            raise ValueError(f"sheet name {name!r} is longer than Excel's 31 characters")
        ws = wb.create_sheet(name)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell_value(v) for v in row])
        for i, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column))] + [len(cell_text(v) or "") for v in frame[column]])
            ws.column_dimensions[get_column_letter(i)].width = min(max(longest + 2, 10), 60)
        _header(ws, bold)

    wb.properties.creator = "vrn-warehouse"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return pin_timestamps(buf.getvalue())


def _header(ws: Any, bold: Any) -> None:
    for cell in ws[1]:
        cell.font = bold
    ws.freeze_panes = "A2"


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@cache
def code_version() -> str:
    """`git describe` of the checkout when there is one, else the package version."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"], cwd=PROJECT_ROOT,
            capture_output=True, text=True, timeout=10, check=False)
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"vrn-warehouse {version('vrn-warehouse')}"
    except PackageNotFoundError:
        return "unknown"
