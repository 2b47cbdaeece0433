{#-
    RASSO crimes per financial year recorded and offence scope by current outcome type
    (`under_investigation` when none): how cases end, as they stand now. Every outcome
    type appears for every year, 0 when none.
-#}
with

rasso as (

    select * from {{ ref('fct_rasso') }}

),

years as (

    select distinct
        financial_year,
        offence_scope
    from {{ ref('mart_rasso__outcomes_by_year') }}

),

outcome_types as (

    select
        outcome_code,
        description as outcome_description
    from {{ ref('ref_outcome_types') }}

    union all

    select
        'under_investigation' as outcome_code,
        'Under investigation: no outcome assigned yet' as outcome_description

),

scoped as (

    select
        financial_year,
        'rasso' as offence_scope,
        coalesce(outcome_code, 'under_investigation') as outcome_code
    from rasso

    union all

    select
        financial_year,
        'rape' as offence_scope,
        coalesce(outcome_code, 'under_investigation') as outcome_code
    from rasso
    where is_rape

),

counted as (

    select
        financial_year,
        offence_scope,
        outcome_code,
        count(*) as crimes
    from scoped
    group by financial_year, offence_scope, outcome_code

),

filled as (

    select
        years.financial_year,
        years.offence_scope,
        outcome_types.outcome_code,
        outcome_types.outcome_description,
        coalesce(counted.crimes, 0) as crimes
    from years
    cross join outcome_types
    left join counted
        on
            years.financial_year = counted.financial_year
            and years.offence_scope = counted.offence_scope
            and outcome_types.outcome_code = counted.outcome_code

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(offence_scope as {{ type_text() }}) as offence_scope,
    cast(outcome_code as {{ type_text() }}) as outcome_code,
    cast(outcome_description as {{ type_text() }}) as outcome_description,
    cast(crimes as bigint) as crimes,
    cast(
        {{ share('crimes', 'sum(crimes) over (partition by financial_year, offence_scope)') }}
        as double
    ) as share_of_crimes
from filled
