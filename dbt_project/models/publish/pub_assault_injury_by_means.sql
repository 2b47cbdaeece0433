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

monthly as (

    select
        source,
        coalesce(means, 'unknown') as means,
        cast(date_trunc('month', event_at) as date) as month,
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
        categories.means,
        categories.means_order,
        coalesce(sum(monthly.events), 0) as events
    from windows
    cross join health_sources
    inner join categories
        on
            windows.export_quarter = categories.export_quarter
            and health_sources.source = categories.source
    left join monthly
        on
            health_sources.source = monthly.source
            and (categories.means = 'all' or categories.means = monthly.means)
            and monthly.month between windows.period_start and windows.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(source as varchar) as source,
    cast(means as varchar) as means,
    cast(events as bigint) as events,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter order by source_order, period_order, means_order
        ) as integer
    ) as row_order
from counted
