"""Commissioned services: the quarterly SARC, CYP SARC and ISVA returns, and funding.

A return is a form, not a table (`spec/returns.md`): sheet `Return`, a title in row 1,
then label/value rows with blank rows and section headings between them. Every required
label must be there with a valid number and the return must pass its checks, or the whole
return is rejected: a partial return would publish wrong totals. A return becomes one
row per measure in `raw.commissioning__service_returns`. Funding is an ordinary table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ingest import read, validate
from ingest.files import RETURN_ENTITIES, LandingFile, for_path
from ingest.schema import SERVICE_RETURNS_TABLE
from ingest.specs import FUNDING, RETURN_DECIMAL_LABELS, RETURN_LABELS, RETURN_PERCENT_LABELS
from ingest.tabular import HeldKeys, ParsedFile, Scratch, parse_table, scratch_connection, start
from vrn.reference import seed_rows

SOURCE = "commissioning"
ENTITIES = (FUNDING,)
RETURN_SHEET = "Return"
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
REJECTED = "The whole return is rejected and nothing was loaded"


class ReturnProblem(Exception):
    """Why a return is rejected, in words for the provider."""


def measure_name(label: str) -> str:
    """returns.md: lower-case, every run of other characters than a-z and 0-9 one `_`,
    no `_` at either end (`Forensic examination within 60 minutes (%)` →
    `forensic_examination_within_60_minutes`)."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def label_key(label: object) -> str:
    """Labels match ignoring case, surrounding spaces and a trailing colon."""
    return str(label).strip().removesuffix(":").strip().casefold()


@dataclass(frozen=True)
class Answer:
    label: str  # as the spec writes it
    sheet_row: int
    value: float


def _value(label: str, cell: read.Cell, sheet_row: int) -> float:
    """A label's value as a number, or ReturnProblem saying what is wrong with it."""
    where = f"{label!r} (row {sheet_row})"
    v = cell.value
    percent = label in RETURN_PERCENT_LABELS
    if read.is_blank(v):
        raise ReturnProblem(f"{where} has no value; every required label needs a number")
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise ReturnProblem(f"{where} has {v!r}, which is not a number")
    if isinstance(v, str):
        text = v.strip()
        if percent:
            text = text.removesuffix("%").strip()
        if not _NUMBER.match(text):
            raise ReturnProblem(f"{where} has {v.strip()!r}, which is not a number")
        number = float(text)
    else:
        number = float(v)
        # A cell formatted as a percentage holds a fraction: 0.85 is shown as 85%.
        if percent and "%" in cell.number_format.replace('"%"', ""):
            number *= 100
    if label not in RETURN_DECIMAL_LABELS and not number.is_integer():
        raise ReturnProblem(f"{where} has {read.number_text(number)}, not a whole number")
    if number < 0:
        raise ReturnProblem(f"{where} has {read.number_text(number)}; it cannot be negative")
    if percent and number > 100:
        raise ReturnProblem(f"{where} is {read.number_text(number)}%, outside 0–100")
    return number


def read_return(path: Path, service: str) -> tuple[list[Answer], int]:
    """The required answers of one return in the spec's order, and the number of
    label/value rows read. Raises ReturnProblem or read.UnreadableFile."""
    wanted = {label_key(lbl): lbl for lbl in RETURN_LABELS[service]}
    found: dict[str, tuple[int, read.Cell]] = {}
    rows_read = 0
    for sheet_row, cells in read.read_xlsx(path, RETURN_SHEET):
        if sheet_row == 1:
            continue  # the title; the period comes from the file name
        label = cells[0].value if cells else None
        value = cells[1] if len(cells) > 1 else read.Cell(None)
        if read.is_blank(label) and read.is_blank(value.value):
            continue
        rows_read += 1
        key = label_key(label) if not read.is_blank(label) else ""
        if key not in wanted:
            continue  # section headings and labels the spec does not ask for
        if key in found:
            raise ReturnProblem(
                f"{wanted[key]!r} appears twice (rows {found[key][0]} and {sheet_row}); "
                "each label is one row"
            )
        found[key] = (sheet_row, value)
    missing = [lbl for k, lbl in wanted.items() if k not in found]
    if missing:
        raise ReturnProblem(
            f"required label(s) missing: {', '.join(repr(m) for m in missing)} (labels "
            "are matched ignoring case, surrounding spaces and a trailing colon)"
        )
    answers = [Answer(lbl, found[k][0], _value(lbl, found[k][1], found[k][0]))
               for k, lbl in wanted.items()]
    return answers, rows_read


