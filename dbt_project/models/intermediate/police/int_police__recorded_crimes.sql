{#-
    Recorded, not cancelled crimes with everything the facts need: classification,
    place, victims and suspects, current outcome. A crime counts only while its status
    is `recorded` in the newest file for its period (published-figures.md); the raw
    schema holds only current file versions, so the status here is that one.
-#}
with

crimes as (

    select * from {{ ref('int_police__crimes') }}

),

people as (

    select * from {{ ref('int_police__crime_people_summarised') }}

),

outcomes as (

    select * from {{ ref('int_police__crime_outcomes_current') }}

),

joined as (

    select
        crimes.*,
        -- Night-time economy 22:00-04:59 (003 SNA, "Timings").
        crimes.offence_hour >= 22 or crimes.offence_hour < 5 as is_night_time_economy,
        coalesce(people.victim_count, 0) as victim_count,
        people.youngest_victim_age,
        people.youngest_victim_sex,
        coalesce(people.youngest_victim_age < 25, false) as is_victim_under_25,
        coalesce(people.suspect_count, 0) as suspect_count,
        people.youngest_suspect_age,
        outcomes.outcome_code,
        outcomes.outcome_date,
        outcomes.outcome_description,
        coalesce(outcomes.is_charged, false) as is_charged,
        coalesce(outcomes.is_out_of_court, false) as is_out_of_court,
        coalesce(outcomes.is_victim_not_supporting, false) as is_victim_not_supporting,
        coalesce(outcomes.is_no_suspect, false) as is_no_suspect,
        datediff('day', crimes.recorded_date, outcomes.outcome_date) as days_to_outcome

    from crimes
    left join people
        on crimes.crime_ref = people.crime_ref
    left join outcomes
        on crimes.crime_ref = outcomes.crime_ref
    where crimes.is_recorded

)

select * from joined
