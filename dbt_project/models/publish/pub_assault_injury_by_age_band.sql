{#-
    ICB: assault-related health events of LLR residents (ambulance: incidents in LLR) in
    each period of every export quarter's window (int_publish__windows), per health
    source and the patient's age band at the event, with an `all` row. An event counts by
    its own date (spec/published-figures.md); no age recorded is `unknown`. Every band is
    present in every period (0 when none). Figures before disclosure control (NHS
    Digital rule).
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

age_bands as (

    -- The partner tables' age bands (the CSP tables band the youngest victim the same
    -- way): under 18, 18-24 (the SV Duty's under-25s), then ten-year bands to 65+.
    select age_bands.*
    from (
        values
        ('0-17', 0, 17, 1),
        ('18-24', 18, 24, 2),
        ('25-34', 25, 34, 3),
        ('35-44', 35, 44, 4),
        ('45-54', 45, 54, 5),
        ('55-64', 55, 64, 6),
        ('65+', 65, 200, 7),
        ('unknown', null, null, 8),
        ('all', null, null, 1000)
    ) as age_bands (age_band, min_age, max_age, age_band_order)

),

monthly as (

    select
        injuries.source,
        coalesce(age_bands.age_band, 'unknown') as age_band,
        cast(date_trunc('month', injuries.event_at) as date) as month,
        count(*) as events
    from {{ ref('fct_assault_injury') }} as injuries
    left join age_bands
        on injuries.age between age_bands.min_age and age_bands.max_age
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
        age_bands.age_band,
        age_bands.age_band_order,
        coalesce(sum(monthly.events), 0) as events
    from windows
    cross join health_sources
    cross join age_bands
    left join monthly
        on
            health_sources.source = monthly.source
            and (age_bands.age_band = 'all' or age_bands.age_band = monthly.age_band)
            and monthly.month between windows.period_start and windows.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(source as varchar) as source,
    cast(age_band as varchar) as age_band,
    cast(events as bigint) as events,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter order by source_order, period_order, age_band_order
        ) as integer
    ) as row_order
from counted
