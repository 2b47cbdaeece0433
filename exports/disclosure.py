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
because zero stays zero; a rounded count lies within half the rounding base) — and, for
every cell the reader could recover, hide the smallest non-zero shown cell of an
equation through it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from exports.partners import DisclosureRule

SUPPRESSED = "[c]"
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

    def with_margins(self, *extra: Margin) -> TableShape:
        return TableShape(self.keys, self.counts, self.rates, (*self.margins, *extra),
                          self.column_sums)


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
        others = [k for k in shape.keys if k != margin.column]
        values = frame[margin.column].astype(str).to_numpy()
        groups = (
            [positions.to_numpy()]
            if not others
            else [np.asarray(ix) for ix in frame.reset_index(drop=True).groupby(
                others, sort=False, dropna=False).indices.values()]
        )
        for rows in groups:
            totals = [int(r) for r in rows if values[r] == margin.total]
            if len(totals) != 1:
                continue
            parts = [
                int(r) for r in rows
                if values[r] != margin.total
                and (margin.parts is None or values[r] in margin.parts)
            ]
            if not parts:
                continue
            for column in shape.counts:
                out.append(Equation((totals[0], column), tuple((r, column) for r in parts)))
    for column_sum in shape.column_sums:
        for r in range(len(frame)):
            out.append(Equation((r, column_sum.total), tuple((r, p) for p in column_sum.parts)))
    return out


def _raw_counts(frame: pd.DataFrame, shape: TableShape) -> dict[Cell, int]:
    counts: dict[Cell, int] = {}
    for column in shape.counts:
        for r, v in enumerate(frame[column].tolist()):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                raise DisclosureError(f"column {column!r}, row {r + 1}: a count is missing")
            if float(v) != int(v) or int(v) < 0:
                raise DisclosureError(
                    f"column {column!r}, row {r + 1}: {v!r} is not a whole number >= 0")
            counts[(r, column)] = int(v)
    return counts


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


