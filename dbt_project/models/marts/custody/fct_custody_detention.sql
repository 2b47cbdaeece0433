{#- One custody detention, counted by arrival (published-figures.md). -#}
with

detentions as (

    select * from {{ ref('stg_police__custody') }}

),

superseded as (

    {{ superseded_rows(ref('stg_police__custody'), ['custody_ref']) }}

),

current_detentions as (

    select detentions.*
    from detentions
    anti join superseded
        on
            detentions.file_name = superseded.file_name
            and detentions.row_number = superseded.row_number

)

select
    cast(custody_ref as {{ type_text() }}) as custody_ref,
    cast(suite_code as {{ type_text() }}) as suite_code,
    cast(arrived_at as timestamp) as arrived_at,
    cast(authorised_at as timestamp) as authorised_at,
    cast(released_at as timestamp) as released_at,
    -- Hours from arrival to release; null while the person is still detained.
    cast({{ seconds_between('arrived_at', 'released_at') }} / 3600.0 as double) as detention_hours,
    cast(released_at is null as boolean) as is_still_detained,
    cast(person_ref as {{ type_text() }}) as person_ref,
    cast(age as integer) as age,
    cast(age < 18 as boolean) as is_juvenile,
    cast(sex as {{ type_text() }}) as sex,
    cast(ethnicity as {{ type_text() }}) as ethnicity,
    cast(disposal as {{ type_text() }}) as disposal,
    cast(arrest_ho_offence_code as {{ type_text() }}) as arrest_ho_offence_code,
    cast(had_appropriate_adult as boolean) as had_appropriate_adult,
    cast(is_mental_health_s136 as boolean) as is_mental_health_s136,
    cast(needed_interpreter as boolean) as needed_interpreter,
    cast(was_strip_searched as boolean) as was_strip_searched,
    cast({{ financial_year('arrived_at') }} as {{ type_text() }}) as financial_year,
    cast({{ fy_quarter('arrived_at') }} as {{ type_text() }}) as fy_quarter
from current_detentions
