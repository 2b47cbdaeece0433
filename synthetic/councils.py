"""The three councils' children's social care and education extracts.

Leicester (`la/E06000016`) sends UTF-8 CSV with UK dates; Leicestershire
(`la/E10000018`) sends one-sheet workbooks, dates as real date cells in some files and
as text in others; Rutland (`la/E06000017`) sends Windows-1252 CSV with CRLF line ends
(its child references carry an en dash, byte 0x96). Looked-after episodes and protection
plans come quarterly (those starting in the quarter); school absence and exclusions come
per academic year, for every academic year overlapping the period.

Children are drawn from the same population as the police files, so the same young
person can be looked after, persistently absent, suspended, a victim, a suspect and in
custody; the planted cohort's council records are written here on their planned dates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from ingest.specs import (
    CHILD_PROTECTION_PLANS,
    CHILDREN_LOOKED_AFTER,
    EXCLUSIONS,
    SCHOOL_ABSENCE,
    Entity,
)
from synthetic.common import FileStyle, GenContext
from synthetic.persons import (
    DISTRICT_LA,
    DISTRICT_POPULATION,
    SEX_CODES,
    CohortPlan,
    PersonRegistry,
    Population,
    age_on,
    day_date,
    day_number,
    draw_token_errors,
    hash_u,
    tokens_for,
    ymd,
)
from synthetic.police import (
    RULE_ORDER,
    DefectPlan,
    Defects,
    EntityRules,
    Formatter,
    Quota,
    TableOut,
    defect_files,
    inject_any,
    sample_truncated,
    weighted_choice,
)
from vrn.periods import Period, academic_years_between, quarters_between

LEICESTER_LA, LEICESTERSHIRE_LA, RUTLAND_LA = "E06000016", "E10000018", "E06000017"
COUNCILS = (LEICESTER_LA, LEICESTERSHIRE_LA, RUTLAND_LA)


@dataclass(frozen=True)
class CouncilVolumes:
    """A year's volumes at scale 1 (DfE looked-after and child-in-need statistics
    and school exclusion statistics, rounded for authorities of this size)."""

    looked_after_starts: float
    plan_starts: float
    absence_listed: float  # share of school-age children in the extract (those of note)
    suspensions: float
    permanent: float


VOLUMES = {
    LEICESTER_LA: CouncilVolumes(330, 480, 0.18, 4_500, 60),
    LEICESTERSHIRE_LA: CouncilVolumes(380, 520, 0.16, 7_500, 80),
    RUTLAND_LA: CouncilVolumes(20, 25, 0.16, 250, 3),
}
CATEGORY_OF_NEED = {"N1": 62, "N2": 3, "N3": 4, "N4": 15, "N5": 4, "N6": 2, "N7": 1, "N8": 9}
LEGAL_STATUS = {"C2": 45, "V2": 18, "C1": 10, "E1": 5, "J2": 4, "J1": 3, "L1": 3, "L2": 3,
                "V3": 2, "V4": 1, "J3": 1, "L3": 1}
PLAN_CATEGORY = {"NEG": 50, "EMO": 35, "PHY": 8, "SAB": 4, "MUL": 3}
CHILD_AGE = np.array([3.0, 1.6, 1.6, 1.6, 1.6, 1.5, 1.5, 1.5, 1.5, 1.5, 1.7, 1.9, 2.1, 2.4,
                      2.6, 2.6, 2.2, 1.6])  # 0..17 at the start of an episode or plan


def la_districts(la: str) -> list[int]:
    return [j for j, code in enumerate(DISTRICT_LA) if code == la]


def council_style(la: str) -> FileStyle:
    if la == LEICESTER_LA:
        return FileStyle(encoding="utf-8", newline="\n", date_style="uk", seconds=False)
    if la == RUTLAND_LA:
        return FileStyle(encoding="cp1252", newline="\r\n", date_style="iso", seconds=True)
    return FileStyle(encoding="utf-8", newline="\n", date_style="iso", seconds=True)


def xlsx_text_style(entity: str, ordinal: int) -> FileStyle | None:
    """Leicestershire's workbooks: None = real date cells; else the text style used."""
    if entity in ("children_looked_after", "child_protection_plans"):
        return None if ordinal % 2 == 0 else FileStyle(date_style="iso")
    if entity == "exclusions":
        return None if ordinal % 2 == 1 else FileStyle(date_style="uk")
    return None


