{#-
    pub_rasso_performance publishes mart_rasso_performance: for every export quarter,
    every month end of its window that the mart has is a row, and each rate and count
    equals the mart's (rates rounded as published). Fails with each month end missing
    from either side or whose figures differ.
-#}

-- A check on the model it tests in Dagster (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'pub_rasso_performance'}}}) }}
with

published as (

    select * from {{ ref('pub_rasso_performance') }}

),

expected as (

    select
        window_months.export_quarter,
        performance.month_end,
        performance.rapes_12m,
        {{ round_half_even('performance.rapes_per_1000_12m', 4) }} as rapes_per_1000_12m,
        performance.charged_12m,
        {{ round_half_even('performance.charge_rate_12m', 4) }} as charge_rate_12m,
        performance.outcomes_assigned_12m,
        {{ round_half_even('performance.median_days_to_outcome_12m', 1) }}
            as median_days_to_outcome_12m,
        performance.victim_not_supporting_12m,
        {{ round_half_even('performance.victim_not_supporting_rate_12m', 4) }}
            as victim_not_supporting_rate_12m
    from {{ ref('int_publish__window_months') }} as window_months
    inner join {{ ref('mart_rasso_performance') }} as performance
        on window_months.month_end = performance.month_end

)

select
    coalesce(published.export_quarter, expected.export_quarter) as export_quarter,
    coalesce(published.month_end, expected.month_end) as month_end,
    published.export_quarter is null as is_missing_from_published,
    expected.export_quarter is null as is_missing_from_mart
from published
full outer join expected
    on
        published.export_quarter = expected.export_quarter
        and published.month_end = expected.month_end
where
    published.export_quarter is null
    or expected.export_quarter is null
    or published.rapes_12m is distinct from expected.rapes_12m
    or published.rapes_per_1000_12m is distinct from expected.rapes_per_1000_12m
    or published.charged_12m is distinct from expected.charged_12m
    or published.charge_rate_12m is distinct from expected.charge_rate_12m
    or published.outcomes_assigned_12m is distinct from expected.outcomes_assigned_12m
    or published.median_days_to_outcome_12m is distinct from expected.median_days_to_outcome_12m
    or published.victim_not_supporting_12m is distinct from expected.victim_not_supporting_12m
    or published.victim_not_supporting_rate_12m
    is distinct from expected.victim_not_supporting_rate_12m
