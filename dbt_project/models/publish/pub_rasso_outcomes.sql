{#-
    OPCC: rapes recorded in each period of every export quarter's window
    (int_publish__windows) by their current outcome, with an `all` row per period. A rape
    counts by recorded_date (spec/published-figures.md); its outcome is the latest one
    assigned, as it stands at extraction. Every outcome group is present in every period
    (0 when none). Figures before disclosure control.
-#}
with

windows as (

    select * from {{ ref('int_publish__windows') }}

),

rapes as (

    select * from {{ ref('fct_rasso') }}
    where is_rape

),

outcome_groups as (

    -- The groups the OPCC reports (Home Office outcome framework): charged or summonsed
    -- (1, 1A), victim does not support (14, 16), another outcome, or none assigned yet.
    -- Not a seed: they group ref_outcome_types' flags, they are not outcome codes.
    select outcome_groups.*
    from (
        values
        ('charged', 1),
        ('victim_not_supporting', 2),
        ('other_outcome', 3),
        ('under_investigation', 4),
        ('all', 1000)
    ) as outcome_groups (outcome_group, category_order)

),

monthly as (

    select
        case
            when is_charged then 'charged'
            when is_victim_not_supporting then 'victim_not_supporting'
            when outcome_code is null then 'under_investigation'
            else 'other_outcome'
        end as outcome_group,
        cast(date_trunc('month', recorded_date) as date) as month,
        count(*) as rapes
    from rapes
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
        outcome_groups.outcome_group,
        outcome_groups.category_order,
        coalesce(sum(monthly.rapes), 0) as rapes
    from windows
    cross join outcome_groups
    left join monthly
        on
            (
                outcome_groups.outcome_group = 'all'
                or outcome_groups.outcome_group = monthly.outcome_group
            )
            and monthly.month between windows.period_start and windows.period_end
    group by all

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(period as varchar) as period,
    period_start,
    period_end,
    cast(outcome_group as varchar) as outcome_group,
    cast(rapes as bigint) as rapes,
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter order by period_order, category_order
        ) as integer
    ) as row_order
from counted
