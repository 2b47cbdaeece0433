{#-
    ICB: assault-related A&E attendances, emergency admissions and ambulance call-outs
    of LLR residents (ambulance: incidents in LLR) in each period of every export
    quarter's window (int_publish__windows), per district of residence and for LLR. An
    event counts by its own date (spec/published-figures.md). Every district is present
    in every period (0 when none). Figures before disclosure control (NHS Digital rule).
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

health_sources as (

    -- The three health extracts, in the order the ICB's tables list them
    -- (fct_assault_injury.source).
    select health_sources.*
    from (
        values
        ('ae', 1),
        ('admission', 2),
        ('ambulance', 3)
    ) as health_sources (source, source_order)

),

areas as (

    -- The nine LLR districts (seed ref_population) by code, then LLR, their total.
    select
        area_code,
        area_name,
        case
            when area_level = 'llr' then 1000
            else row_number() over (order by area_level = 'llr', area_code)
        end as area_order
    from (
        select distinct
            area_level,
            area_code,
            area_name
        from {{ ref('int_geography__area_populations') }}
        where area_level in ('district', 'llr')
    )

),

monthly as (

    select
        source,
        district_code,
        cast(date_trunc('month', event_at) as date) as month,
        count(*) as events
    from {{ ref('fct_assault_injury') }}
    group by all

),

counted as (

    select
        windows.export_quarter,
        windows.period,
        windows.period_start,
        windows.period_end,
        windows.period_order,
        windows.is_sum_of_periods,
        health_sources.source,
        health_sources.source_order,
        areas.area_code,
        areas.area_name,
        areas.area_order,
        coalesce(sum(monthly.events), 0) as events
    from windows
    cross join health_sources
    cross join areas
    left join monthly
        on
            health_sources.source = monthly.source
            and (areas.area_code = 'LLR' or areas.area_code = monthly.district_code)
            and monthly.month between windows.period_start and windows.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(source as varchar) as source,
    cast(area_code as varchar) as area_code,
    cast(area_name as varchar) as area_name,
    cast(events as bigint) as events,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter order by source_order, period_order, area_order
        ) as integer
    ) as row_order
from counted
