{#-
    Strategic needs assessment profile (opcc): the cohort's risk factors, from
    mart_cohort_risk_factors as built (linked persons who were a suspect under 25 in a
    high-harm crime, and of them those in murder or attempted murder; each factor
    recorded before their first such offence; DESIGN.md "Cohort"), with every export
    quarter: the mart is not cut at the quarter, and draws on every day loaded
    (draws_from the first exported quarter, draws_to the last loaded). The share with
    each factor is published; the mart's avg_factors_per_person is not, as with the
    persons it gives away the sum of the factor counts and so any one suppressed factor
    from the others. Figures before disclosure control.
-#}
with

export_quarters as (

    select * from {{ ref('int_publish__export_quarters') }}

),

factors as (

    select
        subgroup,
        factor,
        persons,
        persons_with_factor,
        case factor
            when 'looked_after' then 1
            when 'child_protection_plan' then 2
            when 'persistent_absence' then 3
            when 'suspension' then 4
            when 'permanent_exclusion' then 5
            when 'earlier_victimisation' then 6
            when 'earlier_offending' then 7
            when 'earlier_custody' then 8
            else 1000
        end as factor_order
    from {{ ref('mart_cohort_risk_factors') }}

),

data_span as (

    select
        min(data_start) as data_from,
        max(export_quarter_end) as data_to
    from export_quarters

),

published as (

    select
        export_quarters.export_quarter,
        data_span.data_from,
        data_span.data_to,
        factors.*
    from export_quarters
    cross join data_span
    cross join factors

)

select
    cast(export_quarter as varchar) as export_quarter,
    cast(subgroup as varchar) as subgroup,
    cast(factor as varchar) as factor,
    cast(persons as bigint) as persons,
    cast(persons_with_factor as bigint) as persons_with_factor,
    cast({{ round_half_even(share('persons_with_factor', 'persons'), 4) }} as double)
        as share_with_factor,
    {{ publish_bookkeeping('data_from', 'data_to') }},
    cast(
        row_number() over (
            partition by export_quarter order by subgroup != 'all', subgroup, factor_order
        ) as integer
    ) as row_order
from published
