"""The bytes of an export: CSVs, the workbook and the manifest. No file I/O here.

Every renderer is deterministic — the same figures give the same bytes — so a re-run on
unchanged data recognises its own publication and rewrites nothing. The CSVs are for
loading (codes as in the marts); the workbook is for people.

The workbook follows the GSS guidance "Releasing statistics in spreadsheets" (DESIGN.md
"Partner exports"): sheets `cover` (title, period covered in words, source, contact, what
changed), `contents` (every sheet, linked, with its title), `notes` (numbered: definitions,
sources, the suppression rule, the shorthand), then one sheet per table named as its CSV:
title in A1, a line naming the shorthand its cells use, the table marked up as an Excel
table with plain-English headers and labels (exports.labels), number formats, no merged
cells, printed to the page width with the header row repeated; the document title and
language are in the file's properties.

It is written by exports.workbook straight onto XlsxWriter, in the layout ONS's gptables
builds (cover, contents with links, notes table, one marked-up table a sheet; the same
bytes gptables gave). The bytes are stable: XlsxWriter writes no time but the `created`
property, which is pinned to vrn.xlsx.FIXED_TIME, and pin_timestamps fixes the zip
members' times. What neither sets is the language: XlsxWriter has no language property, so
`<dc:language>en-GB</dc:language>` is added to docProps/core.xml after saving, in the same
rewrite of the zip (`finish_workbook`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import stat
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

import pandas as pd

from exports.catalog import PublishedTable
from exports.folder import FigureChanges
from exports.labels import (
    column_label,
    month_label,
    period_label,
    plain_text,
    source_label,
    table_title,
    value_label,
)
from exports.partners import DisclosureRule
from exports.shapes import NOT_AVAILABLE, SUPPRESSED
from exports.workbook import Cover, Sheet, contents_sheet, notes_sheet, write_workbook
from vrn.periods import fy_quarter as fy_quarter_period
from vrn.reference import PROJECT_ROOT
from vrn.xlsx import FIXED_TIME, pin_timestamps

COVER_SHEET = "cover"
CONTENTS_SHEET = "contents"
NOTES_SHEET = "notes"
LANGUAGE = "en-GB"


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


# A frame's cells as `cell_text` writes them, column by column (`cell_texts`).
Texts = Sequence[Sequence[str | None]]


def cell_texts(frame: pd.DataFrame) -> list[list[str | None]]:
    """Every cell as `cell_text` writes it, column by column: what the CSV holds, and
    what the Soda contracts are verified on (worked out once for both)."""
    return [[cell_text(v) for v in frame.iloc[:, i].tolist()] for i in range(frame.shape[1])]


def csv_bytes(frame: pd.DataFrame, texts: Texts | None = None) -> bytes:
    """UTF-8, header row first, LF line ends, quoted only where needed; `texts` the
    frame's `cell_texts` when the caller has them."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(frame.columns))
    columns = cell_texts(frame) if texts is None else texts
    for row in zip(*columns, strict=True) if columns else ([] for _ in range(len(frame))):
        writer.writerow(["" if t is None else t for t in row])
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


NO_ROWS = "No figures for this quarter"
EMPTY_TABLE = ("This table has no figures in this export (for example, its 12 months reach "
               "back before the data begin); the CSV file holds its header only.")
NOT_APPLICABLE = "[z]"  # GSS shorthand for a cell with no figure to give (a rate over zero)
SHORTHAND = {
    SUPPRESSED: "confidential: withheld to protect people",
    NOT_AVAILABLE: "not available: a partner file the figure needs was not received or "
                   "was rejected",
    NOT_APPLICABLE: "not applicable: no figure can be given, such as a rate over zero",
}
CONTACT = ("Leicester, Leicestershire and Rutland Violence Reduction Network, data and "
           "insight team (the team that sends you this export).")
FIRST_VERSION = ("This is the first version of this quarter's figures. If one is ever revised, "
                 "this line will say which tables changed and why.")


def _when_in_words(stamp: str) -> str:
    try:
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return f"{at.day} {at:%B %Y} at {at:%H:%M} UTC"


