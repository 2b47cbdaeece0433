{#-
    Every linked person's part (victim or suspect) in a recorded, not cancelled crime of
    the three domains the people marts count (DESIGN.md, "The three marts of people and
    forces"): `serious_violence` (the SV definition, seed ref_offence_codes.sv_group),
    `domestic_abuse` (every crime flagged flag_domestic_abuse = Y, not only SV) and
    `rasso` (is_rasso codes). A crime in several domains gives one row per domain. Placed
    in the financial year of recorded_date, with the person's age and sex there.
-#}
with

crime_people as (

    select * from {{ ref('int_police__crime_people') }}

),

recorded_crimes as (

    select * from {{ ref('int_police__recorded_crimes') }}

),

bridge as (

    select * from {{ ref('bridge_person_record') }}
    where source = 'police_people'

),

domain_list as (

    select domain_list.*
    from (
        values ('serious_violence'), ('domestic_abuse'), ('rasso')
    ) as domain_list (domain)

),

involvements as (

    select
        domain_list.domain,
        bridge.person_key,
        crime_people.role,
        crime_people.crime_ref,
        crime_people.person_ref,
        recorded_crimes.recorded_date,
        recorded_crimes.financial_year,
        recorded_crimes.offence_from,
        crime_people.age,
        crime_people.sex,
        crime_people.crime_ref || ':' || crime_people.person_ref || ':' || crime_people.role
            as record_ref
    from crime_people
    inner join recorded_crimes
        on crime_people.crime_ref = recorded_crimes.crime_ref
    -- Each crime's domains from the row already joined: read a second time for them, the
    -- recorded crimes cost this model a third of its time at scale 20.
    inner join domain_list
        on
            (domain_list.domain = 'serious_violence' and recorded_crimes.is_serious_violence)
            or (domain_list.domain = 'domestic_abuse' and recorded_crimes.is_domestic_abuse)
            or (domain_list.domain = 'rasso' and recorded_crimes.is_rasso)
    left join bridge
        on bridge.record_ref
            = crime_people.crime_ref || ':' || crime_people.person_ref || ':' || crime_people.role

)

select * from involvements
