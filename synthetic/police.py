"""Leicestershire Police's quarterly extracts: crimes, crime_people, outcomes, custody.

Volumes and mixes are calibrated to the published figures (`spec/published-figures.md`):
the figures the papers quote are planted as exact quotas (cumulative rounding, so every
financial year, every month-aligned window and every seed lands on them), and
everything else is drawn at random around realistic profiles. The generator walks the
period one quarter at a time and streams each file, so memory is bounded by one
quarter's rows plus the outcomes still to come (compact arrays).

Outcomes arrive over later quarters, some are superseded by a later assignment, and a
few arrive a quarter late; custody detains many of the quarter's suspects. The planted
cohort (`synthetic.persons.plan_cohort`) gets its index crimes here, and its earlier
victimisation, offending and custody records in the months before.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np

from ingest.specs import CRIME_PEOPLE, CRIMES, CUSTODY, OUTCOMES, Entity
from synthetic.common import CsvOut, FileStyle, GenContext, write_xlsx
from synthetic.persons import (
    ADULT_HOURS,
    DISTRICT_POPULATION,
    DISTRICTS,
    ETHNICITY_CODES,
    HIGH_HARM_CODES,
    LEICESTER,
    SEX_CODES,
    YOUTH_HOURS,
    CohortPlan,
    PersonRegistry,
    Population,
    age_on,
    day_date,
    day_number,
    draw_token_errors,
    tokens_for,
    ymd,
)
from vrn import periods
from vrn.periods import Period, financial_year_start, quarters_between
from vrn.reference import seed_rows

# =======================================================================================
# Calibration: what the papers publish (spec/published-figures.md), by financial year
# (keyed by the year it starts). Years without a published figure sit in between.
# =======================================================================================
# 003 SNA: 31,527 SV offences in 2022-23, -4.4% on 2021-22, rising from 2019-20.
SV_TOTAL = {2019: 29_400, 2020: 30_900, 2021: 32_978, 2022: 31_527, 2023: 31_150,
            2024: 30_700}
# Everything else the force records (LLR about 100-110k crimes a year in all).
NON_SV_TOTAL = {2019: 76_000, 2020: 66_500, 2021: 71_500, 2022: 74_000, 2023: 75_000,
                2024: 74_500}
# 003 SV Duty para 26: knife-enabled SV (Home Office list, flag_knife_sharp = Y).
KNIFE_HO = {2019: 864, 2020: 850, 2021: 842, 2022: 835, 2023: 810, 2024: 800}
KNIFE_HO_VICTIM_U25 = {2019: 364, 2020: 352, 2021: 340, 2022: 330, 2023: 316, 2024: 308}
# 003 SV Duty para 26: homicides (all ages) 10 -> 13; with a knife, victim under 25: 3 -> 0.
HOMICIDES = {2019: 10, 2020: 11, 2021: 9, 2022: 11, 2023: 13, 2024: 12}
HOMICIDES_KNIFE = {2019: 5, 2020: 5, 2021: 4, 2022: 5, 2023: 6, 2024: 5}
HOMICIDES_KNIFE_U25 = {2019: 3, 2020: 2, 2021: 1, 2022: 2, 2023: 0, 2024: 1}
# 003 ICV report para 31: 15,475 detainees in 2023-24.
CUSTODY_TOTAL = {2019: 17_800, 2020: 15_900, 2021: 16_400, 2022: 15_900, 2023: 15_475,
                 2024: 15_200}
CANCELLED_SHARE = 0.015  # crimes later cancelled (excluded from every figure)


def _fy_value(table: dict[int, float], fy: int) -> float:
    return table[min(max(fy, min(table)), max(table))]


def rapes_in_month(year: int, month: int) -> float:
    """Rapes recorded in a calendar month (000 para 12; 003 Op Soteria para 7).

    91 per 100,000 in 2019 and 122 in 2024 (1,034 and 1,387 a year on 1,136,705
    people), 1,475 from 1 October 2023 to 30 September 2024, falling through 2024 ("the
    force is starting to see a reduction"); +11% in 2022-23 on 2021-22 (003, SNA).
    """
    ym = year * 12 + month - 1
    points = [  # (year*12 + month-1, rapes that month)
        (2019 * 12 + 0, 86.2), (2020 * 12 + 2, 86.2), (2020 * 12 + 3, 80.0),
        (2021 * 12 + 2, 95.0), (2021 * 12 + 3, 98.0), (2022 * 12 + 2, 102.0),
        (2022 * 12 + 3, 108.0), (2023 * 12 + 2, 113.7), (2023 * 12 + 3, 125.0),
        (2023 * 12 + 8, 125.0),
    ]
    if ym < 2023 * 12 + 9:
        xs, ys = zip(*points, strict=True)
        return float(np.interp(ym, xs, ys))
    if ym < 2024 * 12:
        return 130.0  # Oct-Dec 2023
    if ym < 2024 * 12 + 9:
        return 1085.0 / 9  # Jan-Sep 2024
    if ym < 2025 * 12:
        return 302.0 / 3  # Oct-Dec 2024
    return 100.0


def rape_charge_share(year: int, month: int) -> float:
    """Share of a month's recorded rapes charged (1/1A) as they stand at extraction.

    000 para 10: 6.3% for the 12 months to October 2024; 003 CGB: 3.4% in 2021-22.
    """
    ym = year * 12 + month - 1
    xs = [2019 * 12 + 3, 2021 * 12 + 2, 2021 * 12 + 3, 2022 * 12 + 2, 2022 * 12 + 3,
          2023 * 12 + 9, 2023 * 12 + 10, 2024 * 12 + 9, 2025 * 12 + 2]
    ys = [0.040, 0.036, 0.034, 0.034, 0.040, 0.052, 0.063, 0.063, 0.065]
    return float(np.interp(ym, xs, ys))


# Rape codes by victim (Home Office: 19C female 16+, 19D female under 16, 19E female
# under 13, and the same for males): female 75%, aged 16+ 89% (003 Op Soteria para 24).
RAPE_CODES = ("19C", "19D", "19E", "19F", "19G", "19H")
RAPE_CODE_SHARE = np.array([0.66, 0.06, 0.03, 0.23, 0.012, 0.008])
RAPE_VICTIM = {  # code: (sex index, target age lo, hi); actual age is target or one less
    "19C": (1, 17, 90), "19D": (1, 14, 15), "19E": (1, 4, 12),
    "19F": (0, 17, 90), "19G": (0, 14, 15), "19H": (0, 4, 12),
}
RASSO_SUSPECT_UNDER_19 = 0.20  # 003 Op Soteria para 24: one in five suspects under 19

# Serious violence codes and their shares of SV (003 SNA; rape and homicide separate).
# Stalking and harassment 39.7%, violence with injury 37.9%, ABH 31.8%, sexual
# violence 9%, "Sending letters" (8R) 13.0%, "S2 harassment" (8L) 12.4%.
SV_SHARE: dict[str, float] = {
    "8R": 13.0, "8L": 12.4, "8Q": 6.8, "8U": 6.5, "8M": 1.0,
    "8N": 31.8, "8P": 1.7, "5D": 3.6, "5E": 0.6, "2": 0.18, "4.7": 0.02,
    "20A": 2.0, "22B": 0.55, "88E": 0.75, "17A": 0.15, "20B": 0.35, "21": 0.25,
    "22A": 0.15, "17B": 0.05, "23": 0.06, "88A": 0.15, "71": 0.10, "73": 0.08, "70": 0.05,
    "88C": 0.10, "72": 0.02, "88D": 0.03,
    "34B": 2.6, "34A": 0.35, "3B": 5.9, "36": 0.4, "106": 0.45,
    "62A": 0.25, "66": 2.75, "56A": 0.35, "24": 0.05, "29A": 0.25, "31A": 0.05,
}
# Other recorded crime, a year (2022-23 mix; scaled to NON_SV_TOTAL).
NON_SV_VOLUME: dict[str, float] = {
    "105A": 12_500, "105B": 350, "104": 1_000, "8S": 300, "9A": 6_200, "9B": 700,
    "46": 9_000, "49": 8_000, "49A": 1_100, "48": 2_400, "45": 3_800, "44": 1_700,
    "39": 900, "40": 900, "41": 120, "42": 20, "43": 15, "47": 15, "37.2": 150,
    "126": 350, "28E": 4_200, "28F": 900, "28G": 30, "28H": 10, "30C": 1_900,
    "30D": 400, "56B": 550, "58A": 2_900, "58B": 1_200, "58C": 3_400, "58D": 1_700,
    "58J": 120, "59": 300, "92A": 800, "92C": 120, "92D": 650, "92E": 2_700, "10A": 25,
    "10B": 60, "10C": 220, "10D": 850, "81": 90, "90": 50, "11A": 650, "13": 40,
    "33": 70, "33A": 40, "35": 220, "54": 150, "61": 30, "61A": 60, "83": 40, "86": 750,
    "99": 450, "802": 420, "79": 60, "95": 25, "96": 10, "80": 5, "67": 5, "26": 3,
    "27": 5, "76": 1, "69": 20, "60": 5, "3A": 2, "4.4": 10, "4.8": 5, "4.6": 2, "4.9": 3,
    "37.1": 1, "15": 1, "14": 1, "4.3": 1, "38": 30, "814": 15,
}
HOMICIDE_CODES = ("1", "4.1", "4.10", "4.2")

GROUP_OF: dict[str, str] = {}
for _g, _codes in {
    "homicide": HOMICIDE_CODES, "gbh": ("2", "5D", "5E"), "abh": ("8N", "8P", "4.7"),
    "harass": ("8L", "8M", "8Q", "8R"), "coercive": ("8U",), "threats": ("3B",),
    "kidnap": ("36", "106", "24"), "robbery": ("34A", "34B"), "rape": RAPE_CODES,
    "sexual": ("20A", "22B", "88E", "17A", "20B", "21", "22A", "17B", "23", "88A", "71",
               "73", "70", "88C", "72", "88D"),
    "disorder": ("62A", "66"), "arson": ("56A",), "agg_burglary": ("29A", "31A"),
    "assault": ("105A", "105B", "104", "8S"), "public_order": ("9A", "9B"),
    "shoplifting": ("46",), "burglary": ("28E", "28F", "28G", "28H", "30C", "30D"),
    "damage": ("56B", "58A", "58B", "58C", "58D", "58J", "59"),
    "drugs": ("92A", "92C", "92D", "92E"), "weapons": ("10A", "10B", "10C", "10D", "81", "90"),
    "theft": ("49", "49A", "48", "45", "44", "39", "40", "41", "42", "43", "47", "37.2", "126"),
}.items():
    for _c in _codes:
        GROUP_OF[_c] = _g


def group_of(code: str) -> str:
    return GROUP_OF.get(code, "other")


# Victims, suspects and sexes by group: (P(0), P(1), P(2), P(3) victims), P(suspect
# identified), P(victim female), P(suspect male).
@dataclass(frozen=True)
class Profile:
    victims: tuple[float, float, float, float]
    suspect_known: float
    victim_female: float
    suspect_male: float
    group_size: tuple[float, float, float] = (0.82, 0.13, 0.05)
    lag: str = "violence"


PROFILES: dict[str, Profile] = {
    "homicide": Profile((0, 1, 0, 0), 0.95, 0.30, 0.90),
    "gbh": Profile((0, 0.93, 0.06, 0.01), 0.70, 0.22, 0.88, (0.6, 0.25, 0.15)),
    "abh": Profile((0, 0.92, 0.07, 0.01), 0.72, 0.44, 0.72),
    "harass": Profile((0, 0.95, 0.05, 0), 0.80, 0.64, 0.62, lag="course"),
    "coercive": Profile((0, 1, 0, 0), 0.98, 0.90, 0.94, (1, 0, 0), lag="course"),
    "threats": Profile((0, 0.94, 0.06, 0), 0.80, 0.45, 0.77),
    "kidnap": Profile((0.05, 0.9, 0.05, 0), 0.80, 0.60, 0.85),
    "robbery": Profile((0, 0.9, 0.09, 0.01), 0.35, 0.25, 0.92, (0.55, 0.3, 0.15)),
    "rape": Profile((0, 1, 0, 0), 0.85, 0.75, 0.98, (0.9, 0.1, 0), lag="sexual"),
    "sexual": Profile((0.02, 0.95, 0.03, 0), 0.70, 0.85, 0.95, (0.92, 0.08, 0), lag="sexual"),
    "disorder": Profile((0.55, 0.35, 0.08, 0.02), 0.60, 0.30, 0.86, (0.4, 0.3, 0.3)),
    "arson": Profile((0.05, 0.85, 0.1, 0), 0.40, 0.50, 0.80),
    "agg_burglary": Profile((0, 0.85, 0.15, 0), 0.40, 0.40, 0.92, (0.5, 0.3, 0.2)),
    "assault": Profile((0.01, 0.93, 0.05, 0.01), 0.75, 0.50, 0.74),
    "public_order": Profile((0.2, 0.75, 0.05, 0), 0.70, 0.45, 0.80),
    "shoplifting": Profile((0.95, 0.05, 0, 0), 0.55, 0.50, 0.65, (0.85, 0.12, 0.03), "property"),
    "burglary": Profile((0.05, 0.90, 0.05, 0), 0.10, 0.50, 0.90, (0.7, 0.2, 0.1), "property"),
    "damage": Profile((0.30, 0.68, 0.02, 0), 0.25, 0.50, 0.82, lag="property"),
    "drugs": Profile((1, 0, 0, 0), 1.00, 0.50, 0.88, (0.9, 0.08, 0.02)),
    "weapons": Profile((0.95, 0.05, 0, 0), 1.00, 0.50, 0.92),
    "theft": Profile((0.10, 0.88, 0.02, 0), 0.12, 0.48, 0.82, lag="property"),
    "other": Profile((0.5, 0.5, 0, 0), 0.60, 0.50, 0.80),
}

# Domestic-abuse flag probability by code (SNA: 30% of SV domestic-abuse related).
DA_P: dict[str, float] = {
    "8U": 1.0, "8N": 0.32, "8L": 0.28, "8R": 0.20, "8Q": 0.40, "8M": 0.03, "3B": 0.30,
    "5D": 0.18, "5E": 0.2, "2": 0.15, "8P": 0.02, "36": 0.4, "34B": 0.01, "66": 0.02,
    "56A": 0.25, "106": 0.02, "4.7": 0.5, "1": 0.2, "4.1": 0.2,
    "105A": 0.40, "58A": 0.30, "9A": 0.10, "11A": 0.30, "104": 0.0, "8S": 0.0,
}
DA_P.update({c: 0.35 for c in RAPE_CODES})
DA_P.update({c: 0.12 for c, g in GROUP_OF.items() if g == "sexual"})
SV_DA_TARGET = 0.30

LOCATIONS = ("dwelling", "public_open_place", "hospitality", "education", "shop",
             "transport", "workplace", "other")
# SNA: 62.6% of SV in a dwelling, hospitality 4.6%, education 2.7%.
SV_LOCATION_TARGET = np.array([62.6, 20.0, 4.6, 2.7, 3.2, 2.2, 2.5, 2.2])
LOCATION_AFFINITY: dict[str, tuple[float, ...]] = {
    "harass": (5, 1.5, 0.5, 0.9, 0.3, 0.3, 1.0, 2.0),
    "coercive": (10, 0.1, 0.01, 0.01, 0.01, 0.01, 0.01, 0.2),
    "abh": (3, 3, 1.3, 0.7, 0.5, 0.4, 0.5, 0.3),
    "gbh": (2.5, 4, 1.6, 0.3, 0.3, 0.5, 0.3, 0.3),
    "threats": (4, 2, 0.5, 0.4, 0.3, 0.2, 0.6, 0.5),
    "robbery": (0.5, 6, 0.3, 0.3, 1.5, 1.0, 0.2, 0.4),
    "rape": (7, 1, 0.6, 0.2, 0.01, 0.2, 0.2, 0.5),
    "sexual": (4, 2, 1, 1.8, 0.3, 0.8, 0.5, 0.5),
    "homicide": (5, 3, 0.5, 0.01, 0.01, 0.2, 0.1, 0.3),
    "disorder": (0.5, 5, 2, 0.3, 0.5, 0.5, 0.2, 0.5),
    "kidnap": (4, 2, 0.3, 0.1, 0.1, 0.3, 0.5, 1),
    "arson": (8, 1, 0.2, 0.1, 0.2, 0.01, 0.3, 0.5),
    "agg_burglary": (10, 0.01, 0.2, 0.01, 0.5, 0.01, 0.5, 0.2),
    "da": (20, 1, 0.2, 0.01, 0.01, 0.1, 0.1, 0.3),
}
NON_SV_LOCATION: dict[str, tuple[float, ...]] = {
    "assault": (4, 3, 1.2, 0.8, 0.6, 0.4, 0.6, 0.4),
    "public_order": (1.5, 5, 1.5, 0.4, 1, 0.5, 0.3, 0.5),
    "shoplifting": (0, 0, 0, 0, 1, 0, 0, 0),
    "burglary": (8, 0, 0.2, 0.3, 0.5, 0, 1, 0.3),
    "damage": (4, 3, 0.3, 0.3, 0.4, 0.2, 0.8, 1),
    "drugs": (3, 6, 0.3, 0.1, 0.1, 0.3, 0.1, 1),
    "weapons": (1, 7, 1, 0.5, 0.2, 0.5, 0.1, 0.5),
    "theft": (2, 3.5, 0.5, 0.3, 1, 1, 1, 0.7),
    "other": (3, 2, 0.2, 0.1, 0.2, 0.2, 1, 4),
}

# Knife or sharp object (SNA: 5% of SV, 69% of it in Leicester; Home Office list of
# knife-enabled codes, SV Duty). Relative propensity by code; scaled per year.
HO_KNIFE_CODES = frozenset({"1", "4.1", "4.10", "4.2", "2", "3B", "5D", "5E", "8N", "8P",
                            "34A", "34B", "19C", "19D", "19E", "19F", "19G", "19H", "17A",
                            "17B", "20A", "20B"})
KNIFE_P_HO = {"5D": 0.35, "5E": 0.15, "2": 0.6, "34B": 0.12, "34A": 0.08, "3B": 0.05,
              "8N": 0.019, "8P": 0.02, "17A": 0.003, "17B": 0.0, "20A": 0.003, "20B": 0.0}
KNIFE_P_HO.update({c: 0.005 for c in RAPE_CODES})
# Knife-flagged SV outside the Home Office list (threats with a blade, disorder...).
KNIFE_P_OTHER_SV = {"66": 0.25, "8L": 0.035, "8R": 0.02, "8Q": 0.05, "8M": 0.05,
                    "8U": 0.04, "29A": 0.4, "31A": 0.3, "36": 0.15, "62A": 0.2, "56A": 0.03}
KNIFE_P_NON_SV = {"10D": 0.9, "10C": 0.3, "90": 0.8, "105A": 0.004, "9A": 0.01,
                  "28E": 0.004, "58D": 0.002}
SV_KNIFE_SHARE = 0.05
KNIFE_LEICESTER_SHARE = 0.69

# District share of LLR SV (003 SNA table, 2022-23). The published shares sum to
# 101.7% (the county's districts alone to 49.9%, against the county's 48.2%); these keep
# every district within a point and every authority's rate within 5% of the paper.
SV_DISTRICT_SHARE = np.array([49.4, 13.9, 8.5, 5.6, 8.3, 3.6, 1.9, 5.0, 3.8]) / 100
NON_SV_DISTRICT_SHARE = np.array(DISTRICT_POPULATION, dtype=float) * np.array(
    [1.5, 1.0, 1.0, 0.9, 1.0, 0.9, 0.6, 0.75, 0.9])
NON_SV_DISTRICT_SHARE /= NON_SV_DISTRICT_SHARE.sum()
# Beat weights within a district (SNA: densest in City Centre, Braunstone & Rowley
# Fields, New Parks, Beaumont Leys, Cultural Quarter, Whitwick & Ibstock; the city's
# West 14.7% and East 14.6% of LLR).
BEAT_WEIGHT = {
    "LC01": 4.4, "LC02": 2.9, "LC03": 2.2, "LC04": 1.5,
    "LE01": 2.8, "LE02": 2.8, "LE03": 2.0, "LE04": 2.6, "LE05": 2.2, "LE06": 2.2,
    "LW01": 3.0, "LW02": 3.2, "LW03": 3.0, "LW04": 2.4, "LW05": 1.5, "LW06": 1.6,
    "LS01": 2.6, "LS02": 1.8, "LS03": 1.4, "LS04": 1.9, "LS05": 1.4,
    "NW02": 2.0,
}

# Seasonality (SNA: summer above winter; weekends above weekdays).
MONTH_WEIGHT = np.array([0.93, 0.88, 0.97, 1.0, 1.05, 1.08, 1.10, 1.07, 1.0, 1.0, 0.96, 0.96])
WEEKDAY_WEIGHT = np.array([0.95, 0.93, 0.94, 0.95, 1.02, 1.14, 1.12])  # Monday first

VICTIM_AGE = np.interp(np.arange(100), [0, 9, 10, 17, 18, 24, 25, 29, 30, 34, 35, 39, 40,
                                        49, 50, 59, 60, 69, 70, 99],
                       [0.3, 0.3, 1.2, 1.2, 2.2, 2.2, 2.6, 2.6, 2.9, 2.9, 2.7, 2.7, 2.2,
                        1.8, 1.2, 1.2, 0.6, 0.6, 0.2, 0.02])
SUSPECT_AGE = np.interp(np.arange(100), [0, 9, 10, 13, 14, 17, 18, 24, 25, 29, 30, 34, 35,
                                         39, 40, 44, 45, 49, 50, 59, 60, 80, 99],
                        [0, 0, 0.6, 0.6, 2.6, 2.6, 2.7, 2.7, 2.5, 2.5, 2.8, 2.8, 2.9, 2.9,
                         2.3, 2.3, 1.6, 1.6, 0.9, 0.9, 0.25, 0.05, 0.0])
CUSTODY_AGE = np.interp(np.arange(100), [0, 11, 12, 17, 18, 24, 25, 39, 40, 49, 50, 64, 65,
                                         90, 99],
                        [0, 0, 0.3, 0.9, 2.5, 2.5, 3.0, 3.0, 2.0, 2.0, 0.9, 0.6, 0.1, 0.02,
                         0])
CUSTODY_ARREST_CODES = {
    "105A": 12, "8N": 12, "46": 8, "92D": 5, "92E": 5, "9A": 6, "58C": 3, "58A": 2,
    "8L": 3, "8U": 3, "83": 5, "80": 0.5, "28E": 3, "49": 3, "34B": 2, "10D": 3,
    "3B": 2, "62A": 0.5, "19C": 1, "20A": 1, "48": 2, "802": 1, "99": 4, "8S": 2,
    "104": 2, "79": 1, "5D": 2, "92A": 2, "30C": 1, "45": 1, "8R": 1, "8Q": 1, "54": 0.5,
}
CUSTODY_HOURS = np.array([5.5, 5.0, 4.5, 3.6, 2.6, 1.8, 1.5, 1.6, 2.2, 3.0, 3.6, 4.0, 4.2,
                          4.3, 4.5, 4.7, 4.9, 5.1, 5.3, 5.4, 5.5, 5.7, 5.9, 5.9])
CUSTODY_HOURS = CUSTODY_HOURS / CUSTODY_HOURS.sum()
SUITES = ("EUS", "KEY", "BEA")
DISPOSALS = ("charged", "bailed", "released_under_investigation", "no_further_action",
             "caution", "community_resolution", "transferred", "other")
DISPOSAL_P = np.array([0.25, 0.08, 0.30, 0.22, 0.05, 0.04, 0.03, 0.03])

# Outcomes (Home Office outcome framework) by group: mixes when a suspect is known,
# when none is, and median days from recording to the assignment.
OUTCOME_WITH_SUSPECT = {
    "default": {"1": 12, "1A": 1, "15": 25, "16": 34, "8": 4, "3": 4, "2": 1, "21": 5,
                "10": 3, "22": 2, "9": 2, "20": 2, "13": 0.5, "12": 0.5, "17": 1, "5": 0.2,
                "14": 3, "3A": 0.5},
    "shoplifting": {"1": 40, "8": 20, "3": 5, "6": 5, "15": 15, "16": 8, "22": 5, "2": 2},
    "drugs": {"1": 30, "7": 25, "8": 20, "3": 8, "2": 2, "15": 10, "21": 5},
    "theft": {"1": 25, "8": 10, "15": 35, "16": 15, "3": 5, "21": 10},
    "burglary": {"1": 30, "15": 40, "16": 15, "3": 3, "21": 10, "4": 2},
    "weapons": {"1": 50, "3": 10, "8": 10, "15": 20, "21": 8, "2A": 2},
    "homicide": {"1": 85, "1A": 5, "5": 3, "15": 7},
}
OUTCOME_NO_SUSPECT = {"18": 80, "14": 12, "20": 3, "10": 3, "21": 2}
RAPE_OUTCOME_NOT_CHARGED = {"16": 38, "15": 33, "14": 12, "18": 5, "21": 4, "10": 3,
                            "9": 3, "11": 1, "13": 1}
OUTCOME_MEDIAN_DAYS = {"18": 14, "14": 40, "16": 45, "15": 100, "1": 120, "1A": 120,
                       "8": 20, "3": 30, "3A": 30, "2": 35, "2A": 35, "6": 7, "7": 3,
                       "21": 60, "10": 60, "22": 45, "9": 150, "20": 30, "4": 90}
# Rape investigations (003 Op Soteria para 8: median 84 days as of February 2024,
# down 10 days). Medians by outcome; the mixture's median lands near 84 (94 earlier).
RAPE_MEDIAN_DAYS = {"16": 73, "15": 130, "14": 62, "18": 48, "21": 112, "10": 112, "9": 237,
                    "11": 71, "13": 106, "1": 208, "1A": 208}
RAPE_FASTER_FROM = day_number(date(2022, 6, 1))
RAPE_SLOWER_FACTOR = 1.12
OUTCOME_LATE = 0.04  # assignments that arrive in the next quarter's file
OUTCOME_REVISED = 0.06  # crimes whose first assignment is later superseded
OUTCOME_TIES = 0.004  # a same-day second assignment (the later file/row is current)



# =======================================================================================
# Reference lists and shared small tools
# =======================================================================================
@cache
def beats() -> tuple[tuple[str, ...], tuple[int, ...]]:
    rows = seed_rows("ref_beats")
    return (tuple(r["beat_code"] for r in rows),
            tuple(DISTRICTS.index(r["district_code"]) for r in rows))


@cache
def beat_tables() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per district: beat indexes and their cumulative weights."""
    codes, dists = beats()
    idx, cdf = [], []
    for j in range(len(DISTRICTS)):
        b = np.array([i for i, d in enumerate(dists) if d == j])
        w = np.array([BEAT_WEIGHT.get(codes[i], 1.5) for i in b])
        idx.append(b)
        cdf.append(np.cumsum(w) / w.sum())
    return idx, cdf


@cache
def sv_codes() -> frozenset[str]:
    return frozenset(r["ho_offence_code"] for r in seed_rows("ref_offence_codes")
                     if r["sv_group"])


def check_reference_codes() -> None:
    """Every code the generator writes is in the seeds (a guard for edits here)."""
    known = {r["ho_offence_code"] for r in seed_rows("ref_offence_codes")}
    outcomes = {r["outcome_code"] for r in seed_rows("ref_outcome_types")}
    used = set(SV_SHARE) | set(NON_SV_VOLUME) | set(RAPE_CODES) | set(HOMICIDE_CODES)
    used |= set(CUSTODY_ARREST_CODES)
    if used - known:
        raise ValueError(f"offence codes not in ref_offence_codes.csv: {sorted(used - known)}")
    out_used = set(OUTCOME_NO_SUSPECT) | set(RAPE_OUTCOME_NOT_CHARGED)
    for mix in OUTCOME_WITH_SUSPECT.values():
        out_used |= set(mix)
    if out_used - outcomes:
        raise ValueError(f"outcome codes not in ref_outcome_types.csv: "
                         f"{sorted(out_used - outcomes)}")
    missing_sv = {c for c in sv_codes() if c not in used and c not in ("4.10", "4.2")}
    if missing_sv:
        raise ValueError(f"SV codes with no volume: {sorted(missing_sv)}")


def half_up(x: float) -> int:
    return math.floor(x + 0.5)


class Quota:
    """Integer counts whose running totals track running expectations (cumulative
    rounding), so any run of months adds up to its expected total within one."""

    def __init__(self) -> None:
        self.expected: dict[Any, float] = defaultdict(float)
        self.given: dict[Any, int] = defaultdict(int)
        self.cum_exp: dict[Any, np.ndarray] = {}
        self.cum_got: dict[Any, np.ndarray] = {}

    def take(self, key: Any, expected: float, minimum: int = 0, maximum: int | None = None
             ) -> int:
        self.expected[key] += expected
        n = max(half_up(self.expected[key]) - self.given[key], minimum, 0)
        if maximum is not None:
            n = min(n, maximum)
        self.given[key] += n
        return n

    def split(self, key: Any, n_free: int, weights: np.ndarray,
              forced: np.ndarray | None = None) -> np.ndarray:
        """Allocate `n_free` items over categories; `forced` items are already placed."""
        k = len(weights)
        forced = np.zeros(k, dtype=np.int64) if forced is None else forced
        if key not in self.cum_exp:
            self.cum_exp[key] = np.zeros(k)
            self.cum_got[key] = np.zeros(k, dtype=np.int64)
        total = n_free + int(forced.sum())
        self.cum_exp[key] += total * np.asarray(weights, dtype=float) / np.sum(weights)
        self.cum_got[key] += forced
        alloc = np.zeros(k, dtype=np.int64)
        if n_free > 0:
            need = np.maximum(self.cum_exp[key] - self.cum_got[key], 0)
            target = (need / need.sum() * n_free if need.sum() > 0
                      else np.asarray(weights, float) / np.sum(weights) * n_free)
            alloc = np.floor(target).astype(np.int64)
            rest = n_free - int(alloc.sum())
            if rest > 0:
                order = np.lexsort((np.arange(k), -(target - alloc)))
                alloc[order[:rest]] += 1
        self.cum_got[key] += alloc
        return alloc


def sample_truncated(rng: np.random.Generator, weights: np.ndarray, lo: np.ndarray,
                     hi: np.ndarray) -> np.ndarray:
    """Ages from a distribution restricted to [lo, hi] per row (inclusive)."""
    n = len(lo)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    cdf = np.cumsum(weights) / np.sum(weights)
    lo = np.clip(lo, 0, len(cdf) - 1)
    hi = np.clip(hi, lo, len(cdf) - 1)
    a = np.where(lo > 0, cdf[np.maximum(lo - 1, 0)], 0.0)
    b = cdf[hi]
    u = a + rng.random(n) * (b - a)
    out = np.searchsorted(cdf, u, side="right")
    flat = b - a <= 1e-12
    if flat.any():
        out[flat] = lo[flat] + (rng.random(flat.sum()) * (hi[flat] - lo[flat] + 1)).astype(int)
    return np.clip(out, lo, hi)


def weighted_choice(rng: np.random.Generator, mix: dict[str, float], n: int) -> list[str]:
    keys = list(mix)
    p = np.array([mix[k] for k in keys], dtype=float)
    return [keys[i] for i in rng.choice(len(keys), size=n, p=p / p.sum())]


def day_weight(days: np.ndarray) -> np.ndarray:
    _, m, _ = ymd(days)
    return MONTH_WEIGHT[m - 1] * WEEKDAY_WEIGHT[(np.asarray(days) + 3) % 7]


@cache
def fy_weight_total(fy: int) -> float:
    lo = day_number(date(fy, 4, 1))
    hi = day_number(date(fy + 1, 4, 1))
    return float(day_weight(np.arange(lo, hi)).sum())


def fy_of_day(day: int) -> int:
    return financial_year_start(day_date(day))


# =======================================================================================
# File formats: typed rows -> text (or xlsx cells) in a partner's style
# =======================================================================================
class Formatter:
    """Writes typed values the way one file's system does.

    Typed rows hold dates as day numbers, datetimes as minutes since 1970, and text.
    Text values pass through untouched (that is how a defect is written verbatim).
    With `cells`, dates become real date cells and numbers numeric cells (.xlsx).
    """

    def __init__(self, style: FileStyle, cells: bool = False):
        self.style = style
        self.cells = cells
        self._dates: dict[int, str] = {}
        self._converters: dict[tuple[str, ...], list[Callable[[Any], Any]]] = {}
        secs = ":00" if style.seconds else ""
        self._times = [f"{h:02d}:{m:02d}{secs}" for h in range(24) for m in range(60)]

    def date(self, day: int) -> Any:
        if self.cells:
            return day_date(day)
        s = self._dates.get(day)
        if s is None:
            s = self.style.fmt_date(day_date(day))
            self._dates[day] = s
        return s

    def datetime(self, minute: int) -> Any:
        day, m = divmod(int(minute), 1440)
        if self.cells:
            return datetime.combine(day_date(day), datetime.min.time()) + timedelta(minutes=m)
        return f"{self.date(day)} {self._times[m]}"

    def row(self, values: Sequence[Any], kinds: Sequence[str]) -> list[Any]:
        key = tuple(kinds)
        conv = self._converters.get(key)
        if conv is None:
            conv = [self._converter(k) for k in kinds]
            self._converters[key] = conv
        return [f(v) for f, v in zip(conv, values, strict=True)]

    def _converter(self, kind: str) -> Callable[[Any], Any]:
        blank = None if self.cells else ""
        typed: Callable[[Any], Any]
        if kind == "date":
            typed = self.date
        elif kind == "datetime":
            typed = self.datetime
        elif self.cells:
            def typed(v: Any) -> Any:
                return v
        else:
            typed = str

        def convert(v: Any) -> Any:
            if v is None:
                return blank
            return v if v.__class__ is str else typed(v)
        return convert

    def bad_date(self, day: int, with_time: bool) -> str:
        """A date that is not on the calendar, in this file's style (text)."""
        y, _, _ = ymd(np.array([day]))
        year = int(y[0])
        month, dd = ((2, 29) if not _leap(year) else (2, 30))
        if day % 3 == 1:
            month, dd = (4, 31)
        elif day % 3 == 2:
            month, dd = (9, 31)
        text = (f"{year:04d}-{month:02d}-{dd:02d}" if self.style.date_style == "iso" or self.cells
                else f"{dd:02d}/{month:02d}/{year:04d}")
        if with_time:
            text += " 10:30" + (":00" if self.style.seconds else "")
        return text


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


class TableOut:
    """A landing file being written: CSV streamed, or .xlsx rows collected then saved."""

    def __init__(self, path: Any, header: Sequence[str], style: FileStyle, xlsx: bool = False,
                 sheet: str = "Sheet1"):
        self.path = path
        self.xlsx = xlsx
        self.rows = 0
        self.sheet = sheet
        if xlsx:
            self._rows: list[Sequence[Any]] = [list(header)]
            self._csv: CsvOut | None = None
        else:
            self._csv = CsvOut(path, header, style)

    def write(self, row: Sequence[Any]) -> None:
        self.rows += 1
        if self._csv is not None:
            self._csv.write(row)
        else:
            self._rows.append(row)

    def close(self) -> None:
        if self._csv is not None:
            self._csv.close()
        else:
            write_xlsx(self.path, self.sheet, self._rows)


# =======================================================================================
# Defects (spec "Validation rules"), injected exactly and counted as the warehouse must
# =======================================================================================
RULE_ORDER = ("missing_value", "unknown_code", "bad_date", "impossible_date",
              "out_of_period", "bad_number", "duplicate_key")
# Values outside their lists, none of them a mere change of case (which a reader
# might forgive) and none that happens to be valid (L3 is a Liverpool outward code).
BAD_CODES: dict[str, tuple[str, ...]] = {
    "ho_offence_code": ("8Z", "4.11", "105", "19A"),
    "arrest_ho_offence_code": ("8Z", "4.11", "PNC99"),
    "beat_code": ("LC99", "ZZ01", "LE-01"),
    "location_type": ("garage", "street", "car_park"),
    "status": ("deleted", "no_crime"),
    "role": ("witness", "offender"),
    "sex": ("Male", "9", "Female"),
    "ethnicity": ("W9", "White", "A6"),
    "postcode_district": ("LE1 1AA", "LE", "99"),
    "outcome_code": ("19", "0", "OC14"),
    "suite_code": ("EUST", "HQ"),
    "disposal": ("remanded", "NFA"),
    "category_of_need": ("N9", "N0"),
    "legal_status": ("C3", "S20"),
    "category": ("SEX", "NEGLECT"),
    "type": ("fixed_term", "exclusion"),
}
BAD_FLAG = ("Yes", "1", "X")
BAD_AGE = ("-1", "121", "3.5", "1O")
BAD_COUNT = ("-2", "2.5", "x")


@dataclass
class EntityRules:
    """What the injector needs of an entity: column kinds and the spec's date rules."""

    entity: Entity
    kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.kinds = tuple(c.kind for c in self.entity.columns)

    def index(self, name: str) -> int:
        return self.entity.header.index(name)

    def applicable(self) -> list[str]:
        e = self.entity
        kinds = ["missing_value"]
        if any(c.kind in ("code", "flag", "pattern") for c in e.columns):
            kinds.append("unknown_code")
        if any(c.kind in ("date", "datetime") for c in e.columns):
            kinds.append("bad_date")
        if e.date_pairs or e.not_after:
            kinds.append("impossible_date")
        if e.placing_date:
            kinds.append("out_of_period")
        if any(c.kind == "int" for c in e.columns):
            kinds.append("bad_number")
        if e.key:
            kinds.append("duplicate_key")
        return kinds


class NotApplicable(Exception):
    """The row has nothing this rule could fail on (e.g. no age to make bad)."""


def _pick(rng: np.random.Generator, cand: list[int]) -> int:
    if not cand:
        raise NotApplicable
    return cand[int(rng.integers(0, len(cand)))]


def inject_any(kind: str, row: list[Any], rules: EntityRules, period: Period,
               rng: np.random.Generator, fmt: Formatter) -> tuple[list[Any], str]:
    """Break the row with `kind`, or with the next rule that applies to it."""
    kinds = [k for k in rules.applicable() if k != "duplicate_key"]
    start = kinds.index(kind) if kind in kinds else 0
    for k in kinds[start:] + kinds[:start]:
        try:
            return inject(k, row, rules, period, rng, fmt), k
        except NotApplicable:
            continue
    raise ValueError(f"{rules.entity.entity}: no rule can be broken in row {row!r}")


def inject(kind: str, row: list[Any], rules: EntityRules, period: Period,
           rng: np.random.Generator, fmt: Formatter) -> list[Any]:
    """Break one clean typed row so that `kind` is the first rule it fails."""
    e = rules.entity
    row = list(row)
    cols = e.columns
    if kind == "missing_value":
        req = [i for i, c in enumerate(cols) if not c.optional]
        row[_pick(rng, req)] = None
    elif kind == "unknown_code":
        cand = [i for i, c in enumerate(cols)
                if c.kind in ("code", "flag", "pattern") and row[i] not in (None, "")]
        i = _pick(rng, cand)
        if cols[i].kind == "flag":
            row[i] = BAD_FLAG[int(rng.integers(0, len(BAD_FLAG)))]
        else:
            bad = BAD_CODES.get(cols[i].name, ("??",))
            row[i] = bad[int(rng.integers(0, len(bad)))]
    elif kind == "bad_date":
        cand = [i for i, c in enumerate(cols)
                if c.kind in ("date", "datetime") and isinstance(row[i], int)]
        i = _pick(rng, cand)
        day = row[i] if cols[i].kind == "date" else row[i] // 1440
        row[i] = fmt.bad_date(day, cols[i].kind == "datetime")
    elif kind == "impossible_date":
        pair = e.date_pairs[0] if e.date_pairs else None
        if e.entity == "crimes":
            # offence_to a day before offence_from (an end before its start).
            a, b = rules.index("offence_from"), rules.index("offence_to")
            row[b] = row[a] - 1440 - int(rng.integers(0, 600))
        elif e.entity == "custody":
            a, b = rules.index("arrived_at"), rules.index("authorised_at")
            row[b] = row[a] - 1440 - int(rng.integers(0, 600))
        elif pair is not None:
            a, b = rules.index(pair.start), rules.index(pair.end)
            row[b] = row[a] - int(rng.integers(1, 40))
        else:
            raise ValueError(f"{e.entity}: no impossible_date rule to break")
    elif kind == "out_of_period":
        p = rules.index(e.placing_date or "")
        col = cols[p]
        starts = {dp.start for dp in e.date_pairs}
        before = col.name in starts or e.period_kind == "academic_year"
        if col.kind == "text":  # academic_year of absence rows
            y = int(str(row[p])[:4]) - 1
            row[p] = f"{y}-{(y + 1) % 100:02d}"
        else:
            lo, hi = day_number(period.start), day_number(period.end)
            shift = int(rng.integers(1, 25))
            day = lo - shift if before else hi + shift
            if col.kind == "date":
                row[p] = day
            else:
                row[p] = day * 1440 + int(row[p]) % 1440
    elif kind == "bad_number":
        cand = [i for i, c in enumerate(cols) if c.kind == "int" and row[i] is not None]
        i = _pick(rng, cand)
        bad = BAD_AGE if cols[i].name == "age" else BAD_COUNT
        row[i] = bad[int(rng.integers(0, len(bad)))]
    else:
        raise ValueError(f"cannot inject {kind!r} into one row")
    return row


@dataclass
class DefectPlan:
    """Row defects planned for one file, by data-row index of the clean rows."""

    kinds: dict[int, str] = field(default_factory=dict)
    copies: dict[int, int] = field(default_factory=dict)  # after row j: copy of row i
    extras: dict[int, list[list[Any]]] = field(default_factory=dict)  # after row j: rows

    @property
    def touched(self) -> set[int]:
        return set(self.kinds) | set(self.copies.values())


class Defects:
    """Plans defects file by file at the run's rate and logs exact counts."""

    def __init__(self, ctx: GenContext):
        self.ctx = ctx
        self.rate = ctx.defect_rate
        self.quota = Quota()
        self.turn: dict[str, int] = defaultdict(int)

    @property
    def on(self) -> bool:
        return self.rate > 0

    def plan(self, entity_key: str, rules: EntityRules, n_rows: int, rng: np.random.Generator,
             protected: np.ndarray | None = None, cross_keys: Sequence[Any] = (),
             cross_rows: Callable[[int, Any], list[Any]] | None = None) -> DefectPlan:
        """Choose rows and kinds. `cross_rows(j, key)` builds an extra row carrying a key
        another period's file already holds (a cross-period duplicate)."""
        plan = DefectPlan()
        if not self.on or n_rows == 0:
            return plan
        n = self.quota.take(entity_key, self.rate * n_rows)
        if n == 0:
            return plan
        ok = np.ones(n_rows, dtype=bool) if protected is None else ~protected
        free = np.flatnonzero(ok)
        if len(free) < 2 * n + 2:
            n = max(0, len(free) // 2 - 1)
        if n == 0:
            return plan
        chosen = rng.choice(free, size=2 * n, replace=False)
        kinds = rules.applicable()
        for t in range(n):
            k = kinds[(self.turn[entity_key] + t) % len(kinds)]
            i = int(chosen[t])
            if k == "duplicate_key":
                if cross_keys and cross_rows is not None and t % 2 == 1:
                    key = cross_keys[int(rng.integers(0, len(cross_keys)))]
                    plan.extras.setdefault(i, []).append(cross_rows(i, key))
                    continue
                j = int(chosen[n + t])
                src, after = (i, j) if i < j else (j, i)
                if src in plan.kinds or after in plan.kinds:
                    continue
                plan.copies[after] = src
            else:
                plan.kinds[i] = k
        self.turn[entity_key] += n
        # A copy's source must itself stay clean.
        for after, src in list(plan.copies.items()):
            if src in plan.kinds or after in plan.kinds or src in plan.copies:
                del plan.copies[after]
        return plan


# =======================================================================================
# Styles: how the force's systems write each file
# =======================================================================================
def police_style(ctx: GenContext, ordinal: int) -> FileStyle:
    """The crime system (RMS) export: ISO dates with seconds, LF; in some quarters a
    replacement export tool writes UK dates without seconds and CRLF (one style a file)."""
    switch = (ordinal + ctx.seed) % 3 == 2
    if switch:
        return FileStyle(encoding="utf-8", newline="\r\n", date_style="uk", seconds=False)
    return FileStyle(encoding="utf-8", newline="\n", date_style="iso", seconds=True)


def custody_style(ctx: GenContext, ordinal: int) -> FileStyle:
    """The custody system writes UTF-8 with a BOM, UK dates; seconds since 2021."""
    return FileStyle(encoding="utf-8-sig", newline="\r\n" if ordinal % 2 else "\n",
                     date_style="uk", seconds=ordinal % 4 != 3)


# =======================================================================================
# Calibration helpers computed from the tables above
# =======================================================================================
SV_CODE_LIST = tuple(SV_SHARE)
NON_SV_CODE_LIST = tuple(NON_SV_VOLUME)
_SV_SHARE_SUM = sum(SV_SHARE.values())
_NON_SV_SUM = sum(NON_SV_VOLUME.values())


@cache
def rapes_in_fy(fy: int) -> float:
    total = 0.0
    for k in range(12):
        y, m = (fy, 4 + k) if k < 9 else (fy + 1, k - 8)
        total += rapes_in_month(y, m)
    return total


@cache
def expected_sv_by_code(fy: int) -> dict[str, float]:
    """Expected SV crimes per code in a financial year (scale 1)."""
    rest = SV_TOTAL[min(max(fy, 2019), 2024)] - rapes_in_fy(fy) - _fy_value(HOMICIDES, fy)
    out = {c: rest * s / _SV_SHARE_SUM for c, s in SV_SHARE.items()}
    for c, s in zip(RAPE_CODES, RAPE_CODE_SHARE, strict=True):
        out[c] = rapes_in_fy(fy) * s
    return out


@cache
def knife_factor_ho(fy: int) -> float:
    """Scales KNIFE_P_HO so knife-enabled SV (Home Office list) hits the year's target."""
    exp = expected_sv_by_code(fy)
    base = sum(p * exp.get(c, 0) for c, p in KNIFE_P_HO.items())
    return (_fy_value(KNIFE_HO, fy) - _fy_value(HOMICIDES_KNIFE, fy)) / base


@cache
def knife_factor_other() -> float:
    """Scales KNIFE_P_OTHER_SV so 5% of 2022-23 SV is knife-flagged (SNA)."""
    exp = expected_sv_by_code(2022)
    base = sum(p * exp.get(c, 0) for c, p in KNIFE_P_OTHER_SV.items())
    return (SV_KNIFE_SHARE * SV_TOTAL[2022] - KNIFE_HO[2022]) / base


@cache
def da_factor() -> float:
    """Scales DA_P (all but 8U, always domestic) so 30% of SV is domestic-abuse related."""
    exp = expected_sv_by_code(2022)
    fixed = exp["8U"]
    rest = sum(DA_P.get(c, 0) * n for c, n in exp.items() if c != "8U")
    return (SV_DA_TARGET * sum(exp.values()) - fixed) / rest


@cache
def sv_location_table() -> dict[tuple[str, bool], np.ndarray]:
    """Location distribution per (code, domestic abuse) for SV, fitted (iterative
    proportional fitting) so the 2022-23 SV total matches the SNA's location shares."""
    exp = expected_sv_by_code(2022)
    f = da_factor()
    rows: list[tuple[str, bool]] = []
    sizes: list[float] = []
    seeds: list[np.ndarray] = []
    for c, n in exp.items():
        p_da = 1.0 if c == "8U" else min(DA_P.get(c, 0) * f, 1.0)
        for da, share in ((True, p_da), (False, 1 - p_da)):
            if share <= 0:
                continue
            rows.append((c, da))
            sizes.append(n * share)
            seeds.append(np.array(LOCATION_AFFINITY["da" if da else group_of(c)], float))
    m = np.array(seeds) + 1e-6
    r = np.array(sizes)
    col = SV_LOCATION_TARGET / SV_LOCATION_TARGET.sum() * r.sum()
    for _ in range(200):
        m *= (r / m.sum(axis=1))[:, None]
        m *= (col / m.sum(axis=0))[None, :]
    m /= m.sum(axis=1, keepdims=True)
    return {k: m[i] for i, k in enumerate(rows)}


def knife_district_weights() -> tuple[np.ndarray, np.ndarray]:
    """District weights for knife-flagged and other SV so that 69% of knife crime is in
    Leicester and every district keeps its SV share."""
    w = SV_DISTRICT_SHARE / SV_DISTRICT_SHARE.sum()
    wk = w / (1 - w[LEICESTER]) * (1 - KNIFE_LEICESTER_SHARE)
    wk[LEICESTER] = KNIFE_LEICESTER_SHARE
    f = SV_KNIFE_SHARE
    wn = (w - f * wk) / (1 - f)
    return wk, wn


# Hosts for a cohort member's planted earlier records (not high-harm, not sexual).
HOST_VICTIM_GROUPS = frozenset({"abh", "assault", "threats", "robbery", "public_order",
                                "theft", "harass"})
HOST_SUSPECT_GROUPS = frozenset({"abh", "assault", "shoplifting", "theft", "damage", "drugs",
                                 "public_order", "weapons"})
RASSO_CODES = frozenset(RAPE_CODES) | {"17A", "17B", "20A", "20B", "21", "22A", "22B", "23",
                                       "70", "71", "72", "73"}
VICTIM_AGE_RANGE = {  # code: target age range of victims (actual is target or one less)
    **{c: (lo, hi) for c, (_, lo, hi) in RAPE_VICTIM.items()},
    "17A": (14, 95), "20A": (14, 95), "17B": (4, 12), "20B": (4, 12), "21": (4, 12),
    "22B": (14, 15), "71": (12, 17), "73": (17, 17), "88A": (12, 15), "4.7": (1, 15),
}
VICTIM_DA_FEMALE = 0.74
SUSPECT_DA_MALE = 0.78
VICTIM_FEMALE_FACTOR = 0.925
SUSPECT_FEMALE_FACTOR = 1.25
VICTIM_SEX = {"17A": 0, "17B": 0, "20A": 1, "20B": 1,
              **{c: s for c, (s, _, _) in RAPE_VICTIM.items()}}


# =======================================================================================
# Run state and the homicide plan
# =======================================================================================
@dataclass
class Homicide:
    day: int
    code: str
    district: int
    knife: bool
    victim_u25: bool
    young_suspect: bool


def plan_homicides(ctx: GenContext, rng: np.random.Generator) -> list[Homicide]:
    """Homicides by financial year (SV Duty para 26), placed on random days."""
    quota = Quota()
    out: list[Homicide] = []
    lo_all, hi_all = day_number(ctx.start), day_number(ctx.end)
    fy = fy_of_day(lo_all)
    while day_number(date(fy, 4, 1)) <= hi_all:
        lo = max(lo_all, day_number(date(fy, 4, 1)))
        hi = min(hi_all, day_number(date(fy + 1, 3, 31)))
        frac = (hi - lo + 1) / (day_number(date(fy + 1, 4, 1)) - day_number(date(fy, 4, 1)))
        s = ctx.scale * frac
        n = quota.take("n", _fy_value(HOMICIDES, fy) * s)
        k = quota.take("knife", _fy_value(HOMICIDES_KNIFE, fy) * s, maximum=n)
        u = quota.take("knife_u25", _fy_value(HOMICIDES_KNIFE_U25, fy) * s, maximum=k)
        young = quota.take("young", 0.3 * n)
        days = np.sort(rng.integers(lo, hi + 1, size=n))
        young_set = set(rng.choice(n, size=min(young, n), replace=False).tolist()) if n else set()
        for i, d in enumerate(days.tolist()):
            out.append(Homicide(
                day=int(d), code="1" if rng.random() < 0.78 else "4.1",
                district=int(rng.choice(len(DISTRICTS), p=SV_DISTRICT_SHARE
                                        / SV_DISTRICT_SHARE.sum())),
                knife=i < k, victim_u25=i < u, young_suspect=i in young_set))
        fy += 1
    # Knife and victim-age flags were given to the first k/u of each year; shuffle days.
    return out


@dataclass
class PoliceState:
    ctx: GenContext
    pop: Population
    registry: PersonRegistry
    plan: CohortPlan
    homicides: list[Homicide]
    quarters: list[Period]
    defects: Defects
    bad_header_q: int = -1
    resend_q: int = -1
    quota: Quota = field(default_factory=Quota)
    seq: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    custody_seq: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    pending: dict[int, list[np.ndarray]] = field(default_factory=lambda: defaultdict(list))
    quarantined_crimes: set[int] = field(default_factory=set)
    removed_crimes: set[int] = field(default_factory=set)
    fixed_crimes: set[int] = field(default_factory=set)
    orphans_by_key: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    orphans: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    old_crime_keys: list[int] = field(default_factory=list)
    old_custody_refs: list[str] = field(default_factory=list)
    old_people_rows: list[tuple[list[Any], int, int, str]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    files: list[str] = field(default_factory=list)
    file_rows: dict[str, int] = field(default_factory=dict)
    resend_counts: dict[str, int] = field(default_factory=dict)

    @property
    def data_start(self) -> int:
        return day_number(self.ctx.start)

    @property
    def data_end(self) -> int:
        return day_number(self.ctx.end)


OUTCOME_CODES: tuple[str, ...] = tuple(r["outcome_code"] for r in seed_rows("ref_outcome_types"))
_OUTCOME_INDEX = {c: i for i, c in enumerate(OUTCOME_CODES)}
PENDING_DTYPE = np.dtype([("key", np.int64), ("code", np.int16), ("day", np.int32),
                          ("order", np.int8)])


def crime_ref(key: int) -> str:
    year, seq = divmod(int(key), 10_000_000)
    return f"CR/{seq:07d}/{year % 100:02d}"


# =======================================================================================
# One quarter of crimes
# =======================================================================================
@dataclass
class Crimes:
    """One quarter's crimes as columns (index = position before sorting)."""

    code: list[str]
    recorded: np.ndarray
    offence_day: np.ndarray
    minute: np.ndarray  # planned minute of day or -1
    district: np.ndarray
    cancelled: np.ndarray
    knife: np.ndarray
    vband: np.ndarray  # victim band: 0 free, 1 under 25, 2 aged 25+
    cohort: np.ndarray  # index into plan.crimes or -1
    homicide: np.ndarray  # index into homicides or -1
    rape_charged: np.ndarray
    protected: np.ndarray
    da: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    beat: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    offence: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    offence_to: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    location: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    alcohol: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    hate: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    firearm: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    key: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.code)

    def take(self, order: np.ndarray) -> Crimes:
        n = len(order)
        return Crimes(**{k: (v[order] if isinstance(v, np.ndarray) and len(v) == n else v
                             if isinstance(v, np.ndarray) else [v[i] for i in order.tolist()])
                         for k, v in self.__dict__.items()})


@dataclass
class People:
    crime: np.ndarray  # index into Crimes (sorted order)
    role: np.ndarray  # 0 victim, 1 suspect
    person: np.ndarray
    protected: np.ndarray
    age: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.crime)


def _months(lo: int, hi: int) -> list[tuple[int, int]]:
    out = []
    d = day_date(lo)
    while day_number(d) <= hi:
        nxt = periods.add_months(d, 1)
        out.append((day_number(d), min(hi, day_number(nxt) - 1)))
        d = nxt
    return out


def build_crimes(st: PoliceState, qi: int, lo: int, hi: int, rng: np.random.Generator
                 ) -> Crimes:
    """Which crimes are recorded in the quarter: codes, days, knife, victim band, place."""
    scale = st.ctx.scale
    quota = st.quota
    cols: dict[str, list[Any]] = defaultdict(list)
    wk, wn = knife_district_weights()

    def add(code: str, recorded: int, offence_day: int, *, minute: int = -1,
            district: int = -1, cancelled: bool = False, knife: int = -1, vband: int = 0,
            cohort: int = -1, homicide: int = -1) -> None:
        cols["code"].append(code)
        cols["recorded"].append(recorded)
        cols["offence_day"].append(offence_day)
        cols["minute"].append(minute)
        cols["district"].append(district)
        cols["cancelled"].append(cancelled)
        cols["knife"].append(knife)
        cols["vband"].append(vband)
        cols["cohort"].append(cohort)
        cols["homicide"].append(homicide)

    cohort_by_hom = {c.homicide_event: i for i, c in enumerate(st.plan.crimes)
                     if c.homicide_event >= 0}
    for mlo, mhi in _months(lo, hi):
        days = np.arange(mlo, mhi + 1)
        w = day_weight(days)
        p_day = w / w.sum()
        fy = fy_of_day(mlo)
        frac = float(w.sum()) / fy_weight_total(fy)
        first = len(cols["code"])
        y, m = day_date(mlo).year, day_date(mlo).month
        month_days = (day_number(periods.add_months(date(y, m, 1), 1))
                      - day_number(date(y, m, 1)))

        def free_days(n: int, p_day: np.ndarray = p_day, days: np.ndarray = days) -> np.ndarray:
            return days[rng.choice(len(days), size=n, p=p_day)] if n else np.zeros(0, int)

        # Planned crimes first: homicides, then the cohort's high-harm crimes.
        for h, ev in enumerate(st.homicides):
            if mlo <= ev.day <= mhi:
                ci = cohort_by_hom.get(h, -1)
                minute = (st.plan.crimes[ci].offence_minute if ci >= 0
                          else int(rng.choice(24, p=ADULT_HOURS)) * 60 + int(rng.integers(60)))
                rec = min(ev.day + int(rng.choice([0, 0, 1, 2])), hi)
                add(ev.code, rec, ev.day, minute=minute, district=ev.district,
                    knife=int(ev.knife), vband=(1 if ev.victim_u25 else 2) if ev.knife else 0,
                    cohort=ci, homicide=h)
        planned: dict[str, int] = defaultdict(int)
        for ci, c in enumerate(st.plan.crimes):
            if c.homicide_event < 0 and mlo <= c.offence_day <= mhi:
                rec = min(c.offence_day + int(rng.choice([0, 0, 0, 1, 2])), hi)
                add(c.code, rec, c.offence_day, minute=c.offence_minute, district=c.district,
                    cohort=ci)
                planned[c.code] += 1
        # Rapes (monthly series), then every other SV code, then other crime.
        n_rape = quota.take("rape", rapes_in_month(y, m) * scale * len(days) / month_days)
        for code, n in zip(RAPE_CODES, quota.split("rape_code", n_rape, RAPE_CODE_SHARE),
                           strict=True):
            for d in free_days(int(n)).tolist():
                add(code, d, d)
        sv_rest = (_fy_value(SV_TOTAL, fy) * frac - rapes_in_fy(fy) * frac
                   - _fy_value(HOMICIDES, fy) * frac) * scale
        for code in SV_CODE_LIST:
            exp = sv_rest * SV_SHARE[code] / _SV_SHARE_SUM
            n = quota.take(("sv", code), exp, minimum=planned[code]) - planned[code]
            for d in free_days(n).tolist():
                add(code, d, d)
        nsv = _fy_value(NON_SV_TOTAL, fy) * frac * scale
        for code in NON_SV_CODE_LIST:
            n = quota.take(("nsv", code), nsv * NON_SV_VOLUME[code] / _NON_SV_SUM)
            for d in free_days(n).tolist():
                add(code, d, d)
        n_cancel = quota.take("cancel", CANCELLED_SHARE * (sv_rest + nsv))
        mix = {**{c: s / _SV_SHARE_SUM * 0.3 for c, s in SV_SHARE.items()},
               **{c: v / _NON_SV_SUM * 0.7 for c, v in NON_SV_VOLUME.items()}}
        for code, d in zip(weighted_choice(rng, mix, n_cancel), free_days(n_cancel).tolist(),
                           strict=True):
            add(code, d, d, cancelled=True)

        # Knife flags: exact per code per month (HO list and other SV), random elsewhere.
        last = len(cols["code"])
        idx_by_code: dict[str, list[int]] = defaultdict(list)
        for i in range(first, last):
            if not cols["cancelled"][i] and cols["homicide"][i] < 0:
                idx_by_code[cols["code"][i]].append(i)
        for code in sorted(idx_by_code):
            idx = idx_by_code[code]
            if code in KNIFE_P_HO:
                p = KNIFE_P_HO[code] * knife_factor_ho(fy)
            elif code in KNIFE_P_OTHER_SV:
                p = KNIFE_P_OTHER_SV[code] * knife_factor_other()
            else:
                p = KNIFE_P_NON_SV.get(code, 0.0)
                for i in idx:
                    cols["knife"][i] = int(rng.random() < p)
                continue
            k = quota.take(("knife", code), p * len(idx), maximum=len(idx))
            yes = set(rng.choice(len(idx), size=k, replace=False).tolist()) if k else set()
            for t, i in enumerate(idx):
                cols["knife"][i] = int(t in yes)
        for i in range(first, last):
            if cols["cancelled"][i]:
                cols["knife"][i] = 0
        # Victim under 25 among knife-enabled SV (HO list), homicides already planned.
        kho = [i for i in range(first, last) if cols["knife"][i] == 1
               and cols["homicide"][i] < 0 and cols["code"][i] in HO_KNIFE_CODES]
        share = ((_fy_value(KNIFE_HO_VICTIM_U25, fy) - _fy_value(HOMICIDES_KNIFE_U25, fy))
                 / (_fy_value(KNIFE_HO, fy) - _fy_value(HOMICIDES_KNIFE, fy)))
        u = quota.take("knife_u25", share * len(kho), maximum=len(kho))
        young = set(rng.choice(len(kho), size=u, replace=False).tolist()) if u else set()
        for t, i in enumerate(kho):
            cols["vband"][i] = 1 if t in young else 2
        # Districts: exact shares for SV (knife and not), population-led for the rest.
        svc = sv_codes()
        groups = {"sv_knife": [], "sv_other": [], "other": []}
        for i in range(first, last):
            if cols["cancelled"][i] or cols["code"][i] not in svc:
                g = "other"
            else:
                g = "sv_knife" if cols["knife"][i] == 1 else "sv_other"
            groups[g].append(i)
        for g, weights in (("sv_knife", wk), ("sv_other", wn), ("other", NON_SV_DISTRICT_SHARE)):
            idx = groups[g]
            forced = np.zeros(len(DISTRICTS), dtype=np.int64)
            free = []
            for i in idx:
                if cols["district"][i] >= 0:
                    forced[cols["district"][i]] += 1
                else:
                    free.append(i)
            alloc = quota.split(("district", g), len(free), weights, forced)
            labels = np.repeat(np.arange(len(DISTRICTS)), alloc)
            rng.shuffle(labels)
            for i, j in zip(free, labels.tolist(), strict=True):
                cols["district"][i] = j

    n = len(cols["code"])
    c = Crimes(
        code=cols["code"], recorded=np.array(cols["recorded"], dtype=np.int64),
        offence_day=np.array(cols["offence_day"], dtype=np.int64),
        minute=np.array(cols["minute"], dtype=np.int64),
        district=np.array(cols["district"], dtype=np.int64),
        cancelled=np.array(cols["cancelled"], dtype=bool),
        knife=np.array(cols["knife"], dtype=np.int8),
        vband=np.array(cols["vband"], dtype=np.int8),
        cohort=np.array(cols["cohort"], dtype=np.int64),
        homicide=np.array(cols["homicide"], dtype=np.int64),
        rape_charged=np.zeros(n, dtype=bool),
        protected=np.array(cols["cohort"], dtype=np.int64) >= 0,
    )
    _place_and_time(c, st, lo, rng)
    return c


LAG_PROFILES = {  # (P(same day), P(1-3 days), P(4-30), P(31-365), P(1-10 years))
    "violence": (0.62, 0.25, 0.10, 0.03, 0.0),
    "course": (0.40, 0.25, 0.25, 0.10, 0.0),
    "sexual": (0.30, 0.18, 0.20, 0.14, 0.18),
    "property": (0.60, 0.30, 0.10, 0.0, 0.0),
}


def _place_and_time(c: Crimes, st: PoliceState, lo: int, rng: np.random.Generator) -> None:
    """Beat, offence day (a lag before recording), domestic-abuse flag."""
    n = len(c)
    idx, cdf = beat_tables()
    c.beat = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    for j in range(len(DISTRICTS)):
        sel = c.district == j
        if sel.any():
            c.beat[sel] = idx[j][np.minimum(np.searchsorted(cdf[j], u[sel]), len(idx[j]) - 1)]
    lag = np.zeros(n, dtype=np.int64)
    bands = [(0, 0), (1, 3), (4, 30), (31, 365), (366, 3650)]
    planned = (c.cohort >= 0) | (c.homicide >= 0)
    for prof_name, prof in LAG_PROFILES.items():
        sel = np.array([PROFILES[group_of(code)].lag == prof_name for code in c.code]) & ~planned
        k = int(sel.sum())
        if not k:
            continue
        b = rng.choice(len(bands), size=k, p=np.array(prof) / sum(prof))
        lo_b = np.array([bands[x][0] for x in b])
        hi_b = np.array([bands[x][1] for x in b])
        lag[sel] = lo_b + (rng.random(k) * (hi_b - lo_b + 1)).astype(np.int64)
    c.offence_day = np.where(planned, c.offence_day, c.recorded - lag)
    f = da_factor()
    p_da = np.array([1.0 if code == "8U" else min(DA_P.get(code, 0.0) * (
        f if code in sv_codes() else 1.0), 1.0) for code in c.code])
    c.da = (rng.random(n) < p_da) & ~((c.homicide >= 0) & (rng.random(n) < 0.5))


# =======================================================================================
# Victims and suspects
# =======================================================================================
def build_people(st: PoliceState, c: Crimes, rng: np.random.Generator) -> People:
    """Victims and suspects of the quarter's crimes, drawn from the population."""
    pop = st.pop
    n = len(c)
    groups = [group_of(code) for code in c.code]
    prof = [PROFILES[g] for g in groups]
    vic_p = np.array([p.victims for p in prof])
    n_vic = (rng.random(n)[:, None] > np.cumsum(vic_p, axis=1)).sum(axis=1)
    n_vic = np.minimum(n_vic, 3)
    n_vic[c.homicide >= 0] = 1
    n_vic[(c.vband > 0) & (n_vic == 0)] = 1  # a victim-age figure needs a victim
    # Suspects: identified or not; group sizes; the cohort's crimes carry their members.
    known = rng.random(n) < np.array([p.suspect_known for p in prof])
    size_p = np.array([p.group_size for p in prof])
    size = 1 + (rng.random(n)[:, None] > np.cumsum(size_p, axis=1)).sum(axis=1)
    n_sus = np.where(known, np.minimum(size, 3), 0)
    is_rasso = np.array([code in RASSO_CODES for code in c.code])
    high_harm = np.array([code in HIGH_HARM_CODES for code in c.code])
    cohort_members = {i: st.plan.crimes[int(c.cohort[i])].members
                      for i in np.flatnonzero(c.cohort >= 0).tolist()}
    for i, members in cohort_members.items():
        n_sus[i] = len(members)
    # One suspect in five under 19 for rape and serious sexual offences (exact quota).
    rasso_idx = np.flatnonzero(is_rasso & (n_sus > 0) & ~c.cancelled)
    k = st.quota.take("rasso_u19", RASSO_SUSPECT_UNDER_19 * len(rasso_idx),
                      maximum=len(rasso_idx))
    rasso_young = np.zeros(n, dtype=bool)
    if k:
        rasso_young[rng.choice(rasso_idx, size=k, replace=False)] = True

    crime = np.concatenate([np.repeat(np.arange(n), n_vic), np.repeat(np.arange(n), n_sus)])
    role = np.concatenate([np.zeros(int(n_vic.sum()), np.int8), np.ones(int(n_sus.sum()), np.int8)])
    m = len(crime)
    victim = role == 0
    codes = np.array(c.code, dtype=object)[crime]
    # Sex.
    p_f_vic = np.array([VICTIM_DA_FEMALE if c.da[i] else prof[i].victim_female
                        for i in range(n)]) * VICTIM_FEMALE_FACTOR
    p_m_sus = np.array([SUSPECT_DA_MALE if c.da[i] and prof[i].suspect_male < SUSPECT_DA_MALE
                        else prof[i].suspect_male for i in range(n)])
    # SNA: 70.9% of suspect records male, 55.5% of victim records female.
    p_m_sus = np.where(is_rasso, p_m_sus, 1 - (1 - p_m_sus) * SUSPECT_FEMALE_FACTOR)
    sex = np.where(victim, (rng.random(m) < p_f_vic[crime]).astype(np.int64),
                   (rng.random(m) >= p_m_sus[crime]).astype(np.int64))
    for code, s in VICTIM_SEX.items():
        sel = victim & (codes == code)
        sex[sel] = s
    # Target ages (actual is the target or one less).
    lo = np.where(victim, 1, 11)
    hi = np.where(victim, 95, 85)
    for code, (a, b) in VICTIM_AGE_RANGE.items():
        sel = victim & (codes == code)
        lo[sel], hi[sel] = a, b
    vb = c.vband[crime]
    lo = np.where(victim & (vb == 2), np.maximum(lo, 26), lo)
    hi = np.where(victim & (vb == 1), np.minimum(hi, 24), hi)
    sus = ~victim
    lo = np.where(sus & high_harm[crime], 26, lo)
    lo = np.where(sus & is_rasso[crime] & ~rasso_young[crime], 20, lo)
    hi = np.where(sus & is_rasso[crime] & rasso_young[crime], 18, hi)
    lo = np.where(sus & is_rasso[crime] & rasso_young[crime], 12, lo)
    age = np.zeros(m, dtype=np.int64)
    age[victim] = sample_truncated(rng, VICTIM_AGE, lo[victim], hi[victim])
    age[sus] = sample_truncated(rng, SUSPECT_AGE, lo[sus], hi[sus])
    # Home district: usually where the crime happened.
    pop_w = np.array(DISTRICT_POPULATION, float) / sum(DISTRICT_POPULATION)
    home = np.where(rng.random(m) < 0.8, c.district[crime],
                    rng.choice(len(DISTRICTS), size=m, p=pop_w))
    day = c.offence_day[crime]
    person = np.zeros(m, dtype=np.int64)
    person[victim] = pop.pick(rng, home[victim], sex[victim], age[victim], day[victim], 1.3)
    person[sus] = pop.pick(rng, home[sus], sex[sus], age[sus], day[sus], 1.6)
    protected = np.zeros(m, dtype=bool)
    # The cohort's own crimes: their members are the suspects.
    start_sus = np.concatenate([[0], np.cumsum(n_sus)])[:-1] + int(n_vic.sum())
    for i, members in cohort_members.items():
        for t, mi in enumerate(members):
            person[start_sus[i] + t] = st.plan.members[mi].person_id
            protected[start_sus[i] + t] = True
    p = People(crime=crime, role=role, person=person, protected=protected)
    p = _dedupe(p)
    _plant_roles(st, c, p, rng)
    p.age = age_on(pop.dob(p.person), c.offence_day[p.crime])
    return p


def _dedupe(p: People) -> People:
    """One row per (crime, person, role): the key of crime_people."""
    key = (p.crime.astype(np.int64) << 33) | (p.person << 1) | p.role
    _, first = np.unique(key, return_index=True)
    keep = np.sort(first)
    return People(p.crime[keep], p.role[keep], p.person[keep], p.protected[keep])


def _plant_roles(st: PoliceState, c: Crimes, p: People, rng: np.random.Generator) -> None:
    """Give cohort members their earlier victimisation and offending: each takes the
    place of a victim or suspect in an ordinary crime recorded in the planned month."""
    for factor, role, hosts in (("earlier_victimisation", 0, HOST_VICTIM_GROUPS),
                                ("earlier_offending", 1, HOST_SUSPECT_GROUPS)):
        events = st.plan.factor_events(factor, int(c.recorded.min()) if len(c) else 0,
                                       int(c.recorded.max()) + 1 if len(c) else 0)
        if not events:
            continue
        month = c.recorded.astype("datetime64[D]").astype("datetime64[M]")
        first_row: dict[int, int] = {}
        for r in np.flatnonzero(p.role == role).tolist():
            first_row.setdefault(int(p.crime[r]), r)
        ok = np.array([(not c.cancelled[i]) and (not c.protected[i]) and c.knife[i] != 1
                       and c.code[i] not in HIGH_HARM_CODES and group_of(c.code[i]) in hosts
                       and i in first_row for i in range(len(c))])
        for mi, d in events:
            want = np.datetime64(day_date(d), "M")
            cand = np.flatnonzero(ok & (month == want))
            member = st.plan.members[mi]
            if role == 1:
                age_ok = age_on(st.pop.dob(np.array([member.person_id])),
                                c.offence_day[cand]) >= 10 if len(cand) else cand
                cand = cand[age_ok] if len(cand) else cand
            if not len(cand):
                del member.factors[factor]
                continue
            i = int(cand[int(rng.integers(0, len(cand)))])
            r = first_row[i]
            p.person[r] = member.person_id
            p.protected[r] = True
            c.protected[i] = True
            ok[i] = False
            member.factors[factor] = int(c.recorded[i])


def finish_crimes(st: PoliceState, c: Crimes, p: People, rng: np.random.Generator) -> None:
    """Hour of the offence (young suspects' afternoon peak), offence_to, location, flags."""
    n = len(c)
    youngest_sus = np.full(n, 999)
    youngest_vic = np.full(n, 999)
    s = p.role == 1
    np.minimum.at(youngest_sus, p.crime[s], p.age[s])
    np.minimum.at(youngest_vic, p.crime[~s], p.age[~s])
    youth = (youngest_sus < 25) | ((youngest_sus == 999) & (youngest_vic < 18))
    hour = np.where(youth, rng.choice(24, size=n, p=YOUTH_HOURS),
                    rng.choice(24, size=n, p=ADULT_HOURS))
    minute = np.where(c.minute >= 0, c.minute, hour * 60 + rng.integers(0, 60, size=n))
    c.offence = c.offence_day * 1440 + minute
    # offence_to: a range for courses of conduct, historic and overnight offences.
    lag = c.recorded - c.offence_day
    p_range = np.array([{"course": 0.7, "sexual": 0.4, "property": 0.5}.get(
        PROFILES[group_of(code)].lag, 0.2) for code in c.code])
    has_to = (rng.random(n) < p_range) & (c.homicide < 0)
    span = np.where(lag > 0, (rng.random(n) * lag * 1440).astype(np.int64),
                    rng.integers(30, 12 * 60, size=n))
    end_cap = c.recorded * 1440 + 1439
    c.offence_to = np.where(has_to, np.minimum(c.offence + np.maximum(span, 10), end_cap), -1)
    c.offence_to = np.where(c.offence_to > c.offence, c.offence_to, -1)
    # Location.
    table = sv_location_table()
    loc = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    by_kind: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for i, code in enumerate(c.code):
        by_kind[(code, bool(c.da[i]))].append(i)
    for (code, da), idx in by_kind.items():
        dist = table.get((code, da))
        if dist is None:
            base = np.array(LOCATION_AFFINITY["da"] if da else NON_SV_LOCATION.get(
                group_of(code), NON_SV_LOCATION["other"]), float)
            dist = base / base.sum()
        sel = np.array(idx)
        loc[sel] = np.minimum(np.searchsorted(np.cumsum(dist), u[sel]), len(LOCATIONS) - 1)
    loc[rng.random(n) < 0.008] = -1  # not recorded
    c.location = loc
    # Flags.
    nte = (hour >= 22) | (hour <= 4)
    p_alc = np.where(loc == 2, 0.7, np.where(nte, 0.35, 0.12))
    alcohol = (rng.random(n) < p_alc).astype(np.int8)
    alcohol[rng.random(n) < 0.05] = -1  # unknown
    c.alcohol = alcohol
    hate_codes = {"8M", "8P", "9B", "105B", "58J"}
    c.hate = np.array([code in hate_codes for code in c.code]) | (rng.random(n) < 0.012)
    fire_p = {"34A": 0.02, "34B": 0.02, "5D": 0.015, "2": 0.05, "1": 0.1, "4.1": 0.05,
              "10A": 1.0, "10B": 1.0, "81": 1.0}
    c.firearm = rng.random(n) < np.array([fire_p.get(code, 0.001) for code in c.code])


def sort_and_number(st: PoliceState, c: Crimes, p: People, rng: np.random.Generator
                    ) -> Crimes:
    """Order by recording (then at random) and give crime references, numbered per
    calendar year of recording as the force does (CR/0123456/23). People follow."""
    order = np.lexsort((rng.random(len(c)), c.recorded))
    c = c.take(order)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    p.crime = inverse[p.crime]
    by = np.lexsort((p.role, p.crime))
    for name in ("crime", "role", "person", "protected", "age"):
        setattr(p, name, getattr(p, name)[by])
    years, _, _ = ymd(c.recorded)
    keys = np.zeros(len(c), dtype=np.int64)
    for y in np.unique(years).tolist():
        sel = np.flatnonzero(years == y)
        start = st.seq[y]
        keys[sel] = y * 10_000_000 + start + 1 + np.arange(len(sel))
        st.seq[y] = start + len(sel)
    c.key = keys
    for i in np.flatnonzero(c.cohort >= 0).tolist():
        st.plan.crimes[int(c.cohort[i])].crime_ref = crime_ref(int(keys[i]))
    return c


# =======================================================================================
# Outcomes: assignments dated after recording, filed in the quarter they are made
# =======================================================================================
def _lognormal_days(rng: np.random.Generator, median: np.ndarray, sigma: float) -> np.ndarray:
    return np.maximum(np.round(median * np.exp(sigma * rng.standard_normal(len(median)))), 0)


def plan_outcomes(st: PoliceState, qi: int, c: Crimes, p: People,
                  rng: np.random.Generator) -> None:
    """Decide each crime's outcome assignments and queue them for the file of the
    quarter they are made in (a few arrive a quarter late; a few are superseded)."""
    n = len(c)
    alive = ~c.cancelled
    sus_count = np.bincount(p.crime[p.role == 1], minlength=n)
    youngest_sus = np.full(n, 999)
    s = p.role == 1
    np.minimum.at(youngest_sus, p.crime[s], p.age[s])
    is_rape = np.array([code in RAPE_CODES for code in c.code])
    final = np.full(n, "", dtype=object)
    median = np.zeros(n)
    # Rapes: charged as they stand at extraction, an exact share of each month's rapes.
    months = c.recorded.astype("datetime64[D]").astype("datetime64[M]")
    for mo in np.unique(months[is_rape & alive]):
        idx = np.flatnonzero(is_rape & alive & (months == mo))
        d = mo.astype(object)
        k = st.quota.take("rape_charge", rape_charge_share(d.year, d.month) * len(idx),
                          maximum=len(idx))
        charged = rng.choice(idx, size=k, replace=False) if k else np.zeros(0, int)
        c.rape_charged[charged] = True
    slower = np.where(c.recorded < RAPE_FASTER_FROM, RAPE_SLOWER_FACTOR, 1.0)
    for i in np.flatnonzero(is_rape & alive).tolist():
        if c.rape_charged[i]:
            code = "1" if rng.random() < 0.9 else "1A"
        elif sus_count[i] == 0:
            code = "18" if rng.random() < 0.6 else "14"
        else:
            code = weighted_choice(rng, RAPE_OUTCOME_NOT_CHARGED, 1)[0]
        final[i] = code
        median[i] = RAPE_MEDIAN_DAYS[code] * slower[i]
    others = np.flatnonzero(~is_rape & alive)
    groups = np.array([group_of(c.code[i]) for i in others], dtype=object)
    for g in sorted(set(groups.tolist())):
        sel = others[groups == g]
        with_s = sel[sus_count[sel] > 0]
        no_s = sel[sus_count[sel] == 0]
        mix = OUTCOME_WITH_SUSPECT.get(g, OUTCOME_WITH_SUSPECT["default"])
        final[with_s] = weighted_choice(rng, mix, len(with_s))
        final[no_s] = weighted_choice(rng, OUTCOME_NO_SUSPECT, len(no_s))
    # Youth cautions only for the young; adults get adult cautions.
    adult = youngest_sus >= 18
    final[(final == "2") & adult] = "3"
    final[(final == "2A") & adult] = "3A"
    for i in others.tolist():
        median[i] = OUTCOME_MEDIAN_DAYS.get(final[i], 60)
    delay = np.zeros(n)
    delay[others] = _lognormal_days(rng, median[others], 0.8)
    rapes = np.flatnonzero(is_rape & alive)
    delay[rapes] = _lognormal_days(rng, median[rapes], 0.75)
    # A charge counted at extraction must be dated by then: redraw until it is.
    avail = st.data_end - c.recorded
    for i in np.flatnonzero(c.rape_charged).tolist():
        tries = 0
        while delay[i] > avail[i] and tries < 60:
            delay[i] = _lognormal_days(rng, np.array([median[i]]), 0.75)[0]
            tries += 1
        delay[i] = min(delay[i], avail[i])
    delay = np.maximum(delay, np.where(np.isin(final, ["18", "14"]), 0, 1))
    day = c.recorded + delay.astype(np.int64)
    has = alive & (day <= st.data_end) & (final != "")
    starts = np.array([day_number(q.start) for q in st.quarters])
    entries: list[tuple[int, int, int, int, int]] = []  # file, key, code, day, order
    nq = len(st.quarters)

    def file_of(d: int, late: bool) -> int:
        f = int(np.searchsorted(starts, d, side="right")) - 1
        return min(f + 1, nq - 1) if late else f

    u = rng.random((n, 4))
    for i in np.flatnonzero(has).tolist():
        key, d, code = int(c.key[i]), int(day[i]), str(final[i])
        late = u[i, 0] < OUTCOME_LATE
        # An earlier assignment, later superseded (e.g. 18 then a suspect is found).
        if u[i, 1] < OUTCOME_REVISED and d - int(c.recorded[i]) >= 4:
            d0 = int(c.recorded[i]) + int((d - int(c.recorded[i])) * (0.2 + 0.5 * u[i, 2]))
            if d0 < d:
                first = ("15" if code in ("1", "1A") else "18" if code != "18" else "14")
                entries.append((file_of(d0, u[i, 3] < OUTCOME_LATE), key, _OUTCOME_INDEX[first],
                                d0, 0))
        entries.append((file_of(d, late), key, _OUTCOME_INDEX[code], d, 1))
        # A same-day correction that arrives later and becomes current (not for rapes,
        # whose charge rate is planted exactly).
        if not is_rape[i] and u[i, 3] > 1 - OUTCOME_TIES:
            fixed = "15" if code not in ("15", "1", "1A") else "16"
            if code in ("1", "1A"):
                continue
            entries.append((min(file_of(d, False) + 1, nq - 1), key, _OUTCOME_INDEX[fixed], d, 2))
    if entries:
        arr = np.array(entries, dtype=np.int64)
        for f in np.unique(arr[:, 0]).tolist():
            sel = arr[arr[:, 0] == f]
            rec = np.zeros(len(sel), dtype=PENDING_DTYPE)
            rec["key"], rec["code"], rec["day"], rec["order"] = sel[:, 1], sel[:, 2], sel[:, 3], \
                sel[:, 4]
            st.pending[int(f)].append(rec)


# =======================================================================================
# Custody: detentions by arrival in the quarter
# =======================================================================================
@dataclass
class Custody:
    person: np.ndarray
    arrived: np.ndarray  # minutes since 1970
    code: list[str]
    protected: np.ndarray
    suite: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    authorised: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    released: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    age: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    disposal: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    flags: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), bool))
    refs: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.person)


