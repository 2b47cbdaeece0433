"""The health partners' extracts: A&E assault attendances, emergency admissions for assault
and ambulance call-outs (spec `partner-extracts.md`, "health"; anonymised, so no tokens).

Volumes are calibrated to the Strategic Needs Assessment (003, SNA "Nature of Serious
Violence") and the Serious Violence Duty success measures (003, SV Duty report para 26),
counted the way `published-figures.md` says: by the event's own date, LLR residents being
rows whose `lad_code` is one of the nine LLR codes. Out-of-area rows are added on top, so
the LLR figures hold exactly at scale 1.0 whatever else is in the files.

Each financial year is planned whole from its own random stream (`ctx.rng("health",
entity, year)`) and then cut into quarter files, so a year's rows are the same whether the
drop covers one year or six. Defects are *extra* rows (a duplicated record, a mistyped
code...), never edits of good ones, so the published figures survive any defect rate.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
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
from vrn.reference import LLR_DISTRICT_CODES, seed_rows

# NHS extracts leave SUS/ECDS through Excel: BOM, CRLF, UK dates, minutes only.
HEALTH_STYLE = FileStyle(encoding="utf-8-sig", newline="\r\n", date_style="uk", seconds=False)

ICD10_INJURY_CODES = Path(__file__).parent / "data" / "icd10_injury_codes.csv"

# LLR-resident events a financial year at scale 1.0 (key: the year the FY starts).
# 003 SNA: A&E 1,001 in 2022-23 (+19.9% on 2021-22 → 835), admissions 164 (+5.8% → 155),
# both "still significantly lower than pre-Covid levels (-27.5% and -30.2%)" → 2019-20
# 1,381 and 235. 2020-21 is the lockdown year; 2023-24 and 2024-25 continue the recovery.
AE_LLR = {2019: 1381, 2020: 742, 2021: 835, 2022: 1001, 2023: 1043, 2024: 1068}
ADMISSIONS_LLR = {2019: 235, 2020: 141, 2021: 155, 2022: 164, 2023: 171, 2024: 166}
# Admissions for assault by sharp object (X99): (all ages, patient under 25). 2019-20 and
# 2023-24 are the SV Duty success measures (003, SV Duty para 26); 2022-23 is the SNA's
# 0.025 per 1,000.
X99_LLR = {2019: (51, 19), 2020: (37, 14), 2021: (30, 11), 2022: (28, 9), 2023: (38, 13),
           2024: (35, 12)}
# Ambulance call-outs for assault (no published volume; about 4 a day across LLR).
AMBULANCE_LLR = {2019: 1610, 2020: 1290, 2021: 1385, 2022: 1480, 2023: 1530, 2024: 1555}
# Mean cost per inpatient spell (SNA: "approximately £2375" in 2022-23).
MEAN_COST = {2019: 2190.0, 2020: 2240.0, 2021: 2290.0, 2022: 2375.0, 2023: 2460.0,
             2024: 2530.0}

# SNA table "rate per 1000 population of the five most frequent diagnosis descriptions"
# (2022-23, LLR 1,136,705): Y04 0.080 → 91, X99 0.025 → 28, Y09 0.020 → 23,
# Y08 0.006 → 7, Y05 0.004 → 5; the other 10 of the 164 spread thinly over X85–Y09.
MEANS_2022 = {"Y04": 91, "X99": 28, "Y09": 23, "Y08": 7, "Y05": 5, "other": 10}
OTHER_2022 = {"Y00": 4, "X91": 2, "X86": 1, "X95": 1, "X97": 1, "Y07": 1}
OTHER_WEIGHTS = {"Y00": 0.40, "X91": 0.12, "X85": 0.07, "X86": 0.07, "X95": 0.06,
                 "X97": 0.06, "X98": 0.06, "Y07": 0.06, "Y03": 0.04, "Y01": 0.03, "X93": 0.03}

# Ambulance (SNA): 25.0% stab/gunshot/penetrating; conveyed 52.3% overall, 70.3% for
# stab/gunshot. Exact in 2022-23, drawn around these in other years.
AMBULANCE_STAB_SHARE = 0.25
AMBULANCE_CONVEYED = 0.523
AMBULANCE_STAB_CONVEYED = 0.703

OUT_OF_AREA_LADS = (
    "E06000018", "E06000015", "E08000026", "E08000025", "E06000061", "E07000220",
    "E07000219", "E07000036", "E07000141", "E07000176", "E06000031",
)
# Synthetic but well-formed LSOA ranges per district (E01 + 6 digits).
LSOA_RANGES = {
    "E06000016": (13553, 13797), "E06000017": (13798, 13822), "E07000129": (25526, 25591),
    "E07000130": (25592, 25701), "E07000131": (25702, 25757), "E07000132": (25758, 25823),
    "E07000133": (25824, 25852), "E07000134": (25853, 25912), "E07000135": (25913, 25947),
}
# Residents' relative risk of an assault injury (the city's rate is about double).
LAD_RISK = {"E06000016": 1.6, "E06000017": 0.6}

AE_SITES = {"RWEAA": 0.86, "RX1RA": 0.04, "RLT01": 0.04, "RKB01": 0.03, "RNQ51": 0.03}
AE_METHOD_WEIGHTS = {"bodily_force": 0.62, "knife_sharp": 0.06, "blunt": 0.09,
                     "firearm": 0.003, "other": 0.08, "unknown": 0.147}
AE_LOCATION_WEIGHTS = {"home": 0.28, "street": 0.30, "licensed_premises": 0.14,
                       "school": 0.03, "workplace": 0.05, "other": 0.10, "unknown": 0.10}
ETHNICITY_WEIGHTS = {
    "W1": 0.55, "W2": 0.01, "W3": 0.005, "W4": 0.035, "M1": 0.01, "M2": 0.005, "M3": 0.005,
    "M4": 0.005, "A1": 0.16, "A2": 0.01, "A3": 0.01, "A4": 0.005, "A5": 0.03, "B1": 0.03,
    "B2": 0.01, "B3": 0.005, "O1": 0.005, "O2": 0.015, "NS": 0.05,
}
# (lowest age, highest age, weight): SNA — A&E and admissions peak at 20-24.
AGE_BANDS = ((1, 9, 0.015), (10, 14, 0.04), (15, 19, 0.12), (20, 24, 0.17), (25, 29, 0.14),
             (30, 34, 0.12), (35, 39, 0.12), (40, 44, 0.08), (45, 49, 0.06), (50, 59, 0.08),
             (60, 69, 0.035), (70, 92, 0.02))
# Hour-of-day weights. A&E peaks 11:00, 18:00 and 21:00 (SNA); ambulance 22:00-23:59 with
# a rise from 19:00 to 00:59.
AE_HOURS = (5, 4, 3, 2, 1.5, 1, 1, 1.5, 2, 3, 4, 6, 5, 4.5, 4.5, 5, 5.5, 6, 7, 6, 6, 7, 6.5, 6)
ADMISSION_HOURS = (5, 5, 4, 3, 2, 1.5, 1, 1, 1.5, 2.5, 3, 4, 4, 4, 4, 4, 4.5, 5, 5, 5, 5.5,
                   6, 6, 6)
AMBULANCE_HOURS = (7, 5, 4, 3, 2, 1.5, 1, 1, 1.5, 2, 2.5, 3, 3.5, 3.5, 4, 4.5, 5, 5.5, 6,
                   7, 7.5, 8, 10, 10)
WEEKDAY_WEIGHTS = (0.9, 0.85, 0.88, 0.92, 1.05, 1.3, 1.2)  # Monday first
MONTH_WEIGHTS = {4: 1.0, 5: 1.05, 6: 1.08, 7: 1.1, 8: 1.08, 9: 1.0, 10: 0.98, 11: 0.93,
                 12: 0.97, 1: 0.88, 2: 0.86, 3: 0.95}
# Length of stay in days (SNA: 0–30 days, most three or fewer).
STAY_DAYS = np.arange(31)
STAY_WEIGHTS = np.array([0.34, 0.24, 0.13, 0.09, 0.04, 0.03, 0.03, 0.02]
                        + [0.055 / 7] * 7 + [0.025 / 16] * 16)
# ICD-10 place of occurrence, the optional 4th character of X85–Y09.
PLACE_OF_OCCURRENCE = "0123456789"

# Years whose figures are published; whole-file defects go elsewhere when they can.
CALIBRATED_YEARS = frozenset({"2019-20", "2021-22", "2022-23", "2023-24"})
# Refs of good rows stay below this; defect rows count up from it.
DEFECT_SEQ_START = 800_000

Event = dict[str, Any]


def apportion(counts: dict[str, int], total: int) -> dict[str, int]:
    """Split `total` in the proportions of `counts` (largest remainder, ties by order), so a
    split at scale 1.0 is returned unchanged and scaled splits still add up."""
    whole = sum(counts.values())
    if whole == 0 or total <= 0:
        return dict.fromkeys(counts, 0)
    exact = {k: v * total / whole for k, v in counts.items()}
    out = {k: int(v) for k, v in exact.items()}
    short = total - sum(out.values())
    for k in sorted(exact, key=lambda k: -(exact[k] - out[k]))[:short]:
        out[k] += 1
    return out


def choose(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _year_value(table: dict[int, Any], fy: Period, rng: np.random.Generator,
                spread: float = 0.06) -> float:
    """The table's value for the year, or the nearest year's, varied, outside it."""
    y = fy.start.year
    if y in table:
        return table[y]
    nearest = min(table, key=lambda k: (abs(k - y), k))
    v = table[nearest]
    return v * float(rng.lognormal(0.0, spread)) if not isinstance(v, tuple) else v


def _event_times(rng: np.random.Generator, fy: Period, n: int,
                 hours: Sequence[float]) -> list[datetime]:
    """`n` event times over the year: summer above winter, weekends above weekdays."""
    days = [fy.start + timedelta(days=i) for i in range((fy.end_exclusive - fy.start).days)]
    w = np.array([MONTH_WEIGHTS[d.month] * WEEKDAY_WEIGHTS[d.weekday()] for d in days])
    per_day = rng.multinomial(n, w / w.sum())
    hp = np.array(hours, dtype=float)
    hp /= hp.sum()
    out: list[datetime] = []
    for d, k in zip(days, per_day, strict=True):
        for _ in range(int(k)):
            clock = time(int(rng.choice(24, p=hp)), int(rng.integers(60)))
            out.append(datetime.combine(d, clock))
    out.sort()
    return out


def _age(rng: np.random.Generator, under_25: bool | None = None) -> int:
    bands = [b for b in AGE_BANDS
             if under_25 is None or (b[1] < 25 if under_25 else b[0] >= 25)]
    p = np.array([b[2] for b in bands])
    lo, hi, _ = bands[int(rng.choice(len(bands), p=p / p.sum()))]
    return int(rng.integers(lo, hi + 1))


def _lad(rng: np.random.Generator, llr: bool) -> str:
    if not llr:
        return OUT_OF_AREA_LADS[int(rng.integers(len(OUT_OF_AREA_LADS)))]
    return choose(rng, _resident_weights())


@cache
def _resident_weights() -> dict[str, float]:
    """District of residence: population (ONS mid-2022 seed) times relative risk."""
    return {
        r["area_code"]: int(r["population"]) * LAD_RISK.get(r["area_code"], 1.0)
        for r in seed_rows("ref_population")
        if r["area_level"] == "district" and r["area_code"] in LLR_DISTRICT_CODES
    }


def _lsoa(rng: np.random.Generator, lad: str, blank_share: float = 0.08) -> str | None:
    if rng.random() < blank_share:
        return None
    lo, hi = LSOA_RANGES.get(lad, (1, 35000))
    if lad not in LSOA_RANGES:
        lo = int(rng.integers(1, 34000))
        hi = lo + 200
    return f"E01{int(rng.integers(lo, hi + 1)):06d}"


def _ethnicity(rng: np.random.Generator) -> str | None:
    return None if rng.random() < 0.06 else choose(rng, ETHNICITY_WEIGHTS)


@cache
def injury_codes() -> tuple[str, ...]:
    """ICD-10 injury codes (chapter XIX, S-codes) from the project's copy."""
    with ICD10_INJURY_CODES.open(encoding="utf-8", newline="") as f:
        return tuple(r["code"] for r in csv.DictReader(f) if r["code"].startswith("S"))


