-- Every linked person's part (victim or suspect) in a recorded, not cancelled crime.
-- A crime counts only while its status is `recorded` in the current file for its
-- period (published-figures.md); people rows still waiting for their crime are left out.
--
-- Built crime by crime (macros/crime_chain.sql, macros/people_chain.sql): a build makes
-- only the crimes whose inputs changed or whose people the linkage linked again.
-- on_schema_change is set in the file: dbt checks it against the contract marts have
-- (dbt_project.yml) before this model's YAML turns the contract off.
{{
    config(
        materialized=crime_chain_materialized(),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_crimes_of_persons_linked_again(ref('bridge_person_record'), is_incremental()) }}",
            "{{ delete_crimes_to_rebuild(ref('int_police__crimes'), is_incremental(), only='current_inputs.is_recorded') }}",
        ],
    )
}}

with

to_build as (

    {{
        crimes_to_build(
            ref('int_police__crimes'), is_incremental(), only='current_inputs.is_recorded'
        )
    }}

),

-- One row per crime_ref, the newest period's should a crime ever arrive twice.
crimes as (

    select * from {{ crime_rows_to_build(ref('int_police__crimes'), is_incremental()) }}

),

crime_people as (

    select *
    from {{ crime_rows_to_build(ref('stg_police__crime_people'), is_incremental()) }}

),

bridge as (

    select * from {{ ref('bridge_person_record') }}
    where source = 'police_people'

),

involvements as (

    select
        bridge.person_key,
        crime_people.crime_ref,
        crime_people.person_ref,
        crime_people.role,
        crime_people.age,
        crimes.recorded_date,
        crimes.offence_date,
        crimes.ho_offence_code,
        crimes.is_cohort_high_harm,
        crimes.is_murder_attempted_murder,
        crime_people.crime_ref || ':' || crime_people.person_ref || ':' || crime_people.role
            as record_ref,
        bridge.linked_at,
        crimes.inputs_digest

    from crime_people
    inner join crimes
        on
            crime_people.crime_ref = crimes.crime_ref
            and crimes.is_recorded
    left join bridge
        on bridge.record_ref
            = crime_people.crime_ref || ':' || crime_people.person_ref || ':' || crime_people.role

)

select * from involvements
