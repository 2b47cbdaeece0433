with

source as (

    select * from {{ source('la', 'children_looked_after') }}

),

renamed as (

    select
        la_code,
        child_ref,
        tok_surname,
        tok_forename,
        tok_dob,
        sex,
        episode_start,
        episode_end,
        category_of_need,
        legal_status,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
