with

source as (

    select * from {{ source('la', 'exclusions') }}

),

renamed as (

    select
        la_code,
        child_ref,
        tok_surname,
        tok_forename,
        tok_dob,
        start_date,
        type,
        sessions,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
