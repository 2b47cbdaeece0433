-- Every linked person's part (victim or suspect) in a recorded, not cancelled crime.
-- A crime counts only while its status is `recorded` in the current file for its
-- period (published-figures.md); people rows still waiting for their crime are left out.

with

crimes as (

    -- One row per crime_ref, the newest period's should a crime ever arrive twice.
    select * from {{ ref('int_police__crimes') }}

),

crime_people as (

    select * from {{ ref('stg_police__crime_people') }}

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
            as record_ref

    from crime_people
    inner join crimes
        on crime_people.crime_ref = crimes.crime_ref
            and crimes.is_recorded
    left join bridge
        on bridge.record_ref
            = crime_people.crime_ref || ':' || crime_people.person_ref || ':' || crime_people.role

)

select * from involvements