def changes_in_words(changes: FigureChanges | None, titles: Mapping[str, str]) -> str:
    """The cover's "what changed since the previous version": the tables whose figures
    changed since the last version with different figures, by title and file, and the
    partner files that arrived or were sent again since (`titles`: CSV name -> title)."""
    if changes is None:
        return FIRST_VERSION

    def named(names: Sequence[str]) -> str:
        return "; ".join(f"{titles.get(n, n.removesuffix('.csv'))} ({n})" for n in names)

    said = [f"This version replaces the one published on {_when_in_words(changes.since)}."]
    if changes.changed:
        said.append(f"Figures changed in: {named(changes.changed)}.")
    if changes.added:
        said.append(f"New tables: {named(changes.added)}.")
    if changes.removed:
        said.append(f"Tables no longer included: {named(changes.removed)}.")
    if changes.new_sources:
        said.append("Partner files received since then: "
                    f"{', '.join(changes.new_sources)}.")
    if changes.resent_sources:
        said.append("Partner files sent again since then: "
                    f"{', '.join(changes.resent_sources)}.")
    said.append("Every other table is unchanged. The earlier version is kept; "
                "manifest.json names it.")
    return " ".join(said)


@dataclass(frozen=True)
class CoverSheet:
    """What the workbook's cover says: all of it derived from the export's inputs, so the
    same figures give the same bytes."""

    title: str
    period: str  # the period covered, in words
    source: str
    contact: str = CONTACT
    changes: str = FIRST_VERSION  # what changed since the previous version


def cover_sheet(partner_label: str, fy_quarter: str, periods: Sequence[tuple[str, str, str]],
                reads: Sequence[str], changes: str | None = None) -> CoverSheet:
    """`periods` as for notes_rows; `changes` the publisher's reason when this version
    replaces an earlier one with different figures."""
    spans = [period_label(*p) for p in periods]
    quarter = fy_quarter_period(fy_quarter)
    covered = (f"The quarter {period_label(fy_quarter, quarter.start, quarter.end)}"
               + (f". Tables by period hold: {', '.join(spans)}." if spans else "."))
    return CoverSheet(
        title=f"{partner_label}: Violence Reduction Network data, "
              f"{period_label(fy_quarter, quarter.start, quarter.end)}",
        period=covered,
        source="; ".join(source_label(r) for r in reads) + ". Held in the Leicester, "
               "Leicestershire and Rutland Violence Reduction Network data warehouse.",
        changes=changes or FIRST_VERSION)


def notes_rows(partner: str, fy_quarter: str, periods: Sequence[tuple[str, str, str]],
               tables: Sequence[PublishedTable], rules: Mapping[str, DisclosureRule],
               reads: Mapping[str, Sequence[str]],
               missing: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The notes sheet, one (title, text) a note, numbered in this order: what the export
    holds, how it was counted and protected, what is not available and why, the shorthand,
    and each table's columns (from the models' YAML), all in words.

    `periods` are the (label, first day, last day) of the export's window as its tables
    hold them; `missing` the manifest's `missing` entries."""
    spans = "; ".join(f"{period_label(*p)} ({p[1]} to {p[2]})" for p in periods)
    quarter = fy_quarter_period(fy_quarter)
    rows: list[tuple[str, str]] = [
        ("Export", f"The export for {partner} of the quarter "
                   f"{period_label(fy_quarter, quarter.start, quarter.end)} ({fy_quarter}), "
                   "from the Leicester, Leicestershire and Rutland Violence Reduction Network "
                   "data warehouse. The same figures are in the CSV files of this folder."),
        ("Periods", f"Tables by period hold: {spans or 'no period'}. Monthly tables hold the "
                    "months of the rolling 12 months that lie inside the data."),
        ("Counting", "Crimes count once, by recorded date, while recorded and not cancelled; "
                     "custody, ICV and health events count by their own date."),
        ("Sources", "; ".join(sorted({source_label(r) for t in tables
                                      for r in reads.get(t.name, ())}))
         + " (the exact files and their SHA-256 are listed in manifest.json)."),
    ]
    for kind in sorted({t.kind for t in tables}):
        rule = rules[kind]
        numbers = (f"counts {rule.suppress_from} to {rule.suppress_to} shown as {SUPPRESSED}"
                   + (f", other counts rounded to the nearest {rule.round_to}"
                      if rule.round_to else ""))
        rows.append((f"Suppression ({KIND_WORDS.get(kind, kind)} figures)",
                     rule.description if SUPPRESSED in rule.description
                     else f"{numbers[:1].upper()}{numbers[1:]}. {rule.description}"))
    rows.append(("Shorthand", " ".join(f"{code} {words}." for code, words in SHORTHAND.items())))
    if missing:
        said = []
        for m in missing:
            what = (f"{source_label(m['source'] + '/' + m['entity'])} for "
                    f"{value_label('fy_quarter', m['period'])}")
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
        lines = [f"{plain_text(t.description)} ({KIND_WORDS.get(t.kind, t.kind)} figures; from "
                 f"{'; '.join(source_label(r) for r in reads.get(t.name, ()))})."]
        for c in t.columns:
            meaning = plain_text(t.column_descriptions.get(c) or "A count.")
            rate = next((r for r in t.shape.rates if r.column == c), None)
            if rate:
                meaning += (f" Computed from {', '.join(column_label(t, o) for o in rate.over)}"
                            f"; {SUPPRESSED} when any of them is.")
            lines.append(f"{column_label(t, c)}: {meaning}")
        rows.append((f"Table: {table_title(t)}", "\n".join(lines)))
    return rows


