{#-
    ICB: assault-related health events of LLR residents (ambulance: incidents in LLR) in
    each period of every export quarter's window (int_publish__windows), per health
    source and sex, with an `all` row. An event counts by its own date
    (spec/published-figures.md); no sex recorded counts as `U`. Every sex is present in
    every period (0 when none). Figures before disclosure control (NHS Digital rule).
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

sexes as (

    -- The extracts' sex codes (partner-extracts.md; ingest accepts no other): F female,
    -- M male, X other, U unknown.
    select sexes.*
    from (
        values
        ('F', 1),
        ('M', 2),
        ('X', 3),
        ('U', 4),
        ('all', 1000)
    ) as sexes (sex, sex_order)

),

monthly as (

    select
        source,
        coalesce(sex, 'U') as sex,
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
        sexes.sex,
        sexes.sex_order,
        coalesce(sum(monthly.events), 0) as events
    from windows
    cross join health_sources
    cross join sexes
    left join monthly
        on
            health_sources.source = monthly.source
            and (sexes.sex = 'all' or sexes.sex = monthly.sex)
            and monthly.month between windows.period_start and windows.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(source as varchar) as source,
    cast(sex as varchar) as sex,
    cast(events as bigint) as events,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter order by source_order, period_order, sex_order
        ) as integer
    ) as row_order
from counted
