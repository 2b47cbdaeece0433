"""Baselines for the speed benchmark: six contract marts computed straight from a landing drop.

The benchmark times three ways of producing the same figures in one run: a raw DuckDB script,
a pandas script and ``vrn run``. This module holds the first two. Each reads the partner
files in a landing folder directly, as an analyst would (the CSV extracts under ``police/``,
``opcc/`` and ``health/``, and the project's dbt seeds under ``dbt_project/seeds/`` as
reference data), and uses nothing of the warehouse, the ingest code or dbt. The marts:

  mart_sv_by_area                     serious violence per financial year x area
  mart_sv_duty_measures               the Home Office SV Duty success measures
  mart_rasso_performance              rolling 12-month rape performance, per month
  mart_custody__detentions_by_suite   custody detentions per financial year x suite
  mart_icv__visit_grid                ICV visits per year x suite x weekday x time slot
  mart_health__summary                health events of LLR per financial year x source

Only the counting rules are reproduced (shared/spec/published-figures.md): recorded, not
cancelled crimes by ``recorded_date``; the current outcome is the latest assignment by
``outcome_date`` (ties: the later period's file, then the later row); health and custody by
the event's own date; a health row is LLR's when its ``lad_code`` is one of the nine LLR
codes; a period is covered when its file is in the landing folder. A landing folder holds
one file per source, entity and period (a re-send replaces the file of the same name), so
every file there is the newest for its period. Row validation and quarantine are not
reimplemented: the figures equal the warehouse's on a clean drop (``vrn generate`` with no
``--defects``).

Usage (from the repository root)::

    python benchmarks/baselines.py duckdb LANDING            # compute, one line per mart
    python benchmarks/baselines.py pandas LANDING            # the same with pandas
    python benchmarks/baselines.py check LANDING WAREHOUSE   # both vs the built warehouse

``check`` prints every difference and exits 1 if there is any. From Python:
``duckdb_marts(landing)``, ``pandas_marts(landing)``, ``warehouse_marts(warehouse)`` and
``differences(a, b)``.
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "dbt_project" / "seeds"

# Each mart with the columns it is compared on, grain columns first.
MARTS: dict[str, tuple[list[str], list[str]]] = {
    "mart_sv_by_area": (
        ["financial_year", "area_level", "area_code"],
        ["area_name", "la_code", "offences", "population", "rate_per_1000", "share_of_llr",
         "offences_previous_year", "change_on_previous_year", "knife_sharp_offences",
         "knife_sharp_share", "share_of_llr_knife_sharp"],
    ),
    "mart_sv_duty_measures": (
        ["financial_year", "measure", "age_group"],
        ["value", "source", "measure_order", "baseline_value", "change_on_baseline"],
    ),
    "mart_rasso_performance": (
        ["month_end"],
        ["window_start", "rapes_12m", "rapes_per_1000_12m", "charged_12m", "charge_rate_12m",
         "charge_rate_target", "outcomes_assigned_12m", "median_days_to_outcome_12m",
         "victim_not_supporting_12m", "victim_not_supporting_rate_12m", "population"],
    ),
    "mart_custody__detentions_by_suite": (
        ["financial_year", "suite_code"],
        ["suite_name", "detentions", "juvenile_detentions", "juvenile_share", "still_detained",
         "mean_detention_hours", "median_detention_hours", "detentions_over_24_hours",
         "with_appropriate_adult", "mental_health_s136", "with_interpreter",
         "strip_searched"],
    ),
    "mart_icv__visit_grid": (
        ["financial_year", "suite_code", "weekday", "time_slot"],
        ["suite_name", "weekday_name", "slot_order", "visits"],
    ),
    "mart_health__summary": (
        ["financial_year", "source"],
        ["events", "events_previous_year", "change_on_previous_year", "population",
         "rate_per_1000", "events_under_25", "sharp_object_events"],
    ),
}

LLR_NAME = "Leicester, Leicestershire and Rutland"
RAPE_CHARGE_RATE_TARGET = 0.08  # dbt var rape_charge_rate_target
SV_DUTY_BASELINE_YEAR = "2019-20"
DUTY_MEASURES = [  # (measure, source, measure_order)
    ("knife_enabled_sv", "police", 1),
    ("homicide", "police", 2),
    ("knife_homicide", "police", 3),
    ("sharp_object_admissions", "health", 4),
]
HEALTH_ENTITIES = {"ae_assaults": "ae", "assault_admissions": "admission",
                   "ambulance_assaults": "ambulance"}
QUARTERLY_SOURCES = ("police", "opcc", "health")
FILE_NAME = re.compile(r"^([a-z_]+)_(\d{4}-\d{2}Q[1-4])\.csv$")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
# The extracts read, with their columns as the spec lists them (partner-extracts.md).
EXTRACT_COLUMNS: dict[tuple[str, str], list[str]] = {
    ("police", "crimes"): [
        "crime_ref", "recorded_date", "offence_from", "offence_to", "ho_offence_code",
        "beat_code", "location_type", "flag_domestic_abuse", "flag_knife_sharp",
        "flag_firearm", "flag_alcohol", "flag_hate", "status"],
    ("police", "crime_people"): [
        "crime_ref", "person_ref", "role", "age", "sex", "ethnicity", "postcode_district",
        "tok_surname", "tok_forename", "tok_dob"],
    ("police", "outcomes"): ["crime_ref", "outcome_code", "outcome_date"],
    ("police", "custody"): [
        "custody_ref", "suite_code", "arrived_at", "authorised_at", "released_at",
        "person_ref", "age", "sex", "ethnicity", "arrest_ho_offence_code", "disposal",
        "appropriate_adult", "mental_health_s136", "interpreter", "strip_search",
        "tok_surname", "tok_forename", "tok_dob"],
    ("opcc", "icv_visits"): [
        "visit_ref", "suite_code", "arrived_at", "admitted_at", "detainees_in_cells",
        "offered", "not_offered_on_advice", "unavailable", "asleep_observed", "agreed",
        "refused", "issues"],
    ("health", "ae_assaults"): [
        "attendance_ref", "site_code", "arrived_at", "assault_at", "age", "sex", "ethnicity",
        "lad_code", "lsoa21_code", "assault_method", "assault_location_type"],
    ("health", "assault_admissions"): [
        "spell_ref", "admitted_at", "discharged_at", "age", "sex", "ethnicity", "lad_code",
        "lsoa21_code", "primary_diagnosis", "external_cause", "cost_gbp"],
    ("health", "ambulance_assaults"): [
        "incident_ref", "call_at", "lad_code", "lsoa21_code", "category", "conveyed", "age",
        "sex"],
}
DATETIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"]


def _marts_in_order(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each mart's columns in MARTS order, rows sorted by its grain."""
    out = {}
    for name, (grain, values) in MARTS.items():
        frame = frames[name][grain + values]
        out[name] = frame.sort_values(grain, kind="stable").reset_index(drop=True)
    return out


