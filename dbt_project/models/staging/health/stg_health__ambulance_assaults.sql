with

source as (

    select * from {{ source('health', 'ambulance_assaults') }}

),

renamed as (

    select
        incident_ref,
        call_at,
        lad_code,
        lsoa21_code,
        category,
        {{ flag_is_set('conveyed') }} as was_conveyed,
        age,
        sex,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
