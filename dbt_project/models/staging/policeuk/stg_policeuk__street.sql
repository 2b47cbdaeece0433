with

source as (

    select * from {{ source('policeuk', 'street') }}

),

renamed as (

    select
        -- Public data are taken as they are (partner-extracts.md, policeuk): a blank or
        -- malformed cell becomes null here, never an error; the tests on it only warn,
        -- and a row a mart cannot place (no month, LSOA or crime type) is left out of it.
        nullif(trim(crime_id), '') as crime_id,
        -- `Month` is written `YYYY-MM`: the month's first day (null if blank or malformed).
        cast({{ try_parse_timestamp("trim(month) || '-01'", '%Y-%m-%d') }} as date) as month,
        nullif(trim(reported_by), '') as reported_by,
        nullif(trim(falls_within), '') as falls_within,
        try_cast(nullif(trim(longitude), '') as double) as longitude,
        try_cast(nullif(trim(latitude), '') as double) as latitude,
        nullif(trim(location), '') as location,
        nullif(trim(lsoa_code), '') as lsoa_code,
        nullif(trim(lsoa_name), '') as lsoa_name,
        nullif(trim(crime_type), '') as crime_type,
        nullif(trim(last_outcome_category), '') as last_outcome_category,
        nullif(trim(context), '') as context,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
