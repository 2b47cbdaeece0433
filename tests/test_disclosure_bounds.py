"""The reader's differencing (`exports.disclosure.narrowed_bounds`): what every cell of a
set of equations is narrowed to, checked against one equation at a time written out here
in plain Python, on random tables of totals, on bounds stacked side by side (one row per
cell tried for hiding), and with open upper and lower bounds; and how rows are grouped for
the equations (`_groups`), against pandas."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from exports.disclosure import Equation, _groups, _System, narrowed_bounds

INF = math.inf


def expected_bounds(eqs: list[Equation], lo: dict, hi: dict) -> tuple[dict, dict]:
    """Each equation in turn narrows each of its cells to the total minus the others'
    largest and smallest values, until no equation narrows anything. Narrowing only ever
    tightens, so the order the equations are taken in does not change where it ends."""
    lo, hi = dict(lo), dict(hi)
    changed = True
    while changed:
        changed = False
        for eq in eqs:
            terms = [(-1, eq.total), *((1, c) for c in eq.parts)]
            for i, (sign, cell) in enumerate(terms):
                rest = [t for j, t in enumerate(terms) if j != i]
                # sign*x = -(sum of the others): within [-(others' max), -(others' min)]
                o_min = sum(lo[c] if s > 0 else -hi[c] for s, c in rest)
                o_max = sum(hi[c] if s > 0 else -lo[c] for s, c in rest)
                low, high = (-o_max, -o_min) if sign > 0 else (o_min, o_max)
                low = math.ceil(low - 1e-9) if math.isfinite(low) else low
                high = math.floor(high + 1e-9) if math.isfinite(high) else high
                if low > lo[cell]:
                    lo[cell], changed = low, True
                if high < hi[cell]:
                    hi[cell], changed = high, True
    return lo, hi


def random_table(rng: random.Random) -> tuple[list[Equation], dict]:
    """Rows with a row total, columns with a column total and a grand total; sometimes a
    second level (a total of totals), as the exports' tables have."""
    rows = [f"r{r}" for r in range(rng.randint(1, 5))]
    cols = [f"c{c}" for c in range(rng.randint(1, 5))]
    value = {(r, c): rng.choice([0, 0, 1, 2, 3, 4, 7, 12, 40]) for r in rows for c in cols}
    eqs = []
    for r in rows:
        value[(r, "total")] = sum(value[(r, c)] for c in cols)
        eqs.append(Equation((r, "total"), tuple((r, c) for c in cols)))
    for c in [*cols, "total"]:
        value[("total", c)] = sum(value[(r, c)] for r in rows)
        eqs.append(Equation(("total", c), tuple((r, c) for r in rows)))
    if len(rows) > 1 and rng.random() < 0.5:
        value[("half", "total")] = value[("r0", "total")] + value[("r1", "total")]
        eqs.append(Equation(("half", "total"), (("r0", "total"), ("r1", "total"))))
    return eqs, value


def reader_knows(value: dict, rng: random.Random, open_below: bool) -> tuple[dict, dict]:
    """A reader's bounds: shown cells exactly, hidden ones at least 1 (zero stays zero)
    and no upper bound, some rounded cells within a band; now and then, nothing known."""
    lo, hi = {}, {}
    for cell, v in value.items():
        kind = rng.random()
        if kind < 0.35 and v > 0:
            lo[cell], hi[cell] = 1.0, INF
        elif kind < 0.45:
            lo[cell], hi[cell] = float(max(v - 2, 0)), float(v + 2)
        elif kind < 0.5 and open_below:
            lo[cell], hi[cell] = -INF, INF
        else:
            lo[cell], hi[cell] = float(v), float(v)
    return lo, hi


def narrowed(eqs: list[Equation], lo: dict, hi: dict) -> tuple[dict, dict]:
    system = _System(eqs)
    found_lo, found_hi = narrowed_bounds(system, np.array([lo[c] for c in system.cells]),
                                         np.array([hi[c] for c in system.cells]))
    return dict(zip(system.cells, found_lo.tolist(), strict=True)), dict(
        zip(system.cells, found_hi.tolist(), strict=True))


