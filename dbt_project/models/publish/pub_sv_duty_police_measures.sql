{#-
    Home Office Serious Violence Duty success measures from police data (SV Duty report
    para 26), for every period of every export quarter's window (int_publish__windows):
      knife_enabled_sv  serious violence on the Home Office knife list, flagged
                        knife/sharp (is_knife_enabled_ho)
      homicide          serious violence of the homicide group
      knife_homicide    homicides flagged knife/sharp
    each for all ages and for a youngest victim under 25 (an unknown age is not under
    25). All of LLR: the Home Office is not scoped to an area. Crimes count by
    recorded_date (spec/published-figures.md). Figures before disclosure control.
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

measures as (

    -- The police measures in published order (exports/tables.py POLICE_DUTY_MEASURES;
    -- mart_sv_duty_measures has the same three by financial year).
    select measures.*
    from (
        values ('knife_enabled_sv', 1), ('homicide', 2), ('knife_homicide', 3)
    ) as measures (measure, measure_order)

),

age_groups as (

    select age_groups.*
    from (values ('all', 1), ('under_25', 2)) as age_groups (age_group, age_group_order)

),

events as (

    select
        date_trunc('month', recorded_date) as month,
        'knife_enabled_sv' as measure,
        coalesce(youngest_victim_age < 25, false) as is_under_25
    from {{ ref('fct_serious_violence') }}
    where is_knife_enabled_ho

    union all

    select
        date_trunc('month', recorded_date) as month,
        'homicide' as measure,
        coalesce(youngest_victim_age < 25, false) as is_under_25
    from {{ ref('fct_serious_violence') }}
    where sv_group = 'homicide'

    union all

    select
        date_trunc('month', recorded_date) as month,
        'knife_homicide' as measure,
        coalesce(youngest_victim_age < 25, false) as is_under_25
    from {{ ref('fct_serious_violence') }}
    where sv_group = 'homicide' and is_knife_sharp

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