def _sum_check(values: dict[str, float], parts: tuple[str, ...], total: str) -> str | None:
    added = sum(values[p] for p in parts)
    if added == values[total]:
        return None
    shown = " + ".join(f"{p} {read.number_text(values[p])}" for p in parts)
    return (f"{shown} = {read.number_text(added)}, but {total} is "
            f"{read.number_text(values[total])}")


def return_sums(service: str) -> list[tuple[str, tuple[str, ...]]]:
    """returns.md "Checks a return must pass": (total label, part labels) of each split that
    must add up, from seed ref_service_return_sums (the exports' disclosure control reads
    the same seed: these totals must not give a suppressed part away)."""
    labels = {r["measure"]: r["label"] for r in seed_rows("ref_service_return_measures")
              if r["service"] == service}
    rows = sorted((r for r in seed_rows("ref_service_return_sums") if r["service"] == service),
                  key=lambda r: int(r["check_order"]))
    return [(labels[r["total"]], tuple(labels[p] for p in r["parts"].split("|"))) for r in rows]


def check_return(service: str, answers: list[Answer]) -> str | None:
    """returns.md, 'Checks a return must pass'; the first failure, or None."""
    v = {a.label: a.value for a in answers}
    checks: list[str | None] = [_sum_check(v, parts, total)
                                for total, parts in return_sums(service)]
    if service == "isva":
        room = v["Referrals received"] - v["Declined further engagement"]
        plan = v["Supported with a support plan"]
        checks.append(None if plan <= room else (
            f"Supported with a support plan {read.number_text(plan)} exceeds Referrals "
            f"received minus Declined further engagement ({read.number_text(room)})"))
    return next((c for c in checks if c), None)


def parse_return(file: LandingFile, workdir: Path, *, sha256: str | None = None,
                 scratch: Scratch = None) -> ParsedFile:
    """One quarterly return: every required measure, or the reason it is rejected."""
    result = start(file, sha256)
    result.table = SERVICE_RETURNS_TABLE
    service = RETURN_ENTITIES[file.entity or ""]
    try:
        answers, result.rows_read = read_return(file.path, service)
        failed = check_return(service, answers)
        if failed:
            raise ReturnProblem(f"the return fails its check: {failed}")
    except (ReturnProblem, read.UnreadableFile) as e:
        result.rejected = f"{e}. {REJECTED}"
        return result
    workdir.mkdir(parents=True, exist_ok=True)
    rows_path = workdir / "rows.parquet"
    with scratch_connection(scratch) as con:
        con.execute(
            "CREATE TABLE answers (service VARCHAR, fy_quarter VARCHAR, label VARCHAR, "
            "measure VARCHAR, value DOUBLE, file_name VARCHAR, file_sha256 VARCHAR, "
            "row_number INTEGER, period VARCHAR)"
        )
        con.executemany(
            "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(service, file.period, a.label, measure_name(a.label), a.value, file.file_name,
              result.sha256, a.sheet_row - 1, file.period) for a in answers],
        )
        con.execute(f"COPY answers TO {validate.lit(str(rows_path))} (FORMAT parquet)")
    result.rows_path = rows_path
    result.rows_loaded = len(answers)
    return result


def parse(file: LandingFile, workdir: Path, *, sha256: str | None = None,
          held_keys: HeldKeys = None, scratch: Scratch = None) -> ParsedFile:
    """A return (`*_return_<quarter>.xlsx`) or a funding table (`funding_<year>.csv`)."""
    if file.entity in RETURN_ENTITIES:
        return parse_return(file, workdir, sha256=sha256, scratch=scratch)
    return parse_table(file, workdir, sha256=sha256, held_keys=held_keys, scratch=scratch)


def read_file(path: Path, workdir: Path) -> ParsedFile:
    """A commissioning file outside any landing folder (tests, a file checked by hand)."""
    return parse(for_path(path, SOURCE), workdir)
