with

source as (

    select * from {{ source('police', 'outcomes') }}

),

renamed as (

    select
        crime_ref,
        outcome_code,
        outcome_date,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
