"""Totals the exports must agree with, computed independently from the marts.

The export builders count rows in pandas; here the same facts are counted by DuckDB, per
month, in a handful of grouped SQL queries, and a period's total is the sum of its months.
Where an export covers a whole financial year (the rolling 12 months of a Q4 export) the
yearly marts (`mart_sv_by_area`, `mart_sv_duty_measures`) must agree too, and RASSO's
published counts must agree with the mart's rates times its counts. The Soda contract of
each export table fails when a published total differs (health totals may differ by the
rounding only; a suppressed total is not compared).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from exports.disclosure import SUPPRESSED
from exports.partners import CSP_PARTNERS, HEALTH, DisclosureRule
from exports.tables import HEALTH_SOURCES, LLR, SERVICE_MEASURES, SERVICE_RATES, TOTAL, TableDef
from exports.windows import ExportWindow

Frames = Mapping[str, pd.DataFrame]

POLICE_DUTY_SQL = {
    "knife_enabled_sv": "is_knife_enabled_ho",
    "homicide": "sv_group = 'homicide'",
    "knife_homicide": "sv_group = 'homicide' AND is_knife_sharp",
}


def _duty_columns() -> str:
    out = []
    for measure, cond in POLICE_DUTY_SQL.items():
        out += [f"count(*) FILTER (WHERE {cond}) AS {measure}__all",
                f"count(*) FILTER (WHERE ({cond}) AND youngest_victim_age < 25) "
                f"AS {measure}__under_25"]
    return ", ".join(out)


# One grouped query per fact: month (first day) x key -> counts.
MONTHLY_SQL: dict[str, str] = {
    "csp_sv": (
        "SELECT g.csp_name AS key, date_trunc('month', f.recorded_date)::DATE AS month, "
        "count(*) AS n FROM marts.fct_serious_violence f JOIN marts.dim_geography g "
        "ON f.beat_code = g.beat_code GROUP BY ALL"),
    "duty_police": (
        "SELECT 'all' AS key, date_trunc('month', recorded_date)::DATE AS month, "
        f"{_duty_columns()} FROM marts.fct_serious_violence GROUP BY ALL"),
    "duty_health": (
        "SELECT 'all' AS key, date_trunc('month', event_at)::DATE AS month, "
        "count(*) AS sharp_object_admissions__all, "
        "count(*) FILTER (WHERE age < 25) AS sharp_object_admissions__under_25 "
        "FROM marts.fct_assault_injury WHERE source = 'admission' AND is_sharp_object "
        "GROUP BY ALL"),
    "rapes": (
        "SELECT 'all' AS key, date_trunc('month', recorded_date)::DATE AS month, "
        "count(*) AS n, count(*) FILTER (WHERE is_charged) AS charged "
        "FROM marts.fct_rasso WHERE is_rape GROUP BY ALL"),
    "custody": (
        "SELECT 'all' AS key, date_trunc('month', arrived_at)::DATE AS month, count(*) AS n "
        "FROM marts.fct_custody_detention GROUP BY ALL"),
    "icv": (
        "SELECT 'all' AS key, date_trunc('month', arrived_at)::DATE AS month, count(*) AS n, "
        "coalesce(sum(detainees_in_cells), 0) AS detainees FROM marts.fct_icv_visit "
        "GROUP BY ALL"),
    "injury": (
        "SELECT source AS key, date_trunc('month', event_at)::DATE AS month, count(*) AS n "
        "FROM marts.fct_assault_injury GROUP BY ALL"),
}
# The contract tables each group's expectations read besides the monthly counts.
RECONCILE_READS: dict[str, tuple[str, ...]] = {
    "csp": ("mart_sv_by_area", "dim_geography"),
    "home_office": ("mart_sv_duty_measures",),
    "opcc": ("mart_rasso_performance", "fct_service_return"),
    "icb": (),
}
# Which of those each partner group's expectations need.
MONTHLY_FOR_GROUP: dict[str, tuple[str, ...]] = {
    "csp": ("csp_sv",),
    "home_office": ("duty_police", "duty_health"),
    "opcc": ("rapes", "custody", "icv"),
    "icb": ("injury",),
}


def read_monthly_counts(
    con: duckdb.DuckDBPyConnection, names: Sequence[str]
) -> tuple[dict[str, pd.DataFrame], dict[str, BaseException]]:
    """Run the grouped counts (I/O only); a query that fails is returned as its error."""
    out, errors = {}, {}
    for name in dict.fromkeys(names):
        try:
            frame = con.execute(MONTHLY_SQL[name]).df()
            frame["month"] = pd.to_datetime(frame["month"]).dt.date
            out[name] = frame
        except duckdb.Error as e:
            errors[name] = e
    return out, errors


@dataclass(frozen=True)
class Expected:
    table: str
    match: tuple[tuple[str, str], ...]  # (column, value) pairs that find the row
    column: str
    expected: float
    source: str

    @property
    def key(self) -> str:
        return ", ".join(f"{c}={v}" for c, v in self.match)


def _sum(monthly: pd.DataFrame, start: date, end_exclusive: date, column: str = "n",
         key: str | None = None) -> float:
    m = monthly
    if key is not None:
        m = m[m["key"] == key]
    m = m[(m["month"] >= start) & (m["month"] < end_exclusive)]
    return float(m[column].sum())


def _next_month(m: date) -> date:
    return (m.replace(day=28) + timedelta(days=4)).replace(day=1)


def _rolling_start(month_end: date) -> date:
    start = month_end.replace(day=1)
    for _ in range(11):
        start = (start - timedelta(days=1)).replace(day=1)
    return start


SV_TOTAL_CELLS = (
    ("sv_by_offence_group", "sv_group", TOTAL),
    ("sv_by_location", "location_type", TOTAL),
    ("sv_by_victim_age_band", "victim_age_band", TOTAL),
    ("sv_knife_and_domestic_abuse", "measure", "all_serious_violence"),
)


def _csp(monthly: Mapping[str, pd.DataFrame], t: Frames, partner: str,
         win: ExportWindow) -> list[Expected]:
    csp = CSP_PARTNERS[partner]
    counts, src = monthly["csp_sv"], "marts.fct_serious_violence x marts.dim_geography"
    out = []
    for p in win.periods:
        n = _sum(counts, p.start, p.end_exclusive, key=csp)
        for table, column, value in SV_TOTAL_CELLS:
            out.append(Expected(table, (("period", p.label), (column, value)), "offences", n,
                                src))
        out.append(Expected("sv_by_area", (("period", p.label), ("area_code", csp)),
                            "offences", n, src))
    for m in win.months:
        out.append(Expected("sv_by_month", (("month", m.isoformat()),), "offences",
                            _sum(counts, m, _next_month(m), key=csp), src))
    if win.rolling_is_financial_year:
        areas = t["mart_sv_by_area"]
        districts = set(t["dim_geography"].loc[t["dim_geography"]["csp_name"] == csp,
                                               "district_code"])
        mine = areas[(areas["financial_year"] == win.financial_year) & (
            ((areas["area_level"] == "csp") & (areas["area_code"] == csp))
            | ((areas["area_level"] == "district") & areas["area_code"].isin(districts)))]
        for r in mine.itertuples():
            out.append(Expected("sv_by_area", (("period", win.rolling.label),
                                               ("area_code", r.area_code)), "offences",
                                r.offences, "marts.mart_sv_by_area"))
    return out


def _home_office(monthly: Mapping[str, pd.DataFrame], t: Frames,
                 win: ExportWindow) -> list[Expected]:
    out = []
    for p in win.periods:
        for name, table, src in (
            ("duty_police", "sv_duty_police_measures", "marts.fct_serious_violence"),
            ("duty_health", "sv_duty_health_measures", "marts.fct_assault_injury"),
        ):
            counts = monthly[name]
            for column in counts.columns:
                if "__" not in column:
                    continue
                measure, age = column.split("__")
                out.append(Expected(table, (("period", p.label), ("measure", measure),
                                            ("age_group", age)), "value",
                                    _sum(counts, p.start, p.end_exclusive, column), src))
    if win.rolling_is_financial_year:
        m = t["mart_sv_duty_measures"]
        for r in m[m["financial_year"] == win.financial_year].itertuples():
            table = ("sv_duty_health_measures" if r.measure == "sharp_object_admissions"
                     else "sv_duty_police_measures")
            out.append(Expected(table, (("period", win.rolling.label), ("measure", r.measure),
                                        ("age_group", r.age_group)), "value", r.value,
                                "marts.mart_sv_duty_measures"))
    return out


def _opcc(monthly: Mapping[str, pd.DataFrame], t: Frames, win: ExportWindow) -> list[Expected]:
    out = []
    rapes, custody, icv = monthly["rapes"], monthly["custody"], monthly["icv"]
    for p in win.periods:
        s, e = p.start, p.end_exclusive
        out.append(Expected("rasso_outcomes", (("period", p.label), ("outcome_group", TOTAL)),
                            "rapes", _sum(rapes, s, e), "marts.fct_rasso"))
        out.append(Expected("rasso_outcomes", (("period", p.label),
                                               ("outcome_group", "charged")),
                            "rapes", _sum(rapes, s, e, "charged"), "marts.fct_rasso"))
        out.append(Expected("custody_detentions", (("period", p.label), ("suite_code", TOTAL)),
                            "detentions", _sum(custody, s, e), "marts.fct_custody_detention"))
        key = (("period", p.label), ("suite_code", TOTAL))
        out.append(Expected("icv_visits", key, "visits", _sum(icv, s, e),
                            "marts.fct_icv_visit"))
        out.append(Expected("icv_visits", key, "detainees_in_cells",
                            _sum(icv, s, e, "detainees"), "marts.fct_icv_visit"))
    perf = t["mart_rasso_performance"]
    ends = {(_next_month(m) - timedelta(days=1)) for m in win.months}
    for r in perf.itertuples():
        month_end = pd.Timestamp(r.month_end).date()
        if month_end not in ends:
            continue
        key = (("month_end", month_end.isoformat()),)
        n = _sum(rapes, _rolling_start(month_end), month_end + timedelta(days=1))
        out.append(Expected("rasso_performance", key, "rapes_12m", n, "marts.fct_rasso"))
        for column, rate in (("charged_12m", r.charge_rate_12m),
                             ("victim_not_supporting_12m", r.victim_not_supporting_rate_12m)):
            if rate is not None and not pd.isna(rate) and r.rapes_12m:
                out.append(Expected("rasso_performance", key, column,
                                    round(float(rate) * float(r.rapes_12m)),
                                    "marts.mart_rasso_performance rate x rapes_12m"))
    returns = t["fct_service_return"]
    quarters = {q.label for q in win.quarters_12m}
    for r in returns[returns["fy_quarter"].isin(quarters)].itertuples():
        if r.measure not in SERVICE_MEASURES.get(r.service, ()):
            continue
        if any(x.column == r.measure for x in SERVICE_RATES[r.service]):
            continue
        out.append(Expected(f"{r.service}_returns", (("fy_quarter", r.fy_quarter),),
                            r.measure, r.value, "marts.fct_service_return"))
    return out


def _icb(monthly: Mapping[str, pd.DataFrame], t: Frames, win: ExportWindow) -> list[Expected]:
    out, counts = [], monthly["injury"]
    for p in win.periods:
        for source in HEALTH_SOURCES:
            n = _sum(counts, p.start, p.end_exclusive, key=source)
            base = (("period", p.label), ("source", source))
            out.append(Expected("assault_injury_by_area", (*base, ("area_code", LLR)), "events",
                                n, "marts.fct_assault_injury"))
            for table, column in (("assault_injury_by_age_band", "age_band"),
                                  ("assault_injury_by_sex", "sex"),
                                  ("assault_injury_by_means", "means")):
                out.append(Expected(table, (*base, (column, TOTAL)), "events", n,
                                    "marts.fct_assault_injury"))
    return out


def expected_totals(monthly: Mapping[str, pd.DataFrame], tables: Frames, partner: str,
                    win: ExportWindow) -> list[Expected]:
    """Everything the partner's export for this window must agree with."""
    if partner in CSP_PARTNERS:
        return _csp(monthly, tables, partner, win)
    return {"home_office": _home_office, "opcc": _opcc, "icb": _icb}[partner](
        monthly, tables, win)


def reconcile_rows(published: Mapping[str, pd.DataFrame], expected: Sequence[Expected],
                   tables: Mapping[str, TableDef],
                   rules: Mapping[str, DisclosureRule]) -> pd.DataFrame:
    """Each expected figure beside what the partner will see (None when suppressed)."""
    rows = []
    for e in expected:
        frame = published.get(e.table)
        if frame is None:
            continue
        table = tables[e.table]
        rule = rules[table.kind]
        tolerance = float(rule.round_to // 2) if table.kind == HEALTH and rule.round_to else 0.0
        mask = pd.Series(True, index=frame.index)
        for column, value in e.match:
            mask &= frame[column].astype(str).eq(value)
        found = frame.loc[mask, e.column]
        value = found.iloc[0] if len(found) == 1 else None
        rows.append({
            "table_name": e.table, "check_key": e.key, "column_name": e.column,
            "published": None if value is None or value == SUPPRESSED else float(value),
            "expected": float(e.expected), "tolerance": tolerance,
            "row_found": len(found) == 1, "source": e.source,
        })
    return pd.DataFrame(rows, columns=["table_name", "check_key", "column_name", "published",
                                       "expected", "tolerance", "row_found", "source"])
