{#-
    Where RASSO cases stop (002, task-and-finish scope): per financial year recorded and
    offence scope, crimes reported, with a suspect identified (a suspect record sent by
    the force), and charged or summonsed (current outcome 1 or 1A). Each stage's share of
    reports and of the stage before.
-#}
with

by_year as (

    select * from {{ ref('mart_rasso__outcomes_by_year') }}

),

stages as (

    select
        financial_year,
        offence_scope,
        1 as stage_order,
        'reported' as stage,
        offences as crimes,
        offences as reported,
        offences as previous_stage_crimes
    from by_year

    union all

    select
        financial_year,
        offence_scope,
        2 as stage_order,
        'suspect_identified' as stage,
        suspect_identified as crimes,
        offences as reported,
        offences as previous_stage_crimes
    from by_year

    union all

    select
        financial_year,
        offence_scope,
        3 as stage_order,
        'charged' as stage,
        charged as crimes,
        offences as reported,
        suspect_identified as previous_stage_crimes
    from by_year

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(offence_scope as {{ type_text() }}) as offence_scope,
    cast(stage_order as integer) as stage_order,
    cast(stage as {{ type_text() }}) as stage,
    cast(crimes as bigint) as crimes,
    cast({{ share('crimes', 'reported') }} as double) as share_of_reported,
    cast({{ share('crimes', 'previous_stage_crimes') }} as double) as share_of_previous_stage
from stages
