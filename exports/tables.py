"""What each partner receives: one definition per export table, and pure builders.

Every builder takes the contract tables it reads (pandas frames from `exports.marts`), the
quarter's window (`exports.windows`) and the partner, and returns the table's figures
before disclosure control. Tables are long (one row per period and category) with an
`all` row where the categories add up, so partners can load them as they are and the
disclosure rule knows which cells are totals of which.

Counting rules follow spec/published-figures.md: a crime counts by `recorded_date`;
custody, ICV and health events by their own date. A CSP's rows are the crimes whose beat
`dim_geography` maps to that CSP: nothing from any other area, and no LLR comparator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from exports.disclosure import ColumnSum, Margin, RateOver, TableShape
from exports.partners import CSP_PARTNERS, HEALTH, POLICE_COUNCIL
from exports.windows import ExportWindow
from ingest.specs import LOCATION_TYPES, RETURN_LABELS, SUITES
from vrn.periods import Period
from vrn.reference import LLR_DISTRICT_CODES, seed_rows

TOTAL = "all"
LLR = "LLR"
PERIOD_COLUMNS = ("period", "period_start", "period_end")
Frames = Mapping[str, pd.DataFrame]
Builder = Callable[[Frames, ExportWindow, str], pd.DataFrame]


@dataclass(frozen=True)
class TableDef:
    name: str
    group: str  # partner group: csp | home_office | opcc | icb
    kind: str  # POLICE_COUNCIL | HEALTH: one kind of figure a table
    columns: tuple[str, ...]  # as published, in order
    shape: TableShape
    reads: tuple[str, ...]  # contract tables read
    description: str
    build: Builder
    may_be_empty: bool = False

    def shape_for(self, win: ExportWindow) -> TableShape:
        """At Q4 the rolling 12 months are the four quarter rows added up: a total too."""
        if "period" in self.shape.keys and win.rolling_is_financial_year:
            return self.shape.with_margins(
                Margin("period", win.rolling.label, tuple(q.label for q in win.fy_quarters)))
        return self.shape


# --------------------------------------------------------------------------- helpers


def _between(s: pd.Series, start: date, end_exclusive: date) -> pd.Series:
    return (s >= pd.Timestamp(start)) & (s < pd.Timestamp(end_exclusive))


def _period_values(p: Period) -> dict[str, str]:
    return {"period": p.label, "period_start": p.start.isoformat(),
            "period_end": p.end.isoformat()}


def _flag(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


def _under_25(ages: pd.Series) -> pd.Series:
    return pd.to_numeric(ages, errors="coerce").lt(25).fillna(False).astype(bool)


def tally(
    events: pd.DataFrame,
    date_column: str,
    win: ExportWindow,
    dimension: str,
    categories: Sequence[str],
    value: str,
    extra: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Events counted per period and category, every category in every period (0 when
    none, any category met in the data but not listed added at the end), then `all`."""
    in_window = events[_between(events[date_column], min(p.start for p in win.periods),
                                win.quarter.end_exclusive)]
    seen = set(in_window[dimension].dropna().astype(str))
    cats = list(categories) + sorted(seen - set(categories) - {TOTAL})
    rows = []
    for p in win.periods:
        sub = events[_between(events[date_column], p.start, p.end_exclusive)]
        counts = sub[dimension].astype(str).value_counts()
        for c in cats:
            rows.append({**_period_values(p), **(extra or {}), dimension: c,
                         value: int(counts.get(c, 0))})
        rows.append({**_period_values(p), **(extra or {}), dimension: TOTAL, value: len(sub)})
    return pd.DataFrame(rows)


AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-17", 0, 17), ("18-24", 18, 24), ("25-34", 25, 34), ("35-44", 35, 44),
    ("45-54", 45, 54), ("55-64", 55, 64), ("65+", 65, 200),
)
UNKNOWN = "unknown"


def age_band(ages: pd.Series) -> pd.Series:
    a = pd.to_numeric(ages, errors="coerce")
    out = pd.Series(UNKNOWN, index=ages.index, dtype=object)
    for label, lo, hi in AGE_BANDS:
        out[(a >= lo) & (a <= hi)] = label
    return out


