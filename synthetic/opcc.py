"""The OPCC's Independent Custody Visitor visit records (`opcc/icv_visits_<period>.csv`).

Financial year 2023-24 reproduces the ICV annual report exactly (003, ICV report paras
24-40): 101 visits (Euston Street 51, Keyham Lane 50, Beaumont Leys none), the 7-day ×
5-slot grid of each suite (para 36), immediate access on 91 visits, a 6-15 minute wait
once and over 15 minutes 9 times (paras 29-30), 1,096 detainees in cells split 407 / 72 /
222 / 395 with 365 agreeing and 42 refusing (paras 31-33), food and drink the most
reported issue and cell condition the next (paras 39-40). Other years vary around it.

Visits are a service's activity, not a population's: their number does not follow
`--scale` (a small drop still has the real weekly visit pattern).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from ingest import specs
from synthetic.common import (
    CsvOut,
    FileStyle,
    GenContext,
    defect_count,
    format_row,
    in_range,
    interleave,
    invalid_datetime_text,
)
from vrn import periods
from vrn.periods import Period

# The OPCC's visit app exports plain UTF-8, LF, ISO datetimes with seconds.
OPCC_STYLE = FileStyle(encoding="utf-8", newline="\n", date_style="iso", seconds=True)

SLOTS = ((0, 8), (8, 12), (12, 16), (16, 20), (20, 24))  # hours [from, to)
# Visitors avoid the custody shift handovers, 06:30-07:15 and 18:30-19:15 (report para 49f).
HANDOVERS = ((time(6, 30), time(7, 15)), (time(18, 30), time(19, 15)))
CELLS = {"EUS": 36, "KEY": 18, "BEA": 14}
MEAN_IN_CELLS = {"EUS": 12.9, "KEY": 8.8, "BEA": 5.5}
# Night visits find fuller cells (arrests overnight, releases by day).
SLOT_OCCUPANCY = (1.2, 1.1, 0.95, 0.9, 1.0)

# Report para 36: visits by weekday (Monday first) × time slot.
GRID_2023 = {
    "EUS": ((1, 2, 2, 2, 3), (0, 1, 1, 2, 1), (1, 0, 1, 2, 2), (1, 1, 1, 1, 3),
            (1, 1, 2, 2, 2), (1, 2, 1, 1, 1), (1, 3, 2, 2, 1)),
    # The report's slot totals for Keyham Lane read 5/14/7/14/9 (49) against 50 visits;
    # its cells (and row totals) give 10 in 20:00-23:59, which is what we reproduce.
    "KEY": ((0, 3, 2, 3, 2), (0, 1, 0, 4, 1), (1, 2, 0, 1, 2), (1, 1, 1, 2, 2),
            (1, 3, 1, 1, 1), (1, 3, 1, 2, 1), (1, 1, 2, 1, 1)),
}
# Paras 29-30: minutes from arriving at the station to admittance.
ACCESS_2023 = {"immediate": 91, "6_15": 1, "over_15": 9}
# Paras 31-33.
DETAINEES_2023 = 1096
STATUS_2023 = {"offered": 407, "not_offered_on_advice": 72, "unavailable": 222,
               "asleep_observed": 395}
AGREED_2023 = 365
# Visits reporting each issue category (paras 37-40: food and drink most, then cells).
ISSUES_2023 = {"food_drink": 34, "cell_condition": 23, "hygiene": 11, "medical": 9,
               "clothing_bedding": 8, "rights_entitlements": 6, "other": 5}
# Other years' visits per suite (Beaumont Leys closing). In 2020-21 visitors kept the
# weekly cadence with remote checks during lockdown, so no quarter is empty: an empty
# quarter is what the ICV volume gate exists to catch. Varied by a few visits a year.
VISITS = {2019: {"EUS": 50, "KEY": 49, "BEA": 14}, 2020: {"EUS": 47, "KEY": 46, "BEA": 2},
          2021: {"EUS": 49, "KEY": 48, "BEA": 3}, 2022: {"EUS": 50, "KEY": 49, "BEA": 1},
          2024: {"EUS": 52, "KEY": 51, "BEA": 0}}

Visit = dict[str, Any]


def plan_visits(ctx: GenContext, fy: Period) -> list[Visit]:
    """Every visit of one financial year, in time order, refs assigned."""
    rng = ctx.rng("opcc", "icv_visits", fy.label)
    exact = fy.start.year == 2023
    cells = _grid_cells(rng, fy, exact)
    visits = _schedule(rng, fy, cells)
    _set_access(rng, visits, exact)
    _set_detainees(rng, visits, exact)
    _set_issues(rng, visits, exact)
    visits.sort(key=lambda v: (v["arrived_at"], v["suite_code"]))
    for i, v in enumerate(visits):
        v["visit_ref"] = f"ICV{fy.start.year}-{i:04d}"
    return visits


def _grid_cells(rng: np.random.Generator, fy: Period, exact: bool
                ) -> list[tuple[str, int, int]]:
    """(suite, weekday, slot) of each visit."""
    out: list[tuple[str, int, int]] = []
    if exact:
        for suite, grid in GRID_2023.items():
            for wd, row in enumerate(grid):
                for slot, n in enumerate(row):
                    out += [(suite, wd, slot)] * n
        return out
    per_suite = VISITS.get(fy.start.year, {"EUS": 50, "KEY": 49, "BEA": 0})
    # Where visits fell in 2023-24, smoothed: every slot stays possible.
    w = np.array(GRID_2023["EUS"], dtype=float) + np.array(GRID_2023["KEY"]) + 0.5
    p = (w / w.sum()).ravel()
    for suite, base in per_suite.items():
        n = max(0, base + int(rng.integers(-2, 3))) if base else 0
        for cell in rng.choice(p.size, size=n, p=p):
            out.append((suite, int(cell) // 5, int(cell) % 5))
    return out


def _schedule(rng: np.random.Generator, fy: Period, cells: list[tuple[str, int, int]]
              ) -> list[Visit]:
    """Dates for the visits: each suite about once a week (the local target, para 23), in
    a random week whose chosen weekday lies inside the year."""
    first_monday = fy.start - timedelta(days=fy.start.weekday())
    n_weeks = (fy.end_exclusive - first_monday).days // 7 + 1
    opens = fy.start
    visits: list[Visit] = []
    for suite in sorted({c[0] for c in cells}):
        mine = [c for c in cells if c[0] == suite]
        used_weeks: set[int] = set()
        used_days: set[date] = set()
        for j in rng.permutation(len(mine)):
            _, wd, slot = mine[int(j)]
            days = {w: first_monday + timedelta(weeks=w, days=wd) for w in range(n_weeks)}
            valid = [w for w, d in days.items() if opens <= d < fy.end_exclusive]
            free = [w for w in valid if w not in used_weeks] or [
                w for w in valid if days[w] not in used_days]
            w = free[int(rng.integers(len(free)))]
            used_weeks.add(w)
            used_days.add(days[w])
            visits.append({"suite_code": suite, "arrived_at": _arrival(rng, days[w], slot),
                           "slot": slot})
    return visits


def _arrival(rng: np.random.Generator, day: date, slot: int) -> datetime:
    lo, hi = SLOTS[slot]
    while True:
        clock = time(int(rng.integers(lo, hi)), int(rng.integers(60)))
        if not any(a <= clock < b for a, b in HANDOVERS):
            return datetime.combine(day, clock)


def _set_access(rng: np.random.Generator, visits: list[Visit], exact: bool) -> None:
    """Minutes waited for admittance: ≤5 is immediate access (para 28)."""
    n = len(visits)
    if exact:
        counts = ACCESS_2023
    else:
        late = rng.multinomial(n, [0.9, 0.02, 0.08])
        counts = dict(zip(ACCESS_2023, late.tolist(), strict=True))
    delays = ([int(d) for d in rng.choice([0, 1, 2, 3, 4, 5], size=counts["immediate"],
                                          p=[0.12, 0.3, 0.25, 0.15, 0.1, 0.08])]
              + [int(d) for d in rng.integers(6, 16, size=counts["6_15"])]
              + [int(d) for d in rng.integers(16, 50, size=counts["over_15"])])
    rng.shuffle(delays)
    for v, d in zip(visits, delays, strict=True):
        v["admitted_at"] = v["arrived_at"] + timedelta(minutes=d)


def _set_detainees(rng: np.random.Generator, visits: list[Visit], exact: bool) -> None:
    """Detainees in cells and what became of each. In 2023-24 the detainees are dealt out
    from the report's totals, so every column adds up to the report and every row to its
    visit's detainees."""
    means = np.array([MEAN_IN_CELLS[v["suite_code"]] * SLOT_OCCUPANCY[v["slot"]]
                      for v in visits])
    if exact:
        weights = means * rng.gamma(6.0, 1 / 6, len(means))
        in_cells = _capped_multinomial(rng, DETAINEES_2023, weights,
                                       [CELLS[v["suite_code"]] for v in visits])
        status = [s for s, k in STATUS_2023.items() for _ in range(k)]
        rng.shuffle(status)
        answers = ["agreed"] * AGREED_2023 + ["refused"] * (STATUS_2023["offered"] - AGREED_2023)
        rng.shuffle(answers)
        at = answered = 0
        for v, n in zip(visits, in_cells, strict=True):
            mine = status[at:at + n]
            at += n
            v["detainees_in_cells"] = n
            for s in STATUS_2023:
                v[s] = mine.count(s)
            said = answers[answered:answered + v["offered"]]
            answered += v["offered"]
            v["agreed"], v["refused"] = said.count("agreed"), said.count("refused")
        return
    for v, m in zip(visits, means, strict=True):
        n = min(int(rng.poisson(m)), CELLS[v["suite_code"]])
        v["detainees_in_cells"] = n
        parts = rng.multinomial(n, [0.37, 0.066, 0.20, 0.364])
        for s, k in zip(STATUS_2023, parts.tolist(), strict=True):
            v[s] = k
        v["agreed"] = int(rng.binomial(v["offered"], 0.9))
        v["refused"] = v["offered"] - v["agreed"]


