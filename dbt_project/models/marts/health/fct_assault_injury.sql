{#-
    One assault-related health event of an LLR resident (ambulance: an incident in LLR),
    counted by the event's own date. Out-of-area rows are loaded but outside every LLR
    figure, so they are not here.
-#}
with

injuries as (

    select * from {{ ref('int_health__assault_injuries') }}

)

select
    cast(source as {{ type_text() }}) as source,
    cast(event_ref as {{ type_text() }}) as event_ref,
    cast(event_at as timestamp) as event_at,
    cast(event_date as date) as event_date,
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(fy_quarter as {{ type_text() }}) as fy_quarter,
    cast(age as integer) as age,
    cast(is_under_25 as boolean) as is_under_25,
    cast(sex as {{ type_text() }}) as sex,
    cast(ethnicity as {{ type_text() }}) as ethnicity,
    cast(district_code as {{ type_text() }}) as district_code,
    cast(district_name as {{ type_text() }}) as district_name,
    cast(la_code as {{ type_text() }}) as la_code,
    cast(means as {{ type_text() }}) as means,
    cast(means_group as {{ type_text() }}) as means_group,
    cast(is_sharp_object as boolean) as is_sharp_object,
    cast(site_code as {{ type_text() }}) as site_code,
    cast(assault_at as timestamp) as assault_at,
    cast(assault_location_type as {{ type_text() }}) as assault_location_type,
    cast(discharged_at as timestamp) as discharged_at,
    cast(length_of_stay_days as integer) as length_of_stay_days,
    cast(primary_diagnosis as {{ type_text() }}) as primary_diagnosis,
    cast(cost_gbp as double) as cost_gbp,
    cast(was_conveyed as boolean) as was_conveyed
from injuries
where is_llr