# Open wounds and injuries of internal organs for sharp objects; head, face and hand
# injuries for bodily force; anything in chapter XIX otherwise.
SHARP_PREFIXES = ("S01", "S11", "S21", "S27", "S31", "S36", "S41", "S51", "S61", "S71", "S81")
FORCE_PREFIXES = ("S00", "S01", "S02", "S03", "S06", "S09", "S20", "S22", "S30", "S60",
                  "S62", "S52")


def _diagnosis(rng: np.random.Generator, means: str) -> str:
    prefixes = {"X99": SHARP_PREFIXES, "Y04": FORCE_PREFIXES, "Y05": ("S30", "S31", "S39")}
    codes = injury_codes()
    pool = [c for c in codes if c.startswith(prefixes.get(means, ("S",)))] or list(codes)
    return pool[int(rng.integers(len(pool)))]


def _external_cause(rng: np.random.Generator, category: str) -> str:
    """Trusts write the same cause as X99, X99.1 or X991 (all allowed by the spec)."""
    r = rng.random()
    if r < 0.55:
        return category
    place = PLACE_OF_OCCURRENCE[int(rng.integers(len(PLACE_OF_OCCURRENCE)))]
    return f"{category}.{place}" if r < 0.8 else f"{category}{place}"


# ---------------------------------------------------------------------------------------
# Year plans: every event of a financial year, typed, in time order, refs assigned.