# =========================================================================================
# DuckDB
# =========================================================================================
def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _duckdb_script(landing: Path) -> str:
    """The whole DuckDB script: reference data, extracts, then one table per mart."""
    seeds = _sql_path(SEEDS)
    land = _sql_path(landing)
    date_fmts = ", ".join(f"'{f}'" for f in DATE_FORMATS)
    ts_fmts = ", ".join(f"'{f}'" for f in DATETIME_FORMATS)

    def extract(source: str, entity: str) -> str:
        # The header is known (the spec's), so no sniffing: every column read as text.
        columns = ", ".join(f"'{c}': 'VARCHAR'" for c in EXTRACT_COLUMNS[source, entity])
        return (f"read_csv('{land}/{source}/{entity}_*.csv', header = true, "
                f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
                f"columns = {{{columns}}}, filename = true)")

    return f"""
-- ---------------------------------------------------------------- calendar helpers
create macro fy_start_year(d) as year(d) - case when month(d) < 4 then 1 else 0 end;
create macro fy(d) as printf('%d-%02d', fy_start_year(d), (fy_start_year(d) + 1) % 100);
create macro to_date(x) as cast(try_strptime(trim(x), [{date_fmts}]) as date);
create macro to_ts(x) as try_strptime(trim(x), [{ts_fmts}]);
create macro flag(x) as coalesce(upper(trim(x)) = 'Y', false);
create macro period_of(f) as regexp_extract(f, '_(\\d{{4}}-\\d{{2}}Q[1-4])\\.csv$', 1);

-- ---------------------------------------------------------------- reference data (seeds)
create table offence_codes as
select ho_offence_code, sv_group, is_rape::boolean as is_rape, is_rasso::boolean as is_rasso,
       is_ho_knife_offence::boolean as is_ho_knife_offence
from read_csv('{seeds}/ref_offence_codes.csv', header = true, all_varchar = true);

create table beats as
select * from read_csv('{seeds}/ref_beats.csv', header = true, all_varchar = true);

create table outcome_types as
select outcome_code, is_charge::boolean as is_charge,
       is_victim_not_supporting::boolean as is_victim_not_supporting
from read_csv('{seeds}/ref_outcome_types.csv', header = true, all_varchar = true);

create table icd10 as
select icd10_code, is_sharp_object::boolean as is_sharp_object
from read_csv('{seeds}/ref_icd10_assault.csv', header = true, all_varchar = true);

create table suites as
select suite_code, suite_name, suite_order::integer as suite_order
from read_csv('{seeds}/ref_custody_suites.csv', header = true, all_varchar = true);

create table time_slots as
select time_slot, start_hour::integer as start_hour, end_hour::integer as end_hour,
       slot_order::integer as slot_order
from read_csv('{seeds}/ref_icv_time_slots.csv', header = true, all_varchar = true);

create table population_seed as
select area_code, area_name, area_level, la_code, population::bigint as population,
       reference_year::integer as reference_year
from read_csv('{seeds}/ref_population.csv', header = true, all_varchar = true);

-- Every area at every reference year: LLR, upper tier, district, CSP (sum of districts).
create table areas_by_year as
select 'llr' as area_level, 'LLR' as area_code, '{LLR_NAME}' as area_name,
       null::varchar as la_code, reference_year, sum(population) as population
from population_seed where area_level = 'la' group by reference_year
union all
select 'la', area_code, area_name, la_code, reference_year, population
from population_seed where area_level = 'la'
union all
select 'district', area_code, area_name, la_code, reference_year, population
from population_seed where area_level = 'district'
union all
select 'csp', b.csp_name, b.csp_name, min(p.la_code), p.reference_year, sum(p.population)
from population_seed as p
inner join (select distinct district_code, csp_name from beats) as b
    on p.area_code = b.district_code
where p.area_level = 'district'
group by b.csp_name, p.reference_year;

-- ---------------------------------------------------------------- which periods were sent
create table coverage as
select source, entity, period, period_start,
       cast(period_start + interval 3 month - interval 1 day as date) as period_end,
       fy(period_start) as financial_year
from (
    select
        regexp_extract(file, '/([a-z]+)/([a-z_]+)_(\\d{{4}}-\\d{{2}}Q[1-4])\\.csv$', 1) as source,
        regexp_extract(file, '/([a-z]+)/([a-z_]+)_(\\d{{4}}-\\d{{2}}Q[1-4])\\.csv$', 2) as entity,
        regexp_extract(file, '/([a-z]+)/([a-z_]+)_(\\d{{4}}-\\d{{2}}Q[1-4])\\.csv$', 3) as period,
        cast(make_date(cast(substr(period, 1, 4) as integer), 4, 1)
             + to_months(3 * (cast(substr(period, 9, 1) as integer) - 1)) as date)
            as period_start
    from glob('{land}/*/*.csv')
)
where period != '';

-- Population of each area for each financial year: the latest reference year not after
-- the year's start, else the earliest.
create table area_populations as
select financial_year, area_level, area_code, area_name, la_code, population
from (select printf('%d-%02d', y, (y + 1) % 100) as financial_year, y as start_year
      from range(2000, 2050) as t (y)) as fys
cross join areas_by_year
qualify row_number() over (
    partition by financial_year, area_level, area_code
    order by reference_year <= start_year desc,
             case when reference_year <= start_year then -reference_year
                  else reference_year end) = 1;

-- ---------------------------------------------------------------- police
create table crimes as
select crime_ref, to_date(recorded_date) as recorded_date, ho_offence_code, beat_code,
       flag(flag_knife_sharp) as is_knife_sharp, status
from {extract('police', 'crimes')};

create table crime_people_summary as
select crime_ref,
       min(cast(age as integer)) filter (where role = 'victim') as youngest_victim_age
from {extract('police', 'crime_people')}
group by crime_ref;

create table recorded_crimes as
select c.crime_ref, c.recorded_date, fy(c.recorded_date) as financial_year,
       o.sv_group, o.sv_group is not null as is_serious_violence,
       coalesce(o.sv_group = 'homicide', false) as is_homicide,
       coalesce(o.is_rape, false) as is_rape, coalesce(o.is_rasso, false) as is_rasso,
       c.is_knife_sharp,
       c.is_knife_sharp and coalesce(o.is_ho_knife_offence, false) as is_knife_enabled_ho,
       b.la_code, b.district_code, b.csp_name,
       coalesce(p.youngest_victim_age < 25, false) as is_victim_under_25
from crimes as c
left join offence_codes as o on c.ho_offence_code = o.ho_offence_code
left join beats as b on c.beat_code = b.beat_code
left join crime_people_summary as p on c.crime_ref = p.crime_ref
where c.status = 'recorded';

create table outcomes_current as
select crime_ref, outcome_code, outcome_date from (
    select crime_ref, outcome_code, to_date(outcome_date) as outcome_date,
           period_of(filename) as period, row_number() over () as row_order
    from {extract('police', 'outcomes')}
)
qualify row_number() over (
    partition by crime_ref order by outcome_date desc, period desc, row_order desc) = 1;

-- Financial years of the crime data (the partnership's clock), with their bounds.
create table crime_years as
select distinct financial_year,
       make_date(cast(left(financial_year, 4) as integer), 4, 1) as period_start,
       cast(make_date(cast(left(financial_year, 4) as integer), 4, 1)
            + interval 12 month - interval 1 day as date) as period_end
from coverage where source = 'police' and entity = 'crimes';

-- ---------------------------------------------------------------- health (LLR only)
create table llr_districts as
select area_code as district_code from population_seed where area_level = 'district';

create table injuries as
select 'ae' as source, to_ts(arrived_at) as event_at, cast(age as integer) as age,
       assault_method = 'knife_sharp' as is_sharp_object, lad_code
from {extract('health', 'ae_assaults')}
union all
select 'admission', to_ts(a.admitted_at), cast(a.age as integer),
       coalesce(i.is_sharp_object, false), a.lad_code
from {extract('health', 'assault_admissions')} as a
left join icd10 as i on left(upper(trim(a.external_cause)), 3) = i.icd10_code
union all
select 'ambulance', to_ts(call_at), cast(age as integer),
       category = 'stab_gunshot_penetrating', lad_code
from {extract('health', 'ambulance_assaults')};

create table llr_injuries as
select source, cast(event_at as date) as event_date, fy(event_at) as financial_year,
       age < 25 as is_under_25, is_sharp_object
from injuries
where lad_code in (select district_code from llr_districts);

-- ---------------------------------------------------------------- mart_sv_by_area
create table sv_in_years as
select y.financial_year, r.la_code, r.district_code, r.csp_name, r.is_knife_sharp
from recorded_crimes as r
inner join crime_years as y on r.recorded_date between y.period_start and y.period_end
where r.is_serious_violence;

create table sv_counts as
select financial_year, 'llr' as area_level, 'LLR' as area_code, count(*) as offences,
       count(*) filter (where is_knife_sharp) as knife_sharp_offences
from sv_in_years group by all
union all
select financial_year, 'la', la_code, count(*), count(*) filter (where is_knife_sharp)
from sv_in_years where la_code is not null group by all
union all
select financial_year, 'district', district_code, count(*),
       count(*) filter (where is_knife_sharp)
from sv_in_years where district_code is not null group by all
union all
select financial_year, 'csp', csp_name, count(*), count(*) filter (where is_knife_sharp)
from sv_in_years where csp_name is not null group by all;

create table sv_filled as
select y.financial_year, p.area_level, p.area_code, p.area_name, p.la_code, p.population,
       coalesce(c.offences, 0) as offences,
       coalesce(c.knife_sharp_offences, 0) as knife_sharp_offences
from crime_years as y
inner join area_populations as p on y.financial_year = p.financial_year
left join sv_counts as c
    on c.financial_year = y.financial_year and c.area_level = p.area_level
    and c.area_code = p.area_code;

create table mart_sv_by_area as
select f.financial_year, f.area_level, f.area_code, f.area_name, f.la_code, f.offences,
       f.population,
       f.offences * 1000.0 / nullif(f.population, 0) as rate_per_1000,
       f.offences::double / nullif(llr.offences, 0) as share_of_llr,
       prev.offences as offences_previous_year,
       (f.offences - prev.offences)::double / nullif(prev.offences, 0)
           as change_on_previous_year,
       f.knife_sharp_offences,
       f.knife_sharp_offences::double / nullif(f.offences, 0) as knife_sharp_share,
       f.knife_sharp_offences::double / nullif(llr.knife_sharp_offences, 0)
           as share_of_llr_knife_sharp
from sv_filled as f
inner join sv_filled as llr
    on llr.financial_year = f.financial_year and llr.area_level = 'llr'
left join sv_filled as prev
    on prev.area_level = f.area_level and prev.area_code = f.area_code
    and prev.financial_year = printf('%d-%02d', cast(left(f.financial_year, 4) as integer) - 1,
                                     cast(left(f.financial_year, 4) as integer) % 100);

-- ---------------------------------------------------------------- mart_sv_duty_measures
create table duty_events as
select recorded_date as counted_on, 'knife_enabled_sv' as measure,
       is_victim_under_25 as is_under_25
from recorded_crimes where is_knife_enabled_ho
union all
select recorded_date, 'homicide', is_victim_under_25 from recorded_crimes where is_homicide
union all
select recorded_date, 'knife_homicide', is_victim_under_25
from recorded_crimes where is_homicide and is_knife_sharp
union all
select event_date, 'sharp_object_admissions', coalesce(is_under_25, false)
from llr_injuries where source = 'admission' and is_sharp_object;

create table duty_counts as
select y.financial_year, e.measure, count(*) as all_value,
       count(*) filter (where e.is_under_25) as under_25_value
from duty_events as e
inner join crime_years as y on e.counted_on between y.period_start and y.period_end
group by all;

create table duty_filled as
select y.financial_year, m.measure, m.source, m.measure_order, a.age_group,
       coalesce(case a.age_group when 'all' then c.all_value else c.under_25_value end, 0)
           as value
from crime_years as y
cross join (values {", ".join(f"('{m}', '{s}', {o})" for m, s, o in DUTY_MEASURES)})
    as m (measure, source, measure_order)
cross join (values ('all'), ('under_25')) as a (age_group)
left join duty_counts as c on c.financial_year = y.financial_year and c.measure = m.measure;

create table mart_sv_duty_measures as
select f.financial_year, f.measure, f.age_group, f.value, f.source, f.measure_order,
       b.value as baseline_value,
       (f.value - b.value)::double / nullif(b.value, 0) as change_on_baseline
from duty_filled as f
left join duty_filled as b
    on b.financial_year = '{SV_DUTY_BASELINE_YEAR}' and b.measure = f.measure
    and b.age_group = f.age_group;

-- ---------------------------------------------------------------- mart_rasso_performance
create table rapes as
select r.crime_ref, r.recorded_date, o.outcome_date,
       coalesce(t.is_charge, false) as is_charged,
       coalesce(t.is_victim_not_supporting, false) as is_victim_not_supporting,
       datediff('day', r.recorded_date, o.outcome_date) as days_to_outcome
from recorded_crimes as r
left join outcomes_current as o on r.crime_ref = o.crime_ref
left join outcome_types as t on o.outcome_code = t.outcome_code
where r.is_rasso and r.is_rape;

create table rasso_windows as
select cast(last_day(m.month_start) as date) as month_end,
       cast(m.month_start - interval 11 month as date) as window_start
from (select min(period_start) as data_start, max(period_end) as data_end
      from coverage where source = 'police' and entity = 'crimes') as cov
cross join range(
    cast(date_trunc('month', cov.data_start) + interval 11 month as date),
    cast(cov.data_end as date) + interval 1 day, interval 1 month) as m (month_start)
where last_day(m.month_start) <= cov.data_end;

create table mart_rasso_performance as
select w.month_end, w.window_start,
       coalesce(rec.rapes_12m, 0) as rapes_12m,
       coalesce(rec.rapes_12m, 0) * 1000.0 / nullif(p.population, 0) as rapes_per_1000_12m,
       coalesce(rec.charged_12m, 0) as charged_12m,
       rec.charged_12m::double / nullif(rec.rapes_12m, 0) as charge_rate_12m,
       {RAPE_CHARGE_RATE_TARGET}::double as charge_rate_target,
       coalesce(out.outcomes_assigned_12m, 0) as outcomes_assigned_12m,
       out.median_days_to_outcome_12m,
       coalesce(rec.victim_not_supporting_12m, 0) as victim_not_supporting_12m,
       rec.victim_not_supporting_12m::double / nullif(rec.rapes_12m, 0)
           as victim_not_supporting_rate_12m,
       p.population
from rasso_windows as w
left join (
    select w.month_end, count(*) as rapes_12m,
           count(*) filter (where r.is_charged) as charged_12m,
           count(*) filter (where r.is_victim_not_supporting) as victim_not_supporting_12m
    from rasso_windows as w
    inner join rapes as r on r.recorded_date between w.window_start and w.month_end
    group by w.month_end
) as rec on w.month_end = rec.month_end
left join (
    select w.month_end, count(*) as outcomes_assigned_12m,
           quantile_cont(r.days_to_outcome, 0.5) as median_days_to_outcome_12m
    from rasso_windows as w
    inner join rapes as r on r.outcome_date between w.window_start and w.month_end
    group by w.month_end
) as out on w.month_end = out.month_end
left join (
    select area_code, population, financial_year from area_populations
    where area_level = 'llr'
) as p on p.financial_year = fy(w.month_end);

-- ---------------------------------------------------------------- custody by suite
create table detentions as
select suite_code, fy(to_ts(arrived_at)) as financial_year, cast(age as integer) < 18
           as is_juvenile,
       released_at is null as is_still_detained,
       epoch(to_ts(released_at) - to_ts(arrived_at)) / 3600.0 as detention_hours,
       flag(appropriate_adult) as had_appropriate_adult,
       flag(mental_health_s136) as is_mental_health_s136,
       flag(interpreter) as needed_interpreter, flag(strip_search) as was_strip_searched
from {extract('police', 'custody')};

create table custody_counts as
select financial_year, reported_suite as suite_code, count(*) as detentions,
       count(*) filter (where is_juvenile) as juvenile_detentions,
       count(*) filter (where is_still_detained) as still_detained,
       avg(detention_hours) as mean_detention_hours,
       quantile_cont(detention_hours, 0.5) as median_detention_hours,
       count(*) filter (where detention_hours > 24) as detentions_over_24_hours,
       count(*) filter (where had_appropriate_adult) as with_appropriate_adult,
       count(*) filter (where is_mental_health_s136) as mental_health_s136,
       count(*) filter (where needed_interpreter) as with_interpreter,
       count(*) filter (where was_strip_searched) as strip_searched
from (select *, suite_code as reported_suite from detentions
      union all
      select *, 'all' as reported_suite from detentions)
group by all;

create table mart_custody__detentions_by_suite as
select y.financial_year, s.suite_code, s.suite_name,
       coalesce(c.detentions, 0) as detentions,
       coalesce(c.juvenile_detentions, 0) as juvenile_detentions,
       c.juvenile_detentions::double / nullif(c.detentions, 0) as juvenile_share,
       coalesce(c.still_detained, 0) as still_detained,
       c.mean_detention_hours, c.median_detention_hours,
       coalesce(c.detentions_over_24_hours, 0) as detentions_over_24_hours,
       coalesce(c.with_appropriate_adult, 0) as with_appropriate_adult,
       coalesce(c.mental_health_s136, 0) as mental_health_s136,
       coalesce(c.with_interpreter, 0) as with_interpreter,
       coalesce(c.strip_searched, 0) as strip_searched
from (select financial_year from coverage where source = 'police' and entity = 'custody'
      union select financial_year from detentions) as y
cross join (select suite_code, suite_name from suites
            union all select 'all', 'All suites') as s
left join custody_counts as c
    on c.financial_year = y.financial_year and c.suite_code = s.suite_code;

-- ---------------------------------------------------------------- ICV visit grid
create table icv_visits as
select v.suite_code, fy(v.arrived) as financial_year, isodow(v.arrived) as weekday,
       t.time_slot
from (select suite_code, to_ts(arrived_at) as arrived
      from {extract('opcc', 'icv_visits')}) as v
left join time_slots as t on hour(v.arrived) between t.start_hour and t.end_hour;

create table mart_icv__visit_grid as
select y.financial_year, s.suite_code, s.suite_name, d.weekday,
       dayname(date '2024-01-07' + d.weekday) as weekday_name, t.time_slot, t.slot_order,
       coalesce(c.visits, 0) as visits
from (select distinct financial_year from coverage
      where source = 'opcc' and entity = 'icv_visits') as y
cross join suites as s
cross join (select cast(range as integer) as weekday from range(1, 8)) as d
cross join time_slots as t
left join (select financial_year, suite_code, weekday, time_slot, count(*) as visits
           from icv_visits group by all) as c
    on c.financial_year = y.financial_year and c.suite_code = s.suite_code
    and c.weekday = d.weekday and c.time_slot = t.time_slot;

-- ---------------------------------------------------------------- health summary
create table health_filled as
select sp.financial_year, sp.source, coalesce(c.events, 0) as events,
       coalesce(c.events_under_25, 0) as events_under_25,
       coalesce(c.sharp_object_events, 0) as sharp_object_events
from (
    select distinct financial_year,
           case entity when 'ae_assaults' then 'ae' when 'assault_admissions' then 'admission'
                       when 'ambulance_assaults' then 'ambulance' end as source
    from coverage where source = 'health'
    union
    select distinct financial_year, source from llr_injuries
) as sp
left join (
    select financial_year, source, count(*) as events,
           count(*) filter (where is_under_25) as events_under_25,
           count(*) filter (where is_sharp_object) as sharp_object_events
    from llr_injuries group by all
) as c on c.financial_year = sp.financial_year and c.source = sp.source;

create table mart_health__summary as
select f.financial_year, f.source, f.events, prev.events as events_previous_year,
       (f.events - prev.events)::double / nullif(prev.events, 0) as change_on_previous_year,
       p.population, f.events * 1000.0 / nullif(p.population, 0) as rate_per_1000,
       f.events_under_25, f.sharp_object_events
from health_filled as f
left join health_filled as prev
    on prev.source = f.source
    and prev.financial_year = printf('%d-%02d', cast(left(f.financial_year, 4) as integer) - 1,
                                     cast(left(f.financial_year, 4) as integer) % 100)
left join area_populations as p
    on p.financial_year = f.financial_year and p.area_level = 'llr';
"""


