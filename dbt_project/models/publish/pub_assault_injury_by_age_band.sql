{#-
    ICB: assault-related health events of LLR residents (ambulance: incidents in LLR) in
    each period of every export quarter's window (int_publish__windows), per health
    source and the patient's age band at the event, with an `all` row. An event counts by
    its own date (spec/published-figures.md); no age recorded is `unknown`. Every band is
    present in every period (0 when none). Figures before disclosure control (NHS
    Digital rule).
-#}
with

health_sources as (

    {{ publish_health_sources() }}

),

age_bands as (

    -- The partner tables' age bands (the CSP tables band the youngest victim the same
    -- way).
    {{ publish_age_bands('age_band') }}

),

monthly as (

    select
        injuries.source,
        coalesce(age_bands.age_band, 'unknown') as age_band,
        cast({{ month_start('injuries.event_at') }} as date) as month,
        count(*) as events
    from {{ ref('fct_assault_injury') }} as injuries
    left join age_bands
        on injuries.age between age_bands.min_age and age_bands.max_age
    group by all

),

grid as (

    {{ publish_window_grid(['health_sources', 'age_bands']) }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['events'], match_on=['source'], category='age_band'
    ) }}

)

select
    {{ publish_period_columns() }},
    cast(source as {{ type_text() }}) as source,
    cast(age_band as {{ type_text() }}) as age_band,
    cast(events as bigint) as events,
    {{ publish_period_bookkeeping(['source_order', 'period_order', 'category_order']) }}
from counted