@pytest.mark.parametrize("open_below", [False, True])
def test_random_tables_narrow_as_one_equation_at_a_time_does(open_below):
    rng = random.Random(20261206 + open_below)
    narrowed_some = 0
    for _ in range(300):
        eqs, value = random_table(rng)
        lo, hi = reader_knows(value, rng, open_below)
        want = expected_bounds(eqs, lo, hi)
        assert narrowed(eqs, lo, hi) == want
        narrowed_some += want != (lo, hi)
        # The true values always lie within what the reader is left with.
        assert all(want[0][c] <= v <= want[1][c] for c, v in value.items())
    assert narrowed_some > 100  # the tables exercise the narrowing, not only its end


def test_stacked_bounds_end_each_as_they_would_alone():
    rng = random.Random(7)
    for _ in range(40):
        eqs, value = random_table(rng)
        system = _System(eqs)
        rows = [reader_knows(value, rng, open_below=True) for _ in range(rng.randint(2, 8))]
        lo = np.array([[r[0][c] for c in system.cells] for r in rows])
        hi = np.array([[r[1][c] for c in system.cells] for r in rows])
        kept_lo, kept_hi = lo.copy(), hi.copy()
        found_lo, found_hi = narrowed_bounds(system, lo, hi)
        for t, (row_lo, row_hi) in enumerate(rows):
            want_lo, want_hi = expected_bounds(eqs, row_lo, row_hi)
            assert found_lo[t].tolist() == [want_lo[c] for c in system.cells]
            assert found_hi[t].tolist() == [want_hi[c] for c in system.cells]
        # The caller's bounds are left as they were.
        assert np.array_equal(lo, kept_lo) and np.array_equal(hi, kept_hi)


def test_a_hidden_cell_beside_shown_ones_is_worked_out():
    # 10 = a + 3 + 4 with a hidden: a reader differences a = 3.
    eqs = [Equation("total", ("a", "b", "c"))]
    lo = {"total": 10.0, "a": 1.0, "b": 3.0, "c": 4.0}
    hi = {"total": 10.0, "a": INF, "b": 3.0, "c": 4.0}
    assert narrowed(eqs, lo, hi) == ({**lo, "a": 3.0}, {**hi, "a": 3.0})


def test_two_hidden_cells_are_only_bounded():
    # 10 = a + b + 4, a and b hidden (each at least 1): each is 1 to 5.
    eqs = [Equation("total", ("a", "b", "c"))]
    lo = {"total": 10.0, "a": 1.0, "b": 1.0, "c": 4.0}
    hi = {"total": 10.0, "a": INF, "b": INF, "c": 4.0}
    assert narrowed(eqs, lo, hi) == (lo, {**hi, "a": 5.0, "b": 5.0})



def test_rows_group_by_their_keys_as_pandas_groups_them():
    """`_groups` (how a margin's rows are grouped by the other keys) against pandas'
    `groupby(sort=False, dropna=False)`: groups in order of first row, every kind of
    missing value one key, 1 and 1.0 one key."""
    rng = random.Random(3)
    choices = ["a", "b", None, float("nan"), pd.NA, 1, 1.0, 2]
    for _ in range(200):
        n = rng.randint(0, 30)
        frame = pd.DataFrame({"x": pd.Series([rng.choice(choices) for _ in range(n)],
                                             dtype=object),
                              "y": pd.Series([rng.choice(["p", "q", None]) for _ in range(n)],
                                             dtype=object),
                              "z": rng.sample(range(1000), n)})
        for columns in (["x"], ["x", "y"], ["y", "z"]):
            want = [list(map(int, ix)) for ix in frame.groupby(
                columns, sort=False, dropna=False).indices.values()]
            assert _groups(frame, columns) == want
