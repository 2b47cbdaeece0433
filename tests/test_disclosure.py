"""Disclosure control (DESIGN.md "Partner exports"): small counts hidden, nothing hidden
can be worked back out from a total in the same table, health counts per NHS Digital.

The attacker here is written independently of `exports.disclosure`: it knows only what a
partner sees (the published table and which rows are totals of which) and tries simple
differencing, exact Gaussian elimination over fractions, and narrowing each hidden cell's
range (a `[c]` is at least 1 because zero stays zero; a rounded count is within 2).
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from exports.disclosure import (
    SUPPRESSED,
    ColumnSum,
    DisclosureError,
    Margin,
    RateOver,
    TableShape,
    equations,
    protect,
)
from exports.partners import (
    DISCLOSURE,
    HEALTH,
    NHS_DIGITAL,
    ONS_SMALL_COUNTS,
    PARTNERS,
    POLICE_COUNCIL,
    DisclosureRule,
)

INF = float("inf")

# ------------------------------------------------------------------- the attacker


def _knowledge(value: object, rule: DisclosureRule) -> tuple[float, float]:
    if value == SUPPRESSED:
        return 1.0, INF
    v = int(value)
    if rule.round_to and v:
        half = rule.round_to // 2
        return float(max(v - half, rule.suppress_to + 1)), float(v + half)
    return float(v), float(v)


def attack(published: pd.DataFrame, shape: TableShape, rule: DisclosureRule) -> dict:
    """Every hidden cell the attacker can pin to one value: {cell: value}."""
    eqs = [(e.total, list(e.parts)) for e in equations(published, shape)]
    cells = {c for t, ps in eqs for c in (t, *ps)}
    know = {c: _knowledge(published.at[c[0], c[1]], rule) for c in cells}
    hidden = {c for c in cells if published.at[c[0], c[1]] == SUPPRESSED}
    found: dict = {}

    # 1. differencing: an equation with one unknown left gives it away; repeat.
    exact = {c: lo for c, (lo, hi) in know.items() if lo == hi}
    changed = True
    while changed:
        changed = False
        for total, parts in eqs:
            terms = [(-1, total)] + [(1, p) for p in parts]
            unknown = [(a, c) for a, c in terms if c not in exact]
            if len(unknown) == 1:
                a, c = unknown[0]
                rest = sum(s * exact[x] for s, x in terms if x != c)
                exact[c] = -rest / a
                changed = True
    found.update({c: exact[c] for c in hidden if c in exact})

    # 2. Gaussian elimination over fractions on the unknowns.
    unknowns = sorted(c for c in cells if know[c][0] != know[c][1])
    col = {c: i for i, c in enumerate(unknowns)}
    rows = []
    for total, parts in eqs:
        coef = [Fraction(0)] * len(unknowns)
        rhs = Fraction(0)
        for a, c in [(-1, total)] + [(1, p) for p in parts]:
            if c in col:
                coef[col[c]] += a
            else:
                rhs -= a * Fraction(know[c][0])
        if any(coef):
            rows.append([*coef, rhs])
    pivots = []
    r = 0
    for j in range(len(unknowns)):
        p = next((i for i in range(r, len(rows)) if rows[i][j] != 0), None)
        if p is None:
            continue
        rows[r], rows[p] = rows[p], rows[r]
        rows[r] = [x / rows[r][j] for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][j] != 0:
                f = rows[i][j]
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[r], strict=True)]
        pivots.append((r, j))
        r += 1
    for r, j in pivots:
        if all(rows[r][k] == 0 for k in range(len(unknowns)) if k != j):
            c = unknowns[j]
            if c in hidden:
                found[c] = float(rows[r][-1])

    # 3. narrowing ranges through every equation until nothing moves.
    bounds = dict(know)
    for _ in range(200):
        moved = False
        for total, parts in eqs:
            terms = [(-1, total)] + [(1, p) for p in parts]
            for a, c in terms:
                others = [(s, x) for s, x in terms if x != c]
                lo_o = sum(min(s * bounds[x][0], s * bounds[x][1]) for s, x in others)
                hi_o = sum(max(s * bounds[x][0], s * bounds[x][1]) for s, x in others)
                lo, hi = (-hi_o, -lo_o) if a == 1 else (lo_o, hi_o)
                new = (max(bounds[c][0], lo), min(bounds[c][1], hi))
                if new != bounds[c]:
                    bounds[c], moved = new, True
        if not moved:
            break
    for c in hidden:
        if bounds[c][0] == bounds[c][1]:
            found[c] = bounds[c][0]
    return found


# --------------------------------------------------------------------- tables


def grid_table(rng: random.Random, rows: int, cols: int, q4: bool, small: float) -> pd.DataFrame:
    """periods x groups with an `all` column and (at Q4) a rolling row = sum of quarters."""
    periods = [f"Q{i}" for i in range(1, rows + 1)]
    groups = [f"g{j}" for j in range(cols)]

    def draw() -> int:
        roll = rng.random()
        return 0 if roll < 0.2 else rng.randint(1, 4) if roll < 0.2 + small else \
            rng.randint(5, 60)

    values = {(p, g): draw() for p in periods for g in groups}
    out = []
    for p in [*periods, *(["R"] if q4 else [])]:
        for g in [*groups, "all"]:
            ps = periods if p == "R" else [p]
            gs = groups if g == "all" else [g]
            out.append({"period": p, "group": g,
                        "n": sum(values[(x, y)] for x in ps for y in gs)})
    return pd.DataFrame(out)


def grid_shape(q4: bool, periods: int) -> TableShape:
    margins = [Margin("group", "all")]
    if q4:
        margins.append(Margin("period", "R", tuple(f"Q{i}" for i in range(1, periods + 1))))
    return TableShape(keys=("period", "group"), counts=("n",), margins=tuple(margins))


# ---------------------------------------------------------------------- tests


def test_counts_of_one_to_four_are_shown_as_c_and_zero_stays_zero():
    frame = pd.DataFrame({"k": ["a", "b", "c", "d", "e", "f"], "n": [0, 1, 4, 5, 2, 100]})
    out = protect(frame, TableShape(keys=("k",), counts=("n",)), ONS_SMALL_COUNTS).frame
    assert out["n"].tolist() == [0, SUPPRESSED, SUPPRESSED, 5, SUPPRESSED, 100]


def test_health_counts_of_one_to_seven_hidden_and_the_rest_rounded_to_five():
    frame = pd.DataFrame({"k": list("abcdefgh"), "n": [0, 1, 7, 8, 12, 13, 22, 1003]})
    out = protect(frame, TableShape(keys=("k",), counts=("n",)), NHS_DIGITAL).frame
    assert out["n"].tolist() == [0, SUPPRESSED, SUPPRESSED, 10, 10, 15, 20, 1005]


def test_a_hidden_cell_is_never_the_only_hidden_cell_of_its_total():
    frame = pd.DataFrame({"g": ["a", "b", "c", "all"], "n": [3, 10, 40, 53]})
    shape = TableShape(keys=("g",), counts=("n",), margins=(Margin("g", "all"),))
    out = protect(frame, shape, ONS_SMALL_COUNTS).frame
    assert out["n"].tolist() == [SUPPRESSED, SUPPRESSED, 40, 53]  # the next smallest, b
    assert attack(out, shape, ONS_SMALL_COUNTS) == {}


def test_two_hidden_cells_summing_to_two_are_protected_further():
    """[c] + [c] = 2 gives 1 and 1 away (zero stays zero): a third cell must go."""
    frame = pd.DataFrame({"g": ["a", "b", "c", "all"], "n": [1, 1, 40, 42]})
    shape = TableShape(keys=("g",), counts=("n",), margins=(Margin("g", "all"),))
    out = protect(frame, shape, ONS_SMALL_COUNTS).frame
    assert out["n"].tolist().count(SUPPRESSED) >= 3
    assert attack(out, shape, ONS_SMALL_COUNTS) == {}


def test_the_attacker_recovers_cells_when_only_primary_suppression_is_applied():
    """The attacker is real: without secondary suppression it recovers hidden cells."""
    frame = pd.DataFrame({"g": ["a", "b", "c", "all"], "n": [3, 10, 40, 53]})
    shape = TableShape(keys=("g",), counts=("n",), margins=(Margin("g", "all"),))
    primary_only = DisclosureRule("primary_only", 1, 4, None, False, "")
    out = protect(frame, shape, primary_only).frame
    assert attack(out, shape, primary_only) == {(0, "n"): 3.0}


@pytest.mark.parametrize("seed", range(60))
def test_no_hidden_cell_can_be_recovered_from_row_column_or_period_totals(seed):
    rng = random.Random(seed)
    rows, cols, q4 = rng.randint(1, 4), rng.randint(2, 6), rng.random() < 0.5
    q4 = q4 and rows == 4
    frame = grid_table(rng, rows, cols, q4, small=rng.choice([0.1, 0.3, 0.6]))
    shape = grid_shape(q4, rows)
    for rule in (ONS_SMALL_COUNTS, NHS_DIGITAL):
        out = protect(frame, shape, rule).frame
        assert attack(out, shape, rule) == {}, (seed, rule.name)
        raw = frame["n"].tolist()
        shown = out["n"].tolist()
        for v, s in zip(raw, shown, strict=True):
            if v == 0:
                assert s == 0  # zero stays zero
            if rule.suppress_from <= v <= rule.suppress_to:
                assert s == SUPPRESSED


def test_column_sums_within_a_row_are_protected_too():
    """ICV: agreed + refused = offered; a hidden refused must not follow from the other two."""
    frame = pd.DataFrame({"suite": ["EUS", "KEY", "all"], "offered": [40, 30, 70],
                          "agreed": [38, 30, 68], "refused": [2, 0, 2]})
    shape = TableShape(keys=("suite",), counts=("offered", "agreed", "refused"),
                       margins=(Margin("suite", "all"),),
                       column_sums=(ColumnSum("offered", ("agreed", "refused")),))
    out = protect(frame, shape, ONS_SMALL_COUNTS).frame
    assert out.loc[0, "refused"] == SUPPRESSED
    assert attack(out, shape, ONS_SMALL_COUNTS) == {}


def test_a_rate_over_a_suppressed_count_is_suppressed():
    frame = pd.DataFrame({"m": ["a", "b"], "charged": [3, 20], "rapes": [100, 200],
                          "charge_rate": [0.03, 0.1]})
    shape = TableShape(keys=("m",), counts=("charged", "rapes"),
                       rates=(RateOver("charge_rate", ("charged", "rapes")),))
    out = protect(frame, shape, ONS_SMALL_COUNTS).frame
    assert out["charge_rate"].tolist() == [SUPPRESSED, 0.1]


def test_health_tables_may_not_carry_rates_over_rounded_counts():
    frame = pd.DataFrame({"m": ["a"], "n": [20], "share": [0.5]})
    shape = TableShape(keys=("m",), counts=("n",), rates=(RateOver("share", ("n",)),))
    with pytest.raises(DisclosureError):
        protect(frame, shape, NHS_DIGITAL)


def test_a_table_whose_totals_do_not_add_up_is_refused():
    frame = pd.DataFrame({"g": ["a", "b", "all"], "n": [5, 6, 12]})
    shape = TableShape(keys=("g",), counts=("n",), margins=(Margin("g", "all"),))
    with pytest.raises(DisclosureError, match="add up"):
        protect(frame, shape, ONS_SMALL_COUNTS)


def test_thresholds_are_configured_per_partner_in_one_place():
    assert set(DISCLOSURE) == set(PARTNERS)
    for rules in DISCLOSURE.values():
        assert (rules[POLICE_COUNCIL].suppress_from, rules[POLICE_COUNCIL].suppress_to) == (1, 4)
        assert rules[POLICE_COUNCIL].round_to is None
        assert (rules[HEALTH].suppress_to, rules[HEALTH].round_to) == (7, 5)


# ------------------------------------------------- every real export table, attacked


@pytest.fixture(scope="module")
def built_exports(tmp_path_factory):
    from exports.publish import build_partner, read_snapshot
    from exports.sample_warehouse import build_sample_warehouse
    from exports.windows import window

    path = build_sample_warehouse(Path(tmp_path_factory.mktemp("wh")) / "w.duckdb")
    snap = read_snapshot(path, ["csp", "home_office", "opcc", "icb"], [])
    start = pd.Timestamp("2023-04-01").date()
    out = []
    for q in ("2023-24Q4", "2024-25Q1"):
        win = window(q, start)
        for partner in PARTNERS:
            built = build_partner(snap.tables, partner, win)
            out += [(partner, q, t, built.published[t.name]) for t in built.tables]
    return out


def test_no_published_table_mixes_health_and_police_counts_and_none_leaks(built_exports):
    from exports.partners import disclosure_rule

    assert built_exports
    for partner, q, table, published in built_exports:
        rule = disclosure_rule(partner, table.kind)
        win_shape = table.shape
        if "period" in table.shape.keys and q.endswith("Q4"):
            win_shape = table.shape.with_margins(
                Margin("period", f"12m_to_{q}", tuple(f"{q[:7]}Q{i}" for i in range(1, 5))))
        assert attack(published, win_shape, rule) == {}, (partner, q, table.name)
        for c in table.shape.counts:
            for v in published[c]:
                if v != SUPPRESSED:
                    assert not rule.suppress_from <= int(v) <= rule.suppress_to
                    if rule.round_to:
                        assert int(v) % rule.round_to == 0
