{#-
    At Q4 the rolling 12 months of pub_rasso_outcomes are the financial year: each
    outcome group equals mart_rasso__outcomes_by_year for rapes (all = offences,
    charged, victim not supporting, under investigation; the rest are other outcomes).
    Rows drawing on a missing file are published as `[x]`: nothing to reconcile. Fails
    with each group whose count differs.
-#}

-- A check on the model it tests in Dagster (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'pub_rasso_outcomes'}}}) }}
with

published as (

    select
        left(export_quarter, 7) as financial_year,
        outcome_group,
        rapes
    from {{ ref('pub_rasso_outcomes') }}
    where is_sum_of_periods and missing is null

),

by_year as (

    select * from {{ ref('mart_rasso__outcomes_by_year') }}
    where offence_scope = 'rape'

),

expected as (

    select
        by_year.financial_year,
        outcome_groups.outcome_group,
        case outcome_groups.outcome_group
            when 'all' then by_year.offences
            when 'charged' then by_year.charged
            when 'victim_not_supporting' then by_year.victim_not_supporting
            when 'under_investigation' then by_year.under_investigation
            else
                by_year.offences - by_year.charged - by_year.victim_not_supporting
                - by_year.under_investigation
        end as rapes
    from by_year
    cross join (
        values ('all'), ('charged'), ('victim_not_supporting'), ('under_investigation'),
        ('other_outcome')
    ) as outcome_groups (outcome_group)

)

select
    published.financial_year,
    published.outcome_group,
    published.rapes as published_rapes,
    expected.rapes as mart_rapes
from published
left join expected
    on
        published.financial_year = expected.financial_year
        and published.outcome_group = expected.outcome_group
where published.rapes is distinct from expected.rapes