@dataclass
class CouncilRows:
    """One council file's rows before writing."""

    person: np.ndarray
    start: np.ndarray  # day (or academic-year start day for absence)
    end: np.ndarray  # day or -1
    extra: list[Any]  # per row: category / (possible, missed) / (type, sessions)
    protected: np.ndarray

    def __len__(self) -> int:
        return len(self.person)


def _school_day(days: np.ndarray) -> np.ndarray:
    """Move weekend days to the Monday after; August (no school) to early September."""
    days = np.asarray(days, dtype=np.int64)
    wd = (days + 3) % 7
    days = days + np.where(wd == 5, 2, np.where(wd == 6, 1, 0))
    _, m, _ = ymd(days)
    return np.where(m == 8, days + 31, days)


class CouncilWriter:
    def __init__(self, ctx: GenContext, pop: Population, registry: PersonRegistry,
                 plan: CohortPlan, defects: Defects):
        self.ctx = ctx
        self.pop = pop
        self.registry = registry
        self.plan = plan
        self.defects = defects
        self.quota = Quota()
        self.files: list[str] = []
        self.file_rows: dict[str, int] = {}
        self.rows: dict[str, int] = defaultdict(int)
        self.data_start = day_number(ctx.start)
        self.data_end = day_number(ctx.end)
        self.member_la = [DISTRICT_LA[m.district] for m in plan.members]

    # -- choosing children ----------------------------------------------------------------
    def _children(self, rng: np.random.Generator, la: str, n: int, lo: int, hi: int,
                  age_weights: np.ndarray, min_age: int = 1, max_age: int = 17
                  ) -> tuple[np.ndarray, np.ndarray]:
        """n children of the council's area with a start day in [lo, hi]."""
        dists = la_districts(la)
        w = np.array([DISTRICT_POPULATION[j] for j in dists], float)
        home = np.array(dists)[rng.choice(len(dists), size=n, p=w / w.sum())]
        sex = rng.integers(0, 2, size=n)
        age = sample_truncated(rng, age_weights, np.full(n, min_age), np.full(n, max_age))
        start = rng.integers(lo, hi + 1, size=n)
        return self.pop.pick(rng, home, sex, age, start, 1.0), start

    def _planted(self, factor: str, la: str, lo: int, hi: int) -> list[tuple[int, int]]:
        return [(mi, d) for mi, d in self.plan.factor_events(factor, lo, hi + 1)
                if self.member_la[mi] == la]

    # -- quarterly files --------------------------------------------------------------------
    def quarter(self, q: Period, ordinal: int, raw_identifier: bool) -> None:
        lo = max(day_number(q.start), self.data_start)
        hi = min(day_number(q.end), self.data_end)
        for la in COUNCILS:
            vol = VOLUMES[la]
            rng = self.ctx.rng("la", la, q.label, "cla")
            n = self.quota.take(("cla", la), vol.looked_after_starts * self.ctx.scale
                                * (hi - lo + 1) / 365.25)
            rows = self._episodes(rng, la, n, lo, hi, "looked_after", 250)
            rows.extra = [(weighted_choice(rng, CATEGORY_OF_NEED, 1)[0],
                           None if rng.random() < 0.04
                           else weighted_choice(rng, LEGAL_STATUS, 1)[0]) for _ in range(len(rows))]
            self._write(CHILDREN_LOOKED_AFTER, la, q, ordinal, rows, rng,
                        raw_identifier=raw_identifier and la == LEICESTER_LA)
            rng = self.ctx.rng("la", la, q.label, "cpp")
            n = self.quota.take(("cpp", la), vol.plan_starts * self.ctx.scale
                                * (hi - lo + 1) / 365.25)
            rows = self._episodes(rng, la, n, lo, hi, "child_protection_plan", 280)
            rows.extra = weighted_choice(rng, PLAN_CATEGORY, len(rows))
            self._write(CHILD_PROTECTION_PLANS, la, q, ordinal, rows, rng)

    def _episodes(self, rng: np.random.Generator, la: str, n: int, lo: int, hi: int,
                  factor: str, median_days: float) -> CouncilRows:
        person, start = self._children(rng, la, n, lo, hi, CHILD_AGE)
        planted = self._planted(factor, la, lo, hi)
        protected = np.zeros(len(person), bool)
        if planted:
            person = np.concatenate([person, [self.plan.members[mi].person_id
                                              for mi, _ in planted]])
            start = np.concatenate([start, [d for _, d in planted]])
            protected = np.concatenate([protected, np.ones(len(planted), bool)])
        # One row per (child, start): the file's key.
        key = person * 100_000 + start
        _, first = np.unique(key, return_index=True)
        keep = np.sort(first)
        person, start, protected = person[keep], start[keep], protected[keep]
        order = np.lexsort((person, start))
        person, start, protected = person[order], start[order], protected[order]
        dur = np.round(median_days * np.exp(0.9 * rng.standard_normal(len(person))))
        end = start + np.maximum(dur, 1).astype(np.int64)
        # The extract is taken at the quarter's end: later ends are not yet known.
        end = np.where(end <= hi, end, -1)
        return CouncilRows(person, start, end, [], protected)

    # -- academic-year files ----------------------------------------------------------------
    def academic_year(self, ay: Period, ordinal: int) -> None:
        ay_lo = day_number(ay.start)
        ay_hi = min(day_number(ay.end), self.data_end)
        # Sessions so far: a full year is 380 half days (190 school days) to late July.
        term_end = day_number(date(ay.start.year + 1, 7, 22))
        frac = min(1.0, max(0.05, (min(ay_hi, term_end) - ay_lo) / (term_end - ay_lo)))
        for la in COUNCILS:
            rng = self.ctx.rng("la", la, ay.label, "absence")
            self._write(SCHOOL_ABSENCE, la, ay, ordinal,
                        self._absence(rng, la, ay, frac), rng)
            rng = self.ctx.rng("la", la, ay.label, "exclusions")
            self._write(EXCLUSIONS, la, ay, ordinal,
                        self._exclusions(rng, la, ay_lo, min(ay_hi, term_end), frac), rng)

    def _absence(self, rng: np.random.Generator, la: str, ay: Period, frac: float
                 ) -> CouncilRows:
        """The pupils in the extract (a fixed share of school-age children, the same
        children year after year) with sessions possible and missed."""
        pop = self.pop
        vol = VOLUMES[la]
        ids_list = []
        for j in la_districts(la):
            for age in range(5, 16):  # age on 1 September: reception to year 11
                by = ay.start.year - age - 1  # born Sept..Aug of the cohort year
                for s in (0, 1):
                    for year in (by, by + 1):
                        members = pop.block_members(j, s, year)
                        if not len(members):
                            continue
                        dob = pop.dob(members)
                        a = age_on(dob, np.full(len(members), day_number(ay.start)))
                        sel = (a == age) & (hash_u(pop.seed, members, 20) < vol.absence_listed)
                        ids_list.append(members[sel])
        ids = np.concatenate(ids_list) if ids_list else np.zeros(0, np.int64)
        # Propensity to miss school is the child's own, with a yearly wobble.
        base = 0.015 + 0.22 * hash_u(pop.seed, ids, 21) ** 2.2
        rate = np.clip(base * np.exp(0.35 * rng.standard_normal(len(ids))), 0, 0.9)
        possible = np.round(380 * frac) - rng.integers(0, 12, size=len(ids))
        possible = np.maximum(possible, 10).astype(np.int64)
        ay_end = day_number(ay.end)
        planted = self._planted("persistent_absence", la, ay_end, ay_end)
        protected = np.zeros(len(ids), bool)
        if planted:
            pids = np.array([self.plan.members[mi].person_id for mi, _ in planted])
            ids = np.concatenate([ids, pids])
            rate = np.concatenate([rate, rng.uniform(0.12, 0.45, size=len(pids))])
            possible = np.concatenate([possible, np.full(len(pids), round(380 * frac))])
            protected = np.concatenate([protected, np.ones(len(pids), bool)])
        missed = np.minimum(np.round(possible * rate), possible).astype(np.int64)
        # Planted persistent absence is at least 10% of sessions, exactly as the SNA counts.
        need = np.ceil(possible * 0.10).astype(np.int64)
        missed = np.where(protected, np.maximum(missed, need), missed)
        order = np.argsort(ids, kind="stable")
        extra = list(zip(possible[order].tolist(), missed[order].tolist(), strict=True))
        start = np.full(len(ids), day_number(ay.start))
        return CouncilRows(ids[order], start, np.full(len(ids), -1), extra, protected[order])

    def _exclusions(self, rng: np.random.Generator, la: str, lo: int, hi: int, frac: float
                    ) -> CouncilRows:
        vol = VOLUMES[la]
        scale = self.ctx.scale
        n_s = self.quota.take(("susp", la), vol.suspensions * scale * frac)
        n_p = self.quota.take(("perm", la), vol.permanent * scale * frac)
        ages = np.interp(np.arange(17), [0, 4, 5, 10, 11, 13, 14, 15, 16],
                         [0, 0, 0.3, 0.6, 1.0, 2.2, 2.8, 2.6, 1.2])
        person, start = self._children(rng, la, n_s + n_p, lo, hi, ages, 6, 16)
        # A child suspended once is likely to be suspended again (skewed picks).
        again = rng.random(len(person)) < 0.35
        if again.any() and (~again).any():
            person[again] = rng.choice(person[~again], size=int(again.sum()))
        kind = np.array(["suspension"] * n_s + ["permanent"] * n_p, dtype=object)
        protected = np.zeros(len(person), bool)
        for factor, label in (("suspension", "suspension"),
                              ("permanent_exclusion", "permanent")):
            planted = self._planted(factor, la, lo, hi)
            if planted:
                person = np.concatenate([person, [self.plan.members[mi].person_id
                                                  for mi, _ in planted]])
                start = np.concatenate([start, [d for _, d in planted]])
                kind = np.concatenate([kind, np.array([label] * len(planted), dtype=object)])
                protected = np.concatenate([protected, np.ones(len(planted), bool)])
        start = np.where(protected, start, _school_day(start))
        ok = start <= min(hi, self.data_end)
        # Planted days were chosen on school days before the index date, as they stand.
        person, start, kind, protected = person[ok], start[ok], kind[ok], protected[ok]
        key = person * 100_000 + start
        _, first = np.unique(key, return_index=True)
        keep = np.sort(first)
        person, start, kind, protected = person[keep], start[keep], kind[keep], protected[keep]
        order = np.lexsort((person, start))
        person, start, kind, protected = person[order], start[order], kind[order], protected[order]
        sessions = np.where(kind == "permanent", rng.integers(1, 11, size=len(person)),
                            rng.integers(1, 11, size=len(person)))
        extra = list(zip(kind.tolist(), sessions.tolist(), strict=True))
        return CouncilRows(person, start, np.full(len(person), -1), extra, protected)

    # -- writing ------------------------------------------------------------------------------
    def _write(self, entity: Entity, la: str, period: Period, ordinal: int, rows: CouncilRows,
               rng: np.random.Generator, raw_identifier: bool = False) -> None:
        pop = self.pop
        ctx = self.ctx
        xlsx = la == LEICESTERSHIRE_LA
        ext = "xlsx" if xlsx else "csv"
        rel = f"la/{la}/{entity.entity}_{period.label}.{ext}"
        if xlsx:
            text = xlsx_text_style(entity.entity, ordinal)
            fmt = Formatter(text or FileStyle(), cells=text is None)
            style = FileStyle()
        else:
            style = council_style(la)
            fmt = Formatter(style)
        rules = EntityRules(entity)
        m = len(rows)
        errors = draw_token_errors(rng, m, surname=0.015, dob=0.015, forename=0.005)
        wobble = rng.random(m)
        refs = pop.child_ref(rows.person, la)
        ts, tf, td = tokens_for(pop, rows.person, errors, wobble)
        sexes = pop.sex(rows.person)
        source = {"children_looked_after": "la_cla", "child_protection_plans": "la_cpp",
                  "school_absence": "la_absence", "exclusions": "la_exclusions"}[entity.entity]
        typed: list[list[Any]] = []
        rec_refs: list[str] = []
        for i in range(m):
            tok = [ts[i] or None, tf[i] or None, td[i] or None]
            s, e = int(rows.start[i]), int(rows.end[i])
            if entity is CHILDREN_LOOKED_AFTER:
                need, legal = rows.extra[i]
                typed.append([refs[i], *tok, SEX_CODES[int(sexes[i])], s,
                              e if e >= 0 else None, need, legal])
                key = day_date(s).isoformat()
            elif entity is CHILD_PROTECTION_PLANS:
                typed.append([refs[i], *tok, s, e if e >= 0 else None, rows.extra[i]])
                key = day_date(s).isoformat()
            elif entity is SCHOOL_ABSENCE:
                possible, missed = rows.extra[i]
                typed.append([refs[i], *tok, period.label, int(possible), int(missed)])
                key = period.label
            else:
                kind, sessions = rows.extra[i]
                typed.append([refs[i], *tok, s, kind, int(sessions)])
                key = day_date(s).isoformat()
            rec_refs.append(f"{la}:{refs[i]}:{key}")
        plan = (DefectPlan() if raw_identifier else
                self.defects.plan(entity.entity, rules, m, rng, protected=rows.protected))
        header = list(entity.header) + (["dob"] if raw_identifier else [])
        out = TableOut(ctx.landing_path(rel), header, style, xlsx=xlsx, sheet="Export")
        dobs = pop.dob(rows.person) if raw_identifier else None
        in_wh = np.full(m, not raw_identifier)
        counts: dict[str, int] = defaultdict(int)
        sources = set(plan.copies.values())
        extra_records: list[tuple[str, int, int]] = []
        for i, row in enumerate(typed):
            if i in plan.kinds:
                broken, kind = inject_any(plan.kinds[i], row, rules, period, rng, fmt)
                out.write(fmt.row(broken, rules.kinds))
                counts[kind] += 1
                in_wh[i] = False
            elif raw_identifier and dobs is not None:
                out.write([*fmt.row(row, rules.kinds), day_date(int(dobs[i])).isoformat()])
            else:
                out.write(fmt.row(row, rules.kinds))
            if i in sources:
                in_wh[i] = False
            if i in plan.copies:
                src = plan.copies[i]
                out.write(fmt.row(typed[src], rules.kinds))
                counts["duplicate_key"] += 2
                extra_records.append((rec_refs[src], int(rows.person[src]), int(errors[src])))
        out.close()
        self.registry.record(source, rec_refs, rows.person, errors, rel, in_wh)
        if extra_records:
            r, p, e = zip(*extra_records, strict=True)
            self.registry.record(source, list(r), np.array(p), np.array(e, dtype=np.int8), rel,
                                 np.zeros(len(r), bool))
        if raw_identifier:
            ctx.log.file(rel, "raw_identifier", "the council's new case system added a dob "
                         "column (raw dates of birth); the whole file is rejected")
        for k in RULE_ORDER:
            if counts.get(k):
                ctx.log.row(rel, k, counts[k])
        self.files.append(rel)
        self.file_rows[rel] = out.rows
        self.rows[entity.entity] += out.rows
        ctx.tick(rel)


def write(ctx: GenContext, pop: Population, registry: PersonRegistry, plan: CohortPlan,
          defects: Defects | None = None) -> dict[str, Any]:
    """Write every council file of the period."""
    defects = defects or Defects(ctx)
    w = CouncilWriter(ctx, pop, registry, plan, defects)
    quarters = quarters_between(ctx.start, ctx.end)
    raw_q = defect_files(quarters)["raw_identifier_cla"] if defects.on else -1
    for qi, q in enumerate(quarters):
        w.quarter(q, qi, raw_identifier=qi == raw_q)
    for ai, ay in enumerate(academic_years_between(ctx.start, ctx.end)):
        w.academic_year(ay, ai)
    return {"files": w.files, "rows": dict(w.rows), "file_rows": w.file_rows}
