{#-
    OPCC: custody detentions by arrival in each period of every export quarter's window
    (int_publish__windows), per custody suite (seed ref_custody_suites, in its
    suite_order) and for all suites. A detention counts by arrived_at
    (spec/published-figures.md); the median time in custody is over the detentions that
    have ended (still-detained people have no length yet). Figures before disclosure
    control.
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

suites as (

    select
        suite_code,
        suite_order
    from {{ ref('ref_custody_suites') }}

    union all

    select
        'all' as suite_code,
        1000 as suite_order

),

monthly as (

    select
        suite_code,
        cast(date_trunc('month', arrived_at) as date) as month,
        count(*) as detentions,
        count(*) filter (where is_juvenile) as juvenile_detentions,
        count(detention_hours) as detentions_ended,
        -- the hours themselves: a median does not add up across months
        list(detention_hours) filter (where detention_hours is not null) as detention_hours
    from {{ ref('fct_custody_detention') }}
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
        suites.suite_code,
        suites.suite_order,
        coalesce(sum(monthly.detentions), 0) as detentions,
        coalesce(sum(monthly.juvenile_detentions), 0) as juvenile_detentions,
        coalesce(sum(monthly.detentions_ended), 0) as detentions_ended,
        -- the median macro's quantile_cont, over the period's hours
        list_aggregate(flatten(list(monthly.detention_hours)), 'quantile_cont', 0.5)
            as median_detention_hours
    from windows
    cross join suites
    left join monthly
        on
            (suites.suite_code = 'all' or suites.suite_code = monthly.suite_code)
            and monthly.month between windows.period_start and windows.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(suite_code as varchar) as suite_code,
    cast(detentions as bigint) as detentions,
    cast(juvenile_detentions as bigint) as juvenile_detentions,
    cast(detentions_ended as bigint) as detentions_ended,
    {{ round_half_even('median_detention_hours', 2) }} as median_detention_hours,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter order by period_order, suite_order
        ) as integer
    ) as row_order
from counted