def duckdb_marts(landing: Path) -> dict[str, pd.DataFrame]:
    """The six marts computed by one DuckDB script over the landing folder's extracts."""
    con = duckdb.connect()
    try:
        con.execute(_duckdb_script(Path(landing).resolve()))
        frames = {name: con.sql(f"select * from {name}").df() for name in MARTS}
    finally:
        con.close()
    return _marts_in_order(frames)


# =========================================================================================
# pandas
# =========================================================================================
def _seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS / f"{name}.csv", dtype=str, keep_default_na=False,
                       na_values=[""])


def _bool(series: pd.Series) -> pd.Series:
    return series.fillna("false").str.lower().eq("true")


def _flag(series: pd.Series) -> pd.Series:
    return series.fillna("").str.strip().str.upper().eq("Y")


def _parse(series: pd.Series, formats: list[str]) -> pd.Series:
    """Dates or datetimes of one file: the first format every value parses in."""
    text = series.str.strip()
    given = text.notna().sum()
    best = None
    for fmt in formats:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if parsed.notna().sum() == given:
            return parsed
        if best is None or parsed.notna().sum() > best.notna().sum():
            best = parsed
    return best if best is not None else pd.to_datetime(text, errors="coerce")


def _financial_year(ts: pd.Series) -> pd.Series:
    start = ts.dt.year - (ts.dt.month < 4).astype(int)
    return start.astype(str) + "-" + ((start + 1) % 100).astype(str).str.zfill(2)


