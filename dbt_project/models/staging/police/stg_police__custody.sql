with

source as (

    select * from {{ source('police', 'custody') }}

),

renamed as (

    select
        custody_ref,
        suite_code,
        arrived_at,
        authorised_at,
        released_at,
        person_ref,
        age,
        sex,
        ethnicity,
        arrest_ho_offence_code,
        disposal,
        {{ flag_is_set('appropriate_adult') }} as had_appropriate_adult,
        {{ flag_is_set('mental_health_s136') }} as is_mental_health_s136,
        {{ flag_is_set('interpreter') }} as needed_interpreter,
        {{ flag_is_set('strip_search') }} as was_strip_searched,
        tok_surname,
        tok_forename,
        tok_dob,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
