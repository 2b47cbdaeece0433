{#-
    ICB: assault-related health events of LLR residents (ambulance: incidents in LLR) in
    each period of every export quarter's window (int_publish__windows), per health
    source and means of assault (the ICD-10 external cause for admissions, the assault
    method for A&E, the call category for ambulance; `unknown` when not recorded), with
    an `all` row. An event counts by its own date (spec/published-figures.md). The means
    listed for a source are those it recorded anywhere in the window, in text order, each
    in every period (0 when none): the three sources code means differently and there is
    no fixed list. Figures before disclosure control (NHS Digital rule).
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

health_sources as (

    {{ publish_health_sources() }}

),

monthly as (

    select
        source,
        coalesce(means, 'unknown') as means,
        cast({{ month_start('event_at') }} as date) as month,
        count(*) as events
    from {{ ref('fct_assault_injury') }}
    group by all

),

window_bounds as (

    select
        export_quarter,
        min(period_start) as window_start,
        max(period_end) as window_end
    from windows
    group by export_quarter

),

means_seen as (

    select distinct
        window_bounds.export_quarter,
        monthly.source,
        monthly.means
    from window_bounds
    inner join monthly
        on monthly.month between window_bounds.window_start and window_bounds.window_end

),

categories as (

    select
        export_quarter,
        source,
        means,
        row_number() over (partition by export_quarter, source order by means) as means_order
    from means_seen

    union all

    select
        window_bounds.export_quarter,
        health_sources.source,
        'all' as means,
        1000000 as means_order
    from window_bounds
    cross join health_sources

),

grid as (

    -- Each source's means of the export quarter's window, in every period of it.
    select
        windows.*,
        health_sources.*,
        categories.means,
        categories.means_order
    from windows
    cross join health_sources
    inner join categories
        on
            windows.export_quarter = categories.export_quarter
            and health_sources.source = categories.source

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['events'], match_on=['source'], category='means'
    ) }}

)

select
    {{ publish_period_columns() }},
    cast(source as {{ type_text() }}) as source,
    cast(means as {{ type_text() }}) as means,
    cast(events as bigint) as events,
    {{ publish_period_bookkeeping(['source_order', 'period_order', 'means_order']) }}
from counted