def _fy_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def _period_start(period: str) -> pd.Timestamp:
    return pd.Timestamp(int(period[:4]), 4, 1) + pd.DateOffset(months=3 * (int(period[8]) - 1))


def _read_extract(
    landing: Path, source: str, entity: str,
    dates: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Every file of one extract, text columns, with `period` and `row_order`; the columns
    in `dates` parsed with the formats given (one style a file)."""
    frames = []
    for path in sorted((landing / source).glob(f"{entity}_*.csv")):
        match = FILE_NAME.match(path.name)
        if not match or match.group(1) != entity:
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                            encoding="utf-8-sig")
        for column, formats in (dates or {}).items():
            frame[column] = _parse(frame[column], formats)
        frame["period"] = match.group(2)
        frame["row_order"] = np.arange(len(frame))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _coverage(landing: Path) -> pd.DataFrame:
    rows = []
    for source in QUARTERLY_SOURCES:
        for path in sorted((landing / source).glob("*.csv")):
            match = FILE_NAME.match(path.name)
            if match:
                start = _period_start(match.group(2))
                rows.append({"source": source, "entity": match.group(1),
                             "period": match.group(2), "period_start": start,
                             "period_end": start + pd.DateOffset(months=3)
                             - pd.Timedelta(days=1)})
    coverage = pd.DataFrame(rows)
    coverage["financial_year"] = _financial_year(coverage["period_start"])
    return coverage


def _area_populations(years: list[str]) -> pd.DataFrame:
    """Each area's population for each financial year (latest reference year not after
    the year's start, else the earliest)."""
    seed = _seed("ref_population")
    seed["population"] = seed["population"].astype("int64")
    seed["reference_year"] = seed["reference_year"].astype(int)
    las = seed[seed["area_level"] == "la"]
    districts = seed[seed["area_level"] == "district"]
    llr = las.groupby("reference_year", as_index=False)["population"].sum()
    llr = llr.assign(area_level="llr", area_code="LLR", area_name=LLR_NAME, la_code=None)
    csps = _seed("ref_beats")[["district_code", "csp_name"]].drop_duplicates()
    csp = districts.merge(csps, left_on="area_code", right_on="district_code")
    csp = csp.groupby(["csp_name", "reference_year"], as_index=False).agg(
        population=("population", "sum"), la_code=("la_code", "min"))
    csp = csp.assign(area_level="csp", area_code=csp["csp_name"], area_name=csp["csp_name"])
    cols = ["area_level", "area_code", "area_name", "la_code", "reference_year", "population"]
    areas = pd.concat([llr[cols], las.assign(area_level="la")[cols],
                       districts.assign(area_level="district")[cols], csp[cols]],
                      ignore_index=True)
    out = []
    for year in years:
        start = int(year[:4])
        cand = areas.assign(
            not_after=areas["reference_year"] <= start,
            distance=np.where(areas["reference_year"] <= start, -areas["reference_year"],
                              areas["reference_year"]))
        cand = cand.sort_values(["not_after", "distance"], ascending=[False, True])
        picked = cand.drop_duplicates(["area_level", "area_code"]).copy()
        picked["financial_year"] = year
        out.append(picked[["financial_year", *cols]])
    return pd.concat(out, ignore_index=True).drop(columns="reference_year")


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = whole.astype("float64")
    return part.astype("float64") / whole.where(whole != 0)


def pandas_marts(landing: Path) -> dict[str, pd.DataFrame]:
    """The six marts computed with pandas over the landing folder's extracts."""
    landing = Path(landing).resolve()
    coverage = _coverage(landing)
    years = sorted(coverage["financial_year"].unique())
    populations = _area_populations(years)
    llr_population = populations[populations["area_level"] == "llr"].set_index(
        "financial_year")["population"]

    offence_codes = _seed("ref_offence_codes")
    for col in ("is_rape", "is_rasso", "is_ho_knife_offence"):
        offence_codes[col] = _bool(offence_codes[col])
    beats = _seed("ref_beats")

    # ---- police: recorded crimes with classification, place and youngest victim
    crimes = _read_extract(landing, "police", "crimes", {"recorded_date": DATE_FORMATS})
    crimes = crimes[crimes["status"] == "recorded"]
    people = _read_extract(landing, "police", "crime_people")
    victims = people[people["role"] == "victim"].assign(age=lambda d: pd.to_numeric(d["age"]))
    youngest = victims.groupby("crime_ref")["age"].min().rename("youngest_victim_age")
    rc = crimes.merge(offence_codes, on="ho_offence_code", how="left")
    rc = rc.merge(beats[["beat_code", "la_code", "district_code", "csp_name"]],
                  on="beat_code", how="left")
    rc = rc.merge(youngest, left_on="crime_ref", right_index=True, how="left")
    rc["is_knife_sharp"] = _flag(rc["flag_knife_sharp"])
    rc["is_homicide"] = rc["sv_group"].eq("homicide")
    rc["is_knife_enabled_ho"] = rc["is_knife_sharp"] & rc["is_ho_knife_offence"].eq(True)
    rc["is_victim_under_25"] = rc["youngest_victim_age"].lt(25)
    rc["financial_year"] = _financial_year(rc["recorded_date"])

    crime_fys = sorted(coverage.loc[(coverage["source"] == "police")
                                    & (coverage["entity"] == "crimes"), "financial_year"]
                       .unique())

    def in_crime_years(frame: pd.DataFrame, date_col: str) -> pd.DataFrame:
        fy = _financial_year(frame[date_col])
        return frame[fy.isin(crime_fys)].assign(financial_year=fy)

    # ---- health: LLR events
    llr_districts = set(_seed("ref_population").query("area_level == 'district'")["area_code"])
    icd10 = _seed("ref_icd10_assault")
    sharp_codes = set(icd10.loc[_bool(icd10["is_sharp_object"]), "icd10_code"])
    ae = _read_extract(landing, "health", "ae_assaults", {"arrived_at": DATETIME_FORMATS})
    adm = _read_extract(landing, "health", "assault_admissions",
                        {"admitted_at": DATETIME_FORMATS})
    amb = _read_extract(landing, "health", "ambulance_assaults", {"call_at": DATETIME_FORMATS})
    injuries = pd.concat([
        pd.DataFrame({"source": "ae", "event_at": ae["arrived_at"], "age": ae["age"],
                      "is_sharp_object": ae["assault_method"].eq("knife_sharp"),
                      "lad_code": ae["lad_code"]}),
        pd.DataFrame({"source": "admission", "event_at": adm["admitted_at"], "age": adm["age"],
                      "is_sharp_object": adm["external_cause"].str.strip().str.upper()
                      .str[:3].isin(sharp_codes),
                      "lad_code": adm["lad_code"]}),
        pd.DataFrame({"source": "ambulance", "event_at": amb["call_at"], "age": amb["age"],
                      "is_sharp_object": amb["category"].eq("stab_gunshot_penetrating"),
                      "lad_code": amb["lad_code"]}),
    ], ignore_index=True)
    injuries = injuries[injuries["lad_code"].isin(llr_districts)].copy()
    injuries["is_under_25"] = pd.to_numeric(injuries["age"]).lt(25)
    injuries["financial_year"] = _financial_year(injuries["event_at"])

    marts = {
        "mart_sv_by_area": _pd_sv_by_area(rc, crime_fys, populations, in_crime_years),
        "mart_sv_duty_measures": _pd_duty_measures(rc, injuries, crime_fys, in_crime_years),
        "mart_rasso_performance": _pd_rasso(landing, rc, coverage, llr_population),
        "mart_custody__detentions_by_suite": _pd_custody(landing, coverage),
        "mart_icv__visit_grid": _pd_icv_grid(landing, coverage),
        "mart_health__summary": _pd_health(injuries, coverage, llr_population),
    }
    return _marts_in_order(marts)


def _pd_sv_by_area(
    rc: pd.DataFrame, crime_fys: list[str], populations: pd.DataFrame,
    in_crime_years: Callable[[pd.DataFrame, str], pd.DataFrame],
) -> pd.DataFrame:
    sv = in_crime_years(rc[rc["sv_group"].notna()], "recorded_date")
    counts = []
    for level, col in (("llr", None), ("la", "la_code"), ("district", "district_code"),
                       ("csp", "csp_name")):
        frame = sv.assign(area_code="LLR") if col is None else sv.assign(area_code=sv[col])
        frame = frame[frame["area_code"].notna()]
        grouped = frame.groupby(["financial_year", "area_code"]).agg(
            offences=("crime_ref", "size"), knife_sharp_offences=("is_knife_sharp", "sum"))
        counts.append(grouped.reset_index().assign(area_level=level))
    counted = pd.concat(counts, ignore_index=True)
    keys = ["financial_year", "area_level", "area_code"]
    out = populations[populations["financial_year"].isin(crime_fys)].merge(
        counted, on=keys, how="left")
    out[["offences", "knife_sharp_offences"]] = (
        out[["offences", "knife_sharp_offences"]].fillna(0).astype("int64"))
    llr = out[out["area_level"] == "llr"].set_index("financial_year")
    out["rate_per_1000"] = out["offences"] * 1000.0 / out["population"].where(
        out["population"] != 0)
    out["share_of_llr"] = _share(out["offences"],
                                 out["financial_year"].map(llr["offences"]))
    prev = out[[*keys, "offences"]].rename(columns={"offences": "offences_previous_year"})
    prev["financial_year"] = prev["financial_year"].map(lambda y: _fy_label(int(y[:4]) + 1))
    out = out.merge(prev, on=keys, how="left")
    out["offences_previous_year"] = out["offences_previous_year"].astype("Int64")
    out["change_on_previous_year"] = _share(
        out["offences"] - out["offences_previous_year"], out["offences_previous_year"])
    out["knife_sharp_share"] = _share(out["knife_sharp_offences"], out["offences"])
    out["share_of_llr_knife_sharp"] = _share(
        out["knife_sharp_offences"], out["financial_year"].map(llr["knife_sharp_offences"]))
    return out


def _pd_duty_measures(
    rc: pd.DataFrame, injuries: pd.DataFrame, crime_fys: list[str],
    in_crime_years: Callable[[pd.DataFrame, str], pd.DataFrame],
) -> pd.DataFrame:
    police = in_crime_years(rc, "recorded_date")
    health = in_crime_years(injuries, "event_at")
    selected = {
        "knife_enabled_sv": police[police["is_knife_enabled_ho"]],
        "homicide": police[police["is_homicide"]],
        "knife_homicide": police[police["is_homicide"] & police["is_knife_sharp"]],
        "sharp_object_admissions": health[(health["source"] == "admission")
                                          & health["is_sharp_object"]],
    }
    rows = []
    for measure, source, order in DUTY_MEASURES:
        events = selected[measure]
        under = events["is_victim_under_25" if source == "police" else "is_under_25"]
        all_counts = events.groupby("financial_year").size()
        under_counts = events[under.fillna(False).astype(bool)].groupby(
            "financial_year").size()
        for fy in crime_fys:
            for age_group, counts in (("all", all_counts), ("under_25", under_counts)):
                rows.append({"financial_year": fy, "measure": measure, "age_group": age_group,
                             "value": int(counts.get(fy, 0)), "source": source,
                             "measure_order": order})
    out = pd.DataFrame(rows)
    base = out[out["financial_year"] == SV_DUTY_BASELINE_YEAR][
        ["measure", "age_group", "value"]].rename(columns={"value": "baseline_value"})
    out = out.merge(base, on=["measure", "age_group"], how="left")
    out["baseline_value"] = out["baseline_value"].astype("Int64")
    out["change_on_baseline"] = _share(out["value"] - out["baseline_value"],
                                       out["baseline_value"])
    return out


def _pd_rasso(
    landing: Path, rc: pd.DataFrame, coverage: pd.DataFrame, llr_population: pd.Series,
) -> pd.DataFrame:
    outcomes = _read_extract(landing, "police", "outcomes", {"outcome_date": DATE_FORMATS})
    current = outcomes.sort_values(["outcome_date", "period", "row_order"],
                                   ascending=False, kind="stable")
    current = current.drop_duplicates("crime_ref")[["crime_ref", "outcome_code",
                                                    "outcome_date"]]
    types = _seed("ref_outcome_types")
    types["is_charged"] = _bool(types["is_charge"])
    types["is_victim_not_supporting"] = _bool(types["is_victim_not_supporting"])
    rapes = rc[rc["is_rasso"].eq(True) & rc["is_rape"].eq(True)]
    rapes = rapes[["crime_ref", "recorded_date"]].merge(current, on="crime_ref", how="left")
    rapes = rapes.merge(types[["outcome_code", "is_charged", "is_victim_not_supporting"]],
                        on="outcome_code", how="left")
    rapes[["is_charged", "is_victim_not_supporting"]] = (
        rapes[["is_charged", "is_victim_not_supporting"]].fillna(False).astype(bool))
    rapes["days_to_outcome"] = (rapes["outcome_date"] - rapes["recorded_date"]).dt.days

    crimes_cov = coverage[(coverage["source"] == "police") & (coverage["entity"] == "crimes")]
    data_start, data_end = crimes_cov["period_start"].min(), crimes_cov["period_end"].max()
    month = data_start.to_period("M").to_timestamp() + pd.DateOffset(months=11)
    rows = []
    rec_dates = rapes["recorded_date"].to_numpy()
    out_dates = rapes["outcome_date"].to_numpy()
    while month + pd.offsets.MonthEnd(0) <= data_end:
        month_end = month + pd.offsets.MonthEnd(0)
        window_start = month - pd.DateOffset(months=11)
        rec = rapes[(rec_dates >= window_start.to_datetime64())
                    & (rec_dates <= month_end.to_datetime64())]
        out = rapes[(out_dates >= window_start.to_datetime64())
                    & (out_dates <= month_end.to_datetime64())]
        n = len(rec)
        charged = int(rec["is_charged"].sum())
        vns = int(rec["is_victim_not_supporting"].sum())
        population = llr_population.get(_financial_year(pd.Series([month_end])).iloc[0])
        rows.append({
            "month_end": month_end, "window_start": window_start, "rapes_12m": n,
            "rapes_per_1000_12m": n * 1000.0 / population if population else math.nan,
            "charged_12m": charged, "charge_rate_12m": charged / n if n else math.nan,
            "charge_rate_target": RAPE_CHARGE_RATE_TARGET,
            "outcomes_assigned_12m": len(out),
            "median_days_to_outcome_12m": out["days_to_outcome"].median() if len(out)
            else math.nan,
            "victim_not_supporting_12m": vns,
            "victim_not_supporting_rate_12m": vns / n if n else math.nan,
            "population": population,
        })
        month = month + pd.DateOffset(months=1)
    return pd.DataFrame(rows)


def _pd_custody(landing: Path, coverage: pd.DataFrame) -> pd.DataFrame:
    custody = _read_extract(landing, "police", "custody",
                            {"arrived_at": DATETIME_FORMATS, "released_at": DATETIME_FORMATS})
    det = pd.DataFrame({
        "suite_code": custody["suite_code"],
        "financial_year": _financial_year(custody["arrived_at"]),
        "is_juvenile": pd.to_numeric(custody["age"]).lt(18),
        "is_still_detained": custody["released_at"].isna(),
        "detention_hours": (custody["released_at"] - custody["arrived_at"]).dt.total_seconds()
        / 3600.0,
        "with_appropriate_adult": _flag(custody["appropriate_adult"]),
        "mental_health_s136": _flag(custody["mental_health_s136"]),
        "with_interpreter": _flag(custody["interpreter"]),
        "strip_searched": _flag(custody["strip_search"]),
    })
    det["over_24"] = det["detention_hours"].gt(24)
    scoped = pd.concat([det, det.assign(suite_code="all")], ignore_index=True)
    counted = scoped.groupby(["financial_year", "suite_code"]).agg(
        detentions=("suite_code", "size"), juvenile_detentions=("is_juvenile", "sum"),
        still_detained=("is_still_detained", "sum"),
        mean_detention_hours=("detention_hours", "mean"),
        median_detention_hours=("detention_hours", "median"),
        detentions_over_24_hours=("over_24", "sum"),
        with_appropriate_adult=("with_appropriate_adult", "sum"),
        mental_health_s136=("mental_health_s136", "sum"),
        with_interpreter=("with_interpreter", "sum"), strip_searched=("strip_searched", "sum"),
    ).reset_index()
    years = set(coverage.loc[(coverage["source"] == "police")
                             & (coverage["entity"] == "custody"), "financial_year"])
    years |= set(det["financial_year"].dropna())
    suites = _seed("ref_custody_suites")[["suite_code", "suite_name"]]
    suites = pd.concat([suites, pd.DataFrame({"suite_code": ["all"],
                                              "suite_name": ["All suites"]})])
    spine = pd.DataFrame({"financial_year": sorted(years)}).merge(suites, how="cross")
    out = spine.merge(counted, on=["financial_year", "suite_code"], how="left")
    counts = ["detentions", "juvenile_detentions", "still_detained", "detentions_over_24_hours",
              "with_appropriate_adult", "mental_health_s136", "with_interpreter",
              "strip_searched"]
    out["juvenile_share"] = _share(out["juvenile_detentions"], out["detentions"])
    out[counts] = out[counts].fillna(0).astype("int64")
    return out


def _pd_icv_grid(landing: Path, coverage: pd.DataFrame) -> pd.DataFrame:
    visits = _read_extract(landing, "opcc", "icv_visits", {"arrived_at": DATETIME_FORMATS})
    slots = _seed("ref_icv_time_slots")
    for col in ("start_hour", "end_hour", "slot_order"):
        slots[col] = slots[col].astype(int)
    slot_of_hour = {h: row.time_slot for row in slots.itertuples()
                    for h in range(row.start_hour, row.end_hour + 1)}
    counted = pd.DataFrame({
        "financial_year": _financial_year(visits["arrived_at"]),
        "suite_code": visits["suite_code"],
        "weekday": visits["arrived_at"].dt.day_of_week + 1,
        "time_slot": visits["arrived_at"].dt.hour.map(slot_of_hour),
    }).groupby(["financial_year", "suite_code", "weekday", "time_slot"]).size().rename(
        "visits").reset_index()
    years = sorted(coverage.loc[(coverage["source"] == "opcc")
                                & (coverage["entity"] == "icv_visits"), "financial_year"]
                   .unique())
    suites = _seed("ref_custody_suites")[["suite_code", "suite_name"]]
    weekdays = pd.DataFrame({"weekday": range(1, 8),
                             "weekday_name": ["Monday", "Tuesday", "Wednesday", "Thursday",
                                              "Friday", "Saturday", "Sunday"]})
    spine = (pd.DataFrame({"financial_year": years}).merge(suites, how="cross")
             .merge(weekdays, how="cross")
             .merge(slots[["time_slot", "slot_order"]], how="cross"))
    out = spine.merge(counted, on=["financial_year", "suite_code", "weekday", "time_slot"],
                      how="left")
    out["visits"] = out["visits"].fillna(0).astype("int64")
    return out


def _pd_health(
    injuries: pd.DataFrame, coverage: pd.DataFrame, llr_population: pd.Series,
) -> pd.DataFrame:
    counted = injuries.groupby(["financial_year", "source"]).agg(
        events=("source", "size"), events_under_25=("is_under_25", "sum"),
        sharp_object_events=("is_sharp_object", "sum")).reset_index()
    health_cov = coverage[coverage["source"] == "health"]
    spine = pd.concat([
        pd.DataFrame({"financial_year": health_cov["financial_year"],
                      "source": health_cov["entity"].map(HEALTH_ENTITIES)}),
        counted[["financial_year", "source"]],
    ]).drop_duplicates()
    out = spine.merge(counted, on=["financial_year", "source"], how="left")
    counts = ["events", "events_under_25", "sharp_object_events"]
    out[counts] = out[counts].fillna(0).astype("int64")
    prev = out[["financial_year", "source", "events"]].rename(
        columns={"events": "events_previous_year"})
    prev["financial_year"] = prev["financial_year"].map(lambda y: _fy_label(int(y[:4]) + 1))
    out = out.merge(prev, on=["financial_year", "source"], how="left")
    out["events_previous_year"] = out["events_previous_year"].astype("Int64")
    out["change_on_previous_year"] = _share(out["events"] - out["events_previous_year"],
                                            out["events_previous_year"])
    out["population"] = out["financial_year"].map(llr_population)
    out["rate_per_1000"] = _share(out["events"] * 1000, out["population"])
    return out


# =========================================================================================
# The warehouse, and comparing
# =========================================================================================
def warehouse_marts(warehouse: Path) -> dict[str, pd.DataFrame]:
    """The six marts as built in a warehouse DuckDB file (opened read-only)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        frames = {name: con.sql(f"select * from marts.{name}").df() for name in MARTS}
    finally:
        con.close()
    return _marts_in_order(frames)


def _normalise(value: object) -> object:
    """A cell as a comparable Python value: None for nulls, int or float for numbers,
    ISO text for dates, str otherwise."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()  # date, datetime
    return str(value)


def _same(a: object, b: object, tolerance: float) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)
    return a == b


