with

source as (

    select * from {{ source('audit', 'files') }}

),

renamed as (

    select
        file_name,
        source,
        entity,
        period,
        sha256 as file_sha256,
        outcome,
        reason,
        loaded_at

    from source

)

select * from renamed
