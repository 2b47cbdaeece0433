with

source as (

    select * from {{ source('police', 'crimes') }}

),

renamed as (

    select
        crime_ref,
        recorded_date,
        offence_from,
        offence_to,
        ho_offence_code,
        beat_code,
        location_type,
        {{ flag_is_set('flag_domestic_abuse') }} as is_domestic_abuse,
        {{ flag_is_set('flag_knife_sharp') }} as is_knife_sharp,
        {{ flag_is_set('flag_firearm') }} as is_firearm,
        {{ flag_is_set('flag_alcohol') }} as is_alcohol,
        {{ flag_is_set('flag_hate') }} as is_hate,
        status,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