def differences(
    a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], tolerance: float = 1e-9,
    limit: int = 20,
) -> list[str]:
    """Every way two sets of marts differ, row for row by each mart's grain: missing marts
    or columns, rows on one side only, and cells that differ (numbers within `tolerance`,
    relative or absolute). At most `limit` cell differences are listed per mart."""
    found: list[str] = []
    for name, (grain, values) in MARTS.items():
        if name not in a or name not in b:
            found.append(f"{name}: missing on the {'first' if name not in a else 'second'} side")
            continue
        left, right = a[name], b[name]
        missing = [c for c in grain + values if c not in left.columns or c not in right.columns]
        if missing:
            found.append(f"{name}: columns missing: {', '.join(missing)}")
            continue
        rows_a = {tuple(_normalise(v) for v in r[:len(grain)]): r[len(grain):]
                  for r in left[grain + values].itertuples(index=False, name=None)}
        rows_b = {tuple(_normalise(v) for v in r[:len(grain)]): r[len(grain):]
                  for r in right[grain + values].itertuples(index=False, name=None)}
        if len(rows_a) != len(left) or len(rows_b) != len(right):
            found.append(f"{name}: grain {grain} is not unique "
                         f"({len(left)} / {len(right)} rows)")
        for key in sorted(rows_a.keys() - rows_b.keys(), key=str):
            found.append(f"{name}: row {dict(zip(grain, key, strict=True))} "
                         "only on the first side")
        for key in sorted(rows_b.keys() - rows_a.keys(), key=str):
            found.append(f"{name}: row {dict(zip(grain, key, strict=True))} "
                         "only on the second side")
        cells = 0
        for key in sorted(rows_a.keys() & rows_b.keys(), key=str):
            for column, va, vb in zip(values, rows_a[key], rows_b[key], strict=True):
                na, nb = _normalise(va), _normalise(vb)
                if not _same(na, nb, tolerance):
                    cells += 1
                    if cells <= limit:
                        found.append(f"{name}: row {dict(zip(grain, key, strict=True))} "
                                     f"column {column}: {na!r} != {nb!r}")
        if cells > limit:
            found.append(f"{name}: ... {cells - limit} more cell differences")
    return found


