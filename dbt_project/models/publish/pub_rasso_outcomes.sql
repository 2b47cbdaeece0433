{#-
    OPCC: rapes recorded in each period of every export quarter's window
    (int_publish__windows) by their current outcome, with an `all` row per period. A rape
    counts by recorded_date (spec/published-figures.md); its outcome is the latest one
    assigned, as it stands at extraction. Every outcome group is present in every period
    (0 when none). Figures before disclosure control.
-#}
with

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
        cast({{ month_start('recorded_date') }} as date) as month,
        count(*) as rapes
    from rapes
    group by all

),

grid as (

    {{ publish_window_grid(['outcome_groups']) }}

),

counted as (

    {{ sum_months_into_periods('grid', 'monthly', ['rapes'], category='outcome_group') }}

)

select
    {{ publish_period_columns() }},
    cast(outcome_group as {{ type_text() }}) as outcome_group,
    cast(rapes as bigint) as rapes,
    {{ publish_period_bookkeeping(['period_order', 'category_order']) }}
from counted
