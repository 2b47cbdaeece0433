{#-
    Home Office Serious Violence Duty success measure from hospital data, for every period
    of every export quarter's window (int_publish__windows): sharp_object_admissions,
    emergency admissions of LLR residents for assault by a sharp object (external cause
    X99, is_sharp_object of fct_assault_injury), for all ages and for patients under 25
    (an unknown age is not under 25). Admissions count by their own date (event_at,
    spec/published-figures.md). Figures before disclosure control.
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

measures as (

    -- The health measure (exports/tables.py build_sv_duty_health_measures;
    -- mart_sv_duty_measures has it by financial year).
    select measures.*
    from (values ('sharp_object_admissions', 1)) as measures (measure, measure_order)

),

age_groups as (

    select age_groups.*
    from (values ('all', 1), ('under_25', 2)) as age_groups (age_group, age_group_order)

),

events as (

    select
        cast(date_trunc('month', event_at) as date) as month,
        'sharp_object_admissions' as measure,
        coalesce(age < 25, false) as is_under_25
    from {{ ref('fct_assault_injury') }}
    where source = 'admission' and is_sharp_object

),

monthly as (

    select
        month,
        measure,
        'all' as age_group,
        count(*) as value
    from events
    group by all

    union all

    select
        month,
        measure,
        'under_25' as age_group,
        count(*) as value
    from events
    where is_under_25
    group by all

),

grid as (

    select
        windows.*,
        measures.measure,
        measures.measure_order,
        age_groups.age_group,
        age_groups.age_group_order
    from windows
    cross join measures
    cross join age_groups

),

counted as (

    select
        grid.export_quarter,
        grid.period,
        grid.period_start,
        grid.period_end,
        grid.period_order,
        grid.is_sum_of_periods,
        grid.measure,
        grid.measure_order,
        grid.age_group,
        grid.age_group_order,
        coalesce(sum(monthly.value), 0) as value
    from grid
    left join monthly
        on
            grid.measure = monthly.measure
            and grid.age_group = monthly.age_group
            and monthly.month between grid.period_start and grid.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(measure as varchar) as measure,
    cast(age_group as varchar) as age_group,
    cast(value as bigint) as value,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter
            order by period_order, measure_order, age_group_order
        ) as integer
    ) as row_order
from counted
