{#-
    One recorded, not cancelled crime in the local serious-violence definition (the
    sv_group column of the ref_offence_codes seed; common assault 105A is never in it).
    Counted by recorded_date, as the Home Office counts.
-#}
with

recorded_crimes as (

    select * from {{ ref('int_police__recorded_crimes') }}

)

select
    cast(crime_ref as {{ type_text() }}) as crime_ref,
    cast(recorded_date as date) as recorded_date,
    cast(offence_from as timestamp) as offence_from,
    cast(offence_date as date) as offence_date,
    cast(offence_hour as integer) as offence_hour,
    cast(offence_weekday as integer) as offence_weekday,
    cast(is_night_time_economy as boolean) as is_night_time_economy,
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(fy_quarter as {{ type_text() }}) as fy_quarter,
    cast(recorded_month as date) as recorded_month,
    cast(ho_offence_code as {{ type_text() }}) as ho_offence_code,
    cast(offence_description as {{ type_text() }}) as offence_description,
    cast(sv_group as {{ type_text() }}) as sv_group,
    cast(la_code as {{ type_text() }}) as la_code,
    cast(district_code as {{ type_text() }}) as district_code,
    cast(csp_name as {{ type_text() }}) as csp_name,
    cast(npa_name as {{ type_text() }}) as npa_name,
    cast(beat_code as {{ type_text() }}) as beat_code,
    cast(location_type as {{ type_text() }}) as location_type,
    cast(is_knife_sharp as boolean) as is_knife_sharp,
    cast(is_knife_enabled_ho as boolean) as is_knife_enabled_ho,
    cast(is_domestic_abuse as boolean) as is_domestic_abuse,
    cast(is_sexual_violence as boolean) as is_sexual_violence,
    cast(is_homicide as boolean) as is_homicide,
    cast(is_firearm as boolean) as is_firearm,
    cast(is_alcohol as boolean) as is_alcohol,
    cast(is_hate as boolean) as is_hate,
    cast(victim_count as integer) as victim_count,
    cast(youngest_victim_age as integer) as youngest_victim_age,
    cast(is_victim_under_25 as boolean) as is_victim_under_25,
    cast(suspect_count as integer) as suspect_count,
    cast(youngest_suspect_age as integer) as youngest_suspect_age
from recorded_crimes
where is_serious_violence