ARREST_WEIGHT = {"homicide": 3, "gbh": 2, "abh": 1, "robbery": 1.5, "rape": 1, "sexual": 0.8,
                 "coercive": 1, "harass": 0.4, "threats": 0.8, "drugs": 1.2, "weapons": 1.5,
                 "shoplifting": 0.6, "assault": 0.7, "burglary": 1, "theft": 0.4,
                 "damage": 0.4, "public_order": 0.5, "disorder": 0.8, "kidnap": 1.5,
                 "arson": 1, "agg_burglary": 2, "other": 0.3}
JUVENILE_ARRESTS = {"105A": 3, "8N": 3, "46": 2, "49": 1, "58C": 1, "34B": 2, "10D": 2,
                    "92E": 1}


def build_custody(st: PoliceState, qi: int, lo: int, hi: int, c: Crimes, p: People,
                  rng: np.random.Generator) -> Custody:
    scale = st.ctx.scale
    n = 0
    for mlo, mhi in _months(lo, hi):
        fy = fy_of_day(mlo)
        fy_days = day_number(date(fy + 1, 4, 1)) - day_number(date(fy, 4, 1))
        n += st.quota.take("custody", _fy_value(CUSTODY_TOTAL, fy) * scale
                           * (mhi - mlo + 1) / fy_days)
    # The cohort's index crimes: most members are arrested within days.
    cohort_rows = np.flatnonzero(p.protected & (p.role == 1) & (c.cohort[p.crime] >= 0))
    arrested = cohort_rows[rng.random(len(cohort_rows)) < 0.6]
    n_link = min(max(round(0.45 * n) - len(arrested), 0),
                 int(((p.role == 1) & ~c.cancelled[p.crime]).sum()))
    cand = np.flatnonzero((p.role == 1) & ~c.cancelled[p.crime] & ~p.protected)
    w = np.array([ARREST_WEIGHT.get(group_of(c.code[int(p.crime[r])]), 0.3) for r in cand])
    n_link = min(n_link, len(cand))
    linked = (rng.choice(cand, size=n_link, replace=False, p=w / w.sum()) if n_link
              else np.zeros(0, np.int64))
    rows = np.concatenate([arrested, linked]).astype(np.int64)
    lag = np.minimum(rng.geometric(0.45, size=len(rows)) - 1, 10)
    day_l = np.minimum(c.recorded[p.crime[rows]] + lag, hi)
    code_l = [c.code[int(p.crime[r])] for r in rows]
    n_free = max(n - len(rows), 0)
    # Everyone else: warrants, breaches, arrests for crimes of other quarters.
    sex = (rng.random(n_free) >= 0.86).astype(np.int64)
    age = sample_truncated(rng, CUSTODY_AGE, np.full(n_free, 13), np.full(n_free, 85))
    dist_w = np.array(DISTRICT_POPULATION, float) * np.array([1.8, 1, 1, 1, 1, 1, 0.6, 0.8, 1])
    home = rng.choice(len(DISTRICTS), size=n_free, p=dist_w / dist_w.sum())
    day_f = rng.integers(lo, hi + 1, size=n_free)
    person_f = st.pop.pick(rng, home, sex, age, day_f, 1.8)
    code_f = weighted_choice(rng, CUSTODY_ARREST_CODES, n_free)
    protected_f = np.zeros(n_free, dtype=bool)
    # Earlier custody of cohort members, planted into the quarter's other detentions.
    events = st.plan.factor_events("earlier_custody", lo, hi + 1)
    slots = rng.permutation(n_free)
    for t, (mi, d) in enumerate(events):
        member = st.plan.members[mi]
        if t >= n_free:
            del member.factors["earlier_custody"]
            continue
        j = int(slots[t])
        person_f[j] = member.person_id
        day_f[j] = d
        code_f[j] = weighted_choice(rng, JUVENILE_ARRESTS, 1)[0]
        protected_f[j] = True
    person = np.concatenate([p.person[rows], person_f]).astype(np.int64)
    day = np.concatenate([day_l, day_f]).astype(np.int64)
    hours = rng.choice(24, size=len(person), p=CUSTODY_HOURS)
    arrived = day * 1440 + hours * 60 + rng.integers(0, 60, size=len(person))
    # Arrival after the offence: on the crime's recording day, not before its time.
    off = np.concatenate([c.offence[p.crime[rows]], np.zeros(n_free, np.int64)])
    arrived = np.where(arrived < off, np.minimum(off + 90, day * 1440 + 1439), arrived)
    cu = Custody(person=person, arrived=arrived, code=code_l + code_f,
                 protected=np.concatenate([np.ones(len(rows), bool) & np.isin(rows, arrested),
                                           protected_f]))
    order = np.lexsort((rng.random(len(cu)), cu.arrived))
    cu.person, cu.arrived, cu.protected = cu.person[order], cu.arrived[order], cu.protected[order]
    cu.code = [cu.code[i] for i in order.tolist()]
    m = len(cu)
    cu.age = age_on(st.pop.dob(cu.person), cu.arrived // 1440)
    cu.suite = rng.choice(3, size=m, p=[0.60, 0.37, 0.03])
    cu.authorised = cu.arrived + rng.integers(4, 46, size=m)
    stay = np.minimum(np.round(11 * 60 * np.exp(0.7 * rng.standard_normal(m))), 96 * 60)
    cu.released = cu.arrived + 30 + stay.astype(np.int64)
    # Still detained when the quarter's extract was taken: released_at blank.
    cu.released = np.where(cu.released > hi * 1440 + 1439, -1, cu.released)
    cu.disposal = rng.choice(len(DISPOSALS), size=m, p=DISPOSAL_P / DISPOSAL_P.sum())
    juvenile = cu.age < 18
    cu.flags = np.column_stack([
        juvenile | (rng.random(m) < 0.04),  # appropriate adult
        rng.random(m) < 0.02,  # mental health s136
        rng.random(m) < 0.06,  # interpreter
        rng.random(m) < 0.025,  # strip search
    ])
    years, _, _ = ymd(cu.arrived // 1440)
    refs = []
    for y in years.tolist():
        st.custody_seq[y] += 1
        refs.append(f"C/{st.custody_seq[y]:07d}/{y % 100:02d}")
    cu.refs = refs
    return cu


# =======================================================================================
# Writing the quarter's four files
# =======================================================================================
CHUNK = 50_000
YN = ("N", "Y")


def write_crimes(st: PoliceState, qi: int, period: Period, c: Crimes,
                 rng: np.random.Generator, style: FileStyle) -> None:
    ctx = st.ctx
    rel = f"police/crimes_{period.label}.csv"
    rules = EntityRules(CRIMES)
    codes, _ = beats()
    fmt = Formatter(style)
    refs = [crime_ref(k) for k in c.key.tolist()]

    def rows_range(a: int, b: int) -> list[list[Any]]:
        out = []
        for i in range(a, b):
            loc = int(c.location[i])
            alc = int(c.alcohol[i])
            out.append([
                refs[i], int(c.recorded[i]), int(c.offence[i]),
                int(c.offence_to[i]) if c.offence_to[i] >= 0 else None, c.code[i],
                codes[int(c.beat[i])], LOCATIONS[loc] if loc >= 0 else None,
                YN[int(c.da[i])], YN[int(c.knife[i] == 1)], YN[int(c.firearm[i])],
                YN[alc] if alc >= 0 else None, YN[int(c.hate[i])],
                "cancelled" if c.cancelled[i] else "recorded",
            ])
        return out

    def cross(i: int, key: Any) -> list[Any]:
        row = rows_range(i, i + 1)[0]
        row[0] = crime_ref(int(key))
        return row

    plan = st.defects.plan("crimes", rules, len(c), rng, protected=c.protected,
                           cross_keys=list(st.old_crime_keys), cross_rows=cross)
    out = TableOut(ctx.landing_path(rel), CRIMES.header, style)
    resend = qi == st.resend_q and st.defects.on
    corrections: dict[int, str] = {}
    if resend:
        rs_out = TableOut(ctx.resend_path(rel), CRIMES.header, style)
        touched = plan.touched | set(plan.copies) | set(plan.extras)
        free = np.array([i for i in range(len(c)) if not c.protected[i] and i not in touched
                         and not c.cancelled[i]])
        k_fix = max(1, int(0.01 * len(c)))
        k_cancel = max(1, int(0.005 * len(c)))
        k_remove = max(1, int(0.002 * len(c)))
        pick = rng.choice(free, size=min(len(free), k_fix + k_cancel + k_remove), replace=False)
        for i in pick[:k_fix].tolist():
            corrections[i] = "fix"
        for i in pick[k_fix:k_fix + k_cancel].tolist():
            corrections[i] = "cancel"
        for i in pick[k_fix + k_cancel:].tolist():
            corrections[i] = "remove"
    bad: set[int] = set()
    counts: dict[str, int] = defaultdict(int)
    sources = set(plan.copies.values())
    saved: dict[int, list[Any]] = {}
    rs = defaultdict(int)
    for a in range(0, len(c), CHUNK):
        chunk = rows_range(a, min(len(c), a + CHUNK))
        for t, row in enumerate(chunk):
            i = a + t
            if i in plan.kinds:
                broken, kind = inject_any(plan.kinds[i], row, rules, period, rng, fmt)
                out.write(fmt.row(broken, rules.kinds))
                counts[kind] += 1
                bad.add(i)
            else:
                out.write(fmt.row(row, rules.kinds))
            if i in sources:
                saved[i] = row
                bad.add(i)
            if i in plan.copies:
                copy = list(saved[plan.copies[i]])
                if rng.random() < 0.5:  # sometimes the second copy differs a little
                    copy[6] = LOCATIONS[int(rng.integers(0, len(LOCATIONS)))]
                out.write(fmt.row(copy, rules.kinds))
                counts["duplicate_key"] += 2
            for extra in plan.extras.get(i, ()):
                out.write(fmt.row(extra, rules.kinds))
                counts["duplicate_key"] += 1
            if resend:
                action = corrections.get(i)
                fixed = list(row)
                if i in bad:
                    rs["quarantined_rows_fixed"] += 1
                    st.fixed_crimes.add(int(c.key[i]))
                if action == "remove":
                    st.removed_crimes.add(int(c.key[i]))
                    rs["rows_removed"] += 1
                    continue
                if action == "cancel":
                    fixed[12] = "cancelled"
                    rs["crimes_cancelled"] += 1
                elif action == "fix":
                    # A recoding (ABH to common assault and back) or a corrected beat.
                    if fixed[4] in ("8N", "105A") and rng.random() < 0.6:
                        fixed[4] = "105A" if fixed[4] == "8N" else "8N"
                    else:
                        j = int(c.beat[i])
                        same = [b for b in range(len(codes)) if beats()[1][b] == beats()[1][j]]
                        fixed[5] = codes[same[(same.index(j) + 1) % len(same)]]
                    rs["rows_corrected"] += 1
                rs_out.write(fmt.row(fixed, rules.kinds))
                if i in plan.copies:
                    rs["quarantined_rows_dropped"] += 1
                rs["quarantined_rows_dropped"] += len(plan.extras.get(i, ()))
    out.close()
    st.files.append(rel)
    st.file_rows[rel] = out.rows
    st.rows["crimes"] += out.rows
    for k in RULE_ORDER:
        if counts.get(k):
            ctx.log.row(rel, k, counts[k])
    st.quarantined_crimes.update(int(c.key[i]) for i in bad)
    if resend:
        rs_out.close()
        st.resend_counts = dict(rs)
        st.resend_counts["file"] = 0
    # Keys other periods' files may later duplicate (clean, loaded, not protected).
    ok = [i for i in range(len(c)) if i not in bad and not c.protected[i]]
    if ok:
        take = rng.choice(len(ok), size=min(20, len(ok)), replace=False)
        st.old_crime_keys = [int(c.key[ok[t]]) for t in take.tolist()]


def write_people(st: PoliceState, qi: int, period: Period, c: Crimes, p: People,
                 rng: np.random.Generator, style: FileStyle) -> None:
    ctx, pop = st.ctx, st.pop
    rel = f"police/crime_people_{period.label}.csv"
    rules = EntityRules(CRIME_PEOPLE)
    fmt = Formatter(style)
    m = len(p)
    errors = draw_token_errors(rng, m, blank_rate=0.02)
    wobble = rng.random(m)
    alt = rng.random(m) < 0.015
    # Ages are sometimes not recorded, but not where a published figure rests on them
    # (knife-enabled SV, homicide and RASSO victims; the cohort).
    crime_code = np.array(c.code, dtype=object)[p.crime]
    needed = (c.vband[p.crime] > 0) | (c.homicide[p.crime] >= 0) | np.isin(
        crime_code, sorted(RASSO_CODES)) | p.protected
    age_blank = (rng.random(m) < 0.03) & ~needed
    sex_u = rng.random(m) < 0.008
    eth_state = rng.random(m)  # < 0.07 not stated, < 0.08 blank
    pc_blank = rng.random(m) < np.where(p.role == 0, 0.08, 0.15)
    refs = [crime_ref(k) for k in c.key.tolist()]
    keys = c.key[p.crime]

    def rows_range(a: int, b: int) -> tuple[list[list[Any]], list[str]]:
        ids = p.person[a:b]
        ts, tf, td = tokens_for(pop, ids, errors[a:b], wobble[a:b])
        pref = pop.person_ref(ids, alt[a:b])
        sex = pop.sex(ids)
        eth = pop.ethnicity(ids)
        pc = pop.postcode(ids)
        out, rec_refs = [], []
        for t in range(b - a):
            i = a + t
            e = eth_state[i]
            role = "victim" if p.role[i] == 0 else "suspect"
            out.append([
                refs[int(p.crime[i])], pref[t], role,
                None if age_blank[i] else int(p.age[i]),
                "U" if sex_u[i] else SEX_CODES[int(sex[t])],
                "NS" if e < 0.07 else None if e < 0.08 else ETHNICITY_CODES[int(eth[t])],
                None if pc_blank[i] else pc[t], ts[t] or None, tf[t] or None, td[t] or None,
            ])
            rec_refs.append(f"{refs[int(p.crime[i])]}:{pref[t]}:{role}")
        return out, rec_refs

    def cross(i: int, key: Any) -> list[Any]:
        return list(key[0])

    plan = st.defects.plan("crime_people", rules, m, rng, protected=p.protected,
                           cross_keys=list(st.old_people_rows), cross_rows=cross)
    out = TableOut(ctx.landing_path(rel), CRIME_PEOPLE.header, style)
    counts: dict[str, int] = defaultdict(int)
    sources = set(plan.copies.values())
    saved: dict[int, list[Any]] = {}
    saved_ref: dict[int, str] = {}
    clean_sample: list[tuple[list[Any], int, int, str]] = []
    for a in range(0, m, CHUNK):
        b = min(m, a + CHUNK)
        chunk, rec_refs = rows_range(a, b)
        in_wh = np.ones(b - a, dtype=bool)
        extra_refs, extra_ids, extra_err = [], [], []
        for t, row in enumerate(chunk):
            i = a + t
            key = int(keys[i])
            if i in plan.kinds:
                broken, kind = inject_any(plan.kinds[i], row, rules, period, rng, fmt)
                out.write(fmt.row(broken, rules.kinds))
                counts[kind] += 1
                in_wh[t] = False
            else:
                out.write(fmt.row(row, rules.kinds))
                if i in sources:
                    in_wh[t] = False
                elif key in st.quarantined_crimes or key in st.removed_crimes:
                    st.orphans_by_key[key] += 1
                    if key in st.quarantined_crimes:
                        st.orphans[rel] += 1
                elif len(clean_sample) < 20 and not p.protected[i] and rng.random() < 0.01:
                    clean_sample.append((row, int(p.person[i]), int(errors[i]), rec_refs[t]))
            if i in sources:
                saved[i] = row
                saved_ref[i] = rec_refs[t]
            if i in plan.copies:
                src = plan.copies[i]
                out.write(fmt.row(saved[src], rules.kinds))
                counts["duplicate_key"] += 2
                extra_refs.append(saved_ref[src])
                extra_ids.append(int(p.person[src]))
                extra_err.append(int(errors[src]))
            for extra in plan.extras.get(i, ()):
                out.write(fmt.row(extra, rules.kinds))
                counts["duplicate_key"] += 1
                _, pid, err, ref = next(k for k in st.old_people_rows if k[0] == extra)
                extra_refs.append(ref)
                extra_ids.append(pid)
                extra_err.append(err)
        st.registry.record("police_people", rec_refs, p.person[a:b], errors[a:b], rel, in_wh)
        if extra_refs:
            st.registry.record("police_people", extra_refs, np.array(extra_ids),
                               np.array(extra_err, dtype=np.int8), rel,
                               np.zeros(len(extra_refs), bool))
    out.close()
    st.files.append(rel)
    st.file_rows[rel] = out.rows
    st.rows["crime_people"] += out.rows
    for k in RULE_ORDER:
        if counts.get(k):
            ctx.log.row(rel, k, counts[k])
    if clean_sample:
        st.old_people_rows = clean_sample


def write_outcomes(st: PoliceState, qi: int, period: Period, rng: np.random.Generator,
                   style: FileStyle) -> None:
    ctx = st.ctx
    rel = f"police/outcomes_{period.label}.csv"
    rules = EntityRules(OUTCOMES)
    fmt = Formatter(style)
    parts = st.pending.pop(qi, [])
    rec = np.concatenate(parts) if parts else np.zeros(0, dtype=PENDING_DTYPE)
    rec = rec[np.lexsort((rec["order"], rec["key"], rec["day"]))]
    n = len(rec)
    plan = st.defects.plan("outcomes", rules, n, rng)
    out = TableOut(ctx.landing_path(rel), OUTCOMES.header, style)
    counts: dict[str, int] = defaultdict(int)
    keys = rec["key"].tolist()
    codes = rec["code"].tolist()
    days = rec["day"].tolist()
    for i in range(n):
        row = [crime_ref(keys[i]), OUTCOME_CODES[codes[i]], int(days[i])]
        if i in plan.kinds:
            broken, kind = inject_any(plan.kinds[i], row, rules, period, rng, fmt)
            out.write(fmt.row(broken, rules.kinds))
            counts[kind] += 1
            continue
        out.write(fmt.row(row, rules.kinds))
        key = keys[i]
        if key in st.quarantined_crimes or key in st.removed_crimes:
            st.orphans_by_key[key] += 1
            if key in st.quarantined_crimes:
                st.orphans[rel] += 1
    out.close()
    st.files.append(rel)
    st.file_rows[rel] = out.rows
    st.rows["outcomes"] += out.rows
    for k in RULE_ORDER:
        if counts.get(k):
            ctx.log.row(rel, k, counts[k])


BROKEN_CUSTODY_HEADER = [("arrest_offence_code" if h == "arrest_ho_offence_code" else h)
                         for h in CUSTODY.header]


def write_custody(st: PoliceState, qi: int, period: Period, cu: Custody,
                  rng: np.random.Generator, style: FileStyle) -> None:
    ctx, pop = st.ctx, st.pop
    rel = f"police/custody_{period.label}.csv"
    rules = EntityRules(CUSTODY)
    fmt = Formatter(style)
    m = len(cu)
    errors = draw_token_errors(rng, m, blank_rate=0.01, surname=0.015, dob=0.012,
                               forename=0.005)
    wobble = rng.random(m)
    alt = rng.random(m) < 0.015
    eth_state = rng.random(m)
    bad_header = qi == st.bad_header_q and st.defects.on

    def rows_range(a: int, b: int) -> list[list[Any]]:
        ids = cu.person[a:b]
        ts, tf, td = tokens_for(pop, ids, errors[a:b], wobble[a:b])
        pref = pop.person_ref(ids, alt[a:b])
        sex = pop.sex(ids)
        eth = pop.ethnicity(ids)
        out = []
        for t in range(b - a):
            i = a + t
            e = eth_state[i]
            f = cu.flags[i]
            out.append([
                cu.refs[i], SUITES[int(cu.suite[i])], int(cu.arrived[i]),
                int(cu.authorised[i]), int(cu.released[i]) if cu.released[i] >= 0 else None,
                pref[t], int(cu.age[i]), SEX_CODES[int(sex[t])],
                "NS" if e < 0.05 else None if e < 0.07 else ETHNICITY_CODES[int(eth[t])],
                cu.code[i], DISPOSALS[int(cu.disposal[i])], YN[int(f[0])], YN[int(f[1])],
                YN[int(f[2])], YN[int(f[3])], ts[t] or None, tf[t] or None, td[t] or None,
            ])
        return out

    def cross(i: int, key: Any) -> list[Any]:
        row = rows_range(i, i + 1)[0]
        row[0] = key
        return row

    plan = (DefectPlan() if bad_header else
            st.defects.plan("custody", rules, m, rng, protected=cu.protected,
                            cross_keys=list(st.old_custody_refs), cross_rows=cross))
    header = BROKEN_CUSTODY_HEADER if bad_header else CUSTODY.header
    out = TableOut(ctx.landing_path(rel), header, style)
    counts: dict[str, int] = defaultdict(int)
    sources = set(plan.copies.values())
    saved: dict[int, list[Any]] = {}
    for a in range(0, m, CHUNK):
        b = min(m, a + CHUNK)
        chunk = rows_range(a, b)
        in_wh = np.full(b - a, not bad_header)
        for t, row in enumerate(chunk):
            i = a + t
            if i in plan.kinds:
                broken, kind = inject_any(plan.kinds[i], row, rules, period, rng, fmt)
                out.write(fmt.row(broken, rules.kinds))
                counts[kind] += 1
                in_wh[t] = False
            else:
                out.write(fmt.row(row, rules.kinds))
            if i in sources:
                saved[i] = row
                in_wh[t] = False
            if i in plan.copies:
                out.write(fmt.row(saved[plan.copies[i]], rules.kinds))
                counts["duplicate_key"] += 2
                src = plan.copies[i]
                st.registry.record("custody", [cu.refs[src]], cu.person[src:src + 1],
                                   errors[src:src + 1], rel, np.zeros(1, bool))
            for extra in plan.extras.get(i, ()):
                out.write(fmt.row(extra, rules.kinds))
                counts["duplicate_key"] += 1
                st.registry.record("custody", [extra[0]], cu.person[i:i + 1],
                                   errors[i:i + 1], rel, np.zeros(1, bool))
        st.registry.record("custody", cu.refs[a:b], cu.person[a:b], errors[a:b], rel, in_wh)
    out.close()
    st.files.append(rel)
    st.file_rows[rel] = out.rows
    st.rows["custody"] += out.rows
    if bad_header:
        ctx.log.file(rel, "bad_header", "the custody system's upgrade renamed "
                     "arrest_ho_offence_code to arrest_offence_code; the whole file is "
                     "rejected")
    for k in RULE_ORDER:
        if counts.get(k):
            ctx.log.row(rel, k, counts[k])
    ok = [i for i in range(m) if i not in plan.touched and not cu.protected[i]]
    if ok and not bad_header:
        take = rng.choice(len(ok), size=min(20, len(ok)), replace=False)
        st.old_custody_refs = [cu.refs[ok[t]] for t in take.tolist()]


# =======================================================================================
# The driver
# =======================================================================================
def defect_files(quarters: Sequence[Period]) -> dict[str, int]:
    """Which quarter carries each whole-file defect (used when defects > 0)."""
    n = len(quarters)
    return {"bad_header_custody": min(1, n - 1), "raw_identifier_cla": min(2, n - 1),
            "resend_crimes": n // 2}


def write(ctx: GenContext, pop: Population, registry: PersonRegistry, plan: CohortPlan,
          homicides: list[Homicide]) -> dict[str, Any]:
    """Write every police file of the period, quarter by quarter."""
    check_reference_codes()
    quarters = quarters_between(ctx.start, ctx.end)
    chosen = defect_files(quarters)
    st = PoliceState(ctx=ctx, pop=pop, registry=registry, plan=plan, homicides=homicides,
                     quarters=quarters, defects=Defects(ctx),
                     bad_header_q=chosen["bad_header_custody"], resend_q=chosen["resend_crimes"])
    for qi, q in enumerate(quarters):
        lo = max(day_number(q.start), st.data_start)
        hi = min(day_number(q.end), st.data_end)
        rng = ctx.rng("police", q.label)
        c = build_crimes(st, qi, lo, hi, rng)
        p = build_people(st, c, rng)
        finish_crimes(st, c, p, rng)
        c = sort_and_number(st, c, p, rng)
        plan_outcomes(st, qi, c, p, rng)
        cu = build_custody(st, qi, lo, hi, c, p, rng)
        style = police_style(ctx, qi)
        write_crimes(st, qi, q, c, ctx.rng("police", q.label, "crimes"), style)
        ctx.tick(f"police/crimes_{q.label}.csv")
        write_people(st, qi, q, c, p, ctx.rng("police", q.label, "people"), style)
        ctx.tick(f"police/crime_people_{q.label}.csv")
        write_outcomes(st, qi, q, ctx.rng("police", q.label, "outcomes"), style)
        ctx.tick(f"police/outcomes_{q.label}.csv")
        write_custody(st, qi, q, cu, ctx.rng("police", q.label, "custody"),
                      custody_style(ctx, qi))
        ctx.tick(f"police/custody_{q.label}.csv")
    if st.defects.on and st.resend_counts:
        rel = f"police/crimes_{quarters[st.resend_q].label}.csv"
        fixed = st.fixed_crimes & st.quarantined_crimes
        counts = {k: v for k, v in st.resend_counts.items() if k != "file"}
        counts["orphans_resolved"] = sum(st.orphans_by_key.get(k, 0) for k in fixed)
        counts["orphans_created"] = sum(st.orphans_by_key.get(k, 0) for k in st.removed_crimes)
        ctx.log.resend(rel, "the force re-sends the quarter: quarantined rows corrected, "
                       "some crimes recoded or re-beated, some cancelled, a few deleted",
                       **counts)
    return {"files": st.files, "rows": dict(st.rows), "orphans": dict(st.orphans),
            "file_rows": st.file_rows}
