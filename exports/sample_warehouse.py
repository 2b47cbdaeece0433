"""A small hand-made warehouse holding the DESIGN.md contract tables, for tests and demos.

The exports and quality gates rely only on the warehouse contract (schema `marts`) and
`audit.files`; this builds exactly those, from a seeded random generator, with the marts
derived from the facts the way DESIGN.md defines them, so the exports can be tested
before (and independently of) the real dbt models. Volumes are small but shaped like
LLR's: Leicester busiest, Rutland and Melton small enough to produce small counts.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from exports.tables import SERVICE_MEASURES
from ingest.schema import create_schemas
from ingest.specs import LOCATION_TYPES
from vrn import periods
from vrn.reference import seed_rows

SV_CODE_WEIGHTS = {
    "8N": 30, "8L": 14, "8R": 12, "8Q": 6, "8U": 8, "3B": 4, "5D": 3, "8P": 1, "34B": 6,
    "34A": 1, "19C": 5, "19D": 1, "20A": 4, "17A": 1, "36": 1, "1": 0.15, "2": 0.3,
}
# Crimes a month per beat, by district: Leicester busiest, Rutland quietest.
BEAT_RATE = {
    "E06000016": 9, "E07000130": 6, "E07000132": 4, "E07000134": 4, "E07000129": 3,
    "E07000131": 3, "E07000135": 3, "E07000133": 3, "E06000017": 2,
}
DISTRICT_WEIGHTS = dict(BEAT_RATE)


def _months(start: date, end: date) -> list[date]:
    out, m = [], date(start.year, start.month, 1)
    while m <= end:
        out.append(m)
        m = (m.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def _day_in(rng: random.Random, month: date, end: date) -> date:
    nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    last = min(nxt - timedelta(days=1), end)
    return month + timedelta(days=rng.randrange((last - month).days + 1))


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth; means here are small.
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def dims() -> tuple[pd.DataFrame, pd.DataFrame]:
    geo = pd.DataFrame(seed_rows("ref_beats"))
    off = pd.DataFrame(seed_rows("ref_offence_codes"))
    off["sv_group"] = off["sv_group"].replace("", None)
    for c in ("is_rape", "is_rasso", "is_ho_knife_offence", "is_sexual_violence"):
        off[c] = off[c].eq("true")
    return geo, off


def serious_violence(rng: random.Random, start: date, end: date) -> pd.DataFrame:
    geo, off = dims()
    off = off.set_index("ho_offence_code")
    codes, weights = zip(*SV_CODE_WEIGHTS.items(), strict=True)
    rows, n = [], 0
    for month in _months(start, end):
        for beat in geo.itertuples():
            for _ in range(_poisson(rng, BEAT_RATE[beat.district_code])):
                n += 1
                code = rng.choices(codes, weights)[0]
                o = off.loc[code]
                recorded = _day_in(rng, month, end)
                knife = rng.random() < (0.3 if o["sv_group"] in ("homicide", "robbery") else 0.05)
                age = None if rng.random() < 0.1 else rng.randint(3, 85)
                rows.append({
                    "crime_ref": f"CR/{n:07d}/{recorded.year % 100:02d}",
                    "recorded_date": recorded,
                    "offence_date": recorded - timedelta(days=rng.randrange(3)),
                    "offence_hour": rng.randrange(24),
                    "financial_year": periods.financial_year_label(recorded),
                    "ho_offence_code": code, "sv_group": o["sv_group"],
                    "la_code": beat.la_code, "district_code": beat.district_code,
                    "beat_code": beat.beat_code,
                    "location_type": None if rng.random() < 0.03 else rng.choices(
                        LOCATION_TYPES, [62, 12, 5, 3, 6, 4, 4, 4])[0],
                    "is_knife_sharp": knife,
                    "is_knife_enabled_ho": bool(knife and o["is_ho_knife_offence"]),
                    "is_domestic_abuse": rng.random() < 0.3,
                    "is_sexual_violence": bool(o["is_sexual_violence"]),
                    "victim_count": 1, "youngest_victim_age": age,
                    "suspect_count": 1, "youngest_suspect_age": rng.randint(12, 70),
                    "rape_flag": bool(o["is_rape"]), "rasso_flag": bool(o["is_rasso"]),
                })
    return pd.DataFrame(rows)


def rasso(rng: random.Random, sv: pd.DataFrame, end: date) -> pd.DataFrame:
    r = sv[sv["rasso_flag"]]
    rows = []
    for c in r.itertuples():
        roll = rng.random()
        code = ("1" if roll < 0.08 else rng.choice(["14", "16"]) if roll < 0.3
                else rng.choice(["15", "18", "21"]) if roll < 0.7 else None)
        out_date = None
        if code:
            out_date = min(c.recorded_date + timedelta(days=rng.randint(5, 200)), end)
        rows.append({
            "crime_ref": c.crime_ref, "recorded_date": c.recorded_date,
            "financial_year": c.financial_year, "is_rape": c.rape_flag,
            "outcome_code": code, "outcome_date": out_date,
            "is_charged": code in ("1", "1A"), "is_victim_not_supporting": code in ("14", "16"),
            "days_to_outcome": (out_date - c.recorded_date).days if out_date else None,
            "victim_age": c.youngest_victim_age, "victim_sex": rng.choice("FFFM"),
            "suspect_age": c.youngest_suspect_age,
        })
    return pd.DataFrame(rows)


def custody(rng: random.Random, start: date, end: date) -> pd.DataFrame:
    rows, n = [], 0
    for month in _months(start, end):
        for suite, mean in (("EUS", 60), ("KEY", 35), ("BEA", 1.5)):
            for _ in range(_poisson(rng, mean)):
                n += 1
                day = _day_in(rng, month, end)
                arrived = datetime.combine(day, datetime.min.time()) + timedelta(
                    minutes=rng.randrange(1440))
                released = None if rng.random() < 0.02 else arrived + timedelta(
                    minutes=rng.randint(60, 48 * 60))
                age = rng.randint(12, 70)
                rows.append({
                    "custody_ref": f"CU{n:07d}", "suite_code": suite, "arrived_at": arrived,
                    "released_at": released,
                    "detention_hours": round((released - arrived).total_seconds() / 3600, 2)
                    if released else None,
                    "age": age, "is_juvenile": age < 18, "sex": rng.choice("MMMMF"),
                    "ethnicity": "W1", "disposal": "charged", "arrest_ho_offence_code": "8N",
                    "financial_year": periods.financial_year_label(day),
                })
    return pd.DataFrame(rows)


SLOTS = ((0, "00:00-07:59"), (8, "08:00-11:59"), (12, "12:00-15:59"), (16, "16:00-19:59"),
         (20, "20:00-23:59"))


def icv(rng: random.Random, start: date, end: date) -> pd.DataFrame:
    rows, n = [], 0
    for month in _months(start, end):
        for suite, mean in (("EUS", 4.5), ("KEY", 4.5), ("BEA", 0.4)):
            for _ in range(_poisson(rng, mean)):
                n += 1
                day = _day_in(rng, month, end)
                arrived = datetime.combine(day, datetime.min.time()) + timedelta(
                    minutes=rng.randrange(1440))
                delay = rng.choice([0, 1, 2, 3, 5, 5, 10, 20])
                detainees = rng.randint(3, 20)
                offered = rng.randint(0, detainees)
                agreed = rng.randint(0, offered)
                rows.append({
                    "visit_ref": f"ICV{n:05d}", "suite_code": suite, "arrived_at": arrived,
                    "admitted_at": arrived + timedelta(minutes=delay),
                    "access_delay_minutes": delay, "weekday": arrived.isoweekday(),
                    "time_slot": next(s for h, s in reversed(SLOTS) if arrived.hour >= h),
                    "financial_year": periods.financial_year_label(day),
                    "detainees_in_cells": detainees, "offered": offered, "agreed": agreed,
                    "refused": offered - agreed,
                })
    return pd.DataFrame(rows)


AE_METHODS = ("bodily_force", "knife_sharp", "blunt", "other", "unknown")
ADMISSION_CAUSES = ("Y04", "X99", "Y09", "X95", "Y00")


def injuries(rng: random.Random, start: date, end: date) -> pd.DataFrame:
    geo, _ = dims()
    districts = geo[["district_code", "la_code"]].drop_duplicates()
    codes = list(districts["district_code"])
    la_of = dict(zip(districts["district_code"], districts["la_code"], strict=True))
    weights = [DISTRICT_WEIGHTS[c] for c in codes]
    rows, n = [], 0
    for month in _months(start, end):
        for source, mean in (("ae", 40), ("admission", 9), ("ambulance", 15)):
            for _ in range(_poisson(rng, mean)):
                n += 1
                day = _day_in(rng, month, end)
                district = rng.choices(codes, weights)[0]
                if source == "ae":
                    means = rng.choices(AE_METHODS, [70, 8, 10, 7, 5])[0]
                    sharp = means == "knife_sharp"
                elif source == "admission":
                    means = rng.choices(ADMISSION_CAUSES, [55, 25, 12, 5, 3])[0]
                    sharp = means == "X99"
                else:
                    means = rng.choices(("assault_sexual_assault", "stab_gunshot_penetrating"),
                                        [75, 25])[0]
                    sharp = means == "stab_gunshot_penetrating"
                rows.append({
                    "source": source, "event_ref": f"{source[:2].upper()}{n:06d}",
                    "event_at": datetime.combine(day, datetime.min.time()) + timedelta(
                        minutes=rng.randrange(1440)),
                    "financial_year": periods.financial_year_label(day),
                    "age": rng.randint(0, 90), "sex": rng.choice("MMMFFU"),
                    "district_code": district, "la_code": la_of[district], "means": means,
                    "is_sharp_object": sharp,
                })
    return pd.DataFrame(rows)


def service_returns(rng: random.Random, quarters: list[str]) -> pd.DataFrame:
    rows = []
    for q in quarters:
        supported = rng.randint(60, 75)
        female = supported - rng.randint(2, 8)
        police = supported - rng.randint(10, 25)
        selfref = rng.randint(1, 6)
        sarc = {
            "referrals_received": supported + 4, "referrals_declined": 4,
            "referrals_from_out_of_area": rng.randint(2, 6), "individuals_supported": supported,
            "female": female, "male": supported - female, "referred_by_police": police,
            "self_referral": selfref, "other_referral_source": supported - police - selfref,
            "forensic_examinations": rng.randint(30, 45),
            "forensic_examinations_in_hospital": rng.randint(0, 3),
            "hiv_prep_started": rng.randint(2, 8), "emergency_contraception_given": 20,
            "hepatitis_b_vaccination_started": 19, "referred_to_sexual_health_services": 27,
            "forensic_examination_within_60_minutes": 100.0, "complaints": rng.randint(0, 2),
        }
        assessed = rng.randint(15, 22)
        rape = rng.randint(8, assessed - 3)
        by_police = assessed - rng.randint(2, 4)
        social = rng.randint(1, assessed - by_police)
        cyp = {
            "children_assessed_all_areas": assessed * 4, "children_assessed_llr": assessed,
            "referred_for_rape": rape, "referred_for_sexual_assault": assessed - rape,
            "female": assessed, "male": 0, "referred_by_police": by_police,
            "referred_by_social_care": social,
            "other_referral_source": assessed - by_police - social,
            "looked_after_children": rng.randint(1, 5), "self_harm_behaviours": 8,
            "learning_disability": 4, "offered_onward_therapy": assessed - 2,
            "declined_onward_therapy": 4,
        }
        rutland, out = rng.randint(3, 7), rng.randint(1, 4)
        leicester = rng.randint(95, 110)
        shire = rng.randint(115, 130)
        referrals = leicester + shire + rutland + out
        isva = {
            "referrals_received": referrals, "leicester": leicester, "leicestershire": shire,
            "rutland": rutland, "out_of_area": out, "declined_further_engagement": 23,
            "supported_with_a_support_plan": referrals - 30,
            "average_length_of_support_months": 12.5, "longest_support_months": 88.8,
        }
        for service, values in (("sarc", sarc), ("cyp_sarc", cyp), ("isva", isva)):
            assert list(values) == list(SERVICE_MEASURES[service]), service
            for measure, value in values.items():
                rows.append({"fy_quarter": q, "service": service, "measure": measure,
                             "value": float(value)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ marts


def sv_duty_measures(sv: pd.DataFrame, inj: pd.DataFrame) -> pd.DataFrame:
    young = sv["youngest_victim_age"].lt(25).fillna(False)
    homicide = sv["sv_group"].eq("homicide")
    police = {"knife_enabled_sv": sv["is_knife_enabled_ho"], "homicide": homicide,
              "knife_homicide": homicide & sv["is_knife_sharp"]}
    adm = inj[inj["source"].eq("admission") & inj["is_sharp_object"]]
    rows = []
    for fy in sorted(set(sv["financial_year"]) | set(inj["financial_year"])):
        in_fy = sv["financial_year"].eq(fy)
        for m, hit in police.items():
            rows.append((fy, m, "all", int((hit & in_fy).sum())))
            rows.append((fy, m, "under_25", int((hit & in_fy & young).sum())))
        a = adm[adm["financial_year"].eq(fy)]
        rows.append((fy, "sharp_object_admissions", "all", len(a)))
        rows.append((fy, "sharp_object_admissions", "under_25", int(a["age"].lt(25).sum())))
    return pd.DataFrame(rows, columns=["financial_year", "measure", "age_group", "value"])


def sv_by_area(sv: pd.DataFrame) -> pd.DataFrame:
    geo, _ = dims()
    pop = {(r["area_level"], r["area_code"]): int(r["population"])
           for r in seed_rows("ref_population")}
    csp_of = geo.drop_duplicates("district_code").set_index("district_code")["csp_name"]
    areas = [("llr", "LLR", "Leicester, Leicestershire and Rutland", sum(
        v for (lvl, _), v in pop.items() if lvl == "la"))]
    for r in seed_rows("ref_population"):
        areas.append((r["area_level"], r["area_code"], r["area_name"], int(r["population"])))
    for csp in sorted(set(csp_of)):
        areas.append(("csp", csp, csp, sum(pop[("district", d)] for d, c in csp_of.items()
                                          if c == csp)))
    sv = sv.assign(csp_name=sv["district_code"].map(csp_of))
    rows = []
    for fy in sorted(set(sv["financial_year"])):
        f = sv[sv["financial_year"].eq(fy)]
        llr = len(f)
        for level, code, name, population in areas:
            column = {"llr": None, "la": "la_code", "district": "district_code",
                      "csp": "csp_name"}[level]
            n = llr if column is None else int(f[column].eq(code).sum())
            rows.append({"financial_year": fy, "area_level": level, "area_code": code,
                         "area_name": name, "offences": n, "population": population,
                         "rate_per_1000": n * 1000 / population,
                         "share_of_llr": n / llr if llr else None})
    return pd.DataFrame(rows)


def rasso_performance(r: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    rapes = r[r["is_rape"]]
    rows = []
    llr_population = 1136705
    for month in _months(start, end)[11:]:
        month_end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(1)
        if month_end > end:
            break
        window_start = _months(start, end)[_months(start, end).index(month) - 11]
        rec = rapes[(rapes["recorded_date"] >= window_start)
                    & (rapes["recorded_date"] <= month_end)]
        out = rapes[rapes["outcome_date"].notna()]
        out = out[(out["outcome_date"] >= window_start) & (out["outcome_date"] <= month_end)]
        n = len(rec)
        rows.append({
            "month_end": month_end, "rapes_12m": n,
            "rapes_per_1000_12m": n * 1000 / llr_population,
            "charge_rate_12m": rec["is_charged"].sum() / n if n else None,
            "median_days_to_outcome_12m":
                float(out["days_to_outcome"].median()) if len(out) else None,
            "victim_not_supporting_rate_12m":
                rec["is_victim_not_supporting"].sum() / n if n else None,
        })
    return pd.DataFrame(rows)


def dim_date(start: date, end: date) -> pd.DataFrame:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return pd.DataFrame({
        "date": days, "financial_year": [periods.financial_year_label(d) for d in days],
        "fy_quarter": [periods.fy_quarter_label(d) for d in days],
        "month": [d.replace(day=1) for d in days], "weekday": [d.isoweekday() for d in days],
    })


def audit_files(quarters: list[str]) -> pd.DataFrame:
    entities = [("police", "crimes", "csv"), ("police", "crime_people", "csv"),
                ("police", "outcomes", "csv"), ("police", "custody", "csv"),
                ("opcc", "icv_visits", "csv"), ("health", "ae_assaults", "csv"),
                ("health", "assault_admissions", "csv"), ("health", "ambulance_assaults", "csv"),
                ("commissioning", "sarc_return", "xlsx"),
                ("commissioning", "cyp_sarc_return", "xlsx"),
                ("commissioning", "isva_return", "xlsx")]
    rows = []
    for q in quarters:
        for source, entity, ext in entities:
            name = f"{source}/{entity}_{q}.{ext}"
            for outcome in ("superseded", "loaded"):
                rows.append({
                    "file_name": name, "source": source, "entity": entity, "period": q,
                    "sha256": hashlib.sha256(f"{name}:{outcome}".encode()).hexdigest(),
                    "size_bytes": 1000, "rows_read": 10, "rows_loaded": 10,
                    "rows_quarantined": 0, "outcome": outcome, "reason": None,
                    "loaded_at": datetime(2024, 7, 1),
                })
    return pd.DataFrame(rows)


DATE_COLUMNS = ("date", "month", "recorded_date", "offence_date", "outcome_date", "month_end")


def _write(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    frame = frame.drop(columns=[c for c in ("rape_flag", "rasso_flag") if c in frame.columns])
    con.register("incoming", frame)
    casts = [f'CAST("{c}" AS DATE) AS "{c}"' for c in frame.columns if c in DATE_COLUMNS]
    select = f"SELECT * REPLACE ({', '.join(casts)})" if casts else "SELECT *"
    con.execute(f"CREATE OR REPLACE TABLE {table} AS {select} FROM incoming")
    con.unregister("incoming")


def build_sample_warehouse(
    path: Path, *, start: date = date(2023, 4, 1), end: date = date(2024, 6, 30), seed: int = 7
) -> Path:
    """Write the contract tables (and audit.files) into a new DuckDB file at `path`."""
    rng = random.Random(seed)
    geo, off = dims()
    sv = serious_violence(rng, start, end)
    r = rasso(rng, sv, end)
    inj = injuries(rng, start, end)
    quarters = [p.label for p in periods.quarters_between(start, end)]
    tables = {
        "dim_date": dim_date(start, end),
        "dim_geography": geo,
        "dim_offence": off[["ho_offence_code", "description", "sv_group", "is_rape",
                            "is_rasso", "is_ho_knife_offence"]],
        "fct_serious_violence": sv,
        "fct_rasso": r,
        "fct_custody_detention": custody(rng, start, end),
        "fct_assault_injury": inj,
        "fct_icv_visit": icv(rng, start, end),
        "fct_service_return": service_returns(rng, quarters),
        "mart_sv_duty_measures": sv_duty_measures(sv, inj),
        "mart_sv_by_area": sv_by_area(sv),
        "mart_rasso_performance": rasso_performance(r, start, end),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        create_schemas(con)
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        for name, frame in tables.items():
            _write(con, f"marts.{name}", frame)
        con.register("incoming", audit_files(quarters))
        con.execute("INSERT INTO audit.files SELECT * FROM incoming")
        con.unregister("incoming")
    return path
