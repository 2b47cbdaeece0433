with

source as (

    select * from {{ source('commissioning', 'service_returns') }}

),

renamed as (

    select
        service,
        fy_quarter,
        label,
        measure,
        value,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