def plan_attendances(ctx: GenContext, fy: Period) -> list[Event]:
    rng = ctx.rng("health", "ae_assaults", fy.label)
    n_llr = round(_year_value(AE_LLR, fy, rng) * ctx.scale)
    n_out = round(n_llr * 0.06)
    times = _event_times(rng, fy, n_llr + n_out, AE_HOURS)
    resident = np.array([True] * n_llr + [False] * n_out)
    rng.shuffle(resident)
    events = [make_attendance(rng, t, bool(llr)) for t, llr in zip(times, resident, strict=True)]
    for i, e in enumerate(events):
        e["attendance_ref"] = f"AE{fy.start.year}{i:06d}"
    return events


def make_attendance(rng: np.random.Generator, arrived: datetime, llr: bool = True) -> Event:
    lad = _lad(rng, llr)
    assault_at = None
    if rng.random() < 0.85:
        assault_at = arrived - timedelta(minutes=int(rng.integers(10, 360)))
    return {
        "site_code": choose(rng, AE_SITES) if llr else choose(rng, {"RWEAA": 0.5, "RX1RA": 0.5}),
        "arrived_at": arrived,
        "assault_at": assault_at,
        "age": _age(rng),
        "sex": choose(rng, {"M": 0.64, "F": 0.35, "U": 0.008, "X": 0.002}),
        "ethnicity": _ethnicity(rng),
        "lad_code": lad,
        "lsoa21_code": _lsoa(rng, lad),
        "assault_method": choose(rng, AE_METHOD_WEIGHTS),
        "assault_location_type": choose(rng, AE_LOCATION_WEIGHTS),
    }


