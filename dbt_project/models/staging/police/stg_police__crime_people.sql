with

source as (

    select * from {{ source('police', 'crime_people') }}

),

renamed as (

    select
        crime_ref,
        person_ref,
        role,
        age,
        sex,
        ethnicity,
        postcode_district,
        tok_surname,
        tok_forename,
        tok_dob,
        file_name,
        file_sha256,
        row_number,
        period

    from source

)

select * from renamed
