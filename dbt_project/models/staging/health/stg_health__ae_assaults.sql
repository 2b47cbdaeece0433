with

source as (

    select * from {{ source('health', 'ae_assaults') }}

),

renamed as (

    select
        attendance_ref,
        site_code,
        arrived_at,
        assault_at,
        age,
        sex,
        ethnicity,
        lad_code,
        lsoa21_code,
        assault_method,
        assault_location_type,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
