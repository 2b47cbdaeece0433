"""Disclosure control: the one rule set every export table goes through.

DESIGN.md "Partner exports": police and council counts of 1–4 are shown as `[c]` (ONS
convention) with secondary suppression so no suppressed cell can be recovered from any
total in the same table; health-derived counts follow NHS Digital's rule (1–7 shown as
`[c]`, every other count rounded to the nearest 5); rates and percentages over a
suppressed count are suppressed too; zero stays zero. The thresholds come from
`exports.partners.DISCLOSURE`.

A table says which of its columns are counts, which are rates over which counts, and
which cells are totals of which others (`TableShape`). From that the module knows every
equation a reader could use. Secondary suppression then repeats, to a fixed point: play
the reader — solve the equations for the suppressed cells (linear algebra: a cell is
recovered when the equations pin it whatever the other hidden cells are) and narrow each
hidden cell's range by differencing with what is shown (a hidden count is at least 1,
because zero stays zero; a rounded count lies within half the rounding base) — and, while
the reader can recover any hidden cell, hide one more: of the smallest non-zero shown
cells in the equations through a recoverable cell, the one that leaves the fewest cells
recoverable (ONS's "next smallest cell", made to count). Tables split into groups of
equations sharing no cell, each protected on its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from exports.partners import DisclosureRule

SUPPRESSED = "[c]"
# GSS shorthand for "not available": a figure drawing on a partner file that was never
# sent or was rejected (DESIGN.md "Known-missing data is shown, not hidden").
NOT_AVAILABLE = "[x]"
INF = math.inf

Cell = tuple[int, str]  # (row position in the frame, column name)


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

    def with_margins(self, *extra: Margin) -> TableShape:
        return TableShape(self.keys, self.counts, self.rates, (*self.margins, *extra),
                          self.column_sums, self.unavailable_when_blank)


@dataclass(frozen=True)
class Equation:
    """`total` = sum of `parts`."""

    total: Cell
    parts: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Protected:
    frame: pd.DataFrame  # as published: counts are int or "[c]", rates float/None or "[c]"
    primary: int
    secondary: int


class DisclosureError(ValueError):
    """The table cannot be protected as declared (its totals do not add up, a count is
    not a whole number, or a rate sits over rounded counts)."""


# ---------------------------------------------------------------------------- structure


def equations(frame: pd.DataFrame, shape: TableShape) -> list[Equation]:
    """Every additive relation a reader of the table can write down."""
    out: list[Equation] = []
    positions = pd.RangeIndex(len(frame))
    for margin in shape.margins:
        others = [k for k in shape.keys if k != margin.column and k not in margin.across]
        values = frame[margin.column].astype(str).to_numpy()
        groups = (
            [positions.to_numpy()]
            if not others
            else [np.asarray(ix) for ix in frame.reset_index(drop=True).groupby(
                others, sort=False, dropna=False).indices.values()]
        )
        if margin.parent is not None:
            names = frame[margin.across[0]].astype(str).to_numpy()
            parents = frame[margin.parent].astype(str).to_numpy()
        for rows in groups:
            totals = [int(r) for r in rows if values[r] == margin.total]
            if margin.parent is None and len(totals) != 1:
                continue
            for total in totals:
                parts = [
                    int(r) for r in rows
                    if values[r] != margin.total
                    and (margin.parts is None or values[r] in margin.parts)
                    and (margin.parent is None or parents[r] == names[total])
                ]
                if not parts:
                    continue
                for column in shape.counts:
                    out.append(Equation((total, column), tuple((r, column) for r in parts)))
    for column_sum in shape.column_sums:
        for r in range(len(frame)):
            out.append(Equation((r, column_sum.total), tuple((r, p) for p in column_sum.parts)))
    return out


def _raw_counts(frame: pd.DataFrame, shape: TableShape,
                unavailable: Sequence[bool]) -> tuple[dict[Cell, int], set[Cell]]:
    """The counts as whole numbers, and the cells that are blank where a blank means not
    available (`TableShape.unavailable_when_blank`)."""
    counts: dict[Cell, int] = {}
    blank: set[Cell] = set()
    for column in shape.counts:
        for r, v in enumerate(frame[column].tolist()):
            if _missing(v) and column in shape.unavailable_when_blank:
                blank.add((r, column))
                v = 0  # never shown: the cell is [x]
            if _missing(v) and unavailable[r]:
                v = 0  # never shown: the row is [x]
            if _missing(v):
                raise DisclosureError(f"column {column!r}, row {r + 1}: a count is missing")
            if float(v) != int(v) or int(v) < 0:
                raise DisclosureError(
                    f"column {column!r}, row {r + 1}: {v!r} is not a whole number >= 0")
            counts[(r, column)] = int(v)
    return counts, blank


def _check_equations(eqs: list[Equation], counts: dict[Cell, int], frame: pd.DataFrame) -> None:
    for eq in eqs:
        total = counts[eq.total]
        parts = sum(counts[c] for c in eq.parts)
        if total != parts:
            row = frame.iloc[eq.total[0]].to_dict()
            raise DisclosureError(
                f"total {eq.total[1]!r} of row {row} is {total} but its parts add up to "
                f"{parts}: the table is not additive as declared")


# ------------------------------------------------------------------------------ reader


def rounded(value: int, base: int) -> int:
    """Nearest multiple of `base`, halves up."""
    return (2 * value + base) // (2 * base) * base


@dataclass
class _CellState:
    value: int
    suppressed: bool = False
    primary: bool = False
    # Shown as [x]: hidden from the reader, who knows nothing of it (it may be zero); not
    # a disclosure to protect (its row draws on a missing file, so its totals are [x] too).
    not_available: bool = False


def _reader_bounds(state: _CellState, rule: DisclosureRule) -> tuple[float, float]:
    """What a reader knows of one cell: a shown count exactly, a rounded one within half
    the base (and above the suppression range), a [c] only that it is at least 1 (zero
    stays zero). A reader cannot tell a primary [c] from a secondary one, whose value may
    be anything, so no upper bound is assumed."""
    v = state.value
    if state.not_available:
        return 0.0, INF
    if state.suppressed:
        return float(max(rule.suppress_from, 1)), INF
    if v == 0 or not rule.round_to:
        return float(v), float(v)
    shown = rounded(v, rule.round_to)
    lo = max(shown - rule.round_to // 2, rule.suppress_to + 1)
    return float(lo), float(shown + (rule.round_to - 1) // 2)


def determined_by_equations(eqs: list[Equation], unknown: list[Cell]) -> set[Cell]:
    """Unknown cells whose value the equations fix whatever the other unknowns are.

    Row-reduce the equations restricted to the unknowns: a cell is fixed when its pivot
    row has nothing left in any free (non-pivot) column. Written out with numpy
    elementwise steps rather than LAPACK, whose threads cost ~20 ms a call on these small
    matrices when the machine is shared.
    """
    if not unknown:
        return set()
    index = {c: i for i, c in enumerate(unknown)}
    rows = []
    for eq in eqs:
        row = np.zeros(len(unknown))
        touched = False
        for sign, cells in ((-1.0, (eq.total,)), (1.0, eq.parts)):
            for c in cells:
                if c in index:
                    row[index[c]] += sign
                    touched = True
        if touched:
            rows.append(row)
    if not rows:
        return set()
    a = np.vstack(rows)
    tol = 1e-9
    r, pivots = 0, []
    for j in range(a.shape[1]):
        if r == a.shape[0]:
            break
        p = r + int(np.argmax(np.abs(a[r:, j])))
        if abs(a[p, j]) < tol:
            continue
        if p != r:
            a[[r, p]] = a[[p, r]]
        a[r] /= a[r, j]
        factors = a[:, j].copy()
        factors[r] = 0.0
        a -= np.outer(factors, a[r])
        pivots.append((r, j))
        r += 1
    pivot_columns = {j for _, j in pivots}
    free = [j for j in range(a.shape[1]) if j not in pivot_columns]
    fixed = set()
    for i, j in pivots:
        if not free or np.all(np.abs(a[i, free]) < 1e-7):
            fixed.add(unknown[j])
    return fixed


def narrowed_bounds(
    eqs: list[Equation], bounds: dict[Cell, tuple[float, float]], passes: int = 500
) -> dict[Cell, tuple[float, float]]:
    """Differencing: each cell of an equation lies between the total minus the others'
    largest and smallest possible values; repeat (every equation at once, with numpy)
    until nothing narrows."""
    cells = sorted(bounds)
    index = {c: i for i, c in enumerate(cells)}
    e_ix, c_ix, sign = [], [], []
    for k, eq in enumerate(eqs):
        for a, cs in ((-1.0, (eq.total,)), (1.0, eq.parts)):
            for c in cs:
                e_ix.append(k)
                c_ix.append(index[c])
                sign.append(a)
    e, c, a = np.array(e_ix), np.array(c_ix), np.array(sign)
    lo = np.array([bounds[x][0] for x in cells], dtype=float)
    hi = np.array([bounds[x][1] for x in cells], dtype=float)
    n_eq = len(eqs)

    def others(term: np.ndarray, infinite: float) -> np.ndarray:
        """Per incidence: the sum of the other terms of its equation."""
        is_inf = term == infinite
        finite = np.where(is_inf, 0.0, term)
        total = np.bincount(e, weights=finite, minlength=n_eq)
        n_inf = np.bincount(e, weights=is_inf.astype(float), minlength=n_eq)
        rest = total[e] - finite
        return np.where(n_inf[e] - is_inf > 0, infinite, rest)

    for _ in range(passes):
        t_min = np.where(a > 0, lo[c], -hi[c])
        t_max = np.where(a > 0, hi[c], -lo[c])
        o_lo, o_hi = others(t_min, -INF), others(t_max, INF)
        # a*x + others = 0  ->  a*x in [-o_hi, -o_lo]
        new_lo = np.where(a > 0, -o_hi, o_lo)
        new_hi = np.where(a > 0, -o_lo, o_hi)
        new_lo = np.where(np.isfinite(new_lo), np.ceil(new_lo - 1e-9), new_lo)
        new_hi = np.where(np.isfinite(new_hi), np.floor(new_hi + 1e-9), new_hi)
        lo2, hi2 = lo.copy(), hi.copy()
        np.maximum.at(lo2, c, new_lo)
        np.minimum.at(hi2, c, new_hi)
        if np.array_equal(lo2, lo) and np.array_equal(hi2, hi):
            break
        lo, hi = lo2, hi2
    return {x: (float(lo[i]), float(hi[i])) for i, x in enumerate(cells)}


def components(eqs: list[Equation]) -> list[list[Equation]]:
    """Groups of equations sharing no cell with other groups: hiding a cell in one group
    cannot change what a reader learns in another, so each is protected on its own."""
    parent: dict[Cell, Cell] = {}

    def find(x: Cell) -> Cell:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for eq in eqs:
        root = find(eq.total)
        for c in eq.parts:
            other = find(c)
            if other != root:
                parent[other] = root
                root = find(root)
    groups: dict[Cell, list[Equation]] = {}
    for eq in eqs:
        groups.setdefault(find(eq.total), []).append(eq)
    return list(groups.values())


def recoverable(
    eqs: list[Equation], states: dict[Cell, _CellState], rule: DisclosureRule
) -> list[Cell]:
    """Suppressed cells a reader could work out exactly, in table order."""
    involved = {c for eq in eqs for c in eq.cells}
    if not any(states[c].suppressed and not states[c].not_available for c in involved):
        return []
    bounds = {c: _reader_bounds(states[c], rule) for c in involved}
    unknown = sorted(c for c in involved if bounds[c][0] != bounds[c][1])
    found = determined_by_equations(eqs, unknown)
    narrowed = narrowed_bounds(eqs, bounds)
    found |= {c for c in involved if narrowed[c][0] == narrowed[c][1]}
    return sorted(c for c in found if states[c].suppressed and not states[c].not_available)


# ------------------------------------------------------------------------------- rule


def _next_to_hide(
    found: list[Cell], eqs: list[Equation], states: dict[Cell, _CellState],
    rule: DisclosureRule, tries: int = 16,
) -> Cell | None:
    """Which shown cell to hide next: of the smallest non-zero shown cells in equations
    through a recoverable cell, the one leaving the fewest recoverable cells (ties: the
    smaller value, ONS's "next smallest cell"); failing any, the smallest shown cell of
    any equation."""
    def shown(cells: Iterable[Cell]) -> list[Cell]:
        return sorted((c for c in set(cells)
                       if not states[c].suppressed and states[c].value > 0),
                      key=lambda c: (states[c].value, c))

    exposed = set(found)
    candidates = shown(c for eq in eqs if exposed & set(eq.cells) for c in eq.cells)
    best: tuple[int, int, Cell] | None = None
    for candidate in candidates[:tries]:
        states[candidate].suppressed = True
        left = len(recoverable(eqs, states, rule))
        states[candidate].suppressed = False
        score = (left, states[candidate].value, candidate)
        if best is None or score < best:
            best = score
        if left == 0:
            break
    if best is not None:
        return best[2]
    anywhere = shown(c for eq in eqs for c in eq.cells)
    return anywhere[0] if anywhere else None


def protect(frame: pd.DataFrame, shape: TableShape, rule: DisclosureRule,
            not_available: Sequence[bool] | None = None) -> Protected:
    """The table as a partner may see it under `rule`; the rows flagged `not_available`
    (drawing on a missing partner file) have every count and rate shown as `[x]`."""
    if rule.round_to and shape.rates:
        raise DisclosureError(
            "a rate over rounded counts would give the unrounded counts away; publish "
            "health-derived tables as counts only")
    frame = frame.reset_index(drop=True)
    unavailable = list(not_available) if not_available is not None else [False] * len(frame)
    if len(unavailable) != len(frame):
        raise DisclosureError("not_available must flag every row of the table")
    counts, blank = _raw_counts(frame, shape, unavailable)
    eqs = [eq for eq in equations(frame, shape) if not blank.intersection(eq.cells)]
    _check_equations(eqs, counts, frame)

    states = {c: _CellState(v) for c, v in counts.items()}
    for cell, state in states.items():
        if unavailable[cell[0]] or cell in blank:
            state.suppressed = state.not_available = True
        elif rule.suppress_from <= state.value <= rule.suppress_to:
            state.suppressed = state.primary = True
    primary = sum(s.primary for s in states.values())

    secondary = 0
    if rule.secondary:
        for group in components(eqs):
            while found := recoverable(group, states, rule):
                extra = _next_to_hide(found, group, states, rule)
                if extra is None:
                    raise DisclosureError(
                        f"cell {found[0]} can be recovered and there is nothing left to hide")
                states[extra].suppressed = True
                secondary += 1

    out = frame.copy()
    for column in shape.counts:
        out[column] = pd.Series(
            [_shown(states[(r, column)], rule) for r in range(len(frame))], dtype=object)
    for rate in shape.rates:
        hidden = [any(states[(r, c)].suppressed for c in rate.over) for r in range(len(frame))]
        values = frame[rate.column].tolist()
        # A rate is [x] over a count that is, or blank where blank means not available
        # (e.g. a neighbourhood with no population estimate).
        absent = [unavailable[r] or any((r, c) in blank for c in rate.over)
                  or (rate.column in shape.unavailable_when_blank and _missing(values[r]))
                  for r in range(len(frame))]
        out[rate.column] = pd.Series(
            [NOT_AVAILABLE if a else SUPPRESSED if h
             else (None if _missing(v) else float(v))
             for a, h, v in zip(absent, hidden, values, strict=True)],
            dtype=object,
        )
    return Protected(out, primary=primary, secondary=secondary)


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _shown(state: _CellState, rule: DisclosureRule) -> int | str:
    if state.not_available:
        return NOT_AVAILABLE
    if state.suppressed:
        return SUPPRESSED
    if rule.round_to and state.value:
        return rounded(state.value, rule.round_to)
    return state.value
