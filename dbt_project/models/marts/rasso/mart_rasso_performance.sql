{#-
    Rape performance over rolling 12 months, one row per month from the first month
    whose 12 months lie wholly inside the crime data (published-figures.md; 000 and 003
    Op Soteria). The 12 months "to Oct 2024" are 1 Nov 2023 - 31 Oct 2024.
      rapes_12m                   rapes recorded in the window
      charge_rate_12m             of those, the share whose current outcome is a charge
                                  or summons (1, 1A): the Home Office method, outcomes of
                                  offences recorded in the window as they stand now
      median_days_to_outcome_12m  median of outcome_date - recorded_date over rapes
                                  whose current outcome was assigned in the window
      victim_not_supporting_rate_12m  as the charge rate, with outcomes 14 and 16
-#}
with

rapes as (

    select * from {{ ref('fct_rasso') }}
    where is_rape

),

coverage as (

    select
        min(period_start) as data_start,
        max(period_end) as data_end
    from {{ ref('int_coverage__periods') }}
    where source = 'police' and entity = 'crimes'

),

populations as (

    select * from {{ ref('int_geography__area_populations') }}
    where area_level = 'llr'

),

windows as (

    select
        cast(last_day(months.month_start) as date) as month_end,
        cast(months.month_start - interval 11 month as date) as window_start
    from coverage
    cross join
        {{ date_range_table(
            "cast(" ~ month_start('coverage.data_start') ~ " + interval 11 month as date)",
            "cast(coverage.data_end as date) + interval 1 day",
            "interval 1 month",
            'months',
            'month_start'
        ) }}
    where last_day(months.month_start) <= coverage.data_end

),

recorded_in_window as (

    select
        windows.month_end,
        count(*) as rapes_12m,
        count(*) filter (where rapes.is_charged) as charged_12m,
        count(*) filter (where rapes.is_victim_not_supporting) as victim_not_supporting_12m
    from windows
    inner join rapes
        on rapes.recorded_date between windows.window_start and windows.month_end
    group by windows.month_end

),

outcome_in_window as (

    select
        windows.month_end,
        count(*) as outcomes_assigned_12m,
        {{ median('rapes.days_to_outcome') }} as median_days_to_outcome_12m
    from windows
    inner join rapes
        on rapes.outcome_date between windows.window_start and windows.month_end
    group by windows.month_end

)

select
    cast(windows.month_end as date) as month_end,
    cast(windows.window_start as date) as window_start,
    cast(coalesce(recorded_in_window.rapes_12m, 0) as bigint) as rapes_12m,
    cast(
        {{ rate_per_1000('coalesce(recorded_in_window.rapes_12m, 0)', 'populations.population') }}
        as double
    ) as rapes_per_1000_12m,
    cast(coalesce(recorded_in_window.charged_12m, 0) as bigint) as charged_12m,
    cast({{ share('recorded_in_window.charged_12m', 'recorded_in_window.rapes_12m') }} as double)
        as charge_rate_12m,
    cast({{ var('rape_charge_rate_target') }} as double) as charge_rate_target,
    cast(coalesce(outcome_in_window.outcomes_assigned_12m, 0) as bigint)
        as outcomes_assigned_12m,
    cast(outcome_in_window.median_days_to_outcome_12m as double)
        as median_days_to_outcome_12m,
    cast(coalesce(recorded_in_window.victim_not_supporting_12m, 0) as bigint)
        as victim_not_supporting_12m,
    cast(
        {{ share('recorded_in_window.victim_not_supporting_12m', 'recorded_in_window.rapes_12m') }}
        as double
    ) as victim_not_supporting_rate_12m,
    cast(populations.population as bigint) as population
from windows
left join recorded_in_window
    on windows.month_end = recorded_in_window.month_end
left join outcome_in_window
    on windows.month_end = outcome_in_window.month_end
left join populations
    on populations.financial_year = {{ financial_year('windows.month_end') }}