def _capped_multinomial(rng: np.random.Generator, total: int, weights: np.ndarray,
                        caps: list[int]) -> list[int]:
    counts = rng.multinomial(total, weights / weights.sum())
    cap = np.array(caps)
    while (over := np.maximum(counts - cap, 0)).any():
        counts -= over
        room = np.maximum(cap - counts, 0).astype(float)
        counts += rng.multinomial(int(over.sum()), room / room.sum())
    return [int(c) for c in counts]


def _set_issues(rng: np.random.Generator, visits: list[Visit], exact: bool) -> None:
    """Issue categories raised at each visit, `;`-separated (blank when none)."""
    raised: list[set[str]] = [set() for _ in visits]
    seen = [i for i, v in enumerate(visits) if v["agreed"] > 0] or list(range(len(visits)))
    for category, k in ISSUES_2023.items():
        if exact:
            pool = seen if k <= len(seen) else list(range(len(visits)))
            chosen = rng.choice(pool, size=min(k, len(pool)), replace=False).tolist()
        else:
            share = k / 101 * float(rng.lognormal(0.0, 0.1))  # about k visits in 101
            chosen = [i for i in seen if rng.random() < share]
        for i in chosen:
            raised[int(i)].add(category)
    for v, cats in zip(visits, raised, strict=True):
        v["issues"] = ";".join(c for c in specs.ICV_ISSUES if c in cats) or None