def _means_counts(fy: Period, rng: np.random.Generator, total: int, scale: float
                  ) -> tuple[dict[str, int], int]:
    """Admissions by ICD-10 category and how many X99 patients are under 25."""
    x99_all, x99_u25 = _year_value(X99_LLR, fy, rng)
    rest = {k: v for k, v in MEANS_2022.items() if k != "X99"}
    if fy.start.year == 2022:
        groups = apportion(MEANS_2022, total)
    else:
        x99 = min(round(x99_all * scale), total)
        groups = {"X99": x99, **apportion(rest, total - x99)}
    u25 = min(round(x99_u25 * scale), groups["X99"])
    n_other = groups.pop("other")
    if fy.start.year == 2022:
        other = apportion(OTHER_2022, n_other)
    else:
        keys = list(OTHER_WEIGHTS)
        p = np.array([OTHER_WEIGHTS[k] for k in keys])
        other = dict(zip(keys, rng.multinomial(n_other, p / p.sum()).tolist(), strict=True))
    return {**groups, **{k: v for k, v in other.items() if v}}, u25


def plan_admissions(ctx: GenContext, fy: Period) -> list[Event]:
    rng = ctx.rng("health", "assault_admissions", fy.label)
    n_llr = round(_year_value(ADMISSIONS_LLR, fy, rng) * ctx.scale)
    n_out = round(n_llr * 0.05)
    by_means, x99_u25 = _means_counts(fy, rng, n_llr, ctx.scale)
    llr_means = [m for m, k in sorted(by_means.items()) for _ in range(k)]
    rng.shuffle(llr_means)
    x99_young = set(rng.choice(by_means.get("X99", 0), size=x99_u25, replace=False).tolist())
    plan: list[tuple[str, bool, bool | None]] = []  # (means, resident, under 25)
    x99_seen = 0
    for m in llr_means:
        young = None
        if m == "X99":
            young = x99_seen in x99_young
            x99_seen += 1
        plan.append((m, True, young))
    shares = {**{k: float(v) for k, v in MEANS_2022.items() if k != "other"}, "Y00": 4.0}
    plan += [(choose(rng, shares), False, None) for _ in range(n_out)]
    order = rng.permutation(len(plan))
    times = _event_times(rng, fy, len(plan), ADMISSION_HOURS)
    events = [make_admission(rng, t, *plan[j]) for t, j in zip(times, order, strict=True)]
    if events:  # the SNA's longest stay: 30 days
        events[int(rng.integers(len(events)))]["stay_days"] = 30
    _set_costs(rng, events, _year_value(MEAN_COST, fy, rng, spread=0.03))
    for i, e in enumerate(events):
        e["spell_ref"] = f"SP{fy.start.year}{i:06d}"
        e["discharged_at"] = _discharge(rng, e["admitted_at"], e.pop("stay_days"))
        if e["discharged_at"].date() > ctx.end:  # still in hospital when extracted
            e["discharged_at"] = e["cost_gbp"] = None
    return events


