"""What every source writer of the generator shares: the run's options, randomness,
the file formats partners really use, tokens, and the defect log.

Each source module (`synthetic/police.py`, `synthetic/health.py`, …) exposes
`write(ctx: GenContext) -> None` and writes only through the helpers here, so encodings,
line endings, BOMs and date styles vary in one controlled, seed-determined way.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import hmac
import io
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from vrn import periods
from vrn.periods import Period
from vrn.xlsx import FIXED_TIME, pin_timestamps

# The partnership key the generator plays with. Real partners hold the real key; the
# warehouse never sees either. Fixed so that tokens are stable across seeds and runs.
GENERATOR_KEY = b"vrn-synthetic-partnership-key-not-a-real-secret"


def token(value: str) -> str:
    """Spec: lower-case hex HMAC-SHA256(key, value upper-cased and trimmed)."""
    message = value.strip().upper().encode("utf-8")
    return hmac.new(GENERATOR_KEY, message, hashlib.sha256).hexdigest()


def dob_token(dob: date) -> str:
    return token(dob.isoformat())


@dataclass(frozen=True)
class FileStyle:
    """How one partner's system writes a file."""

    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" (BOM) or "cp1252"
    newline: str = "\n"  # "\n" or "\r\n"
    date_style: str = "iso"  # "iso" (YYYY-MM-DD) or "uk" (DD/MM/YYYY)
    seconds: bool = True  # datetimes with :SS or without

    def fmt_date(self, d: date | None) -> str:
        if d is None:
            return ""
        return d.isoformat() if self.date_style == "iso" else d.strftime("%d/%m/%Y")

    def fmt_datetime(self, t: datetime | None) -> str:
        if t is None:
            return ""
        clock = t.strftime("%H:%M:%S" if self.seconds else "%H:%M")
        return f"{self.fmt_date(t.date())} {clock}"


def stable_seed(*parts: object) -> int:
    """A 64-bit seed from the run seed and a name, so each file's stream is independent
    of the order files are written in (and of which other sources exist)."""
    h = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(h[:8], "little")


@dataclass
class DefectLog:
    """Exact counts of every defect injected, written to the truth folder.

    `rows[file][reason_code]` counts quarantinable rows as the warehouse must count them
    (one per bad row, first rule in the spec's order). `files` lists whole-file defects
    (`raw_identifier`, `bad_header`, `failed_return`) and `resends` the corrected files.
    """

    rows: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    files: list[dict[str, Any]] = field(default_factory=list)
    resends: list[dict[str, Any]] = field(default_factory=list)

    def row(self, file_name: str, reason_code: str, n: int = 1) -> None:
        per = self.rows[file_name]
        per[reason_code] = per.get(reason_code, 0) + n

    def file(self, file_name: str, kind: str, detail: str) -> None:
        self.files.append({"file": file_name, "kind": kind, "detail": detail})

    def resend(self, file_name: str, detail: str, **counts: int) -> None:
        self.resends.append({"file": file_name, "detail": detail, **counts})

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for per in self.rows.values():
            for k, v in per.items():
                out[k] += v
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "row_defects_total": self.totals(),
            "row_defects_by_file": {
                k: dict(sorted(v.items())) for k, v in sorted(self.rows.items())
            },
            "file_defects": sorted(self.files, key=lambda d: (d["file"], d["kind"])),
            "resends": sorted(self.resends, key=lambda d: d["file"]),
        }


