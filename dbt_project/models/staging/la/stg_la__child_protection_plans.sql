with

source as (

    select * from {{ source('la', 'child_protection_plans') }}

),

renamed as (

    select
        la_code,
        child_ref,
        tok_surname,
        tok_forename,
        tok_dob,
        plan_start,
        plan_end,
        category,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