def make_admission(rng: np.random.Generator, admitted: datetime, means: str = "Y04",
                   llr: bool = True, under_25: bool | None = None) -> Event:
    lad = _lad(rng, llr)
    return {
        "admitted_at": admitted,
        "stay_days": int(rng.choice(STAY_DAYS, p=STAY_WEIGHTS / STAY_WEIGHTS.sum())),
        "age": _age(rng, under_25),
        "sex": choose(rng, {"M": 0.78, "F": 0.21, "U": 0.01}),
        "ethnicity": _ethnicity(rng),
        "lad_code": lad,
        "lsoa21_code": _lsoa(rng, lad),
        "primary_diagnosis": _diagnosis(rng, means),
        "means": means,
        "external_cause": _external_cause(rng, means),
        "cost_gbp": 2375.0,  # replaced by the year's calibrated cost in plan_admissions
    }


def _discharge(rng: np.random.Generator, admitted: datetime, stay_days: int) -> datetime:
    if stay_days == 0:  # same day: a few hours, before midnight
        room = (datetime.combine(admitted.date(), time(23, 59)) - admitted).seconds // 60
        return admitted + timedelta(minutes=int(rng.integers(min(30, room), room + 1)))
    day = admitted.date() + timedelta(days=stay_days)
    return datetime.combine(day, time(int(rng.integers(9, 21)), int(rng.integers(60))))


def _set_costs(rng: np.random.Generator, events: list[Event], mean: float) -> None:
    """Tariff-like costs rising with length of stay, scaled to the year's mean (£2,375 in
    2022-23, SNA) over LLR residents' spells."""
    if not events:
        return
    raw = np.array([650 + 520 * e["stay_days"] ** 0.9 + rng.gamma(2.0, 250.0) for e in events])
    resident = np.array([e["lad_code"] in LLR_DISTRICT_CODES for e in events])
    base = raw[resident].mean() if resident.any() else raw.mean()
    for e, c in zip(events, raw * mean / base, strict=True):
        e["cost_gbp"] = round(float(c), 2)


