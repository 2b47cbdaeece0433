{#-
    One recorded, not cancelled rape or serious sexual offence (RASSO, the is_rasso
    column of the ref_offence_codes seed) with its current outcome. Outcomes are those
    of offences recorded in the period as they stand at extraction (Home Office method).
    The outcome is joined here, not in int_police__recorded_crimes, so that only the
    outcome figures depend on the police outcomes extract.
-#}
with

recorded_crimes as (

    select * from {{ ref('int_police__recorded_crimes') }}

),

outcomes as (

    select * from {{ ref('int_police__crime_outcomes_current') }}

),

rasso as (

    select
        recorded_crimes.*,
        outcomes.outcome_code,
        outcomes.outcome_date,
        outcomes.outcome_description,
        coalesce(outcomes.is_charged, false) as is_charged,
        coalesce(outcomes.is_victim_not_supporting, false) as is_victim_not_supporting,
        coalesce(outcomes.is_no_suspect, false) as is_no_suspect,
        {{ days_between('recorded_crimes.recorded_date', 'outcomes.outcome_date') }}
            as days_to_outcome
    from recorded_crimes
    left join outcomes
        on recorded_crimes.crime_ref = outcomes.crime_ref
    where recorded_crimes.is_rasso

)

select
    cast(crime_ref as {{ type_text() }}) as crime_ref,
    cast(recorded_date as date) as recorded_date,
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(fy_quarter as {{ type_text() }}) as fy_quarter,
    cast(recorded_month as date) as recorded_month,
    cast(ho_offence_code as {{ type_text() }}) as ho_offence_code,
    cast(offence_description as {{ type_text() }}) as offence_description,
    cast(is_rape as boolean) as is_rape,
    -- Where: the crime's beat, placed by the ref_beats seed (int_police__crimes), so
    -- RASSO can be reported by district, upper-tier authority and CSP (mart_rasso__by_area).
    cast(la_code as {{ type_text() }}) as la_code,
    cast(district_code as {{ type_text() }}) as district_code,
    cast(csp_name as {{ type_text() }}) as csp_name,
    cast(beat_code as {{ type_text() }}) as beat_code,
    cast(outcome_code as {{ type_text() }}) as outcome_code,
    cast(outcome_description as {{ type_text() }}) as outcome_description,
    cast(outcome_date as date) as outcome_date,
    cast(is_charged as boolean) as is_charged,
    cast(is_victim_not_supporting as boolean) as is_victim_not_supporting,
    cast(is_no_suspect as boolean) as is_no_suspect,
    cast(outcome_code is null as boolean) as is_under_investigation,
    cast(days_to_outcome as integer) as days_to_outcome,
    cast(victim_count as integer) as victim_count,
    cast(youngest_victim_age as integer) as victim_age,
    cast(youngest_victim_sex as {{ type_text() }}) as victim_sex,
    cast(suspect_count as integer) as suspect_count,
    cast(suspect_count > 0 as boolean) as is_suspect_identified,
    cast(youngest_suspect_age as integer) as suspect_age,
    cast(is_domestic_abuse as boolean) as is_domestic_abuse
from rasso
