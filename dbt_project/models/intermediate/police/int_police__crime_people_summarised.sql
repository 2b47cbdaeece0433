{#-
    Per crime: how many victims and suspects, and the youngest of each. "Victim under 25"
    means the crime's youngest victim was under 25 at the offence (published-figures.md).
    The youngest victim's sex is taken with the age (ties: the lower person_ref), as
    fct_rasso reports victim_age and victim_sex of the same person. Built crime by crime
    from int_police__crime_people (macros/crime_chain.sql).
-#}
{{
    config(
        materialized=crime_chain_materialized(),
        incremental_strategy='append',
        pre_hook="{{ delete_crimes_to_rebuild(ref('int_police__crime_people'), is_incremental()) }}",
    )
}}

with

to_build as (

    {{ crimes_to_build(ref('int_police__crime_people'), is_incremental()) }}

),

people as (

    select * from {{ crime_rows_to_build(ref('int_police__crime_people'), is_incremental()) }}

),

victims_ranked as (

    select
        crime_ref,
        age,
        sex,
        row_number() over (
            partition by crime_ref
            order by age asc nulls last, person_ref asc
        ) as youngest_rank
    from people
    where role = 'victim'

),

youngest_victims as (

    select
        crime_ref,
        age as youngest_victim_age,
        sex as youngest_victim_sex
    from victims_ranked
    where youngest_rank = 1

),

counts as (

    -- One row per crime, person and role (int_police__crime_people's key, tested there),
    -- so counting the rows counts the people: a distinct count cost three times as much.
    select
        crime_ref,
        count(person_ref) filter (where role = 'victim') as victim_count,
        count(person_ref) filter (where role = 'suspect') as suspect_count,
        min(age) filter (where role = 'suspect') as youngest_suspect_age,
        -- The same for every row of a crime: its rows are built together.
        max(inputs_digest) as inputs_digest
    from people
    group by crime_ref

),

summarised as (

    select
        counts.crime_ref,
        counts.victim_count,
        youngest_victims.youngest_victim_age,
        youngest_victims.youngest_victim_sex,
        counts.suspect_count,
        counts.youngest_suspect_age,
        counts.inputs_digest

    from counts
    left join youngest_victims
        on counts.crime_ref = youngest_victims.crime_ref

)

select * from summarised