def plan_call_outs(ctx: GenContext, fy: Period) -> list[Event]:
    rng = ctx.rng("health", "ambulance_assaults", fy.label)
    n_llr = round(_year_value(AMBULANCE_LLR, fy, rng) * ctx.scale)
    n_out = round(n_llr * 0.03)
    if fy.start.year == 2022:
        stab_share, conv, stab_conv = (
            AMBULANCE_STAB_SHARE, AMBULANCE_CONVEYED, AMBULANCE_STAB_CONVEYED)
    else:
        stab_share = float(rng.normal(AMBULANCE_STAB_SHARE, 0.012))
        conv = float(rng.normal(AMBULANCE_CONVEYED, 0.015))
        stab_conv = float(rng.normal(AMBULANCE_STAB_CONVEYED, 0.02))
    n_stab = round(n_llr * stab_share)
    n_stab_conv = round(n_stab * stab_conv)
    n_assault_conv = min(max(round(n_llr * conv) - n_stab_conv, 0), n_llr - n_stab)
    plan = ([("stab_gunshot_penetrating", "Y", True)] * n_stab_conv
            + [("stab_gunshot_penetrating", "N", True)] * (n_stab - n_stab_conv)
            + [("assault_sexual_assault", "Y", True)] * n_assault_conv
            + [("assault_sexual_assault", "N", True)] * (n_llr - n_stab - n_assault_conv))
    for _ in range(n_out):
        stab = rng.random() < AMBULANCE_STAB_SHARE
        conveyed = rng.random() < (AMBULANCE_STAB_CONVEYED if stab else 0.46)
        plan.append(("stab_gunshot_penetrating" if stab else "assault_sexual_assault",
                     "Y" if conveyed else "N", False))
    order = rng.permutation(len(plan))
    times = _event_times(rng, fy, len(plan), AMBULANCE_HOURS)
    events = [make_call_out(rng, t, *plan[j]) for t, j in zip(times, order, strict=True)]
    for i, e in enumerate(events):
        e["incident_ref"] = f"EM{fy.start.year}{i:06d}"
    return events


def make_call_out(rng: np.random.Generator, call_at: datetime,
                  category: str = "assault_sexual_assault", conveyed: str = "N",
                  llr: bool = True) -> Event:
    lad = _lad(rng, llr)
    return {
        "call_at": call_at,
        "lad_code": lad,
        "lsoa21_code": _lsoa(rng, lad, blank_share=0.04),
        "category": category,
        "conveyed": conveyed,
        "age": _age(rng),
        "sex": choose(rng, {"M": 0.62, "F": 0.37, "U": 0.01}),
    }


# ---------------------------------------------------------------------------------------
# Defects: one extra row breaking one rule, and the rule the warehouse must report.

Mutator = Callable[[Event, Period, np.random.Generator], None]


def _blank(column: str) -> Mutator:
    def mutate(e: Event, _p: Period, _r: np.random.Generator) -> None:
        e[column] = None
    return mutate


def _text(column: str, *values: str) -> Mutator:
    def mutate(e: Event, _p: Period, rng: np.random.Generator) -> None:
        e[column] = values[int(rng.integers(len(values)))]
    return mutate


def _bad_day(column: str) -> Mutator:
    def mutate(e: Event, period: Period, rng: np.random.Generator) -> None:
        e[column] = invalid_datetime_text(period, HEALTH_STYLE, rng)
    return mutate


def _earlier_period(*columns: str) -> Mutator:
    """The placing date (and dates tied to it) moved into the quarter before."""
    def mutate(e: Event, _p: Period, rng: np.random.Generator) -> None:
        shift = timedelta(days=int(rng.integers(92, 120)))
        for c in columns:
            if isinstance(e.get(c), datetime):
                e[c] -= shift
    return mutate


def _after_period(column: str) -> Mutator:
    def mutate(e: Event, period: Period, rng: np.random.Generator) -> None:
        day = period.end_exclusive + timedelta(days=int(rng.integers(0, 20)))
        e[column] = datetime.combine(day, time(int(rng.integers(24)), int(rng.integers(60))))
    return mutate


def _discharged_before_admitted(e: Event, _p: Period, rng: np.random.Generator) -> None:
    e["discharged_at"] = e["admitted_at"] - timedelta(hours=int(rng.integers(2, 72)))


BAD_LAD = ("E0600016", "E06000016X", "LE1", "E6000016", "E10000O18")
BAD_LSOA = ("E0101360", "E01O13600", "W01000001x")
BAD_AGES = ("130", "-1", "34.5", "unknown")