def _reader_bounds(state: _CellState, rule: DisclosureRule) -> tuple[float, float]:
    """What a reader knows of one cell: a shown count exactly, a rounded one within half
    the base (and above the suppression range), a [c] only that it is at least 1 (zero
    stays zero). A reader cannot tell a primary [c] from a secondary one, whose value may
    be anything, so no upper bound is assumed."""
    v = state.value
    if state.suppressed:
        return float(max(rule.suppress_from, 1)), INF
    if v == 0 or not rule.round_to:
        return float(v), float(v)
    shown = rounded(v, rule.round_to)
    lo = max(shown - rule.round_to // 2, rule.suppress_to + 1)
    return float(lo), float(shown + (rule.round_to - 1) // 2)


def determined_by_equations(eqs: list[Equation], unknown: list[Cell]) -> set[Cell]:
    """Unknown cells whose value the equations fix whatever the other unknowns are:
    exactly those whose unit vector lies in the row space of the equations restricted to
    the unknowns, i.e. whose diagonal entry of the projection onto that space is 1."""
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
    _, s, vt = np.linalg.svd(np.vstack(rows), full_matrices=False)
    basis = vt[s > 1e-9 * max(1.0, float(s.max(initial=0.0)))]
    projection_diagonal = (basis**2).sum(axis=0)
    return {c for c, d in zip(unknown, projection_diagonal, strict=True) if d > 1 - 1e-7}


def narrowed_bounds(
    eqs: list[Equation], bounds: dict[Cell, tuple[float, float]], passes: int = 100
) -> dict[Cell, tuple[float, float]]:
    """Differencing: each cell of an equation lies between the total minus the others'
    largest and smallest possible values; repeat until nothing narrows."""
    b = dict(bounds)
    for _ in range(passes):
        changed = False
        for eq in eqs:
            terms = [(-1, eq.total)] + [(1, c) for c in eq.parts]
            mins = [min(a * b[c][0], a * b[c][1]) for a, c in terms]
            maxs = [max(a * b[c][0], a * b[c][1]) for a, c in terms]
            s_lo, s_hi = sum(mins), sum(maxs)
            for (a, c), mn, mx in zip(terms, mins, maxs, strict=True):
                o_lo = s_lo - mn if mn != -INF else _sum_without(mins, mn)
                o_hi = s_hi - mx if mx != INF else _sum_without(maxs, mx)
                # a*x + others = 0  ->  a*x in [-o_hi, -o_lo]
                lo, hi = (-o_hi, -o_lo) if a == 1 else (o_lo, o_hi)
                lo = math.ceil(lo - 1e-9) if lo != -INF else lo
                hi = math.floor(hi + 1e-9) if hi != INF else hi
                old_lo, old_hi = b[c]
                new = (max(old_lo, lo), min(old_hi, hi))
                if new != (old_lo, old_hi):
                    b[c] = new
                    changed = True
        if not changed:
            break
    return b


def _sum_without(values: list[float], one: float) -> float:
    rest = list(values)
    rest.remove(one)
    return sum(rest)


def recoverable(
    eqs: list[Equation], states: dict[Cell, _CellState], rule: DisclosureRule
) -> list[Cell]:
    """Suppressed cells a reader could work out exactly, in table order."""
    involved = {c for eq in eqs for c in eq.cells}
    if not any(states[c].suppressed for c in involved):
        return []
    bounds = {c: _reader_bounds(states[c], rule) for c in involved}
    unknown = sorted(c for c in involved if bounds[c][0] != bounds[c][1])
    found = determined_by_equations(eqs, unknown)
    narrowed = narrowed_bounds(eqs, bounds)
    found |= {c for c in involved if narrowed[c][0] == narrowed[c][1]}
    return sorted(c for c in found if states[c].suppressed)


# ------------------------------------------------------------------------------- rule


def _next_to_hide(
    cell: Cell, eqs: list[Equation], states: dict[Cell, _CellState]
) -> Cell | None:
    """The smallest non-zero shown cell of an equation through `cell`; failing that, of
    any equation of the table."""
    def shown(cells: Iterable[Cell]) -> list[Cell]:
        return [c for c in cells if not states[c].suppressed and states[c].value > 0]

    near = shown({c for eq in eqs if cell in eq.cells for c in eq.cells})
    pool = near or shown({c for eq in eqs for c in eq.cells})
    if not pool:
        return None
    return min(pool, key=lambda c: (states[c].value, c))


def protect(frame: pd.DataFrame, shape: TableShape, rule: DisclosureRule) -> Protected:
    """The table as a partner may see it under `rule`."""
    if rule.round_to and shape.rates:
        raise DisclosureError(
            "a rate over rounded counts would give the unrounded counts away; publish "
            "health-derived tables as counts only")
    frame = frame.reset_index(drop=True)
    counts = _raw_counts(frame, shape)
    eqs = equations(frame, shape)
    _check_equations(eqs, counts, frame)

    states = {c: _CellState(v) for c, v in counts.items()}
    for state in states.values():
        if rule.suppress_from <= state.value <= rule.suppress_to:
            state.suppressed = state.primary = True
    primary = sum(s.primary for s in states.values())

    secondary = 0
    if rule.secondary and eqs:
        while found := recoverable(eqs, states, rule):
            extra = _next_to_hide(found[0], eqs, states)
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
        out[rate.column] = pd.Series(
            [SUPPRESSED if h else (None if _missing(v) else float(v))
             for h, v in zip(hidden, values, strict=True)],
            dtype=object,
        )
    return Protected(out, primary=primary, secondary=secondary)


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _shown(state: _CellState, rule: DisclosureRule) -> int | str:
    if state.suppressed:
        return SUPPRESSED
    if rule.round_to and state.value:
        return rounded(state.value, rule.round_to)
    return state.value
