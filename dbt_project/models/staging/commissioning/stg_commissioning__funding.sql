with

source as (

    select * from {{ source('commissioning', 'funding') }}

),

renamed as (

    select
        provider,
        service,
        service_category,
        financial_year,
        amount_gbp,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