AE_DEFECTS: dict[str, tuple[Mutator, ...]] = {
    "missing_value": tuple(_blank(c) for c in (
        "site_code", "arrived_at", "age", "sex", "lad_code", "assault_method",
        "assault_location_type")),
    "unknown_code": (
        _text("assault_method", "punched", "Knife", "bottle"), _text("lad_code", *BAD_LAD),
        _text("sex", "Male", "9"), _text("assault_location_type", "pub", "in the park"),
        _text("lsoa21_code", *BAD_LSOA), _text("ethnicity", "White British", "Z9")),
    "bad_date": (_bad_day("arrived_at"),),
    "impossible_date": (_after_period("assault_at"),),
    "out_of_period": (_earlier_period("arrived_at", "assault_at"),),
    "bad_number": (_text("age", *BAD_AGES),),
}
ADMISSION_DEFECTS: dict[str, tuple[Mutator, ...]] = {
    "missing_value": tuple(_blank(c) for c in (
        "admitted_at", "age", "sex", "lad_code", "primary_diagnosis", "external_cause")),
    "unknown_code": (
        _text("external_cause", "W50", "X84", "Y10", "X99.12", "Assault"),
        _text("primary_diagnosis", "S01.81", "SO1.8", "01.8", "Open wound"),
        _text("lad_code", *BAD_LAD), _text("sex", "Female", "2")),
    "bad_date": (_bad_day("admitted_at"), _bad_day("discharged_at")),
    "impossible_date": (_discharged_before_admitted,),
    "out_of_period": (_earlier_period("admitted_at", "discharged_at"),),
    "bad_number": (_text("age", *BAD_AGES), _text("cost_gbp", "£2,375.00", "n/a", "TBC")),
}
AMBULANCE_DEFECTS: dict[str, tuple[Mutator, ...]] = {
    "missing_value": tuple(_blank(c) for c in ("call_at", "lad_code", "category", "age", "sex")),
    "unknown_code": (
        _text("category", "assault", "Stab/Gunshot/Penetrating Trauma"),
        _text("conveyed", "Yes", "1"), _text("lad_code", *BAD_LAD),
        _text("lsoa21_code", *BAD_LSOA), _text("sex", "Male")),
    "bad_date": (_bad_day("call_at"),),
    "out_of_period": (_earlier_period("call_at"),),
    "bad_number": (_text("age", *BAD_AGES),),
}


# ---------------------------------------------------------------------------------------
# Writing.

EntityPlan = tuple[
    specs.Entity, str, Callable[[GenContext, Period], list[Event]],
    Callable[..., Event], dict[str, tuple[Mutator, ...]], tuple[str, ...],
]
SOURCES: tuple[EntityPlan, ...] = (
    (specs.AE_ASSAULTS, "arrived_at", plan_attendances, make_attendance, AE_DEFECTS,
     ("lsoa21_code", "lad_code")),
    (specs.ASSAULT_ADMISSIONS, "admitted_at", plan_admissions, make_admission,
     ADMISSION_DEFECTS, ("external_cause", "lsoa21_code")),
    (specs.AMBULANCE_ASSAULTS, "call_at", plan_call_outs, make_call_out, AMBULANCE_DEFECTS,
     ("lsoa21_code", "call_at")),
)
# How a partner's system breaks a header: an old column name, or a case change (names are
# case-sensitive, spec "Headers").
BROKEN_NAMES = {"lsoa21_code": "lsoa11_code", "lad_code": "LAD_CODE",
                "external_cause": "cause_code", "call_at": "Call Date/Time"}


def write(ctx: GenContext) -> None:
    quarters = periods.quarters_between(ctx.start, ctx.end)
    broken = _broken_header_file(ctx, quarters)
    for entity, placing, plan, make, defects, renamable in SOURCES:
        plans: dict[str, list[Event]] = {}
        for q in quarters:
            fy = periods.financial_year(periods.financial_year_label(q.start))
            if fy.label not in plans:
                plans = {fy.label: plan(ctx, fy)}  # one year held at a time
            events = [e for e in plans[fy.label]
                      if q.contains(e[placing].date()) and in_range(ctx, e[placing])]
            rel = f"health/{entity.entity}_{q.label}.csv"
            if broken == (entity.entity, q.label):
                _write_broken(ctx, rel, entity, events, renamable)
            else:
                _write_quarter(ctx, rel, entity, q, events, placing, make, defects)
            ctx.tick(f"wrote {rel}")