KIND_WORDS = {"police_council": "police and council", "health": "health",
              "public": "already published"}
_DATE_COLUMNS = ("period_start", "period_end")
_MONTH_COLUMNS = ("month", "month_end")


def sheet_value(column: str, value: Any, row: Mapping[str, Any]) -> Any:
    """A published cell as the workbook shows it: numbers stay numbers (people sum and
    chart them), codes and periods in words, dates as dates, an empty cell as `[z]`."""
    shown = _cell_value(value)
    if shown is None:
        return NOT_APPLICABLE
    if shown in (SUPPRESSED, NOT_AVAILABLE) or not isinstance(shown, str):
        return shown
    if column == "period" and {"period_start", "period_end"} <= set(row):
        return period_label(shown, row["period_start"], row["period_end"])
    if column in _DATE_COLUMNS:
        return date.fromisoformat(shown[:10])
    if column in _MONTH_COLUMNS:
        return month_label(shown)
    return value_label(column, shown)


def number_format(table: PublishedTable | None, column: str, values: Sequence[Any]) -> str:
    """Thousands separators for counts, 3 decimals for rates per 1,000, % for shares."""
    if column in _DATE_COLUMNS:
        return "d mmmm yyyy"
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return "@" if values else "General"
    if "per_1000" in column:
        return "#,##0.000"
    if column.endswith("_rate") or "_rate_" in column or column.startswith("change_on_"):
        return "0.0%"
    if (table is not None and column in table.shape.counts) or all(
            float(v).is_integer() for v in numbers):
        return "#,##0"
    return "#,##0.0##"


def _notes_referring(notes: Sequence[tuple[str, str]], title: str) -> int | None:
    return next((i for i, (t, _) in enumerate(notes, start=1) if t == title), None)


def _shorthand_line(rows: Sequence[Sequence[Any]], shorthand_note: int | None) -> str | None:
    """The line naming the shorthand the cells (`rows` as shown) use, in SHORTHAND's order."""
    texts = {v for row in rows for v in row if isinstance(v, str)}
    present = [code for code in SHORTHAND if code in texts]
    if not present:
        return None
    words = {SUPPRESSED: "confidential", NOT_AVAILABLE: "not available",
             NOT_APPLICABLE: "not applicable"}
    listed = [f"{code} ({words[code]})" for code in present]
    said = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]
    see = f"see note {shorthand_note}" if shorthand_note else "see the notes sheet"
    return f"Some cells show {said}: {see}."


