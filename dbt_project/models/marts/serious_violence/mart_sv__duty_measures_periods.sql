{#-
    The Home Office Serious Violence Duty success measures (003, SV Duty report para 26)
    for every period of dim_period (financial year, quarter, the 12 months to a quarter)
    x measure x age group, 0 when none, against the Duty's 2019-20 baseline:
      knife_enabled_sv        recorded crimes on the Home Office knife list, flagged
                              knife/sharp; under_25 = youngest victim under 25
      homicide                homicides (1, 4.1, 4.10, 4.2); under_25 by youngest victim
      knife_homicide          homicides flagged knife/sharp; under_25 by youngest victim
      sharp_object_admissions emergency admissions of LLR residents for assault by sharp
                              object (external cause X99, any 4th character); under_25 =
                              the patient's age
    Police measures count by recorded_date, admissions by admitted_at. The baseline is
    the same measure and age group in the baseline period (sv_duty_baseline_period):
    2019-20 for a financial year or 12 months, the same quarter of 2019-20 for a quarter;
    null when that period is not in the data. mart_sv_duty_measures is its
    financial-year rows.
-#}
with

recorded_crimes as (

    select * from {{ ref('int_police__recorded_crimes') }}

),

injuries as (

    select * from {{ ref('fct_assault_injury') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

measures as (

    select measures.*
    from (
        values
        ('knife_enabled_sv', 'police', 1),
        ('homicide', 'police', 2),
        ('knife_homicide', 'police', 3),
        ('sharp_object_admissions', 'health', 4)
    ) as measures (measure, source, measure_order)

),

age_groups as (

    select age_groups.*
    from (values ('all'), ('under_25')) as age_groups (age_group)

),

events as (

    select
        recorded_date as counted_on,
        'knife_enabled_sv' as measure,
        is_victim_under_25 as is_under_25
    from recorded_crimes
    where is_knife_enabled_ho

    union all

    select
        recorded_date as counted_on,
        'homicide' as measure,
        is_victim_under_25 as is_under_25
    from recorded_crimes
    where is_homicide

    union all

    select
        recorded_date as counted_on,
        'knife_homicide' as measure,
        is_victim_under_25 as is_under_25
    from recorded_crimes
    where is_homicide and is_knife_sharp

    union all

    select
        event_date as counted_on,
        'sharp_object_admissions' as measure,
        coalesce(is_under_25, false) as is_under_25
    from injuries
    where source = 'admission' and is_sharp_object

),

events_in_periods as (

    select
        periods.period,
        events.measure,
        events.is_under_25
    from events
    inner join periods
        on events.counted_on between periods.period_start and periods.period_end

),

counted as (

    select
        period,
        measure,
        'all' as age_group,
        count(*) as value
    from events_in_periods
    group by period, measure

    union all

    select
        period,
        measure,
        'under_25' as age_group,
        count(*) as value
    from events_in_periods
    where is_under_25
    group by period, measure

),

spine as (

    select
        periods.period,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.financial_year,
        {{ sv_duty_baseline_period('periods.period', 'periods.period_type') }}
            as baseline_period,
        measures.measure,
        measures.source,
        measures.measure_order,
        age_groups.age_group
    from periods
    cross join measures
    cross join age_groups

),

filled as (

    select
        spine.*,
        coalesce(counted.value, 0) as value
    from spine
    left join counted
        on
            spine.period = counted.period
            and spine.measure = counted.measure
            and spine.age_group = counted.age_group

)

select
    cast(filled.period as {{ type_text() }}) as period,
    cast(filled.period_type as {{ type_text() }}) as period_type,
    cast(filled.period_start as date) as period_start,
    cast(filled.period_end as date) as period_end,
    cast(filled.financial_year as {{ type_text() }}) as financial_year,
    cast(filled.measure as {{ type_text() }}) as measure,
    cast(filled.age_group as {{ type_text() }}) as age_group,
    cast(filled.value as bigint) as value,
    cast(filled.source as {{ type_text() }}) as source,
    cast(filled.measure_order as integer) as measure_order,
    cast(filled.baseline_period as {{ type_text() }}) as baseline_period,
    cast(baseline.value as bigint) as baseline_value,
    cast({{ share('filled.value - baseline.value', 'baseline.value') }} as double)
        as change_on_baseline
from filled
-- The baseline only when its period is in the data (else null, not 0).
left join filled as baseline
    on
        filled.baseline_period = baseline.period
        and filled.measure = baseline.measure
        and filled.age_group = baseline.age_group
