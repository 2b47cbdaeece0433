{#-
    Strategic needs assessment profile (opcc), health chapter: assault-related A&E
    attendances, emergency admissions and ambulance call-outs of LLR residents
    (ambulance: incidents in LLR; fct_assault_injury) in each period of every export
    quarter's window (int_publish__windows), by source. Health-derived only (NHS
    Digital's rule): no police or council count in the table. An event counts by its own
    date. Every source is present in every period (0 when none). Figures before
    disclosure control.
-#}
with

health_sources as (

    {{ publish_health_sources() }}

),

monthly as (

    select
        source,
        cast({{ month_start('event_at') }} as date) as month,
        count(*) as events
    from {{ ref('fct_assault_injury') }}
    group by all

),

grid as (

    {{ publish_window_grid(['health_sources']) }}

),

counted as (

    {{ sum_months_into_periods('grid', 'monthly', ['events'], match_on=['source']) }}

)

select
    {{ publish_period_columns() }},
    cast(source as {{ type_text() }}) as source,
    cast(events as bigint) as events,
    {{ publish_period_bookkeeping(['period_order', 'source_order']) }}
from counted
