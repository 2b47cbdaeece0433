-- Every linked person's part (victim or suspect) in a recorded, not cancelled crime.
-- A crime counts only while its status is `recorded` in the current file for its
-- period (published-figures.md); people rows still waiting for their crime are left out.

with

crimes as (

    select * from {{ ref('stg_police__crimes') }}
    -- The ingest keeps crime_ref unique across current files; should two rows ever
    -- share one, the newest period's row stands.
    qualify row_number() over (
            partition by crime_ref order by period desc, row_number desc
        ) = 1

),

crime_people as (

    select * from {{ ref('stg_police__crime_people') }}

),

bridge as (

    select * from {{ ref('bridge_person_record') }}
    where source = 'police_people'

),

offence_codes as (

    select * from {{ ref('ref_offence_codes') }}

),

involvements as (

    select
        bridge.person_key,
        crime_people.crime_ref,
        crime_people.person_ref,
        crime_people.role,
        crime_people.age,
        crimes.recorded_date,
        cast(crimes.offence_from as date) as offence_date,
        crimes.ho_offence_code,
        coalesce(offence_codes.is_cohort_high_harm, false) as is_cohort_high_harm,
        coalesce(offence_codes.is_murder_attempted_murder, false)
            as is_murder_attempted_murder,
        crime_people.crime_ref || ':' || crime_people.person_ref || ':' || crime_people.role
            as record_ref

    from crime_people
    inner join crimes
        on crime_people.crime_ref = crimes.crime_ref
            and crimes.status = 'recorded'
    left join bridge
        on bridge.record_ref
            = crime_people.crime_ref || ':' || crime_people.person_ref || ':' || crime_people.role
    left join offence_codes
        on crimes.ho_offence_code = offence_codes.ho_offence_code

)

select * from involvements