def measure_name(label: str) -> str:
    """returns.md: the label lower-cased, every run of other characters than a–z and
    0–9 made one `_`, none at either end."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


# ------------------------------------------------------------------------------- CSP


def scoped_tables(t: Frames, partner: str) -> dict[str, pd.DataFrame]:
    """The tables as a partner's builders may see them. A CSP sees only its own area:
    the crimes whose beat `dim_geography` maps to its CSP (with that beat's district),
    its own beats, and its own rows of mart_sv_by_area. Nothing else reaches its files."""
    if partner not in CSP_PARTNERS:
        return dict(t)
    csp = CSP_PARTNERS[partner]
    out = dict(t)
    geo = t["dim_geography"]
    out["dim_geography"] = geo[geo["csp_name"] == csp].copy()
    if "fct_serious_violence" in t:
        beats = out["dim_geography"][["beat_code", "csp_name", "district_code"]].rename(
            columns={"district_code": "beat_district_code"})
        out["fct_serious_violence"] = t["fct_serious_violence"].merge(
            beats, on="beat_code", how="inner")
    if "mart_sv_by_area" in t:
        areas = t["mart_sv_by_area"]
        own = {csp, *out["dim_geography"]["district_code"]}
        out["mart_sv_by_area"] = areas[areas["area_level"].isin(["csp", "district"])
                                       & areas["area_code"].isin(own)].copy()
    return out


def csp_serious_violence(t: Frames, partner: str) -> pd.DataFrame:
    """The partner's own serious violence (from `scoped_tables`; filtered again here so a
    builder handed unscoped tables still cannot leak another area's rows)."""
    sv = t["fct_serious_violence"]
    if "csp_name" not in sv.columns:
        sv = scoped_tables(t, partner)["fct_serious_violence"]
    return sv[sv["csp_name"] == CSP_PARTNERS[partner]].copy()


def _sv_groups(t: Frames) -> list[str]:
    return sorted(t["dim_offence"]["sv_group"].dropna().astype(str).unique())


def build_sv_by_offence_group(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    sv = csp_serious_violence(t, partner)
    return tally(sv, "recorded_date", win, "sv_group", _sv_groups(t), "offences")


def build_sv_by_location(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    sv = csp_serious_violence(t, partner)
    sv["location_type"] = sv["location_type"].fillna(UNKNOWN)
    return tally(sv, "recorded_date", win, "location_type", [*LOCATION_TYPES, UNKNOWN],
                 "offences")


def build_sv_by_victim_age_band(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    sv = csp_serious_violence(t, partner)
    sv["victim_age_band"] = age_band(sv["youngest_victim_age"])
    return tally(sv, "recorded_date", win, "victim_age_band",
                 [b[0] for b in AGE_BANDS] + [UNKNOWN], "offences")


SV_MEASURES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "all_serious_violence": lambda sv: pd.Series(True, index=sv.index),
    "knife_or_sharp_object": lambda sv: _flag(sv["is_knife_sharp"]),
    "knife_enabled_ho": lambda sv: _flag(sv["is_knife_enabled_ho"]),
    "domestic_abuse": lambda sv: _flag(sv["is_domestic_abuse"]),
    "sexual_violence": lambda sv: _flag(sv["is_sexual_violence"]),
    "victim_under_25": lambda sv: _under_25(sv["youngest_victim_age"]),
}


def build_sv_knife_and_domestic_abuse(
    t: Frames, win: ExportWindow, partner: str
) -> pd.DataFrame:
    sv = csp_serious_violence(t, partner)
    rows = []
    for p in win.periods:
        sub = sv[_between(sv["recorded_date"], p.start, p.end_exclusive)]
        for measure, flag in SV_MEASURES.items():
            rows.append({**_period_values(p), "measure": measure,
                         "offences": int(flag(sub).sum())})
    return pd.DataFrame(rows)


def build_sv_by_month(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    sv = csp_serious_violence(t, partner)
    rows = []
    for m in win.months:
        nxt = (m.replace(day=28) + timedelta(days=4)).replace(day=1)
        sub = sv[_between(sv["recorded_date"], m, nxt)]
        rows.append({
            "month": m.isoformat(),
            "offences": len(sub),
            "knife_or_sharp_object_offences": int(_flag(sub["is_knife_sharp"]).sum()),
            "domestic_abuse_offences": int(_flag(sub["is_domestic_abuse"]).sum()),
            "victim_under_25_offences": int(_under_25(sub["youngest_victim_age"]).sum()),
        })
    return pd.DataFrame(rows)


def _population(t: Frames, win: ExportWindow, level: str, code: str) -> int | None:
    """The area's population for the quarter's financial year (else the latest before,
    else the earliest after), from mart_sv_by_area."""
    m = t["mart_sv_by_area"]
    m = m[(m["area_level"] == level) & (m["area_code"] == code)].dropna(subset=["population"])
    if m.empty:
        return None
    m = m.sort_values("financial_year")
    before = m[m["financial_year"] <= win.financial_year]
    row = before.iloc[-1] if not before.empty else m.iloc[0]
    return int(row["population"])


def build_sv_by_area(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    csp = CSP_PARTNERS[partner]
    sv = csp_serious_violence(t, partner)
    geo = t["dim_geography"]
    districts = (geo[geo["csp_name"] == csp][["district_code", "district_name"]]
                 .drop_duplicates().sort_values("district_code"))
    areas = [("district", r.district_code, r.district_name) for r in districts.itertuples()]
    areas.append(("csp", csp, csp))
    pops = {code: _population(t, win, level, code) for level, code, _ in areas}
    rows = []
    for p in win.periods:
        sub = sv[_between(sv["recorded_date"], p.start, p.end_exclusive)]
        by_district = sub["beat_district_code"].value_counts()
        for level, code, name in areas:
            n = len(sub) if level == "csp" else int(by_district.get(code, 0))
            pop = pops[code]
            rows.append({**_period_values(p), "area_level": level, "area_code": code,
                         "area_name": name, "offences": n, "population": pop,
                         "rate_per_1000": round(n * 1000 / pop, 3) if pop else None})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ Home Office


POLICE_DUTY_MEASURES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    # SV Duty report para 26; knife-enabled = flagged knife/sharp on the Home Office list.
    "knife_enabled_sv": lambda sv: _flag(sv["is_knife_enabled_ho"]),
    "homicide": lambda sv: sv["sv_group"].eq("homicide"),
    "knife_homicide": lambda sv: sv["sv_group"].eq("homicide") & _flag(sv["is_knife_sharp"]),
}
AGE_GROUPS = ("all", "under_25")


def _duty_rows(events: pd.DataFrame, date_column: str, age_column: str, win: ExportWindow,
               measures: Mapping[str, Callable[[pd.DataFrame], pd.Series]]) -> pd.DataFrame:
    rows = []
    for p in win.periods:
        sub = events[_between(events[date_column], p.start, p.end_exclusive)]
        young = _under_25(sub[age_column])
        for measure, flag in measures.items():
            hit = flag(sub)
            rows.append({**_period_values(p), "measure": measure, "age_group": "all",
                         "value": int(hit.sum())})
            rows.append({**_period_values(p), "measure": measure, "age_group": "under_25",
                         "value": int((hit & young).sum())})
    return pd.DataFrame(rows)


def build_sv_duty_police_measures(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    return _duty_rows(t["fct_serious_violence"], "recorded_date", "youngest_victim_age", win,
                      POLICE_DUTY_MEASURES)


def sharp_object_admissions(injuries: pd.DataFrame) -> pd.Series:
    return injuries["source"].eq("admission") & _flag(injuries["is_sharp_object"])


def build_sv_duty_health_measures(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    return _duty_rows(t["fct_assault_injury"], "event_at", "age", win,
                      {"sharp_object_admissions": sharp_object_admissions})


# ------------------------------------------------------------------------------- OPCC


OUTCOME_GROUPS = ("charged", "victim_not_supporting", "other_outcome", "under_investigation")


def outcome_group(rasso: pd.DataFrame) -> pd.Series:
    out = pd.Series("other_outcome", index=rasso.index, dtype=object)
    out[rasso["outcome_code"].isna()] = "under_investigation"
    out[_flag(rasso["is_victim_not_supporting"])] = "victim_not_supporting"
    out[_flag(rasso["is_charged"])] = "charged"
    return out


def _rapes(t: Frames) -> pd.DataFrame:
    r = t["fct_rasso"]
    return r[_flag(r["is_rape"])].copy()


def build_rasso_outcomes(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    rapes = _rapes(t)
    rapes["outcome_group"] = outcome_group(rapes)
    return tally(rapes, "recorded_date", win, "outcome_group", OUTCOME_GROUPS, "rapes")


def _month_end(m: date) -> date:
    return (m.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def build_rasso_performance(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    """mart_rasso_performance for the 12 month-ends to the quarter's end, with the
    counts its rates are over (from fct_rasso) so a rate over a small count is hidden."""
    perf = t["mart_rasso_performance"].copy()
    perf["month_end"] = pd.to_datetime(perf["month_end"]).dt.date
    ends = {_month_end(m) for m in win.months}
    perf = perf[perf["month_end"].isin(ends)].sort_values("month_end")
    rapes = _rapes(t)
    rows = []
    for r in perf.itertuples():
        end = r.month_end
        start = (end.replace(day=1) - pd.DateOffset(months=11)).date()
        recorded = rapes[_between(rapes["recorded_date"], start, end + timedelta(days=1))]
        outcomes = rapes[_between(rapes["outcome_date"], start, end + timedelta(days=1))]
        rows.append({
            "month_end": end.isoformat(),
            "rapes_12m": int(r.rapes_12m),
            "rapes_per_1000_12m": _num(r.rapes_per_1000_12m, 4),
            "charged_12m": int(_flag(recorded["is_charged"]).sum()),
            "charge_rate_12m": _num(r.charge_rate_12m, 4),
            "outcomes_assigned_12m": len(outcomes),
            "median_days_to_outcome_12m": _num(r.median_days_to_outcome_12m, 1),
            "victim_not_supporting_12m": int(_flag(recorded["is_victim_not_supporting"]).sum()),
            "victim_not_supporting_rate_12m": _num(r.victim_not_supporting_rate_12m, 4),
        })
    return pd.DataFrame(rows, columns=list(RASSO_PERFORMANCE_COLUMNS))


def _num(v: object, digits: int) -> float | None:
    if v is None or pd.isna(v):
        return None
    return round(float(v), digits)


def build_custody_detentions(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    c = t["fct_custody_detention"]
    rows = []
    for p in win.periods:
        sub = c[_between(c["arrived_at"], p.start, p.end_exclusive)]
        for suite in (*SUITES, TOTAL):
            s = sub if suite == TOTAL else sub[sub["suite_code"] == suite]
            hours = pd.to_numeric(s["detention_hours"], errors="coerce").dropna()
            rows.append({**_period_values(p), "suite_code": suite, "detentions": len(s),
                         "juvenile_detentions": int(_flag(s["is_juvenile"]).sum()),
                         "detentions_ended": len(hours),
                         "median_detention_hours":
                             round(float(hours.median()), 2) if len(hours) else None})
    return pd.DataFrame(rows)


def build_icv_visits(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    v = t["fct_icv_visit"]
    rows = []
    for p in win.periods:
        sub = v[_between(v["arrived_at"], p.start, p.end_exclusive)]
        for suite in (*SUITES, TOTAL):
            s = sub if suite == TOTAL else sub[sub["suite_code"] == suite]
            delay = pd.to_numeric(s["access_delay_minutes"], errors="coerce")
            detainees, offered = int(s["detainees_in_cells"].sum()), int(s["offered"].sum())
            agreed = int(s["agreed"].sum())
            rows.append({
                **_period_values(p), "suite_code": suite, "visits": len(s),
                # ICV annual report: "immediate access" is admission within 5 minutes.
                "immediate_access_visits": int((delay <= 5).sum()),
                "detainees_in_cells": detainees, "offered": offered, "agreed": agreed,
                "refused": int(s["refused"].sum()),
                "offered_rate": round(offered / detainees, 4) if detainees else None,
                "agreed_rate": round(agreed / offered, 4) if offered else None,
            })
    return pd.DataFrame(rows)


# Commissioned services: one row per quarterly return, one column per measure.
SERVICE_MEASURES: dict[str, tuple[str, ...]] = {
    service: tuple(measure_name(label) for label in labels)
    for service, labels in RETURN_LABELS.items()
}
SERVICE_RATES: dict[str, tuple[RateOver, ...]] = {
    "sarc": (RateOver("forensic_examination_within_60_minutes", ("forensic_examinations",)),),
    "cyp_sarc": (),
    "isva": (
        RateOver("average_length_of_support_months", ("supported_with_a_support_plan",)),
        RateOver("longest_support_months", ("supported_with_a_support_plan",)),
    ),
}
# returns.md "Checks a return must pass": these splits add up to their totals.
SERVICE_SUMS: dict[str, tuple[ColumnSum, ...]] = {
    "sarc": (
        ColumnSum("individuals_supported", ("female", "male")),
        ColumnSum("individuals_supported",
                  ("referred_by_police", "self_referral", "other_referral_source")),
    ),
    "cyp_sarc": (
        ColumnSum("children_assessed_llr", ("female", "male")),
        ColumnSum("children_assessed_llr",
                  ("referred_by_police", "referred_by_social_care", "other_referral_source")),
        ColumnSum("children_assessed_llr", ("referred_for_rape", "referred_for_sexual_assault")),
    ),
    "isva": (
        ColumnSum("referrals_received", ("leicester", "leicestershire", "rutland", "out_of_area")),
    ),
}


def _service_builder(service: str) -> Builder:
    def build(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
        r = t["fct_service_return"]
        r = r[r["service"] == service]
        measures = SERVICE_MEASURES[service]
        rates = {x.column for x in SERVICE_RATES[service]}
        rows = []
        for q in win.quarters_12m:
            ret = r[r["fy_quarter"] == q.label]
            if ret.empty:
                continue  # no return for that quarter: no row rather than a row of blanks
            values = dict(zip(ret["measure"], ret["value"], strict=True))
            row: dict[str, object] = {"fy_quarter": q.label}
            for m in measures:
                if m not in values:
                    raise ValueError(
                        f"fct_service_return: the {service} return for {q.label} has no "
                        f"measure {m!r}")
                row[m] = round(float(values[m]), 2) if m in rates else int(values[m])
            rows.append(row)
        return pd.DataFrame(rows, columns=["fy_quarter", *measures])
    return build


# -------------------------------------------------------------------------------- ICB

HEALTH_SOURCES = ("ae", "admission", "ambulance")


def _llr_districts() -> list[tuple[str, str]]:
    names = {r["area_code"]: r["area_name"] for r in seed_rows("ref_population")
             if r["area_level"] == "district"}
    return sorted((code, names.get(code, code)) for code in LLR_DISTRICT_CODES)


def _per_source(t: Frames, win: ExportWindow,
                one: Callable[[pd.DataFrame, dict[str, str]], pd.DataFrame]) -> pd.DataFrame:
    inj = t["fct_assault_injury"]
    parts = [one(inj[inj["source"] == s].copy(), {"source": s}) for s in HEALTH_SOURCES]
    return pd.concat(parts, ignore_index=True)


def build_injury_by_area(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    districts = _llr_districts()
    names = dict(districts) | {LLR: "Leicester, Leicestershire and Rutland"}

    def one(inj: pd.DataFrame, extra: dict[str, str]) -> pd.DataFrame:
        out = tally(inj, "event_at", win, "district_code", [c for c, _ in districts],
                    "events", extra)
        out = out.rename(columns={"district_code": "area_code"})
        out.loc[out["area_code"] == TOTAL, "area_code"] = LLR
        out.insert(out.columns.get_loc("area_code") + 1, "area_name",
                   out["area_code"].map(names).fillna(out["area_code"]))
        return out

    return _per_source(t, win, one)


def build_injury_by_age_band(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    def one(inj: pd.DataFrame, extra: dict[str, str]) -> pd.DataFrame:
        inj["age_band"] = age_band(inj["age"])
        return tally(inj, "event_at", win, "age_band", [b[0] for b in AGE_BANDS] + [UNKNOWN],
                     "events", extra)
    return _per_source(t, win, one)


def build_injury_by_sex(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    def one(inj: pd.DataFrame, extra: dict[str, str]) -> pd.DataFrame:
        inj["sex"] = inj["sex"].fillna("U")
        return tally(inj, "event_at", win, "sex", ["F", "M", "X", "U"], "events", extra)
    return _per_source(t, win, one)


def build_injury_by_means(t: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    def one(inj: pd.DataFrame, extra: dict[str, str]) -> pd.DataFrame:
        inj["means"] = inj["means"].fillna(UNKNOWN)
        return tally(inj, "event_at", win, "means", [], "events", extra)
    return _per_source(t, win, one)


# -------------------------------------------------------------------------- catalogue

SV_READS = ("fct_serious_violence", "dim_geography", "dim_offence")
RASSO_PERFORMANCE_COLUMNS = (
    "month_end", "rapes_12m", "rapes_per_1000_12m", "charged_12m", "charge_rate_12m",
    "outcomes_assigned_12m", "median_days_to_outcome_12m", "victim_not_supporting_12m",
    "victim_not_supporting_rate_12m",
)


def _by(dimension: str, value: str, *, extra_keys: tuple[str, ...] = ()) -> TableShape:
    return TableShape(keys=("period", *extra_keys, dimension), counts=(value,),
                      margins=(Margin(dimension, TOTAL),))


def _service_table(service: str, title: str) -> TableDef:
    measures = SERVICE_MEASURES[service]
    rates = SERVICE_RATES[service]
    rate_cols = {r.column for r in rates}
    return TableDef(
        name=f"{service}_returns", group="opcc", kind=POLICE_COUNCIL,
        columns=("fy_quarter", *measures),
        shape=TableShape(keys=("fy_quarter",),
                         counts=tuple(m for m in measures if m not in rate_cols),
                         rates=rates, column_sums=SERVICE_SUMS[service]),
        reads=("fct_service_return",),
        description=f"{title}: the provider's quarterly return, one row per quarter of the "
                    "12 months to the quarter's end (returns.md).",
        build=_service_builder(service), may_be_empty=True,
    )


TABLES: tuple[TableDef, ...] = (
    # --- each CSP: its locality profile
    TableDef(
        "sv_by_offence_group", "csp", POLICE_COUNCIL,
        (*PERIOD_COLUMNS, "sv_group", "offences"), _by("sv_group", "offences"), SV_READS,
        "Serious violence offences recorded in the CSP's area, by serious violence group.",
        build_sv_by_offence_group),
    TableDef(
        "sv_by_location", "csp", POLICE_COUNCIL,
        (*PERIOD_COLUMNS, "location_type", "offences"), _by("location_type", "offences"),
        SV_READS, "Serious violence offences in the CSP's area, by type of location.",
        build_sv_by_location),
    TableDef(
        "sv_by_victim_age_band", "csp", POLICE_COUNCIL,
        (*PERIOD_COLUMNS, "victim_age_band", "offences"),
        _by("victim_age_band", "offences"), SV_READS,
        "Serious violence offences in the CSP's area, by the youngest victim's age band.",
        build_sv_by_victim_age_band),
    TableDef(
        "sv_knife_and_domestic_abuse", "csp", POLICE_COUNCIL,
        (*PERIOD_COLUMNS, "measure", "offences"),
        TableShape(keys=("period", "measure"), counts=("offences",)), SV_READS,
        "Serious violence offences in the CSP's area that involved a knife or sharp object, "
        "were knife-enabled (Home Office list), domestic-abuse related or sexual violence, or "
        "had a victim under 25. Measures overlap: they do not add up to the total.",
        build_sv_knife_and_domestic_abuse),
    TableDef(
        "sv_by_month", "csp", POLICE_COUNCIL,
        ("month", "offences", "knife_or_sharp_object_offences", "domestic_abuse_offences",
         "victim_under_25_offences"),
        TableShape(keys=("month",), counts=(
            "offences", "knife_or_sharp_object_offences", "domestic_abuse_offences",
            "victim_under_25_offences")),
        SV_READS, "Serious violence offences in the CSP's area per month, 12 months to the "
        "quarter's end.", build_sv_by_month),
    TableDef(
        "sv_by_area", "csp", POLICE_COUNCIL,
        (*PERIOD_COLUMNS, "area_level", "area_code", "area_name", "offences", "population",
         "rate_per_1000"),
        TableShape(keys=("period", "area_code"), counts=("offences",),
                   rates=(RateOver("rate_per_1000", ("offences",)),)),
        (*SV_READS, "mart_sv_by_area"),
        "Serious violence offences per district of the CSP and for the CSP, with the rate "
        "per 1,000 residents over the period (not annualised).", build_sv_by_area),
    # --- Home Office: Serious Violence Duty success measures
    TableDef(
        "sv_duty_police_measures", "home_office", POLICE_COUNCIL,
        (*PERIOD_COLUMNS, "measure", "age_group", "value"),
        TableShape(keys=("period", "measure", "age_group"), counts=("value",)),
        ("fct_serious_violence",),
        "Serious Violence Duty success measures from police data (SV Duty report para 26): "
        "knife-enabled serious violence, homicides, homicides with a knife; all ages and "
        "youngest victim under 25.", build_sv_duty_police_measures),
    TableDef(
        "sv_duty_health_measures", "home_office", HEALTH,
        (*PERIOD_COLUMNS, "measure", "age_group", "value"),
        TableShape(keys=("period", "measure", "age_group"), counts=("value",)),
        ("fct_assault_injury",),
        "Serious Violence Duty success measure from hospital data: emergency admissions of "
        "LLR residents for assault by a sharp object (ICD-10 X99); all ages and under 25.",
        build_sv_duty_health_measures),
    # --- OPCC: RASSO performance, custody and ICV, commissioned services
    TableDef(
        "rasso_outcomes", "opcc", POLICE_COUNCIL,
        (*PERIOD_COLUMNS, "outcome_group", "rapes"), _by("outcome_group", "rapes"),
        ("fct_rasso",),
        "Rapes recorded in the period by their current outcome: charged or summonsed (1, 1A), "
        "victim does not support (14, 16), another outcome, or still under investigation.",
        build_rasso_outcomes),
    TableDef(
        "rasso_performance", "opcc", POLICE_COUNCIL, RASSO_PERFORMANCE_COLUMNS,
        TableShape(
            keys=("month_end",),
            counts=("rapes_12m", "charged_12m", "outcomes_assigned_12m",
                    "victim_not_supporting_12m"),
            rates=(RateOver("rapes_per_1000_12m", ("rapes_12m",)),
                   RateOver("charge_rate_12m", ("charged_12m", "rapes_12m")),
                   RateOver("median_days_to_outcome_12m", ("outcomes_assigned_12m",)),
                   RateOver("victim_not_supporting_rate_12m",
                            ("victim_not_supporting_12m", "rapes_12m")))),
        ("mart_rasso_performance", "fct_rasso"),
        "Rape performance over rolling 12 months to each month end (mart_rasso_performance), "
        "with the counts each rate is over.", build_rasso_performance, may_be_empty=True),
    TableDef(
        "custody_detentions", "opcc", POLICE_COUNCIL,
        (*PERIOD_COLUMNS, "suite_code", "detentions", "juvenile_detentions",
         "detentions_ended", "median_detention_hours"),
        TableShape(keys=("period", "suite_code"),
                   counts=("detentions", "juvenile_detentions", "detentions_ended"),
                   rates=(RateOver("median_detention_hours", ("detentions_ended",)),),
                   margins=(Margin("suite_code", TOTAL),)),
        ("fct_custody_detention",),
        "Custody detentions by arrival in the period, per suite.", build_custody_detentions),
    TableDef(
        "icv_visits", "opcc", POLICE_COUNCIL,
        (*PERIOD_COLUMNS, "suite_code", "visits", "immediate_access_visits",
         "detainees_in_cells", "offered", "agreed", "refused", "offered_rate", "agreed_rate"),
        TableShape(keys=("period", "suite_code"),
                   counts=("visits", "immediate_access_visits", "detainees_in_cells",
                           "offered", "agreed", "refused"),
                   rates=(RateOver("offered_rate", ("offered", "detainees_in_cells")),
                          RateOver("agreed_rate", ("agreed", "offered"))),
                   margins=(Margin("suite_code", TOTAL),),
                   column_sums=(ColumnSum("offered", ("agreed", "refused")),)),
        ("fct_icv_visit",),
        "Independent Custody Visitor visits by arrival in the period, per suite.",
        build_icv_visits),
    _service_table("sarc", "Adult Sexual Assault Referral Centre"),
    _service_table("cyp_sarc", "Children and young people's SARC (LLR children)"),
    _service_table("isva", "Independent Sexual Violence Advocate service"),
    # --- ICB: health injury data (NHS Digital rule throughout)
    TableDef(
        "assault_injury_by_area", "icb", HEALTH,
        (*PERIOD_COLUMNS, "source", "area_code", "area_name", "events"),
        TableShape(keys=("period", "source", "area_code"), counts=("events",),
                   margins=(Margin("area_code", LLR),)),
        ("fct_assault_injury",),
        "Assault-related A&E attendances, emergency admissions and ambulance call-outs of "
        "LLR residents (ambulance: incidents in LLR), per district of residence.",
        build_injury_by_area),
    TableDef(
        "assault_injury_by_age_band", "icb", HEALTH,
        (*PERIOD_COLUMNS, "source", "age_band", "events"),
        _by("age_band", "events", extra_keys=("source",)), ("fct_assault_injury",),
        "Assault-related health events of LLR residents by the patient's age band.",
        build_injury_by_age_band),
    TableDef(
        "assault_injury_by_sex", "icb", HEALTH,
        (*PERIOD_COLUMNS, "source", "sex", "events"),
        _by("sex", "events", extra_keys=("source",)), ("fct_assault_injury",),
        "Assault-related health events of LLR residents by sex (F, M, X other, U unknown).",
        build_injury_by_sex),
    TableDef(
        "assault_injury_by_means", "icb", HEALTH,
        (*PERIOD_COLUMNS, "source", "means", "events"),
        _by("means", "events", extra_keys=("source",)), ("fct_assault_injury",),
        "Assault-related health events of LLR residents by means: the ICD-10 external cause "
        "for admissions, the assault method for A&E, the call category for ambulance.",
        build_injury_by_means),
)
BY_NAME: dict[str, TableDef] = {t.name: t for t in TABLES}


def tables_for(partner_group: str) -> tuple[TableDef, ...]:
    return tuple(t for t in TABLES if t.group == partner_group)


def reads_for(partner_group: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for t in tables_for(partner_group) for r in t.reads))


def build_table(table: TableDef, frames: Frames, win: ExportWindow, partner: str) -> pd.DataFrame:
    """The table's figures in its published column order, before disclosure control."""
    out = table.build(frames, win, partner)
    if out.empty:
        return pd.DataFrame(columns=list(table.columns))
    missing = [c for c in table.columns if c not in out.columns]
    if missing:
        raise ValueError(f"export table {table.name}: builder gave no column(s) {missing}")
    return out[list(table.columns)].reset_index(drop=True)


# Words for the notes sheet: what each column means, once for every table.
COLUMN_DEFINITIONS: dict[str, str] = {
    "period": "A financial-year quarter (2024-25Q1 = April to June 2024) or 12m_to_<quarter>, "
              "the 12 months ending with that quarter.",
    "period_start": "First day of the period.",
    "period_end": "Last day of the period.",
    "month": "First day of the calendar month.",
    "month_end": "Last day of the month the rolling 12 months end with.",
    "fy_quarter": "The financial-year quarter of the provider's return.",
    "sv_group": "Serious violence group of the Home Office offence code (seed ref_offence_codes)."
                " 'all' is every serious violence offence.",
    "location_type": "Type of location recorded by the police ('unknown' when not recorded).",
    "victim_age_band": "Age band of the youngest victim at the offence.",
    "measure": "What is counted; see the table description.",
    "age_group": "'all' ages or 'under_25' (youngest victim, or the patient, under 25).",
    "area_level": "'district' or 'csp'.",
    "area_code": "ONS code of the district, the CSP's name, or LLR.",
    "area_name": "Name of the area.",
    "offences": "Recorded, not cancelled crimes counted by recorded date.",
    "population": "ONS mid-year population estimate used for rates.",
    "rate_per_1000": "Offences per 1,000 residents over the period.",
    "value": "The count for the measure.",
    "outcome_group": "Current outcome of the rape (latest outcome assignment).",
    "rapes": "Rapes recorded in the period.",
    "suite_code": "Custody suite: EUS Euston Street, KEY Keyham Lane, BEA Beaumont Leys; "
                  "'all' for every suite.",
    "source": "ae: A&E attendance; admission: emergency admission; ambulance: call-out.",
    "events": "Health events counted by their own date.",
    "age_band": "Patient's age band at the event.",
    "sex": "F female, M male, X other, U unknown.",
    "means": "Means of assault (ICD-10 external cause, A&E method or ambulance category).",
}
