{#-
    Every linked person's part (victim or suspect) in a recorded, not cancelled crime of
    the three domains the people marts count (DESIGN.md, "The three marts of people and
    forces"): `serious_violence` (the SV definition, seed ref_offence_codes.sv_group),
    `domestic_abuse` (every crime flagged flag_domestic_abuse = Y, not only SV) and
    `rasso` (is_rasso codes). A crime in several domains gives one row per domain. Placed
    in the financial year of recorded_date, with the person's age and sex there.

    Built crime by crime (macros/crime_chain.sql, macros/people_chain.sql): a build makes
    only the crimes of the domains whose inputs changed or whose people the linkage linked
    again. on_schema_change is set in the file: dbt checks it against the contract marts
    have (dbt_project.yml) before this model's YAML turns the contract off.
-#}
{{
    config(
        materialized=crime_chain_materialized(),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_crimes_of_persons_linked_again(ref('bridge_person_record'), is_incremental()) }}",
            "{{ delete_crimes_to_rebuild(ref('int_police__recorded_crimes'), is_incremental(), only=of_a_people_domain('current_inputs')) }}",
        ],
    )
}}

with

to_build as (

    {{
        crimes_to_build(
            ref('int_police__recorded_crimes'), is_incremental(),
            only=of_a_people_domain('current_inputs')
        )
    }}

),

crime_people as (

    select * from {{ crime_rows_to_build(ref('int_police__crime_people'), is_incremental()) }}

),

recorded_crimes as (

    select * from {{ crime_rows_to_build(ref('int_police__recorded_crimes'), is_incremental()) }}

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
            as record_ref,
        bridge.linked_at,
        recorded_crimes.inputs_digest
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