def workbook_bytes(tables: Sequence[tuple[PublishedTable | str, pd.DataFrame]],
                   notes: Sequence[tuple[str, str]], cover: CoverSheet,
                   reads: Mapping[str, Sequence[str]] | None = None) -> bytes:
    """The partner workbook (GSS "Releasing statistics in spreadsheets"): sheets `cover`,
    `contents`, `notes`, then one per table named as its CSV; see the module docstring."""
    sheets = workbook_sheets(tables, notes, reads or {})
    buf = io.BytesIO()
    write_workbook(
        buf, Cover(title=cover.title, intro=[
            f"Period covered: {cover.period}", f"Source: {cover.source}"],
            about=[f"What changed since the previous version: {cover.changes}",
                   "Some figures are withheld or not available; the shorthand used is "
                   "explained on the notes worksheet.",
                   "The contents worksheet lists and links every table."],
            contact=[cover.contact], label=COVER_SHEET),
        contents_sheet(CONTENTS_SHEET, "Contents", ["Worksheet", "Table title"], sheets),
        notes_sheet(NOTES_SHEET, "Notes", notes), sheets,
        properties={
            "title": cover.title, "subject": cover.period, "author": "Leicester, "
            "Leicestershire and Rutland Violence Reduction Network", "keywords": "violence "
            "reduction, serious violence, official statistics, "
            + ", ".join(s.name for s in sheets),
            "comments": "Follows the GSS guidance on releasing statistics in spreadsheets.",
            "created": FIXED_TIME})
    return finish_workbook(buf.getvalue())


def workbook_sheets(tables: Sequence[tuple[PublishedTable | str, pd.DataFrame]],
                    notes: Sequence[tuple[str, str]],
                    reads: Mapping[str, Sequence[str]]) -> list[Sheet]:
    """One sheet per table: its cells as people read them (exports.labels), the line
    naming the shorthand its cells use, the note describing its columns, its sources."""
    shorthand_note = _notes_referring(notes, "Shorthand")
    sheets: list[Sheet] = []
    for table, frame in tables:
        name = table if isinstance(table, str) else table.name
        described = None if isinstance(table, str) else table
        if len(name) > 31:
            raise ValueError(f"sheet name {name!r} is longer than Excel's 31 characters")
        # The cells are worked on as lists, row by row and column by column (pandas'
        # indexing a cell or a column at a time cost as much as the cells themselves).
        columns = list(frame.columns)
        rows = [[sheet_value(c, r[c], r) for c in columns] for r in frame.to_dict("records")]
        headers = [column_label(described, c) for c in columns]
        if len(set(headers)) != len(headers):
            raise ValueError(f"{name}: two columns have the same header {headers}")
        empty = not rows
        if empty:  # a table may have no rows this quarter; say so in the one row shown
            rows = [[NO_ROWS, *[NOT_APPLICABLE] * (len(headers) - 1)]]
        table_note = _notes_referring(notes, f"Table: {table_title(table)}")
        subtitles = [line for line in (
            EMPTY_TABLE if empty else None,
            _shorthand_line(rows, shorthand_note),
            f"Each column is described in note {table_note}." if table_note else None,
        ) if line]
        sources = [source_label(r) for r in reads.get(name, ())]
        by_column = [list(values) for values in zip(*rows, strict=True)]
        sheets.append(Sheet(
            name=name, title=table_title(table),
            table=pd.DataFrame(rows, columns=headers, dtype=object), subtitles=subtitles,
            instructions="This worksheet contains one table. Notes are on the notes "
                         "worksheet.",
            source=f"Source: {'; '.join(sources)}." if sources else None,
            num_formats={i: number_format(described, c, values)
                         for i, (c, values) in enumerate(zip(columns, by_column,
                                                             strict=True))}))
    return sheets


# Each part of the workbook's zip is marked a regular file readable and writable by its
# owner, as when XlsxWriter wrote every part to a temporary file first (it now keeps them
# in memory, which would mark them with the permissions alone): the same bytes as before.
_PART_ATTRIBUTES = (stat.S_IFREG | 0o600) << 16


def finish_workbook(workbook: bytes, language: str = LANGUAGE) -> bytes:
    """XlsxWriter's workbook as the exports publish it, in one rewrite of its zip: the
    members' times and the `modified` stamp pinned (vrn.xlsx.pin_timestamps), each
    member's attributes pinned, and `<dc:language>` added to docProps/core.xml: the
    document's language, which XlsxWriter cannot set (GSS asks for it; Excel shows it
    under File > Info and screen readers use it). The member order is kept, so the bytes
    are stable."""
    def with_language(core: bytes) -> bytes:
        if b"<dc:language>" in core:
            return core
        return core.replace(b"</cp:coreProperties>",
                            f"<dc:language>{language}</dc:language>"
                            "</cp:coreProperties>".encode())

    return pin_timestamps(workbook, attributes=_PART_ATTRIBUTES, core=with_language)


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
