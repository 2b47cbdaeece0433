{#-
    ICB: assault-related health events of LLR residents (ambulance: incidents in LLR) in
    each period of every export quarter's window (int_publish__windows), per health
    source and sex, with an `all` row. An event counts by its own date
    (spec/published-figures.md); no sex recorded counts as `U`. Every sex is present in
    every period (0 when none). Figures before disclosure control (NHS Digital rule).
-#}
with

health_sources as (

    {{ publish_health_sources() }}

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
        cast({{ month_start('event_at') }} as date) as month,
        count(*) as events
    from {{ ref('fct_assault_injury') }}
    group by all

),

grid as (

    {{ publish_window_grid(['health_sources', 'sexes']) }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['events'], match_on=['source'], category='sex'
    ) }}

)

select
    {{ publish_period_columns() }},
    cast(source as {{ type_text() }}) as source,
    cast(sex as {{ type_text() }}) as sex,
    cast(events as bigint) as events,
    {{ publish_period_bookkeeping(['source_order', 'period_order', 'sex_order']) }}
from counted
