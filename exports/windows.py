"""Which periods a quarter's export covers, and which quarters can be exported.

DESIGN.md: "A quarter's export holds that quarter, the earlier quarters of its financial
year, and the rolling 12 months ending with it." Every table of an export therefore has
one row group per quarter of the financial year to date plus one for the rolling 12
months, labelled `12m_to_<quarter>`; monthly tables hold the 12 months ending with the
quarter (which include the financial year to date).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from vrn import periods
from vrn.periods import Period

ROLLING_PREFIX = "12m_to_"


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


@dataclass(frozen=True)
class ExportWindow:
    quarter: Period
    # First day of the data. A rolling 12 months starting before it would be a partial
    # year under a 12-month label, so it is left out (and so are months before it).
    data_start: date | None = None

    @property
    def label(self) -> str:
        return self.quarter.label

    @property
    def financial_year(self) -> str:
        return self.label[:7]

    @property
    def fy_quarters(self) -> tuple[Period, ...]:
        """Q1 up to and including this quarter."""
        q = int(self.label[-1])
        return tuple(periods.fy_quarter(f"{self.financial_year}Q{i}") for i in range(1, q + 1))

    @property
    def rolling(self) -> Period:
        """The 12 months ending with the quarter's last day."""
        end = self.quarter.end_exclusive
        return Period(_add_months(end, -12), end, f"{ROLLING_PREFIX}{self.label}", "rolling_12m")

    @property
    def has_rolling(self) -> bool:
        return self.data_start is None or self.rolling.start >= self.data_start

    @property
    def periods(self) -> tuple[Period, ...]:
        return (*self.fy_quarters, self.rolling) if self.has_rolling else self.fy_quarters

    @property
    def months(self) -> tuple[date, ...]:
        """First days of the 12 months ending with the quarter (those inside the data)."""
        start = self.rolling.start
        months = (_add_months(start, i) for i in range(12))
        return tuple(m for m in months if self.data_start is None or m >= self.data_start)

    @property
    def quarters_12m(self) -> tuple[Period, ...]:
        """The four quarters ending with this one (returns are quarterly, not monthly)."""
        quarters = (
            periods.fy_quarter(periods.fy_quarter_label(_add_months(self.quarter.start, -3 * i)))
            for i in (3, 2, 1, 0)
        )
        return tuple(q for q in quarters if self.data_start is None or q.start >= self.data_start)

    @property
    def rolling_is_financial_year(self) -> bool:
        """At Q4 the rolling 12 months are the financial year, i.e. the sum of the four
        quarter rows in the same table (a total the disclosure rule must respect)."""
        return self.label.endswith("Q4") and self.has_rolling


def window(fy_quarter: str, data_start: date | None = None) -> ExportWindow:
    return ExportWindow(periods.fy_quarter(fy_quarter), data_start)


def complete_quarters(months_with_data: Iterable[date]) -> list[str]:
    """Quarters each of whose three months holds data, in order.

    The police crimes extract (serious violence by recorded date, thousands a month) is
    the reference: a quarter the force has not finished sending is not exported.
    """
    months = {date(m.year, m.month, 1) for m in months_with_data}
    if not months:
        return []
    out = []
    for q in periods.quarters_between(min(months), max(months)):
        if all(_add_months(q.start, i) in months for i in range(3)):
            out.append(q.label)
    return out


def quarters_spanned(first: str, last: str) -> list[str]:
    """Every quarter from `first` to `last` inclusive (gaps included)."""
    return [p.label for p in periods.quarters_between(
        periods.fy_quarter(first).start, periods.fy_quarter(last).start)]