# =========================================================================================
# Command line
# =========================================================================================
USAGE = ("usage: python benchmarks/baselines.py duckdb LANDING\n"
         "       python benchmarks/baselines.py pandas LANDING\n"
         "       python benchmarks/baselines.py check LANDING WAREHOUSE")


def _print_counts(label: str, marts: dict[str, pd.DataFrame], seconds: float) -> None:
    for name, frame in marts.items():
        print(f"{label} {name}: {len(frame)} rows")
    print(f"{label}: {seconds:.2f} s")


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] in ("duckdb", "pandas"):
        compute = duckdb_marts if argv[0] == "duckdb" else pandas_marts
        started = time.perf_counter()
        marts = compute(Path(argv[1]))
        _print_counts(argv[0], marts, time.perf_counter() - started)
        return 0
    if len(argv) == 3 and argv[0] == "check":
        landing, warehouse = Path(argv[1]), Path(argv[2])
        built = warehouse_marts(warehouse)
        failed = False
        for label, compute in (("duckdb", duckdb_marts), ("pandas", pandas_marts)):
            started = time.perf_counter()
            marts = compute(landing)
            seconds = time.perf_counter() - started
            found = differences(marts, built)
            print(f"{label}: computed in {seconds:.2f} s; "
                  f"{len(found)} difference(s) from the warehouse")
            for line in found:
                print(f"  {label} vs warehouse: {line}")
            failed = failed or bool(found)
        return 1 if failed else 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
