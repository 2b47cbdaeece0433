"""UK financial-year quarters and academic years, the periods partners' files are named by.

Partners name files `<entity>_<period>.<ext>`; a period is a financial-year quarter
(`2023-24Q1`, Q1 = Apr–Jun), a financial year (`2023-24`, funding) or an academic year
(`2023-24`, 1 September to 31 August, education files). Everything that needs a period's
bounds asks this module, so the calendar rules live once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

QUARTER_RE = re.compile(r"^(\d{4})-(\d{2})Q([1-4])$")
YEAR_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """A half-open date range [start, end_exclusive) with its label."""

    start: date
    end_exclusive: date
    label: str
    kind: str  # "fy_quarter" | "financial_year" | "academic_year"

    @property
    def end(self) -> date:
        """Last day inside the period."""
        return self.end_exclusive - timedelta(days=1)

    def contains(self, d: date) -> bool:
        return self.start <= d < self.end_exclusive


def _check_year_pair(text: str, first: int, second: int) -> None:
    if (first + 1) % 100 != second:
        raise ValueError(f"{text!r}: the second year must follow the first (e.g. 2023-24)")


def financial_year_start(d: date) -> int:
    """The calendar year in which the financial year holding `d` starts (April)."""
    return d.year if d.month >= 4 else d.year - 1


def financial_year_label(d: date) -> str:
    y = financial_year_start(d)
    return f"{y}-{(y + 1) % 100:02d}"


def add_months(d: date, months: int) -> date:
    """The first day of the month `months` after (or before, if negative) `d`'s month."""
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def fy_quarter_label(d: date) -> str:
    q = ((d.month - 4) % 12) // 3 + 1
    return f"{financial_year_label(d)}Q{q}"


def academic_year_label(d: date) -> str:
    y = d.year if d.month >= 9 else d.year - 1
    return f"{y}-{(y + 1) % 100:02d}"


def fy_quarter(label: str) -> Period:
    m = QUARTER_RE.match(label)
    if not m:
        raise ValueError(f"{label!r} is not a financial-year quarter like 2023-24Q1")
    y, y2, q = int(m.group(1)), int(m.group(2)), int(m.group(3))
    _check_year_pair(label, y, y2)
    month0 = 4 + 3 * (q - 1)  # 4, 7, 10, 13
    start = date(y + (month0 - 1) // 12, (month0 - 1) % 12 + 1, 1)
    m1 = month0 + 3
    end = date(y + (m1 - 1) // 12, (m1 - 1) % 12 + 1, 1)
    return Period(start, end, label, "fy_quarter")


def financial_year(label: str) -> Period:
    m = YEAR_RE.match(label)
    if not m:
        raise ValueError(f"{label!r} is not a financial year like 2023-24")
    y = int(m.group(1))
    _check_year_pair(label, y, int(m.group(2)))
    return Period(date(y, 4, 1), date(y + 1, 4, 1), label, "financial_year")


def academic_year(label: str) -> Period:
    m = YEAR_RE.match(label)
    if not m:
        raise ValueError(f"{label!r} is not an academic year like 2023-24")
    y = int(m.group(1))
    _check_year_pair(label, y, int(m.group(2)))
    return Period(date(y, 9, 1), date(y + 1, 9, 1), label, "academic_year")


def quarters_between(start: date, end: date) -> list[Period]:
    """Every financial-year quarter overlapping [start, end] (both inclusive)."""
    out: list[Period] = []
    p = fy_quarter(fy_quarter_label(start))
    while p.start <= end:
        out.append(p)
        p = fy_quarter(fy_quarter_label(p.end_exclusive))
    return out


def academic_years_between(start: date, end: date) -> list[Period]:
    out: list[Period] = []
    p = academic_year(academic_year_label(start))
    while p.start <= end:
        out.append(p)
        p = academic_year(academic_year_label(p.end_exclusive))
    return out


def financial_years_between(start: date, end: date) -> list[Period]:
    out: list[Period] = []
    p = financial_year(financial_year_label(start))
    while p.start <= end:
        out.append(p)
        p = financial_year(financial_year_label(p.end_exclusive))
    return out
