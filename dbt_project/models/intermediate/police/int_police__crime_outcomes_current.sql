{#-
    Each crime's current outcome: its assignment with the latest outcome_date; ties go to
    the later period's file, then the later row (published-figures.md). A crime with no
    assignment is under investigation and has no row here. Assignments whose crime has
    not arrived wait. Built crime by crime from int_police__crimes
    (macros/crime_chain.sql).
-#}
{{
    config(
        materialized=crime_chain_materialized(),
        incremental_strategy='append',
        pre_hook="{{ delete_crimes_to_rebuild(ref('int_police__crimes'), is_incremental()) }}",
    )
}}

with

to_build as (

    {{ crimes_to_build(ref('int_police__crimes'), is_incremental()) }}

),

outcomes as (

    select * from {{ crime_rows_to_build(ref('stg_police__outcomes'), is_incremental()) }}

),

crimes as (

    select * from {{ crime_rows_to_build(ref('int_police__crimes'), is_incremental()) }}

),

outcome_types as (

    select * from {{ ref('ref_outcome_types') }}

),

outcomes_of_loaded_crimes as (

    select
        outcomes.*,
        crimes.inputs_digest
    from outcomes
    inner join crimes
        on outcomes.crime_ref = crimes.crime_ref

),

latest as (

    select
        crime_ref,
        outcome_code,
        outcome_date,
        period,
        row_number,
        inputs_digest,
        count(*) over (partition by crime_ref) as assignment_count
    from outcomes_of_loaded_crimes
    qualify
        row_number() over (
            partition by crime_ref
            order by outcome_date desc, period desc, row_number desc
        ) = 1

),

described as (

    select
        latest.crime_ref,
        latest.outcome_code,
        latest.outcome_date,
        outcome_types.description as outcome_description,
        coalesce(outcome_types.is_charge, false) as is_charged,
        coalesce(outcome_types.is_out_of_court, false) as is_out_of_court,
        coalesce(outcome_types.is_victim_not_supporting, false)
            as is_victim_not_supporting,
        coalesce(outcome_types.is_no_suspect, false) as is_no_suspect,
        latest.assignment_count,
        latest.period as outcome_period,
        latest.row_number as outcome_row_number,
        latest.inputs_digest

    from latest
    left join outcome_types
        on latest.outcome_code = outcome_types.outcome_code

)

select * from described
