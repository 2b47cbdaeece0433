with

source as (

    select * from {{ source('la', 'school_absence') }}

),

renamed as (

    select
        la_code,
        child_ref,
        tok_surname,
        tok_forename,
        tok_dob,
        academic_year,
        sessions_possible,
        sessions_missed,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
