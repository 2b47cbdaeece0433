{#-
    Assault-related A&E attendances, admissions and ambulance call-outs of LLR per month
    and source, with the rate per 1,000 residents (003 SNA, "Timings": monthly trends
    similar to police data). Every month each extract covers appears, 0 when none.
-#}
with

injuries as (

    select * from {{ ref('fct_assault_injury') }}

),

coverage as (

    select
        period_start,
        period_end,
        case entity
            when 'ae_assaults' then 'ae'
            when 'assault_admissions' then 'admission'
            when 'ambulance_assaults' then 'ambulance'
        end as source
    from {{ ref('int_coverage__periods') }}
    where source = 'health'

),

populations as (

    select * from {{ ref('int_geography__area_populations') }}
    where area_level = 'llr'

),

months as (

    select distinct
        coverage.source,
        cast(months.month_start as date) as month
    from coverage
    cross join
        {{ date_range_table(
            "cast(coverage.period_start as timestamp)",
            "cast(coverage.period_end as timestamp) + interval 1 day",
            "interval 1 month",
            'months',
            'month_start'
        ) }}

),

counted as (

    select
        source,
        cast({{ month_start('event_date') }} as date) as month,
        count(*) as events,
        count(*) filter (where is_under_25) as events_under_25
    from injuries
    group by source, {{ month_start('event_date') }}

)

select
    cast(months.month as date) as month,
    cast({{ financial_year('months.month') }} as {{ type_text() }}) as financial_year,
    cast(months.source as {{ type_text() }}) as source,
    cast(coalesce(counted.events, 0) as bigint) as events,
    cast(coalesce(counted.events_under_25, 0) as bigint) as events_under_25,
    cast({{ rate_per_1000('coalesce(counted.events, 0)', 'populations.population') }} as double)
        as rate_per_1000
from months
left join counted
    on
        months.source = counted.source
        and months.month = counted.month
left join populations
    on populations.financial_year = {{ financial_year('months.month') }}
