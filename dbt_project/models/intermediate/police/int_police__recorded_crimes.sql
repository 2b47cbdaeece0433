{#-
    Recorded, not cancelled crimes with everything the facts need: classification,
    place, victims and suspects. A crime counts only while its status is `recorded` in
    the newest file for its period (published-figures.md); the raw schema holds only
    current file versions, so the status here is that one. Outcomes are not joined here:
    a model that needs the current outcome (fct_rasso) joins
    int_police__crime_outcomes_current itself, so the figures that do not use outcomes
    (serious violence, the SV Duty measures and the tables published from them) do not
    depend on the police outcomes extract.

    Built crime by crime from int_police__crimes (macros/crime_chain.sql). A crime's row
    also reads int_police__crime_people_summarised: should that not yet hold the crime
    at the crime's digest (it failed or was skipped), the row is built from what it
    holds with a null digest, so the crime is built again next time.
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

crimes as (

    select * from {{ crime_rows_to_build(ref('int_police__crimes'), is_incremental()) }}

),

people as (

    select *
    from
        {{
            crime_rows_to_build(
                ref('int_police__crime_people_summarised'), is_incremental()
            )
        }}

),

joined as (

    select
        {{
            star_replace('crimes', [(
                'case when people.inputs_digest is null'
                ~ ' or people.inputs_digest = crimes.inputs_digest'
                ~ ' then crimes.inputs_digest end',
                'inputs_digest'
            )])
        }},
        -- Night-time economy 22:00-04:59 (003 SNA, "Timings").
        crimes.offence_hour >= 22 or crimes.offence_hour < 5 as is_night_time_economy,
        coalesce(people.victim_count, 0) as victim_count,
        people.youngest_victim_age,
        people.youngest_victim_sex,
        coalesce(people.youngest_victim_age < 25, false) as is_victim_under_25,
        coalesce(people.suspect_count, 0) as suspect_count,
        people.youngest_suspect_age

    from crimes
    left join people
        on crimes.crime_ref = people.crime_ref
    where crimes.is_recorded

)

select * from joined
