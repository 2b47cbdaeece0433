"""A reader trying to work hidden cells back out of what a partner receives.

Written apart from `exports.disclosure`: it knows only what a partner sees — the
published tables, which rows are totals of which (the tables' declared margins), and, for
an export read side by side, which figures the tables share. That knowledge is written
here in its own words (`CSP_FIGURES`, `OPCC_FIGURES`, `FIGURE_SUMS`), from the tables' own
descriptions, not read from the YAML links the exporter uses. It then tries differencing,
exact elimination (modulo a large prime, so no rounding), and narrowing each hidden cell's
range: a `[c]` is at least 1 because zero stays zero, a rounded count is within half the
base, an `[x]` could be anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from itertools import pairwise

import numpy as np
import pandas as pd

from exports.disclosure import equations
from exports.partners import DisclosureRule
from exports.shapes import NOT_AVAILABLE, SUPPRESSED, TableShape

INF = float("inf")
PRIME = 2_147_483_629  # below 2**31: a product of two residues fits in int64

Term = tuple[int, Hashable]  # (+1 or -1, cell)


def knowledge(value: object, rule: DisclosureRule) -> tuple[float, float]:
    if value == NOT_AVAILABLE:
        return 0.0, INF  # not available: it may be anything, zero included
    if value == SUPPRESSED:
        return 1.0, INF
    v = int(value)
    if rule.round_to and v:
        half = rule.round_to // 2
        return float(max(v - half, rule.suppress_to + 1)), float(v + half)
    return float(v), float(v)


def solve(eqs: Sequence[Sequence[Term]], know: Mapping[Hashable, tuple[float, float]],
          hidden: Iterable[Hashable]) -> dict:
    """Each equation says its signed terms add up to zero. Every hidden cell pinned to
    one value: {cell: value}."""
    hidden = set(hidden)
    found: dict = {}

    # 1. differencing: an equation with one unknown left gives it away; repeat.
    exact = {c: lo for c, (lo, hi) in know.items() if lo == hi}
    changed = True
    while changed:
        changed = False
        for terms in eqs:
            unknown = [(a, c) for a, c in terms if c not in exact]
            if len(unknown) == 1:
                a, c = unknown[0]
                exact[c] = -sum(s * exact[x] for s, x in terms if x != c) / a
                changed = True
    found.update({c: exact[c] for c in hidden if c in exact})

    # 2. exact elimination modulo a prime on the unknowns: a cell is pinned when its
    # pivot row has nothing left in any free column.
    unknowns = sorted((c for c in know if know[c][0] != know[c][1]), key=repr)
    col = {c: i for i, c in enumerate(unknowns)}
    rows = []
    for terms in eqs:
        row = np.zeros(len(unknowns) + 1, dtype=np.int64)
        for a, c in terms:
            if c in col:
                row[col[c]] = (row[col[c]] + a) % PRIME
            else:
                row[-1] = (row[-1] - a * int(know[c][0])) % PRIME
        if row[:-1].any():
            rows.append(row)
    if rows:
        m = np.vstack(rows)
        r, pivots = 0, []
        for j in range(len(unknowns)):
            nz = np.nonzero(m[r:, j])[0]
            if not len(nz):
                continue
            p = r + int(nz[0])
            m[[r, p]] = m[[p, r]]
            m[r] = m[r] * pow(int(m[r, j]), -1, PRIME) % PRIME
            f = m[:, j].copy()
            f[r] = 0
            nzr = np.nonzero(f)[0]
            if len(nzr):
                m[nzr] = (m[nzr] - (f[nzr, None] * m[r]) % PRIME) % PRIME
            pivots.append((r, j))
            r += 1
            if r == len(m):
                break
        pivot_cols = {j for _, j in pivots}
        free = [j for j in range(len(unknowns)) if j not in pivot_cols]
        for i, j in pivots:
            c = unknowns[j]
            if c in hidden and not (free and m[i, free].any()):
                v = int(m[i, -1])
                found[c] = float(v if v <= PRIME // 2 else v - PRIME)

    # 3. narrowing ranges through every equation until nothing moves.
    bounds = dict(know)
    for _ in range(300):
        moved = False
        for terms in eqs:
            lows = [min(s * bounds[x][0], s * bounds[x][1]) for s, x in terms]
            highs = [max(s * bounds[x][0], s * bounds[x][1]) for s, x in terms]
            lo_all, hi_all = sum(lows), sum(highs)
            for k, (a, c) in enumerate(terms):
                lo_o = lo_all - lows[k] if lows[k] != -INF else sum(
                    v for i, v in enumerate(lows) if i != k)
                hi_o = hi_all - highs[k] if highs[k] != INF else sum(
                    v for i, v in enumerate(highs) if i != k)
                lo, hi = (-hi_o, -lo_o) if a == 1 else (lo_o, hi_o)
                new = (max(bounds[c][0], lo), min(bounds[c][1], hi))
                if new != bounds[c] and new[0] <= new[1]:
                    bounds[c], moved = new, True
        if not moved:
            break
    for c in hidden:
        if bounds[c][0] == bounds[c][1]:
            found[c] = bounds[c][0]
    return found


def _table_terms(name: Hashable, published: pd.DataFrame, shape: TableShape
                 ) -> list[list[Term]]:
    return [[(-1, (name, *e.total))] + [(1, (name, *p)) for p in e.parts]
            for e in equations(published, shape)]


def attack(published: pd.DataFrame, shape: TableShape, rule: DisclosureRule) -> dict:
    """Every hidden cell of one table the attacker can pin to one value: {cell: value}."""
    eqs = [[(a, c[1:]) for a, c in terms] for terms in _table_terms("", published, shape)]
    cells = {c for terms in eqs for _, c in terms}
    know = {c: knowledge(published.at[c[0], c[1]], rule) for c in cells}
    hidden = {c for c in cells if published.at[c[0], c[1]] == SUPPRESSED}
    return solve(eqs, know, hidden)


# ----------------------------------------------------- what a partner knows across tables

# A figure a table shows in the rows matching `where`, in a count column. The same figure
# in two tables over the same days is the same number; a month's figures add up to any
# period they lay end to end over; a `*_year_earlier` column is the figure a year before
# its row's days.
Shown = tuple[str, str, str, Mapping[str, str]]  # (figure, table, column, where)

CSP_FIGURES: tuple[Shown, ...] = (
    ("serious violence", "sv_by_offence_group", "offences", {"sv_group": "all"}),
    ("serious violence", "sv_by_location", "offences", {"location_type": "all"}),
    ("serious violence", "sv_by_victim_age_band", "offences", {"victim_age_band": "all"}),
    ("serious violence", "sv_knife_and_domestic_abuse", "offences",
     {"measure": "all_serious_violence"}),
    ("serious violence", "sv_headlines", "offences", {"measure": "serious_violence"}),
    ("serious violence", "sv_headlines", "offences_year_earlier",
     {"measure": "serious_violence"}),
    ("serious violence", "sv_by_weekday_hour", "offences", {"weekday": "all", "hour": "all"}),
    ("serious violence", "sv_by_neighbourhood", "offences", {"npa_name": "all"}),
    ("serious violence", "sv_by_area", "offences", {"area_level": "csp"}),
    ("serious violence", "sv_by_month", "offences", {}),
    ("serious violence", "sv_by_month", "offences_year_earlier", {}),
    ("knife or sharp object", "sv_knife_and_domestic_abuse", "offences",
     {"measure": "knife_or_sharp_object"}),
    ("knife or sharp object", "sv_headlines", "offences", {"measure": "knife_sharp"}),
    ("knife or sharp object", "sv_by_month", "knife_or_sharp_object_offences", {}),
    ("knife-enabled", "sv_knife_and_domestic_abuse", "offences",
     {"measure": "knife_enabled_ho"}),
    ("knife-enabled", "sv_headlines", "offences", {"measure": "knife_enabled"}),
    ("domestic abuse", "sv_knife_and_domestic_abuse", "offences",
     {"measure": "domestic_abuse"}),
    ("domestic abuse", "sv_headlines", "offences", {"measure": "domestic_abuse"}),
    ("domestic abuse", "sv_by_month", "domestic_abuse_offences", {}),
    ("sexual violence", "sv_knife_and_domestic_abuse", "offences",
     {"measure": "sexual_violence"}),
    ("sexual violence", "sv_headlines", "offences", {"measure": "sexual_violence"}),
    ("victim under 25", "sv_knife_and_domestic_abuse", "offences",
     {"measure": "victim_under_25"}),
    ("victim under 25", "sv_by_month", "victim_under_25_offences", {}),
    ("public place", "sv_headlines", "offences", {"measure": "public_place"}),
    ("rasso", "sv_headlines", "offences", {"measure": "rasso"}),
    ("rasso", "rasso_by_area", "rasso_offences", {"area_level": "csp"}),
    ("hate crime", "sv_headlines", "offences", {"measure": "hate_crime"}),
    ("hate crime", "hate_crime", "offences", {"area_level": "csp", "offence_group": "all"}),
    ("rape", "sv_by_offence_group", "offences", {"sv_group": "rape"}),
    ("rape", "rasso_by_area", "rapes", {"area_level": "csp"}),
    ("other sexual offences", "sv_by_offence_group", "offences",
     {"sv_group": "other_sexual_offences"}),
    *(("victims aged " + band, "sv_by_victim_age_band", "offences",
       {"victim_age_band": band}) for band in ("0-17", "18-24")),
    *(("at " + place, "sv_by_location", "offences", {"location_type": place})
      for place in ("public_open_place", "hospitality", "shop", "transport", "education",
                    "workplace")),
)

OPCC_FIGURES: tuple[Shown, ...] = (
    ("serious violence", "sna_sv_by_area", "offences", {"area_level": "llr"}),
    ("serious violence", "sna_sv_by_area", "offences_year_earlier", {"area_level": "llr"}),
    ("serious violence", "sna_sv_by_group", "offences", {"sv_group": "all"}),
    ("serious violence", "sna_sv_by_group", "offences_year_earlier", {"sv_group": "all"}),
    ("serious violence", "sna_sv_by_location", "offences", {"location_type": "all"}),
    ("serious violence", "sna_sv_by_weekday_hour", "offences",
     {"weekday": "all", "hour": "all"}),
    ("serious violence", "sna_sv_by_month", "offences", {}),
    ("knife or sharp object", "sna_sv_by_month", "knife_sharp_offences", {}),
    ("knife-enabled", "sna_sv_by_month", "knife_enabled_offences", {}),
    ("domestic abuse", "sna_sv_by_month", "domestic_abuse_offences", {}),
    ("sexual violence", "sna_sv_by_month", "sexual_violence_offences", {}),
    ("young people", "sna_sv_by_month", "young_people_offences", {}),
    ("public place", "sna_sv_by_month", "public_place_offences", {}),
    ("rape", "sna_sv_by_group", "offences", {"sv_group": "rape"}),
    ("rape", "sna_sv_by_group", "offences_year_earlier", {"sv_group": "rape"}),
    ("rape", "rasso_outcomes", "rapes", {"outcome_group": "all"}),
    ("other sexual offences", "sna_sv_by_group", "offences",
     {"sv_group": "other_sexual_offences"}),
    ("other sexual offences", "sna_sv_by_group", "offences_year_earlier",
     {"sv_group": "other_sexual_offences"}),
    *(("at " + place, "sna_sv_by_location", "offences", {"location_type": place})
      for place in ("public_open_place", "hospitality", "shop", "transport", "education",
                    "workplace")),
    ("victims", "sna_people_rates", "persons", {"role": "victim", "age_band": "all",
                                                "sex": "all"}),
    ("victims", "sna_repeat_people", "persons", {"role": "victim",
                                                 "domain": "serious_violence"}),
    ("suspects", "sna_people_rates", "persons", {"role": "suspect", "age_band": "all",
                                                 "sex": "all"}),
    ("suspects", "sna_repeat_people", "persons", {"role": "suspect",
                                                  "domain": "serious_violence"}),
)

# Figures that are the sum of others over the same days (the tables' definitions).
FIGURE_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sexual violence", ("rape", "other sexual offences")),
    ("victim under 25", ("victims aged 0-17", "victims aged 18-24")),
    ("public place", tuple("at " + p for p in (
        "public_open_place", "hospitality", "shop", "transport", "education", "workplace"))),
)


def _days(row: Mapping[str, object], column: str) -> tuple[date, date]:
    if "period_start" in row:
        first, last = pd.Timestamp(row["period_start"]).date(), pd.Timestamp(
            row["period_end"]).date()
    elif "month" in row:
        first = pd.Timestamp(row["month"]).date()
        last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
    else:
        year = int(str(row["financial_year"])[:4])
        first, last = date(year, 4, 1), date(year + 1, 3, 31)
    if column.endswith("_year_earlier"):
        first = (pd.Timestamp(first) - pd.DateOffset(years=1)).date()
        last = (pd.Timestamp(last + timedelta(days=1)) - pd.DateOffset(years=1)).date() \
            - timedelta(days=1)
    return first, last


def _is_month(first: date, last: date) -> bool:
    return first.day == 1 and (last + timedelta(days=1)).day == 1 and (
        (last - first).days < 31)


def attack_export(published: Mapping[str, pd.DataFrame], shapes: Mapping[str, TableShape],
                  rule: DisclosureRule, figures: Sequence[Shown],
                  sums: Sequence[tuple[str, tuple[str, ...]]] = FIGURE_SUMS) -> dict:
    """Every hidden cell of an export's tables (under one rule) the attacker can pin,
    reading the tables side by side: {(table, row, column): value}."""
    eqs: list[list[Term]] = []
    for name, frame in published.items():
        eqs += _table_terms(name, frame, shapes[name])
    values: dict[Hashable, object] = {}
    figure_at: dict[tuple[str, date, date], list[Hashable]] = defaultdict(list)
    for figure, name, column, where in figures:
        frame = published.get(name)
        if frame is None or column not in frame:
            continue
        for r, row in enumerate(frame.to_dict("records")):
            if all(str(row[k]) == v for k, v in where.items()):
                figure_at[(figure, *_days(row, column))].append((name, r, column))
    every_days = {(f, la) for _, f, la in figure_at}
    months: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for figure, first, last in figure_at:
        if _is_month(first, last):
            months[figure].append((first, last))
    variables = {}
    for figure in {f for f, _, _ in figure_at}:
        for first, last in every_days:
            inside = sorted(m for m in months[figure] if first <= m[0] and m[1] <= last)
            tiled = (inside and inside[0][0] == first and inside[-1][1] == last
                     and all(b[0] == a[1] + timedelta(days=1)
                             for a, b in pairwise(inside)))
            if (figure, first, last) in figure_at or tiled:
                v = ("figure", figure, first, last)
                variables[(figure, first, last)] = v
                for cell in figure_at.get((figure, first, last), ()):
                    eqs.append([(-1, v), (1, cell)])
                if tiled and not _is_month(first, last):
                    eqs.append([(-1, v)] + [(1, ("figure", figure, *m)) for m in inside])
    for total, parts in sums:
        for first, last in every_days:
            needed = [(f, first, last) for f in (total, *parts)]
            if all(n in variables for n in needed):
                eqs.append([(-1, variables[needed[0]])]
                           + [(1, variables[n]) for n in needed[1:]])
    cells = {c for terms in eqs for _, c in terms}
    know, hidden = {}, set()
    for c in cells:
        if c[0] == "figure":
            know[c] = (0.0, INF)
            continue
        value = published[c[0]].at[c[1], c[2]]
        values[c] = value
        know[c] = knowledge(value, rule)
        if value == SUPPRESSED:
            hidden.add(c)
    return solve(eqs, know, hidden)
