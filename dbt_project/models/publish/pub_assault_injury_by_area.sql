{#-
    ICB: assault-related A&E attendances, emergency admissions and ambulance call-outs
    of LLR residents (ambulance: incidents in LLR) in each period of every export
    quarter's window (int_publish__windows), per district of residence and for LLR. An
    event counts by its own date (spec/published-figures.md). Every district is present
    in every period (0 when none). Figures before disclosure control (NHS Digital rule).
-#}
with

health_sources as (

    {{ publish_health_sources() }}

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
        district_code as area_code,
        cast({{ month_start('event_at') }} as date) as month,
        count(*) as events
    from {{ ref('fct_assault_injury') }}
    group by all

),

grid as (

    {{ publish_window_grid(['health_sources', 'areas']) }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['events'], match_on=['source'], category='area_code', total='LLR'
    ) }}

)

select
    {{ publish_period_columns() }},
    cast(source as {{ type_text() }}) as source,
    cast(area_code as {{ type_text() }}) as area_code,
    cast(area_name as {{ type_text() }}) as area_name,
    cast(events as bigint) as events,
    {{ publish_period_bookkeeping(['source_order', 'period_order', 'area_order']) }}
from counted
