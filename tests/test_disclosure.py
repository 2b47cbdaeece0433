"""Disclosure control (DESIGN.md "Partner exports"): small counts hidden, nothing hidden
can be worked back out from a total in the same table — nor from the other tables of the
same export read beside it — and health counts per NHS Digital.

The attacker (tests/support/attacker.py) is written independently of
`exports.disclosure`: it knows only what a partner sees and tries differencing, exact
elimination and narrowing each hidden cell's range. The real tables come from the small
generated drop built by dbt (tests/support/published.py), selected and protected as the
publisher does.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
from support.attacker import (
    CSP_FIGURES,
    OPCC_FIGURES,
    attack,
    attack_export,
)

from exports.disclosure import (
    DisclosureError,
    Equation,
    Table,
    _fields,
    _groups,
    _System,
    determined_by_equations,
    determined_if_hidden,
    equations,
    narrowed_bounds,
    protect,
    protect_together,
)
from exports.partners import (
    ALREADY_PUBLIC,
    DEFAULT_RULES,
    HEALTH,
    NHS_DIGITAL,
    ONS_SMALL_COUNTS,
    PARTNER_RULES,
    POLICE_COUNCIL,
    PUBLIC,
    DisclosureRule,
    disclosure_rule,
)
from exports.shapes import (
    NOT_AVAILABLE,
    SUPPRESSED,
    ColumnSum,
    Link,
    Margin,
    MeasureSum,
    RateOver,
    TableShape,
)

INF = float("inf")


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


@pytest.mark.parametrize("seed", range(20))
def test_a_kept_reduction_grown_cell_by_cell_fixes_what_one_from_scratch_does(seed):
    """Protecting a table hides one cell a round, and the equations' reduction is kept
    and grown by that cell's column (`_System.reduced`): what it finds determined, also
    with each candidate hidden, must be what a reduction from scratch finds."""
    rng = random.Random(seed)
    cells = [("t", r, "n") for r in range(rng.randint(6, 30))]
    eqs = [Equation(rng.choice(cells), tuple(rng.sample(cells, rng.randint(1, 4))))
           for _ in range(rng.randint(2, 14))]
    eqs = [eq for eq in eqs if eq.total not in eq.parts] or [Equation(cells[0], (cells[1],))]
    kept = _System(eqs)
    unknown = np.zeros(len(kept.cells), dtype=bool)
    order = list(range(len(kept.cells)))
    rng.shuffle(order)
    for hidden in order:
        unknown[hidden] = True
        candidates = [i for i in range(len(kept.cells)) if rng.random() < 0.5]
        from_scratch = _System(eqs)
        assert determined_by_equations(kept, unknown).tolist() == \
            determined_by_equations(from_scratch, unknown).tolist()
        for c, fixed in zip(candidates, determined_if_hidden(kept, unknown, candidates),
                            strict=True):
            with_c = unknown.copy()
            with_c[c] = True
            assert fixed.tolist() == determined_by_equations(_System(eqs), with_c).tolist()
    assert len(kept._reduction.columns) == len(kept.cells)  # grown, never rebuilt


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


def test_a_csp_row_over_districts_named_apart_is_a_total_too():
    """sv_by_area: the CSP row (its own area_code) is the sum of its districts; with one
    district suppressed, the other must be hidden too or the CSP row gives it away."""
    frame = pd.DataFrame({"period": ["q1"] * 3, "area_level": ["district", "district", "csp"],
                          "area_code": ["E07000129", "E07000132", "Blaby and Hinckley"],
                          "offences": [3, 40, 43]})
    shape = TableShape(keys=("period", "area_level", "area_code"), counts=("offences",),
                       margins=(Margin("area_level", "csp", ("district",),
                                       across=("area_code",)),))
    out = protect(frame, shape, ONS_SMALL_COUNTS).frame
    assert out["offences"].tolist()[:2] == [SUPPRESSED, SUPPRESSED]
    assert attack(out, shape, ONS_SMALL_COUNTS) == {}


def test_each_of_several_authorities_is_the_sum_of_its_own_districts():
    """A table holding every authority and district (the opcc's SV by area): LA A is the
    sum of A's districts only. Its secondary suppression must come from A's districts;
    a second suppressed district elsewhere (in B) does not protect A's."""
    frame = pd.DataFrame({
        "area_level": ["llr", "la", "la", "district", "district", "district", "district"],
        "area_code": ["LLR", "A", "B", "a1", "a2", "b1", "b2"],
        "la_code": [None, None, None, "A", "A", "B", "B"],
        "offences": [110, 43, 67, 3, 40, 60, 7]})
    margins = (Margin("area_level", "llr", ("la",), across=("area_code",)),
               Margin("area_level", "llr", ("district",), across=("area_code",)),
               Margin("area_level", "la", ("district",), across=("area_code",),
                      parent="la_code"))
    shape = TableShape(keys=("area_level", "area_code"), counts=("offences",), margins=margins)
    out = protect(frame, shape, ONS_SMALL_COUNTS).frame
    shown = dict(zip(out["area_code"], out["offences"], strict=True))
    assert shown["a1"] == SUPPRESSED
    assert SUPPRESSED in (shown["a2"], shown["A"])  # A's own sum cannot give a1 away
    assert attack(out, shape, ONS_SMALL_COUNTS) == {}
    # Without the authorities' own margins, a1 = A - a2 would be recoverable.
    loose = TableShape(keys=shape.keys, counts=shape.counts, margins=margins[:2])
    leaky = protect(frame, loose, ONS_SMALL_COUNTS).frame
    assert attack(leaky, shape, ONS_SMALL_COUNTS) != {}


def test_a_parent_margin_needs_the_column_it_is_across():
    with pytest.raises(ValueError, match="needs `across`"):
        Margin("area_level", "la", ("district",), parent="la_code")


def test_a_blank_declared_unavailable_is_x_and_so_is_a_rate_over_it():
    """A baseline year before the data: that cell and the change on it are [x]; the
    rest of the row, and a blank in any other count, are not excused."""
    frame = pd.DataFrame({"m": ["a", "b", "c"], "value": [30, 2, 40],
                          "baseline": [None, 50, 45], "change": [None, -0.96, -0.11]})
    shape = TableShape(keys=("m",), counts=("value", "baseline"),
                       rates=(RateOver("change", ("value", "baseline")),),
                       unavailable_when_blank=("baseline",))
    out = protect(frame, shape, ONS_SMALL_COUNTS).frame
    assert out["value"].tolist() == [30, SUPPRESSED, 40]
    assert out["baseline"].tolist() == [NOT_AVAILABLE, 50, 45]
    assert out["change"].tolist() == [NOT_AVAILABLE, SUPPRESSED, -0.11]
    with pytest.raises(DisclosureError, match="'value', row 1: a count is missing"):
        protect(frame.assign(value=[None, 2, 40]), shape, ONS_SMALL_COUNTS)


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


def test_a_row_drawing_on_a_missing_file_is_x_and_never_hides_a_small_count():
    """Rows flagged not available show every count and rate as `[x]`; they are not small
    counts to protect nor cells to hide a `[c]` behind (they are never turned into `[c]`
    and count as neither primary nor secondary); a small count in another row is still
    protected, with a shown cell as its secondary."""
    groups = ("a", "b", "c")
    values = {"Q1": (3, 10, 40), "Q2": (1, 2, 0), "Q3": (20, 30, 50)}  # Q2's file is missing
    rows = []
    for period, counts in values.items():
        rows += [{"period": period, "group": g, "n": n} for g, n in zip(groups, counts,
                                                                        strict=True)]
        rows.append({"period": period, "group": "all", "n": sum(counts)})
    for i, g in enumerate((*groups, "all")):  # the rolling row: the sum of the quarters
        rows.append({"period": "R", "group": g,
                     "n": sum(c[i] if i < 3 else sum(c) for c in values.values())})
    frame = pd.DataFrame(rows)
    frame["share"] = [None] * len(frame)
    for period in ("Q1", "Q2", "Q3", "R"):
        total = frame.loc[(frame["period"] == period) & (frame["group"] == "all"), "n"].iloc[0]
        mask = frame["period"] == period
        frame.loc[mask, "share"] = frame.loc[mask, "n"] / total
    shape = TableShape(keys=("period", "group"), counts=("n",),
                       rates=(RateOver("share", ("n",)),),
                       margins=(Margin("group", "all"), Margin("period", "R", ("Q1", "Q2", "Q3"))))
    missing = frame["period"].isin(["Q2", "R"]).tolist()  # R draws on Q2 too

    protected = protect(frame, shape, ONS_SMALL_COUNTS, not_available=missing)
    out = protected.frame
    for r, unavailable in enumerate(missing):
        if unavailable:
            assert (out.loc[r, "n"], out.loc[r, "share"]) == (NOT_AVAILABLE, NOT_AVAILABLE), r
        else:
            assert NOT_AVAILABLE not in (out.loc[r, "n"], out.loc[r, "share"]), r
    assert out.loc[frame["period"] == "Q1", "n"].tolist() == [SUPPRESSED, SUPPRESSED, 40, 53]
    assert out.loc[frame["period"] == "Q1", "share"].tolist()[:2] == [SUPPRESSED, SUPPRESSED]
    assert out.loc[frame["period"] == "Q3", "n"].tolist() == [20, 30, 50, 100]
    assert (protected.primary, protected.secondary) == (1, 1)
    assert attack(out, shape, ONS_SMALL_COUNTS) == {}

    # The same table with every file there: Q2's small counts are primary [c] now.
    everything = protect(frame, shape, ONS_SMALL_COUNTS)
    assert everything.primary == sum(1 <= v <= 4 for v in frame["n"]) == 4
    assert NOT_AVAILABLE not in everything.frame["n"].tolist()
    with pytest.raises(DisclosureError, match="every row"):
        protect(frame, shape, ONS_SMALL_COUNTS, not_available=missing[:-1])


def test_thresholds_are_configured_per_partner_in_one_place(catalog, monkeypatch):
    assert set(PARTNER_RULES) <= set(catalog.names)  # overrides only for real partners
    for partner in catalog.names:
        police, health = disclosure_rule(partner, POLICE_COUNCIL), disclosure_rule(partner, HEALTH)
        assert (police.suppress_from, police.suppress_to, police.round_to) == (1, 4, None)
        assert (health.suppress_from, health.suppress_to, health.round_to) == (1, 7, 5)
        assert police.secondary and health.secondary
        public = disclosure_rule(partner, PUBLIC)  # the Home Office's own published figures
        assert (public.suppress_to, public.round_to, public.secondary) == (0, None, False)
    assert DEFAULT_RULES == {POLICE_COUNCIL: ONS_SMALL_COUNTS, HEALTH: NHS_DIGITAL,
                             PUBLIC: ALREADY_PUBLIC}
    with pytest.raises(ValueError, match="no disclosure rule"):
        disclosure_rule("icb", "mixed")
    stricter = DisclosureRule("stricter", 1, 9, 10, True, "")
    monkeypatch.setitem(PARTNER_RULES, "home_office", {HEALTH: stricter})
    assert disclosure_rule("home_office", HEALTH) is stricter
    assert disclosure_rule("home_office", POLICE_COUNCIL) is ONS_SMALL_COUNTS
    assert disclosure_rule("icb", HEALTH) is NHS_DIGITAL


# ------------------------------------------------------- tables read side by side

MONTHS = pd.DataFrame({"month": ["2023-04-01", "2023-05-01", "2023-06-01"],
                       "knife": [1, 0, 9]})
QUARTER = pd.DataFrame({"period": ["2023-24Q1"], "period_start": ["2023-04-01"],
                        "period_end": ["2023-06-30"], "knife": [10]})
MONTH_SHAPE = TableShape(keys=("month",), counts=("knife",))
QUARTER_SHAPE = TableShape(keys=("period",), counts=("knife",))
KNIFE = [("knife", "by_month", "knife", {}), ("knife", "by_quarter", "knife", {})]


def test_a_month_hidden_in_one_table_is_recovered_from_the_quarter_in_another():
    """Each table protected on its own is safe alone, but the quarter's total in the
    second table less the months shown in the first gives the hidden month away."""
    alone = {"by_month": protect(MONTHS, MONTH_SHAPE, ONS_SMALL_COUNTS).frame,
             "by_quarter": protect(QUARTER, QUARTER_SHAPE, ONS_SMALL_COUNTS).frame}
    assert alone["by_month"]["knife"].tolist() == [SUPPRESSED, 0, 9]
    assert attack_export(alone, {"by_month": MONTH_SHAPE, "by_quarter": QUARTER_SHAPE},
                         ONS_SMALL_COUNTS, KNIFE) == {("by_month", 0, "knife"): 1.0}


def test_tables_that_share_a_figure_are_protected_together():
    shapes = {
        "by_month": TableShape(keys=("month",), counts=("knife",), links=(
            Link("knife", "knife", period="month"),)),
        "by_quarter": TableShape(keys=("period",), counts=("knife",), links=(
            Link("knife", "knife"),)),
    }
    out = protect_together([Table("by_month", MONTHS, shapes["by_month"]),
                            Table("by_quarter", QUARTER, shapes["by_quarter"])],
                           ONS_SMALL_COUNTS)
    published = {name: p.frame for name, p in out.items()}
    assert published["by_month"]["knife"].tolist()[0] == SUPPRESSED
    assert out["by_month"].secondary + out["by_quarter"].secondary == 1
    assert attack_export(published, shapes, ONS_SMALL_COUNTS, KNIFE) == {}


def test_a_figure_that_is_the_sum_of_others_links_months_to_groups():
    """Sexual violence by month in one table; rape and other sexual offences by quarter
    in another: the quarter's sexual violence, shown nowhere, is both the sum of its
    months and rape plus other sexual offences."""
    months = pd.DataFrame({"month": ["2023-04-01", "2023-05-01", "2023-06-01"],
                           "sexual": [2, 6, 7]})
    groups = pd.DataFrame({"period": ["2023-24Q1"] * 3, "period_start": ["2023-04-01"] * 3,
                           "period_end": ["2023-06-30"] * 3,
                           "sv_group": ["rape", "other_sexual_offences", "all"],
                           "offences": [6, 9, 15]})
    shapes = {
        "by_month": TableShape(keys=("month",), counts=("sexual",), links=(
            Link("sexual", "sexual_violence", period="month"),)),
        "by_group": TableShape(keys=("period", "sv_group"), counts=("offences",),
                               links=(Link("offences", "sv_group:{sv_group}"),)),
    }
    figures = [("sexual violence", "by_month", "sexual", {}),
               ("rape", "by_group", "offences", {"sv_group": "rape"}),
               ("other sexual offences", "by_group", "offences",
                {"sv_group": "other_sexual_offences"})]
    sums = [MeasureSum("sexual_violence", ("sv_group:rape", "sv_group:other_sexual_offences"))]
    tables = [Table("by_month", months, shapes["by_month"]),
              Table("by_group", groups, shapes["by_group"])]
    unlinked = {name: protect(t.frame, t.shape, ONS_SMALL_COUNTS).frame
                for name, t in zip(shapes, tables, strict=True)}
    assert attack_export(unlinked, shapes, ONS_SMALL_COUNTS, figures) == {
        ("by_month", 0, "sexual"): 2.0}
    out = protect_together(tables, ONS_SMALL_COUNTS, sums)
    published = {name: p.frame for name, p in out.items()}
    assert attack_export(published, shapes, ONS_SMALL_COUNTS, figures) == {}


def test_a_year_earlier_column_is_the_figure_a_year_before():
    this_year = pd.DataFrame({"month": ["2023-04-01", "2023-05-01"], "n": [12, 20],
                              "n_year_earlier": [2, 9]})
    last_year = pd.DataFrame({"period": ["x"], "period_start": ["2022-04-01"],
                              "period_end": ["2022-05-31"], "n": [11]})
    shapes = {
        "months": TableShape(keys=("month",), counts=("n", "n_year_earlier"), links=(
            Link("n", "sv", period="month"),
            Link("n_year_earlier", "sv", period="month", years_earlier=1))),
        "earlier": TableShape(keys=("period",), counts=("n",), links=(Link("n", "sv"),)),
    }
    figures = [("sv", "months", "n", {}), ("sv", "months", "n_year_earlier", {}),
               ("sv", "earlier", "n", {})]
    tables = [Table(n, f, shapes[n]) for n, f in (("months", this_year),
                                                  ("earlier", last_year))]
    out = protect_together(tables, ONS_SMALL_COUNTS)
    published = {name: p.frame for name, p in out.items()}
    assert published["months"]["n_year_earlier"].tolist() == [SUPPRESSED, SUPPRESSED]
    assert attack_export(published, shapes, ONS_SMALL_COUNTS, figures) == {}


def test_links_read_only_their_columns_and_still_refuse_a_missing_one():
    """The cells a link joins are found from the columns it names alone (its `where`,
    its measure's fields, the columns giving the days): other columns, whatever they
    hold, change nothing; a link naming a column the table lacks is still an error, not
    a link quietly dropped."""
    months = MONTHS.assign(area="LLR", weapon="knife")
    shapes = {
        "by_month": TableShape(keys=("month",), counts=("knife",), links=(
            Link("knife", "{weapon}", where=(("area", "LLR"),), period="month"),)),
        "by_quarter": TableShape(keys=("period",), counts=("knife",), links=(
            Link("knife", "knife"),)),
    }

    def published(frame: pd.DataFrame) -> list:
        out = protect_together([Table("by_month", frame, shapes["by_month"]),
                                Table("by_quarter", QUARTER, shapes["by_quarter"])],
                               ONS_SMALL_COUNTS)
        return [*out["by_month"].frame["knife"], *out["by_quarter"].frame["knife"]]

    # Linked, the quarter's 10 less the months shown would give the hidden 1 away.
    linked = published(months)
    assert linked.count(SUPPRESSED) == 2
    assert published(months.assign(other=[object(), None, pd.NA])) == linked
    # Another area's months are not the quarter's: nothing is shared.
    assert published(months.assign(area="Leicester")) == [SUPPRESSED, 0, 9, 10]
    with pytest.raises(DisclosureError, match="names no column 'weapon'"):
        published(months.drop(columns=["weapon"]))
    for missing in ("area", "month"):  # the link's `where`, the month it counts
        with pytest.raises(KeyError, match=missing):
            published(months.drop(columns=[missing]))


def test_a_link_measure_names_the_columns_it_formats():
    assert _fields("sv_group:{sv_group}") == {"sv_group"}
    assert _fields("{a.b}-{c[0]}:{d:>{width}}{{not_a_field}}") == {"a", "c", "d", "width"}
    assert _fields("knife") == set()


def test_tables_that_disagree_on_a_shared_figure_are_refused():
    shapes = [TableShape(keys=("month",), counts=("knife",), links=(
        Link("knife", "knife", period="month"),)),
        TableShape(keys=("period",), counts=("knife",), links=(Link("knife", "knife"),))]
    wrong = QUARTER.assign(knife=[11])
    with pytest.raises(DisclosureError, match=r"by_quarter.*add up to 10"):
        protect_together([Table("by_quarter", wrong, shapes[1]),
                          Table("by_month", MONTHS, shapes[0])], ONS_SMALL_COUNTS)


# ------------------------------------------------- every real export table, attacked


@pytest.fixture(scope="module")
def built_exports(published_base, catalog):
    """Every partner's tables for every export quarter, selected and protected as the
    publisher does (`exports.publish.select_export` and `build`)."""
    from exports.publish import build, select_export, shape_of
    from exports.warehouse import read_only, read_published

    with read_only(published_base) as con:
        pub = read_published(con, [t for p in catalog.partners for t in p.tables])
    out = []
    for q in pub.quarters:
        for partner in catalog.partners:
            export = select_export(pub, partner, q)
            built = build(export)
            out += [(partner.name, q, t, shape_of(t, export.rows[t.name]),
                     built.published[t.name], export.reads[t.name]) for t in built.tables]
    return out


@pytest.mark.slow
def test_no_published_table_mixes_health_and_police_counts_and_none_leaks(built_exports):
    assert built_exports
    assert any(SUPPRESSED in published[c].tolist()
               for *_, table, _, published, _ in built_exports for c in table.shape.counts)
    for partner, q, table, shape, published, reads in built_exports:
        assert table.kind in (POLICE_COUNCIL, HEALTH, PUBLIC)  # one kind of figure per table
        # Shown as already published only when no partner's extract is read at all.
        assert table.kind != PUBLIC or not reads, (table.name, reads)
        rule = disclosure_rule(partner, table.kind)
        assert attack(published, shape, rule) == {}, (partner, q, table.name)
        for c in table.shape.counts:
            for v in published[c]:
                if v not in (SUPPRESSED, NOT_AVAILABLE):
                    assert not rule.suppress_from <= int(v) <= rule.suppress_to
                    if rule.round_to:
                        assert int(v) % rule.round_to == 0


@pytest.mark.slow
def test_no_hidden_cell_is_recovered_reading_an_exports_tables_side_by_side(built_exports):
    """The attacker reads all of one export's tables under one rule together, knowing
    which figures they share (tests/support/attacker.py: written from the tables'
    descriptions, not from the exporter's links)."""
    exports: dict = {}
    for partner, q, table, shape, published, _ in built_exports:
        rule = disclosure_rule(partner, table.kind)
        key = (partner, q, rule)
        exports.setdefault(key, ({}, {}))
        exports[key][0][table.name] = published
        exports[key][1][table.name] = shape
    attacked = 0
    for (partner, q, rule), (published, shapes) in exports.items():
        figures = CSP_FIGURES if partner.startswith("csp-") else OPCC_FIGURES
        if not any(t in published for _, t, _, _ in figures):
            continue
        attacked += 1
        assert attack_export(published, shapes, rule, figures) == {}, (partner, q)
    assert attacked >= 9 * 4  # eight CSPs and opcc, every quarter


# ------------------------------------------------- the reader's differencing, the groups
# `narrowed_bounds` against one equation at a time written out here in plain Python, on
# grid tables, on bounds stacked side by side (one row per cell tried for hiding), and
# with open upper and lower bounds; and how rows are grouped for the equations
# (`_groups`), against pandas.


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


def grid_equations(rng: random.Random) -> tuple[list[Equation], dict]:
    """A grid table (`grid_table`: groups with their `all`, quarters with their rolling
    row at Q4) as the exporter's equations (`equations`), and each cell's value."""
    rows, cols, q4 = rng.randint(1, 4), rng.randint(1, 5), rng.random() < 0.5
    frame = grid_table(rng, rows, cols, q4, small=0.3)
    return (equations(frame, grid_shape(q4, rows)),
            {(r, "n"): int(v) for r, v in enumerate(frame["n"])})


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
        eqs, value = grid_equations(rng)
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
        eqs, value = grid_equations(rng)
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
