{#-
    Strategic needs assessment profile (opcc): the cohort's risk factors (linked persons
    who were a suspect under 25 in a high-harm crime, and of them those in murder or
    attempted murder; each factor recorded before their first such offence; DESIGN.md
    "Cohort"), counted as mart_cohort_risk_factors counts them (the macro
    cohort_risk_factor_counts) over the cohort as it stood at each export quarter's end:
    persons whose first such offence was on or before it. So an export draws on the days
    up to its quarter only (draws_from the first exported quarter's first day, draws_to
    the quarter's last), and a later quarter's file cannot change or hold it back. The
    share with each factor is published; avg_factors_per_person is not, as with the
    persons it gives away the sum of the factor counts and so any one suppressed factor
    from the others. Figures before disclosure control.
-#}
with

export_quarters as (

    select * from {{ ref('int_publish__export_quarters') }}

),

cohort_at_quarter as (

    -- The cohort as it stood at each export quarter's end: persons whose first high-harm
    -- offence (their index date) was on or before it. Their factors are dated before
    -- it, so the export draws on nothing after its quarter.
    select
        export_quarters.export_quarter,
        cohort.subgroup,
        cohort.person_key,
        cohort.index_date
    from {{ ref('int_people__cohort') }} as cohort
    inner join export_quarters
        on cohort.index_date <= export_quarters.export_quarter_end

),

counted as (

    {{ cohort_risk_factor_counts(
        'cohort_at_quarter', ref('int_people__risk_factor_events'),
        by=['export_quarter'], groups='export_quarters'
    ) }}

),

published as (

    select
        counted.*,
        export_quarters.data_start as data_from,
        export_quarters.export_quarter_end as data_to
    from counted
    inner join export_quarters
        on counted.export_quarter = export_quarters.export_quarter

)

select
    cast(export_quarter as {{ type_text() }}) as export_quarter,
    cast(subgroup as {{ type_text() }}) as subgroup,
    cast(factor as {{ type_text() }}) as factor,
    cast(persons as bigint) as persons,
    cast(persons_with_factor as bigint) as persons_with_factor,
    cast({{ round_half_even(share('persons_with_factor', 'persons'), 4) }} as double)
        as share_with_factor,
    {{ publish_bookkeeping('data_from', 'data_to') }},
    cast(
        row_number() over (
            partition by export_quarter order by subgroup_order, factor_order
        ) as integer
    ) as row_order
from published