# ---------------------------------------------------------------------------------------
# Defects: one extra visit record breaking one rule.


def _defect(kind: str, v: Visit, period: Period, rng: np.random.Generator) -> None:
    def pick(*options: Any) -> Any:
        return options[int(rng.integers(len(options)))]

    if kind == "missing_value":
        v[pick("suite_code", "arrived_at", "admitted_at", "detainees_in_cells", "offered",
               "agreed")] = None
    elif kind == "unknown_code":
        column, value = pick(("suite_code", "EUSTON"), ("suite_code", "LOU"),
                             ("issues", "food;drink"), ("issues", "noise"),
                             ("issues", "food_drink;Cell condition"))
        v[column] = value
    elif kind == "bad_date":
        v["arrived_at"] = invalid_datetime_text(period, OPCC_STYLE, rng)
    elif kind == "impossible_date":  # admitted before arriving
        v["admitted_at"] = v["arrived_at"] - timedelta(minutes=int(rng.integers(5, 60)))
    elif kind == "out_of_period":
        shift = timedelta(days=int(rng.integers(92, 120)))
        v["arrived_at"] -= shift
        v["admitted_at"] -= shift
    elif kind == "bad_number":
        v[pick("detainees_in_cells", "offered", "refused")] = pick("-1", "2.5", "several")
    elif kind == "sum_mismatch":
        v[pick("asleep_observed", "unavailable", "refused")] += int(rng.integers(1, 4))