@dataclass
class GenContext:
    """The options of one `vrn generate` run and where its output goes."""

    out: Path  # the landing folder
    truth: Path  # the truth folder, outside the landing folder
    seed: int
    scale: float
    start: date
    end: date  # inclusive
    defect_rate: float
    log: DefectLog = field(default_factory=DefectLog)
    progress: Any = None  # callable(str) or None

    def rng(self, *name: object) -> np.random.Generator:
        return np.random.default_rng(stable_seed(self.seed, *name))

    def landing_path(self, relative: str) -> Path:
        return self.out / relative

    def resend_path(self, relative: str) -> Path:
        """Where a corrected re-send of `relative` is put for tests to drop in later."""
        return self.truth / "resends" / relative

    def tick(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class CsvOut:
    """Streams rows to a CSV in a partner's style without holding the file in memory."""

    def __init__(self, path: Path, header: Sequence[str], style: FileStyle):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.style = style
        self._tmp = path.with_name(f".{path.name}.tmp")
        # newline="" so the csv module's line terminator is written exactly.
        self._f = open(  # noqa: SIM115 - closed in close(); the file is streamed
            self._tmp, "w", encoding=style.encoding, newline="", errors="strict"
        )
        self._w = csv.writer(self._f, lineterminator=style.newline)
        self._w.writerow(header)
        self.rows = 0

    def write(self, row: Sequence[object]) -> None:
        self._w.writerow(["" if v is None else v for v in row])
        self.rows += 1

    def write_many(self, rows: Iterable[Sequence[object]]) -> None:
        for r in rows:
            self.write(r)

    def close(self) -> None:
        self._f.close()
        os.replace(self._tmp, self.path)

    def __enter__(self) -> CsvOut:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_xlsx(path: Path, sheet: str, rows: Iterable[Sequence[object]]) -> None:
    """A workbook with one sheet. openpyxl stamps the current time into docProps, so the
    timestamps are pinned to keep same-seed runs byte-identical."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for r in rows:
        ws.append(list(r))
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    _atomic_write_bytes(path, pin_timestamps(buf.getvalue()))


def write_json(path: Path, obj: Any) -> None:
    text = json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n"
    _atomic_write_bytes(path, text.encode())


# ---------------------------------------------------------------------------------------
# Rows of the non-person sources (health, OPCC, commissioning): typed values to a
# partner's text, and defect rows scattered through a file.


def interleave(rows: list[list[str]], extras: list[list[str]], rng: np.random.Generator,
               head: int = 3) -> list[list[str]]:
    """Scatter defect rows through a file, never among its first `head` rows, so a reader
    that sniffs a file's date style from its opening rows sees the partner's real style."""
    out = list(rows)
    for extra in extras:
        pos = int(rng.integers(min(head, len(out)), len(out) + 1))
        out.insert(pos, extra)
    return out


def defect_count(n_rows: int, rate: float, rng: np.random.Generator) -> int:
    return int(rng.binomial(n_rows, rate)) if rate > 0 and n_rows > 0 else 0


def invalid_datetime_text(period: Period, style: FileStyle, rng: np.random.Generator) -> str:
    """A datetime in the file's style on a day that does not exist in one of the period's
    months (the day after its last: 29/02/2023, 31/04/2024, 32/01/2024)."""
    month_starts = [period.start]
    while (nxt := _next_month(month_starts[-1])) < period.end_exclusive:
        month_starts.append(nxt)
    first = month_starts[int(rng.integers(len(month_starts)))]
    day = calendar.monthrange(first.year, first.month)[1] + 1
    if style.date_style == "iso":
        day_text = f"{first.year:04d}-{first.month:02d}-{day:02d}"
    else:
        day_text = f"{day:02d}/{first.month:02d}/{first.year:04d}"
    clock = f"{int(rng.integers(24)):02d}:{int(rng.integers(60)):02d}"
    return f"{day_text} {clock}:00" if style.seconds else f"{day_text} {clock}"


def _next_month(d: date) -> date:
    return periods.add_months(d, 1)


def in_range(ctx: GenContext, when: datetime) -> bool:
    return ctx.start <= when.date() <= ctx.end


def format_row(values: dict[str, Any], header: Sequence[str], style: FileStyle) -> list[str]:
    """Typed values to a partner's text; a value already text (a defect) is kept as is."""
    out = []
    for column in header:
        v = values.get(column)
        if v is None:
            out.append("")
        elif isinstance(v, datetime):
            out.append(style.fmt_datetime(v))
        elif isinstance(v, date):
            out.append(style.fmt_date(v))
        elif isinstance(v, float):
            out.append(f"{v:.2f}")
        else:
            out.append(str(v))
    return out
