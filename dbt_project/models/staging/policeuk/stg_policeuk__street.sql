with

source as (

    select * from {{ source('policeuk', 'street') }}

),

renamed as (

    select
        nullif(trim(crime_id), '') as crime_id,
        -- `Month` is written `YYYY-MM`: the month's first day (null if malformed: public
        -- data are taken as they are, so a bad value must not stop the build).
        cast(try_strptime(trim(month) || '-01', '%Y-%m-%d') as date) as month,
        reported_by,
        falls_within,
        try_cast(nullif(trim(longitude), '') as double) as longitude,
        try_cast(nullif(trim(latitude), '') as double) as latitude,
        nullif(trim(location), '') as location,
        nullif(trim(lsoa_code), '') as lsoa_code,
        nullif(trim(lsoa_name), '') as lsoa_name,
        crime_type,
        nullif(trim(last_outcome_category), '') as last_outcome_category,
        nullif(trim(context), '') as context,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