DEFECT_KINDS = ("missing_value", "unknown_code", "bad_date", "impossible_date",
                "out_of_period", "bad_number", "duplicate_key", "sum_mismatch")


def _defect_visit(rng: np.random.Generator, ctx: GenContext, q: Period, ref: str) -> Visit:
    first, last = max(q.start, ctx.start), min(q.end, ctx.end)
    day = first + timedelta(days=int(rng.integers((last - first).days + 1)))
    slot = int(rng.integers(len(SLOTS)))
    v: Visit = {"visit_ref": ref, "suite_code": "EUS" if rng.random() < 0.5 else "KEY",
                "arrived_at": _arrival(rng, day, slot), "slot": slot}
    v["admitted_at"] = v["arrived_at"] + timedelta(minutes=int(rng.integers(0, 5)))
    n = int(rng.integers(3, 15))
    parts = rng.multinomial(n, [0.37, 0.066, 0.20, 0.364]).tolist()
    v.update(dict(zip(STATUS_2023, parts, strict=True)), detainees_in_cells=n)
    v["agreed"] = int(rng.binomial(v["offered"], 0.9))
    v["refused"] = v["offered"] - v["agreed"]
    v["issues"] = "food_drink" if rng.random() < 0.3 else None
    return v


# ---------------------------------------------------------------------------------------


def write(ctx: GenContext) -> None:
    entity = specs.ICV_VISITS
    plans: dict[str, list[Visit]] = {}
    for q in periods.quarters_between(ctx.start, ctx.end):
        fy = periods.financial_year(periods.financial_year_label(q.start))
        if fy.label not in plans:
            plans = {fy.label: plan_visits(ctx, fy)}
        visits = [v for v in plans[fy.label]
                  if q.contains(v["arrived_at"].date()) and in_range(ctx, v["arrived_at"])]
        rel = f"opcc/{entity.entity}_{q.label}.csv"
        rng = ctx.rng("opcc", entity.entity, q.label, "defects")
        extras: list[list[str]] = []
        q_no = int(q.label[-1])
        for k in range(defect_count(len(visits), ctx.defect_rate, rng)):
            kind = DEFECT_KINDS[int(rng.integers(len(DEFECT_KINDS)))]
            # Good refs run 0000-0999 a year; defect refs start at 1000 × quarter.
            v = _defect_visit(rng, ctx, q, f"ICV{fy.start.year}-{q_no * 1000 + k:04d}")
            if kind == "duplicate_key":  # one visit keyed in twice
                row = format_row(v, entity.header, OPCC_STYLE)
                extras += [row, list(row)]
                ctx.log.row(rel, kind, 2)
                continue
            _defect(kind, v, q, rng)
            extras.append(format_row(v, entity.header, OPCC_STYLE))
            ctx.log.row(rel, kind, 1)
        rows = [format_row(v, entity.header, OPCC_STYLE) for v in visits]
        with CsvOut(ctx.landing_path(rel), entity.header, OPCC_STYLE) as out:
            out.write_many(interleave(rows, extras, rng))
        ctx.tick(f"wrote {rel}")
