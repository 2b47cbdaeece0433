"""What an export table's figures are, as disclosure control reads them: which columns
are counts and rates, which cells are totals of which others, which figures other tables
show too (`TableShape`); and the two shorthands a published cell may hold.

Declared by the dbt models' YAML (`exports.catalog`), applied by `exports.disclosure`.
Kept apart from the latter so that reading the catalog (the Dagster definitions, before
a run's first step) needs neither numpy nor pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

SUPPRESSED = "[c]"
# GSS shorthand for "not available": a figure drawing on a partner file that was never
# sent or was rejected (DESIGN.md "Known-missing data is shown, not hidden").
NOT_AVAILABLE = "[x]"


@dataclass(frozen=True)
class Margin:
    """Within each group of rows agreeing on every other key column, the row whose
    `column` equals `total` is the sum of the rows whose `column` is in `parts`
    (None: every other row of the group)."""

    column: str
    total: str
    parts: tuple[str, ...] | None = None
    # Key columns that differ between the total row and its parts and so do not form the
    # groups: e.g. a CSP row (area_level `csp`) over its districts, each with its own
    # area_code.
    across: tuple[str, ...] = ()
    # With several totals in a group (every LA, or every CSP, of a table that holds them
    # all): the column of a part row that names its total row's value of `across[0]`,
    # e.g. a district row's `la_code`.
    parent: str | None = None

    def __post_init__(self) -> None:
        if self.parent is not None and not self.across:
            raise ValueError(f"margin on {self.column!r}: `parent` needs `across`")


@dataclass(frozen=True)
class ColumnSum:
    """Within each row, column `total` is the sum of columns `parts`."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class RateOver:
    """Column `column` is a rate, share, mean or median computed from the counts `over`
    in the same row: it is suppressed whenever one of them is."""

    column: str
    over: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """The cells of count `column` (in the rows matching `where`) show a figure that other
    tables of the same export may show too: `measure` names it (a format string over the
    row's columns, e.g. `sv_group:{sv_group}`), and the days it counts are the row's
    `period` — `period` (its `period_start` to `period_end`), `month` (the calendar
    month starting on `month`) or `financial_year` (`2023-24`) — moved `years_earlier`
    years back (a comparison column)."""

    column: str
    measure: str
    where: tuple[tuple[str, str], ...] = ()
    period: str = "period"
    years_earlier: int = 0

    def __post_init__(self) -> None:
        if self.period not in PERIOD_KINDS:
            raise ValueError(f"link on {self.column!r}: period {self.period!r} is not one "
                             f"of {PERIOD_KINDS}")


PERIOD_KINDS = ("period", "month", "financial_year")


@dataclass(frozen=True)
class MeasureSum:
    """Over the same days, figure `total` is the sum of figures `parts` (e.g. sexual
    violence = rape + other sexual offences): an equation a reader can write across
    tables."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class TableShape:
    keys: tuple[str, ...]  # the dimensions that identify a row (labels excluded)
    counts: tuple[str, ...]
    rates: tuple[RateOver, ...] = ()
    margins: tuple[Margin, ...] = ()
    column_sums: tuple[ColumnSum, ...] = ()
    # Counts (or rates) whose blank means "not available" (e.g. a baseline year before the
    # data, a rate with no population estimate): that one cell is [x], and so is every
    # rate over such a count. A blank in any other count is an error.
    unavailable_when_blank: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()

    def with_margins(self, *extra: Margin) -> TableShape:
        return replace(self, margins=(*self.margins, *extra))