def _broken_header_file(ctx: GenContext, quarters: list[Period]) -> tuple[str, str] | None:
    """One health file per drop arrives with a broken header (only when defects are on),
    in a year with no published figure when the drop has one."""
    if ctx.defect_rate <= 0 or not quarters:
        return None
    rng = ctx.rng("health", "bad_header")
    spare = [q for q in quarters if periods.financial_year_label(q.start) not in CALIBRATED_YEARS]
    pool = spare or quarters
    q = pool[int(rng.integers(len(pool)))]
    entity = SOURCES[int(rng.integers(len(SOURCES)))][0]
    return entity.entity, q.label


def _write_broken(ctx: GenContext, rel: str, entity: specs.Entity, events: list[Event],
                  renamable: tuple[str, ...]) -> None:
    """The whole file is rejected, so it carries no row defects; the partner's corrected
    re-send waits in the truth folder."""
    rng = ctx.rng("health", "bad_header", rel)
    old = renamable[int(rng.integers(len(renamable)))]
    header = [BROKEN_NAMES[old] if c == old else c for c in entity.header]
    rows = [format_row(e, entity.header, HEALTH_STYLE) for e in events]
    for path, head in ((ctx.landing_path(rel), header), (ctx.resend_path(rel), entity.header)):
        with CsvOut(path, head, HEALTH_STYLE) as out:
            out.write_many(rows)
    ctx.log.file(rel, "bad_header", f"column {old!r} sent as {BROKEN_NAMES[old]!r}")
    ctx.log.resend(rel, f"header corrected: {BROKEN_NAMES[old]!r} back to {old!r}")


def _write_quarter(ctx: GenContext, rel: str, entity: specs.Entity, q: Period,
                   events: list[Event], placing: str, make: Callable[..., Event],
                   defects: dict[str, tuple[Mutator, ...]]) -> None:
    rng = ctx.rng("health", entity.entity, q.label, "defects")
    ref_column = entity.key[0]
    fy_start = periods.financial_year_start(q.start)
    extras: list[list[str]] = []
    kinds = [*defects, "duplicate_key"]
    for k in range(defect_count(len(events), ctx.defect_rate, rng)):
        kind = kinds[int(rng.integers(len(kinds)))]
        e = make(rng, _random_moment(ctx, q, rng))
        e.pop("stay_days", None)
        if "discharged_at" in entity.header:
            e["discharged_at"] = e["admitted_at"] + timedelta(hours=int(rng.integers(2, 60)))
        # Unique across every file of the drop, so no defect row clashes with another
        # period's key (the warehouse checks keys across periods too).
        seq = DEFECT_SEQ_START + int(q.label[-1]) * 10_000 + k
        e[ref_column] = f"{_ref_prefix(ref_column)}{fy_start}{seq:06d}"
        if kind == "duplicate_key":  # the same record sent twice: both rows quarantined
            row = format_row(e, entity.header, HEALTH_STYLE)
            extras += [row, list(row)]
            ctx.log.row(rel, "duplicate_key", 2)
            continue
        options = defects[kind]
        options[int(rng.integers(len(options)))](e, q, rng)
        extras.append(format_row(e, entity.header, HEALTH_STYLE))
        ctx.log.row(rel, kind, 1)
    rows = [format_row(e, entity.header, HEALTH_STYLE) for e in events]
    with CsvOut(ctx.landing_path(rel), entity.header, HEALTH_STYLE) as out:
        out.write_many(interleave(rows, extras, rng))


def _random_moment(ctx: GenContext, q: Period, rng: np.random.Generator) -> datetime:
    first, last = max(q.start, ctx.start), min(q.end, ctx.end)
    day = first + timedelta(days=int(rng.integers((last - first).days + 1)))
    return datetime.combine(day, time(int(rng.integers(24)), int(rng.integers(60))))


def _ref_prefix(ref_column: str) -> str:
    return {"attendance_ref": "AE", "spell_ref": "SP", "incident_ref": "EM"}[ref_column]
