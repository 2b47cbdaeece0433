{#-
    OPCC: rape performance over the rolling 12 months to each month end of every export
    quarter's window (int_publish__window_months) that mart_rasso_performance has (it
    starts once 12 months of crimes are loaded), with the counts each rate is over so that
    disclosure control can hide a rate over a small count. Figures as the mart computes
    them, rounded for publication. A row draws on the 12 months it covers, so its
    `missing` names any missing file from the first of those months to month_end.
-#}
with

window_months as (

    select * from {{ ref('int_publish__window_months') }}

),

performance as (

    select * from {{ ref('mart_rasso_performance') }}

)

select
    cast(window_months.export_quarter as {{ type_text() }}) as export_quarter,
    performance.month_end,
    cast(performance.rapes_12m as bigint) as rapes_12m,
    {{ round_half_even('performance.rapes_per_1000_12m', 4) }} as rapes_per_1000_12m,
    cast(performance.charged_12m as bigint) as charged_12m,
    {{ round_half_even('performance.charge_rate_12m', 4) }} as charge_rate_12m,
    cast(performance.charge_rate_target as double) as charge_rate_target,
    cast(performance.outcomes_assigned_12m as bigint) as outcomes_assigned_12m,
    {{ round_half_even('performance.median_days_to_outcome_12m', 1) }}
        as median_days_to_outcome_12m,
    cast(performance.victim_not_supporting_12m as bigint) as victim_not_supporting_12m,
    {{ round_half_even('performance.victim_not_supporting_rate_12m', 4) }}
        as victim_not_supporting_rate_12m,
    {{ publish_bookkeeping('performance.window_start', 'performance.month_end') }},
    cast(
        row_number() over (
            partition by window_months.export_quarter order by performance.month_end
        ) as integer
    ) as row_order
from window_months
inner join performance
    on window_months.month_end = performance.month_end
